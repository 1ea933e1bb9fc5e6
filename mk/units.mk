# mk/units.mk — what `make` builds: the library, every object, every link,
# and the dependency files that make a header change rebuild its includers.

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
# build/<arch>/torture, and build/<arch>/stress: its old name, a symlink kept
# for a while so that old scripts still run (it says the new name on stderr).
TORTURE   := $(if $(CASE_SRCS),$(B)/torture $(B)/stress)

# The host-side runner (harness/*/*.c: one folder per role, harness/README.md)
# is native only. Its Check tests (tests/harness/) need the native runner
# and a fake torture, so they too are built and run natively only
# (check-harness, mk/harness.mk).
HARNESS_SRCS     := $(wildcard harness/*/*.c)
HARNESS_OBJS     := $(HARNESS_SRCS:%.c=$(B)/obj/%.o)
HARNESS_LIB_OBJS := $(filter-out $(B)/obj/harness/commands/main.o,$(HARNESS_OBJS))
HARNESS          := $(if $(filter native,$(ARCH)),$(B)/proftorture)
HARNESS_TESTS    := $(addprefix $(B)/tests/harness/,check_harness check_runner check_stress \
                      check_exit_paths check_report check_go_kind check_matrix_file check_go_exec \
                      check_guest_pcs)
HARNESS_FAKES    := $(B)/tests/harness/fake_torture $(B)/tests/harness/sampler_standin
HARNESS_SHIMS    := $(B)/tests/harness/fault_open.so
# qemu-user's plugins, one for every native build, sanitizers or not, where
# the runner looks for them: the guest-PC plugin (qemu_plugin/guestpc.c,
# guest_pcs.h) and the timer gate (qemu_plugin/timergate.c, timer_gate.h).
QEMU_PLUGINS     := $(if $(filter native,$(ARCH)),build/native/guestpc.so build/native/timergate.so)
QEMU_PLUGIN_H    := build/native/qemu-plugin/qemu-plugin.h

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<
$(B)/obj/tests/%.o: CFLAGS += $(CHECK_CFLAGS)

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

# The expected-outcome table, compiled into torture as a C string.
$(B)/gen/expected_tsv.inc: cases/expected.tsv
	@mkdir -p $(@D)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@
$(B)/obj/cases/expected.o: $(B)/gen/expected_tsv.inc

$(LIB): $(LIB_OBJS) $(B)/obj/atomic_emul/atomic_emul.o.checked
	@rm -f $@
	$(AR) rcs $@ $(LIB_OBJS)

# --- linking ---
# One link command. A program's objects and archives are its prerequisites,
# in link order ($^: the static pattern's own object first, then the others
# in the order the rules below name them, archives last); the system
# libraries after them are its LINK_LIBS. Static pattern rules, not plain
# ones: a plain pattern's object would be an intermediate file, deleted
# after a fresh build and so rebuilt, with its binary, by the next make.
LINK = $(CC) $(LDFLAGS) -o $@ $^ $(LINK_LIBS)

$(B)/torture: LINK_LIBS = $(ATOMIC_LIBS) -lm
$(B)/torture: $(CASE_OBJS) $(LIB)
	$(LINK)
# The old name, relative so that the tree can move; make sees the target's
# time through the link, so it is not remade after every link of torture.
$(B)/stress: $(B)/torture
	ln -sfn torture $@

$(B)/proftorture: LINK_LIBS = $(ATOMIC_LIBS) $(JANSSON_LIBS) -lm
$(B)/proftorture: $(HARNESS_OBJS) $(LIB) | $(QEMU_PLUGINS)
	$(LINK)

# The plugin is loaded into qemu, not linked: PIC, shared, no sanitizer
# (its runtime cannot live in an uninstrumented qemu), built on the header
# of the installed QEMU that ci/install-deps fetches.
build/native/%.so: qemu_plugin/%.c qemu_plugin/plugin_out.c qemu_plugin/*.h
	@test -f $(QEMU_PLUGIN_H) || { echo "$(QEMU_PLUGIN_H) is missing: run ci/install-deps" \
	  "(it fetches QEMU's plugin header from Debian's qemu source package)" >&2; exit 1; }
	gcc -std=c11 -O2 -g -Wall -Wextra -Werror -fPIC -shared -Iqemu_plugin \
	  -I$(dir $(QEMU_PLUGIN_H)) -o $@ $< qemu_plugin/plugin_out.c

# The unit tests, build/<arch>/tests/check_*: one per tests/check_*.c.
# check_stats tests harness/judge/stats.c (pure C) on every arch, so it also
# links that one object of the runner.
$(TESTS): $(B)/tests/%: $(B)/obj/tests/%.o
	@mkdir -p $(@D)
	$(LINK)
$(TESTS): LINK_LIBS = $(ATOMIC_LIBS) $(CHECK_LIBS) -lm
$(B)/tests/check_stats: $(B)/obj/harness/judge/stats.o
$(TESTS): $(TEST_SUPPORT_OBJS) $(LIB)

# The runner's tests, build/native/tests/harness/*: one per
# tests/harness/*.c, each on the runner's objects (all but its main) except
# check_runner (it drives the built runner) and the fake torture.
$(HARNESS_TESTS) $(HARNESS_FAKES): $(B)/tests/harness/%: $(B)/obj/tests/harness/%.o
	@mkdir -p $(@D)
	$(LINK)
$(filter-out %/check_runner,$(HARNESS_TESTS)): $(HARNESS_LIB_OBJS)
# the fake speaks the protocol from protocol.h's tables, not a copy of them
$(HARNESS_FAKES): $(B)/obj/protocol/protocol.o
# check_runner's read-only-directory shim (tests/harness/fault_open.c: why
# not libfiu), preloaded into the runner: PIC, and without the sanitizers,
# whose runtime cannot be preloaded into an uninstrumented program.
$(HARNESS_SHIMS): $(B)/tests/harness/%.so: tests/harness/%.c
	@mkdir -p $(@D)
	$(CC) $(filter-out $(SAN_FLAGS),$(CFLAGS)) -fPIC -shared -o $@ $<
$(HARNESS_TESTS): $(TEST_SUPPORT_OBJS)
$(filter-out %/check_runner,$(HARNESS_TESTS)): $(LIB)
$(HARNESS_TESTS): LINK_LIBS = $(CHECK_LIBS) $(JANSSON_LIBS) -lm
$(B)/tests/harness/check_runner: LINK_LIBS = $(CHECK_LIBS) -lm
$(addprefix $(B)/tests/harness/,check_harness check_stress): LINK_LIBS = $(ATOMIC_LIBS) $(CHECK_LIBS) $(JANSSON_LIBS) -lm
# check_guest_pcs reads real binaries of five arches (readelf is the oracle)
# and runs the plugin under qemu-mipsel, and check_stress runs the timer
# gate's layouts under four: their programs are built first.
.PHONY: guest-pcs-fixtures
guest-pcs-fixtures:
	@for a in mipsel mips armhf s390x aarch64; do \
	  $(MAKE) --no-print-directory ARCH=$$a build/$$a/programs/trap_quit || exit 1; done
	@for a in mips hppa s390x aarch64; do \
	  $(MAKE) --no-print-directory ARCH=$$a build/$$a/programs/timer_phases || exit 1; done

# Every object's header dependencies (-MMD -MP), whatever list it came from:
# a .d file left out meant a header change left stale binaries behind.
# tests/ci/check-header-rebuild is the test.
-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# --- what qemu-user cannot show: the message-passing litmus test ---
# build/<arch>/litmus_mp (tests/litmus/mp.c, docs/limits.md): under
# qemu-user on x86-64 the guest keeps the host's TSO order, so the outcome
# ARM and MIPS hardware allow must be counted 0; the --busted control must
# count it. check-units runs both on every arch: a fraction of a second
# each on a quiet machine, 2 s at most with the evidence, 8 s without.
# tls_pin's object: on i686 the row's ldflags wrap pthread_create.
# Both litmus programs take their CPUs from tests/litmus/litmus.c and their
# clock from tests/support/child.c.
LITMUS := $(B)/litmus_mp
LITMUS_OBJS := $(B)/obj/tests/litmus/litmus.o $(B)/obj/tests/support/child.o \
               $(B)/obj/tls_pin/tls_pin.o
$(LITMUS): tests/litmus/mp.c $(LITMUS_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/litmus -Itests/support $(CFLAGS) $(LDFLAGS) -o $@ $^

# --- and a 64-bit atomic load that tears: build/<arch>/litmus_tear64 ---
# (tests/litmus/tear64.c, docs/limits.md): a C11 64-bit atomic load must
# return a value some store wrote. Under qemu 7.2 it does not on armel,
# whose libatomic ends a 64-bit load in a plain LDRD that qemu splits in
# two 32-bit loads: TEAR64_FLAGS states that defect there, and the run then
# must see it, so that a qemu that fixes it fails this check and the armel
# cells cases/expected.tsv marks measured get judged again. check-units
# runs it and its --busted control on every arch.
TEAR64 := $(B)/litmus_tear64
TEAR64_FLAGS := $(if $(filter armel,$(ARCH)),--expect-torn)
$(TEAR64): tests/litmus/tear64.c $(LITMUS_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/litmus -Itests/support $(CFLAGS) $(LDFLAGS) -o $@ $^ $(ATOMIC_LIBS)
