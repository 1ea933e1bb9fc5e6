module proftorture/programs

go 1.19
