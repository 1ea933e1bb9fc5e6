#define _GNU_SOURCE
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
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

/* What capture_text puts where bytes were dropped; its length (0: none). */
static size_t drop_marker(const struct capture *c, char *buf, size_t cap)
{
	uint64_t dropped = capture_dropped(c);
	if (!dropped)
		return 0;
	int n = snprintf(buf, cap, "\n[... %llu bytes dropped ...]\n", (unsigned long long)dropped);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

char *capture_text(const struct capture *c, size_t *len)
{
	struct sbuf b = { 0 };
	sb_add(&b, c->head ? c->head : "", c->head_len);
	char marker[64];
	sb_add(&b, marker, drop_marker(c, marker, sizeof marker));
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

size_t capture_text_offset(const struct capture *c, uint64_t at)
{
	if (at <= c->head_len)
		return (size_t)at;
	char m[64];
	size_t marker = drop_marker(c, m, sizeof m);
	uint64_t tail_from = c->total - c->tail_len; /* the stream offset of the kept tail */
	if (at <= tail_from)
		return c->head_len + marker;
	if (at > c->total)
		at = c->total;
	return c->head_len + marker + (size_t)(at - tail_from);
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

static void proc_reset(struct proc *p, const struct proc_opts *o)
{
	memset(p, 0, sizeof *p);
	p->fd[0] = p->fd[1] = -1;
	capture_init(&p->cap[0]);
	capture_init(&p->cap[1]);
	p->merged = o->merge_output;
	p->start = ut_now();
	p->deadline = o->timeout_s > 0 ? p->start + o->timeout_s : 0;
	p->kill_signal = o->kill_signal == SIGKILL ? 0 : o->kill_signal;
	p->kill_grace_s = o->kill_grace_s;
	p->cannon_id = -1;
	p->echo = o->echo;
	p->echo_fd[0] = o->echo ? o->echo_fd[0] : -1;
	p->echo_fd[1] = o->echo ? o->echo_fd[1] : -1;
}

/* Waits for exec (EOF on the close-on-exec pipe) or its errno; 0 or errno. */
static int exec_result(int ex_r)
{
	int e;
	ssize_t r;
	do
		r = read(ex_r, &e, sizeof e);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)sizeof e ? e : 0;
}

/* Forks and execs; returns the pid with its pipes' read ends in p->fd, or
 * -1 with p->spawn_errno set. */
static pid_t fork_exec(struct proc *p, char *const argv[], const struct proc_opts *o)
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, ex[2] = { -1, -1 };
	pid_t pid = -1, parent = getpid();
	if (pipe2(out, O_CLOEXEC) < 0 || (!o->merge_output && pipe2(err, O_CLOEXEC) < 0) ||
	    pipe2(ex, O_CLOEXEC) < 0)
		p->spawn_errno = errno;
	else if ((pid = fork()) < 0)
		p->spawn_errno = errno;
	else if (pid == 0)
		child_exec(argv, out[1], o->merge_output ? out[1] : err[1], ex[1], parent, o->cwd);
	close_fd(&out[1]);
	close_fd(&err[1]);
	close_fd(&ex[1]);
	if (pid > 0) {
		setpgid(pid, pid); /* both sides set it; whichever runs first wins */
		int e = exec_result(ex[0]);
		if (e) {
			while (waitpid(pid, &(int){ 0 }, 0) < 0 && errno == EINTR)
				;
			p->spawn_errno = e;
			pid = -1;
		}
	}
	close_fd(&ex[0]);
	if (pid < 0) {
		close_fd(&out[0]);
		close_fd(&err[0]);
	}
	p->fd[0] = out[0];
	p->fd[1] = err[0];
	return pid;
}

static void start_proc(struct proc *p, char *const argv[], const struct proc_opts *o,
		       struct cannon *cannon)
{
	proc_reset(p, o);
	char **run = (char **)argv;
	if (o->guest_binary && p->kill_signal) { /* a hang's table will want the guest's PCs */
		p->guest = guest_pcs_new(o->guest_binary, o->guest_plugin);
		run = guest_pcs_argv(p->guest, argv);
	}
	char **gated = run;
	struct cannon_aim aim = o->cannon;
	if (cannon && aim.signal && aim.gated) {
		p->gate = timer_gate_new(o->gate_plugin);
		gated = timer_gate_argv(p->gate, run);
		aim.gate = (struct timergate_file *)timer_gate_file(p->gate);
	}
	pid_t pid = fork_exec(p, gated, o);
	timer_gate_argv_free(gated, run);
	guest_pcs_argv_free(p->guest, run, argv);
	if (pid < 0) {
		p->spawn_failed = true;
		p->end = ut_now();
		p->state = PROC_DONE;
		return;
	}
	p->pid = pid;
	for (int i = 0; i < 2; i++)
		if (p->fd[i] >= 0)
			fcntl(p->fd[i], F_SETFL, fcntl(p->fd[i], F_GETFL) | O_NONBLOCK);
	if (cannon && o->cannon.signal) {
		p->cannon_id = cannon_add(cannon, pid, p->start, &aim);
		p->cannon_owner = cannon;
		p->cannon_on = true;
	}
	p->state = PROC_RUNNING;
}

void proc_start_opts(struct proc *p, char *const argv[], const struct proc_opts *o)
{
	start_proc(p, argv, o, NULL);
}

void proc_start(struct proc *p, char *const argv[], bool merge_output, double timeout_s,
		const char *cwd)
{
	struct proc_opts o = { .merge_output = merge_output, .timeout_s = timeout_s, .cwd = cwd };
	start_proc(p, argv, &o, NULL);
}

/* The proc's cannon stops for good; its count is kept. */
static void stop_cannon(struct proc *p)
{
	if (!p->cannon_on)
		return;
	p->cannon_result = cannon_remove(p->cannon_owner, p->cannon_id);
	p->gate_counts = timer_gate_counts(p->gate);
	p->cannon_on = false;
}

void proc_kill(struct proc *p)
{
	if (p->state == PROC_RUNNING && p->pid > 0) {
		stop_cannon(p);
		kill(-p->pid, SIGKILL);
		kill(p->pid, SIGKILL);
	}
}

void proc_release(struct proc *p)
{
	stop_cannon(p);
	close_fd(&p->fd[0]);
	close_fd(&p->fd[1]);
	capture_free(&p->cap[0]);
	capture_free(&p->cap[1]);
	threads_watch_free(p->watch);
	p->watch = NULL;
	guest_pcs_free(p->guest);
	p->guest = NULL;
	timer_gate_free(p->gate); /* after stop_cannon: the cannon reads it until then */
	p->gate = NULL;
	p->state = PROC_IDLE;
}

/* All n bytes to the stream's echo descriptor, which may be a pipe that
 * someone made non-blocking (then we wait for room: a pass-through must
 * not drop bytes). The first failure ends that stream's echo. */
static void echo_out(struct proc *p, int i, const char *data, size_t n)
{
	int fd = p->echo_fd[i];
	while (fd >= 0 && n) {
		ssize_t w = write(fd, data, n);
		if (w > 0) {
			data += w;
			n -= (size_t)w;
		} else if (w < 0 && errno == EAGAIN) {
			poll(&(struct pollfd){ .fd = fd, .events = POLLOUT }, 1, 100);
		} else if (!(w < 0 && errno == EINTR)) {
			if (!p->echo_errno)
				p->echo_errno = w < 0 ? errno : EIO;
			p->echo_fd[i] = fd = -1;
		}
	}
}

/* Reads what is there on the proc's pipes now, without waiting (bounded
 * per call so one spewing child cannot starve the others). */
static void read_ready(struct proc *p, int i)
{
	char buf[16384];
	for (int k = 0; k < 16 && p->fd[i] >= 0; k++) {
		ssize_t r = read(p->fd[i], buf, sizeof buf);
		if (r > 0) {
			capture_add(&p->cap[i], buf, (size_t)r);
			if (p->echo)
				echo_out(p, i, buf, (size_t)r);
			continue;
		}
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			break;
		close_fd(&p->fd[i]); /* EOF or error */
	}
}

static void read_pipes(struct proc *p, const struct pollfd *pf)
{
	for (int i = 0; i < 2; i++)
		if (p->fd[i] >= 0 && pf[i].revents)
			read_ready(p, i);
}

/* Reaps a RUNNING proc whose leader has exited: stop its cannon, kill its
 * group while the zombie still holds the pid, then reap. */
static void check_exit(struct proc *p, double now)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	if (waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid != p->pid)
		return;
	stop_cannon(p);
	kill(-p->pid, SIGKILL);
	int st;
	while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
		;
	p->wait_status = st;
	p->end = now;
	p->state = PROC_DRAINING;
	p->drain_until = now + DRAIN_GRACE_S;
}

/* The deadline: the kill signal first (after reading what is already in
 * the pipes, so out_at_kill splits the output at the signal), SIGKILL at
 * once or after the grace. */
static void enforce_deadline(struct proc *p, double now)
{
	if (p->state != PROC_RUNNING)
		return;
	if (p->kill_sent_at && now >= p->kill_sent_at + p->kill_grace_s && !p->grace_expired) {
		threads_watch_sample(p->watch, now + THREADS_SAMPLE_EVERY_S); /* the last look */
		p->grace_expired = true;
		proc_kill(p);
		return;
	}
	if (p->kill_sent_at)
		threads_watch_sample(p->watch, now);
	if (!p->deadline || now < p->deadline || p->timed_out)
		return;
	p->timed_out = true;
	if (!p->kill_signal) {
		proc_kill(p);
		return;
	}
	stop_cannon(p);
	for (int i = 0; i < 2; i++) {
		read_ready(p, i);
		p->out_at_kill[i] = p->cap[i].total;
	}
	p->kill_sent_at = now;
	p->watch = threads_watch_begin(p->pid, now, p->guest); /* the hang as it was, before the signal */
	kill(-p->pid, p->kill_signal);
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
		if (p->state == PROC_RUNNING)
			check_exit(p, now);
		enforce_deadline(p, now);
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

struct pool {
	size_t parallel;
	const struct pool_ops *ops;
	pool_configure_fn configure;
	void *ctx;
	struct proc *slots;
	struct proc **ptrs;
	void **jobs, **running;
	struct cannon *cannon; /* created when the first job asks for one */
	bool exhausted, killed;
};

static void kill_all_on_interrupt(struct pool *pl)
{
	if (!spawn_interrupted() || pl->killed)
		return;
	pl->killed = true;
	for (size_t i = 0; i < pl->parallel; i++)
		if (pl->slots[i].state == PROC_RUNNING) {
			pl->slots[i].interrupted = true;
			proc_kill(&pl->slots[i]);
		}
}

static void finish(struct pool *pl, size_t i)
{
	pl->ops->done(pl->ctx, pl->jobs[i], &pl->slots[i]);
	proc_release(&pl->slots[i]);
	pl->jobs[i] = NULL;
}

/* Starts a job in slot i; false when next() has nothing more. */
static bool start_job(struct pool *pl, size_t i)
{
	char **argv = NULL;
	void *job = NULL;
	struct proc_opts o = { 0 };
	if (!pl->ops->next(pl->ctx, &argv, &o.merge_output, &o.timeout_s, &job))
		return false;
	if (pl->configure)
		pl->configure(pl->ctx, job, &o);
	if (o.cannon.signal && !pl->cannon)
		pl->cannon = cannon_new();
	start_proc(&pl->slots[i], argv, &o, pl->cannon);
	pl->jobs[i] = job;
	if (pl->slots[i].state == PROC_DONE) /* could not start */
		finish(pl, i);
	return true;
}

/* Fills idle slots; returns whether the pool is stopping. */
static bool fill_slots(struct pool *pl)
{
	const struct pool_ops *ops = pl->ops;
	bool stopping = spawn_interrupted() || pl->exhausted || (ops->stop && ops->stop(pl->ctx));
	for (size_t i = 0; i < pl->parallel && !stopping; i++) {
		if (pl->slots[i].state != PROC_IDLE)
			continue;
		if (!start_job(pl, i)) {
			pl->exhausted = true;
			break;
		}
		stopping = ops->stop && ops->stop(pl->ctx);
	}
	return stopping || pl->exhausted;
}

static size_t active(const struct pool *pl, bool with_jobs)
{
	size_t n = 0;
	for (size_t i = 0; i < pl->parallel; i++)
		if (pl->slots[i].state != PROC_IDLE) {
			if (with_jobs)
				pl->running[n] = pl->jobs[i];
			n++;
		}
	return n;
}

int pool_run(size_t parallel, const struct pool_ops *ops, void *ctx, double status_interval)
{
	return pool_run_configured(parallel, ops, NULL, ctx, status_interval);
}

int pool_run_configured(size_t parallel, const struct pool_ops *ops, pool_configure_fn configure,
			void *ctx, double status_interval)
{
	struct pool pl = { .parallel = parallel < 1 ? 1 : parallel, .ops = ops,
			   .configure = configure, .ctx = ctx };
	pl.slots = xcalloc(pl.parallel, sizeof *pl.slots);
	pl.ptrs = xcalloc(pl.parallel, sizeof *pl.ptrs);
	pl.jobs = xcalloc(pl.parallel, sizeof *pl.jobs);
	pl.running = xcalloc(pl.parallel, sizeof *pl.running);
	for (size_t i = 0; i < pl.parallel; i++) {
		pl.slots[i].state = PROC_IDLE;
		pl.slots[i].fd[0] = pl.slots[i].fd[1] = -1;
		pl.ptrs[i] = &pl.slots[i];
	}
	double t0 = ut_now(), next_status = t0 + status_interval;
	for (;;) {
		kill_all_on_interrupt(&pl);
		bool stopping = fill_slots(&pl);
		if (!active(&pl, false) && stopping)
			break;
		pump(pl.ptrs, pl.parallel, 50);
		for (size_t i = 0; i < pl.parallel; i++)
			if (pl.slots[i].state == PROC_DONE)
				finish(&pl, i);
		double now = ut_now();
		if (ops->status && status_interval > 0 && now >= next_status && !spawn_interrupted()) {
			size_t nr = active(&pl, true);
			ops->status(ctx, now - t0, pl.running, nr);
			next_status = now + status_interval;
		}
	}
	cannon_free(pl.cannon);
	free(pl.slots);
	free(pl.ptrs);
	free(pl.jobs);
	free(pl.running);
	return spawn_interrupted();
}
