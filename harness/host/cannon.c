/* cannon: signals at a running program's threads from one runner thread.
 * Contract, readiness rule and concurrency: cannon.h. */
#define _GNU_SOURCE
#include "cannon.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "timer_gate.h"
#include "util.h"

int cannon_qemu_log_new(void)
{
	return memfd_create("proftorture-qemu-trace", MFD_CLOEXEC);
}

void cannon_qemu_args(int log_fd, char **args)
{
	struct sbuf path = { 0 };
	sb_printf(&path, "/proc/%d/fd/%d", (int)getpid(), log_fd);
	args[0] = xstrdup("-d");
	args[1] = xstrdup("trace:" CANNON_QEMU_EVENT);
	args[2] = xstrdup("-D");
	args[3] = path.s;
}

#define MAX_THREADS 4096
#define CARRY 64 /* longer than the readiness needle */

struct target {
	/* set by cannon_add, read by the thread */
	bool used;
	unsigned generation; /* bumped on each add: tells a stale /proc read */
	pid_t pid;
	struct cannon_aim aim;
	double start;
	int log_fd; /* the cannon's dup, closed by the thread once unused */
	/* owned by the thread (under the mutex) */
	double ready_at; /* 0: not yet */
	double next_check, next_refresh, next_at;
	off_t log_off;
	char carry[CARRY];
	size_t carry_len;
	pid_t *tids;
	size_t ntids, turn;
	uint64_t sent, held;
};

struct cannon {
	pthread_mutex_t mu;
	pthread_cond_t wake; /* targets changed, or stop */
	pthread_t thread;
	bool stop;
	struct target *t;
	size_t n;
};

/* ---- what the thread reads with the mutex released ---- */

/* The value of "Key:\t<hex>" in a /proc status file, or 0 with *ok false. */
static unsigned long long status_mask(const char *path, const char *key, bool *ok)
{
	*ok = false;
	char *text = ut_read_file(path, 1 << 16, NULL);
	if (!text)
		return 0;
	unsigned long long v = 0;
	const char *at = strstr(text, key);
	if (at && sscanf(at + strlen(key), " %llx", &v) == 1)
		*ok = true;
	free(text);
	return v;
}

static bool has_signal(unsigned long long mask, int sig)
{
	return sig >= 1 && sig <= 64 && (mask >> (sig - 1)) & 1;
}

/* The threads of pid that do not block sig; malloc'd, *n of them. */
static pid_t *aimable_threads(pid_t pid, int sig, size_t *n)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	*n = 0;
	DIR *d = opendir(path);
	if (!d)
		return NULL;
	pid_t *v = xmalloc(MAX_THREADS * sizeof *v);
	for (struct dirent *e; (e = readdir(d)) && *n < MAX_THREADS;) {
		int tid = atoi(e->d_name);
		if (tid <= 0)
			continue;
		char st[96];
		snprintf(st, sizeof st, "/proc/%d/task/%d/status", (int)pid, tid);
		bool ok;
		unsigned long long blocked = status_mask(st, "SigBlk:", &ok);
		if (ok && !has_signal(blocked, sig))
			v[(*n)++] = tid;
	}
	closedir(d);
	return v;
}

/* Scans what qemu logged since *off for the readiness line of sig. */
static bool qemu_says_ready(int fd, int sig, off_t *off, char *carry, size_t *carry_len)
{
	char needle[48], buf[CARRY + 4096];
	snprintf(needle, sizeof needle, CANNON_QEMU_EVENT " host signal %d (", sig);
	for (;;) {
		memcpy(buf, carry, *carry_len);
		ssize_t r = pread(fd, buf + *carry_len, sizeof buf - CARRY, *off);
		if (r <= 0)
			return false;
		*off += r;
		size_t len = *carry_len + (size_t)r;
		if (memmem(buf, len, needle, strlen(needle)))
			return true;
		*carry_len = len < CARRY ? len : CARRY;
		memcpy(carry, buf + len - *carry_len, *carry_len);
	}
}

static bool natively_ready(pid_t pid, int sig)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	bool ok;
	unsigned long long caught = status_mask(path, "SigCgt:", &ok);
	return ok && has_signal(caught, sig);
}

/* ---- the thread ---- */

struct snapshot {
	size_t index;
	unsigned generation;
	pid_t pid;
	int sig, log_fd;
	bool check_ready, refresh;
	off_t log_off;
	char carry[CARRY];
	size_t carry_len;
	/* results */
	bool ready;
	pid_t *tids;
	size_t ntids;
};

static void read_proc(struct snapshot *s)
{
	if (s->check_ready)
		s->ready = s->log_fd >= 0 ? qemu_says_ready(s->log_fd, s->sig, &s->log_off,
							    s->carry, &s->carry_len)
					  : natively_ready(s->pid, s->sig);
	if (s->refresh)
		s->tids = aimable_threads(s->pid, s->sig, &s->ntids);
}

/* Under the mutex: what needs /proc now; closes the fds of removed targets. */
static size_t plan_reads(struct cannon *c, double now, struct snapshot *out, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < c->n; i++) {
		struct target *t = &c->t[i];
		if (!t->used) {
			if (t->log_fd >= 0)
				close(t->log_fd);
			t->log_fd = -1;
			continue;
		}
		bool by_clock = t->aim.after_s >= 0;
		bool check = !t->ready_at && !by_clock && now >= t->next_check;
		bool refresh = (t->ready_at || by_clock) && now >= t->next_refresh;
		if (!check && !refresh)
			continue;
		if (k == cap)
			break;
		out[k] = (struct snapshot){ .index = i,
					    .generation = t->generation,
					    .pid = t->pid,
					    .sig = t->aim.signal,
					    .log_fd = t->log_fd,
					    .check_ready = check,
					    .refresh = refresh,
					    .log_off = t->log_off,
					    .carry_len = t->carry_len };
		memcpy(out[k].carry, t->carry, t->carry_len);
		k++;
	}
	return k;
}

static void apply_reads(struct cannon *c, double now, struct snapshot *s, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		struct target *t = s[k].index < c->n ? &c->t[s[k].index] : NULL;
		if (!t || !t->used || t->generation != s[k].generation) {
			free(s[k].tids); /* removed meanwhile: the read may be of another process */
			continue;
		}
		if (s[k].check_ready) {
			t->log_off = s[k].log_off;
			t->carry_len = s[k].carry_len;
			memcpy(t->carry, s[k].carry, s[k].carry_len);
			t->next_check = now + CANNON_READY_POLL_S;
			if (s[k].ready) {
				t->ready_at = t->next_at = now;
				t->next_refresh = now; /* aim right away */
			}
		}
		if (s[k].refresh) {
			free(t->tids);
			t->tids = s[k].tids;
			t->ntids = s[k].ntids;
			t->next_refresh = now + CANNON_REFRESH_S;
		}
	}
}

static bool send(struct target *t, pid_t tid, double now)
{
	if (syscall(SYS_tgkill, t->pid, tid, t->aim.signal) == 0) {
		t->sent++;
		return true;
	}
	if (errno == ESRCH)
		t->next_refresh = now; /* that thread is gone */
	return false;
}

/* One signal to the next thread in turn the gate is open for, or held.
 * `firing` brackets the look and the send (timergate_file.h); the stores
 * are sequentially consistent, as the proof there needs. */
static void send_gated(struct target *t, double now)
{
	struct timergate_file *g = t->aim.gate;
	if (!g || __atomic_load_n(&g->status, __ATOMIC_ACQUIRE) != TIMERGATE_WATCHING) {
		t->held++;
		return;
	}
	__atomic_store_n(&g->firing, 1, __ATOMIC_SEQ_CST);
	int32_t armed[TIMERGATE_THREADS];
	size_t narmed;
	bool all = timer_gate_read(g, armed, TIMERGATE_THREADS, &narmed);
	bool sent = false;
	for (size_t k = 0; k < t->ntids && !sent && (all || narmed); k++) {
		pid_t tid = t->tids[t->turn++ % t->ntids];
		bool open = all;
		for (size_t i = 0; i < narmed && !open; i++)
			open = armed[i] == tid;
		if (open)
			sent = send(t, tid, now);
	}
	__atomic_store_n(&g->firing, 0, __ATOMIC_SEQ_CST);
	if (!sent)
		t->held++;
}

/* Under the mutex: fires what each ready target is owed; returns when the
 * next signal is owed. */
static double fire(struct cannon *c, double now)
{
	double wake = now + CANNON_READY_POLL_S;
	for (size_t i = 0; i < c->n; i++) {
		struct target *t = &c->t[i];
		if (!t->used)
			continue;
		if (!t->ready_at && t->aim.after_s >= 0 && now >= t->start + t->aim.after_s)
			t->ready_at = t->next_at = now;
		if (!t->ready_at || !t->ntids)
			continue;
		if (now - t->next_at > CANNON_BACKLOG_S)
			t->next_at = now; /* not scheduled for a while: drop the backlog */
		while (t->next_at <= now) {
			if (t->aim.gated)
				send_gated(t, now);
			else
				send(t, t->tids[t->turn++ % t->ntids], now);
			t->next_at += 1.0 / t->aim.rate;
		}
		if (t->next_at < wake)
			wake = t->next_at;
	}
	return wake;
}

static void sleep_until(struct cannon *c, double wake, double now)
{
	double d = wake - now;
	if (d < CANNON_MIN_SLEEP_S)
		d = CANNON_MIN_SLEEP_S;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	long long ns = ts.tv_nsec + (long long)(d * 1e9);
	ts.tv_sec += ns / 1000000000;
	ts.tv_nsec = ns % 1000000000;
	pthread_cond_timedwait(&c->wake, &c->mu, &ts);
}

static void *cannon_main(void *arg)
{
	struct cannon *c = arg;
	prctl(PR_SET_TIMERSLACK, 1000UL); /* 1 µs: the pacing is in tens of µs */
	struct snapshot *s = NULL;
	size_t cap = 0;
	pthread_mutex_lock(&c->mu);
	while (!c->stop) {
		if (cap < c->n) {
			cap = c->n;
			s = xrealloc(s, cap * sizeof *s);
		}
		size_t n = plan_reads(c, ut_now(), s, cap);
		if (n) {
			pthread_mutex_unlock(&c->mu);
			for (size_t k = 0; k < n; k++)
				read_proc(&s[k]);
			pthread_mutex_lock(&c->mu);
			apply_reads(c, ut_now(), s, n);
		}
		double now = ut_now();
		sleep_until(c, fire(c, now), now);
	}
	pthread_mutex_unlock(&c->mu);
	free(s);
	return NULL;
}

/* ---- the runner's side ---- */

struct cannon *cannon_new(void)
{
	struct cannon *c = xcalloc(1, sizeof *c);
	pthread_mutex_init(&c->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->wake, &ca);
	pthread_condattr_destroy(&ca);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old); /* the new thread inherits it */
	int rc = pthread_create(&c->thread, NULL, cannon_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		fprintf(stderr, "proftorture: cannot start the signal cannon's thread: %s\n",
			strerror(rc));
		exit(2);
	}
	return c;
}

void cannon_free(struct cannon *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	for (size_t i = 0; i < c->n; i++) {
		if (c->t[i].log_fd >= 0)
			close(c->t[i].log_fd);
		free(c->t[i].tids);
	}
	free(c->t);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

int cannon_add(struct cannon *c, pid_t pid, double start, const struct cannon_aim *aim)
{
	int qemu_log_fd = aim->qemu_log_fd;
	pthread_mutex_lock(&c->mu);
	size_t i = 0;
	while (i < c->n && (c->t[i].used || c->t[i].log_fd >= 0))
		i++;
	if (i == c->n) {
		c->t = xrealloc(c->t, (c->n + 1) * sizeof *c->t);
		memset(&c->t[c->n++], 0, sizeof *c->t);
	}
	struct target *t = &c->t[i];
	unsigned generation = t->generation + 1;
	*t = (struct target){ .used = true,
			      .generation = generation,
			      .pid = pid,
			      .aim = *aim,
			      .start = start,
			      .log_fd = qemu_log_fd >= 0 ? fcntl(qemu_log_fd, F_DUPFD_CLOEXEC, 0)
							 : -1 };
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->mu);
	return (int)i;
}

struct cannon_result cannon_remove(struct cannon *c, int id)
{
	pthread_mutex_lock(&c->mu);
	struct target *t = &c->t[id];
	struct cannon_result r = { t->sent, t->held, t->ready_at ? t->ready_at - t->start : -1 };
	t->used = false; /* the thread fires only under the mutex, at used targets */
	free(t->tids);
	t->tids = NULL;
	t->ntids = 0;
	pthread_mutex_unlock(&c->mu);
	return r;
}

int cannon_signal_number(const char *name)
{
	char *end;
	long n = strtol(name, &end, 10);
	if (*name && !*end)
		return n >= 1 && n < NSIG ? (int)n : 0;
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (int s = 1; s < NSIG; s++) {
		const char *abbrev = sigabbrev_np(s);
		if (abbrev && strcasecmp(abbrev, name) == 0)
			return s;
	}
	return 0;
}
