/*
 * `proftorture stress [options] -- CMD ARGS...`: golang.org/x/tools/cmd/stress
 * for any command, natively or under qemu-<arch>, with the bounded runs and
 * the closing summary its users asked for, a signal cannon, and a dump
 * before the kill.
 *
 * The session, top-down: options (one table, checked whole before
 * anything runs: the command must start, the prefix and the JSON file must
 * be writable) -> the pool runs CMD -p at a time (spawn.h), with the cannon
 * (cannon.h) and the timeout's kill signal as per-run settings -> each run
 * is classified as it ends (done) -> the summary and the JSON report
 * (stress_report.c).
 *
 * A run FAILS when it exits non-zero, is killed by a signal, or hits
 * --timeout; then, as in Go's stress, --failure RE keeps only failures whose
 * output matches and --ignore RE drops those that match. Exception: a
 * timeout stays a failure even when --failure does not match (a hang prints
 * nothing to match, and must never pass silently); --ignore still applies.
 * Regexes are POSIX extended, matched line by line over the captured output
 * (NUL bytes read as '?'; the middle of a huge output is dropped by the
 * capture and never matched).
 *
 * Every failure's combined stdout+stderr goes to PREFIX<run number>, with a
 * marker line where the timeout's kill signal was sent and a closing
 * "ERROR: <how it ended>" line; a run stopped by its timeout also gets,
 * before that line, where each of its threads was from the kill signal to
 * the end (threads.h). Failures are grouped by signature
 * (signature.h) and counted. A failure file, the --json file or stdout
 * that cannot be written is counted by the ledger (ledger.h): the session
 * ends with a LOST line and exit status 3 (cli.h), whatever the failures.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cannon.h"
#include "cli.h"
#include "exec_check.h"
#include "ledger.h"
#include "options.h"
#include "protocol.h"
#include "spawn.h"
#include "stress.h"
#include "util.h"

/* ---- options ---- */

static int parse_signal(const char *arg, void *field, char *why, size_t cap)
{
	int sig = cannon_signal_number(arg);
	if (!sig) {
		snprintf(why, cap, "is not a signal name or number (e.g. PROF, SIGUSR1, 27)");
		return -1;
	}
	*(int *)field = sig;
	return 0;
}

#define S(field) OPT_AT(struct stress_opts, field)
static const struct opt stress_table[] = {
	{ .name = "arch", .arg = "A", .def = "native", .kind = OPT_STRING, .at = S(arch),
	  .help = "run CMD, a binary for arch A, under the arch's qemu\n"
		  "(ci/arches.tsv); native: directly" },
	{ .name = "parallel", .short_name = 'p', .arg = "N", .kind = OPT_UINT, .at = S(p), .min = 1,
	  .max = 256, .help = "runs at once (default: online CPUs)" },
	{ .name = "count", .arg = "N", .kind = OPT_UINT, .at = S(count), .min = 1, .max = 1e15,
	  .help = "stop after N runs", .group = "how long (none of the three: until Ctrl-C):" },
	{ .name = "for", .arg = "D", .kind = OPT_SECONDS, .at = S(for_s), .min = 0.001,
	  .help = "stop starting runs after D (e.g. 30s, 5m)" },
	{ .name = "max-failures", .arg = "N", .kind = OPT_UINT, .at = S(max_failures), .min = 1,
	  .max = 1e15, .help = "stop after N failures" },
	{ .name = "timeout", .arg = "D", .def = "10m", .kind = OPT_SECONDS, .at = S(timeout),
	  .min = 0.001, .help = "a run alive after D fails and is stopped",
	  .group = "hangs:" },
	{ .name = "kill-signal", .arg = "SIG", .def = "QUIT", .kind = OPT_CUSTOM,
	  .at = S(kill_signal), .parse = parse_signal,
	  .help = "at --timeout, first sent to the run's process\n"
		  "group (QUIT: a Go program prints every goroutine;\n"
		  "KILL: no dump)" },
	{ .name = "kill-grace", .arg = "D", .def = "5s", .kind = OPT_SECONDS, .at = S(kill_grace),
	  .help = "then SIGKILL this long after --kill-signal" },
	{ .name = "signal", .arg = "SIG", .def = "PROF", .kind = OPT_CUSTOM, .at = S(signal),
	  .given_at = OPT_GIVEN(struct stress_opts, signal_given), .parse = parse_signal,
	  .help = "the cannon's signal", .group = "the signal cannon (docs/stress.md: \"The signal cannon\"):" },
	{ .name = "signal-rate", .arg = "N", .def = "0", .kind = OPT_DOUBLE, .at = S(signal_rate),
	  .min = 0, .max = 1e6,
	  .help = "signals per second at each run, round-robin\n"
		  "over its threads (0: no cannon); a test comparing\n"
		  "sample counts with CPU time fails under any cannon\n"
		  "(Go's TestCPUProfileMultithreadMagnitude): leave it\n"
		  "out with -test.run (docs/stress.md)" },
	{ .name = "signal-after", .arg = "D", .kind = OPT_SECONDS, .at = S(signal_after),
	  .given_at = OPT_GIVEN(struct stress_opts, signal_after_given),
	  .help = "fire from D after the start (default: once the\n"
		  "program has set its action for the signal)" },
	{ .name = "failure", .arg = "RE", .kind = OPT_STRING, .at = S(failure),
	  .help = "only failing runs whose output matches RE count\n(a timeout always counts)",
	  .group = "which failures, and their names:" },
	{ .name = "ignore", .arg = "RE", .kind = OPT_STRING, .at = S(ignore),
	  .help = "failing runs whose output matches RE do not count" },
	{ .name = "signature", .arg = "RE", .kind = OPT_STRING, .at = S(signature),
	  .help = "name each failure by the first line matching RE\n"
		  "(default: the failure lines of docs/stress.md,\nelse the last line)" },
	{ .name = "output", .short_name = 'o', .arg = "PREFIX", .kind = OPT_STRING, .at = S(prefix),
	  .help = "failure files are PREFIX<run> (default\n$TMPDIR/proftorture-stress-<time>-)",
	  .group = "reports:" },
	{ .name = "json", .arg = "FILE", .kind = OPT_STRING, .at = S(json),
	  .help = "the report as JSON to FILE too ('-': stdout,\nand the summary to stderr)" },
	{ .name = "status-interval", .arg = "D", .def = "5s", .kind = OPT_SECONDS,
	  .at = S(status_interval), .help = "progress line period (0: none)" },
};
#undef S

static const struct opts_program stress_program = {
	.name = "proftorture stress",
	.usage = "usage: proftorture stress [options] -- CMD [ARGS...]\n\n"
		 "Runs CMD over and over, N at a time, like golang.org/x/tools/cmd/stress,\n"
		 "natively or under qemu-<arch>; saves every failing run's output and groups\n"
		 "failures by the line that names them.\n",
	.epilog = "exit status: 0 no failures, 1 failures, 2 usage error (nothing was run),\n"
		  "3 results lost: a failure file, the --json file or stdout could not be\n"
		  "written (the LOST line on stderr says what), whatever the failures.\n",
	.opts = stress_table,
	.nopts = OPTS_COUNT(stress_table),
	.usage_exit = PROTOCOL_EXIT_USAGE,
	.stop_at_operand = true,
};

static void compile_re(regex_t *re, const char *opt, const char *pattern)
{
	int rc = regcomp(re, pattern ? pattern : "", REG_EXTENDED | REG_NEWLINE | REG_NOSUB);
	if (rc) {
		char msg[256];
		regerror(rc, re, msg, sizeof msg);
		opts_die(&stress_program, "%s: bad regular expression '%s': %s", opt, pattern, msg);
	}
}

/* ---- setup: everything that can be wrong is found before the first run ---- */

static const struct arch *find_arch(const char *name, struct arch_table *t)
{
	if (strcmp(name, "native") == 0)
		return NULL;
	char err[512];
	char *apath = root_path("ci/arches.tsv");
	if (arches_load(apath, t, err, sizeof err))
		opts_die(&stress_program, "--arch: %s", err);
	free(apath);
	const struct arch *a = arch_find(t, name);
	if (!a) {
		struct sbuf b = { 0 };
		for (size_t i = 0; i < t->n; i++)
			sb_printf(&b, "%s%s", i ? " " : "", t->v[i].name);
		opts_die(&stress_program, "--arch: unknown arch '%s'; allowed: %s", name, b.s);
	}
	char *q = arch_is_cross(a) ? ut_which(a->qemu) : xstrdup("");
	if (!q)
		opts_die(&stress_program, "--arch %s: %s not found in PATH", name, a->qemu);
	free(q);
	return a;
}

/* Under qemu the readiness rule needs qemu's trace event (cannon.h). */
static void check_qemu_can_trace(const struct arch *a)
{
	if (!arch_qemu_has_event(a, CANNON_QEMU_EVENT))
		opts_die(&stress_program,
			 "--signal-rate: %s has no trace event %s, which tells when the program is "
			 "ready for the signal; give --signal-after D",
			 a->qemu, CANNON_QEMU_EVENT);
}

/* The failure files' prefix, proven writable. */
static char *failure_prefix(const char *given)
{
	struct sbuf pre = { 0 };
	if (given) {
		sb_puts(&pre, given);
	} else {
		const char *tmp = getenv("TMPDIR");
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		char ts[32];
		strftime(ts, sizeof ts, "%Y%m%dT%H%M%S", &tm);
		sb_printf(&pre, "%s/proftorture-stress-%s-", tmp && *tmp ? tmp : "/tmp", ts);
	}
	struct sbuf probe = { 0 };
	sb_printf(&probe, "%sprobe", pre.s);
	if (ut_write_file(probe.s, "x", 1, UT_FILE_NOSYNC) < 0)
		opts_die(&stress_program, "-o: cannot create files with prefix %s: %s", pre.s,
			 strerror(errno));
	unlink(probe.s);
	sb_free(&probe);
	return pre.s;
}

/* The checks that involve two options, or the world. */
static void check_setup(struct stress_state *s, struct arch_table *t)
{
	struct stress_opts *o = &s->o;
	if ((o->signal_given || o->signal_after_given) && o->signal_rate <= 0)
		opts_die(&stress_program, "--%s needs --signal-rate N (N > 0)",
			 o->signal_after_given ? "signal-after" : "signal");
	if (o->signal_rate > 0 && (o->signal == SIGKILL || o->signal == SIGSTOP))
		opts_die(&stress_program, "--signal: SIG%s cannot be handled by any program",
			 sigabbrev_np(o->signal));
	if (o->kill_signal == SIGKILL)
		o->kill_signal = 0; /* SIGKILL at once */
	s->arch = find_arch(o->arch, t);
	char why[1024];
	if (exec_check(s->cmd[0], s->arch, why, sizeof why) != 0)
		opts_die(&stress_program, "CMD: %s", why);
	if (o->signal_rate > 0 && !o->signal_after_given && s->arch && arch_is_cross(s->arch))
		check_qemu_can_trace(s->arch);
	s->prefix = failure_prefix(o->prefix);
	cli_check_output_file("stress", "--json", o->json);
}

static void parse_options(struct stress_state *s, int argc, char **argv)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	s->o.p = ncpu > 0 ? (uint64_t)ncpu : 1;
	s->o.signal_after = -1;
	int first = opts_parse(&stress_program, argc, argv, &s->o);
	compile_re(&s->failure_re, "--failure", s->o.failure);
	compile_re(&s->ignore_re, "--ignore", s->o.ignore);
	compile_re(&s->signature_re, "--signature", s->o.signature);
	if (first >= argc)
		opts_die(&stress_program,
			 "no command given (proftorture stress [options] -- CMD ARGS...)");
	s->cmd = &argv[first];
}

/* ---- the pool's callbacks ---- */

struct sjob {
	uint64_t index; /* 1-based run number, names the failure file */
	char **argv;
	int qemu_log; /* the cannon's readiness trace under qemu, or -1 */
};

static bool cross(const struct stress_state *s)
{
	return s->arch && arch_is_cross(s->arch);
}

static bool watch_qemu(const struct stress_state *s)
{
	return cross(s) && s->o.signal_rate > 0 && !s->o.signal_after_given;
}

/* [qemu flags... [trace options...]] CMD ARGS... */
static char **run_argv(const struct stress_state *s, int qemu_log)
{
	size_t ncmd = 0, ntrace = qemu_log >= 0 ? CANNON_QEMU_NARGS : 0, n;
	while (s->cmd[ncmd])
		ncmd++;
	char **v = arch_argv(s->arch, s->cmd[0], ncmd + ntrace, &n);
	char *prog = v[n - 1];
	if (ntrace)
		cannon_qemu_args(qemu_log, &v[n - 1]);
	n += ntrace;
	v[n - 1] = prog;
	for (size_t i = 1; i < ncmd; i++)
		v[n++] = xstrdup(s->cmd[i]);
	v[n] = NULL;
	return v;
}

static bool next(void *ctx, char ***argv, bool *merge, double *timeout, void **job)
{
	struct stress_state *s = ctx;
	if (s->o.count && s->started >= s->o.count)
		return false;
	if (s->o.for_s > 0 && ut_now() - s->t0 >= s->o.for_s)
		return false;
	int qemu_log = watch_qemu(s) ? cannon_qemu_log_new() : -1;
	if (watch_qemu(s) && qemu_log < 0) {
		fprintf(stderr, "proftorture stress: cannot create the cannon's qemu log: %s; stopping\n",
			strerror(errno));
		s->cannot_start = true;
		return false;
	}
	struct sjob *j = xmalloc(sizeof *j);
	j->index = ++s->started;
	j->qemu_log = qemu_log;
	j->argv = *argv = run_argv(s, qemu_log); /* must live until done() */
	*merge = true;
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
	if (s->o.signal_rate > 0)
		po->cannon = (struct cannon_aim){ s->o.signal, s->o.signal_rate,
						  s->o.signal_after_given ? s->o.signal_after : -1,
						  j->qemu_log };
}

static bool stop(void *ctx)
{
	struct stress_state *s = ctx;
	return s->cannot_start || (s->o.max_failures && s->failures >= s->o.max_failures);
}

static void status(void *ctx, double elapsed, void *const *running, size_t nrunning)
{
	(void)running;
	struct stress_state *s = ctx;
	char el[32];
	ut_format_duration(el, sizeof el, elapsed);
	fprintf(stderr, "%s: %llu runs so far, %llu failures (%.2f%%), %zu active\n", el,
		(unsigned long long)s->finished, (unsigned long long)s->failures,
		s->finished ? 100.0 * (double)s->failures / (double)s->finished : 0.0, nrunning);
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

/* What every finished run adds to the numbers, failing or not. */
static void count_run(struct stress_state *s, const struct proc *p)
{
	s->finished++;
	if (p->spawn_failed)
		return;
	stress_series_add(&s->wall_all, p->end - p->start);
	if (s->o.signal_rate <= 0)
		return;
	stress_series_add(&s->sent, (double)p->cannon_result.sent);
	if (p->cannon_result.ready_s < 0)
		s->never_ready++;
	else
		stress_series_add(&s->ready, p->cannon_result.ready_s);
	if (WIFSIGNALED(p->wait_status) && WTERMSIG(p->wait_status) == s->o.signal)
		s->killed_by_cannon_signal++;
}

static bool is_failure(const struct proc *p)
{
	return p->spawn_failed || p->timed_out || !WIFEXITED(p->wait_status) ||
	       WEXITSTATUS(p->wait_status) != 0;
}

/* --failure and --ignore; true when the failure counts. A timeout's
 * threads summary (threads.h) is matched as one more line of output. */
static bool counts(struct stress_state *s, const struct proc *p, const char *text, size_t len,
		   const char *where)
{
	if (s->o.failure && !p->timed_out && !sig_regex_matches(&s->failure_re, text, len))
		return false;
	if (s->o.ignore && (sig_regex_matches(&s->ignore_re, text, len) ||
			    (*where && sig_regex_matches(&s->ignore_re, where, strlen(where))))) {
		s->ignored++;
		return false;
	}
	return true;
}

/* PREFIX<run>: the output, split where the kill signal went out, then how
 * the run ended. Returns the path (malloc'd) or NULL. */
static char *save_failure(struct stress_state *s, uint64_t idx, const struct proc *p,
			  const char *text, size_t len, size_t kill_at, const char *how,
			  const char *threads)
{
	struct sbuf path = { 0 }, content = { 0 };
	sb_printf(&path, "%s%llu", s->prefix, (unsigned long long)idx);
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

static void add_to_group(struct stress_state *s, const char *sig, const char *file)
{
	size_t g;
	for (g = 0; g < s->ngroups; g++)
		if (strcmp(s->groups[g].sig, sig) == 0)
			break;
	if (g == s->ngroups) {
		s->groups = xrealloc(s->groups, (s->ngroups + 1) * sizeof *s->groups);
		memset(&s->groups[g], 0, sizeof s->groups[g]);
		snprintf(s->groups[g].sig, sizeof s->groups[g].sig, "%s", sig);
		s->groups[g].example = xstrdup(file ? file : "(not saved)");
		s->ngroups++;
	}
	s->groups[g].count++;
}

/* Like Go's stress: the first failures' output in full; then one line each. */
static void announce(const struct stress_state *s, const char *file, const char *text, size_t len,
		     const char *how, const char *sig)
{
	if (s->failures > 3) {
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

static void record_failure(struct stress_state *s, uint64_t idx, const struct proc *p,
			   const char *text, size_t len, const char *where, const char *threads)
{
	s->failures++;
	s->timeouts += p->timed_out;
	stress_series_add(&s->wall_failed, p->end - p->start);
	size_t kill_at = p->kill_sent_at ? capture_text_offset(&p->cap[0], p->out_at_kill[0]) : len;
	struct sig_end end = sig_end_of(p, kill_at);
	const regex_t *user = s->o.signature ? &s->signature_re : s->o.failure ? &s->failure_re : NULL;
	char how[192], sig[SIG_FULL_MAX];
	end_desc(p, how, sizeof how);
	end.where = where;
	sig_of_run(text, len, &end, user, sig, sizeof sig);
	char *file = save_failure(s, idx, p, text, len, kill_at, how, threads);
	add_to_group(s, sig, file);
	announce(s, file, text, len, how, sig);
	free(file);
}

static void done(void *ctx, void *job, struct proc *p)
{
	struct stress_state *s = ctx;
	struct sjob *j = job;
	uint64_t idx = j->index;
	argv_free(j->argv);
	if (j->qemu_log >= 0)
		close(j->qemu_log);
	free(j);
	if (p->interrupted)
		return;
	if (p->spawn_failed && !s->cannot_start) {
		s->cannot_start = true;
		fprintf(stderr, "proftorture stress: cannot start %s: %s; stopping\n", s->cmd[0],
			strerror(p->spawn_errno));
	}
	count_run(s, p);
	if (!is_failure(p))
		return;
	size_t len;
	char *text = capture_text(&p->cap[0], &len);
	struct sbuf threads = { 0 };
	char where[96] = "";
	if (p->watch)
		threads_watch_report(p->watch, &threads, where, sizeof where);
	if (counts(s, p, text, len, where))
		record_failure(s, idx, p, text, len, where, sb_str(&threads));
	sb_free(&threads);
	free(text);
}

/* ---- the session ---- */

static void announce_start(const struct stress_state *s)
{
	fprintf(stderr, "proftorture stress: %s%s%s, -p %llu, timeout %.3gs (then SIG%s",
		cross(s) ? s->arch->qemu : "", cross(s) ? " " : "", s->cmd[0],
		(unsigned long long)s->o.p, s->o.timeout,
		s->o.kill_signal ? signame(s->o.kill_signal) : "KILL");
	if (s->o.kill_signal)
		fprintf(stderr, ", SIGKILL %.3gs later", s->o.kill_grace);
	fprintf(stderr, "), failures to %s<run>\n", s->prefix);
	if (s->o.signal_rate > 0)
		fprintf(stderr, "proftorture stress: cannon: SIG%s at %.6g/s per run, from %s\n",
			signame(s->o.signal), s->o.signal_rate,
			s->o.signal_after_given ? "--signal-after"
			: cross(s)		 ? "qemu's trace of the guest's sigaction"
						 : "the handler in /proc/PID/status");
}

static void free_state(struct stress_state *s)
{
	for (size_t i = 0; i < s->ngroups; i++)
		free(s->groups[i].example);
	free(s->groups);
	regfree(&s->failure_re);
	regfree(&s->ignore_re);
	regfree(&s->signature_re);
	free(s->wall_all.v);
	free(s->wall_failed.v);
	free(s->sent.v);
	free(s->ready.v);
	free((char *)s->prefix);
}

int cmd_stress(int argc, char **argv)
{
	struct stress_state s;
	memset(&s, 0, sizeof s);
	struct arch_table t = { 0 };
	parse_options(&s, argc, argv);
	check_setup(&s, &t);
	announce_start(&s);
	struct pool_ops ops = { next, done, status, stop };
	s.t0 = ut_now();
	ledger_start("stress", NULL);
	s.interrupted = pool_run_configured(s.o.p, &ops, configure, &s, s.o.status_interval);
	s.elapsed = ut_now() - s.t0;
	bool json_to_stdout = s.o.json && strcmp(s.o.json, "-") == 0;
	stress_print_summary(&s, json_to_stdout ? stderr : stdout);
	if (s.o.json)
		stress_write_json(&s);
	if (s.cannot_start && !s.failures)
		s.failures = 1;
	int rc = ledger_finish(s.failures ? PROTOCOL_RUNNER_EXIT_MISMATCH : PROTOCOL_RUNNER_EXIT_MATCHED);
	free_state(&s);
	arches_free(&t);
	return rc;
}
