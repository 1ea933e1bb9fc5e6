/* trap_quit: hangs; on SIGQUIT prints a "dump" and exits 2 when argv[1] is
 * "answer", or ignores SIGQUIT when it is "ignore" (as a deadlocked guest
 * under qemu-user may). The dump-before-kill test program of
 * tests/harness/check_stress.c. */
#define _GNU_SOURCE
#include <signal.h>
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

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "ignore") == 0)
		signal(SIGQUIT, SIG_IGN);
	else
		signal(SIGQUIT, on_quit);
	printf("trap_quit: waiting for ever\n");
	fflush(stdout);
	for (;;)
		pause();
}
