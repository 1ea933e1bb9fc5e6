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
 * Contract: sigprof_handle runs in a signal handler with every signal masked,
 * on the interrupted thread. It calls only async-signal-safe code. It calls
 * traceback(arg, pc, stk, max) only once the sample is going to be recorded
 * (Go walks the stack after the check), and returns what became of the signal.
 */
#ifndef PROFTORTURE_SIGPROF_H
#define PROFTORTURE_SIGPROF_H

#include <stddef.h>
#include <stdint.h>

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

enum sigprof_fate {
	SIGPROF_IGNORED,     /* profiling off at entry (Go's prof.hz == 0 return) */
	SIGPROF_LOST_ATOMIC, /* PC inside an atomic: counted, not recorded */
	SIGPROF_RECORDED,    /* cpuprof_add wrote the sample */
	SIGPROF_TOO_LATE,    /* add found profiling stopped under the lock */
};

typedef size_t (*sigprof_traceback_fn)(void *arg, uintptr_t pc, uintptr_t *stk, size_t max);

struct sigprof_result {
	enum sigprof_fate fate;
	uint32_t flushed;    /* unlocked-flush only: 1 if this call ran addLostAtomic64 */
	uint64_t flushed_count;
};

/* The handler body. tag goes into the sample's tag slot (Go's &gp.labels). */
struct sigprof_result sigprof_handle(struct cpuprof *p, enum sigprof_variant v, uintptr_t pc,
				     void *tag, sigprof_traceback_fn traceback, void *arg);

/* Go's global lostAtomic64Count of the unlocked-flush variant: read and
 * reset by the controller when a run ends (whatever was never flushed). */
uint64_t sigprof_take_unflushed_lost_atomic64(void);

/* Name <-> variant; parse returns -1 for an unknown name. */
const char *sigprof_variant_name(enum sigprof_variant v);
int sigprof_variant_parse(const char *name);

#endif
