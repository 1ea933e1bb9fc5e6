/*
 * atomic_emul — 64-bit atomics the way Go's runtime/internal/atomic did them on
 * 32-bit arm and mips, and the "is this PC inside an atomic?" classifier.
 *
 * Why this unit exists
 * --------------------
 * On mips, mipsle and arm with GOARM<7, Go emulates every 64-bit atomic with a
 * spinlock: one global lock on mips (atomic_mipsx.go), 57 locks striped by
 * (addr>>3)%57 on arm (atomic_arm.go). A SIGPROF that lands while its own thread
 * holds such a lock, and whose handler then touches a 64-bit atomic guarded by
 * the same lock, spins for ever (golang/go#20146). Go's workaround drops such
 * samples by checking whether the interrupted PC lies in the atomic package;
 * the counter of dropped samples is what golang/go#24991 flushed without a lock.
 * This unit reproduces both the hazard and the check.
 *
 * Strategies (chosen at run time, one binary holds all of them)
 * ------------------------------------------------------------
 *   native   the compiler's lock-free 64-bit atomics; only offered where the
 *            target really has them (x86-64, ARMv7 LDREXD/STREXD).
 *   global   one cache-line-padded spinlock for every address (Go's mips).
 *   striped  57 cache-line-padded spinlocks hashed by (addr>>3)%57 (Go's arm).
 * and, for the 32-bit CAS every spinlock is built on:
 *   builtin  gcc's __atomic builtins: inline LL/SC, LDREX/STREX or lock cmpxchg;
 *            on ARMv5 (armel) an out-of-line libgcc call (__sync_*), i.e. code
 *            that lives OUTSIDE this unit's text section.
 *   kuser    armel only: the kernel helpers __kuser_cmpxchg (0xffff0fc0) and
 *            __kuser_memory_barrier (0xffff0fa0) called from inside this unit,
 *            as Go's kernelcas does. The helper page is outside the section.
 * A strategy is named by one string: native, global, striped, global-kuser,
 * striped-kuser. Without any call to atomic_emul_configure the arch's default
 * (ci/arches.tsv, compiled in as ATOMIC_EMUL_DEFAULT) is in force.
 *
 * Concurrency contract
 * --------------------
 * - Every 64-bit operation is linearizable and sequentially consistent with
 *   respect to the other operations of this unit, under every strategy.
 * - Every operation is async-signal-safe in the POSIX sense (no allocation, no
 *   locks other than the spinlocks below, no stdio, errno untouched), BUT an
 *   emulated 64-bit operation called from a signal handler deadlocks if the
 *   interrupted code on the same thread holds the same spinlock. That is the
 *   point: callers in signal context must consult atomic_emul_classify_pc first.
 * - The 32-bit operations never take a spinlock (they are what spinlocks are
 *   made of), so they are safe from any context.
 * - atomic_emul_configure must be called before any other thread uses the unit;
 *   switching strategies under live locks would split their lock sets.
 * - A misaligned (or NULL) 64-bit address is a programming error: the unit
 *   writes one line to stderr with write(2) and calls abort(), as Go crashes
 *   on purpose, instead of tearing the value silently.
 *
 * The text section
 * ----------------
 * Every function of the unit, including the spinlock acquire loop, is placed in
 * the ELF section "atomic_emul_text", whose bounds the linker publishes as
 * __start_atomic_emul_text/__stop_atomic_emul_text. atomic_emul_classify_pc is
 * a range test on those bounds: Go's hasPrefix(funcname(f),
 * "runtime/internal/atomic") in C.
 */
#ifndef ATOMIC_EMUL_H
#define ATOMIC_EMUL_H

#include <stdbool.h>
#include <stdint.h>

enum atomic_emul_strategy {
	ATOMIC_EMUL_NATIVE,
	ATOMIC_EMUL_GLOBAL,
	ATOMIC_EMUL_STRIPED,
};

enum atomic_emul_cas32 {
	ATOMIC_EMUL_CAS32_BUILTIN,
	ATOMIC_EMUL_CAS32_KUSER,
};

struct atomic_emul_config {
	enum atomic_emul_strategy strategy;
	enum atomic_emul_cas32 cas32;
};

/* Number of stripes of the striped strategy (Go's len(locktab)). */
#define ATOMIC_EMUL_STRIPES 57

/* --- configuration (not for signal context, not while other threads run) --- */

/* Parses a strategy name ("native", "global", "striped", "global-kuser",
 * "striped-kuser"). Returns 0, or -1 if the name is unknown. */
int atomic_emul_parse(const char *name, struct atomic_emul_config *out);

/* The canonical name of a configuration, e.g. "striped-kuser". */
const char *atomic_emul_config_name(struct atomic_emul_config cfg);

/* Whether this build and CPU can run cfg: native needs lock-free 64-bit
 * atomics, kuser needs ARM Linux without ARMv6K exclusives in the build. */
bool atomic_emul_supported(struct atomic_emul_config cfg);

/* Installs cfg. Returns 0, or -1 with errno = ENOTSUP if it is not supported. */
int atomic_emul_configure(struct atomic_emul_config cfg);

/* The configuration in force, and the arch default compiled in. */
struct atomic_emul_config atomic_emul_current(void);
struct atomic_emul_config atomic_emul_default(void);

/* A space-separated list of every strategy name this build supports. */
const char *atomic_emul_supported_names(void);

/* --- 64-bit operations (Go's Load64, Store64, Xadd64, Xchg64, Cas64) --- */

uint64_t atomic_emul_load64(const uint64_t *addr);
void atomic_emul_store64(uint64_t *addr, uint64_t val);
/* Adds delta and returns the NEW value, as Go's Xadd64 does. */
uint64_t atomic_emul_xadd64(uint64_t *addr, int64_t delta);
/* Stores val and returns the OLD value. */
uint64_t atomic_emul_xchg64(uint64_t *addr, uint64_t val);
bool atomic_emul_cas64(uint64_t *addr, uint64_t old, uint64_t new_val);
/* Atomic AND / OR; return the new value. */
uint64_t atomic_emul_and64(uint64_t *addr, uint64_t mask);
uint64_t atomic_emul_or64(uint64_t *addr, uint64_t mask);

/* --- 32-bit operations (Go's Cas, Load, Store, Xadd, Xchg); never lock --- */

bool atomic_emul_cas32(uint32_t *addr, uint32_t old, uint32_t new_val);
uint32_t atomic_emul_load32(const uint32_t *addr);
void atomic_emul_store32(uint32_t *addr, uint32_t val);
uint32_t atomic_emul_xadd32(uint32_t *addr, int32_t delta); /* returns new */
uint32_t atomic_emul_xchg32(uint32_t *addr, uint32_t val);  /* returns old */

/* --- the classifier --- */

enum atomic_emul_pc_class {
	ATOMIC_PC_ELSEWHERE = 0, /* ordinary code */
	ATOMIC_PC_UNIT,          /* inside atomic_emul_text: what Go's funcname check sees */
	ATOMIC_PC_KUSER,         /* ARM kernel-helper page, pc & 0xffff0000 == 0xffff0000 */
	ATOMIC_PC_OUTLINE,       /* inside an out-of-line libgcc helper the unit calls (__sync_*) */
};

/* Async-signal-safe, lock-free, reads only immutable data. */
enum atomic_emul_pc_class atomic_emul_classify_pc(uintptr_t pc);
const char *atomic_emul_pc_class_name(enum atomic_emul_pc_class c);

/* Bounds of the unit's text section, for reports. */
uintptr_t atomic_emul_text_start(void);
uintptr_t atomic_emul_text_end(void);

/* --- introspection of the spinlocks (for watchdog dumps and tests) --- */

/* Index of the spinlock that guards addr under the current strategy: 0 for
 * global, 0..56 for striped, -1 for native (no lock). */
int atomic_emul_lock_index(const uint64_t *addr);

/* Number of spinlocks of the current strategy (0, 1 or 57). */
int atomic_emul_lock_count(void);

/* Kernel thread id of the holder of spinlock idx, or 0 when it is free. The
 * lock word stores the holder's tid, so this is exact at the instant it is
 * read. Async-signal-safe. */
int32_t atomic_emul_lock_owner(int idx);

/* Test helper: acquires the spinlock guarding addr, sets *holding, then spins
 * INSIDE the unit's text section (so an interrupted PC classifies as
 * ATOMIC_PC_UNIT) until *release becomes non-zero, then releases the lock.
 * Under native it only spins. This is the "signal lands inside the emulated
 * critical section" situation of #20146, made to last.
 * Signal the holder once *holding is set, not once the lock word shows it:
 * on ARMv5 with libgcc's CAS the lock word is written from inside the
 * out-of-line __sync helper, and a signal sent on seeing it can land there
 * (ATOMIC_PC_OUTLINE) before the holder reaches its loop. */
void atomic_emul_hold_lock_until(const uint64_t *addr, uint32_t *holding, const uint32_t *release);

#endif
