/*
 * torn: a signal-driven profiler's bug in miniature, built twice: torn_buggy
 * and, with -DTORN_FIXED, torn_fixed (mk/programs.mk). The main thread
 * keeps rewriting a 256-word record, every word the same generation number;
 * a SIGPROF handler (the "profiler") reads the record and counts the times
 * it saw two different generations in it: a record torn by the signal
 * landing mid-write. torn_buggy writes with SIGPROF open; torn_fixed blocks
 * SIGPROF around each write (the fix), so its handler never sees a torn
 * record. The loop's back edge ends a translation block, so qemu-user too
 * can deliver the signal mid-write.
 *
 * Usage: torn MS [HZ [BUSY [block]]]: run for MS milliseconds, with the
 * program's own ITIMER_PROF at HZ (0: no timer; signals come only from
 * outside, e.g. `proftorture stress --signal-rate`, natively or with
 * --signal-anytime: under qemu the cannon's gate opens only while a timer
 * is armed, docs/stress.md "The gate"), BUSY rounds of other
 * work between two writes (0: always writing; more: a rarer failure);
 * "block": SIGPROF blocked for the whole run (a program the cannon cannot
 * reach). It prints "proftorture: signals handled N" (docs/stress.md,
 * "Exposure"), then exits 0, or 1 after "!!! torn record ..." when its
 * handler saw one. Used by tests/harness/check_stress.c and
 * docs/measurements/stress.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define WORDS 256

static volatile unsigned long record[WORDS];
/* Written by the handler only; main reads them once, after SIGPROF is
 * blocked for good. */
static volatile sig_atomic_t handled, torn;

static void on_prof(int sig)
{
	(void)sig;
	int saved = errno;
	handled++;
	unsigned long first = record[0];
	for (int i = 1; i < WORDS; i++)
		if (record[i] != first) {
			torn++;
			break;
		}
	errno = saved;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_record(unsigned long gen)
{
#ifdef TORN_FIXED
	sigset_t prof, old;
	sigemptyset(&prof);
	sigaddset(&prof, SIGPROF);
	sigprocmask(SIG_BLOCK, &prof, &old);
#endif
	for (int i = 0; i < WORDS; i++)
		record[i] = gen;
#ifdef TORN_FIXED
	sigprocmask(SIG_SETMASK, &old, NULL);
#endif
}

int main(int argc, char **argv)
{
	double ms = argc > 1 ? atof(argv[1]) : 300;
	long hz = argc > 2 ? atol(argv[2]) : 1000;
	long busy = argc > 3 ? atol(argv[3]) : 0;
	int block = argc > 4 && strcmp(argv[4], "block") == 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_prof;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGPROF, &sa, NULL);
	sigset_t prof;
	sigemptyset(&prof);
	sigaddset(&prof, SIGPROF);
	if (block)
		sigprocmask(SIG_BLOCK, &prof, NULL);
	if (hz > 0) {
		long us = 1000000 / hz > 0 ? 1000000 / hz : 1;
		struct itimerval it = { { us / 1000000, us % 1000000 }, { us / 1000000, us % 1000000 } };
		setitimer(ITIMER_PROF, &it, NULL);
	}
	double until = now() + ms / 1000;
	volatile unsigned long sink = 0;
	/* the clock every 64 records: the loop is nearly all writing */
	for (unsigned long gen = 1; gen % 64 || now() < until; gen++) {
		write_record(gen);
		for (long k = 0; k < busy; k++)
			sink = sink * 6364136223846793005ul + 1;
	}
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_PROF, &off, NULL);
	sigprocmask(SIG_BLOCK, &prof, NULL);
	printf("proftorture: signals handled %ld\n", (long)handled);
	if (torn) {
		printf("!!! torn record seen by the SIGPROF handler (%ld of %ld signals)\n", (long)torn,
		       (long)handled);
		return 1;
	}
	return 0;
}
