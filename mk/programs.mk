# mk/programs.mk — real programs for `proftorture stress` (tests/programs/):
# small Go programs (Debian's Go 1.19, offline, no cgo, the arch's GOARCH
# from ci/arches.tsv's go_analogue column; GO_ENV is mk/go.mk's) and C
# programs, into build/<arch>/programs/: the signature corpus was recorded
# from them (tests/corpus/signatures/README.md) and the stress tests and
# measurements run them (tests/programs/README.md). The sanitizer programs
# are native only.
GO_SRCS     := $(wildcard tests/programs/go/*/*.go) tests/programs/go/go.mod
# Go programs only where Go has a port: native, or a GOARCH in the table's
# go_analogue column (powerpc, m68k, hppa, sparc64 have none).
GO_PROGRAMS := $(if $(or $(filter native,$(ARCH)),$(GO_ARCH_ENV)),crash2 selfprof hang panic spin)
# Test binaries (go test -c), each <package>.test, where Go programs are built.
GO_TEST_PROGRAMS := gotest bydesign
C_PROGRAMS  := assert segv doublefree exitcode sigprof_count timer_phases trap_quit check_fail
# One source, two builds: the bug and its fix (tests/programs/c/torn.c).
TORN_PROGRAMS := torn_buggy torn_fixed
SAN_PROGRAMS := $(if $(filter native,$(ARCH)),uaf race overflow)
PROG        := $(B)/programs
PROGRAMS    := $(GO_PROGRAMS:%=$(PROG)/%) $(if $(GO_PROGRAMS),$(GO_TEST_PROGRAMS:%=$(PROG)/%.test)) $(C_PROGRAMS:%=$(PROG)/%) \
               $(TORN_PROGRAMS:%=$(PROG)/%) \
               $(SAN_PROGRAMS:%=$(PROG)/%)

$(GO_PROGRAMS:%=$(PROG)/%): $(PROG)/%: $(GO_SRCS)
	@mkdir -p $(@D)
	cd tests/programs/go && env $(GO_ENV) $(GO) build -trimpath -o $(CURDIR)/$@ ./$*
$(GO_TEST_PROGRAMS:%=$(PROG)/%.test): $(PROG)/%.test: $(GO_SRCS)
	@mkdir -p $(@D)
	cd tests/programs/go && env $(GO_ENV) $(GO) test -c -trimpath -o $(CURDIR)/$@ ./$*
# tls_pin's object too: the programs are the project's, and on i686 the
# row's ldflags wrap their pthread_create (tls_pin.h).
$(C_PROGRAMS:%=$(PROG)/%): $(PROG)/%: tests/programs/c/%.c $(B)/obj/tls_pin/tls_pin.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(CHECK_CFLAGS) $(LDFLAGS) -o $@ $< $(B)/obj/tls_pin/tls_pin.o $(if $(filter check_fail,$*),$(CHECK_LIBS) -lm)
$(PROG)/torn_buggy $(PROG)/torn_fixed: tests/programs/c/torn.c $(B)/obj/tls_pin/tls_pin.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) $(if $(filter %_fixed,$@),-DTORN_FIXED) -o $@ $< $(B)/obj/tls_pin/tls_pin.o
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

# measure-stress [ARCH=mipsel]: the numbers of docs/measurements/stress.md,
# on the real programs (tests/programs/measure says each).
MEASURE_ARCH := $(if $(filter native,$(ARCH)),mipsel,$(ARCH))
measure-stress:
	$(MAKE) --no-print-directory ARCH=native build/native/proftorture programs
	$(MAKE) --no-print-directory ARCH=$(MEASURE_ARCH) programs
	tests/programs/measure grouping $(MEASURE_ARCH)
	tests/programs/measure hang $(MEASURE_ARCH)
	tests/programs/measure cannon $(MEASURE_ARCH)
	tests/programs/measure cannon native
	tests/programs/measure ready $(MEASURE_ARCH)
	$(MAKE) --no-print-directory ARCH=$(MEASURE_ARCH) build/$(MEASURE_ARCH)/torture
	tests/programs/measure guestpc $(MEASURE_ARCH)
	tests/programs/measure spin $(MEASURE_ARCH)
