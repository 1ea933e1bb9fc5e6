#define _GNU_SOURCE
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

/* ---- capture ---- */

void capture_init(struct capture *c)
{
	memset(c, 0, sizeof *c);
}

void capture_add(struct capture *c, const char *data, size_t n)
{
	c->total += n;
	if (c->head_len < CAPTURE_HEAD) {
		if (!c->head)
			c->head = xmalloc(CAPTURE_HEAD);
		size_t take = CAPTURE_HEAD - c->head_len;
		if (take > n)
			take = n;
		memcpy(c->head + c->head_len, data, take);
		c->head_len += take;
		data += take;
		n -= take;
	}
	if (!n)
		return;
	if (!c->tail)
		c->tail = xmalloc(CAPTURE_TAIL);
	if (n >= CAPTURE_TAIL) {
		memcpy(c->tail, data + n - CAPTURE_TAIL, CAPTURE_TAIL);
		c->tail_start = 0;
		c->tail_len = CAPTURE_TAIL;
		return;
	}
	while (n) {
		/* Append at the logical end of the ring; once full, each write
		 * overwrites the oldest bytes and moves the start past them. */
		size_t pos = (c->tail_start + c->tail_len) % CAPTURE_TAIL;
		size_t chunk = CAPTURE_TAIL - pos;
		if (chunk > n)
			chunk = n;
		memcpy(c->tail + pos, data, chunk);
		c->tail_len += chunk;
		if (c->tail_len > CAPTURE_TAIL) {
			c->tail_start = (c->tail_start + c->tail_len - CAPTURE_TAIL) % CAPTURE_TAIL;
			c->tail_len = CAPTURE_TAIL;
		}
		data += chunk;
		n -= chunk;
	}
}

uint64_t capture_dropped(const struct capture *c)
{
	return c->total - c->head_len - c->tail_len;
}

char *capture_tail_copy(const struct capture *c, size_t *len)
{
	*len = 0;
	if (!c->tail_len)
		return NULL;
	char *out = xmalloc(c->tail_len + 1);
	size_t first = CAPTURE_TAIL - c->tail_start;
	if (first > c->tail_len)
		first = c->tail_len;
	memcpy(out, c->tail + c->tail_start, first);
	memcpy(out + first, c->tail, c->tail_len - first);
	out[c->tail_len] = 0;
	*len = c->tail_len;
	return out;
}

char *capture_text(const struct capture *c, size_t *len)
{
	struct sbuf b = { 0 };
	sb_add(&b, c->head ? c->head : "", c->head_len);
	uint64_t dropped = capture_dropped(c);
	if (dropped)
		sb_printf(&b, "\n[... %llu bytes dropped ...]\n", (unsigned long long)dropped);
	size_t tl;
	char *tail = capture_tail_copy(c, &tl);
	if (tail)
		sb_add(&b, tail, tl);
	free(tail);
	if (!b.s)
		sb_add(&b, "", 0);
	*len = b.len;
	return b.s;
}

void capture_free(struct capture *c)
{
	free(c->head);
	free(c->tail);
	capture_init(c);
}

/* ---- signals ---- */

static volatile sig_atomic_t interrupt_signal;

static void on_interrupt(int sig)
{
	if (!interrupt_signal)
		interrupt_signal = sig;
}

void spawn_install_signal_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: poll() must wake up */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int spawn_interrupted(void)
{
	return interrupt_signal;
}

/* ---- one process ---- */

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* In the child between fork and exec: only async-signal-safe calls. */
static void child_exec(char *const argv[], int out_w, int err_w, int ex_w, pid_t parent,
		       const char *cwd)
{
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent) /* the runner died before PDEATHSIG was armed */
		_exit(127);
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &dfl, NULL); /* fails harmlessly for KILL/STOP/RT-internal */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int null = open("/dev/null", O_RDONLY);
	if (null >= 0 && null != 0) {
		dup2(null, 0);
		close(null);
	}
	dup2(out_w, 1);
	dup2(err_w, 2);
	struct rlimit nocore = { 0, 0 };
	setrlimit(RLIMIT_CORE, &nocore);
	int e = 0;
	if (cwd && chdir(cwd) < 0)
		e = errno;
	if (!e) {
		execvp(argv[0], argv);
		e = errno;
	}
	ssize_t w = write(ex_w, &e, sizeof e);
	(void)w;
	_exit(127);
}

void proc_start(struct proc *p, char *const argv[], bool merge_output, double timeout_s,
		const char *cwd)
{
	memset(p, 0, sizeof *p);
	p->fd[0] = p->fd[1] = -1;
	capture_init(&p->cap[0]);
	capture_init(&p->cap[1]);
	p->merged = merge_output;
	p->start = ut_now();
	p->deadline = timeout_s > 0 ? p->start + timeout_s : 0;
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, ex[2] = { -1, -1 };
	if (pipe2(out, O_CLOEXEC) < 0 || (!merge_output && pipe2(err, O_CLOEXEC) < 0) ||
	    pipe2(ex, O_CLOEXEC) < 0) {
		p->spawn_errno = errno;
		goto failed;
	}
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		p->spawn_errno = errno;
		goto failed;
	}
	if (pid == 0)
		child_exec(argv, out[1], merge_output ? out[1] : err[1], ex[1], parent, cwd);
	setpgid(pid, pid); /* both sides set it; whichever runs first wins */
	p->pid = pid;
	close_fd(&out[1]);
	close_fd(&err[1]);
	close_fd(&ex[1]);
	int e;
	ssize_t r;
	do
		r = read(ex[0], &e, sizeof e); /* EOF at exec (close-on-exec) */
	while (r < 0 && errno == EINTR);
	close_fd(&ex[0]);
	if (r == (ssize_t)sizeof e) {
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		p->spawn_errno = e;
		goto failed;
	}
	p->fd[0] = out[0];
	p->fd[1] = merge_output ? -1 : err[0];
	for (int i = 0; i < 2; i++)
		if (p->fd[i] >= 0)
			fcntl(p->fd[i], F_SETFL, fcntl(p->fd[i], F_GETFL) | O_NONBLOCK);
	p->state = PROC_RUNNING;
	return;
failed:
	for (int i = 0; i < 2; i++) {
		close_fd(&out[i]);
		close_fd(&err[i]);
		close_fd(&ex[i]);
	}
	p->spawn_failed = true;
	p->end = ut_now();
	p->state = PROC_DONE;
}

void proc_kill(struct proc *p)
{
	if (p->state == PROC_RUNNING && p->pid > 0) {
		kill(-p->pid, SIGKILL);
		kill(p->pid, SIGKILL);
	}
}

void proc_release(struct proc *p)
{
	close_fd(&p->fd[0]);
	close_fd(&p->fd[1]);
	capture_free(&p->cap[0]);
	capture_free(&p->cap[1]);
	p->state = PROC_IDLE;
}

/* Reads what is available on the proc's pipes (bounded per call so one
 * spewing child cannot starve the others). */
static void read_pipes(struct proc *p, const struct pollfd *pf)
{
	char buf[16384];
	for (int i = 0; i < 2; i++) {
		if (p->fd[i] < 0 || !pf[i].revents)
			continue;
		for (int k = 0; k < 16; k++) {
			ssize_t r = read(p->fd[i], buf, sizeof buf);
			if (r > 0) {
				capture_add(&p->cap[i], buf, (size_t)r);
				continue;
			}
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				break;
			close_fd(&p->fd[i]); /* EOF or error */
			break;
		}
	}
}

/* Reaps a RUNNING proc whose leader has exited: kill its group while the
 * zombie still holds the pid, then reap. */
static void check_exit(struct proc *p, double now)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	if (waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid != p->pid)
		return;
	kill(-p->pid, SIGKILL);
	int st;
	while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
		;
	p->wait_status = st;
	p->end = now;
	p->state = PROC_DRAINING;
	p->drain_until = now + DRAIN_GRACE_S;
}

/* One step for a set of procs: poll their pipes up to timeout_ms, read,
 * reap exits, enforce deadlines, finish draining. */
static void pump(struct proc **ps, size_t n, int timeout_ms)
{
	struct pollfd *pf = xcalloc(2 * n + 1, sizeof *pf);
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 2; k++) {
			pf[2 * i + k].fd = ps[i]->state == PROC_IDLE ? -1 : ps[i]->fd[k];
			pf[2 * i + k].events = POLLIN;
		}
	if (poll(pf, (nfds_t)(2 * n), timeout_ms) > 0)
		for (size_t i = 0; i < n; i++)
			read_pipes(ps[i], &pf[2 * i]);
	free(pf);
	double now = ut_now();
	for (size_t i = 0; i < n; i++) {
		struct proc *p = ps[i];
		if (p->state == PROC_RUNNING) {
			check_exit(p, now);
			if (p->state == PROC_RUNNING && p->deadline && now >= p->deadline &&
			    !p->timed_out) {
				p->timed_out = true;
				proc_kill(p);
			}
		}
		if (p->state == PROC_DRAINING &&
		    ((p->fd[0] < 0 && p->fd[1] < 0) || now >= p->drain_until)) {
			close_fd(&p->fd[0]);
			close_fd(&p->fd[1]);
			p->state = PROC_DONE;
		}
	}
}

void proc_run_sync(struct proc *p, char *const argv[], bool merge_output, double timeout_s)
{
	proc_start(p, argv, merge_output, timeout_s, NULL);
	while (p->state != PROC_DONE) {
		if (spawn_interrupted() && p->state == PROC_RUNNING && !p->interrupted) {
			p->interrupted = true;
			proc_kill(p);
		}
		pump(&p, 1, 50);
	}
}

/* ---- pool ---- */

int pool_run(size_t parallel, const struct pool_ops *ops, void *ctx, double status_interval)
{
	if (parallel < 1)
		parallel = 1;
	struct proc *slots = xcalloc(parallel, sizeof *slots);
	struct proc **ptrs = xcalloc(parallel, sizeof *ptrs);
	void **jobs = xcalloc(parallel, sizeof *jobs);
	void **running = xcalloc(parallel, sizeof *running);
	for (size_t i = 0; i < parallel; i++) {
		slots[i].state = PROC_IDLE;
		slots[i].fd[0] = slots[i].fd[1] = -1;
		ptrs[i] = &slots[i];
	}
	double t0 = ut_now(), next_status = t0 + status_interval;
	bool exhausted = false, killed = false;
	for (;;) {
		int sig = spawn_interrupted();
		if (sig && !killed) {
			killed = true;
			for (size_t i = 0; i < parallel; i++)
				if (slots[i].state == PROC_RUNNING) {
					slots[i].interrupted = true;
					proc_kill(&slots[i]);
				}
		}
		bool stopping = sig || exhausted || (ops->stop && ops->stop(ctx));
		for (size_t i = 0; i < parallel && !stopping; i++) {
			if (slots[i].state != PROC_IDLE)
				continue;
			char **argv = NULL;
			bool merge = false;
			double timeout = 0;
			void *job = NULL;
			if (!ops->next(ctx, &argv, &merge, &timeout, &job)) {
				exhausted = true;
				break;
			}
			proc_start(&slots[i], argv, merge, timeout, NULL);
			jobs[i] = job;
			if (slots[i].state == PROC_DONE) { /* could not start */
				ops->done(ctx, job, &slots[i]);
				proc_release(&slots[i]);
			}
			stopping = ops->stop && ops->stop(ctx);
		}
		size_t active = 0;
		for (size_t i = 0; i < parallel; i++)
			if (slots[i].state != PROC_IDLE)
				active++;
		if (!active && (stopping || exhausted))
			break;
		pump(ptrs, parallel, 50);
		for (size_t i = 0; i < parallel; i++)
			if (slots[i].state == PROC_DONE) {
				ops->done(ctx, jobs[i], &slots[i]);
				proc_release(&slots[i]);
				jobs[i] = NULL;
			}
		double now = ut_now();
		if (ops->status && status_interval > 0 && now >= next_status && !spawn_interrupted()) {
			size_t nr = 0;
			for (size_t i = 0; i < parallel; i++)
				if (slots[i].state != PROC_IDLE)
					running[nr++] = jobs[i];
			ops->status(ctx, now - t0, running, nr);
			next_status = now + status_interval;
		}
	}
	free(slots);
	free(ptrs);
	free(jobs);
	free(running);
	return spawn_interrupted();
}
