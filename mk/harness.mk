# mk/harness.mk — the runner's own tests, and repro: golang/go#24991
# reproduced by the runner's built-in matrix. The runner and its test
# binaries are linked in mk/units.mk.

# The repro set: ci/arches.tsv's repro column, the one place it is written.
REPRO_ARCHES := $(shell awk -F'\t' 'NR>1 && $$12=="yes" {print $$1}' ci/arches.tsv)
REPRO_FLAGS  ?=

# Native only: the fault tests drive build/native/proftorture with a fake
# torture; check_exit_paths runs the real torture (every exit path, classified
# by the runner's classify_run), check_stress `proftorture stress` on the
# real programs (make programs), check_report the report's units and the
# `report` command, check_go_kind the go cell kind, check_go_exec the
# go_linux_<goarch>_exec wrappers on mipsle Go binaries, check_matrix_file
# matrix files and the file kind (on sampler_standin, a stand-in of
# examples/sampler-ring), check_stress one session on native and mipsel.
# Their mipsel fixtures are built here: ci/install-deps native installs
# mipsel's gcc for them (and qemu-user, Go).
check-harness:
ifeq ($(ARCH),native)
	@echo "+ $(MAKE) ARCH=mipsel build/mipsel/programs/torn_fixed build/mipsel/programs/timer_phases build/mipsel/programs/gotest.test build/mipsel/programs/bydesign.test build/mipsel/programs/hang"
	@$(MAKE) --no-print-directory ARCH=mipsel build/mipsel/programs/torn_fixed build/mipsel/programs/timer_phases \
	  build/mipsel/programs/gotest.test build/mipsel/programs/bydesign.test build/mipsel/programs/hang
	@fail=0; for t in $(HARNESS_TESTS); do echo "+ $$t"; $$t || fail=1; done; \
	if [ $$fail = 0 ]; then echo "check-harness: passed"; else echo "check-harness: FAILED"; exit 1; fi
else
	@echo "check-harness: native only (ARCH=$(ARCH)); nothing to do"
endif

# Every arch's torture binary, then the runner's built-in repro matrix, which
# writes summary.json and report.html and prints their paths. REPRO_FLAGS
# passes options, e.g. REPRO_FLAGS=--quick.
repro-binaries:
	$(MAKE) --no-print-directory ARCH=native build/native/proftorture
	@for a in $(REPRO_ARCHES); do \
	  $(MAKE) --no-print-directory ARCH=$$a build/$$a/torture || exit 1; \
	done

repro:
	build/native/proftorture repro $(REPRO_FLAGS)

# Go's go_linux_<goarch>_exec wrappers (proftorture go-exec install) into
# GO_EXEC_DIR: put it on PATH and `go test` with a cross GOARCH runs under
# the arch's qemu (docs/go-exec.md).
GO_EXEC_DIR ?= build/go-exec
go-exec:
	$(MAKE) --no-print-directory ARCH=native build/native/proftorture
	build/native/proftorture go-exec install $(abspath $(GO_EXEC_DIR))
	@echo "go-exec: PATH=$(abspath $(GO_EXEC_DIR)):\$$PATH GOARCH=mipsle GOMIPS=softfloat go test ./yourpkg"
