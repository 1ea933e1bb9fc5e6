#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double slowdown(void)
{
	const char *s = getenv("PROFTORTURE_SLOWDOWN");
	double f = s ? atof(s) : 1.0;
	return f >= 1.0 ? f : 1.0;
}

double handler_return_wait(bool expect_stuck)
{
	return expect_stuck ? 0.3 : 0.3 * slowdown();
}

bool wait_for_flag(const uint32_t *flag, double seconds)
{
	double end = now_seconds() + seconds;
	while (__atomic_load_n(flag, __ATOMIC_SEQ_CST) == 0)
		if (now_seconds() > end)
			return false;
	return true;
}

void *shared_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		abort();
	return p;
}

struct child_result run_in_child(void (*fn)(void *), void *arg, double timeout_s)
{
	struct child_result r = { CHILD_EXITED, -1, 0 };
	double start = now_seconds();
	pid_t pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		setpgid(0, 0);
		fn(arg);
		_exit(0);
	}
	setpgid(pid, pid); /* either side may win the race; both set the same */
	for (;;) {
		int st;
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid) {
			r.seconds = now_seconds() - start;
			if (WIFSIGNALED(st)) {
				r.outcome = CHILD_SIGNALED;
				r.code = WTERMSIG(st);
			} else {
				r.outcome = CHILD_EXITED;
				r.code = WEXITSTATUS(st);
			}
			return r;
		}
		if (w < 0 && errno != EINTR)
			abort();
		if (now_seconds() - start > timeout_s) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			r.outcome = CHILD_TIMED_OUT;
			r.code = SIGKILL;
			r.seconds = now_seconds() - start;
			return r;
		}
		struct timespec ms = { 0, 2 * 1000 * 1000 };
		nanosleep(&ms, NULL);
	}
}

void on_signal(int sig, void (*fn)(int, siginfo_t *, void *), int extra_flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | extra_flags;
	sigfillset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}
