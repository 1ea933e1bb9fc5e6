/*
 * `proftorture run` and `proftorture repro`: run every cell of a matrix
 * (arch x case x variant x strategy) many times as separate processes,
 * classify each run, and judge each cell against cases/expected.tsv.
 *
 * Order of work: parse options -> prove the out dir (and --json/--junit
 * files) writable -> load ci/arches.tsv and cases/expected.tsv -> ask every
 * selected arch's stress binary for --list -> build the cells -> run ->
 * summarize -> report. Anything that can fail before a run does so with
 * exit status 2 and nothing started.
 *
 * Scheduling: runs are handed out round-major (run k of every cell before
 * run k+1 of any), so an interrupted or time-boxed run leaves every cell
 * with about the same number of runs. Run k of a cell has seed
 * base_seed + k. With --shard I/N a shard takes exactly the runs with
 * k % N == I-1, so shards never overlap and their union is the full
 * matrix (merge checks both).
 *
 * Negative controls (cells expected to fail) get a second chance to show
 * their teeth: with --max-runs M > --runs, a cell expected to fail that has
 * not failed after its --runs runs keeps getting rounds, up to M runs in all,
 * and stops being scheduled at its first failure. A correct negative control
 * whose runs each miss with probability q then misses the whole cell with
 * q^M instead of q^runs; cells expected to pass always run exactly --runs.
 * (The failure rate of an extended cell comes from stopping at the first
 * failure, so it overstates the per-run rate; its verdict says so.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arches.h"
#include "classify.h"
#include "cli.h"
#include "expected.h"
#include "matrix.h"
#include "report.h"
#include "spawn.h"
#include "util.h"

struct run_opts {
	const char *cmd;
	char **arches, **cases, **variants, **atomics;
	uint64_t runs, max_runs;
	bool runs_set, max_runs_set;
	double for_s;
	bool for_set;
	double run_duration;
	bool duration_set;
	unsigned jobs;
	double timeout_factor, timeout_slack;
	uint64_t seed;
	const char *out, *json, *junit;
	bool tap, quick, verbose;
	unsigned shard_i, shard_n;
	const char *threads, *source, *rate, *watchdog;
	double status_interval;
};

struct job {
	size_t cell;
	unsigned k;
	uint64_t seed;
	char **argv;
	double timeout;
};

struct runner {
	struct run_opts *o;
	struct matrix m;
	struct arch_table arches;
	const struct arch **cell_arch;
	char *outdir;
	unsigned round;
	size_t next_cell;
	double t0;
	size_t started, finished, failures, planned;
};

/* ---- help ---- */

static void help(const char *cmd)
{
	bool repro = strcmp(cmd, "repro") == 0;
	if (repro)
		printf("usage: proftorture repro [options]\n\n"
		       "Reproduces golang/go#24991 on armel, armhf, mips and mipsel: case lost-atomic,\n"
		       "the buggy variant unlocked-flush against the fixes locked-flush,\n"
		       "locked-flush-kuser and exact, each arch's default strategy, 20 runs of 1 s per\n"
		       "cell under qemu. Prints a verdict table and Fisher's exact test of buggy vs\n"
		       "fixed, and exits 0 only when every cell matched cases/expected.tsv.\n"
		       "Takes every option of `proftorture run`, with those defaults.\n\n");
	else
		printf("usage: proftorture run [options]\n\n"
		       "Runs every cell of arch x case x variant x strategy as separate processes\n"
		       "(under qemu-<arch> for cross arches), classifies each run, and judges each\n"
		       "cell against cases/expected.tsv.\n\n");
	printf("matrix:\n"
	       "  --arch A,..         arches (default: %s)\n"
	       "  --case C,..         cases (default: %s)\n"
	       "  --variant V,..      variants (default: %s)\n"
	       "  --atomics S,..      strategies, or 'default' (the arch's default, the default)\n"
	       "                      or 'all' (every strategy the arch's stress supports)\n"
	       "how much:\n"
	       "  --runs N            runs per cell (default %s)\n"
	       "  --for DURATION      keep starting runs until DURATION has passed (with --runs,\n"
	       "                      whichever comes first)\n"
	       "  --run-duration S    each run's --duration (default 1s)\n"
	       "  --max-runs M        a cell expected to fail that has not failed after --runs\n"
	       "                      runs keeps running until it does, up to M runs in all\n"
	       "                      (default: --runs; never for cells expected to pass)\n"
	       "  --quick             --runs 3 --max-runs 24 --run-duration 0.5 unless given\n"
	       "                      explicitly\n"
	       "  --shard I/N         only runs with k %% N == I-1 (see `proftorture merge`)\n"
	       "  -j N                parallel runs (default: online CPUs)\n"
	       "  --seed S            base seed; run k of a cell gets S+k (default 1)\n"
	       "timeouts (a hang never blocks the runner):\n"
	       "  --timeout-factor F  hard timeout = run-duration x F + slack (default 4)\n"
	       "  --timeout-slack S   (default 10s, plus --watchdog when given); under qemu\n"
	       "                      both factor and slack are doubled\n"
	       "passed to stress:\n"
	       "  --threads N  --source cannon|itimer|thread-timer  --rate HZ|max  --watchdog S\n"
	       "output:\n"
	       "  --out DIR           artifacts: failing runs' output + replay scripts, summary.json\n"
	       "                      (default results/<timestamp>/, must be writable before any run)\n"
	       "  --json FILE         the summary document also to FILE ('-' = stdout)\n"
	       "  --junit FILE        JUnit XML, one testcase per cell\n"
	       "  --tap               TAP on stdout (the table then goes to stderr)\n"
	       "  --status-interval S progress line period on stderr (default 5s; 0 = off)\n"
	       "  -v, --verbose       print every non-passing run, not only surprises\n"
	       "exit status: 0 every cell matched; 1 some did not; 2 usage/setup error;\n"
	       "128+N interrupted by signal N (the summary of finished runs is still printed).\n",
	       repro ? "armel,armhf,mips,mipsel" : "every arch in ci/arches.tsv",
	       repro ? "lost-atomic" : "all",
	       repro ? "unlocked-flush,locked-flush,locked-flush-kuser,exact" : "all",
	       repro ? "20" : "10");
}

/* ---- options ---- */

enum {
	O_ARCH = 1000, O_CASE, O_VARIANT, O_ATOMICS, O_RUNS, O_MAX_RUNS, O_FOR, O_RUN_DURATION, O_TF, O_TS,
	O_SEED, O_OUT, O_JSON, O_JUNIT, O_TAP, O_QUICK, O_SHARD, O_THREADS, O_SOURCE, O_RATE,
	O_WATCHDOG, O_STATUS, O_HELP
};

static const struct option long_opts[] = {
	{ "arch", required_argument, 0, O_ARCH },
	{ "case", required_argument, 0, O_CASE },
	{ "variant", required_argument, 0, O_VARIANT },
	{ "atomics", required_argument, 0, O_ATOMICS },
	{ "runs", required_argument, 0, O_RUNS },
	{ "max-runs", required_argument, 0, O_MAX_RUNS },
	{ "for", required_argument, 0, O_FOR },
	{ "run-duration", required_argument, 0, O_RUN_DURATION },
	{ "timeout-factor", required_argument, 0, O_TF },
	{ "timeout-slack", required_argument, 0, O_TS },
	{ "seed", required_argument, 0, O_SEED },
	{ "out", required_argument, 0, O_OUT },
	{ "json", required_argument, 0, O_JSON },
	{ "junit", required_argument, 0, O_JUNIT },
	{ "tap", no_argument, 0, O_TAP },
	{ "quick", no_argument, 0, O_QUICK },
	{ "shard", required_argument, 0, O_SHARD },
	{ "threads", required_argument, 0, O_THREADS },
	{ "source", required_argument, 0, O_SOURCE },
	{ "rate", required_argument, 0, O_RATE },
	{ "watchdog", required_argument, 0, O_WATCHDOG },
	{ "status-interval", required_argument, 0, O_STATUS },
	{ "verbose", no_argument, 0, 'v' },
	{ "help", no_argument, 0, O_HELP },
	{ 0, 0, 0, 0 },
};

static const char *const atomics_words[] = { "native", "global", "striped", "global-kuser",
					     "striped-kuser", "default", "all", NULL };

static void parse_opts(struct run_opts *o, int argc, char **argv)
{
	const char *cmd = o->cmd;
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":j:hv", long_opts, NULL)) != -1) {
		switch (c) {
		case O_ARCH: ut_free_list(o->arches); o->arches = ut_split_list(optarg, NULL);
			if (!o->arches[0]) cli_die(cmd, "--arch: empty list");
			break;
		case O_CASE: ut_free_list(o->cases); o->cases = cli_list(cmd, "--case", optarg, protocol_case_names); break;
		case O_VARIANT: ut_free_list(o->variants); o->variants = cli_list(cmd, "--variant", optarg, protocol_variant_names); break;
		case O_ATOMICS: ut_free_list(o->atomics); o->atomics = cli_list(cmd, "--atomics", optarg, atomics_words); break;
		case O_RUNS: o->runs = cli_u64(cmd, "--runs", optarg, 1, 100000000); o->runs_set = true; break;
		case O_MAX_RUNS: o->max_runs = cli_u64(cmd, "--max-runs", optarg, 1, 100000000); o->max_runs_set = true; break;
		case O_FOR: o->for_s = cli_seconds(cmd, "--for", optarg, 0.001); o->for_set = true; break;
		case O_RUN_DURATION: o->run_duration = cli_seconds(cmd, "--run-duration", optarg, 0.001); o->duration_set = true; break;
		case 'j': o->jobs = (unsigned)cli_u64(cmd, "-j", optarg, 1, 256); break;
		case O_TF: o->timeout_factor = cli_double(cmd, "--timeout-factor", optarg, 1, 1000); break;
		case O_TS: o->timeout_slack = cli_seconds(cmd, "--timeout-slack", optarg, 0); break;
		case O_SEED: o->seed = cli_u64(cmd, "--seed", optarg, 0, UINT64_MAX / 2); break;
		case O_OUT: o->out = optarg; break;
		case O_JSON: o->json = optarg; break;
		case O_JUNIT: o->junit = optarg; break;
		case O_TAP: o->tap = true; break;
		case O_QUICK: o->quick = true; break;
		case O_SHARD:
			if (ut_parse_shard(optarg, &o->shard_i, &o->shard_n))
				cli_die(cmd, "--shard: '%s' is not I/N with 1 <= I <= N", optarg);
			break;
		case O_THREADS: cli_u64(cmd, "--threads", optarg, 1, 1024); o->threads = optarg; break;
		case O_SOURCE: ut_free_list(cli_list(cmd, "--source", optarg, protocol_source_names));
			if (strchr(optarg, ',')) cli_die(cmd, "--source: one value only");
			o->source = optarg; break;
		case O_RATE:
			if (strcmp(optarg, "max") != 0) cli_u64(cmd, "--rate", optarg, 1, 100000000);
			o->rate = optarg; break;
		case O_WATCHDOG: cli_seconds(cmd, "--watchdog", optarg, 0.001); o->watchdog = optarg; break;
		case O_STATUS: o->status_interval = cli_seconds(cmd, "--status-interval", optarg, 0); break;
		case 'v': o->verbose = true; break;
		case 'h':
		case O_HELP: help(cmd); exit(0);
		default: cli_bad_option(cmd, argv, c);
		}
	}
	if (optind < argc)
		cli_die(cmd, "unexpected argument '%s' (see proftorture %s --help)", argv[optind], cmd);
	if (o->quick) {
		if (!o->runs_set)
			o->runs = 3;
		if (!o->max_runs_set)
			o->max_runs = 24;
		if (!o->duration_set)
			o->run_duration = 0.5;
	}
	if (o->for_set && !o->runs_set)
		o->runs = UINT64_MAX;
	if (o->max_runs < o->runs) {
		if (o->max_runs_set)
			cli_die(cmd, "--max-runs: %llu is less than --runs %llu",
				(unsigned long long)o->max_runs, (unsigned long long)o->runs);
		o->max_runs = o->runs;
	}
}

/* ---- building the matrix ---- */

static void default_outdir(struct sbuf *b)
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	char ts[32];
	strftime(ts, sizeof ts, "%Y%m%d-%H%M%S", &tm);
	sb_printf(b, "results/%s", ts);
}

static void check_output_file(const char *cmd, const char *opt, const char *path)
{
	if (!path || strcmp(path, "-") == 0)
		return;
	FILE *f = fopen(path, "a");
	if (!f)
		cli_die(cmd, "%s: cannot write %s: %s", opt, path, strerror(errno));
	fclose(f);
}

static void build_cells(struct runner *R)
{
	struct run_opts *o = R->o;
	const char *cmd = o->cmd;
	char err[512];
	char *apath = root_path("ci/arches.tsv"), *epath = root_path("cases/expected.tsv");
	if (arches_load(apath, &R->arches, err, sizeof err))
		cli_die(cmd, "%s", err);
	struct expected_table et;
	if (expected_load(epath, &et, err, sizeof err))
		cli_die(cmd, "%s", err);
	free(apath);
	free(epath);

	size_t na = 0;
	const struct arch **sel = xcalloc(R->arches.n + 1, sizeof *sel);
	if (o->arches) {
		for (char **a = o->arches; *a; a++) {
			const struct arch *x = arch_find(&R->arches, *a);
			if (!x) {
				struct sbuf b = { 0 };
				for (size_t i = 0; i < R->arches.n; i++)
					sb_printf(&b, "%s%s", i ? " " : "", R->arches.v[i].name);
				cli_die(cmd, "--arch: unknown arch '%s'; allowed: %s", *a, b.s);
			}
			sel[na++] = x;
		}
	} else {
		for (size_t i = 0; i < R->arches.n; i++)
			sel[na++] = &R->arches.v[i];
	}

	struct sbuf problems = { 0 };
	struct arch_caps *caps = xcalloc(na, sizeof *caps);
	for (size_t i = 0; i < na; i++) {
		arch_probe(sel[i], &caps[i]);
		if (spawn_interrupted())
			exit(128 + spawn_interrupted());
		if (!caps[i].ok)
			sb_printf(&problems, "\n  %s: %s", sel[i]->name, caps[i].error);
	}
	if (problems.len)
		cli_die(cmd, "cannot run on every selected arch (choose others with --arch):%s",
			problems.s);

	struct sbuf skipped = { 0 };
	for (size_t i = 0; i < na; i++) {
		const struct arch *a = sel[i];
		struct arch_caps *cp = &caps[i];
		char **cases = o->cases ? o->cases : cp->cases;
		char **variants = o->variants ? o->variants : cp->variants;
		const char *def = cp->default_atomics ? cp->default_atomics : a->default_atomics;
		char *defv[2] = { (char *)def, NULL };
		char **strategies = defv;
		bool all = o->atomics && ut_list_has(o->atomics, "all");
		if (all)
			strategies = cp->strategies;
		else if (o->atomics)
			strategies = o->atomics;
		for (char **cs = cases; *cs; cs++) {
			if (!ut_list_has(cp->cases, *cs))
				cli_die(cmd, "--case: %s's stress does not know case '%s'", a->name, *cs);
			for (char **v = variants; *v; v++) {
				if (!ut_list_has(cp->variants, *v))
					cli_die(cmd, "--variant: %s's stress does not know variant '%s'",
						a->name, *v);
				for (char **s = strategies; *s; s++) {
					const char *st = strcmp(*s, "default") == 0 ? def : *s;
					if (matrix_find_cell(&R->m, a->name, *cs, *v, st) != (size_t)-1)
						continue;
					if (!ut_list_has(cp->strategies, st)) {
						sb_printf(&skipped, " %s/%s", a->name, st);
						continue;
					}
					const struct expected_row *row =
						expected_lookup(&et, a->name, *cs, *v, st);
					if (!row)
						cli_die(cmd, "%s has no row for %s %s %s %s", et.path,
							a->name, *cs, *v, st);
					char en[64];
					outcome_set_name(row->expected, en, sizeof en);
					for (size_t e = 0; e < cp->nexpect; e++)
						if (!strcmp(cp->expect[e].case_name, *cs) &&
						    !strcmp(cp->expect[e].variant, *v) &&
						    !strcmp(cp->expect[e].atomics, st) &&
						    strcmp(cp->expect[e].outcome, en))
							fprintf(stderr,
								"proftorture %s: warning: %s's stress --list "
								"expects %s for %s/%s/%s but %s:%u says %s "
								"(stale binary?); using the table\n",
								cmd, a->name, cp->expect[e].outcome, *cs, *v,
								st, et.path, row->line, en);
					size_t ci = matrix_add_cell(&R->m, a->name, *cs, *v, st, row->expected,
								    row->note, arch_is_cross(a));
					R->cell_arch = xrealloc(R->cell_arch,
								(ci + 1) * sizeof *R->cell_arch);
					R->cell_arch[ci] = a;
				}
			}
		}
	}
	if (skipped.len) {
		/* dedupe-free list is fine: one entry per unsupported (arch, strategy) use */
		fprintf(stderr, "proftorture %s: skipping strategies the arch does not support:%s\n",
			cmd, skipped.s);
	}
	if (!R->m.ncells)
		cli_die(cmd, "no cell to run (every requested strategy is unsupported)");
	for (size_t i = 0; i < na; i++)
		arch_caps_free(&caps[i]);
	free(caps);
	free(sel);
	sb_free(&problems);
	sb_free(&skipped);
	expected_free(&et);
}

/* ---- the pool callbacks ---- */

static double run_timeout(const struct run_opts *o, bool emulated)
{
	double slack = o->timeout_slack;
	double wd;
	if (o->watchdog && ut_parse_duration(o->watchdog, &wd) == 0)
		slack += wd;
	double t = o->run_duration * o->timeout_factor + slack;
	return emulated ? 2 * t : t;
}

static unsigned k_of_round(const struct run_opts *o, unsigned round)
{
	return o->shard_n ? (o->shard_i - 1) + round * o->shard_n : round;
}

/* Whether run k of cell c is still wanted: every cell's first --runs runs;
 * after them, only a negative control that has not failed yet (and is not
 * simply unsupported here), up to --max-runs. */
static bool cell_wants_run(const struct run_opts *o, const struct cell *c, unsigned k)
{
	if ((uint64_t)k < o->runs)
		return true;
	if ((uint64_t)k >= o->max_runs || c->expected == OUTCOME_BIT(OUT_PASS))
		return false;
	return c->live_failures == 0 && !(c->live_runs > 0 && c->live_unsupported == c->live_runs);
}

static bool next_job(void *ctx, char ***argv, bool *merge, double *timeout, void **jobp)
{
	struct runner *R = ctx;
	struct run_opts *o = R->o;
	if (o->for_set && ut_now() - R->t0 >= o->for_s)
		return false;
	size_t ci;
	unsigned k;
	/* A cell that stops wanting runs never wants one again (failures only
	 * accumulate), so one full pass past --runs that finds none ends it. */
	size_t unwanted = 0;
	for (;;) {
		if (R->next_cell == R->m.ncells) {
			R->next_cell = 0;
			R->round++;
		}
		k = k_of_round(o, R->round);
		if ((uint64_t)k >= o->max_runs) /* parse_opts: max_runs >= runs */
			return false;
		ci = R->next_cell++;
		if (cell_wants_run(o, &R->m.cells[ci], k))
			break;
		if (++unwanted > R->m.ncells)
			return false;
	}
	struct cell *c = &R->m.cells[ci];
	const struct arch *a = R->cell_arch[ci];
	struct job *j = xcalloc(1, sizeof *j);
	j->cell = ci;
	j->k = k;
	j->seed = o->seed + k;
	char *sp = stress_path(a->name);
	size_t n;
	char **v = arch_argv(a, sp, 24, &n);
	free(sp);
	char seed[32], dur[32];
	snprintf(seed, sizeof seed, "%llu", (unsigned long long)j->seed);
	snprintf(dur, sizeof dur, "%g", o->run_duration);
	const char *args[] = { "--case", c->case_name, "--variant", c->variant, "--atomics",
			       c->atomics, "--seed", seed, "--duration", dur };
	for (size_t i = 0; i < sizeof args / sizeof args[0]; i++)
		v[n++] = xstrdup(args[i]);
	const char *opt[][2] = { { "--threads", o->threads }, { "--source", o->source },
				 { "--rate", o->rate }, { "--watchdog", o->watchdog } };
	for (size_t i = 0; i < 4; i++)
		if (opt[i][1]) {
			v[n++] = xstrdup(opt[i][0]);
			v[n++] = xstrdup(opt[i][1]);
		}
	v[n] = NULL;
	j->argv = v;
	j->timeout = run_timeout(o, c->emulated);
	c->running++;
	R->started++;
	*argv = v;
	*merge = false;
	*timeout = j->timeout;
	*jobp = j;
	return true;
}

static void describe_end(const struct proc *p, struct run_end *e, char *desc, size_t cap)
{
	if (p->spawn_failed) {
		e->kind = END_SPAWN_FAILED;
		e->code = p->spawn_errno;
		snprintf(desc, cap, "spawn failed");
	} else if (p->timed_out) {
		e->kind = END_TIMED_OUT;
		e->code = SIGKILL;
		snprintf(desc, cap, "timeout");
	} else if (WIFSIGNALED(p->wait_status)) {
		e->kind = END_SIGNALED;
		e->code = WTERMSIG(p->wait_status);
		snprintf(desc, cap, "signal %d", e->code);
	} else {
		e->kind = END_EXITED;
		e->code = WEXITSTATUS(p->wait_status);
		snprintf(desc, cap, "exit %d", e->code);
	}
}

static void write_artifacts(struct runner *R, const struct job *j, const struct proc *p,
			    struct run_record *r)
{
	const struct cell *c = &R->m.cells[j->cell];
	struct sbuf base = { 0 }, log = { 0 }, sh = { 0 }, path = { 0 };
	sb_printf(&base, "runs/%s-%s-%s-%s-k%u", c->arch, c->case_name, c->variant, c->atomics, j->k);

	sb_puts(&sh, "#!/bin/sh\n");
	sb_printf(&sh, "# proftorture replay: %s %s/%s/%s, run %u, seed %llu\n", c->arch,
		  c->case_name, c->variant, c->atomics, j->k, (unsigned long long)j->seed);
	struct sbuf why = { 0 };
	sb_puts(&why, r->why);
	ut_sanitize(why.s);
	for (char *q = why.s; *q; q++)
		if (*q == '\n')
			*q = ' ';
	sb_printf(&sh, "# outcome: %s (%s): %s\n", outcome_name(r->outcome), r->exit_desc, why.s);
	char en[64];
	sb_printf(&sh, "# expected for this cell: %s. The runner's hard timeout was %.0fs; "
		       "this script has none.\n", outcome_set_name(c->expected, en, sizeof en),
		  j->timeout);
	sb_puts(&sh, "cd ");
	sb_shell_quote(&sh, harness_root());
	sb_puts(&sh, " || exit 2\nexec");
	for (char **a = j->argv; *a; a++) {
		sb_putc(&sh, ' ');
		sb_shell_quote(&sh, *a);
	}
	sb_puts(&sh, " \"$@\"\n");

	sb_printf(&log, "# %s %s/%s/%s run %u seed %llu\n# outcome: %s (%s, %.3fs wall): %s\n# command:",
		  c->arch, c->case_name, c->variant, c->atomics, j->k, (unsigned long long)j->seed,
		  outcome_name(r->outcome), r->exit_desc, r->wall_s, why.s);
	for (char **a = j->argv; *a; a++) {
		sb_putc(&log, ' ');
		sb_shell_quote(&log, *a);
	}
	const char *names[2] = { "stdout", "stderr" };
	for (int i = 0; i < 2; i++) {
		size_t len;
		char *text = capture_text(&p->cap[i], &len);
		sb_printf(&log, "\n--- %s (%llu bytes%s) ---\n", names[i],
			  (unsigned long long)p->cap[i].total,
			  capture_dropped(&p->cap[i]) ? ", middle dropped" : "");
		sb_add(&log, text, len);
		free(text);
	}
	bool ok = true;
	sb_printf(&path, "%s/%s.log", R->outdir, base.s);
	ok &= ut_write_file(path.s, log.s, log.len, false) == 0;
	path.len = 0;
	sb_printf(&path, "%s/%s.sh", R->outdir, base.s);
	ok &= ut_write_file(path.s, sh.s, sh.len, true) == 0;
	if (ok) {
		sb_puts(&base, ".log");
		r->log = xstrdup(base.s);
	} else {
		fprintf(stderr, "proftorture %s: warning: cannot write %s: %s\n", R->o->cmd, path.s,
			strerror(errno));
	}
	sb_free(&why);
	sb_free(&base);
	sb_free(&log);
	sb_free(&sh);
	sb_free(&path);
}

static void job_done(void *ctx, void *jobp, struct proc *p)
{
	struct runner *R = ctx;
	struct job *j = jobp;
	struct cell *c = &R->m.cells[j->cell];
	c->running--;
	if (p->interrupted) { /* killed by the runner on SIGINT: never happened */
		argv_free(j->argv);
		free(j);
		return;
	}
	struct run_end end = { .emulated = c->emulated };
	char desc[48];
	describe_end(p, &end, desc, sizeof desc);
	size_t otl = 0, etl = 0;
	char *ot = capture_tail_copy(&p->cap[0], &otl), *et = capture_tail_copy(&p->cap[1], &etl);
	struct run_output out = {
		.out_head = p->cap[0].head, .out_head_len = p->cap[0].head_len,
		.out_tail = ot, .out_tail_len = otl,
		.err_head = p->cap[1].head, .err_head_len = p->cap[1].head_len,
		.err_tail = et, .err_tail_len = etl,
	};
	struct run_request req = { c->case_name, c->variant, c->atomics, j->seed, true };
	struct classification cl;
	classify_run(&end, &out, &req, &cl);
	free(ot);
	free(et);

	struct run_record *r = matrix_add_run(&R->m);
	r->cell = j->cell;
	r->k = j->k;
	r->seed = j->seed;
	r->outcome = cl.outcome;
	ut_copy_clean(r->why, sizeof r->why, cl.why);
	ut_copy_clean(r->exit_desc, sizeof r->exit_desc, desc);
	r->wall_s = p->end - p->start;
	if (cl.has_result) {
		r->elapsed_s = cl.result.elapsed_s;
		r->first_failure_s = cl.result.first_failure_s;
		r->handled = (double)cl.result.counters[CTR_HANDLED];
		r->in_atomic = (double)cl.result.counters[CTR_IN_ATOMIC];
		ut_copy_clean(r->corruptions, sizeof r->corruptions, cl.result.corruptions);
	}
	R->finished++;
	c->live_runs++;
	if (r->outcome == OUT_UNSUPPORTED)
		c->live_unsupported++;
	if (outcome_is_failure(r->outcome)) {
		R->failures++;
		c->live_failures++;
	}
	if (r->outcome != OUT_PASS)
		write_artifacts(R, j, p, r);
	bool surprise = r->outcome != OUT_PASS &&
			!(c->expected != OUTCOME_BIT(OUT_PASS) &&
			  verdict_kind_allowed(c->expected, r->outcome));
	if (R->o->verbose || surprise)
		fprintf(stderr, "%s %s %s/%s/%s run %u seed %llu: %s (%s, %.2fs): %s%s%s\n",
			surprise ? "!!!" : "   ", c->arch, c->case_name, c->variant, c->atomics, j->k,
			(unsigned long long)j->seed, outcome_name(r->outcome), r->exit_desc, r->wall_s,
			r->why, r->log ? " -> " : "", r->log ? r->log : "");
	argv_free(j->argv);
	free(j);
}

static void status(void *ctx, double elapsed, void *const *running, size_t nrunning)
{
	struct runner *R = ctx;
	char el[32];
	ut_format_duration(el, sizeof el, elapsed);
	struct sbuf b = { 0 };
	sb_printf(&b, "[%s] %zu", el, R->finished);
	if (R->planned) /* "+": negative controls may run past --runs */
		sb_printf(&b, "/%zu%s", R->planned, R->o->max_runs > R->o->runs ? "+" : "");
	sb_printf(&b, " runs, %zu failures (%.1f%%)", R->failures,
		  R->finished ? 100.0 * (double)R->failures / (double)R->finished : 0.0);
	if (R->m.ncells > 1 && nrunning) {
		sb_puts(&b, " | now:");
		for (size_t i = 0; i < nrunning; i++) {
			const struct job *j = running[i];
			bool dup = false;
			for (size_t k = 0; k < i; k++)
				dup |= ((const struct job *)running[k])->cell == j->cell;
			if (dup)
				continue;
			const struct cell *c = &R->m.cells[j->cell];
			sb_printf(&b, " %s %s/%s %u/%u failed;", c->arch, c->case_name, c->variant,
				  c->live_failures, c->live_runs);
		}
		if (b.s[b.len - 1] == ';')
			b.s[--b.len] = 0;
	}
	fprintf(stderr, "%s\n", b.s);
	sb_free(&b);
}

/* ---- the command ---- */

static int run_matrix(struct run_opts *o)
{
	const char *cmd = o->cmd;
	struct runner R = { .o = o };
	struct sbuf outdir = { 0 };
	if (o->out)
		sb_puts(&outdir, o->out);
	else
		default_outdir(&outdir);
	char err[512];
	if (ut_dir_writable(outdir.s, err, sizeof err))
		cli_die(cmd, "%s", err);
	struct sbuf runs_dir = { 0 };
	sb_printf(&runs_dir, "%s/runs", outdir.s);
	if (ut_dir_writable(runs_dir.s, err, sizeof err))
		cli_die(cmd, "%s", err);
	sb_free(&runs_dir);
	check_output_file(cmd, "--json", o->json);
	check_output_file(cmd, "--junit", o->junit);
	R.outdir = outdir.s;

	build_cells(&R);
	R.m.command = cmd;
	R.m.base_seed = o->seed;
	R.m.run_duration = o->run_duration;
	R.m.runs_per_cell = o->runs == UINT64_MAX ? 0 : o->runs;
	R.m.shard_index = o->shard_i;
	R.m.shard_count = o->shard_n;
	if (o->runs != UINT64_MAX) {
		uint64_t per_cell = o->runs;
		if (o->shard_n)
			per_cell = o->runs / o->shard_n + (o->shard_i - 1 < o->runs % o->shard_n);
		R.planned = (size_t)(per_cell * R.m.ncells);
	}
	bool emu = false;
	for (size_t i = 0; i < R.m.ncells; i++)
		emu |= R.m.cells[i].emulated;
	struct sbuf hdr = { 0 };
	sb_printf(&hdr, "proftorture %s: %zu cell%s x ", cmd, R.m.ncells, R.m.ncells == 1 ? "" : "s");
	if (o->runs == UINT64_MAX)
		sb_puts(&hdr, "as many runs as fit");
	else
		sb_printf(&hdr, "%llu run%s", (unsigned long long)o->runs, o->runs == 1 ? "" : "s");
	if (o->max_runs > o->runs)
		sb_printf(&hdr, " (negative controls up to %llu until they fail)",
			  (unsigned long long)o->max_runs);
	if (o->for_set)
		sb_printf(&hdr, " in %gs", o->for_s);
	if (o->shard_n)
		sb_printf(&hdr, " (shard %u/%u: runs with k %% %u == %u)", o->shard_i, o->shard_n,
			  o->shard_n, o->shard_i - 1);
	sb_printf(&hdr, ", %gs each, -j%u, seed %llu+k, hard timeout %.0fs%s; artifacts in %s/\n",
		  o->run_duration, o->jobs, (unsigned long long)o->seed, run_timeout(o, false),
		  emu ? " (x2 under qemu)" : "", R.outdir);
	fputs(hdr.s, stderr);
	sb_free(&hdr);

	struct pool_ops ops = { next_job, job_done, status, NULL };
	R.t0 = ut_now();
	int sig = pool_run(o->jobs, &ops, &R, o->status_interval);
	R.m.elapsed = ut_now() - R.t0;
	R.m.interrupted = sig != 0;
	if (sig)
		fprintf(stderr, "proftorture %s: interrupted by signal %d: %zu runs finished, "
				"unfinished runs were killed and are not counted\n",
			cmd, sig, R.finished);
	matrix_summarize(&R.m);

	struct sbuf table = { 0 };
	report_table(&R.m, o->tap || (o->json && !strcmp(o->json, "-")) ? false : cli_colour(),
		     &table);
	report_contrasts(&R.m, &table);
	char el[32];
	ut_format_duration(el, sizeof el, R.m.elapsed);
	sb_printf(&table, "%zu runs in %s; summary: %s/summary.json\n", R.m.nruns, el, R.outdir);
	/* stdout carries one machine-readable stream when asked for one */
	bool json_stdout = o->json && strcmp(o->json, "-") == 0;
	if (o->tap && json_stdout)
		cli_die(cmd, "--tap and --json - both want stdout; give --json a file");
	if (o->tap) {
		fputs(table.s, stderr);
		struct sbuf tap = { 0 };
		report_tap(&R.m, &tap);
		fputs(tap.s, stdout);
		sb_free(&tap);
	} else {
		fputs(table.s, json_stdout ? stderr : stdout);
	}
	fflush(stdout);
	sb_free(&table);

	struct sbuf js = { 0 };
	matrix_to_json(&R.m, &js);
	struct sbuf sp = { 0 };
	sb_printf(&sp, "%s/summary.json", R.outdir);
	if (ut_write_file(sp.s, js.s, js.len, false))
		fprintf(stderr, "proftorture %s: cannot write %s: %s\n", cmd, sp.s, strerror(errno));
	if (o->json)
		cli_write_output(cmd, o->json, js.s, js.len);
	if (o->junit) {
		struct sbuf x = { 0 };
		report_junit(&R.m, &x);
		cli_write_output(cmd, o->junit, x.s, x.len);
		sb_free(&x);
	}
	sb_free(&sp);
	sb_free(&js);
	int rc = sig ? 128 + sig : matrix_matched(&R.m) ? 0 : 1;
	free(R.cell_arch);
	matrix_free(&R.m);
	arches_free(&R.arches);
	sb_free(&outdir);
	return rc;
}

static void defaults(struct run_opts *o, const char *cmd)
{
	memset(o, 0, sizeof *o);
	o->cmd = cmd;
	o->runs = 10;
	o->run_duration = 1;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	o->jobs = n > 0 ? (unsigned)n : 1;
	o->timeout_factor = 4;
	o->timeout_slack = 10;
	o->seed = 1;
	o->status_interval = 5;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	defaults(&o, "run");
	parse_opts(&o, argc, argv);
	return run_matrix(&o);
}

int cmd_repro(int argc, char **argv)
{
	struct run_opts o;
	defaults(&o, "repro");
	o.runs = 20;
	o.arches = ut_split_list("armel,armhf,mips,mipsel", NULL);
	o.cases = ut_split_list("lost-atomic", NULL);
	o.variants = ut_split_list("unlocked-flush,locked-flush,locked-flush-kuser,exact", NULL);
	parse_opts(&o, argc, argv);
	return run_matrix(&o);
}
