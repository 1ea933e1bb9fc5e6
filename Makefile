# proftorture — build and test every unit for one arch at a time.
#
#   make [ARCH=<a row of ci/arches.tsv>]          build into build/$(ARCH)/
#   make check [ARCH=...]                         unit tests and quick matrix (under qemu for cross arches)
#   make check-<arch> check-arm check-mipsle      the same for one arch (or two: check-arm, check-mips)
#   make check-all                                every arch: builds 2 at a time, unit tests
#                                                 2 arches at a time, one quick matrix, fuzz
#   make deps                                     ci/install-deps
#   make help                                     every user target, one line each
#
# Every arch-specific fact comes from ci/arches.tsv; adding an arch is one row.

ARCH ?= native
ARCHES := $(shell awk -F'\t' 'NR>1 {print $$1}' ci/arches.tsv)
COMMA  := ,
SPACE  := $(subst ,, )
ARCHES_CSV := $(subst $(SPACE),$(COMMA),$(strip $(ARCHES)))
arch_field = $(shell awk -F'\t' -v a=$(1) '$$1==a {print $$$(2)}' ci/arches.tsv)

ifeq ($(filter $(ARCH),$(ARCHES)),)
$(error ARCH=$(ARCH) is not in ci/arches.tsv; allowed: $(ARCHES))
endif

TRIPLE     := $(call arch_field,$(ARCH),2)
QEMU       := $(call arch_field,$(ARCH),3)
QEMU_FLAGS := $(filter-out -,$(call arch_field,$(ARCH),4))
ARCH_FLAGS := $(filter-out -,$(call arch_field,$(ARCH),5))
ATOMICS    := $(call arch_field,$(ARCH),6)
ARCH_LDFLAGS := $(filter-out -,$(call arch_field,$(ARCH),10))
HOST_KERNEL  := $(call arch_field,$(ARCH),11)

# SAN=thread or SAN=address (ASan+UBSan): native only, built with clang into
# build/native-<san>/. TSan and ASan do not exist for 32-bit arm or mips.
SAN ?=
ifneq ($(SAN),)
ifneq ($(ARCH),native)
$(error SAN=$(SAN) needs ARCH=native: sanitizers do not support 32-bit arm or mips)
endif
ifeq ($(SAN),thread)
SAN_FLAGS := -fsanitize=thread
else ifeq ($(SAN),fuzz)
SAN_FLAGS := -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all
else ifeq ($(SAN),address)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
$(error SAN=$(SAN): allowed values are thread, address and fuzz)
endif
CC := clang
endif

B := build/$(ARCH)$(if $(SAN),-$(SAN))

ifeq ($(TRIPLE),-)
CC      ?= cc
NM      := nm
OBJDUMP := objdump
AR      := ar
RUN     :=
STATIC  :=
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)
else
CC      := $(TRIPLE)-gcc
NM      := $(TRIPLE)-nm
OBJDUMP := $(TRIPLE)-objdump
AR      := $(TRIPLE)-ar
ifeq ($(HOST_KERNEL),try)
# The host kernel runs the arch's programs where it can (i686 on an x86-64
# kernel with the 32-bit ABI), else the row's qemu does. The runner decides,
# once per call (harness/host/host_exec.h); RUN is a shell command substitution,
# so a recipe asks when it runs, after RUN_NEEDS has built the runner.
RUN       = $$(build/native/proftorture list --exec-prefix $(ARCH))
RUN_NEEDS := runner
else
RUN     := $(strip $(filter-out -,$(QEMU)) $(QEMU_FLAGS))
endif
STATIC  := -static
CHECK_CFLAGS := -I$(B)/sysroot/include
CHECK_LIBS   := $(B)/sysroot/lib/libcheck.a -lm
endif
ifeq ($(origin CC),default)
CC := $(if $(SAN),clang,cc)
endif

# The arch's default atomics strategy, e.g. striped-kuser -> STRIPED + KUSER.
DEFAULT_STRATEGY := ATOMIC_EMUL_$(shell echo $(subst -kuser,,$(ATOMICS)) | tr a-z A-Z)
DEFAULT_CAS32    := ATOMIC_EMUL_CAS32_$(if $(findstring -kuser,$(ATOMICS)),KUSER,BUILTIN)

OPT      ?= -O2
CFLAGS   := -std=c11 $(OPT) -g -Wall -Wextra -Werror -pthread $(ARCH_FLAGS) $(SAN_FLAGS) $(EXTRA_CFLAGS)
CPPFLAGS := -Iprotocol -Ioptions -Itls_pin -Iatomic_emul -Iprofbuf -Icpuprof -Isigprof -Icases -I$(B)/gen \
            -Iharness/base -Iharness/host -Iharness/judge -Iharness/pipeline -Iharness/kinds \
            -Iharness/records -Iharness/report -Iharness/commands \
            -DATOMIC_EMUL_DEFAULT_STRATEGY=$(DEFAULT_STRATEGY) \
            -DATOMIC_EMUL_DEFAULT_CAS32=$(DEFAULT_CAS32) \
            -DPROFTORTURE_ARCH='"$(ARCH)"'
LDFLAGS  := -pthread $(STATIC) $(ARCH_LDFLAGS) $(SAN_FLAGS) $(EXTRA_LDFLAGS)
# Every program that links the library links libatomic after it (atomic_emul's
# libatomic strategy; static like everything else on the cross arches).
ATOMIC_LIBS := -latomic

# The units, in dependency order: each may use only those before it.
# protocol (the shared vocabulary), options (the option tables) and tls_pin
# (i686's TLS under qemu-i386, linked in by the row's ldflags) use nothing;
# cases and harness sit on top.
UNITS    := protocol options tls_pin atomic_emul profbuf cpuprof sigprof
LIB_SRCS := $(foreach u,$(UNITS),$(wildcard $(u)/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/obj/%.o)
LIB      := $(B)/libproftorture.a

TEST_SUPPORT_SRCS := $(wildcard tests/support/*.c)
TEST_SUPPORT_OBJS := $(TEST_SUPPORT_SRCS:%.c=$(B)/obj/%.o)
TEST_SRCS := $(wildcard tests/check_*.c)
TESTS     := $(TEST_SRCS:tests/%.c=$(B)/tests/%)

CASE_SRCS := $(wildcard cases/*.c)
CASE_OBJS := $(CASE_SRCS:%.c=$(B)/obj/%.o)
STRESS    := $(if $(CASE_SRCS),$(B)/stress)

.PHONY: all lib tests deps help check check-arch check-units check-quick check-handler-safety check-arm \
        check-mipsle check-all check-tsan check-asan fuzz bench clean distclean \
        $(addprefix check-,$(ARCHES)) $(addprefix check-arch-,$(ARCHES))

## make [ARCH=a] | builds build/<a>/: the library, the test binaries, stress; natively the runner too
all: $(LIB) $(TESTS) $(STRESS)
lib: $(LIB)
tests: $(TESTS)

## make help | this list: every "## make" line of the Makefile
help:
	@sed -n 's/^## make //p' $(firstword $(MAKEFILE_LIST)) | \
	  awk -F' [|] ' '{ printf "  make %-42s  %s\n", $$1, $$2 }'

## make deps | ci/install-deps (as root): Debian packages, Check cross-built per arch
deps:
	ci/install-deps

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# The classifier must see all of atomic_emul's code, and know which libgcc
# helpers it calls out of line (atomic_emul/outline.h).
$(B)/obj/atomic_emul/atomic_emul.o.checked: $(B)/obj/atomic_emul/atomic_emul.o
	$(if $(SAN),@echo "check-section: skipped under SAN=$(SAN) (instrumentation adds its own .text.* constructors)",ci/check-section $(OBJDUMP) $< atomic_emul_text)
	@touch $@
$(B)/gen/outline_helpers.inc: $(B)/obj/atomic_emul/atomic_emul.o
	@mkdir -p $(@D)
	ci/gen-outline $(NM) "$$($(CC) $(ARCH_FLAGS) -print-libgcc-file-name)" \
	  "$$($(CC) $(ARCH_FLAGS) -print-file-name=libatomic.a)" $< > $@.tmp && mv $@.tmp $@
$(B)/obj/atomic_emul/outline.o: $(B)/gen/outline_helpers.inc

# The expected-outcome table, compiled into stress as a C string.
$(B)/gen/expected_tsv.inc: cases/expected.tsv
	@mkdir -p $(@D)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@
$(B)/obj/cases/expected.o: $(B)/gen/expected_tsv.inc

$(LIB): $(LIB_OBJS) $(B)/obj/atomic_emul/atomic_emul.o.checked
	@rm -f $@
	$(AR) rcs $@ $(LIB_OBJS)

$(B)/obj/tests/%.o: CFLAGS += $(CHECK_CFLAGS)
$(B)/tests/%: $(B)/obj/tests/%.o $(TEST_SUPPORT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(TEST_SUPPORT_OBJS) $(LIB) $(ATOMIC_LIBS) $(CHECK_LIBS) -lm

$(B)/stress: $(CASE_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CASE_OBJS) $(LIB) $(ATOMIC_LIBS) -lm

# Nothing outside ci/async-signal-safe.txt may be reachable from the SIGPROF
# handler; the self-test shows an injected printf/malloc is caught.
check-handler-safety: $(B)/gen/outline_helpers.inc $(B)/gen/expected_tsv.inc
	SELF_TEST=1 ci/check-handler-safety $(CC) $(B) $(ARCH_FLAGS)

# The runner, for recipes whose RUN asks it (a row whose host_kernel is try).
.PHONY: runner
runner:
	@$(MAKE) --no-print-directory ARCH=native build/native/proftorture >/dev/null

# Run every Check binary; keep going past a failure, fail at the end. Under
# an emulator the timed tests get 10 times their native allowance.
## make check-units [ARCH=a] | the unit tests of one arch (under qemu for cross arches)
check-units: all $(B)/profbuf_go_cases $(RUN_NEEDS)
	@run="$(RUN)"; slowdown=$${run:+10}; fail=0; for t in $(TESTS); do \
	  echo "+ $${run:+$$run }$$t"; \
	  PROFTORTURE_SLOWDOWN=$${slowdown:-1} $$run $$t || fail=1; \
	done; \
	echo "+ $${run:+$$run }$(B)/profbuf_go_cases"; \
	$$run $(B)/profbuf_go_cases || fail=1; \
	for v in "" --busted; do echo "+ $${run:+$$run }$(LITMUS) $$v"; $$run $(LITMUS) $$v || fail=1; done; \
	if [ "$(ARCH)" = native ]; then $(MAKE) --no-print-directory check-harness || fail=1; fi; \
	skipped=; if [ "$(ARCH)" = native ] && [ -z "$(SAN)" ]; then \
	  echo "+ tests/ci/check-workflow"; tests/ci/check-workflow || fail=1; \
	  echo "+ tests/ci/check-make-targets"; tests/ci/check-make-targets || fail=1; \
	  echo "+ tests/ci/check-go-build-goroot"; tests/ci/check-go-build-goroot || fail=1; \
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
	  echo "+ go vet ./... (in $(GO_VET_DIRS)); gofmt -l; ci/gen-go-protocol --check $(B)/stress"; \
	  for d in $(GO_VET_DIRS); do (cd $$d && env $(GO_ENV) $(GO) vet ./...) || fail=1; done; \
	  unfmt=$$($(GOFMT) -l cases/go tests/programs/go) && [ -z "$$unfmt" ] || { echo "not gofmt'ed: $$unfmt"; fail=1; }; \
	  env $(GO_ENV) ci/gen-go-protocol --check $(B)/stress || fail=1; \
	  echo "+ tests/ci/check-doc-links"; \
	  { tests/ci/check-doc-links --self-test && tests/ci/check-doc-links; } || fail=1; \
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
## make check-quick [ARCH=a] | the quick case matrix of one arch
check-quick:
	@$(MAKE) --no-print-directory ARCH=native build/native/proftorture >/dev/null
	@echo "+ build/native/proftorture run --arch $(QUICK_ARCHES) --quick --atomics $(QUICK_ATOMICS) --watchdog 2"
	@build/native/proftorture run --arch $(QUICK_ARCHES) --quick --atomics $(QUICK_ATOMICS) \
	  --watchdog 2 --status-interval 30 --out $(QUICK_OUT)

check-arch: check-handler-safety
	@fail=0; $(MAKE) --no-print-directory check-units || fail=1; \
	if [ -z "$(SAN)" ]; then $(MAKE) --no-print-directory check-quick || fail=1; fi; \
	if [ $$fail = 0 ]; then echo "check-$(ARCH): all unit tests passed, and the quick matrix"; \
	else echo "check-$(ARCH): FAILED"; exit 1; fi

## make check [ARCH=a] | handler-safety audit, unit tests and quick matrix of one arch
check: check-arch

# check-arch-<arch>: exactly that arch (CI's per-arch jobs run these). A
# family's name covers the family: check-arm is armel and armhf, check-mips
# mips and mipsel, as a user asking for "mips" expects both byte orders.
## make check-arch-<arch> | make check for exactly that arch (what CI's per-arch jobs run)
$(addprefix check-arch-,$(ARCHES)):
	$(MAKE) --no-print-directory check-arch ARCH=$(@:check-arch-%=%)

## make check-<arch> | the same; check-mips, below, is the family
$(addprefix check-,$(filter-out mips,$(ARCHES))): check-%: check-arch-%
## make check-arm | check-armel and check-armhf
check-arm: check-armel check-armhf
## make check-mips | check-arch-mips and check-mipsel: both byte orders
check-mips: check-arch-mips check-arch-mipsel
## make check-mipsle | alias of check-mipsel
check-mipsle: check-mipsel

# Every arch, continuing past failures so one run shows the whole matrix, in
# phases sized for 2 cores: builds (and the handler-safety audit) 2 at a
# time, which is only compilation; the unit tests one arch at a time
# (CHECK_ALL_UNIT_JOBS), because several of them are timed or statistical
# (profbuf's flows must wrap the ring, its negative controls must fire) and
# were calibrated alone; under other load that flow check failed with two
# arches at a time and also with one, and one at a time cost about 7 min
# against about 6 for two (2026-11-30, loaded machine); then ONE
# quick matrix over every arch, which keeps exactly the 2 runs at a time its
# statistics were calibrated with; then the bounded fuzz run. Each phase
# prints its time. Failures are collected in build/check-all.failed and
# named at the end.
CHECK_ALL_UNIT_JOBS ?= 1
## make check-all | every arch: builds, unit tests, one quick matrix, fuzz, repro-go-quick
check-all:
	@rm -f build/check-all.failed; mkdir -p build; t0=$$(date +%s); \
	phase() { echo "== check-all: $$1 took $$(( $$(date +%s) - t0 )) s"; t0=$$(date +%s); }; \
	echo "== check-all: build every arch, 2 at a time"; \
	$(MAKE) --no-print-directory -j2 -k -Otarget $(ARCHES:%=check-all-build-%) || true; \
	phase "building"; \
	echo "== check-all: unit tests, $(CHECK_ALL_UNIT_JOBS) arch(es) at a time"; \
	$(MAKE) --no-print-directory -j$(CHECK_ALL_UNIT_JOBS) -k -Otarget $(ARCHES:%=check-all-units-%) || true; \
	phase "the unit tests"; \
	echo "== check-all: the quick matrix of every arch"; \
	$(MAKE) --no-print-directory check-quick ARCH=native QUICK_ARCHES=$(ARCHES_CSV) \
	  QUICK_OUT=build/check-all-quick || echo quick-matrix >> build/check-all.failed; \
	phase "the quick matrix"; \
	$(MAKE) --no-print-directory fuzz || echo fuzz >> build/check-all.failed; \
	phase "fuzzing"; \
	$(MAKE) --no-print-directory repro-go-quick || echo repro-go-quick >> build/check-all.failed; \
	phase "repro-go --quick (the real Go runtime)"; \
	if [ -s build/check-all.failed ]; then \
	  echo "check-all: FAILED on" $$(cat build/check-all.failed); exit 1; fi; \
	echo "check-all: passed on $(ARCHES): unit tests, handler safety, the quick matrix; the bounded fuzz run; and repro-go --quick"

check-all-build-%:
	@$(MAKE) --no-print-directory ARCH=$* all build/$*/profbuf_go_cases check-handler-safety \
	  || { echo "build-$*" >> build/check-all.failed; exit 1; }
check-all-units-%:
	@$(MAKE) --no-print-directory ARCH=$* check-units || { echo "$*" >> build/check-all.failed; exit 1; }

# Sanitizer jobs (native, clang): ci/check-tsan and ci/check-asan say what
# each one requires, and why.
## make check-tsan | the ThreadSanitizer job (native, clang)
check-tsan:
	$(MAKE) --no-print-directory ARCH=native SAN=thread all
	ci/check-tsan build/native-thread
## make check-asan | the ASan+UBSan job (native, clang)
check-asan:
	$(MAKE) --no-print-directory ARCH=native SAN=address all
	ci/check-asan build/native-address

## make clean | every arch's objects, test binaries, libraries and stress removed
clean:
	rm -rf $(foreach a,$(ARCHES),build/$(a)/obj build/$(a)/tests build/$(a)/gen build/$(a)/*.a build/$(a)/stress)

## make distclean | build/ removed, Check's sysroots too (make deps rebuilds them)
distclean:
	rm -rf build

# The test binaries' objects too: without their header dependencies a header
# change (sigprof/ucontext_pc.h, say) left stale test binaries behind.
-include $(LIB_OBJS:.o=.d) $(TEST_SUPPORT_OBJS:.o=.d) $(CASE_OBJS:.o=.d) \
         $(TESTS:$(B)/tests/%=$(B)/obj/tests/%.d)

# --- profbuf bench (profbuf owner) ---
# bench-profbuf: records/s through profbuf against a mutex ring of the same size
# (one writer, one reader), one human line and one JSON line; about 2 s.
# check-external: Go's profbuf_test.go cases through profbuf.h alone.
.PHONY: bench-profbuf check-external

$(B)/bench_profbuf: profbuf/bench/bench_profbuf.c $(LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(ATOMIC_LIBS) -lm

## make bench-profbuf [ARCH=a] | profbuf against a mutex ring of the same size, about 2 s
bench-profbuf: $(B)/bench_profbuf $(RUN_NEEDS)
	$(RUN) $(B)/bench_profbuf

$(B)/profbuf_go_cases: tests/external/profbuf_go_cases.c $(LIB)
	$(CC) $(ARCH_FLAGS) -Iprotocol -Iprofbuf -Iatomic_emul tests/external/profbuf_go_cases.c $(B)/libproftorture.a $(ATOMIC_LIBS) -lpthread $(STATIC) $(ARCH_LDFLAGS) -o $@

check-external: $(B)/profbuf_go_cases $(RUN_NEEDS)
	$(RUN) $(B)/profbuf_go_cases

# --- harness (harness owner) ---
# build/native/proftorture: the host-side runner (harness/*/*.c: one folder
# per role, harness/README.md), native only. tests/check_stats.c tests
# harness/judge/stats.c (pure C) on EVERY arch, so its binary also links
# $(B)/obj/harness/judge/stats.o. The runner's own Check tests
# (tests/harness/) need the native binary and a fake stress; they run only
# natively, via check-harness.
HARNESS_SRCS     := $(wildcard harness/*/*.c)
HARNESS_OBJS     := $(HARNESS_SRCS:%.c=$(B)/obj/%.o)
HARNESS_LIB_OBJS := $(filter-out $(B)/obj/harness/commands/main.o,$(HARNESS_OBJS))
HARNESS          := $(if $(filter native,$(ARCH)),$(B)/proftorture)
HARNESS_TESTS    := $(B)/tests/harness/check_harness $(B)/tests/harness/check_runner \
                    $(B)/tests/harness/check_stress $(B)/tests/harness/check_exit_paths
HARNESS_FAKES    := $(B)/tests/harness/fake_stress $(B)/tests/harness/fault_open.so
# The repro set: ci/arches.tsv's repro column, the one place it is written.
REPRO_ARCHES     := $(shell awk -F'\t' 'NR>1 && $$12=="yes" {print $$1}' ci/arches.tsv)
# jansson reads every JSON the runner reads (result lines, summary.json).
JANSSON_LIBS     := $(shell pkg-config --libs jansson 2>/dev/null || echo -ljansson)
REPRO_FLAGS      ?=

.PHONY: check-harness repro repro-binaries

all: $(HARNESS)

## make ARCH=native build/native/proftorture | the runner alone, in seconds: enough for proftorture stress
$(B)/proftorture: $(HARNESS_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(ATOMIC_LIBS) $(JANSSON_LIBS) -lm

$(B)/tests/check_stats: $(B)/obj/tests/check_stats.o $(B)/obj/harness/judge/stats.o $(TEST_SUPPORT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(B)/obj/harness/judge/stats.o $(TEST_SUPPORT_OBJS) $(LIB) $(ATOMIC_LIBS) $(CHECK_LIBS) -lm

$(B)/tests/harness/fake_stress: $(B)/obj/tests/harness/fake_stress.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

# check_runner's read-only-directory shim (tests/harness/fault_open.c: why
# not libfiu), preloaded into the runner: PIC, and without the sanitizers,
# whose runtime cannot be preloaded into an uninstrumented program.
$(B)/tests/harness/fault_open.so: tests/harness/fault_open.c
	@mkdir -p $(@D)
	$(CC) $(filter-out $(SAN_FLAGS),$(CFLAGS)) -fPIC -shared -o $@ $<

$(B)/tests/harness/check_harness: $(B)/obj/tests/harness/check_harness.o $(HARNESS_LIB_OBJS) $(TEST_SUPPORT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(ATOMIC_LIBS) $(CHECK_LIBS) $(JANSSON_LIBS) -lm

# Every exit path of the real stress, classified by the runner's classify_run.
$(B)/tests/harness/check_exit_paths: $(B)/obj/tests/harness/check_exit_paths.o $(HARNESS_LIB_OBJS) $(TEST_SUPPORT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(JANSSON_LIBS) -lm

$(B)/tests/harness/check_runner: $(B)/obj/tests/harness/check_runner.o $(TEST_SUPPORT_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) -lm

# check_stress runs `proftorture stress` on the real programs (make programs).
$(B)/tests/harness/check_stress: $(B)/obj/tests/harness/check_stress.o $(HARNESS_LIB_OBJS) $(TEST_SUPPORT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(ATOMIC_LIBS) $(CHECK_LIBS) $(JANSSON_LIBS) -lm

# Native only: the fault tests drive build/native/proftorture with a fake stress;
# check_exit_paths runs the real stress, check_stress the real programs.
check-harness: $(HARNESS) $(HARNESS_TESTS) $(HARNESS_FAKES) $(STRESS) $(if $(filter native,$(ARCH)),programs)
ifeq ($(ARCH),native)
	@fail=0; for t in $(HARNESS_TESTS); do echo "+ $$t"; $$t || fail=1; done; \
	if [ $$fail = 0 ]; then echo "check-harness: passed"; else echo "check-harness: FAILED"; exit 1; fi
else
	@echo "check-harness: native only (ARCH=$(ARCH)); nothing to do"
endif

# Reproduce golang/go#24991: every arch's stress binary, then the runner's
# built-in repro matrix, which writes summary.json and report.html and
# prints their paths. REPRO_FLAGS passes options, e.g. REPRO_FLAGS=--quick.
## make repro-binaries | what repro runs: the runner and armel, armhf, mips, mipsel's stress
repro-binaries:
	$(MAKE) --no-print-directory ARCH=native build/native/proftorture
	@for a in $(REPRO_ARCHES); do \
	  $(MAKE) --no-print-directory ARCH=$$a build/$$a/stress || exit 1; \
	done

## make repro [REPRO_FLAGS=...] | golang/go#24991 reproduced: the matrix, summary.json, report.html
repro: repro-binaries
	build/native/proftorture repro $(REPRO_FLAGS)

# --- the report and the CI workflow ---
# check_report: the report's units (html, svg_plot, report_html, config,
# bench_file) and the `report` command, run by check-harness.
.PHONY: check-report check-workflow
HARNESS_TESTS += $(B)/tests/harness/check_report
check-harness: $(B)/tests/harness/check_report

$(B)/tests/harness/check_report: $(B)/obj/tests/harness/check_report.o $(HARNESS_LIB_OBJS) $(TEST_SUPPORT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(JANSSON_LIBS) -lm

-include $(B)/obj/tests/harness/check_report.d

# The HTML report in a real browser (tests/report/check-report): a real
# native matrix and two fixtures, pooled, opened in headless Chromium; the
# screenshots stay in build/report/. Exit 77 (and a loud SKIPPED line) when
# Chromium is missing: skipped, never passed.
## make check-report | the HTML report in headless Chromium
check-report: $(HARNESS) $(STRESS)
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
## make check-workflow | the GitHub workflow is ci/gen-workflow's and runs only what exists
check-workflow: $(HARNESS)
	tests/ci/check-workflow


-include $(HARNESS_OBJS:.o=.d) $(B)/obj/tests/harness/check_harness.d \
         $(B)/obj/tests/harness/check_exit_paths.d $(B)/obj/tests/harness/check_stress.d \
         $(B)/obj/tests/harness/check_runner.d $(B)/obj/tests/harness/fake_stress.d

# --- the stress cases, measured ---
# check-cases-<arch>: lost-atomic buggy vs fixed, CASES_RUNS runs of 1 s each,
# and atomic-deadlock for every handler shape under every strategy the arch
# supports, 3 runs each (a negative control up to 12, until it fails); every
# cell judged against cases/expected.tsv.
# Natively the arch's own atomics are native, so lost-atomic runs under
# global there too.
CASES_RUNS ?= 20
## make check-cases-<arch> [CASES_RUNS=20] | lost-atomic and atomic-deadlock measured on one arch
check-cases-%:
	$(MAKE) --no-print-directory ARCH=native build/native/proftorture
	$(MAKE) --no-print-directory ARCH=$* build/$*/stress
	build/native/proftorture run --arch $* --case lost-atomic \
	  --variant unlocked-flush,locked-flush,locked-flush-kuser,exact \
	  --atomics $(if $(filter native,$*),default$(COMMA)global,default) --runs $(CASES_RUNS)
	build/native/proftorture run --arch $* --case atomic-deadlock \
	  --variant unchecked,unlocked-flush,locked-flush,locked-flush-kuser,exact --atomics all --runs 3 \
	  --max-runs 12

# --- the soak: ci/soak says what it samples and what "flat" means ---
# make soak [SOAK_FOR=30m] [SOAK_EVERY=60]: proftorture run --for SOAK_FOR natively,
# its RSS, open fds and children sampled every SOAK_EVERY seconds, one verdict line.
SOAK_FOR   ?= 30m
SOAK_EVERY ?= 60
.PHONY: soak
## make soak [SOAK_FOR=30m] [SOAK_EVERY=60] | the runner for 30 min natively: does anything grow?
soak:
	$(MAKE) --no-print-directory ARCH=native build/native/proftorture build/native/stress
	SOAK_FOR=$(SOAK_FOR) SOAK_EVERY=$(SOAK_EVERY) ci/soak

# --- benchmarks: ci/bench says what each column is ---
# make bench [BENCH_FLAGS=--quick]
BENCH_ARCHES := native $(REPRO_ARCHES)
## make bench [BENCH_FLAGS=--quick] | each arch side by side, against its ceiling (ci/bench)
bench:
	@for a in $(BENCH_ARCHES); do \
	  $(MAKE) --no-print-directory ARCH=$$a build/$$a/stress build/$$a/bench_profbuf || exit 1; \
	done
	ci/bench $(BENCH_FLAGS)

# --- fuzzing ---
# Fuzzing (libFuzzer, clang): the validating reader, the cpuprof parser and
# the runner's result-line classifier, FUZZ_SECONDS each from the seed corpora
# in tests/fuzz/corpus (new inputs stay under build/); then the option
# parsers of stress and proftorture, as processes (ci/fuzz-options). A crash
# input is kept as build/native-fuzz/crash-*: add it to the corpus.
FUZZ_SECONDS ?= 15
FUZZ_TARGETS := profbuf_read cpuprof_parse classify_run
ifeq ($(SAN),fuzz)
$(B)/fuzz_%: tests/fuzz/fuzz_%.c $(LIB) $(HARNESS_LIB_OBJS)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(HARNESS_LIB_OBJS) $(LIB) $(ATOMIC_LIBS) $(JANSSON_LIBS) -lm
endif
## make fuzz [FUZZ_SECONDS=15] | libFuzzer on the parsers, then the option parsers
fuzz:
	$(MAKE) --no-print-directory ARCH=native all
	$(MAKE) --no-print-directory ARCH=native SAN=fuzz $(FUZZ_TARGETS:%=build/native-fuzz/fuzz_%)
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p build/native-fuzz/corpus-$$t && cp tests/fuzz/corpus/$$t/* build/native-fuzz/corpus-$$t/; \
	  echo "+ fuzz_$$t for $(FUZZ_SECONDS) s"; \
	  (cd build/native-fuzz && ./fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	     corpus-$$t 2>fuzz_$$t.log) || { tail -40 build/native-fuzz/fuzz_$$t.log; exit 1; }; \
	  grep -E "stat::number_of_executed_units|stat::new_units_added" build/native-fuzz/fuzz_$$t.log; \
	done
	ci/fuzz-options build/native 150

# --- real programs for `proftorture stress` (tests/programs/; stress owner) ---
# make programs [ARCH=a]: small Go programs (Debian's Go 1.19, offline, no
# cgo, the arch's GOARCH from ci/arches.tsv's go_analogue column) and C
# programs, into build/<arch>/programs/: the signature corpus was recorded
# from them (tests/corpus/signatures/README.md) and the stress tests and
# measurements run them (tests/programs/README.md). The sanitizer programs
# are native only.
GO          ?= /usr/lib/go-1.19/bin/go
GO_ARCH_ENV := $(if $(filter native,$(ARCH)),,$(filter GO%,$(call arch_field,$(ARCH),7)))
# The one Go environment of the Makefile (ci/go-build sets the same for its
# builds): offline, no cgo, no user settings, caches under build/.
GO_ENV      := GOROOT=$(patsubst %/bin/go,%,$(GO)) GOENV=off GOSUMDB=off CGO_ENABLED=0 GOPROXY=off \
               GOFLAGS=-mod=mod GOCACHE=$(CURDIR)/build/go-cache GOPATH=$(CURDIR)/build/gopath \
               $(GO_ARCH_ENV) \
               $(if $(filter GOARCH=mips GOARCH=mipsle,$(GO_ARCH_ENV)),GOMIPS=softfloat)
GO_SRCS     := $(wildcard tests/programs/go/*/*.go) tests/programs/go/go.mod
# Go programs only where Go has a port: native, or a GOARCH in the table's
# go_analogue column (powerpc, m68k, hppa, sparc64 have none).
GO_PROGRAMS := $(if $(or $(filter native,$(ARCH)),$(GO_ARCH_ENV)),crash2 selfprof hang panic)
C_PROGRAMS  := assert segv doublefree exitcode sigprof_count trap_quit check_fail
SAN_PROGRAMS := $(if $(filter native,$(ARCH)),uaf race overflow)
PROG        := $(B)/programs
PROGRAMS    := $(GO_PROGRAMS:%=$(PROG)/%) $(if $(GO_PROGRAMS),$(PROG)/gotest.test) $(C_PROGRAMS:%=$(PROG)/%) \
               $(SAN_PROGRAMS:%=$(PROG)/%)

.PHONY: programs
## make programs [ARCH=a] | the real Go and C programs proftorture stress is tested on
programs: $(PROGRAMS)

$(GO_PROGRAMS:%=$(PROG)/%): $(PROG)/%: $(GO_SRCS)
	@mkdir -p $(@D)
	cd tests/programs/go && env $(GO_ENV) $(GO) build -trimpath -o $(CURDIR)/$@ ./$*
$(PROG)/gotest.test: $(GO_SRCS)
	@mkdir -p $(@D)
	cd tests/programs/go && env $(GO_ENV) $(GO) test -c -trimpath -o $(CURDIR)/$@ ./gotest
# tls_pin's object too: the programs are the project's, and on i686 the
# row's ldflags wrap their pthread_create (tls_pin.h).
$(C_PROGRAMS:%=$(PROG)/%): $(PROG)/%: tests/programs/c/%.c $(B)/obj/tls_pin/tls_pin.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(CHECK_CFLAGS) $(LDFLAGS) -o $@ $< $(B)/obj/tls_pin/tls_pin.o $(if $(filter check_fail,$*),$(CHECK_LIBS) -lm)
# Deliberately buggy, for the sanitizers' reports: clang, -O1, no -Werror.
$(PROG)/uaf: tests/programs/c/uaf.c
	@mkdir -p $(@D)
	clang -g -O1 -fsanitize=address -fno-omit-frame-pointer -o $@ $<
$(PROG)/race: tests/programs/c/race.c
	@mkdir -p $(@D)
	clang -g -O1 -fsanitize=thread -o $@ $<
$(PROG)/overflow: tests/programs/c/overflow.c
	@mkdir -p $(@D)
	clang -g -O1 -fsanitize=undefined -fno-sanitize-recover=all -o $@ $<

# make measure-stress [ARCH=mipsel]: the numbers of docs/measurements/stress.md,
# on the real programs (tests/programs/measure says each).
## make measure-stress [ARCH=a] | the numbers of docs/measurements/stress.md
measure-stress:
	$(MAKE) --no-print-directory ARCH=native build/native/proftorture programs
	$(MAKE) --no-print-directory ARCH=$(MEASURE_ARCH) programs
	tests/programs/measure grouping $(MEASURE_ARCH)
	tests/programs/measure hang $(MEASURE_ARCH)
	tests/programs/measure cannon $(MEASURE_ARCH)
	tests/programs/measure cannon native
	tests/programs/measure ready $(MEASURE_ARCH)
MEASURE_ARCH := $(if $(filter native,$(ARCH)),mipsel,$(ARCH))
.PHONY: measure-stress

# --- the real Go runtime (the Go owner) ---
# Built from an installed GOROOT (default Debian's /usr/lib/go-1.19) with
# `go build -overlay` / `go test -c -overlay`: ci/go-build says how, and
# cases/go/flavours.tsv what each flavour is. Outputs in build/<arch>/go/.
#   make go-workloads [GO_ARCHES="mipsel armel"] [GO_FLAVOURS=stock,regressed]
#   make go-runtime-tests                  GOROOT's runtime tests + the eof-race test
#   make repro-go-eof [REPRO_GO_EOF_FLAGS=--arch native,armhf,mips,mipsel] [GO_OWN=DIR]
# GO_OWN=DIR builds (and repro-go-eof runs) your Go tree (ci/go-build --goroot).
#   make check-go                          gofmt, vet, the workload's tests, smoke runs
#   make go-protocol                       rewrite cases/go/workload/protocol_gen.go
#                                          after a change to protocol/protocol.h
# The overlay holds only runtime patches: cases/go/workload and
# tests/programs/go are plain modules, which make check (check-units,
# native) vets in GO_ENV, along with gofmt and the generated file's drift.
GO_ARCHES   ?= $(ARCHES)
GO_FLAVOURS ?=
GO_BUILD     = ci/go-build --arch "$(GO_ARCHES)" $(if $(GO_FLAVOURS),--flavour $(GO_FLAVOURS)) $(GO_OWN_FLAG)
REPRO_GO_EOF_FLAGS ?=
GO_VET_DIRS := cases/go/workload tests/programs/go
GOFMT       := $(patsubst %/bin/go,%/bin/gofmt,$(GO))

.PHONY: go-workloads go-runtime-tests repro-go-eof check-go go-protocol

## make go-workloads [GO_ARCHES=...] [GO_FLAVOURS=...] [GO_OWN=DIR] | the Go workload per arch and flavour (ci/go-build)
go-workloads:
	$(GO_BUILD) --what workload

## make go-runtime-tests [GO_ARCHES=...] [GO_FLAVOURS=...] [GO_OWN=DIR] | GOROOT's runtime tests and the eof-race test
go-runtime-tests:
	$(GO_BUILD) --what runtime-test

# go-stats: harness/judge/stats.c's intervals and Fisher test for the scripts.
$(B)/go-stats: ci/go-stats.c $(B)/obj/harness/judge/stats.o
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^ -lm

## make repro-go-eof [GO_OWN=DIR] [REPRO_GO_EOF_FLAGS=...] | the profBuf eof race in Go's runtime, stock against fixed
repro-go-eof:
	$(MAKE) --no-print-directory ARCH=native build/native/go-stats
	ci/repro-go-eof $(GO_OWN_FLAG) $(REPRO_GO_EOF_FLAGS)

## make check-go | the Go parts' checks: gofmt, vet, the workload's tests, smoke runs
check-go:
	$(MAKE) --no-print-directory ARCH=native build/native/stress
	ci/check-go

go-protocol:
	$(MAKE) --no-print-directory ARCH=native build/native/stress
	GOROOT=$(patsubst %/bin/go,%,$(GO)) ci/gen-go-protocol --write build/native/stress

# --- repro-go: the real Go runtime in the runner ---
# The go cell kind (harness/kinds/kind_go.c) drives the flavours ci/go-build makes.
#   make repro-go [REPRO_GO_FLAGS=...] [GO_OWN=DIR]   builds the flavours its
#       matrix runs (and DIR's tree, run in stock's place) for armel armhf mips
#       mipsel, then proftorture repro-go: its built-in matrix, summary.json,
#       report.html
#   make repro-go-quick [GO_OWN=DIR]    the quick version check-all runs
REPRO_GO_ARCHES   := $(REPRO_ARCHES)
REPRO_GO_FLAVOURS := stock,regressed,unchecked
REPRO_GO_ARMEL    := helpers-named,regressed-named
REPRO_GO_FLAGS    ?=
GO_OWN            ?=
# Every repro-go* target passes GO_OWN on: one that built DIR's workload but
# ran without --goroot would quietly test Debian's Go instead.
GO_OWN_FLAG        = $(if $(GO_OWN),--goroot "$(GO_OWN)")

.PHONY: repro-go repro-go-quick repro-go-binaries
HARNESS_TESTS += $(B)/tests/harness/check_go_kind
check-harness: $(B)/tests/harness/check_go_kind

$(B)/tests/harness/check_go_kind: $(B)/obj/tests/harness/check_go_kind.o $(HARNESS_LIB_OBJS) $(TEST_SUPPORT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(JANSSON_LIBS) -lm

repro-go-binaries: repro-binaries
	ci/go-build --arch "$(REPRO_GO_ARCHES)" --flavour $(REPRO_GO_FLAVOURS) --what workload
	ci/go-build --arch armel --flavour $(REPRO_GO_ARMEL) --what workload
	$(if $(GO_OWN),ci/go-build --arch "$(REPRO_GO_ARCHES)" $(GO_OWN_FLAG) --what workload)

## make repro-go [GO_OWN=DIR] [REPRO_GO_FLAGS=...] | golang/go#24991 in the real Go runtime (GO_OWN: your tree as stock)
repro-go: repro-go-binaries
	build/native/proftorture repro-go $(GO_OWN_FLAG) $(REPRO_GO_FLAGS)

## make repro-go-quick [GO_OWN=DIR] [REPRO_GO_FLAGS=...] | its quick version, which check-all runs
repro-go-quick: repro-go-binaries
	build/native/proftorture repro-go $(GO_OWN_FLAG) --quick --status-interval 30 --out build/repro-go-quick $(REPRO_GO_FLAGS)

# --- what qemu-user cannot show: the message-passing litmus test ---
# build/<arch>/litmus_mp (tests/litmus/mp.c, docs/limits.md): under
# qemu-user on x86-64 the guest keeps the host's TSO order, so the outcome
# ARM and MIPS hardware allow must be counted 0; the --busted control must
# count it. check-units runs both on every arch: a fraction of a second
# each on a quiet machine, 2 s at most with the evidence, 8 s without.
LITMUS := $(B)/litmus_mp
all: $(LITMUS)
$(LITMUS): tests/litmus/mp.c $(B)/obj/tls_pin/tls_pin.o
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^
