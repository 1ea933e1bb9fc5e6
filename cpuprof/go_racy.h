/*
 * go_racy — Go's deliberately racy uint64 counters, accessed exactly as Go's
 * compiler accesses them: go1.12's global lostAtomic64Count (sigprof/) and
 * the fix's cpuProfile.lostAtomic, "updated racily" (cpuprof/). See
 * docs/DESIGN.md, "Go's racy counters".
 *
 * What Go does. The counters are plain uint64 variables touched from every
 * thread's signal handler without synchronisation. `x++` compiles to one
 * load, an add and one store; `if x > 0 { flush(x); x = 0 }` to one load
 * (both uses of x see the same memory state, so the SSA back end's CSE
 * merges them), the flush, and one store of 0. On 64-bit targets each load
 * or store is one 64-bit access; on 32-bit arm and mips it is two 32-bit
 * accesses, so a concurrent increment can tear as well as be lost.
 *
 * Why volatile. A plain C access leaves the number of loads and stores to the
 * compiler: gcc -O2 folds `x++; x++;` into one load and one store of x + 2
 * (seen on armel, armhf and mips), and may keep x in a register across the
 * flush or load it twice. An access through a volatile lvalue is a side
 * effect that gcc and clang perform as written, exactly once and in program
 * order (C11 5.1.2.3; the rule Linux's READ_ONCE/WRITE_ONCE rely on), with
 * the width of a plain access: one 64-bit access natively, a pair of 32-bit
 * accesses (or one LDRD/STRD, which is not single-copy atomic there) on arm
 * and mips — Go's shape on each target.
 *
 * Why not __atomic_load_n/__atomic_store_n with __ATOMIC_RELAXED. On armel
 * (ARMv5TE) and mips a 64-bit __atomic access is not lock-free: gcc -O2
 * emits a call to libatomic's __atomic_load_8, which serialises through a
 * lock. That would change the semantics (no tearing, fewer lost updates:
 * not Go's counter) and take a lock inside a signal handler, which is
 * neither async-signal-safe nor on ci/async-signal-safe.txt. It would also
 * hide the race from ThreadSanitizer, which ci/check-tsan requires to see.
 *
 * The accesses remain a data race, on purpose and as in Go: ThreadSanitizer
 * treats volatile accesses as ordinary ones and reports it (ci/tsan.supp
 * names these two counters and nothing else of the kind).
 */
#ifndef PROFTORTURE_GO_RACY_H
#define PROFTORTURE_GO_RACY_H

#include <stdint.h>

/* One load of *p, non-atomic (torn on 32-bit targets), never folded away. */
static inline uint64_t go_racy_load64(const uint64_t *p)
{
	return *(const volatile uint64_t *)p;
}

/* One store of v to *p, non-atomic, never folded away. */
static inline void go_racy_store64(uint64_t *p, uint64_t v)
{
	*(volatile uint64_t *)p = v;
}

/* Go's `*p++` on a plain uint64: load, add, store; a concurrent update
 * between the load and the store is lost (or, on 32-bit, half-lost). */
static inline void go_racy_increment64(uint64_t *p)
{
	go_racy_store64(p, go_racy_load64(p) + 1);
}

#endif
