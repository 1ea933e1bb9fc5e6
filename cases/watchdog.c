/*
 * The in-process watchdog: a deadlock is progress that stopped.
 *
 * Every worker's progress (loop iterations + signals handled) must advance
 * within --watchdog seconds until it is asked to stop, and so must the main
 * thread's (it notes progress while it waits, and after each join). When one
 * stalls, the watchdog claims the result line, writes a per-thread dump to
 * stderr and the result line (outcome deadlock) to stdout, and _exits with
 * deadlock's status. If main claimed the line first, the run is ending and
 * the watchdog stops watching.
 *
 * It must work while every other thread spins on the global spinlock: it
 * uses no emulated 64-bit atomic, takes no lock, allocates nothing, writes
 * with write(2), and waits for nothing without a bound: the first failure
 * goes through run.c's claim (a CAS, never a wait); if another thread
 * claimed it first, the watchdog waits at most FAILURE_WAIT_S for its text.
 * snprintf into stack buffers is the only libc formatting it does (no
 * locks, no allocation for these conversions).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "torture.h"

/* A claimer writes the failure's text with one vsnprintf: a bound far above
 * that, still short next to any --watchdog. */
#define FAILURE_WAIT_S 0.5

static void say(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t k = write(2, s, n);
		if (k <= 0)
			return;
		s += k;
		n -= (size_t)k;
	}
}

/* What the strategy's locks are: libatomic's are pthread mutexes. */
static const char *lock_name(void)
{
	return atomic_emul_current().strategy == ATOMIC_EMUL_LIBATOMIC ? "libatomic lock" : "spinlock";
}

static void say_line(const char *line, int n, size_t cap)
{
	say(line, (size_t)n < cap ? (size_t)n : cap - 1);
}

/* libatomic-deadlock: a handler in sigprof_count_c11 that stalls is in its
 * C11 counter's libatomic call, waiting for the counter's lock (its index
 * comes from the address alone: no access, no lock), which is held, or it
 * would not wait. By whom, glibc says once it has recorded the owner: just
 * after taking the mutex, and qemu often delivers a signal in between (the
 * interrupted pc is then in pthread_mutex_lock, past its compare-and-swap). */
static void dump_c11_wait(const struct run *r, const struct worker *w, int i)
{
	if (r->opt.kase != CASE_LIBATOMIC_DEADLOCK || !peek(&w->in_handler) ||
	    !peek(&w->in_c11_count))
		return;
	char line[320], holder[128];
	int lock = atomic_emul_lock_index((const uint64_t *)&r->c11.samples);
	int32_t owner = atomic_emul_lock_owner(lock);
	if (owner == (int32_t)w->tid)
		snprintf(holder, sizeof holder, "which its own thread holds: a self-deadlock");
	else if (owner)
		snprintf(holder, sizeof holder, "held by tid %d", (int)owner);
	else
		snprintf(holder, sizeof holder, "held, owner unrecorded (glibc writes it just "
						"after locking, clears it just before unlocking)");
	int n = snprintf(line, sizeof line,
			 "  worker %d's handler waits in atomic_fetch_add on its _Atomic uint64_t "
			 "counter for %s %d, %s\n",
			 i, lock_name(), lock, holder);
	say_line(line, n, sizeof line);
}

static void dump_worker(const struct run *r, const struct worker *w, int i, int nlocks)
{
	char line[256];
	int held = -1;
	for (int l = 0; l < nlocks; l++)
		if (atomic_emul_lock_owner(l) == (int32_t)w->tid)
			held = l;
	int n = snprintf(line, sizeof line,
			 "  worker %d tid %d: in_handler %u, holds %s %d, last pc %#lx (%s), "
			 "iterations %u, handled %u, in_atomic %u\n",
			 i, (int)w->tid, peek(&w->in_handler), lock_name(), held, (unsigned long)w->last_pc,
			 atomic_emul_pc_class_name((enum atomic_emul_pc_class)peek(&w->last_pc_class)),
			 peek(&w->iterations), peek(&w->handled), peek(&w->in_atomic));
	say_line(line, n, sizeof line);
	dump_c11_wait(r, w, i);
}

/* rate-change: main, the controller, as a SIGPROF target. A handler of
 * main's that stalls while main is inside cpuprof_start/stop with
 * signal_lock taken waits for a lock its own thread holds (golang/go#25785).
 * signal_lock is a 32-bit word: a plain atomic load everywhere. */
static void dump_controller(const struct run *r)
{
	if (r->opt.kase != CASE_RATE_CHANGE)
		return;
	const struct worker *w = &r->workers[r->opt.threads];
	char line[320];
	uint32_t in_handler = peek(&w->in_handler), in_section = peek(&w->in_rate_change);
	uint32_t lock = __atomic_load_n(&r->prof.signal_lock, __ATOMIC_RELAXED);
	int n = snprintf(line, sizeof line,
			 "  main (the controller) tid %d: in_handler %u, in cpuprof_start/stop %u, "
			 "signal_lock %u, handled %u, ignored %u\n",
			 (int)w->tid, in_handler, in_section, lock, peek(&w->handled), peek(&w->ignored));
	say_line(line, n, sizeof line);
	if (in_handler && in_section && lock) {
		n = snprintf(line, sizeof line,
			     "  main's handler waits for signal_lock, which main took in the "
			     "rate-change section it interrupted: a self-deadlock\n");
		say_line(line, n, sizeof line);
	}
}

static void dump(const struct run *r, const char *who, double stalled)
{
	char line[256];
	int n = snprintf(line, sizeof line,
			 "torture: DEADLOCK !!! %s made no progress for %.1f s (watchdog %.1f s)\n",
			 who, stalled, r->opt.watchdog);
	say_line(line, n, sizeof line);
	int nlocks = atomic_emul_lock_count();
	for (int i = 0; i < r->opt.threads; i++)
		dump_worker(r, &r->workers[i], i, nlocks);
	dump_controller(r);
	for (int l = 0; l < nlocks; l++) {
		int32_t owner = atomic_emul_lock_owner(l);
		if (owner) {
			n = snprintf(line, sizeof line, "  %s %d held by tid %d\n", lock_name(), l,
				     (int)owner);
			say_line(line, n, sizeof line);
		}
	}
}

/* Thread i stalled since `since`: report the deadlock and end the process,
 * unless main has claimed the result line already (then return). */
static void report_deadlock(struct run *r, int i, double since)
{
	if (!run_claim_report(r))
		return;
	double now = run_clock();
	char who[32];
	if (i == r->opt.threads)
		snprintf(who, sizeof who, "the main thread");
	else
		snprintf(who, sizeof who, "worker %d", i);
	dump(r, who, now - since);

	struct verdict v = { .outcome = OUT_DEADLOCK, .first_failure = since };
	snprintf(v.detail, sizeof v.detail, "%s: %s made no progress for %.1f s",
		 outcome_name(OUT_DEADLOCK), who, now - since);
	if (!run_fail(r, since, "%s", v.detail)) {
		/* An earlier failure (e.g. a corruption) is the first one. */
		const struct first_failure *f = run_failure_wait(r, FAILURE_WAIT_S);
		if (f) {
			v.first_failure = f->when;
			snprintf(v.detail, sizeof v.detail, "%s", f->detail);
		}
	}
	result_line_write(r, &v, 1);
	_exit(outcome_exit_status(OUT_DEADLOCK));
}

/* Progress of thread i (a worker, or main for i == threads); false for a
 * worker that has finished and has none to make. */
static bool progress_of(const struct run *r, int i, uint32_t *p)
{
	if (i == r->opt.threads) {
		*p = run_main_progress(r);
		return true;
	}
	const struct worker *w = &r->workers[i];
	if (peek(&w->exited))
		return false;
	*p = peek(&w->iterations) + peek(&w->handled);
	return true;
}

/* A stall is measured only in time the watchdog itself ran. A tick that
 * comes back much later than it asked means the process was not running (a
 * machine loaded far past its cores, a SIGSTOP, a debugger): nothing could
 * progress then, deadlocked or not, so every stall clock moves forward by
 * the lost time instead of charging it to the threads. A real deadlock
 * keeps the watchdog running (it spins on nothing and takes no lock), so
 * its ticks stay on time and its stall still reaches --watchdog. */
#define WATCHDOG_TICK_S 0.02
#define WATCHDOG_LATE_S 0.25

static void forgive_lost_time(double *since, int n, double gap)
{
	for (int i = 0; i < n; i++)
		since[i] += gap;
}

static void *watchdog_main(void *arg)
{
	struct run *r = arg;
	uint32_t last[MAX_WORKERS + 1];
	double since[MAX_WORKERS + 1];
	double now = run_clock();
	for (int i = 0; i <= MAX_WORKERS; i++) {
		last[i] = UINT32_MAX;
		since[i] = now;
	}
	for (;;) {
		struct timespec tick = { 0, (long)(WATCHDOG_TICK_S * 1e9) };
		double before = now;
		nanosleep(&tick, NULL);
		now = run_clock();
		if (now - before - WATCHDOG_TICK_S > WATCHDOG_LATE_S)
			forgive_lost_time(since, MAX_WORKERS + 1, now - before - WATCHDOG_TICK_S);
		for (int i = 0; i <= r->opt.threads; i++) {
			uint32_t p;
			if (!progress_of(r, i, &p))
				continue;
			if (p != last[i]) {
				last[i] = p;
				since[i] = now;
			} else if (now - since[i] > r->opt.watchdog) {
				report_deadlock(r, i, since[i]);
				return NULL; /* main is reporting */
			}
		}
	}
}

int watchdog_start(struct run *r, char *why, size_t cap)
{
	pthread_t t;
	int rc = pthread_create(&t, NULL, watchdog_main, r);
	if (rc != 0) {
		snprintf(why, cap, "cannot start the watchdog thread: %s", strerror(rc));
		return -1;
	}
	pthread_detach(t);
	return 0;
}
