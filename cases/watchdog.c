/*
 * The in-process watchdog: a deadlock is progress that stopped.
 *
 * Every worker's progress (loop iterations + signals handled) must advance
 * within --watchdog seconds until it is asked to stop, and so must the main
 * thread's (it notes progress while it waits, and after each join). When one
 * stalls, the watchdog writes a per-thread dump to stderr, the result line
 * (outcome deadlock) to stdout, and _exits 3.
 *
 * It must work while every other thread spins on the global spinlock: it
 * uses no emulated 64-bit atomic, takes no lock, allocates nothing, and
 * writes with write(2). snprintf into a stack buffer is the only libc
 * formatting it does (no locks, no allocation for these conversions).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stress.h"

static uint32_t main_progress;

void watchdog_progress_note(void)
{
	bump(&main_progress);
}

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

static void dump(struct run *r, const char *who, double stalled)
{
	char line[256];
	int n = snprintf(line, sizeof line,
			 "stress: DEADLOCK !!! %s made no progress for %.1f s (watchdog %.1f s)\n",
			 who, stalled, r->opt.watchdog);
	say(line, (size_t)n);
	int nlocks = atomic_emul_lock_count();
	for (int i = 0; i < r->opt.threads; i++) {
		struct worker *w = &r->workers[i];
		int held = -1;
		for (int l = 0; l < nlocks; l++)
			if (atomic_emul_lock_owner(l) == (int32_t)w->tid)
				held = l;
		n = snprintf(line, sizeof line,
			     "  worker %d tid %d: in_handler %u, holds spinlock %d, last pc %#lx (%s), "
			     "iterations %u, handled %u, in_atomic %u\n",
			     i, (int)w->tid, peek(&w->in_handler), held, (unsigned long)w->last_pc,
			     atomic_emul_pc_class_name((enum atomic_emul_pc_class)peek(&w->last_pc_class)),
			     peek(&w->iterations), peek(&w->handled), peek(&w->in_atomic));
		say(line, (size_t)n);
	}
	for (int l = 0; l < nlocks; l++) {
		int32_t owner = atomic_emul_lock_owner(l);
		if (owner) {
			n = snprintf(line, sizeof line, "  spinlock %d held by tid %d\n", l, (int)owner);
			say(line, (size_t)n);
		}
	}
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
		struct timespec tick = { 0, 20 * 1000 * 1000 };
		nanosleep(&tick, NULL);
		now = run_clock();
		for (int i = 0; i <= r->opt.threads; i++) {
			bool is_main = i == r->opt.threads;
			uint32_t p;
			if (is_main)
				p = peek(&main_progress);
			else if (peek(&r->workers[i].exited))
				continue; /* a finished worker has no progress to make */
			else
				p = peek(&r->workers[i].iterations) + peek(&r->workers[i].handled);
			if (p != last[i]) {
				last[i] = p;
				since[i] = now;
			} else if (now - since[i] > r->opt.watchdog) {
				char who[32];
				if (is_main)
					snprintf(who, sizeof who, "the main thread");
				else
					snprintf(who, sizeof who, "worker %d", i);
				dump(r, who, now - since[i]);
				if (!__atomic_load_n(&r->failed, __ATOMIC_ACQUIRE)) {
					r->first_failure = since[i];
					snprintf(r->detail, sizeof r->detail,
						 "deadlock: %s made no progress for %.1f s", who, now - since[i]);
					__atomic_store_n(&r->failed, 1, __ATOMIC_RELEASE);
				}
				print_result_line(r, OUT_DEADLOCK, 1);
				_exit(outcome_exit_status(OUT_DEADLOCK));
			}
		}
	}
	return NULL;
}

int watchdog_start(struct run *r)
{
	pthread_t t;
	return pthread_create(&t, NULL, watchdog_main, r) == 0 ? 0 : -1;
}
