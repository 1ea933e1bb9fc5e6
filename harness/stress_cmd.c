/*
 * `proftorture stress [options] -- CMD ARGS...`: golang.org/x/tools/cmd/stress
 * for any command, natively or under qemu-<arch>, with the bounded runs and
 * the closing summary its users asked for.
 *
 * A run FAILS when it exits non-zero, is killed by a signal, or hits
 * --timeout; then, as in Go's stress, --failure RE keeps only failures whose
 * output matches and --ignore RE drops those that match. Exception: a
 * timeout stays a failure even when --failure does not match (a hang prints
 * nothing to match, and must never pass silently); --ignore still applies.
 * Regexes are POSIX extended (regcomp REG_EXTENDED|REG_NEWLINE), matched
 * line by line over the captured output (NUL bytes read as '?'; the middle
 * of a huge output is dropped by the capture and never matched).
 *
 * Every failure's combined stdout+stderr goes to PREFIX<run number> with a
 * closing "ERROR: <how it ended>" line; failures are grouped by signature
 * (signature.h) and counted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arches.h"
#include "cli.h"
#include "signature.h"
#include "spawn.h"
#include "stats.h"
#include "util.h"

struct group {
	char sig[SIG_MAX + 112];
	unsigned long count;
	char *first_file;
};

struct sjob {
	uint64_t index; /* 1-based run number, names the failure file */
	char **argv;
};

struct sstate {
	const struct arch *arch;
	char **cmd;
	unsigned p;
	uint64_t count, max_failures;
	double for_s, timeout, t0;
	regex_t failure_re, ignore_re;
	bool has_failure, has_ignore;
	bool cannot_start; /* exec failed: every further run would too */
	const char *prefix;
	uint64_t started, finished, failures, ignored, timeouts;
	struct group *groups;
	size_t ngroups;
};

static void help(void)
{
	printf("usage: proftorture stress [options] -- CMD [ARGS...]\n\n"
	       "Runs CMD over and over, N at a time, like golang.org/x/tools/cmd/stress, natively\n"
	       "or under qemu-<arch>; saves every failing run's output and groups failures.\n\n"
	       "  --arch A           run CMD (a binary for arch A) under that arch's qemu and\n"
	       "                     flags from ci/arches.tsv (default native: run it directly)\n"
	       "  -p N               parallel runs (default: online CPUs)\n"
	       "  --count N          stop after N runs\n"
	       "  --for D            stop starting runs after D (e.g. 30s, 5m)\n"
	       "  --max-failures N   stop after N failures\n"
	       "                     (none of the three: run until Ctrl-C, then summarise)\n"
	       "  --timeout D        per-run hard timeout, kills the run's process group (10m)\n"
	       "  --failure RE       only failing runs whose output matches RE count (POSIX ERE);\n"
	       "                     a timeout always counts\n"
	       "  --ignore RE        failing runs whose output matches RE do not count\n"
	       "  -o PREFIX          failure files are PREFIX<run> (default\n"
	       "                     $TMPDIR/proftorture-stress-<time>-)\n"
	       "  --status-interval S  progress line period (default 5s)\n"
	       "exit status: 0 no failures, 1 failures, 2 usage error.\n");
}

static bool next(void *ctx, char ***argv, bool *merge, double *timeout, void **job)
{
	struct sstate *s = ctx;
	if (s->count && s->started >= s->count)
		return false;
	if (s->for_s > 0 && ut_now() - s->t0 >= s->for_s)
		return false;
	size_t ncmd = 0;
	while (s->cmd[ncmd])
		ncmd++;
	size_t n;
	char **v = arch_argv(s->arch, s->cmd[0], ncmd, &n);
	for (size_t i = 1; i < ncmd; i++)
		v[n++] = xstrdup(s->cmd[i]);
	v[n] = NULL;
	*argv = v;
	*merge = true;
	*timeout = s->timeout;
	struct sjob *j = xmalloc(sizeof *j);
	j->index = ++s->started;
	j->argv = v; /* must live until done() */
	*job = j;
	return true;
}

static bool stop(void *ctx)
{
	struct sstate *s = ctx;
	return s->cannot_start || (s->max_failures && s->failures >= s->max_failures);
}

static void end_desc(const struct proc *p, char *buf, size_t cap)
{
	if (p->spawn_failed)
		snprintf(buf, cap, "could not start: %s", strerror(p->spawn_errno));
	else if (p->timed_out)
		snprintf(buf, cap, "timeout after %.0fs", p->deadline - p->start);
	else if (WIFSIGNALED(p->wait_status))
		snprintf(buf, cap, "signal %d (%s)", WTERMSIG(p->wait_status),
			 sigdescr_np(WTERMSIG(p->wait_status)) ? sigdescr_np(WTERMSIG(p->wait_status))
							       : "?");
	else
		snprintf(buf, cap, "exit status %d", WEXITSTATUS(p->wait_status));
}

static void done(void *ctx, void *job, struct proc *p)
{
	struct sstate *s = ctx;
	struct sjob *j = job;
	uint64_t idx = j->index;
	argv_free(j->argv);
	free(j);
	if (p->interrupted)
		return;
	if (p->spawn_failed && !s->cannot_start) {
		s->cannot_start = true;
		fprintf(stderr, "proftorture stress: cannot start %s: %s; stopping\n", s->cmd[0],
			strerror(p->spawn_errno));
	}
	s->finished++;
	bool failed = p->spawn_failed || p->timed_out || !WIFEXITED(p->wait_status) ||
		      WEXITSTATUS(p->wait_status) != 0;
	if (!failed)
		return;
	size_t len;
	char *text = capture_text(&p->cap[0], &len);
	if (s->has_failure && !p->timed_out && !sig_regex_matches(&s->failure_re, text, len)) {
		free(text);
		return;
	}
	if (s->has_ignore && sig_regex_matches(&s->ignore_re, text, len)) {
		s->ignored++;
		free(text);
		return;
	}
	s->failures++;
	if (p->timed_out)
		s->timeouts++;
	char how[96], line[SIG_MAX];
	end_desc(p, how, sizeof how);
	sig_from_output(text, len, s->has_failure ? &s->failure_re : NULL, line, sizeof line);
	char sig[SIG_MAX + 112];
	const char *kind = p->timed_out ? "timeout" : p->spawn_failed ? "could not start" : how;
	char kindbuf[64];
	if (!p->timed_out && !p->spawn_failed && WIFSIGNALED(p->wait_status)) {
		snprintf(kindbuf, sizeof kindbuf, "signal %d", WTERMSIG(p->wait_status));
		kind = kindbuf;
	}
	snprintf(sig, sizeof sig, "%s%s%s", kind, line[0] ? ": " : "", line);

	struct sbuf path = { 0 };
	sb_printf(&path, "%s%llu", s->prefix, (unsigned long long)idx);
	struct sbuf content = { 0 };
	sb_add(&content, text, len);
	sb_printf(&content, "\n\nERROR: %s\n", how);
	bool saved = ut_write_file(path.s, content.s, content.len, false) == 0;
	if (!saved)
		fprintf(stderr, "proftorture stress: cannot write %s: %s\n", path.s, strerror(errno));

	size_t g;
	for (g = 0; g < s->ngroups; g++)
		if (strcmp(s->groups[g].sig, sig) == 0)
			break;
	if (g == s->ngroups) {
		s->groups = xrealloc(s->groups, (s->ngroups + 1) * sizeof *s->groups);
		memset(&s->groups[g], 0, sizeof s->groups[g]);
		snprintf(s->groups[g].sig, sizeof s->groups[g].sig, "%s", sig);
		s->groups[g].first_file = xstrdup(saved ? path.s : "(not saved)");
		s->ngroups++;
	}
	s->groups[g].count++;
	/* Like Go's stress: show the first failures' output; then one line each. */
	if (s->failures <= 3) {
		struct sbuf head = { 0 };
		sb_add(&head, text, len < 2048 ? len : 2048);
		ut_sanitize(head.s ? head.s : (char[1]){ 0 });
		fprintf(stderr, "\n%s\n%s%s\nERROR: %s\n\n", saved ? path.s : "(not saved)",
			sb_str(&head), len > 2048 ? "\n..." : "", how);
		sb_free(&head);
	} else {
		fprintf(stderr, "%s: %s\n", saved ? path.s : "(not saved)", sig);
	}
	sb_free(&path);
	sb_free(&content);
	free(text);
}

static void status(void *ctx, double elapsed, void *const *running, size_t nrunning)
{
	(void)running;
	struct sstate *s = ctx;
	char el[32];
	ut_format_duration(el, sizeof el, elapsed);
	fprintf(stderr, "%s: %llu runs so far, %llu failures (%.2f%%), %zu active\n", el,
		(unsigned long long)s->finished, (unsigned long long)s->failures,
		s->finished ? 100.0 * (double)s->failures / (double)s->finished : 0.0, nrunning);
}

static void compile_re(regex_t *re, const char *opt, const char *pattern)
{
	int rc = regcomp(re, pattern, REG_EXTENDED | REG_NEWLINE | REG_NOSUB);
	if (rc) {
		char msg[256];
		regerror(rc, re, msg, sizeof msg);
		cli_die("stress", "%s: bad regular expression '%s': %s", opt, pattern, msg);
	}
}

int cmd_stress(int argc, char **argv)
{
	enum { O_ARCH = 1000, O_COUNT, O_FOR, O_MAXF, O_TIMEOUT, O_FAIL, O_IGN, O_STATUS, O_HELP };
	static const struct option opts[] = {
		{ "arch", required_argument, 0, O_ARCH },
		{ "count", required_argument, 0, O_COUNT },
		{ "for", required_argument, 0, O_FOR },
		{ "max-failures", required_argument, 0, O_MAXF },
		{ "timeout", required_argument, 0, O_TIMEOUT },
		{ "failure", required_argument, 0, O_FAIL },
		{ "ignore", required_argument, 0, O_IGN },
		{ "status-interval", required_argument, 0, O_STATUS },
		{ "help", no_argument, 0, O_HELP },
		{ 0, 0, 0, 0 },
	};
	struct sstate s;
	memset(&s, 0, sizeof s);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	s.p = ncpu > 0 ? (unsigned)ncpu : 1;
	s.timeout = 600;
	double status_interval = 5;
	const char *arch_name = NULL, *prefix = NULL;
	opterr = 0;
	optind = 1;
	int c;
	/* '+': stop at the first non-option, so CMD's own options are not ours */
	while ((c = getopt_long(argc, argv, "+:p:o:h", opts, NULL)) != -1) {
		switch (c) {
		case O_ARCH: arch_name = optarg; break;
		case 'p': s.p = (unsigned)cli_u64("stress", "-p", optarg, 1, 256); break;
		case O_COUNT: s.count = cli_u64("stress", "--count", optarg, 1, UINT64_MAX / 2); break;
		case O_FOR: s.for_s = cli_seconds("stress", "--for", optarg, 0.001); break;
		case O_MAXF: s.max_failures = cli_u64("stress", "--max-failures", optarg, 1, UINT64_MAX / 2); break;
		case O_TIMEOUT: s.timeout = cli_seconds("stress", "--timeout", optarg, 0.001); break;
		case O_FAIL: compile_re(&s.failure_re, "--failure", optarg); s.has_failure = true; break;
		case O_IGN: compile_re(&s.ignore_re, "--ignore", optarg); s.has_ignore = true; break;
		case O_STATUS: status_interval = cli_seconds("stress", "--status-interval", optarg, 0); break;
		case 'o': prefix = optarg; break;
		case 'h':
		case O_HELP: help(); return 0;
		default: cli_bad_option("stress", argv, c);
		}
	}
	if (optind >= argc)
		cli_die("stress", "no command given (proftorture stress [options] -- CMD ARGS...)");
	s.cmd = &argv[optind];

	struct arch_table t = { 0 };
	if (arch_name && strcmp(arch_name, "native") != 0) {
		char err[512];
		char *apath = root_path("ci/arches.tsv");
		if (arches_load(apath, &t, err, sizeof err))
			cli_die("stress", "%s", err);
		free(apath);
		s.arch = arch_find(&t, arch_name);
		if (!s.arch) {
			struct sbuf b = { 0 };
			for (size_t i = 0; i < t.n; i++)
				sb_printf(&b, "%s%s", i ? " " : "", t.v[i].name);
			cli_die("stress", "--arch: unknown arch '%s'; allowed: %s", arch_name, b.s);
		}
		char *q = arch_is_cross(s.arch) ? ut_which(s.arch->qemu) : xstrdup("");
		if (!q)
			cli_die("stress", "--arch %s: %s not found in PATH", arch_name, s.arch->qemu);
		free(q);
	}
	struct sbuf pre = { 0 };
	if (prefix) {
		sb_puts(&pre, prefix);
	} else {
		const char *tmp = getenv("TMPDIR");
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		char ts[32];
		strftime(ts, sizeof ts, "%Y%m%dT%H%M%S", &tm);
		sb_printf(&pre, "%s/proftorture-stress-%s-", tmp && *tmp ? tmp : "/tmp", ts);
	}
	/* prove the prefix writable before the first run */
	struct sbuf probe = { 0 };
	sb_printf(&probe, "%sprobe", pre.s);
	if (ut_write_file(probe.s, "", 0, false) < 0)
		cli_die("stress", "-o: cannot create files with prefix %s: %s", pre.s, strerror(errno));
	unlink(probe.s);
	sb_free(&probe);
	s.prefix = pre.s;

	fprintf(stderr, "proftorture stress: %s%s%s, -p %u, timeout %.0fs, failures to %s<run>\n",
		s.arch && arch_is_cross(s.arch) ? s.arch->qemu : "", s.arch && arch_is_cross(s.arch) ? " " : "",
		s.cmd[0], s.p, s.timeout, s.prefix);
	struct pool_ops ops = { next, done, status, stop };
	s.t0 = ut_now();
	int sig = pool_run(s.p, &ops, &s, status_interval);
	double elapsed = ut_now() - s.t0;

	char el[32];
	ut_format_duration(el, sizeof el, elapsed);
	printf("%s%llu runs in %s, %llu failures", sig ? "(interrupted) " : "",
	       (unsigned long long)s.finished, el, (unsigned long long)s.failures);
	if (s.finished) {
		double rate = (double)s.failures / (double)s.finished;
		if (s.failures) {
			struct stats_interval ci = stats_clopper_pearson(s.failures, s.finished, 0.95);
			printf(" (%.2f%%), 95%% CI %.2f%%-%.2f%% (Clopper-Pearson)", 100 * rate,
			       100 * ci.lo, 100 * ci.hi);
		} else {
			printf(" (0%%), < %.2f%% per run at 95%% (rule of three)",
			       100 * stats_zero_failure_upper((double)s.finished, 0.95));
		}
	}
	putchar('\n');
	if (s.ignored)
		printf("%llu failing runs ignored (matched --ignore)\n", (unsigned long long)s.ignored);
	if (s.ngroups) {
		/* sort groups by count, descending */
		for (size_t i = 1; i < s.ngroups; i++)
			for (size_t j = i; j > 0 && s.groups[j - 1].count < s.groups[j].count; j--) {
				struct group tmp = s.groups[j];
				s.groups[j] = s.groups[j - 1];
				s.groups[j - 1] = tmp;
			}
		printf("failures by signature:\n");
		for (size_t i = 0; i < s.ngroups; i++)
			printf("  %6lu  %s\n          e.g. %s\n", s.groups[i].count, s.groups[i].sig,
			       s.groups[i].first_file);
	}
	if (s.max_failures && s.failures >= s.max_failures)
		printf("stopped after %llu failure(s) (--max-failures)\n",
		       (unsigned long long)s.failures);
	fflush(stdout);
	if (s.cannot_start)
		s.failures = s.failures ? s.failures : 1;
	for (size_t i = 0; i < s.ngroups; i++)
		free(s.groups[i].first_file);
	free(s.groups);
	if (s.has_failure)
		regfree(&s.failure_re);
	if (s.has_ignore)
		regfree(&s.ignore_re);
	arches_free(&t);
	sb_free(&pre);
	return s.failures ? 1 : 0;
}
