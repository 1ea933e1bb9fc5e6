# mk/tests.mk — the checks of one arch: check-units, check-quick,
# check-examples, check-arch (make check), and the per-arch targets CI's jobs run.

# Nothing outside ci/async-signal-safe.txt may be reachable from the SIGPROF
# handler; the self-test shows an injected printf/malloc is caught.
check-handler-safety: $(B)/gen/outline_helpers.inc $(B)/gen/expected_tsv.inc
	SELF_TEST=1 ci/check-handler-safety $(CC) $(B) $(ARCH_FLAGS)

# The runner, for recipes whose RUN asks it (a row whose host_kernel is try).
runner:
	@$(MAKE) --no-print-directory ARCH=native build/native/proftorture >/dev/null

# Run every Check binary; keep going past a failure, fail at the end. Under
# an emulator the timed tests get 10 times their native allowance. Natively
# also the runner's tests and the source checks (tests/ci/, the Go modules'
# vet and gofmt, the report in a browser).
check-units:
	@run="$(RUN)"; slowdown=$${run:+10}; fail=0; for t in $(TESTS); do \
	  echo "+ $${run:+$$run }$$t"; \
	  PROFTORTURE_SLOWDOWN=$${slowdown:-1} $$run $$t || fail=1; \
	done; \
	echo "+ $${run:+$$run }$(B)/profbuf_go_cases"; \
	$$run $(B)/profbuf_go_cases || fail=1; \
	for v in "" --busted; do echo "+ $${run:+$$run }$(LITMUS) $$v"; $$run $(LITMUS) $$v || fail=1; done; \
	for v in "$(TEAR64_FLAGS)" --busted; do echo "+ $${run:+$$run }$(TEAR64) $$v"; $$run $(TEAR64) $$v || fail=1; done; \
	if [ "$(ARCH)" = native ]; then $(MAKE) --no-print-directory check-harness || fail=1; fi; \
	skipped=; if [ "$(ARCH)" = native ] && [ -z "$(SAN)" ]; then \
	  echo "+ tests/ci/check-workflow"; tests/ci/check-workflow || fail=1; \
	  echo "+ tests/ci/check-make-targets"; tests/ci/check-make-targets || fail=1; \
	  echo "+ tests/ci/check-go-build-goroot"; tests/ci/check-go-build-goroot || fail=1; \
	  echo "+ tests/ci/check-header-rebuild"; tests/ci/check-header-rebuild || fail=1; \
	  echo "+ tests/ci/check-doc-examples"; \
	  { tests/ci/check-doc-examples --self-test && tests/ci/check-doc-examples; } || fail=1; \
	  echo "+ tests/ci/check-function-length"; \
	  { tests/ci/check-function-length --self-test && tests/ci/check-function-length; } || fail=1; \
	  echo "+ tests/ci/check-protocol-literals"; \
	  { tests/ci/check-protocol-literals --self-test && tests/ci/check-protocol-literals; } || fail=1; \
	  echo "+ tests/ci/check-include-order"; \
	  { tests/ci/check-include-order --self-test && tests/ci/check-include-order; } || fail=1; \
	  echo "+ tests/ci/check-no-issue-numbers"; \
	  { tests/ci/check-no-issue-numbers --self-test && tests/ci/check-no-issue-numbers; } || fail=1; \
	  echo "+ ci/doctor --self-test"; ci/doctor --self-test || fail=1; \
	  echo "+ tests/ci/check-timergate-table"; \
	  { tests/ci/check-timergate-table --self-test && tests/ci/check-timergate-table; } || fail=1; \
	  echo "+ tests/ci/check-containerfile"; \
	  { tests/ci/check-containerfile --self-test && tests/ci/check-containerfile; } || fail=1; \
	  echo "+ tests/ci/check-doc-links"; \
	  { tests/ci/check-doc-links --self-test && tests/ci/check-doc-links; } || fail=1; \
	  echo "+ tests/ci/check-doc-blocks"; \
	  { tests/ci/check-doc-blocks --self-test && tests/ci/check-doc-blocks; } || fail=1; \
	  echo "+ tests/ci/check-go-exec"; tests/ci/check-go-exec || fail=1; \
	  echo "+ go vet ./... (in $(GO_VET_DIRS)); gofmt -l; ci/gen-go-protocol --check $(B)/torture"; \
	  for d in $(GO_VET_DIRS); do (cd $$d && env $(GO_ENV) $(GO) vet ./...) || fail=1; done; \
	  unfmt=$$($(GOFMT) -l cases/go tests/programs/go) && [ -z "$$unfmt" ] || { echo "not gofmt'ed: $$unfmt"; fail=1; }; \
	  env $(GO_ENV) ci/gen-go-protocol --check $(B)/torture || fail=1; \
	  echo "+ tests/report/check-report $(B)"; tests/report/check-report $(B); rc=$$?; \
	  if [ $$rc = 77 ]; then skipped=" (the browser test was SKIPPED: no Chromium)"; \
	  elif [ $$rc != 0 ]; then fail=1; fi; \
	fi; \
	if [ $$fail = 0 ]; then echo "check-units-$(ARCH): all unit tests passed$$skipped"; \
	else echo "check-units-$(ARCH): FAILED"; exit 1; fi

# The quick case matrix: every case x variant on the arch's default atomics
# and on libatomic (the same cells where libatomic is the default), judged
# against cases/expected.tsv. QUICK_ARCHES: the arches of one runner
# invocation (check-all gives them all, so 2 runs at once, as calibrated).
QUICK_ATOMICS := default,libatomic
QUICK_ARCHES  ?= $(ARCH)
QUICK_OUT     ?= $(B)/quick-results
check-quick:
	@$(MAKE) --no-print-directory ARCH=native build/native/proftorture >/dev/null
	@echo "+ build/native/proftorture run --arch $(QUICK_ARCHES) --quick --atomics $(QUICK_ATOMICS) --watchdog 2"
	@build/native/proftorture run --arch $(QUICK_ARCHES) --quick --atomics $(QUICK_ATOMICS) \
	  --watchdog 2 --status-interval 30 --out $(QUICK_OUT)

# examples/sampler-ring's matrix file (docs/matrix-file.md) through the
# runner: every cell the file has on ARCH must be EXPECTED. The arches are
# the file's arches column (the header is its first line that is not a
# comment, arches its second column; `repro` and `*` as the reader reads
# them); an arch it names no cell on has nothing to run, and says so.
# EXAMPLES_MATRIX and EXAMPLES_BUILD (the make target that builds what the
# file runs) may name another file and its programs.
EXAMPLES_MATRIX ?= examples/sampler-ring/matrix.tsv
EXAMPLES_BUILD  ?= examples
EXAMPLES_NAMED   = $(shell awk -F'\t' '/^[ \t]*(\#|$$)/ {next} !h {h=1; next} {print $$2}' \
                     $(EXAMPLES_MATRIX) 2>/dev/null | tr ',' ' ')
EXAMPLES_ARCHES  = $(sort $(filter-out repro *,$(EXAMPLES_NAMED)) \
                     $(if $(filter repro,$(EXAMPLES_NAMED)),$(REPRO_ARCHES)) \
                     $(if $(filter *,$(EXAMPLES_NAMED)),$(ARCHES)))
check-examples:
	@case " $(EXAMPLES_ARCHES) " in *" $(ARCH) "*) ;; \
	  *) echo "check-examples: $(EXAMPLES_MATRIX) has no cell on $(ARCH); nothing to run"; exit 0;; esac; \
	$(MAKE) --no-print-directory ARCH=native build/native/proftorture >/dev/null && \
	$(MAKE) --no-print-directory ARCH=$(ARCH) $(EXAMPLES_BUILD) && \
	echo "+ build/native/proftorture run --matrix $(EXAMPLES_MATRIX) --arch $(ARCH)" && \
	build/native/proftorture run --matrix $(EXAMPLES_MATRIX) --arch $(ARCH) \
	  --status-interval 30 --out $(B)/examples-results

check-arch:
	@fail=0; $(MAKE) --no-print-directory check-units || fail=1; \
	if [ -z "$(SAN)" ]; then $(MAKE) --no-print-directory check-quick || fail=1; fi; \
	if [ -z "$(SAN)" ]; then $(MAKE) --no-print-directory check-examples || fail=1; fi; \
	if [ $$fail = 0 ]; then echo "check-$(ARCH): all unit tests passed, and the quick matrix"; \
	else echo "check-$(ARCH): FAILED"; exit 1; fi

# check-arch-<arch>: exactly that arch (CI's per-arch jobs run these).
$(addprefix check-arch-,$(ARCHES)):
	$(MAKE) --no-print-directory check-arch ARCH=$(@:check-arch-%=%)

# check-external: Go's profbuf_test.go cases through profbuf.h alone (only
# the public headers' directories on its -I).
$(B)/profbuf_go_cases: tests/external/profbuf_go_cases.c $(LIB)
	$(CC) $(ARCH_FLAGS) -Iprotocol -Iprofbuf -Iatomic_emul tests/external/profbuf_go_cases.c $(B)/libproftorture.a $(ATOMIC_LIBS) -lpthread $(STATIC) $(ARCH_LDFLAGS) -o $@

check-external:
	$(RUN) $(B)/profbuf_go_cases

# Sanitizer jobs (native, clang): ci/check-tsan and ci/check-asan say what
# each one requires, and why.
check-tsan:
	$(MAKE) --no-print-directory ARCH=native SAN=thread all
	ci/check-tsan build/native-thread
check-asan:
	$(MAKE) --no-print-directory ARCH=native SAN=address all
	ci/check-asan build/native-address

# The HTML report in a real browser (tests/report/check-report): a real
# native matrix and two fixtures, pooled, opened in headless Chromium; the
# screenshots stay in build/report/. Exit 77 (and a loud SKIPPED line) when
# Chromium is missing: skipped, never passed.
check-report:
ifeq ($(ARCH),native)
	@tests/report/check-report $(B); rc=$$?; \
	if [ $$rc = 77 ]; then echo "check-report: SKIPPED: Chromium is not installed (ci/install-deps installs it)"; fi; \
	exit $$rc
else
	@echo "check-report: native only (ARCH=$(ARCH)); nothing to do"
endif

# The workflow at .github/workflows/ is generated from ci/arches.tsv
# (ci/gen-workflow); check-workflow fails when the committed file differs
# from what the script generates, and when it runs a make target, a script
# or a runner option that does not exist.
check-workflow:
	tests/ci/check-workflow
