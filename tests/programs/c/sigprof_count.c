/* sigprof_count: the cannon's C test program. Optionally waits (argv[1],
 * milliseconds) before it installs a SIGPROF handler, then burns CPU on
 * argv[2] threads for argv[3] ms and prints how many SIGPROFs its handler
 * saw. Without a handler a SIGPROF kills it (signal 27): an early signal
 * is visible. Used by tests/harness/check_stress.c. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static atomic_ulong handled; /* relaxed: a counter read once at the end */

static void on_prof(int sig)
{
	(void)sig;
	atomic_fetch_add_explicit(&handled, 1, memory_order_relaxed);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double until;

static void *burn(void *arg)
{
	volatile unsigned long x = (unsigned long)arg;
	while (now() < until)
		for (int i = 0; i < 100000; i++)
			x = x * 6364136223846793005ul + 1;
	return NULL;
}

int main(int argc, char **argv)
{
	int wait_ms = argc > 1 ? atoi(argv[1]) : 0;
	int threads = argc > 2 ? atoi(argv[2]) : 2;
	int work_ms = argc > 3 ? atoi(argv[3]) : 500;
	struct timespec w = { wait_ms / 1000, (wait_ms % 1000) * 1000000L };
	nanosleep(&w, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_prof;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGPROF, &sa, NULL);
	until = now() + work_ms / 1000.0;
	pthread_t t[64];
	for (int i = 0; i < threads && i < 64; i++)
		pthread_create(&t[i], NULL, burn, (void *)(unsigned long)i);
	for (int i = 0; i < threads && i < 64; i++)
		pthread_join(t[i], NULL);
	printf("sigprof_count: %lu SIGPROFs handled\n", atomic_load(&handled));
	return 0;
}
