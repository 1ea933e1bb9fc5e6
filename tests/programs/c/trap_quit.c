/* trap_quit: hangs; on SIGQUIT prints a "dump" and exits 2 when argv[1] is
 * "answer", or ignores SIGQUIT when it is "ignore" (as a deadlocked guest
 * under qemu-user may), or when it is "spin", where its main thread and
 * three more loop in sched_yield as the threads of a livelocked Go runtime
 * do. The dump-before-kill test program of tests/harness/check_stress.c. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void on_quit(int sig)
{
	(void)sig;
	static const char dump[] = "trap_quit: dump: worker 1 waits for lock 2\n";
	ssize_t w = write(1, dump, sizeof dump - 1);
	(void)w;
	_exit(2);
}

static void *spin(void *arg)
{
	(void)arg;
	for (;;)
		sched_yield();
	return NULL;
}

int main(int argc, char **argv)
{
	bool spinning = argc > 1 && strcmp(argv[1], "spin") == 0;
	if (spinning || (argc > 1 && strcmp(argv[1], "ignore") == 0))
		signal(SIGQUIT, SIG_IGN);
	else
		signal(SIGQUIT, on_quit);
	for (int i = 0; spinning && i < 3; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, spin, NULL) != 0)
			return 1;
	}
	printf("trap_quit: waiting for ever\n");
	fflush(stdout);
	if (spinning)
		spin(NULL);
	for (;;)
		pause();
}
