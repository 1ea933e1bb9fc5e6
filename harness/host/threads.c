/* threads: a hung process's threads, sampled from /proc. Contract:
 * threads.h. */
#define _GNU_SOURCE
#include "threads.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_THREADS 256
#define MAX_ACTIVITIES 6

struct activity {
	char what[32]; /* "sched_yield", "running", "futex", "do_wait" (wchan), "?" */
	unsigned n;
};

struct thread_track {
	pid_t tid;
	char comm[32];
	char state;
	double first_cpu[2], last_cpu[2]; /* user, system: seconds */
	double first_seen, last_seen;
	unsigned samples, unlisted; /* unlisted: activities past MAX_ACTIVITIES */
	unsigned runnable;          /* samples in state R (on a CPU or waiting for one) */
	struct activity act[MAX_ACTIVITIES];
	unsigned nact;
};

struct threads_watch {
	pid_t pid;
	double last;
	unsigned samples;
	struct thread_track t[MAX_THREADS];
	size_t n;
};

/* The calls a hang is usually found in; any other shows as "syscall N". */
static const struct {
	long nr;
	const char *name;
} syscall_names[] = {
	{ SYS_sched_yield, "sched_yield" },
	{ SYS_futex, "futex" },
	{ SYS_nanosleep, "nanosleep" },
	{ SYS_clock_nanosleep, "clock_nanosleep" },
	{ SYS_read, "read" },
	{ SYS_write, "write" },
	{ SYS_ppoll, "ppoll" },
	{ SYS_pselect6, "pselect6" },
	{ SYS_epoll_pwait, "epoll_pwait" },
	{ SYS_rt_sigsuspend, "rt_sigsuspend" },
	{ SYS_rt_sigtimedwait, "rt_sigtimedwait" },
	{ SYS_wait4, "wait4" },
	{ SYS_waitid, "waitid" },
	{ SYS_tgkill, "tgkill" },
	{ SYS_exit_group, "exit_group" },
	{ SYS_rt_sigprocmask, "rt_sigprocmask" },
	{ SYS_mmap, "mmap" },
	{ SYS_munmap, "munmap" },
	{ SYS_madvise, "madvise" },
#ifdef SYS_pause /* the calls older arches keep beside their p* forms */
	{ SYS_pause, "pause" },
	{ SYS_poll, "poll" },
	{ SYS_select, "select" },
	{ SYS_epoll_wait, "epoll_wait" },
#endif
};

static void syscall_name(long nr, char *buf, size_t cap)
{
	for (size_t i = 0; i < sizeof syscall_names / sizeof syscall_names[0]; i++)
		if (syscall_names[i].nr == nr) {
			snprintf(buf, cap, "%s", syscall_names[i].name);
			return;
		}
	snprintf(buf, cap, "syscall %ld", nr);
}

/* The first line of a small /proc file, or "" when it cannot be read. */
static void read_line(const char *path, char *buf, size_t cap)
{
	buf[0] = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, (int)cap, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
}

/* stat: "tid (comm) S ppid ... utime stime ...": comm may hold spaces and
 * parentheses, so the fields are counted from the last ')'. */
static int read_stat(const char *dir, char *comm, size_t cap, char *state, double cpu[2])
{
	char path[160], line[1024];
	snprintf(path, sizeof path, "%s/stat", dir);
	read_line(path, line, sizeof line);
	char *open = strchr(line, '('), *close = strrchr(line, ')');
	if (!open || !close || close < open)
		return -1;
	snprintf(comm, cap, "%.*s", (int)(close - open - 1), open + 1);
	unsigned long long ut, st;
	if (sscanf(close + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", state, &ut,
		   &st) != 3)
		return -1;
	double tick = (double)sysconf(_SC_CLK_TCK);
	cpu[0] = (double)ut / tick;
	cpu[1] = (double)st / tick;
	return 0;
}

/* What the thread does now: its system call, "running", or where it
 * sleeps in the kernel. */
static void read_activity(const char *dir, char *buf, size_t cap)
{
	char path[160], line[256];
	snprintf(path, sizeof path, "%s/syscall", dir);
	read_line(path, line, sizeof line);
	long nr;
	if (strcmp(line, "running") == 0) {
		snprintf(buf, cap, "running");
		return;
	}
	if (sscanf(line, "%ld", &nr) == 1 && nr >= 0) {
		syscall_name(nr, buf, cap);
		return;
	}
	snprintf(path, sizeof path, "%s/wchan", dir);
	read_line(path, line, sizeof line);
	snprintf(buf, cap, "%.31s", line[0] && strcmp(line, "0") != 0 ? line : "?");
}

static struct thread_track *track_of(struct threads_watch *w, pid_t tid)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->t[i].tid == tid)
			return &w->t[i];
	if (w->n == MAX_THREADS)
		return NULL;
	struct thread_track *t = &w->t[w->n++];
	memset(t, 0, sizeof *t);
	t->tid = tid;
	return t;
}

static void count_activity(struct thread_track *t, const char *what)
{
	for (unsigned i = 0; i < t->nact; i++)
		if (strcmp(t->act[i].what, what) == 0) {
			t->act[i].n++;
			return;
		}
	if (t->nact == MAX_ACTIVITIES) {
		t->unlisted++;
		return;
	}
	snprintf(t->act[t->nact].what, sizeof t->act[t->nact].what, "%s", what);
	t->act[t->nact++].n = 1;
}

static void take_sample(struct threads_watch *w, double now)
{
	char dir[64];
	snprintf(dir, sizeof dir, "/proc/%d/task", (int)w->pid);
	DIR *d = opendir(dir);
	if (!d)
		return;
	w->last = now;
	w->samples++;
	for (struct dirent *e; (e = readdir(d));) {
		pid_t tid = (pid_t)atoi(e->d_name);
		struct thread_track *t = tid > 0 ? track_of(w, tid) : NULL;
		if (!t)
			continue;
		char tdir[64], what[32], comm[32], state;
		double cpu[2];
		snprintf(tdir, sizeof tdir, "/proc/%d/task/%d", (int)w->pid, (int)tid);
		if (read_stat(tdir, comm, sizeof comm, &state, cpu) != 0)
			continue;
		read_activity(tdir, what, sizeof what);
		if (!t->samples) {
			memcpy(t->first_cpu, cpu, sizeof cpu);
			t->first_seen = now;
		}
		memcpy(t->last_cpu, cpu, sizeof cpu);
		t->last_seen = now;
		snprintf(t->comm, sizeof t->comm, "%s", comm);
		t->state = state;
		t->samples++;
		t->runnable += state == 'R';
		count_activity(t, what);
	}
	closedir(d);
}

struct threads_watch *threads_watch_begin(pid_t pid, double now)
{
	struct threads_watch *w = xcalloc(1, sizeof *w);
	w->pid = pid;
	take_sample(w, now);
	if (!w->samples) {
		free(w);
		return NULL;
	}
	return w;
}

void threads_watch_sample(struct threads_watch *w, double now)
{
	if (w && now - w->last >= THREADS_SAMPLE_EVERY_S)
		take_sample(w, now);
}

/* The most frequent activity other than "running" (NULL when none). */
static const struct activity *top_call(const struct thread_track *t)
{
	const struct activity *best = NULL;
	for (unsigned i = 0; i < t->nact; i++)
		if (strcmp(t->act[i].what, "running") != 0 && (!best || t->act[i].n > best->n))
			best = &t->act[i];
	return best;
}

/* CPU share of the watch, user and system; false when it lasted no time. */
static bool cpu_shares(const struct thread_track *t, double *user, double *sys)
{
	double wall = t->last_seen - t->first_seen;
	if (wall <= 0)
		return false;
	*user = (t->last_cpu[0] - t->first_cpu[0]) / wall;
	*sys = (t->last_cpu[1] - t->first_cpu[1]) / wall;
	return true;
}

/* One thread in the summary's words. A thread runnable (state R: on a
 * CPU, or waiting for one on a busy machine) in most samples is spinning;
 * one asleep in nearly every sample, in one call, is blocked in it. CPU
 * time does not decide: on a loaded machine a spinner may get almost none
 * during the watch, and the words must not change with the load (they
 * group failures). The table gives the CPU split. */
static void thread_phrase(const struct thread_track *t, char *buf, size_t cap)
{
	const struct activity *call = top_call(t);
	double share = call ? (double)call->n / t->samples : 0;
	double runnable = (double)t->runnable / t->samples;
	if (runnable >= 0.8)
		snprintf(buf, cap, "spinning");
	else if (runnable <= 0.2 && call && share >= 0.8)
		snprintf(buf, cap, "blocked in %s", call->what);
	else
		snprintf(buf, cap, "busy now and then");
}

static void summarise(const struct threads_watch *w, char *summary, size_t cap)
{
	char phrase[MAX_THREADS][64];
	size_t seen = 0, best = 0, best_n = 0;
	for (size_t i = 0; i < w->n; i++) {
		if (w->t[i].samples < 2)
			continue;
		thread_phrase(&w->t[i], phrase[seen], sizeof phrase[seen]);
		seen++;
	}
	for (size_t i = 0; i < seen; i++) {
		size_t n = 0;
		for (size_t j = 0; j < seen; j++)
			n += strcmp(phrase[i], phrase[j]) == 0;
		if (n > best_n) {
			best_n = n;
			best = i;
		}
	}
	if (!seen) {
		snprintf(summary, cap, "%s", "");
		return;
	}
	char of[32] = "";
	if (seen > best_n)
		snprintf(of, sizeof of, " of %zu", seen);
	snprintf(summary, cap, "%zu%s thread%s %s", best_n, of, seen > 1 ? "s" : "", phrase[best]);
}

void threads_watch_report(const struct threads_watch *w, struct sbuf *table, char *summary,
			  size_t cap)
{
	summarise(w, summary, cap);
	sb_printf(table, "%u samples of /proc/%d/task over %.1fs (state, CPU share of the watch, "
			 "what each sample caught):\n",
		  w->samples, (int)w->pid, w->n ? w->t[0].last_seen - w->t[0].first_seen : 0.0);
	for (size_t i = 0; i < w->n; i++) {
		const struct thread_track *t = &w->t[i];
		double user = 0, sys = 0;
		bool known = cpu_shares(t, &user, &sys);
		sb_printf(table, "  tid %d (%s) %c", (int)t->tid, t->comm, t->state);
		if (known)
			sb_printf(table, ", cpu %.0f%% (user %.0f%%, system %.0f%%)",
				  100 * (user + sys), 100 * user, 100 * sys);
		sb_puts(table, ":");
		for (unsigned k = 0; k < t->nact; k++)
			sb_printf(table, " %s %u/%u", t->act[k].what, t->act[k].n, t->samples);
		if (t->unlisted)
			sb_printf(table, " other %u/%u", t->unlisted, t->samples);
		sb_puts(table, "\n");
	}
}

void threads_watch_free(struct threads_watch *w)
{
	free(w);
}
