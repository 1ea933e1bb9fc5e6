/*
 * cpuprof — Go's CPU-profile logger (runtime/cpuprof.go, cpuProfile) with the
 * lock that guards it (prof.signalLock and prof.hz, from proc.go), and a
 * reader modelled on runtime/pprof's profileWriter/addCPUData.
 *
 * The one invariant everything rests on
 * -------------------------------------
 * The log is a profbuf: safe for ONE writer. In signal context every write
 * goes through cpuprof_add (or cpuprof_add_non_go), which spins on
 * signal_lock first; outside signal context the controlling thread writes
 * (start's header record, stop's final flush) only while no handler can write:
 * before hz becomes non-zero, or after stop has set hz to 0 under the lock.
 * Because cpuprof_add re-checks hz UNDER the lock, no add can write after
 * stop has passed that point. cpuprof_add_lost_atomic64 is the exception on
 * purpose: it is Go's pre-fix addLostAtomic64, which writes WITHOUT the lock
 * (golang/go#24991).
 *
 * Records (hdrsize 1, as Go's CPU profile):
 *   header        [3][now][hz]                       tag NULL
 *   sample        [3+n][now][1][stk0..stk(n-1)]      tag from the caller
 *   extra (non-Go)[3+n][0][1][stk...]                tag NULL
 *   lost external [5][0][count][LOST_EXTERNAL][EXTERNAL]
 *   lost atomic   [5][0][count][LOST_ATOMIC64][SYSTEM]
 *   overflow      [4][t][0][count]                   (made by profbuf)
 * where the four sentinel PCs are cpuprof_pc_*(), Go's funcPC(_X)+PCQuantum.
 *
 * Who may touch what
 * ------------------
 *   signal_lock        any thread, CAS only (atomic_emul_cas32/store32)
 *   hz                 written under signal_lock; read anywhere (relaxed)
 *   log, extra,
 *   num_extra,
 *   lost_extra         under signal_lock, or by the controller when no
 *                      handler can write (see above)
 *   lost_atomic        incremented by handlers WITHOUT any lock: "updated
 *                      racily" (Go's own comment); flushed under signal_lock;
 *                      every access is Go's (go_racy.h: one load, one store)
 *   lost_atomic_exact  ours: a 32-bit atomic counter for the exact variant,
 *                      incremented with xadd32, flushed with xchg32
 *   on                 the controlling thread only
 *   set_process_timer  set before the first start; called by the controller
 *                      under signal_lock
 *
 * The rate-change section (Go's setcpuprofilerate)
 * ------------------------------------------------
 * cpuprof_start and cpuprof_stop change hz as Go does: turn profiling off
 * for the calling thread (setThreadCPUProfiler(0); here a thread-local flag,
 * cpuprof_thread_profiling_off), take signal_lock, change hz and call
 * set_process_timer (Go's setProcessCPUProfiler: a setitimer system call
 * under the lock), release, turn the thread's profiling back on. A handler
 * that runs on THAT thread inside the section and calls cpuprof_add spins
 * for ever on the lock its own thread holds (golang/go#25785); Go 1.19's
 * sigprof returns first when the thread's profiling is off, and so does a
 * handler here that checks cpuprof_thread_profiling_off.
 */
#ifndef PROFTORTURE_CPUPROF_H
#define PROFTORTURE_CPUPROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profbuf.h"

#define CPUPROF_MAX_EXTRA 1000   /* Go's extra [1000]uintptr */
#define CPUPROF_MAX_STACK 64     /* Go's maxCPUProfStack */
#define CPUPROF_LOG_WORDS (1 << 17)
#define CPUPROF_LOG_TAGS (1 << 14)

struct cpuprof {
	uint32_t signal_lock;
	int32_t hz;
	struct profbuf *log;
	uintptr_t extra[CPUPROF_MAX_EXTRA];
	int num_extra;
	uint64_t lost_extra;
	uint64_t lost_atomic;
	uint32_t lost_atomic_exact;
	bool on;
	/* Go's setProcessCPUProfiler(hz): called under signal_lock whenever hz
	 * changes (NULL: nothing). Async-signal-safe is not required: the
	 * controller calls it, never a handler. */
	void (*set_process_timer)(int32_t hz);
};

/* --- controlling thread (Go's SetCPUProfileRate) --- */

/* Go's SetCPUProfileRate(hz > 0): a new log of bufwords data words and tags
 * tag slots (0, 0 for Go's sizes), the header record [hz] written BEFORE hz
 * is published, so no sample can precede it. Returns 0, or -1 if profiling is
 * already on or the previous log was not yet released (errno EBUSY), or the
 * log could not be allocated. */
int cpuprof_start(struct cpuprof *p, int hz, size_t bufwords, size_t tags);

/* The same with a log the caller made (profbuf_new(1, ...)), e.g. to choose
 * where its index words lie. cpuprof owns it until cpuprof_detach_log. */
int cpuprof_start_log(struct cpuprof *p, int hz, struct profbuf *log);

/* Go's SetCPUProfileRate(0): hz = 0 under signal_lock, then the final flush
 * of extra/lost counts and close. The reader then drains to eof. */
void cpuprof_stop(struct cpuprof *p);

/* Once the reader has seen eof, forget the log (Go: readProfile sets
 * cpuprof.log = nil) and hand it to the caller, who frees it with
 * profbuf_free when no late writer can reach it any more. */
struct profbuf *cpuprof_detach_log(struct cpuprof *p);

/* Once profiling is stopped and no handler can run any more: the lost-atomic
 * counts (racy and exact) counted after the last flush, which no profile
 * holds, zeroed and handed to the caller (e.g. for an end-of-run ledger). */
uint64_t cpuprof_take_unflushed_lost_atomic(struct cpuprof *p);

/* --- signal context (async-signal-safe) --- */

/* Go's cpuProfile.add: under signal_lock, flush pending extra/lost records,
 * then write the sample [1][stk] with tag. Returns true if the sample was
 * written, false if profiling was off by the time the lock was held. */
bool cpuprof_add(struct cpuprof *p, void *tag, const uintptr_t *stk, size_t n);

/* Go's addNonGo: queue a stack from a thread that cannot write directly. */
void cpuprof_add_non_go(struct cpuprof *p, const uintptr_t *stk, size_t n);

/* Go's pre-fix addLostAtomic64: writes [count][LOST_ATOMIC64][SYSTEM]
 * WITHOUT signal_lock. The bug of golang/go#24991; kept for the variants
 * that reproduce it. */
void cpuprof_add_lost_atomic64(struct cpuprof *p, uint64_t count);

/* The fix: count a sample lost inside an atomic, to be flushed by the next
 * add under the lock. _racy is Go's plain increment; _exact is ours. */
void cpuprof_count_lost_atomic_racy(struct cpuprof *p);
void cpuprof_count_lost_atomic_exact(struct cpuprof *p);

/* True while the calling thread is inside cpuprof_start's or cpuprof_stop's
 * rate-change section (Go: getg().m.profilehz == 0 there). A handler that
 * checks it on its own thread never waits for signal_lock held by itself. */
bool cpuprof_thread_profiling_off(void);

/* Profiling on? A racy fast-path filter, as Go's sigprof reads prof.hz. */
bool cpuprof_enabled(const struct cpuprof *p);

/* Sentinel PCs of the lost-record stacks. */
uintptr_t cpuprof_pc_lost_atomic64(void);
uintptr_t cpuprof_pc_system(void);
uintptr_t cpuprof_pc_lost_external(void);
uintptr_t cpuprof_pc_external(void);

/* --- the reader (Go's profileWriter/addCPUData) --- */

enum cpuprof_record_kind {
	CPUPROF_SAMPLE,
	CPUPROF_OVERFLOW,      /* count 0, one-word stack: stk[0] samples dropped */
	CPUPROF_LOST_ATOMIC,
	CPUPROF_LOST_EXTERNAL,
};

struct cpuprof_record {
	enum cpuprof_record_kind kind;
	uint64_t time;
	uint64_t count; /* for OVERFLOW: the number of dropped records */
	const uint64_t *stk;
	size_t nstk;
	void *tag;
};

/* Go's addCPUData messages, as negative codes disjoint from profbuf's. */
enum cpuprof_error {
	CPUPROF_ERR_TRUNCATED = -20, /* "truncated profile" */
	CPUPROF_ERR_MALFORMED = -21, /* "malformed profile" */
};

struct cpuprof_totals {
	uint64_t records;   /* header excluded */
	uint64_t samples;   /* sum of counts of SAMPLE records */
	uint64_t lost_atomic;
	uint64_t lost_external;
	uint64_t overflow;  /* records dropped, from overflow records */
	uint64_t batches;
};

struct cpuprof_parser {
	bool have_period;
	uint64_t hz;
	struct cpuprof_totals totals;
};

/* Validates one batch as Go's addCPUData does (every length inside the
 * batch, len >= 3, one tag per record, the first record [3][t][hz != 0]),
 * classifies each record and calls visit(arg, &rec) for it; visit returns 0
 * or a negative code of its own to stop. Returns 0 or the first negative
 * code. Never reads outside data[0..ndata) or tags[0..ntags). */
int cpuprof_parse_batch(struct cpuprof_parser *ps, const uint64_t *data, size_t ndata,
			void *const *tags, size_t ntags,
			int (*visit)(void *arg, const struct cpuprof_record *rec), void *arg);

/* "truncated profile", "malformed profile", or profbuf_strerror(code). */
const char *cpuprof_strerror(int code);

#endif
