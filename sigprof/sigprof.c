/* sigprof: the handler body in its historical shapes. Contract: sigprof.h. */
#include "sigprof.h"

#include <string.h>
#ifdef HANDLER_SAFETY_NEGATIVE_CONTROL
#include <stdio.h>
#include <stdlib.h>
#endif

#include "atomic_emul.h"

/* Go's `var lostAtomic64Count uint64` (proc.go, go1.12): a plain global,
 * incremented and cleared from every thread's handler without any
 * synchronisation. On 32-bit targets even the increment is two words. */
static uint64_t lost_atomic64_count;

const char *sigprof_variant_name(enum sigprof_variant v)
{
	return (unsigned)v < SIGPROF_NVARIANTS ? protocol_variant_names[v] : "invalid";
}

int sigprof_variant_parse(const char *name)
{
	return protocol_lookup(protocol_variant_names, name);
}

uint64_t sigprof_take_unflushed_lost_atomic64(void)
{
	uint64_t n = lost_atomic64_count;
	lost_atomic64_count = 0;
	return n;
}

/* Is pc somewhere a spinlock may be held, as far as this variant can tell? */
static int pc_in_atomic(enum sigprof_variant v, uintptr_t pc)
{
	enum atomic_emul_pc_class c = atomic_emul_classify_pc(pc);
	switch (v) {
	case SIGPROF_UNCHECKED:
		return 0;
	case SIGPROF_UNLOCKED_FLUSH:
	case SIGPROF_LOCKED_FLUSH:
		return c == ATOMIC_PC_UNIT; /* Go: hasPrefix(funcname, "runtime/internal/atomic") */
	default:
		return c != ATOMIC_PC_ELSEWHERE;
	}
}

struct sigprof_result sigprof_handle(struct cpuprof *p, enum sigprof_variant v, uintptr_t pc,
				     void *tag, sigprof_traceback_fn traceback, void *arg)
{
	struct sigprof_result r = { SIGPROF_IGNORED, 0, 0 };
#ifdef HANDLER_SAFETY_NEGATIVE_CONTROL
	/* Built only by ci/check-handler-safety's self-test, which must fail. */
	printf("sigprof at %p\n", (void *)pc);
	void *volatile leak = malloc(16); /* volatile: the pair must not fold away */
	free(leak);
#endif
	if (!cpuprof_enabled(p))
		return r;

	if (pc_in_atomic(v, pc)) {
		r.fate = SIGPROF_LOST_ATOMIC;
		switch (v) {
		case SIGPROF_UNLOCKED_FLUSH: lost_atomic64_count++; break;
		case SIGPROF_EXACT: cpuprof_count_lost_atomic_exact(p); break;
		default: cpuprof_count_lost_atomic_racy(p); break;
		}
		return r;
	}

	uintptr_t stk[CPUPROF_MAX_STACK];
	size_t n = traceback(arg, pc, stk, CPUPROF_MAX_STACK);

	if (cpuprof_enabled(p)) {
		if (v == SIGPROF_UNLOCKED_FLUSH && lost_atomic64_count > 0) {
			r.flushed = 1;
			r.flushed_count = lost_atomic64_count;
			cpuprof_add_lost_atomic64(p, lost_atomic64_count);
			lost_atomic64_count = 0;
		}
		r.fate = cpuprof_add(p, tag, stk, n) ? SIGPROF_RECORDED : SIGPROF_TOO_LATE;
	} else {
		r.fate = SIGPROF_TOO_LATE;
	}
	return r;
}
