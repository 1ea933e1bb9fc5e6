# mk/units.mk — what `make` builds: the library, every object, every link,
# and the objects' dependency files.

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

# The host-side runner (harness/*/*.c: one folder per role, harness/README.md)
# is native only. Its Check tests (tests/harness/) need the native runner
# and a fake stress, so they too are built and run natively only
# (check-harness, mk/harness.mk).
HARNESS_SRCS     := $(wildcard harness/*/*.c)
HARNESS_OBJS     := $(HARNESS_SRCS:%.c=$(B)/obj/%.o)
HARNESS_LIB_OBJS := $(filter-out $(B)/obj/harness/commands/main.o,$(HARNESS_OBJS))
HARNESS          := $(if $(filter native,$(ARCH)),$(B)/proftorture)
HARNESS_TESTS    := $(addprefix $(B)/tests/harness/,check_harness check_runner check_stress \
                      check_exit_paths check_report check_go_kind)
HARNESS_FAKES    := $(B)/tests/harness/fake_stress

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

# The expected-outcome table, compiled into stress as a C string.
$(B)/gen/expected_tsv.inc: cases/expected.tsv
	@mkdir -p $(@D)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@
$(B)/obj/cases/expected.o: $(B)/gen/expected_tsv.inc

$(LIB): $(LIB_OBJS) $(B)/obj/atomic_emul/atomic_emul.o.checked
	@rm -f $@
	$(AR) rcs $@ $(LIB_OBJS)

$(B)/stress: $(CASE_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CASE_OBJS) $(LIB) $(ATOMIC_LIBS) -lm

$(B)/proftorture: $(HARNESS_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(ATOMIC_LIBS) $(JANSSON_LIBS) -lm

$(B)/tests/%: $(B)/obj/tests/%.o $(TEST_SUPPORT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(TEST_SUPPORT_OBJS) $(LIB) $(ATOMIC_LIBS) $(CHECK_LIBS) -lm

# check_stats tests harness/judge/stats.c (pure C) on every arch, so its
# binary also links $(B)/obj/harness/judge/stats.o.
$(B)/tests/check_stats: $(B)/obj/tests/check_stats.o $(B)/obj/harness/judge/stats.o $(TEST_SUPPORT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(B)/obj/harness/judge/stats.o $(TEST_SUPPORT_OBJS) $(LIB) $(ATOMIC_LIBS) $(CHECK_LIBS) -lm

$(B)/tests/harness/fake_stress: $(B)/obj/tests/harness/fake_stress.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

$(B)/tests/harness/check_harness: $(B)/obj/tests/harness/check_harness.o $(HARNESS_LIB_OBJS) $(TEST_SUPPORT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(ATOMIC_LIBS) $(CHECK_LIBS) $(JANSSON_LIBS) -lm

$(B)/tests/harness/check_exit_paths: $(B)/obj/tests/harness/check_exit_paths.o $(HARNESS_LIB_OBJS) $(TEST_SUPPORT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(JANSSON_LIBS) -lm

$(B)/tests/harness/check_runner: $(B)/obj/tests/harness/check_runner.o $(TEST_SUPPORT_OBJS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) -lm

$(B)/tests/harness/check_stress: $(B)/obj/tests/harness/check_stress.o $(HARNESS_LIB_OBJS) $(TEST_SUPPORT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(ATOMIC_LIBS) $(CHECK_LIBS) $(JANSSON_LIBS) -lm

$(B)/tests/harness/check_report: $(B)/obj/tests/harness/check_report.o $(HARNESS_LIB_OBJS) $(TEST_SUPPORT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(JANSSON_LIBS) -lm

$(B)/tests/harness/check_go_kind: $(B)/obj/tests/harness/check_go_kind.o $(HARNESS_LIB_OBJS) $(TEST_SUPPORT_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(JANSSON_LIBS) -lm

# The test binaries' objects too: without their header dependencies a header
# change (sigprof/ucontext_pc.h, say) left stale test binaries behind.
-include $(LIB_OBJS:.o=.d) $(TEST_SUPPORT_OBJS:.o=.d) $(CASE_OBJS:.o=.d) \
         $(TESTS:$(B)/tests/%=$(B)/obj/tests/%.d)
-include $(HARNESS_OBJS:.o=.d) $(B)/obj/tests/harness/check_harness.d \
         $(B)/obj/tests/harness/check_exit_paths.d $(B)/obj/tests/harness/check_stress.d \
         $(B)/obj/tests/harness/check_runner.d $(B)/obj/tests/harness/fake_stress.d \
         $(B)/obj/tests/harness/check_report.d
