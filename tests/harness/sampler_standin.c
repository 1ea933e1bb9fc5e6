/*
 * sampler_standin — a stand-in for examples/sampler-ring's programs in the
 * file kind's tests (check_matrix_file.c): the same contract, with the
 * verdict chosen by the first argument instead of a real bug.
 *
 *   sampler_standin MODE --seconds S [--threads N]
 *
 * It counts the SIGPROFs it handles for S seconds, then prints the
 * exposure line `proftorture: signals handled N` (exposure.h) and
 *   fixed   `sampler-ring: ok, N records verified`, exit 0;
 *   buggy   after at least BUGGY_AFTER signals, `!!! sampler-ring: record
 *           N torn (stand-in)` on stderr and exit 1 (fewer: as fixed);
 *   idle    never sets a SIGPROF action (the cannon never fires at it),
 *           handled 0, exit 0: unexercised under a cannon;
 *   hang    sets its action, then sleeps past any deadline.
 * --threads is accepted and ignored (one thread is enough to be signalled).
 * Bad usage: one line on stderr, exit PROTOCOL_EXIT_USAGE.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "protocol.h"

#define BUGGY_AFTER 50

/* Relaxed: a count read once, after the run, by the thread the handler
 * interrupts; nothing else is ordered by it. */
static atomic_ulong handled;

static void on_sigprof(int sig)
{
	int saved = errno;
	(void)sig;
	atomic_fetch_add_explicit(&handled, 1, memory_order_relaxed);
	errno = saved;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void usage(const char *why)
{
	fprintf(stderr, "sampler_standin: %s (usage: sampler_standin fixed|buggy|idle|hang "
		"--seconds S [--threads N])\n", why);
	exit(PROTOCOL_EXIT_USAGE);
}

int main(int argc, char **argv)
{
	double seconds = -1;
	if (argc < 2)
		usage("no mode");
	const char *mode = argv[1];
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = strtod(argv[++i], NULL);
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			i++;
		else
			usage("unknown argument");
	}
	if (!(seconds >= 0))
		usage("--seconds: want a number of seconds");
	if (strcmp(mode, "fixed") && strcmp(mode, "buggy") && strcmp(mode, "idle") &&
	    strcmp(mode, "hang"))
		usage("mode: want fixed, buggy, idle or hang");
	if (strcmp(mode, "idle") != 0) {
		struct sigaction sa = { .sa_handler = on_sigprof };
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESTART;
		sigaction(SIGPROF, &sa, NULL);
	}
	double end = now() + (strcmp(mode, "hang") == 0 ? 1e6 : seconds);
	while (now() < end) {
		struct timespec nap = { 0, 2000000 };
		nanosleep(&nap, NULL);
	}
	unsigned long n = atomic_load_explicit(&handled, memory_order_relaxed);
	printf("proftorture: signals handled %lu\n", n);
	if (strcmp(mode, "buggy") == 0 && n >= BUGGY_AFTER) {
		fprintf(stderr, "!!! sampler-ring: record %lu torn (stand-in)\n", n / 2);
		return 1;
	}
	printf("sampler-ring: ok, %lu records verified\n", n);
	return 0;
}
