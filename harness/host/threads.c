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
#define MAX_GUEST_FNS 3
#define GUEST_FN_MAX 64 /* a function's name in the table and the summary, cut */

struct activity {
	char what[32]; /* "sched_yield", "running", "futex", "do_wait" (wchan), "?" */
	unsigned n;
};

/* A guest function a thread's samples found it in (guest_pcs.h), with the
 * offset of the last of them. */
struct guest_fn {
	char name[GUEST_FN_MAX];
	uint64_t off;
	char caller[GUEST_FN_MAX + 24]; /* the last sample's that named one, "" when none */
	bool callers_differ; /* two samples named different caller functions */
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
	/* Under qemu: where the guest was (guest_pcs.h), per sample. */
	struct guest_fn fn[MAX_GUEST_FNS];
	unsigned nfn, fn_unlisted;
	unsigned guest_none, guest_unknown, guest_address;
	char last_address[GUEST_FN_MAX];
};

struct threads_watch {
	pid_t pid;
	struct guest_pcs *guest; /* NULL: a native run */
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

static void count_guest_fn(struct thread_track *t, const char *name, uint64_t off,
			   const char *caller)
{
	struct guest_fn *f = NULL;
	for (unsigned i = 0; i < t->nfn && !f; i++)
		if (strcmp(t->fn[i].name, name) == 0)
			f = &t->fn[i];
	if (!f && t->nfn == MAX_GUEST_FNS) {
		t->fn_unlisted++;
		return;
	}
	if (!f) {
		f = &t->fn[t->nfn++];
		snprintf(f->name, sizeof f->name, "%s", name);
	}
	f->n++;
	f->off = off;
	if (!*caller)
		return; /* caught past the function's first block: no hint */
	size_t fn_len = strcspn(caller, "+");
	if (f->caller[0] && (strcspn(f->caller, "+") != fn_len || strncmp(f->caller, caller, fn_len)))
		f->callers_differ = true;
	snprintf(f->caller, sizeof f->caller, "%s", caller);
}

/* Where the guest thread is now, under qemu. */
static void sample_guest(struct threads_watch *w, struct thread_track *t)
{
	char fn[GUEST_FN_MAX], caller[GUEST_FN_MAX + 24];
	uint64_t off;
	switch (guest_pcs_where(w->guest, t->tid, fn, sizeof fn, &off, caller, sizeof caller)) {
	case GUEST_FUNCTION: count_guest_fn(t, fn, off, caller); break;
	case GUEST_ADDRESS:
		t->guest_address++;
		snprintf(t->last_address, sizeof t->last_address, "%s", fn);
		break;
	case GUEST_NONE: t->guest_none++; break;
	case GUEST_UNKNOWN: t->guest_unknown++; break;
	}
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
		if (w->guest)
			sample_guest(w, t);
	}
	closedir(d);
}

struct threads_watch *threads_watch_begin(pid_t pid, double now, struct guest_pcs *guest)
{
	struct threads_watch *w = xcalloc(1, sizeof *w);
	w->pid = pid;
	w->guest = guest;
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

/* The guest function a thread was found in most often (NULL when none). */
static const struct guest_fn *top_fn(const struct thread_track *t)
{
	const struct guest_fn *best = NULL;
	for (unsigned i = 0; i < t->nfn; i++)
		if (!best || t->fn[i].n > best->n)
			best = &t->fn[i];
	return best;
}

/* The caller every thread in fn shares ("" when one has none or another). */
static const char *shared_caller(size_t seen, const char *const *phrases, const char *phrase,
				 const char *const *fns, const char *fn, const char *const *callers)
{
	const char *c = NULL;
	for (size_t j = 0; callers && j < seen; j++) {
		if (!fns[j] || strcmp(fns[j], fn) != 0 || strcmp(phrases[j], phrase) != 0)
			continue;
		if (!callers[j] || !*callers[j] || (c && strcmp(c, callers[j]) != 0))
			return "";
		c = callers[j];
	}
	return c ? c : "";
}

/* " (1 in G)": the function most of the threads with the same phrase but
 * another known function are in, when any is: the odd one out of a hang
 * is often its cause (the thread holding the lock the others spin on). */
static void other_function(size_t seen, const char *const *phrases, const char *phrase,
			   const char *const *fns, const char *fn, char *out, size_t cap)
{
	const char *best = NULL;
	size_t most = 0;
	for (size_t i = 0; i < seen; i++) {
		if (!fns[i] || !*fns[i] || !strcmp(fns[i], fn) || strcmp(phrases[i], phrase))
			continue;
		size_t k = 0;
		for (size_t j = 0; j < seen; j++)
			k += fns[j] && !strcmp(fns[j], fns[i]) && !strcmp(phrases[j], phrase);
		if (k > most) {
			most = k;
			best = fns[i];
		}
	}
	if (best)
		snprintf(out, cap, " (%zu in %.*s)", most, GUEST_FN_MAX - 1, best);
}

void threads_summary(size_t seen, const char *const *phrases, const char *const *fns,
		     const char *const *callers, char *out, size_t cap)
{
	/* The phrase most threads share; but spinning threads, when there are
	 * any, are the hang: the threads asleep beside them (a Go runtime's
	 * idle threads, parked in futex) are bystanders, however many. */
	size_t best = 0, n = 0;
	bool spinning = false;
	for (size_t i = 0; i < seen; i++)
		spinning |= strcmp(phrases[i], "spinning") == 0;
	for (size_t i = 0; i < seen; i++) {
		size_t k = 0;
		for (size_t j = 0; j < seen; j++)
			k += strcmp(phrases[i], phrases[j]) == 0;
		if (k > n && (!spinning || strcmp(phrases[i], "spinning") == 0)) {
			n = k;
			best = i;
		}
	}
	if (!n) {
		snprintf(out, cap, "%s", "");
		return;
	}
	/* the guest function more than half of those n threads are in */
	const char *fn = NULL;
	for (size_t i = 0; fns && i < seen && !fn; i++) {
		if (!fns[i] || !*fns[i] || strcmp(phrases[i], phrases[best]) != 0)
			continue;
		size_t same = 0;
		for (size_t j = 0; j < seen; j++)
			same += fns[j] && strcmp(phrases[j], phrases[best]) == 0 &&
				strcmp(fns[i], fns[j]) == 0;
		if (2 * same > n)
			fn = fns[i];
	}
	const char *phrase = phrases[best];
	char of[32] = "", in[2 * GUEST_FN_MAX + 16] = "";
	if (seen > n)
		snprintf(of, sizeof of, " of %zu", seen);
	char rest[GUEST_FN_MAX + 32] = "";
	if (fn) { /* "blocked in futex" already says "in" */
		const char *from = shared_caller(seen, phrases, phrase, fns, fn, callers);
		snprintf(in, sizeof in, " %s %.*s%s%.*s", strstr(phrase, " in ") ? "at" : "in",
			 GUEST_FN_MAX - 1, fn, *from ? " from " : "", GUEST_FN_MAX - 1, from);
		other_function(seen, phrases, phrase, fns, fn, rest, sizeof rest);
	}
	snprintf(out, cap, "%zu%s thread%s %s%s%s", n, of, seen > 1 ? "s" : "", phrase, in, rest);
}

/* The function (no offset) of the caller the thread's top guest function
 * had in every sample that named one ("" when none did, or they differ). */
static void top_caller(const struct guest_fn *best, char *out, size_t cap)
{
	out[0] = 0;
	if (!best || !best->caller[0] || best->callers_differ)
		return;
	snprintf(out, cap, "%.*s", (int)strcspn(best->caller, "+"), best->caller);
}

static void summarise(const struct threads_watch *w, char *summary, size_t cap)
{
	char phrase[MAX_THREADS][64], caller[MAX_THREADS][GUEST_FN_MAX];
	const char *phrases[MAX_THREADS], *fns[MAX_THREADS], *callers[MAX_THREADS];
	size_t seen = 0;
	for (size_t i = 0; i < w->n; i++) {
		if (w->t[i].samples < 2)
			continue;
		thread_phrase(&w->t[i], phrase[seen], sizeof phrase[seen]);
		phrases[seen] = phrase[seen];
		const struct guest_fn *top = top_fn(&w->t[i]);
		top_caller(top, caller[seen], sizeof caller[seen]);
		callers[seen] = caller[seen];
		fns[seen++] = top ? top->name : "";
	}
	threads_summary(seen, phrases, w->guest ? fns : NULL, w->guest ? callers : NULL, summary,
			cap);
}

/* ", guest sched_yield+0x0 9/10, main+0x24 1/10" (under qemu only). */
static void guest_column(const struct threads_watch *w, const struct thread_track *t,
			 struct sbuf *table)
{
	if (!w->guest)
		return;
	sb_puts(table, "; guest");
	if (t->guest_unknown == t->samples) { /* no plugin, or no slot: guest_pcs.h */
		sb_puts(table, " ?");
		return;
	}
	if (t->guest_none == t->samples) {
		sb_puts(table, " - (no guest code: qemu's own thread)");
		return;
	}
	const char *sep = " ";
	for (unsigned i = 0; i < t->nfn; i++, sep = ", ") {
		sb_printf(table, "%s%s+0x%llx %u/%u", sep, t->fn[i].name,
			  (unsigned long long)t->fn[i].off, t->fn[i].n, t->samples);
		if (t->fn[i].caller[0])
			sb_printf(table, " (from %s)", t->fn[i].caller);
	}
	if (t->guest_address) {
		sb_printf(table, "%s%s %u/%u", sep, t->last_address, t->guest_address, t->samples);
		sep = ", ";
	}
	if (t->fn_unlisted)
		sb_printf(table, "%sother %u/%u", sep, t->fn_unlisted, t->samples);
	if (t->guest_none + t->guest_unknown)
		sb_printf(table, "%s? %u/%u", t->nfn || t->guest_address ? ", " : " ",
			  t->guest_none + t->guest_unknown, t->samples);
}

void threads_watch_report(const struct threads_watch *w, struct sbuf *table, char *summary,
			  size_t cap)
{
	summarise(w, summary, cap);
	sb_printf(table, "%u samples of /proc/%d/task over %.1fs (state, CPU share of the watch, "
			 "what each sample caught%s):\n",
		  w->samples, (int)w->pid, w->n ? w->t[0].last_seen - w->t[0].first_seen : 0.0,
		  w->guest ? "; under qemu, the guest function each sample caught" : "");
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
		guest_column(w, t, table);
		sb_puts(table, "\n");
	}
	if (w->guest && !guest_pcs_on(w->guest))
		sb_puts(table, "  guest ?: qemu ran without the guest-PC plugin (build/native/guestpc.so "
			       "is not built: make ARCH=native build/native/guestpc.so)\n");
	else if (w->guest && *guest_pcs_symbols_problem(w->guest))
		sb_printf(table, "  guest functions unknown: %s\n", guest_pcs_symbols_problem(w->guest));
}

void threads_watch_free(struct threads_watch *w)
{
	free(w);
}
