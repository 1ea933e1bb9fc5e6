/*
 * stress_run: the runs of `proftorture stress`, every set's through one
 * pool (contract: stress.h). The pool's next() picks the set that has
 * started the fewest runs among those that still want one, so the sets
 * of a session advance together under -p, --for and Ctrl-C alike.
 *
 * A set wants a run while its budget lasts (--count per set, --for for
 * the session), --max-failures (per set) is not reached, its program could
 * start, and, with --until-bound, while it has no failure and has started
 * fewer runs than the bound needs (stress_runs_for_bound: with zero
 * failures the bound depends on n alone, so the number is known before
 * the first run and no run is started in vain). With --baseline the bound
 * is the new build's; the baseline runs as many runs as its new build.
 *
 * Each run ends in done(): counted, its exposure read (the program's
 * STRESS_HANDLED_LINE, the cannon's signals sent), and, when it failed and
 * --failure/--ignore let it count, saved to its set's failure file and
 * grouped by signature. Every run is recorded for --out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cannon.h"
#include "ledger.h"
#include "options.h"
#include "protocol.h"
#include "spawn.h"
#include "stats.h"
#include "stress.h"
#include "threads.h"
#include "util.h"

/* ---- which set runs next ---- */

uint64_t stress_runs_for_bound(double rate)
{
	uint64_t n = (uint64_t)stats_runs_needed(rate, 0.95);
	if (n < 1)
		n = 1;
	/* stats_runs_needed gives bound <= rate; the bound must fall below it */
	while (stats_zero_failure_upper((double)n, 0.95) >= rate)
		n++;
	return n;
}

static bool is_baseline(const struct stress_set *set)
{
	return set->side && strcmp(set->side, "baseline") == 0;
}

static bool wants_run(const struct stress_state *s, const struct stress_set *set)
{
	if (set->cannot_start)
		return false;
	if (s->o.count && set->started >= s->o.count)
		return false;
	if (s->o.max_failures && set->failures >= s->o.max_failures)
		return false;
	/* --until-bound is the new build's: its baseline (the set after it is
	 * its new one) keeps pace, so the comparison has as many runs a side */
	if (set->needed && is_baseline(set)) {
		const struct stress_set *new_set = set + 1;
		return set->started < new_set->started || wants_run(s, new_set);
	}
	if (set->needed && (set->failures || set->started >= set->needed))
		return false;
	return true;
}

static struct stress_set *next_set(struct stress_state *s)
{
	struct stress_set *best = NULL;
	for (size_t i = 0; i < s->nsets; i++)
		if (wants_run(s, &s->sets[i]) && (!best || s->sets[i].started < best->started))
			best = &s->sets[i];
	return best;
}

/* ---- the pool's callbacks ---- */

struct sjob {
	struct stress_set *set;
	uint64_t index; /* 1-based run number in its set, names the failure file */
	char **argv;
	int qemu_log; /* the cannon's readiness trace under qemu, or -1 */
};

static bool watch_qemu(const struct stress_state *s, const struct stress_set *set)
{
	return stress_set_cross(set) && s->o.signal_rate > 0 && !s->o.signal_after_given;
}

char **stress_run_argv(const struct stress_set *set, int qemu_log)
{
	size_t ncmd = 0, ntrace = qemu_log >= 0 ? CANNON_QEMU_NARGS : 0, n;
	while (set->cmd[ncmd])
		ncmd++;
	char **v = arch_argv(set->arch, set->cmd[0], ncmd + ntrace, &n);
	char *prog = v[n - 1];
	if (ntrace)
		cannon_qemu_args(qemu_log, &v[n - 1]);
	n += ntrace;
	v[n - 1] = prog;
	for (size_t i = 1; i < ncmd; i++)
		v[n++] = xstrdup(set->cmd[i]);
	v[n] = NULL;
	return v;
}

static bool next(void *ctx, char ***argv, bool *merge, double *timeout, void **job)
{
	struct stress_state *s = ctx;
	if (s->o.for_s > 0 && ut_now() - s->t0 >= s->o.for_s)
		return false;
	struct stress_set *set = next_set(s);
	if (!set)
		return false;
	int qemu_log = watch_qemu(s, set) ? cannon_qemu_log_new() : -1;
	if (watch_qemu(s, set) && qemu_log < 0) {
		fprintf(stderr, "proftorture stress: cannot create the cannon's qemu log: %s; stopping\n",
			strerror(errno));
		for (size_t i = 0; i < s->nsets; i++)
			s->sets[i].cannot_start = true;
		return false;
	}
	struct sjob *j = xmalloc(sizeof *j);
	j->set = set;
	j->index = ++set->started;
	j->qemu_log = qemu_log;
	j->argv = *argv = stress_run_argv(set, qemu_log); /* must live until done() */
	*merge = !s->hooks.separate_streams;
	*timeout = s->o.timeout;
	*job = j;
	return true;
}

static void configure(void *ctx, void *job, struct proc_opts *po)
{
	const struct stress_state *s = ctx;
	const struct sjob *j = job;
	po->kill_signal = s->o.kill_signal;
	po->kill_grace_s = s->o.kill_grace;
	po->guest_binary = stress_set_cross(j->set) && !s->o.no_guest_pcs ? j->set->cmd[0] : NULL; /* a hang's guest PCs */
	po->guest_plugin = s->guest_plugin;
	if (s->o.signal_rate > 0)
		po->cannon = (struct cannon_aim){
			.signal = s->o.signal,
			.rate = s->o.signal_rate,
			.after_s = s->o.signal_after_given ? s->o.signal_after : -1,
			.qemu_log_fd = j->qemu_log,
			.gated = stress_gated(s, j->set),
		};
	po->gate_plugin = s->gate_plugin;
	if (s->hooks.configure)
		s->hooks.configure(s->hooks.ctx, j->index, po);
}

/* Nothing more to start now: every set is done (next() says so too; this
 * also stops the pool while runs of a set that is done are still alive). */
static bool stop(void *ctx)
{
	struct stress_state *s = ctx;
	return next_set(s) == NULL;
}

static void status(void *ctx, double elapsed, void *const *running, size_t nrunning)
{
	(void)running;
	struct stress_state *s = ctx;
	uint64_t finished = 0, failures = 0;
	for (size_t i = 0; i < s->nsets; i++) {
		finished += s->sets[i].finished;
		failures += s->sets[i].failures;
	}
	char el[32];
	ut_format_duration(el, sizeof el, elapsed);
	fprintf(stderr, "%s%s: %llu runs so far, %llu failures (%.2f%%), %zu active",
		s->hooks.tag ? s->hooks.tag : "", el,
		(unsigned long long)finished, (unsigned long long)failures,
		finished ? 100.0 * (double)failures / (double)finished : 0.0, nrunning);
	if (s->nsets > 1)
		fprintf(stderr, ", %zu sets", s->nsets);
	fputc('\n', stderr);
}

/* ---- one run's end ---- */

static const char *signame(int sig)
{
	const char *n = sigabbrev_np(sig);
	return n ? n : "?";
}

/* "exit status 2", "signal 6 (Aborted)", "timeout after 5s: SIGQUIT, then
 * exit status 2", ... for the failure file and stderr. */
static void end_desc(const struct proc *p, char *buf, size_t cap)
{
	char how[96];
	if (p->spawn_failed)
		snprintf(how, sizeof how, "could not start: %s", strerror(p->spawn_errno));
	else if (WIFSIGNALED(p->wait_status))
		snprintf(how, sizeof how, "signal %d (%s)", WTERMSIG(p->wait_status),
			 sigdescr_np(WTERMSIG(p->wait_status)) ? sigdescr_np(WTERMSIG(p->wait_status))
							       : "?");
	else
		snprintf(how, sizeof how, "exit status %d", WEXITSTATUS(p->wait_status));
	const char *timeout = outcome_name(OUT_TIMEOUT);
	if (!p->timed_out)
		snprintf(buf, cap, "%s", how);
	else if (!p->kill_sent_at)
		snprintf(buf, cap, "%s after %.3gs: SIGKILL", timeout, p->deadline - p->start);
	else
		snprintf(buf, cap, "%s after %.3gs: SIG%s, then %s%s", timeout, p->deadline - p->start,
			 signame(p->kill_signal), p->grace_expired ? "no exit within the grace: " : "",
			 p->grace_expired ? "SIGKILL" : how);
}

/* "exit 1", "signal 11", "deadline", "spawn failed": a run record's end. */
static void end_short(const struct proc *p, char *buf, size_t cap)
{
	if (p->spawn_failed)
		snprintf(buf, cap, "spawn failed");
	else if (p->timed_out)
		snprintf(buf, cap, "deadline");
	else if (WIFSIGNALED(p->wait_status))
		snprintf(buf, cap, "signal %d", WTERMSIG(p->wait_status));
	else
		snprintf(buf, cap, "exit %d", WEXITSTATUS(p->wait_status));
}

static struct sig_end sig_end_of(const struct proc *p, size_t kill_at)
{
	if (p->spawn_failed)
		return (struct sig_end){ .kind = SIG_END_NOT_STARTED };
	if (p->timed_out)
		return (struct sig_end){ .kind = SIG_END_TIMEOUT,
					 .kill_signal = p->kill_sent_at ? p->kill_signal : 0,
					 .kill_at = kill_at };
	if (WIFSIGNALED(p->wait_status))
		return (struct sig_end){ .kind = SIG_END_SIGNAL, .code = WTERMSIG(p->wait_status) };
	return (struct sig_end){ .kind = SIG_END_EXIT, .code = WEXITSTATUS(p->wait_status) };
}

double stress_handled_of(const char *text, size_t len)
{
	static const size_t nprefix = sizeof STRESS_HANDLED_LINE - 1;
	double last = NAN;
	for (size_t at = 0; at < len;) {
		const char *line = text + at;
		const char *nl = memchr(line, '\n', len - at);
		size_t n = nl ? (size_t)(nl - line) : len - at;
		at += n + 1;
		if (n <= nprefix || memcmp(line, STRESS_HANDLED_LINE, nprefix) != 0)
			continue;
		char num[32];
		size_t k = n - nprefix;
		while (k && (line[nprefix + k - 1] == '\r' || line[nprefix + k - 1] == ' '))
			k--;
		if (!k || k >= sizeof num)
			continue;
		memcpy(num, line + nprefix, k);
		num[k] = 0;
		uint64_t v;
		if (opts_parse_u64(num, &v) == 0)
			last = (double)v;
	}
	return last;
}

/* What every finished run adds to the numbers, failing or not. */
static void count_run(const struct stress_state *s, struct stress_set *set, const struct proc *p,
		      double handled)
{
	set->finished++;
	if (!isnan(handled)) {
		set->handled_reports++;
		set->handled += handled;
	}
	if (p->spawn_failed)
		return;
	stress_series_add(&set->wall_all, p->end - p->start);
	if (s->o.signal_rate <= 0)
		return;
	stress_series_add(&set->sent, (double)p->cannon_result.sent);
	if (stress_gated(s, set)) {
		stress_series_add(&set->held, (double)p->cannon_result.held);
		set->gate_opens += p->gate_counts.opens;
		if (p->gate_counts.problem[0] && !set->gate_problem[0])
			snprintf(set->gate_problem, sizeof set->gate_problem, "%s",
				 p->gate_counts.problem);
	}
	if (p->cannon_result.ready_s < 0)
		set->never_ready++;
	else
		stress_series_add(&set->ready, p->cannon_result.ready_s);
	if (WIFSIGNALED(p->wait_status) && WTERMSIG(p->wait_status) == s->o.signal)
		set->killed_by_cannon_signal++;
}

static bool is_failure(const struct proc *p)
{
	return p->spawn_failed || p->timed_out || !WIFEXITED(p->wait_status) ||
	       WEXITSTATUS(p->wait_status) != 0;
}

/* --failure and --ignore; true when the failure counts. A timeout's
 * threads summary (threads.h) is matched as one more line of output. */
static bool counts(const struct stress_state *s, struct stress_set *set, const struct proc *p,
		   const char *text, size_t len, const char *where)
{
	if (s->o.failure && !p->timed_out && !sig_regex_matches(&s->failure_re, text, len))
		return false;
	if (s->o.ignore && (sig_regex_matches(&s->ignore_re, text, len) ||
			    (*where && sig_regex_matches(&s->ignore_re, where, strlen(where))))) {
		set->ignored++;
		return false;
	}
	return true;
}

/* <prefix><run>: the output, split where the kill signal went out, then
 * how the run ended. Returns the path (malloc'd) or NULL. */
static char *save_failure(const struct stress_set *set, uint64_t idx, const struct proc *p,
			  const char *text, size_t len, size_t kill_at, const char *how,
			  const char *threads)
{
	struct sbuf path = { 0 }, content = { 0 };
	sb_printf(&path, "%s%llu", set->prefix, (unsigned long long)idx);
	sb_add(&content, text, kill_at);
	if (p->kill_sent_at)
		sb_printf(&content, "\n--- proftorture stress: %s after %.3gs: SIG%s sent to the "
				    "process group; what follows was printed after it ---\n",
			  outcome_name(OUT_TIMEOUT), p->deadline - p->start, signame(p->kill_signal));
	sb_add(&content, text + kill_at, len - kill_at);
	if (*threads)
		sb_printf(&content, "\n--- proftorture stress: where every thread was, from the "
				    "SIG%s to the end ---\n%s",
			  signame(p->kill_signal), threads);
	sb_printf(&content, "\n\nERROR: %s\n", how);
	bool saved = ledger_write(LEDGER_ARTIFACT, path.s, content.s, content.len, false) == 0;
	if (!saved)
		sb_free(&path);
	sb_free(&content);
	return saved ? path.s : NULL;
}

static void add_to_group(struct stress_set *set, const char *sig, const char *file)
{
	size_t g;
	for (g = 0; g < set->ngroups; g++)
		if (strcmp(set->groups[g].sig, sig) == 0)
			break;
	if (g == set->ngroups) {
		set->groups = xrealloc(set->groups, (set->ngroups + 1) * sizeof *set->groups);
		memset(&set->groups[g], 0, sizeof set->groups[g]);
		snprintf(set->groups[g].sig, sizeof set->groups[g].sig, "%s", sig);
		set->groups[g].example = xstrdup(file ? file : "(not saved)");
		set->ngroups++;
	}
	set->groups[g].count++;
}

/* Like Go's stress: the first failures' output in full; then one line each. */
static void announce(const struct stress_state *s, const struct stress_set *set, const char *file,
		     const char *text, size_t len, const char *how, const char *sig)
{
	if (s->hooks.quiet)
		return;
	if (set->failures > 3) {
		fprintf(stderr, "%s: %s\n", file ? file : "(not saved)", sig);
		return;
	}
	struct sbuf head = { 0 };
	sb_add(&head, text, len < 2048 ? len : 2048);
	ut_sanitize(head.s ? head.s : (char[1]){ 0 });
	fprintf(stderr, "\n%s\n%s%s\nERROR: %s\n\n", file ? file : "(not saved)", sb_str(&head),
		len > 2048 ? "\n..." : "", how);
	sb_free(&head);
}

/* A run's output as one text: the combined stream, or stdout then stderr
 * (the split where stderr's text starts: stdout_len_of). */
static size_t stdout_len_of(const struct proc *p, size_t len)
{
	size_t err_len;
	free(capture_text(&p->cap[1], &err_len));
	return len - err_len;
}

static char *run_text(const struct proc *p, size_t *len)
{
	char *text = capture_text(&p->cap[0], len);
	if (p->merged)
		return text;
	size_t err_len;
	char *err = capture_text(&p->cap[1], &err_len);
	struct sbuf b = { 0 };
	sb_add(&b, text, *len);
	sb_add(&b, err, err_len);
	free(text);
	free(err);
	*len = b.len;
	return b.s ? b.s : xstrdup("");
}

static void record_failure(const struct stress_state *s, struct stress_set *set,
			   struct stress_run *run, const struct proc *p, const char *text,
			   size_t len, const char *where, const char *threads)
{
	set->failures++;
	set->timeouts += p->timed_out;
	stress_series_add(&set->wall_failed, p->end - p->start);
	size_t kill_at = !p->kill_sent_at ? len
			 : p->merged	 ? capture_text_offset(&p->cap[0], p->out_at_kill[0])
					 : stdout_len_of(p, len) +
						   capture_text_offset(&p->cap[1], p->out_at_kill[1]);
	struct sig_end end = sig_end_of(p, kill_at);
	const regex_t *user = s->o.signature ? &s->signature_re : s->o.failure ? &s->failure_re : NULL;
	char how[192];
	end_desc(p, how, sizeof how);
	end.where = where;
	sig_of_run(text, len, &end, user, run->sig, sizeof run->sig);
	run->failed = true;
	run->file = s->hooks.no_files
			    ? NULL
			    : save_failure(set, run->index, p, text, len, kill_at, how, threads);
	add_to_group(set, run->sig, run->file);
	announce(s, set, run->file, text, len, how, run->sig);
}

static struct stress_run *add_run(struct stress_set *set)
{
	if (set->nruns == set->capruns) {
		set->capruns = set->capruns ? 2 * set->capruns : 64;
		set->runs = xrealloc(set->runs, set->capruns * sizeof *set->runs);
	}
	struct stress_run *r = &set->runs[set->nruns++];
	memset(r, 0, sizeof *r);
	return r;
}

static void done(void *ctx, void *job, struct proc *p)
{
	struct stress_state *s = ctx;
	struct sjob *j = job;
	struct stress_set *set = j->set;
	uint64_t idx = j->index;
	argv_free(j->argv);
	if (j->qemu_log >= 0)
		close(j->qemu_log);
	free(j);
	if (p->interrupted)
		return;
	if (p->spawn_failed && !set->cannot_start) {
		set->cannot_start = true;
		fprintf(stderr, "proftorture stress: cannot start %s: %s; stopping\n", set->cmd[0],
			strerror(p->spawn_errno));
	}
	size_t len;
	char *text = run_text(p, &len);
	double handled = stress_handled_of(text, len);
	count_run(s, set, p, handled);
	struct stress_run *run = add_run(set);
	run->index = idx;
	run->timed_out = p->timed_out;
	run->wall_s = p->spawn_failed ? NAN : p->end - p->start;
	run->handled = handled;
	end_short(p, run->end, sizeof run->end);
	if (is_failure(p)) {
		struct sbuf threads = { 0 };
		char where[THREADS_SUMMARY_MAX] = "";
		if (p->watch)
			threads_watch_report(p->watch, &threads, where, sizeof where);
		if (counts(s, set, p, text, len, where))
			record_failure(s, set, run, p, text, len, where, sb_str(&threads));
		sb_free(&threads);
	}
	free(text);
	if (s->hooks.ended)
		s->hooks.ended(s->hooks.ctx, idx, p, run->failed);
}

int stress_run_sets(struct stress_state *s)
{
	struct pool_ops ops = { next, done, status, stop };
	s->t0 = ut_now();
	int sig = pool_run_configured(s->o.p, &ops, configure, s, s->o.status_interval);
	s->elapsed = ut_now() - s->t0;
	return sig;
}
