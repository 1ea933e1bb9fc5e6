# mk/arch.mk — one arch's toolchain and flags, from its row of ci/arches.tsv.
#
# ARCH picks the row; every arch-specific fact (triple, qemu, flags, atomics,
# ldflags, whether the host kernel can run it) comes from the table, so adding
# an arch is one row there and nothing here. SAN= picks a sanitizer build.

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
# SAN=fuzz is mk/fuzz.mk's: the library instrumented for libFuzzer.
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

# tests/ci/check-include-order reads CPPFLAGS's -I list from here: the
# directories, in order, that an #include "x.h" is looked up in.
OPT      ?= -O2
CFLAGS   := -std=c11 $(OPT) -g -Wall -Wextra -Werror -pthread $(ARCH_FLAGS) $(SAN_FLAGS) $(EXTRA_CFLAGS)
CPPFLAGS := -Iprotocol -Ioptions -Itls_pin -Iatomic_emul -Iprofbuf -Icpuprof -Isigprof -Icases -Iqemu_plugin -I$(B)/gen \
            -Iharness/base -Iharness/host -Iharness/judge -Iharness/pipeline -Iharness/kinds \
            -Iharness/records -Iharness/report -Iharness/commands \
            -DATOMIC_EMUL_DEFAULT_STRATEGY=$(DEFAULT_STRATEGY) \
            -DATOMIC_EMUL_DEFAULT_CAS32=$(DEFAULT_CAS32) \
            -DPROFTORTURE_ARCH='"$(ARCH)"'
LDFLAGS  := -pthread $(STATIC) $(ARCH_LDFLAGS) $(SAN_FLAGS) $(EXTRA_LDFLAGS)
# Every program that links the library links libatomic after it (atomic_emul's
# libatomic strategy; static like everything else on the cross arches).
ATOMIC_LIBS := -latomic
# jansson reads every JSON the runner reads (result lines, summary.json).
JANSSON_LIBS := $(shell pkg-config --libs jansson 2>/dev/null || echo -ljansson)
