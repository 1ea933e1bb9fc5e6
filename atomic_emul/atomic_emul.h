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
 *   native     the compiler's lock-free 64-bit atomics; only offered where the
 *              target really has them (x86-64, ARMv7 LDREXD/STREXD, aarch64...).
 *   global     one cache-line-padded spinlock for every address (Go's mips).
 *   striped    57 cache-line-padded spinlocks hashed by (addr>>3)%57 (Go's arm).
 *   libatomic  what C itself does: gcc's __atomic builtins on uint64_t, which
 *              the compiler inlines where the CPU has 64-bit atomics and
 *              otherwise calls into libatomic (linked statically, -latomic).
 *              See "libatomic" below.
 * and, for the 32-bit CAS every spinlock is built on:
 *   builtin  gcc's __atomic builtins: inline LL/SC, LDREX/STREX or lock cmpxchg;
 *            on ARMv5 (armel) an out-of-line libgcc call (__sync_*), i.e. code
 *            that lives OUTSIDE this unit's text section.
 *   kuser    armel only: the kernel helpers __kuser_cmpxchg (0xffff0fc0) and
 *            __kuser_memory_barrier (0xffff0fa0) called from inside this unit,
 *            as Go's kernelcas does. The helper page is outside the section.
 * A strategy is named by one string: native, global, striped, global-kuser,
 * striped-kuser, libatomic. Without any call to atomic_emul_configure the
 * arch's default (ci/arches.tsv, compiled in as ATOMIC_EMUL_DEFAULT) is in
 * force.
 *
 * libatomic
 * ---------
 * gcc 12's libatomic (libatomic/config/posix/lock.c, with the generic
 * host-config.h) does an 8-byte operation it cannot do lock-free under one of
 * 64 pthread mutexes, `static struct lock locks[4096 / 64]`, each padded to
 * 64 bytes and chosen by ((uintptr_t)addr / 64) % 64: libat_lock_1 masks the
 * address with 0xfc0 and tail-calls pthread_mutex_lock (mips, mipsel,
 * powerpc, m68k disassembled alike). On armel an ifunc picks LDREXD, the
 * kernel's 64-bit cmpxchg helper (kuser_helper_version >= 5, which qemu
 * provides) or the lock; on every 64-bit target and on i686 (CMPXCHG8B),
 * armhf (LDREXD) and hppa gcc does the operation itself, inline or through
 * libgcc's lock-free out-of-line helpers (aarch64's -moutline-atomics, hppa's
 * light-weight-syscall __sync_*_8, both on the classifier's outline list),
 * and never calls libatomic.
 *
 * Whether the lock is really taken is found out, not assumed:
 * atomic_emul_configure asks __atomic_is_lock_free(8) (a yes is final); on a
 * no, it finds libatomic's `locks` in the executable's symbol table, holds
 * every one of them and lets a thread do one 8-byte load: the thread either
 * finishes (lock-free after all: armel) or waits on exactly the mutex the
 * mirrored hash names (glibc marks a waited-on mutex with lock word 2). Only
 * then are lock_index, lock_count and lock_owner libatomic's (the owner is
 * the tid glibc writes into the held mutex); elsewhere libatomic behaves
 * like native, with no locks to report. Before any configure call the unit
 * assumes libatomic locks wherever gcc says 64-bit atomics are not always
 * lock-free, and knows no owner. A libatomic whose table cannot be found (a
 * stripped executable) or does not hash as above is refused (ENOTSUP).
 *
 * The classifier's blind spot, and how the unit closes it. libatomic's lock
 * and unlock run in libatomic's and the C library's text, outside this
 * unit's section: a signal there, while the lock is held, is invisible to a
 * section check (Go's check has the same hole: the #47505 class). So under a
 * locking libatomic every call into it is bracketed by a per-thread depth
 * counter (a __thread word, written only by its own thread, ordered with
 * signal fences), and the classifier, which runs on the interrupted thread,
 * reports ATOMIC_PC_LIBATOMIC when the PC is in no code it can name by
 * address but that thread is inside a libatomic call. A per-thread counter
 * instead of PC ranges, because libatomic's lock path is
 * libatomic -> pthread_mutex_lock -> futex syscall -> (qemu) wherever: no
 * fixed list of functions covers it, and any one list breaks with the next
 * C library. Go-style checks (the section only) do not look at this class
 * and so deadlock where libatomic locks; the complete check (sigprof's
 * locked-flush-kuser and exact) counts it as "inside an atomic".
 *
 * Concurrency contract
 * --------------------
 * - Every 64-bit operation is linearizable and sequentially consistent with
 *   respect to the other operations of this unit, under every strategy.
 * - Every operation is async-signal-safe in the POSIX sense (no allocation, no
 *   locks other than the spinlocks below and, under a locking libatomic,
 *   libatomic's mutexes; no stdio, errno untouched), BUT an emulated 64-bit
 *   operation called from a signal handler deadlocks if the interrupted code
 *   on the same thread holds the same lock. That is the point: callers in
 *   signal context must consult atomic_emul_classify_pc first.
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
 * Every atomic operation of the unit, including the spinlock acquire loop,
 * and the classifier are placed in the ELF section "atomic_emul_text", whose
 * bounds the linker publishes as __start_atomic_emul_text /
 * __stop_atomic_emul_text. atomic_emul_classify_pc is a range test on those
 * bounds: Go's hasPrefix(funcname(f), "runtime/internal/atomic") in C. What
 * runs only before the workers start (parsing and configuring: config.c)
 * and the test helper's hold on a libatomic mutex (libatomic.c) live in
 * ordinary text: no signal handler can reach them, and ci/check-handler-safety
 * (which sees the whole section as reachable) must not see the open(2),
 * malloc and pthread_mutex_lock they use.
 */
#ifndef ATOMIC_EMUL_H
#define ATOMIC_EMUL_H

#include <stdbool.h>
#include <stdint.h>

enum atomic_emul_strategy {
	ATOMIC_EMUL_NATIVE,
	ATOMIC_EMUL_GLOBAL,
	ATOMIC_EMUL_STRIPED,
	ATOMIC_EMUL_LIBATOMIC,
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
/* libatomic's lock table: 4096 / 64 mutexes, one per 64-byte granule mod 4096. */
#define ATOMIC_EMUL_LIBATOMIC_LOCKS 64
#define ATOMIC_EMUL_LIBATOMIC_GRANULE 64

/* --- configuration (not for signal context, not while other threads run) --- */

/* Parses a strategy name ("native", "global", "striped", "global-kuser",
 * "striped-kuser", "libatomic"). Returns 0, or -1 if the name is unknown. */
int atomic_emul_parse(const char *name, struct atomic_emul_config *out);

/* The canonical name of a configuration, e.g. "striped-kuser". */
const char *atomic_emul_config_name(struct atomic_emul_config cfg);

/* Whether this build and CPU can run cfg: native needs lock-free 64-bit
 * atomics, kuser needs ARM Linux without ARMv6K exclusives in the build;
 * libatomic runs everywhere. */
bool atomic_emul_supported(struct atomic_emul_config cfg);

/* Installs cfg. Returns 0, or -1 with errno = ENOTSUP if it is not supported
 * (for libatomic also: it locks, and its lock table is not where and what
 * the header comment says; one line on stderr says which). Under libatomic
 * it probes whether libatomic locks, with one short-lived thread. */
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
	ATOMIC_PC_KUSER,         /* the kernel's atomic-helper page: ARM's kuser page
				    (pc & 0xffff0000 == 0xffff0000, Go's #47505 check), hppa's
				    gateway page (its light-weight syscalls, 0xb0..0xff) */
	ATOMIC_PC_OUTLINE,       /* inside an out-of-line libgcc helper the unit calls (__sync_*) */
	ATOMIC_PC_LIBATOMIC,     /* none of the above, but this thread is inside a call into a
				    locking libatomic: it may hold one of libatomic's mutexes */
};

/* Async-signal-safe, lock-free. Reads immutable data, and the calling
 * thread's libatomic depth: call it on the interrupted thread (in its signal
 * handler) for ATOMIC_PC_LIBATOMIC to describe the interrupted code. */
enum atomic_emul_pc_class atomic_emul_classify_pc(uintptr_t pc);
const char *atomic_emul_pc_class_name(enum atomic_emul_pc_class c);

/* Bounds of the unit's text section, for reports. */
uintptr_t atomic_emul_text_start(void);
uintptr_t atomic_emul_text_end(void);

/* --- introspection of the spinlocks (for watchdog dumps and tests) --- */

/* Index of the lock that guards addr under the current strategy: 0 for
 * global, 0..56 for striped, 0..63 for a locking libatomic (its own hash),
 * -1 for native and a lock-free libatomic (no lock). */
int atomic_emul_lock_index(const uint64_t *addr);

/* Number of locks of the current strategy (0, 1, 57 or 64). */
int atomic_emul_lock_count(void);

/* Kernel thread id of the holder of lock idx, or 0 when it is free. A
 * spinlock's word stores the holder's tid, so this is exact at the instant
 * it is read; a libatomic mutex is read where glibc records its owner
 * (pthread_mutex_t.__data.__owner, set just after acquiring, cleared just
 * before releasing), and is 0 when the table is unknown (no configure call
 * yet). Async-signal-safe. */
int32_t atomic_emul_lock_owner(int idx);

/* Test helper: acquires the lock guarding addr (a spinlock, or under a
 * locking libatomic the very pthread mutex libatomic would take), sets
 * *holding, then spins INSIDE the unit's text section (so an interrupted PC
 * classifies as ATOMIC_PC_UNIT) until *release becomes non-zero, then
 * releases the lock. Under native and a lock-free libatomic it only spins. This is the "signal lands inside the emulated
 * critical section" situation of #20146, made to last.
 * Signal the holder once *holding is set, not once the lock word shows it:
 * on ARMv5 with libgcc's CAS the lock word is written from inside the
 * out-of-line __sync helper, and a signal sent on seeing it can land there
 * (ATOMIC_PC_OUTLINE) before the holder reaches its loop. */
void atomic_emul_hold_lock_until(const uint64_t *addr, uint32_t *holding, const uint32_t *release);

#endif
