/* sigprof: the handler body in its historical shapes. Contract: sigprof.h. */
#include "sigprof.h"

#ifdef HANDLER_SAFETY_NEGATIVE_CONTROL
#include <stdio.h>
#include <stdlib.h>
#endif

#include "go_racy.h"

/* ---- go1.12's lost count: a plain global, flushed without the lock ---- */

/* Go's `var lostAtomic64Count uint64` (proc.go, go1.12): incremented and
 * cleared from every thread's handler without any synchronisation. Every
 * access is Go's: one load, one store each (go_racy.h). */
static uint64_t lost_atomic64_count;

static void count_lost_go_global(struct cpuprof *p)
{
	(void)p;
	go_racy_increment64(&lost_atomic64_count); /* Go: lostAtomic64Count++ */
}

/* Go: if lostAtomic64Count > 0 { cpuprof.addLostAtomic64(lostAtomic64Count);
 * lostAtomic64Count = 0 } — one load (Go's SSA merges the two reads), the
 * unlocked write into the log, one store of 0. Another handler can flush the
 * same count meanwhile (two writers on the ring: the bug), and an increment
 * between the load and the store is lost. */
static uint64_t flush_unlocked_go_global(struct cpuprof *p)
{
	uint64_t n = go_racy_load64(&lost_atomic64_count);
	if (n > 0) {
		cpuprof_add_lost_atomic64(p, n);
		go_racy_store64(&lost_atomic64_count, 0);
	}
	return n;
}

static uint64_t take_unflushed_go_global(struct cpuprof *p)
{
	(void)p;
	uint64_t n = go_racy_load64(&lost_atomic64_count);
	go_racy_store64(&lost_atomic64_count, 0);
	return n;
}

/* ---- the variants ---- */

static const struct sigprof_ops variants[SIGPROF_NVARIANTS] = {
	[SIGPROF_UNCHECKED] = {
		.variant = SIGPROF_UNCHECKED,
		.atomic_pcs = 0, /* before CL 42652: no check */
		.count_lost = NULL,
		.flush_unlocked = NULL,
		.take_unflushed = cpuprof_take_unflushed_lost_atomic,
		.lost_count_exact = false,
		.checks_thread_profiling = false,
	},
	[SIGPROF_UNLOCKED_FLUSH] = {
		.variant = SIGPROF_UNLOCKED_FLUSH,
		.atomic_pcs = SIGPROF_PCS_GO_SECTION,
		.count_lost = count_lost_go_global,
		.flush_unlocked = flush_unlocked_go_global,
		.take_unflushed = take_unflushed_go_global,
		.lost_count_exact = false,
		.checks_thread_profiling = false,
	},
	[SIGPROF_LOCKED_FLUSH] = {
		.variant = SIGPROF_LOCKED_FLUSH,
		.atomic_pcs = SIGPROF_PCS_GO_SECTION,
		.count_lost = cpuprof_count_lost_atomic_racy,
		.flush_unlocked = NULL,
		.take_unflushed = cpuprof_take_unflushed_lost_atomic,
		.lost_count_exact = false,
		.checks_thread_profiling = false,
	},
	[SIGPROF_LOCKED_FLUSH_KUSER] = {
		.variant = SIGPROF_LOCKED_FLUSH_KUSER,
		.atomic_pcs = SIGPROF_PCS_ANY_ATOMIC,
		.count_lost = cpuprof_count_lost_atomic_racy,
		.flush_unlocked = NULL,
		.take_unflushed = cpuprof_take_unflushed_lost_atomic,
		.lost_count_exact = false,
		.checks_thread_profiling = true,
	},
	[SIGPROF_EXACT] = {
		.variant = SIGPROF_EXACT,
		.atomic_pcs = SIGPROF_PCS_ANY_ATOMIC,
		.count_lost = cpuprof_count_lost_atomic_exact,
		.flush_unlocked = NULL,
		.take_unflushed = cpuprof_take_unflushed_lost_atomic,
		.lost_count_exact = true,
		.checks_thread_profiling = true,
	},
};

const struct sigprof_ops *sigprof_ops(enum sigprof_variant v)
{
	return &variants[v];
}

const char *sigprof_variant_name(enum sigprof_variant v)
{
	return (unsigned)v < SIGPROF_NVARIANTS ? protocol_variant_names[v] : "invalid";
}

int sigprof_variant_parse(const char *name)
{
	return protocol_lookup(protocol_variant_names, name);
}

/* ---- the handler body ---- */

struct sigprof_result sigprof_handle(struct cpuprof *p, enum sigprof_variant v, uintptr_t pc,
				     void *tag, sigprof_traceback_fn traceback, void *arg)
{
	const struct sigprof_ops *ops = &variants[v];
	struct sigprof_result r = { SIGPROF_IGNORED, 0, 0 };
#ifdef HANDLER_SAFETY_NEGATIVE_CONTROL
	/* Built only by ci/check-handler-safety's self-test, which must fail. */
	printf("sigprof at %p\n", (void *)pc);
	void *volatile leak = malloc(16); /* volatile: the pair must not fold away */
	free(leak);
#endif
	if (!cpuprof_enabled(p))
		return r;
	/* Go 1.19: "If mp.profilehz is 0, then profiling is not enabled for this
	 * thread. We must check this to avoid a deadlock between
	 * setcpuprofilerate and the call to cpuprof.add". */
	if (ops->checks_thread_profiling && cpuprof_thread_profiling_off())
		return r;

	if (ops->atomic_pcs & SIGPROF_PC(atomic_emul_classify_pc(pc))) {
		ops->count_lost(p);
		r.fate = SIGPROF_LOST_ATOMIC;
		return r;
	}

	uintptr_t stk[CPUPROF_MAX_STACK];
	size_t n = traceback(arg, pc, stk, CPUPROF_MAX_STACK);

	if (!cpuprof_enabled(p)) {
		r.fate = SIGPROF_TOO_LATE;
		return r;
	}
	if (ops->flush_unlocked) {
		r.flushed_count = ops->flush_unlocked(p);
		r.flushed = r.flushed_count > 0;
	}
	r.fate = cpuprof_add(p, tag, stk, n) ? SIGPROF_RECORDED : SIGPROF_TOO_LATE;
	return r;
}

/* ---- the C twin (sigprof.h) ---- */

enum sigprof_fate sigprof_count_c11(struct sigprof_c11_count *c, enum sigprof_variant v,
				    uintptr_t pc)
{
	if (variants[v].atomic_pcs & SIGPROF_PC(atomic_emul_classify_pc(pc))) {
		atomic_emul_xadd32(&c->lost, 1); /* lock-free on every arch */
		return SIGPROF_LOST_ATOMIC;
	}
	/* Plain C11, as a C profiler writes it. Where libatomic locks this calls
	 * __atomic_fetch_add_8 (ci/async-signal-safe.txt), which takes one of
	 * libatomic's pthread mutexes, WHILE THE INTERRUPTED THREAD MAY HOLD IT:
	 * inside a libatomic call on a word of the same 64-byte granule modulo
	 * 4096 that this variant's check did not see (unchecked sees nothing,
	 * Go's check only the unit's section). Then this waits for its own
	 * thread for ever; that is the libatomic-deadlock case. Only the
	 * complete check makes the call safe here. seq_cst: C's default, what
	 * such a handler writes; main reads the total once every handler is done. */
	atomic_fetch_add(&c->samples, 1);
	return SIGPROF_RECORDED;
}
