module proftorture/cases/go/workload

go 1.19
