/* timer_phases: the gated cannon's test program (tests/harness/check_stress.c,
 * docs/stress.md "The gate"). With a SIGPROF handler installed it runs three
 * phases of argv[2] ms each (default 300) on two threads, main and helper,
 * both burning CPU:
 *   before  no profiling timer armed
 *   armed   argv[1] = "itimer": setitimer(ITIMER_PROF) armed (process-wide);
 *           "thread": a timer_create(SIGEV_THREAD_ID) timer of main's armed;
 *           "none": nothing armed in any phase
 *   after   the timer disarmed again (setitimer to zero / timer_delete)
 * Every timer is armed with a 10-s period, so the kernel itself sends
 * nothing in a test's lifetime: each SIGPROF counted came from outside.
 * Prints the signals each thread's handler saw per phase, then the
 * exposure line. With argv[3] = "gated" it also checks what a gated cannon
 * promises (cannon.h "Gate") and exits 1 when it does not hold: nothing
 * before, something while armed, at most EDGE after the disarm (a signal
 * sent just before it may reach the other thread a moment after main has
 * moved on), and in "thread" mode nothing ever at the helper. Under
 * --signal-anytime the same check fails: the negative control. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

enum { BEFORE, ARMED, AFTER, PHASES };
static const char *const phase_names[PHASES] = { "before", "armed", "after" };

/* Relaxed: the phase is a label for counting, read by the handler; the
 * counters are read once at the end, after the joins. */
static atomic_int phase;
static atomic_ulong seen[2][PHASES]; /* [0] main, [1] helper */
static _Thread_local int who;         /* 0 main, 1 helper */
static atomic_bool stop;

#define EDGE 2

static void on_prof(int sig)
{
	(void)sig;
	atomic_fetch_add_explicit(&seen[who][atomic_load_explicit(&phase, memory_order_relaxed)], 1,
				  memory_order_relaxed);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void burn_for(double s)
{
	double until = now() + s;
	volatile unsigned long x = 1;
	while (now() < until)
		for (int i = 0; i < 10000; i++)
			x = x * 6364136223846793005ul + 1;
}

static void *helper(void *arg)
{
	(void)arg;
	who = 1;
	while (!atomic_load(&stop))
		burn_for(0.01);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "itimer";
	double phase_s = (argc > 2 ? atoi(argv[2]) : 300) / 1000.0;
	if (strcmp(mode, "itimer") && strcmp(mode, "thread") && strcmp(mode, "none")) {
		fprintf(stderr, "usage: timer_phases [itimer|thread|none] [PHASE_MS]\n");
		return 2;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_prof;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGPROF, &sa, NULL);
	pthread_t h;
	pthread_create(&h, NULL, helper, NULL);

	burn_for(phase_s);

	/* ARMED from just before the arming call: a signal the call lets in
	 * may arrive as it returns. */
	atomic_store_explicit(&phase, ARMED, memory_order_relaxed);
	struct itimerval it = { { 10, 0 }, { 10, 0 } }, zero = { { 0, 0 }, { 0, 0 } };
	timer_t t;
	if (!strcmp(mode, "itimer"))
		setitimer(ITIMER_PROF, &it, NULL);
	if (!strcmp(mode, "thread")) {
		struct sigevent ev;
		memset(&ev, 0, sizeof ev);
		ev.sigev_notify = SIGEV_THREAD_ID;
		ev.sigev_signo = SIGPROF;
		ev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
		struct itimerspec ts = { { 10, 0 }, { 10, 0 } };
		if (timer_create(CLOCK_THREAD_CPUTIME_ID, &ev, &t) != 0 ||
		    timer_settime(t, 0, &ts, NULL) != 0) {
			perror("timer_phases: timer_create/timer_settime");
			return 1;
		}
	}
	burn_for(phase_s);

	if (!strcmp(mode, "itimer"))
		setitimer(ITIMER_PROF, &zero, NULL);
	if (!strcmp(mode, "thread"))
		timer_delete(t);
	/* AFTER once the disarming call has returned: a signal sent before it
	 * may be delivered as it returns (timergate_file.h "The edge"). */
	atomic_store_explicit(&phase, AFTER, memory_order_relaxed);
	burn_for(phase_s);

	atomic_store(&stop, true);
	pthread_join(h, NULL);
	unsigned long total = 0;
	for (int w = 0; w < 2; w++) {
		printf("timer_phases: %s", w ? "helper" : "main");
		for (int p = 0; p < PHASES; p++) {
			printf(" %s %lu", phase_names[p], atomic_load(&seen[w][p]));
			total += atomic_load(&seen[w][p]);
		}
		printf("\n");
	}
	printf("proftorture: signals handled %lu\n", total);
	if (argc > 3 && !strcmp(argv[3], "gated")) {
		unsigned long before = seen[0][BEFORE] + seen[1][BEFORE];
		unsigned long armed = seen[0][ARMED] + seen[1][ARMED];
		unsigned long after = seen[0][AFTER] + seen[1][AFTER];
		unsigned long helper = seen[1][BEFORE] + seen[1][ARMED] + seen[1][AFTER];
		const char *bad = before ? "signals before any timer was armed"
				  : after > EDGE ? "signals after the timer was disarmed"
				  : !strcmp(mode, "thread") && helper ? "signals at a thread without a timer"
				  : !strcmp(mode, "none") || armed ? NULL
								   : "no signal while the timer was armed";
		if (bad) {
			printf("timer_phases: GATE BROKEN: %s\n", bad);
			return 1;
		}
	}
	return 0;
}
