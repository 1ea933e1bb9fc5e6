/*
 * `proftorture stress [options] -- CMD ARGS...`: golang.org/x/tools/cmd/stress
 * for any command, natively or under qemu-<arch>, with the bounded runs and
 * the closing summary its users asked for, a signal cannon, and a dump
 * before the kill.
 *
 * The session, top-down: options (one table, checked whole before
 * anything runs: every arch's command must start, the prefix, the JSON
 * file and the out directory must be writable) -> the run sets, one per
 * arch of --arch (a comma list, or all: every row of ci/arches.tsv that
 * can run here), two per arch with --baseline, each with its command's
 * placeholders {arch} and {goarch} substituted -> the pool runs them all,
 * -p at a time (stress_run.c), with the cannon (cannon.h) and the
 * timeout's kill signal as per-run settings -> each set's summary, the
 * pooled table and the verdicts, --json (stress_report.c), --out
 * (stress_out.c).
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
 * Every failure's combined stdout+stderr goes to PREFIX<run number> (among
 * several sets PREFIX<arch>[-<side>]-<run number>), with a
 * marker line where the timeout's kill signal was sent and a closing
 * "ERROR: <how it ended>" line; a run stopped by its timeout also gets,
 * before that line, where each of its threads was from the kill signal to
 * the end (threads.h). Failures are grouped by signature
 * (signature.h) and counted per set. A failure file, the --json file, an
 * --out file or stdout that cannot be written is counted by the ledger (ledger.h): the session
 * ends with a LOST line and exit status 3 (cli.h), whatever the failures.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cannon.h"
#include "cli.h"
#include "config.h"
#include "exec_check.h"
#include "ledger.h"
#include "options.h"
#include "protocol.h"
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

/* "5%" or "0.05": a rate strictly between 0 and 1. */
static int parse_rate(const char *arg, void *field, char *why, size_t cap)
{
	size_t n = strlen(arg);
	bool percent = n && arg[n - 1] == '%';
	char num[64];
	double x;
	if (n >= sizeof num || !n) {
		snprintf(why, cap, "is not a rate in (0%%, 100%%) (e.g. 5%% or 0.05)");
		return -1;
	}
	memcpy(num, arg, n + 1);
	if (percent)
		num[n - 1] = 0;
	if (opts_parse_double(num, &x) || !(x > 0) || !(percent ? x < 100 : x < 1)) {
		snprintf(why, cap, "is not a rate in (0%%, 100%%) (e.g. 5%% or 0.05)");
		return -1;
	}
	*(double *)field = percent ? x / 100 : x;
	return 0;
}

#define S(field) OPT_AT(struct stress_opts, field)
static const struct opt stress_table[] = {
	{ .name = "arch", .arg = "A,..", .def = "native", .kind = OPT_STRING, .at = S(arch),
	  .help = "run CMD, a binary for arch A, under the arch's qemu\n"
		  "(ci/arches.tsv); native: directly. A comma list runs\n"
		  "one set per arch, -p shared, with a pooled table;\n"
		  "all: every arch that can run here (the others NOT RUN).\n"
		  "In every word of CMD, {arch} becomes the arch's name\n"
		  "and {goarch} its GOARCH (./prog.{arch})" },
	{ .name = "baseline", .kind = OPT_FLAG, .at = S(baseline),
	  .help = "compare two builds arch by arch: the operands are\n"
		  "-- BASELINE ARGS... -- NEW ARGS...; per arch both\n"
		  "run as many runs, with Fisher's exact test (two-sided)" },
	{ .name = "parallel", .short_name = 'p', .arg = "N", .kind = OPT_UINT, .at = S(p), .min = 1,
	  .max = 256, .help = "runs at once (default: online CPUs)" },
	{ .name = "count", .arg = "N", .kind = OPT_UINT, .at = S(count), .min = 1, .max = 1e15,
	  .help = "stop after N runs (per set)",
	  .group = "how long (none of these: until Ctrl-C):" },
	{ .name = "for", .arg = "D", .kind = OPT_SECONDS, .at = S(for_s), .min = 0.001,
	  .help = "stop starting runs after D (e.g. 30s, 5m)" },
	{ .name = "max-failures", .arg = "N", .kind = OPT_UINT, .at = S(max_failures), .min = 1,
	  .max = 1e15, .help = "stop after N failures (per set)" },
	{ .name = "until-bound", .arg = "RATE", .kind = OPT_CUSTOM, .at = S(until_bound),
	  .parse = parse_rate,
	  .help = "per set, run until the 95% upper bound on the\n"
		  "failure rate is below RATE (e.g. 5%), or a failure\n"
		  "decides it; --count or --for is the budget" },
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
	{ .name = "no-guest-pcs", .kind = OPT_FLAG, .at = S(no_guest_pcs),
	  .help = "under qemu, without the guest-PC plugin, which\n"
		  "names each hung thread's guest function but slows\n"
		  "a CPU-bound guest about 2x (docs/stress.md: \"Hangs\")" },
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
	{ .name = "signal-anytime", .kind = OPT_FLAG, .at = S(signal_anytime),
	  .help = "fire whether or not the program's profiling timer\n"
		  "is armed (default under qemu: only while it is, at\n"
		  "the threads the kernel would signal). Also finds\n"
		  "what a signal delivered late finds (a SIGPROF inside\n"
		  "the runtime's own profiler switch: Go's cpuProfile.add\n"
		  "livelock); costs nothing more, but those hangs then\n"
		  "mix with the bug under test (docs/stress.md)" },
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
	{ .name = "out", .arg = "DIR", .kind = OPT_STRING, .at = S(out),
	  .help = "write DIR/summary.json, report.html, junit.xml and\n"
		  "report.tap (a row, a test case per set); failure\n"
		  "files go to DIR/runs/ unless -o says otherwise" },
	{ .name = "status-interval", .arg = "D", .def = "5s", .kind = OPT_SECONDS,
	  .at = S(status_interval), .help = "progress line period (0: none)" },
};
#undef S

static const struct opts_program stress_program = {
	.name = "proftorture stress",
	.usage = "usage: proftorture stress [options] -- CMD [ARGS...]\n"
		 "       proftorture stress [options] --baseline -- OLD [ARGS...] -- NEW [ARGS...]\n\n"
		 "Runs CMD over and over, N at a time, like golang.org/x/tools/cmd/stress,\n"
		 "natively or under qemu-<arch>; saves every failing run's output and groups\n"
		 "failures by the line that names them. Several arches at once (--arch a,b or\n"
		 "all), two builds compared (--baseline), until a bound is proven\n"
		 "(--until-bound). A program reports the signals it handled with a line\n"
		 "'proftorture: signals handled N' (docs/stress.md: \"Exposure\").\n",
	.epilog = "exit status: 0 no failures, 1 failures, 2 usage error (nothing was run),\n"
		  "3 results lost: a failure file, the --json file, an --out file or stdout\n"
		  "could not be written (the LOST line on stderr says what), whatever the\n"
		  "failures. 1 also when a set is unexercised (no signal reached it), an\n"
		  "arch is NOT RUN, or --until-bound's bound was not reached; with\n"
		  "--baseline, the baseline's failures do not count.\n",
	.opts = stress_table,
	.nopts = OPTS_COUNT(stress_table),
	.usage_exit = PROTOCOL_EXIT_USAGE,
	.stop_at_operand = true,
};

/* Who setup errors are from: stress, or the command running the session. */
static const struct opts_program *die_as = &stress_program;

static void compile_re(regex_t *re, const char *opt, const char *pattern)
{
	int rc = regcomp(re, pattern ? pattern : "", REG_EXTENDED | REG_NEWLINE | REG_NOSUB);
	if (rc) {
		char msg[256];
		regerror(rc, re, msg, sizeof msg);
		opts_die(die_as, "%s: bad regular expression '%s': %s", opt, pattern, msg);
	}
}

/* ---- setup: everything that can be wrong is found before the first run ---- */

static void load_arches(struct arch_table *t)
{
	char err[512];
	char *apath = root_path("ci/arches.tsv");
	if (arches_load(apath, t, err, sizeof err))
		opts_die(die_as, "--arch: %s", err);
	free(apath);
}

static _Noreturn void unknown_arch(const struct arch_table *t, const char *name)
{
	struct sbuf b = { 0 };
	for (size_t i = 0; i < t->n; i++)
		sb_printf(&b, "%s%s", i ? " " : "", t->v[i].name);
	opts_die(die_as, "--arch: unknown arch '%s'; allowed: %s, or all", name, b.s);
}

/* --arch's names, in order: the table's rows for all. */
static char **arch_names(const struct arch_table *t, const char *list, bool *all)
{
	*all = strcmp(list, "all") == 0;
	size_t n = 0;
	char **v = xcalloc(t->n + 2, sizeof *v);
	if (*all) {
		for (size_t i = 0; i < t->n; i++)
			v[n++] = xstrdup(t->v[i].name);
		return v;
	}
	char *copy = xstrdup(list), *save = copy;
	for (char *name; (name = strsep(&save, ","));) {
		if (!*name)
			opts_die(die_as, "--arch: '%s' has an empty name", list);
		if (strcmp(name, "all") == 0)
			opts_die(die_as, "--arch: all stands alone, not in a list");
		if (!arch_find(t, name))
			unknown_arch(t, name);
		for (size_t i = 0; i < n; i++)
			if (strcmp(v[i], name) == 0)
				opts_die(die_as, "--arch: '%s' is named twice", name);
		v[n++] = xstrdup(name);
	}
	free(copy);
	return v;
}


/* One word with {arch} and {goarch} substituted (malloc'd), or NULL with
 * why. goarch NULL: the arch has no Go port. */
static char *substitute(const char *word, const char *arch, const char *goarch, char *why,
			size_t cap)
{
	struct sbuf b = { 0 };
	for (const char *p = word; *p;) {
		size_t name = *p == '{' ? strspn(p + 1, "abcdefghijklmnopqrstuvwxyz_") : 0;
		if (!name || p[1 + name] != '}') {
			sb_add(&b, p++, 1);
			continue;
		}
		if (name == 4 && strncmp(p + 1, "arch", 4) == 0) {
			sb_puts(&b, arch);
		} else if (name == 6 && strncmp(p + 1, "goarch", 6) == 0 && goarch) {
			sb_puts(&b, goarch);
		} else if (name == 6 && strncmp(p + 1, "goarch", 6) == 0) {
			snprintf(why, cap, "{goarch}: %s has no Go port (ci/arches.tsv's go_analogue)",
				 arch);
			sb_free(&b);
			return NULL;
		} else {
			snprintf(why, cap, "unknown placeholder '%.*s' in '%s'; allowed: {arch} {goarch}",
				 (int)name + 2, p, word);
			sb_free(&b);
			return NULL;
		}
		p += name + 2;
	}
	return b.s ? b.s : xstrdup("");
}

static char **substitute_argv(char **cmd, const char *arch, const char *goarch, char *why,
			      size_t cap)
{
	size_t n = 0;
	while (cmd[n])
		n++;
	char **v = xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		if (!(v[i] = substitute(cmd[i], arch, goarch, why, cap))) {
			argv_free(v);
			return NULL;
		}
	return v;
}

/* An unknown placeholder is the user's typo on every arch: a usage error
 * even under --arch all. */
static void check_placeholders(struct stress_state *s)
{
	char why[512];
	for (int c = 0; c < 2 && s->cmds[c]; c++) {
		char **v = substitute_argv(s->cmds[c], "a", "g", why, sizeof why);
		if (!v)
			opts_die(die_as, "CMD: %s", why);
		argv_free(v);
	}
}

/* Under qemu the readiness rule needs qemu's trace event (cannon.h). */
static int check_qemu_can_trace(const struct arch *a, char *why, size_t cap)
{
	if (arch_qemu_has_event(a, CANNON_QEMU_EVENT))
		return 0;
	snprintf(why, cap,
		 "--signal-rate: %s has no trace event %s, which tells when the program is "
		 "ready for the signal; give --signal-after D",
		 a->qemu, CANNON_QEMU_EVENT);
	return -1;
}

/* Everything about one arch that can stop it: its emulator, the cannon's
 * trace, and each of its commands (placeholders, then exec_check). Adds
 * its sets; -1 with why (and no set added) when it cannot run. */
static int add_arch(struct stress_state *s, const struct arch_table *t, const char *name,
		    char *why, size_t cap)
{
	const struct arch *row = arch_find(t, name);
	const struct arch *a = strcmp(name, "native") == 0 ? NULL : row;
	if (a && arch_is_cross(a)) {
		char *q = ut_which(a->qemu);
		if (!q) {
			snprintf(why, cap, "--arch %s: %s not found in PATH", name, a->qemu);
			return -1;
		}
		free(q);
		if (s->o.signal_rate > 0 && !s->o.signal_after_given &&
		    check_qemu_can_trace(a, why, cap))
			return -1;
	}
	char *goarch = arch_goarch(row);
	char **cmds[2] = { NULL, NULL };
	int rc = 0;
	for (int c = 0; c < 2 && s->cmds[c] && rc == 0; c++) {
		char inner[1024];
		cmds[c] = substitute_argv(s->cmds[c], name, goarch, inner, sizeof inner);
		if (!cmds[c] || exec_check(cmds[c][0], a, inner, sizeof inner) != 0) {
			snprintf(why, cap, "CMD%s: %s", s->cmds[1] ? (c ? " (new)" : " (baseline)") : "",
				 inner);
			rc = -1;
		}
	}
	free(goarch);
	if (rc) {
		argv_free(cmds[0]);
		argv_free(cmds[1]);
		return -1;
	}
	for (int c = 0; c < 2 && cmds[c]; c++) {
		s->sets = xrealloc(s->sets, (s->nsets + 1) * sizeof *s->sets);
		struct stress_set *set = &s->sets[s->nsets++];
		memset(set, 0, sizeof *set);
		set->arch = a;
		set->arch_name = row->name;
		set->side = s->cmds[1] ? (c ? "new" : "baseline") : NULL;
		set->cmd = cmds[c];
		if (s->o.until_bound > 0)
			set->needed = stress_runs_for_bound(s->o.until_bound);
	}
	return 0;
}

/* The failure files' prefix, proven writable. */
static char *failure_prefix(const char *given, const char *outdir)
{
	struct sbuf pre = { 0 };
	if (given) {
		sb_puts(&pre, given);
	} else if (outdir) {
		sb_printf(&pre, "%s/runs/", outdir);
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
		opts_die(die_as, "-o: cannot create files with prefix %s: %s", pre.s,
			 strerror(errno));
	unlink(probe.s);
	sb_free(&probe);
	return pre.s;
}

/* Each set's failure files: PREFIX<run> alone, PREFIX<arch>[-<side>]-<run>
 * among several. */
static void set_prefixes(struct stress_state *s)
{
	for (size_t i = 0; i < s->nsets; i++) {
		struct stress_set *set = &s->sets[i];
		struct sbuf b = { 0 };
		sb_puts(&b, s->prefix);
		if (s->nsets > 1)
			sb_printf(&b, "%s%s%s-", set->arch_name, set->side ? "-" : "",
				  set->side ? set->side : "");
		set->prefix = b.s;
	}
}

static void add_not_run(struct stress_state *s, const char *arch, const char *why)
{
	s->not_run = xrealloc(s->not_run, (s->nnot_run + 1) * sizeof *s->not_run);
	s->not_run[s->nnot_run++] = (struct stress_not_run){ xstrdup(arch), xstrdup(why) };
	fprintf(stderr, "proftorture stress: %s NOT RUN: %s\n", arch, why);
}

/* The checks that involve two options, or the world. */
static void check_setup(struct stress_state *s, struct arch_table *t)
{
	struct stress_opts *o = &s->o;
	if ((o->signal_given || o->signal_after_given || o->signal_anytime) && o->signal_rate <= 0)
		opts_die(die_as, "--%s needs --signal-rate N (N > 0)",
			 o->signal_after_given ? "signal-after"
			 : o->signal_anytime  ? "signal-anytime"
					      : "signal");
	if (o->signal_rate > 0 && !o->signal_anytime && o->signal != SIGPROF)
		opts_die(die_as, "--signal SIG%s: the cannon's gate follows the program's "
			 "profiling timers, which send SIGPROF; give --signal-anytime to fire "
			 "SIG%s regardless", sigabbrev_np(o->signal), sigabbrev_np(o->signal));
	if (o->signal_rate > 0 && (o->signal == SIGKILL || o->signal == SIGSTOP))
		opts_die(die_as, "--signal: SIG%s cannot be handled by any program",
			 sigabbrev_np(o->signal));
	if (o->kill_signal == SIGKILL)
		o->kill_signal = 0; /* SIGKILL at once */
	check_placeholders(s);
	load_arches(t);
	bool all;
	char **names = arch_names(t, o->arch, &all);
	for (size_t i = 0; names[i]; i++) {
		char why[1536];
		if (add_arch(s, t, names[i], why, sizeof why) == 0)
			continue;
		if (!all)
			opts_die(die_as, "%s", why);
		add_not_run(s, names[i], why);
	}
	argv_free(names);
	if (!s->nsets)
		opts_die(die_as, "--arch all: no arch can run here (each is named above)");
	if (o->out) {
		char err[512];
		struct sbuf runs = { 0 };
		sb_printf(&runs, "%s/runs", o->out);
		if (ut_dir_writable(o->out, err, sizeof err) ||
		    ut_dir_writable(runs.s, err, sizeof err))
			opts_die(die_as, "--out: %s", err);
		sb_free(&runs);
		s->outdir = xstrdup(o->out);
	}
	s->prefix = s->hooks.no_files ? xstrdup("") : failure_prefix(o->prefix, s->outdir);
	s->guest_plugin = guestpc_plugin_path();
	s->gate_plugin = timergate_plugin_path();
	set_prefixes(s);
	cli_check_output_file(die_as == &stress_program ? "stress" : die_as->name, "--json", o->json);
}

/* The operands: CMD ARGS..., or with --baseline OLD ARGS... -- NEW ARGS... */
static void split_commands(struct stress_state *s, int argc, char **argv, int first)
{
	if (first >= argc)
		opts_die(die_as,
			 "no command given (proftorture stress [options] -- CMD ARGS...)");
	s->cmds[0] = &argv[first];
	if (!s->o.baseline)
		return;
	for (int i = first; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			argv[i] = NULL;
			s->cmds[1] = &argv[i + 1];
			break;
		}
	if (!s->cmds[1] || !s->cmds[0][0] || !s->cmds[1][0])
		opts_die(die_as, "--baseline: give two commands: -- BASELINE [ARGS...] -- "
					  "NEW [ARGS...]");
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
	split_commands(s, argc, argv, first);
}

/* ---- the session ---- */

static const char *signame(int sig)
{
	const char *n = sigabbrev_np(sig);
	return n ? n : "?";
}

static void announce_start(const struct stress_state *s)
{
	for (size_t i = 0; i < s->nsets; i++) {
		const struct stress_set *set = &s->sets[i];
		bool cross = stress_set_cross(set);
		char name[96];
		fprintf(stderr, "proftorture stress: %s%s%s%s%s\n",
			s->nsets > 1 ? stress_set_name(set, name, sizeof name) : "",
			s->nsets > 1 ? ": " : "", cross ? set->arch->qemu : "", cross ? " " : "",
			set->cmd[0]);
	}
	fprintf(stderr, "proftorture stress: -p %llu, timeout %.3gs (then SIG%s",
		(unsigned long long)s->o.p, s->o.timeout,
		s->o.kill_signal ? signame(s->o.kill_signal) : "KILL");
	if (s->o.kill_signal)
		fprintf(stderr, ", SIGKILL %.3gs later", s->o.kill_grace);
	fprintf(stderr, "), failures to %s%s<run>\n", s->prefix,
		s->nsets > 1 ? "<arch>[-<side>]-" : "");
	if (s->o.signal_rate > 0)
		fprintf(stderr, "proftorture stress: cannon: SIG%s at %.6g/s per run, %s, from %s\n",
			signame(s->o.signal), s->o.signal_rate,
			s->o.signal_anytime ? "at any time (--signal-anytime)"
					    : "under qemu only while the program's profiling timer is "
					      "armed (natively at any time)",
			s->o.signal_after_given ? "--signal-after"
						: "the program's own handler (natively: "
						  "/proc/PID/status; under qemu: qemu's trace of "
						  "the guest's sigaction)");
	if (s->o.until_bound > 0)
		fprintf(stderr,
			"proftorture stress: --until-bound %.4g%%: %llu clean runs per set reach it\n",
			100 * s->o.until_bound, (unsigned long long)s->sets[0].needed);
}

void stress_free(struct stress_state *s)
{
	for (size_t k = 0; k < s->nsets; k++) {
		struct stress_set *set = &s->sets[k];
		for (size_t i = 0; i < set->ngroups; i++)
			free(set->groups[i].example);
		for (size_t i = 0; i < set->nruns; i++)
			free(set->runs[i].file);
		free(set->groups);
		free(set->runs);
		free(set->wall_all.v);
		free(set->wall_failed.v);
		free(set->sent.v);
		free(set->held.v);
		free(set->ready.v);
		free(set->prefix);
		argv_free(set->cmd);
	}
	free(s->sets);
	for (size_t i = 0; i < s->nnot_run; i++) {
		free(s->not_run[i].arch);
		free(s->not_run[i].reason);
	}
	free(s->not_run);
	regfree(&s->failure_re);
	regfree(&s->ignore_re);
	regfree(&s->signature_re);
	free(s->prefix);
	free(s->outdir);
	free(s->command_line);
	free(s->guest_plugin);
	free(s->gate_plugin);
}

int cmd_stress(int argc, char **argv)
{
	struct stress_state s;
	memset(&s, 0, sizeof s);
	struct arch_table t = { 0 };
	s.command_line = config_command_line(argc, argv);
	s.table = &t;
	parse_options(&s, argc, argv);
	check_setup(&s, &t);
	announce_start(&s);
	ledger_start("stress", s.outdir);
	s.interrupted = stress_run_sets(&s);
	bool json_to_stdout = s.o.json && strcmp(s.o.json, "-") == 0;
	FILE *f = json_to_stdout ? stderr : stdout;
	for (size_t i = 0; i < s.nsets; i++)
		stress_print_summary(&s, &s.sets[i], f);
	stress_print_verdicts(&s, f);
	if (s.o.json)
		stress_write_json(&s);
	if (s.outdir)
		stress_write_out(&s, f);
	if (f == stdout) /* the summary is a result: a failed write is a loss */
		ledger_check_stream(f, "stdout");
	else
		fflush(f);
	int rc = ledger_finish(stress_exit_status(&s));
	stress_free(&s);
	arches_free(&t);
	return rc;
}

void stress_defaults(struct stress_state *s, char **cmd)
{
	memset(s, 0, sizeof *s);
	s->o.p = 1;
	s->o.signal_after = -1;
	char *none[] = { (char *)stress_program.name, NULL };
	opts_parse(&stress_program, 1, none, &s->o);
	compile_re(&s->failure_re, "--failure", NULL);
	compile_re(&s->ignore_re, "--ignore", NULL);
	compile_re(&s->signature_re, "--signature", NULL);
	s->cmds[0] = cmd;
}

int stress_session(struct stress_state *s, struct arch_table *t)
{
	die_as = s->hooks.program ? s->hooks.program : &stress_program;
	s->table = t;
	check_setup(s, t);
	if (!s->hooks.quiet)
		announce_start(s);
	s->interrupted = stress_run_sets(s);
	return s->interrupted;
}
