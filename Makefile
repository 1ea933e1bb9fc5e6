# proftorture — build and test every unit for one arch at a time.
#
# This file is the list of user targets: each `## make USAGE | what` line
# is one line of `make help`, above its target. A target's prerequisites
# are here; a recipe longer than a few lines is in the mk/ file its section
# names, under the same target:
#   mk/arch.mk       ARCH's row of ci/arches.tsv: toolchain, RUN, flags; SAN=
#   mk/units.mk      the library, every object and link, the .d files
#   mk/tests.mk      one arch's checks: check-units, check-quick, check-arch
#   mk/harness.mk    the runner's tests and repro
#   mk/check-all.mk  every arch, in phases sized for 2 cores
#   mk/go.mk         the real Go runtime: go-*, repro-go*
#   mk/programs.mk   the real programs proftorture stress is tested on
#   mk/bench.mk      the measurements: bench*, soak, check-cases-<arch>
#   mk/fuzz.mk       libFuzzer on the parsers
#   mk/examples.mk   examples/: a user's own sampler, buggy and fixed
# Every arch-specific fact comes from ci/arches.tsv; adding an arch is one row.

include mk/arch.mk mk/units.mk mk/tests.mk mk/harness.mk mk/check-all.mk \
        mk/go.mk mk/programs.mk mk/bench.mk mk/fuzz.mk mk/examples.mk
.DEFAULT_GOAL := all

.PHONY: all lib tests deps doctor help clean distclean programs examples check check-arch check-units check-quick check-examples check-pprof-hangs \
        check-handler-safety check-harness check-external check-report check-workflow \
        check-arm check-mipsle check-all check-tsan check-asan repro repro-binaries runner \
        fuzz bench bench-profbuf soak measure-stress go-workloads go-runtime-tests check-go \
        go-protocol go-exec repro-go repro-go-quick repro-go-binaries repro-go-eof \
        $(addprefix check-,$(ARCHES)) $(addprefix check-arch-,$(ARCHES))

# --- building (mk/units.mk) ---
## make [ARCH=a] | builds build/<a>/: the library, the test binaries, torture (and stress, its old name); natively the runner too
all: $(LIB) $(TESTS) $(TORTURE) $(HARNESS) $(LITMUS) $(TEAR64)
lib: $(LIB)
tests: $(TESTS)
## make ARCH=native build/native/proftorture | the runner alone, in seconds: enough for proftorture stress
## make programs [ARCH=a] | the real Go and C programs proftorture stress is tested on
programs: $(PROGRAMS)
## make examples [ARCH=a] | examples/sampler-ring: a C sampler's buggy and fixed builds, build/<a>/examples/sampler-ring-{buggy,fixed}
examples: $(EXAMPLES)
## make go-exec [GO_EXEC_DIR=build/go-exec] | go_linux_<goarch>_exec wrappers there: go test -> qemu + signal cannon
go-exec:
## make help | this list: every "## make" line of the Makefile and mk/*.mk
help:
	@sed -n 's/^## make //p' $(filter Makefile mk/%.mk,$(MAKEFILE_LIST)) | \
	  awk -F' [|] ' '{ printf "  make %-42s  %s\n", $$1, $$2 }'
## make doctor | is this host ready? each tool, qemu and Check build, with the exact install line for what is missing
doctor: ; @ci/doctor

## make deps | ci/install-deps --all (as root): every Debian package, Check cross-built per arch
deps:
	ci/install-deps --all
## make clean | every arch's objects, test binaries, libraries and torture removed
clean:
	rm -rf $(foreach a,$(ARCHES),build/$(a)/obj build/$(a)/tests build/$(a)/gen build/$(a)/*.a build/$(a)/torture build/$(a)/stress build/$(a)/examples)
## make distclean | build/ removed, Check's sysroots too (make deps rebuilds them)
distclean:
	rm -rf build

# --- one arch's checks (mk/tests.mk, mk/harness.mk) ---
## make check [ARCH=a] | handler-safety audit, unit tests, quick matrix and the examples' matrix of one arch
check: check-arch
check-arch: check-handler-safety
## make check-units [ARCH=a] | the unit tests of one arch (under qemu for cross arches)
check-units: all $(B)/profbuf_go_cases $(RUN_NEEDS)
## make check-quick [ARCH=a] | the quick case matrix of one arch
check-quick:
## make check-examples [ARCH=a] | examples/sampler-ring's matrix file through the runner: every cell EXPECTED
check-examples:
check-harness: $(HARNESS) $(HARNESS_TESTS) $(HARNESS_FAKES) $(HARNESS_SHIMS) $(TORTURE) $(if $(filter native,$(ARCH)),programs guest-pcs-fixtures)
check-external: $(B)/profbuf_go_cases $(RUN_NEEDS)
## make check-report | the HTML report in headless Chromium
check-report: $(HARNESS) $(TORTURE)
## make check-workflow | the GitHub workflow is ci/gen-workflow's and runs only what exists
check-workflow: $(HARNESS)
## make check-tsan | the ThreadSanitizer job (native, clang)
check-tsan:
## make check-asan | the ASan+UBSan job (native, clang)
check-asan:

# --- one arch by name, or a family (mk/tests.mk) ---
# A family's name covers the family: check-arm is armel and armhf, check-mips
# mips and mipsel, as a user asking for "mips" expects both byte orders.
## make check-arch-<arch> | make check for exactly that arch (what CI's per-arch jobs run)
$(addprefix check-arch-,$(ARCHES)):
## make check-<arch> | the same; check-mips, below, is the family
$(addprefix check-,$(filter-out mips,$(ARCHES))): check-%: check-arch-%
## make check-arm | check-armel and check-armhf
check-arm: check-armel check-armhf
## make check-mips | check-arch-mips and check-mipsel: both byte orders
check-mips: check-arch-mips check-arch-mipsel
## make check-mipsle | alias of check-mipsel
check-mipsle: check-mipsel

# --- every arch (mk/check-all.mk) ---
## make check-all | every arch: builds, unit tests, one quick matrix, the examples, fuzz, repro-go-quick
check-all:
## make fuzz [FUZZ_SECONDS=15] | libFuzzer on the parsers, then the option parsers
fuzz:

# --- golang/go#24991 reproduced (mk/harness.mk, mk/go.mk) ---
## make repro-binaries | what repro runs: the runner and armel, armhf, mips, mipsel's torture
repro-binaries:
## make repro [REPRO_FLAGS=...] | golang/go#24991 reproduced: the matrix, summary.json, report.html
repro: repro-binaries
## make repro-go [GO_OWN=DIR] [REPRO_GO_FLAGS=...] | golang/go#24991 in the real Go runtime (GO_OWN: your tree as stock)
repro-go: repro-go-binaries
## make repro-go-quick [GO_OWN=DIR] [REPRO_GO_FLAGS=...] | its quick version, which check-all runs
repro-go-quick: repro-go-binaries
## make repro-go-eof [GO_OWN=DIR] [REPRO_GO_EOF_FLAGS=...] | the profBuf eof race in Go's runtime, stock against fixed
repro-go-eof:
## make check-pprof-hangs | Go's own pprof tests under the gated cannon on mipsel: no hang (check-all runs it)
check-pprof-hangs:
## make go-workloads [GO_ARCHES=...] [GO_FLAVOURS=...] [GO_OWN=DIR] | the Go workload per arch and flavour (ci/go-build)
go-workloads:
## make go-runtime-tests [GO_ARCHES=...] [GO_FLAVOURS=...] [GO_OWN=DIR] | GOROOT's runtime tests and the eof-race test
go-runtime-tests:
## make check-go | the Go parts' checks: gofmt, vet, the workload's tests, smoke runs
check-go:

# --- measurements: bench*, soak, measure-stress, check-cases-<arch>: mk/bench.mk ---
