/*
 * Signal sources (docs/DESIGN.md, "Signal sources"):
 *   cannon        a thread tgkill()s the workers round-robin, as fast as it
 *                 can (--rate max) or paced to --rate signals per second in
 *                 total. The fastest, and the only one that counts "sent".
 *                 At most one signal is in flight per worker: it skips a
 *                 worker whose previous signal is not yet handled, or that is
 *                 still in its handler. Without that, signals pile up while a
 *                 (slow, emulated) handler runs, the next one lands right
 *                 after sigreturn, the worker never moves, and thousands of
 *                 samples share one PC: a signal storm that exercises nothing.
 *                 In rate-change main is a target too, and while it is inside
 *                 cpuprof_start/stop the cannon aims at it first: that
 *                 section is what the case is about, and a few microseconds
 *                 long natively.
 *   itimer        setitimer(ITIMER_PROF): process-directed, as Go <= 1.17.
 *                 Only workers have SIGPROF unblocked, so only they get it.
 *   thread-timer  timer_create(CLOCK_THREAD_CPUTIME_ID, SIGEV_THREAD_ID) per
 *                 worker, as Go >= 1.18 (QEMU allows 32 such timers).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "torture.h"

static pthread_t cannon_thread;

static void add_ns(struct timespec *t, long ns)
{
	t->tv_nsec += ns;
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

static void *cannon_main(void *arg)
{
	struct run *r = arg;
	pid_t pid = getpid();
	prctl(PR_SET_TIMERSLACK, 1000UL); /* let 20 us naps be 20 us, not 50+ */
	long period_ns = r->opt.rate > 0 ? 1000000000L / r->opt.rate : 0;
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	uint32_t shot_at[MAX_WORKERS + 1];   /* the handled count when we last fired */
	double shot_time[MAX_WORKERS + 1];
	int ntargets = run_targets(r);
	for (int i = 0; i < ntargets; i++) {
		shot_at[i] = UINT32_MAX;
		shot_time[i] = 0;
	}
	int idle = 0;
	const struct worker *controller =
		ntargets > r->opt.threads ? &r->workers[r->opt.threads] : NULL;
	for (int i = 0; !__atomic_load_n(&r->stop_source, __ATOMIC_RELAXED); i = (i + 1) % ntargets) {
		if (controller && peek(&controller->in_rate_change))
			i = r->opt.threads; /* rate-change: the moment the case is about */
		struct worker *w = &r->workers[i];
		uint32_t handled = peek(&w->handled);
		/* A signal not handled after 50 ms is taken as lost (it can be,
		 * e.g. sent in the instant a worker starts): fire again, or that
		 * worker would never be shot at again. */
		bool waiting = handled == shot_at[i] && run_clock() - shot_time[i] < 0.05;
		if (peek(&w->in_handler) || waiting) {
			if (++idle >= ntargets) {
				/* Nobody ready: sleep a little instead of spinning, so
				 * the workers (on 2 cores, with spinlocks whose holder
				 * must not be preempted) keep the CPUs. */
				struct timespec nap = { 0, 20 * 1000 };
				nanosleep(&nap, NULL);
				idle = 0;
			}
			continue;
		}
		idle = 0;
		shot_at[i] = handled;
		shot_time[i] = run_clock();
		if (syscall(SYS_tgkill, pid, w->tid, SIGPROF) == 0)
			bump(&r->sent);
		if (period_ns) {
			add_ns(&next, period_ns);
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		}
	}
	return NULL;
}

static struct timeval period_tv(long rate)
{
	long us = rate > 0 ? 1000000L / rate : 1; /* max: the shortest the kernel allows */
	if (us < 1)
		us = 1;
	struct timeval tv = { us / 1000000, us % 1000000 };
	return tv;
}

/* One CLOCK_THREAD_CPUTIME_ID timer for worker i, armed: 0, or -1 with why. */
static int start_thread_timer(struct worker *w, int i, long ns, char *why, size_t cap)
{
	clockid_t clock;
	int rc = pthread_getcpuclockid(w->thread, &clock); /* returns the error */
	if (rc != 0) {
		snprintf(why, cap, "pthread_getcpuclockid for worker %d: %s", i, strerror(rc));
		return -1;
	}
	struct sigevent sev;
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGPROF;
	sev._sigev_un._tid = w->tid;
	if (timer_create(clock, &sev, &w->timer) != 0) {
		snprintf(why, cap, "timer_create for worker %d: %s", i, strerror(errno));
		return -1;
	}
	w->has_timer = true;
	struct itimerspec its = { { ns / 1000000000L, ns % 1000000000L },
				  { ns / 1000000000L, ns % 1000000000L } };
	if (timer_settime(w->timer, 0, &its, NULL) != 0) {
		snprintf(why, cap, "timer_settime for worker %d: %s", i, strerror(errno));
		return -1;
	}
	return 0;
}

static int start_cannon(struct run *r, char *why, size_t cap)
{
	int rc = pthread_create(&cannon_thread, NULL, cannon_main, r); /* returns the error */
	if (rc != 0) {
		snprintf(why, cap, "cannot start the cannon thread: %s", strerror(rc));
		return -1;
	}
	return 0;
}

int source_start(struct run *r, char *why, size_t cap)
{
	long ns = r->opt.rate > 0 ? 1000000000L / r->opt.rate : 10000; /* max: 100 kHz per thread */
	switch (r->opt.source) {
	case SOURCE_CANNON:
		return start_cannon(r, why, cap);
	case SOURCE_ITIMER: {
		struct itimerval it = { period_tv(r->opt.rate), period_tv(r->opt.rate) };
		if (setitimer(ITIMER_PROF, &it, NULL) != 0) {
			snprintf(why, cap, "setitimer(ITIMER_PROF): %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	case SOURCE_THREAD_TIMER:
		for (int i = 0; i < r->opt.threads; i++)
			if (start_thread_timer(&r->workers[i], i, ns, why, cap) != 0)
				return -1;
		return 0;
	default:
		snprintf(why, cap, "source %d is not one this program knows", (int)r->opt.source);
		return -1;
	}
}

void source_stop(struct run *r)
{
	__atomic_store_n(&r->stop_source, 1, __ATOMIC_RELAXED);
	switch (r->opt.source) {
	case SOURCE_CANNON:
		pthread_join(cannon_thread, NULL);
		break;
	case SOURCE_ITIMER: {
		struct itimerval off;
		memset(&off, 0, sizeof off);
		setitimer(ITIMER_PROF, &off, NULL);
		break;
	}
	case SOURCE_THREAD_TIMER:
		for (int i = 0; i < r->opt.threads; i++)
			if (r->workers[i].has_timer)
				timer_delete(r->workers[i].timer);
		break;
	default:
		break;
	}
}
