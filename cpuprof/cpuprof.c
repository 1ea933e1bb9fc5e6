/*
 * cpuprof: Go's cpuProfile in C. Contract and record formats: cpuprof.h.
 *
 * Memory orders. signal_lock is taken with a seq_cst CAS and released with a
 * seq_cst store (atomic_emul_cas32/store32, Go's atomic.Cas/Store): the log
 * writes of one holder happen before the next holder's. hz is published with
 * a release store under the lock and read by handlers with a relaxed load:
 * a stale non-zero read only sends the handler to the lock, where hz is read
 * again under acquire ordering, so staleness is harmless (as in Go). The
 * counters lost_atomic (racy, Go's access pattern pinned by go_racy.h) and
 * lost_atomic_exact (xadd32/xchg32) are described in the header.
 */
#define _GNU_SOURCE
#include "cpuprof.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "atomic_emul.h"
#include "go_racy.h"
#include "testpoint.h"

#if defined(__x86_64__) || defined(__i386__)
#define PC_QUANTUM 1
#else
#define PC_QUANTUM 4
#endif

/* Go's _LostSIGPROFDuringAtomic64, _System, _LostExternalCode and
 * _ExternalCode: functions that exist only so their PCs name a pseudo-frame.
 * noinline and distinct bodies keep their addresses distinct. */
__attribute__((noinline)) static void lost_atomic64_frame(void) { __asm__ volatile("" ::: "memory"); }
__attribute__((noinline)) static void system_frame(void) { __asm__ volatile("nop" ::: "memory"); }
__attribute__((noinline)) static void lost_external_frame(void) { __asm__ volatile("nop\n\tnop" ::: "memory"); }
__attribute__((noinline)) static void external_frame(void) { __asm__ volatile("nop\n\tnop\n\tnop" ::: "memory"); }

uintptr_t cpuprof_pc_lost_atomic64(void) { return (uintptr_t)lost_atomic64_frame + PC_QUANTUM; }
uintptr_t cpuprof_pc_system(void) { return (uintptr_t)system_frame + PC_QUANTUM; }
uintptr_t cpuprof_pc_lost_external(void) { return (uintptr_t)lost_external_frame + PC_QUANTUM; }
uintptr_t cpuprof_pc_external(void) { return (uintptr_t)external_frame + PC_QUANTUM; }

static int64_t nanotime(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* async-signal-safe (POSIX.1-2008) */
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- signal_lock: Go's "simple cas-lock to coordinate with setcpuprofilerate" ---- */

static void lock_signal(struct cpuprof *p)
{
	while (!atomic_emul_cas32(&p->signal_lock, 0, 1)) {
		int saved = errno;
		sched_yield(); /* Go's osyield */
		errno = saved;
	}
}

static void unlock_signal(struct cpuprof *p)
{
	atomic_emul_store32(&p->signal_lock, 0);
}

bool cpuprof_enabled(const struct cpuprof *p)
{
	return __atomic_load_n(&p->hz, __ATOMIC_RELAXED) != 0;
}

/* ---- the flush of queued and lost records (Go's addExtra) ---- */

static void write_lost_record(struct cpuprof *p, uint64_t count, uintptr_t pc0, uintptr_t pc1)
{
	const uint64_t hdr[1] = { count };
	const uintptr_t stk[2] = { pc0, pc1 };
	profbuf_write(p->log, NULL, 0, hdr, 1, stk, 2);
}

/* Caller holds signal_lock, or is the controller with hz already 0. */
static void add_extra(struct cpuprof *p)
{
	static const uint64_t one[1] = { 1 };
	for (int i = 0; i < p->num_extra;) {
		int len = (int)p->extra[i];
		profbuf_write(p->log, NULL, 0, one, 1, &p->extra[i + 1], (size_t)len - 1);
		i += len;
	}
	p->num_extra = 0;

	if (p->lost_extra > 0) {
		write_lost_record(p, p->lost_extra, cpuprof_pc_lost_external(), cpuprof_pc_external());
		p->lost_extra = 0;
	}
	/* Go: if p.lostAtomic > 0 { write(p.lostAtomic); p.lostAtomic = 0 }:
	 * load, flush, store 0. An increment between the load and the store is
	 * lost, as in Go ("updated racily"). */
	uint64_t racy = go_racy_load64(&p->lost_atomic);
	if (racy > 0) {
		write_lost_record(p, racy, cpuprof_pc_lost_atomic64(), cpuprof_pc_system());
		go_racy_store64(&p->lost_atomic, 0);
	}
	uint32_t exact = atomic_emul_xchg32(&p->lost_atomic_exact, 0);
	if (exact > 0)
		write_lost_record(p, exact, cpuprof_pc_lost_atomic64(), cpuprof_pc_system());
}

static bool extra_pending(const struct cpuprof *p)
{
	return p->num_extra > 0 || p->lost_extra > 0 || go_racy_load64(&p->lost_atomic) > 0 ||
	       atomic_emul_load32(&p->lost_atomic_exact) > 0;
}

/* ---- signal side ---- */

bool cpuprof_add(struct cpuprof *p, void *tag, const uintptr_t *stk, size_t n)
{
	bool written = false;
	lock_signal(p);
	TESTPOINT(TESTPOINT_CPUPROF_ADD_LOCKED);
	if (p->hz != 0) { /* under the lock: implies p->log != NULL */
		if (extra_pending(p))
			add_extra(p);
		static const uint64_t one[1] = { 1 };
		if (n > CPUPROF_MAX_STACK)
			n = CPUPROF_MAX_STACK;
		profbuf_write(p->log, tag ? (void *const *)&tag : NULL, nanotime(), one, 1, stk, n);
		written = true;
	}
	unlock_signal(p);
	return written;
}

void cpuprof_add_non_go(struct cpuprof *p, const uintptr_t *stk, size_t n)
{
	lock_signal(p);
	if (n > CPUPROF_MAX_STACK)
		n = CPUPROF_MAX_STACK;
	if (p->num_extra + 1 + (int)n < CPUPROF_MAX_EXTRA) {
		p->extra[p->num_extra] = 1 + n;
		memcpy(&p->extra[p->num_extra + 1], stk, n * sizeof *stk);
		p->num_extra += 1 + (int)n;
	} else {
		p->lost_extra++;
	}
	unlock_signal(p);
}

void cpuprof_add_lost_atomic64(struct cpuprof *p, uint64_t count)
{
	/* No signal_lock: this is the bug. p->log may even be closed already. */
	write_lost_record(p, count, cpuprof_pc_lost_atomic64(), cpuprof_pc_system());
}

void cpuprof_count_lost_atomic_racy(struct cpuprof *p)
{
	go_racy_increment64(&p->lost_atomic); /* "updated racily": load, add, store, as in Go */
}

void cpuprof_count_lost_atomic_exact(struct cpuprof *p)
{
	atomic_emul_xadd32(&p->lost_atomic_exact, 1); /* lock-free on every arch */
}

/* ---- controller ---- */

/* Go's mp.profilehz == 0 on the thread inside setcpuprofilerate. Written
 * and read only by its own thread (the controller, and a handler that
 * interrupts it), so program order is all it needs: a signal fence keeps the
 * compiler from moving the flag's stores across the lock. */
static _Thread_local volatile sig_atomic_t thread_profiling_off;

bool cpuprof_thread_profiling_off(void)
{
	return thread_profiling_off != 0;
}

/* Go's setcpuprofilerate. */
static void set_rate(struct cpuprof *p, int32_t hz)
{
	thread_profiling_off = 1; /* Go: setThreadCPUProfiler(0) */
	atomic_signal_fence(memory_order_seq_cst);
	lock_signal(p);
	TESTPOINT(TESTPOINT_CPUPROF_SET_RATE_LOCKED);
	/* release: a handler that sees hz != 0 under the lock sees the header. */
	__atomic_store_n(&p->hz, hz, __ATOMIC_RELEASE);
	if (p->set_process_timer)
		p->set_process_timer(hz); /* Go: setProcessCPUProfiler(hz), lock held */
	unlock_signal(p);
	atomic_signal_fence(memory_order_seq_cst);
	thread_profiling_off = 0; /* Go: setThreadCPUProfiler(hz) */
}

int cpuprof_start(struct cpuprof *p, int hz, size_t bufwords, size_t tags)
{
	if (hz <= 0 || p->on || p->log) {
		errno = EBUSY;
		return -1;
	}
	struct profbuf *log = profbuf_new(1, bufwords ? bufwords : CPUPROF_LOG_WORDS,
					  tags ? tags : CPUPROF_LOG_TAGS);
	if (!log)
		return -1;
	return cpuprof_start_log(p, hz, log);
}

int cpuprof_start_log(struct cpuprof *p, int hz, struct profbuf *log)
{
	if (hz <= 0 || p->on || p->log || !log || profbuf_hdrsize(log) != 1) {
		errno = hz <= 0 || !log || (log && profbuf_hdrsize(log) != 1) ? EINVAL : EBUSY;
		return -1;
	}
	if (hz > 1000000)
		hz = 1000000;
	p->log = log;
	p->on = true;
	/* The queued stacks and lost counts are NOT reset, as Go never resets
	 * them but by flushing: a handler that saw hz != 0 just before the last
	 * stop may have counted after stop's final flush, and that count belongs
	 * in this profile, not nowhere. */
	const uint64_t hdr[1] = { (uint64_t)hz };
	profbuf_write(p->log, NULL, nanotime(), hdr, 1, NULL, 0);
	set_rate(p, hz);
	return 0;
}

void cpuprof_stop(struct cpuprof *p)
{
	if (!p->on)
		return;
	set_rate(p, 0);
	p->on = false;
	add_extra(p);
	profbuf_close(p->log);
}

uint64_t cpuprof_take_unflushed_lost_atomic(struct cpuprof *p)
{
	uint64_t n = go_racy_load64(&p->lost_atomic) + atomic_emul_xchg32(&p->lost_atomic_exact, 0);
	go_racy_store64(&p->lost_atomic, 0);
	return n;
}

struct profbuf *cpuprof_detach_log(struct cpuprof *p)
{
	struct profbuf *log = p->log;
	__atomic_store_n(&p->log, NULL, __ATOMIC_RELEASE);
	return log;
}

/* ---- reader ---- */

const char *cpuprof_strerror(int code)
{
	switch (code) {
	case CPUPROF_ERR_TRUNCATED: return "truncated profile";
	case CPUPROF_ERR_MALFORMED: return "malformed profile";
	default: return profbuf_strerror(code);
	}
}

static enum cpuprof_record_kind classify(const uint64_t *rec, size_t len)
{
	uint64_t count = rec[2];
	if (count == 0 && len == 4)
		return CPUPROF_OVERFLOW;
	if (len == 5 && rec[1] == 0) {
		if (rec[3] == cpuprof_pc_lost_atomic64() && rec[4] == cpuprof_pc_system())
			return CPUPROF_LOST_ATOMIC;
		if (rec[3] == cpuprof_pc_lost_external() && rec[4] == cpuprof_pc_external())
			return CPUPROF_LOST_EXTERNAL;
	}
	return CPUPROF_SAMPLE;
}

int cpuprof_parse_batch(struct cpuprof_parser *ps, const uint64_t *data, size_t ndata,
			void *const *tags, size_t ntags,
			int (*visit)(void *arg, const struct cpuprof_record *rec), void *arg)
{
	ps->totals.batches++;
	if (!ps->have_period && ndata > 0) {
		if (ndata < 3)
			return CPUPROF_ERR_TRUNCATED;
		if (data[0] != 3 || data[2] == 0)
			return CPUPROF_ERR_MALFORMED;
		ps->hz = data[2];
		ps->have_period = true;
		data += 3;
		ndata -= 3;
		/* The header has a tag slot too (newer Go consumes it; go1.12's
		 * addCPUData did not, which left tags one off). */
		if (ntags < 1)
			return CPUPROF_ERR_MALFORMED;
		tags++;
		ntags--;
	}
	while (ndata > 0) {
		if (ndata < 3 || data[0] > ndata)
			return CPUPROF_ERR_TRUNCATED;
		if (data[0] < 3 || ntags < 1)
			return CPUPROF_ERR_MALFORMED;
		size_t len = (size_t)data[0];
		struct cpuprof_record rec = {
			.kind = classify(data, len),
			.time = data[1],
			.count = data[2],
			.stk = data + 3,
			.nstk = len - 3,
			.tag = tags[0],
		};
		if (rec.kind == CPUPROF_OVERFLOW)
			rec.count = data[3];
		ps->totals.records++;
		switch (rec.kind) {
		case CPUPROF_SAMPLE: ps->totals.samples += rec.count; break;
		case CPUPROF_OVERFLOW: ps->totals.overflow += rec.count; break;
		case CPUPROF_LOST_ATOMIC: ps->totals.lost_atomic += rec.count; break;
		case CPUPROF_LOST_EXTERNAL: ps->totals.lost_external += rec.count; break;
		}
		if (visit) {
			int rc = visit(arg, &rec);
			if (rc < 0)
				return rc;
		}
		data += len;
		ndata -= len;
		tags++;
		ntags--;
	}
	/* Go: len(tags) must equal the number of records. */
	if (ntags != 0)
		return CPUPROF_ERR_MALFORMED;
	return 0;
}
