/*
 * sigprof — the body of Go's SIGPROF handler (runtime/proc.go, sigprof) in
 * each of its historical shapes, chosen at run time.
 *
 *   unchecked           before CL 42652: no "PC in atomic" check at all. A
 *                       signal inside an emulated 64-bit atomic writes the
 *                       sample and spins on the lock its own thread holds
 *                       (golang/go#20146).
 *   unlocked-flush      CL 42652 + CL 117057 (go1.12): PC in the atomic
 *                       section -> lostAtomic64Count++ (a plain global) and
 *                       return; otherwise flush that count with
 *                       addLostAtomic64, WITHOUT signalLock, then add(). Two
 *                       writers on a one-writer ring (golang/go#24991).
 *   locked-flush        the fix, CL 184164: the count lives in the profile and
 *                       is flushed by add() under signalLock; still
 *                       incremented racily. The check is Go's: the section
 *                       only, so code outside it that runs while a spinlock
 *                       is held (the ARM kernel-helper page, libgcc's
 *                       out-of-line CAS) is a hole (the golang/go#47505 class).
 *   locked-flush-kuser  the fix plus Go's #47505 check (pc & 0xffff0000 ==
 *                       0xffff0000) and the out-of-line helpers.
 *   exact               ours: the complete check, and the lost count kept in
 *                       a 32-bit atomic, so every signal is counted once.
 *
 * Orthogonal to those: whether the handler returns at once on a thread
 * whose profiling is off (Go 1.19's `mp.profilehz == 0` check), i.e. on the
 * thread inside cpuprof_start's or cpuprof_stop's rate-change section
 * (cpuprof.h), which holds signal_lock. unchecked, unlocked-flush and
 * locked-flush do not (Go before that check: go1.12, go1.14); such a handler
 * there spins for ever on its own thread's lock (golang/go#25785, the
 * rate-change case). locked-flush-kuser (Go 1.19's shape) and exact do.
 *
 * The same variants also drive the plainest C profiler there is,
 * sigprof_count_c11 below: a handler that counts samples in a C11
 * `_Atomic uint64_t` (the libatomic-deadlock case). There only a row's check
 * matters (atomic_pcs); its counting and flushing are Go's and play no part.
 *
 * The variants are one table of operations, struct sigprof_ops below (as
 * rcutorture's struct rcu_torture_ops describes each RCU flavour; see
 * docs/DESIGN.md, "The handler variants"): which PC classes a variant takes
 * for "inside an atomic", how it counts a signal lost there, whether it
 * flushes that count without the lock, and whether the count is exact
 * enough to judge. sigprof_handle is the one handler body every variant
 * runs through; the torture case's judge reads the same table.
 *
 * Contract: sigprof_handle runs in a signal handler with every signal masked,
 * on the interrupted thread. It calls only async-signal-safe code. It calls
 * traceback(arg, pc, stk, max) only once the sample is going to be recorded
 * (Go walks the stack after the check), and returns what became of the signal.
 */
#ifndef PROFTORTURE_SIGPROF_H
#define PROFTORTURE_SIGPROF_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atomic_emul.h"
#include "cpuprof.h"
#include "protocol.h"

/* The variants are protocol.h's PROTOCOL_VARIANTS; their names are there. */
enum sigprof_variant {
	SIGPROF_UNCHECKED = VARIANT_UNCHECKED,
	SIGPROF_UNLOCKED_FLUSH = VARIANT_UNLOCKED_FLUSH,
	SIGPROF_LOCKED_FLUSH = VARIANT_LOCKED_FLUSH,
	SIGPROF_LOCKED_FLUSH_KUSER = VARIANT_LOCKED_FLUSH_KUSER,
	SIGPROF_EXACT = VARIANT_EXACT,
	SIGPROF_NVARIANTS = NVARIANTS
};

/* A set of enum atomic_emul_pc_class values, one bit each. */
#define SIGPROF_PC(cls) (1u << (cls))
/* Go's check: hasPrefix(funcname(pc), "runtime/internal/atomic"), i.e. the
 * unit's own section and nothing it calls. */
#define SIGPROF_PCS_GO_SECTION SIGPROF_PC(ATOMIC_PC_UNIT)
/* The complete check: every class but ordinary code (the section, the ARM
 * kernel-helper page of Go's #47505 check, libgcc's out-of-line helpers). */
#define SIGPROF_PCS_ANY_ATOMIC (~SIGPROF_PC(ATOMIC_PC_ELSEWHERE))

struct sigprof_ops {
	enum sigprof_variant variant;
	/* The PC classes this variant takes for "inside an atomic": a signal
	 * there is counted (count_lost), not recorded. 0: no check at all. */
	unsigned atomic_pcs;
	/* Counts one signal lost inside an atomic, from the handler. NULL
	 * exactly when atomic_pcs is 0. One of: go1.12's global
	 * lostAtomic64Count (racy), the fix's cpuprof lostAtomic (racy), or our
	 * 32-bit atomic (exact). */
	void (*count_lost)(struct cpuprof *p);
	/* go1.12 only: before add, flushes the count WITHOUT signal_lock
	 * (addLostAtomic64, golang/go#24991) and returns what it flushed (0:
	 * nothing was pending). NULL: add flushes the count under the lock. */
	uint64_t (*flush_unlocked)(struct cpuprof *p);
	/* What count_lost counted and no flush wrote, taken once the run is over
	 * and no handler runs any more. */
	uint64_t (*take_unflushed)(struct cpuprof *p);
	/* The lost count is exact: it neither loses an increment nor counts one
	 * twice, so the signals lost in atomics must equal the counts read (plus
	 * what was never flushed). False for Go's racy counters, whose
	 * difference is only reported; and for unchecked, which counts nothing. */
	bool lost_count_exact;
	/* Returns at once on a thread whose profiling is off, the one inside
	 * the rate-change section (cpuprof_thread_profiling_off; Go 1.19's
	 * mp.profilehz check). False: such a signal goes on to cpuprof_add and
	 * waits for its own thread's signal_lock (golang/go#25785). */
	bool checks_thread_profiling;
};

/* The row of v (v must be a valid variant). */
const struct sigprof_ops *sigprof_ops(enum sigprof_variant v);

enum sigprof_fate {
	SIGPROF_IGNORED,     /* profiling off at entry (Go's prof.hz == 0 return), or
			      * off for this thread (checks_thread_profiling) */
	SIGPROF_LOST_ATOMIC, /* PC inside an atomic: counted, not recorded */
	SIGPROF_RECORDED,    /* cpuprof_add wrote the sample */
	SIGPROF_TOO_LATE,    /* add found profiling stopped under the lock */
};

typedef size_t (*sigprof_traceback_fn)(void *arg, uintptr_t pc, uintptr_t *stk, size_t max);

struct sigprof_result {
	enum sigprof_fate fate;
	uint32_t flushed;    /* flush_unlocked only: 1 if this call flushed a count */
	uint64_t flushed_count;
};

/* The handler body. tag goes into the sample's tag slot (Go's &gp.labels). */
struct sigprof_result sigprof_handle(struct cpuprof *p, enum sigprof_variant v, uintptr_t pc,
				     void *tag, sigprof_traceback_fn traceback, void *arg);

/* ---- the C twin: a handler whose counter is C11's own 64-bit atomic ----
 *
 * What a C profiler or crash handler writes: `atomic_fetch_add(&samples, 1)`
 * on an `_Atomic uint64_t`. Where the CPU has no 64-bit atomic instruction
 * (Debian 12's mips, mipsel, powerpc, m68k) gcc makes that a call to
 * libatomic's __atomic_fetch_add_8, which takes the pthread mutex the
 * counter's address hashes to (atomic_emul.h, "libatomic"); a signal that
 * lands while its own thread holds that mutex inside another libatomic call
 * then waits for itself: golang/go#20146 in C. */
struct sigprof_c11_count {
	/* signals counted: C11, a call into libatomic where it locks. Aligned
	 * by hand: on i686 gcc >= 11 aligns an _Atomic 64-bit field to 8 and
	 * notes at every use that older gccs gave it 4; stated, the layout is
	 * the same for both and the note goes. */
	_Alignas(8) _Atomic uint64_t samples;
	uint32_t lost;            /* signals the check skipped: 32-bit, never a lock */
};

/* The handler body of the C twin, under variant v's check: if v takes pc's
 * class (atomic_emul_classify_pc) for "inside an atomic", the signal is
 * skipped and counted in c->lost (SIGPROF_LOST_ATOMIC); otherwise it is
 * counted in c->samples (SIGPROF_RECORDED), which may deadlock (above).
 * unchecked has no check; the Go-style checks see only the unit's section,
 * so they miss a thread inside libatomic (class libatomic: the #47505
 * class); the complete check (locked-flush-kuser, exact) skips it. Runs on
 * the interrupted thread, in its signal handler. */
enum sigprof_fate sigprof_count_c11(struct sigprof_c11_count *c, enum sigprof_variant v,
				    uintptr_t pc);

/* Name <-> variant; parse returns -1 for an unknown name. */
const char *sigprof_variant_name(enum sigprof_variant v);
int sigprof_variant_parse(const char *name);

#endif
