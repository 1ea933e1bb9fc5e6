/*
 * `proftorture run`, `proftorture repro` and `proftorture repro-go`: the
 * options, and the pipeline top-down. The design (what each stage does, the cell-kind seam,
 * summary.json and the statistics) is harness/README.md.
 *
 *   options   one table (run_opts below), repro's and repro-go's other
 *             defaults as short lists over it; every check that involves
 *             two options, or an option and ci/arches.tsv, right after
 *             parsing
 *   plan      plan.c: the selected cells and their expected outcomes
 *   execute   execute.c: every run, in parallel, with deadlines; each
 *             ended run classified by its cell's kind (cell_kind.h)
 *   summarise matrix.c, verdict.c, stats.c: a verdict per cell
 *   report    report.c, summary.c, report_html.c: table, TAP, JUnit,
 *             summary.json, report.html
 *
 * Anything that can fail before a run does so with exit status 2 and
 * nothing started: bad options, unreadable tables, an unwritable out dir
 * or output file, a missing binary or emulator on a selected arch, a cell
 * the expected table does not cover. A file that cannot be written once
 * runs have started (a full disk, a directory made read-only or removed)
 * is counted by the ledger (ledger.h) and ends in exit status 3 with a
 * LOST line, whatever the verdicts.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cell_kind.h"
#include "cli.h"
#include "execute.h"
#include "ledger.h"
#include "options.h"
#include "plan.h"
#include "report.h"

struct run_opts {
	char **arches, **cases, **variants, **atomics;
	char **kinds, **flavours, **sources;
	bool cases_given, variants_given, atomics_given, sources_given;
	const char *goroot;
	bool go_matrix; /* repro-go: the go kind's built-in matrix */
	const char *matrix; /* --matrix FILE: the file kind's cells */
	bool kinds_given;
	uint64_t runs, max_runs;
	bool runs_given, max_runs_given;
	double for_s, run_duration;
	bool for_given, duration_given;
	uint64_t jobs, seed;
	double timeout_factor, timeout_slack;
	const char *out, *json, *junit;
	bool tap, quick, verbose;
	unsigned shard[2]; /* I, N; 0/0 when not sharded */
	uint64_t threads;
	int source; /* index into protocol_source_names, or -1 */
	const char *rate;
	double watchdog;
	double status_interval;
};

/* --quick: these unless given; repro-go's: its matrix's quick rows
 * (kind_go.c), every cell once, a negative control until its first
 * failure, at the run duration its questions need. */
#define QUICK_RUNS 3
#define QUICK_MAX_RUNS 300 /* docs/measurements/quick-matrix.md: the weakest control's rate */
#define QUICK_RUN_DURATION 0.5
#define REPRO_GO_QUICK_RUNS 1
#define REPRO_GO_QUICK_MAX_RUNS 20

/* ---- option values ---- */

/* protocol.h's names plus the words the runner adds ("all", "default"). */
static const char *case_choices[NCASES + 8], *variant_choices[NVARIANTS + 2],
	*atomics_choices[NSTRATEGIES + 3], *kind_choices[8], *source_choices[4];

static void fill_choices(const char **dst, const char *const *names, const char *const *words)
{
	size_t n = 0;
	for (size_t i = 0; words[i]; i++)
		dst[n++] = words[i];
	for (size_t i = 0; names[i]; i++)
		dst[n++] = names[i];
	dst[n] = NULL;
}

/* After protocol.h's cases, what the other kinds' case slots take
 * (cell_kind.h's case_names), in the registry's order. */
static void add_kind_cases(void)
{
	size_t n = 0;
	while (case_choices[n])
		n++;
	for (size_t k = 0; cell_kinds[k]; k++)
		for (size_t i = 0; cell_kinds[k]->case_names && cell_kinds[k]->case_names[i]; i++) {
			if (n + 1 >= OPTS_COUNT(case_choices))
				abort(); /* case_choices needs room for another kind's names */
			case_choices[n++] = cell_kinds[k]->case_names[i];
		}
	case_choices[n] = NULL;
}

/* --rate's help: what it is to torture, and to each kind that says
 * (cell_kind.h's rate_help). */
static char rate_help[160];

static void fill_rate_help(void)
{
	size_t n = (size_t)snprintf(rate_help, sizeof rate_help, "signals per second in total");
	for (size_t k = 0; cell_kinds[k] && n < sizeof rate_help; k++)
		if (cell_kinds[k]->rate_help)
			n += (size_t)snprintf(rate_help + n, sizeof rate_help - n, " (%s: %s)",
					      cell_kinds[k]->name, cell_kinds[k]->rate_help);
}

static int parse_shard(const char *arg, void *field, char *why, size_t cap)
{
	unsigned *s = field;
	if (ut_parse_shard(arg, &s[0], &s[1]) == 0)
		return 0;
	snprintf(why, cap, "is not I/N with 1 <= I <= N");
	return -1;
}

#define MAX_RATE PROTOCOL_MAX_RATE

static int parse_rate(const char *arg, void *field, char *why, size_t cap)
{
	uint64_t hz;
	if (strcmp(arg, "max") != 0 && (opts_parse_u64(arg, &hz) || hz < 1 || hz > MAX_RATE)) {
		snprintf(why, cap, "is not max or a whole number of signals per second in [1, %d]",
			 MAX_RATE);
		return -1;
	}
	*(const char **)field = arg;
	return 0;
}

/* ---- the table ---- */

#define AT(f) OPT_AT(struct run_opts, f)
#define GIVEN(f) OPT_GIVEN(struct run_opts, f)
#define MAX_RUNS 100000000

static const struct opt run_table[] = {
	{ .name = "arch", .arg = "A,..", .help = "arches from ci/arches.tsv, or all", .def = "all",
	  .kind = OPT_LIST, .at = AT(arches), .group = "matrix:" },
	{ .name = "matrix", .arg = "FILE",
	  .help = "the cells of a matrix file (docs/matrix-file.md) instead:\n"
		  "its rows on --arch, each with its runs, duration, cannon and\n"
		  "expected outcome (kind file; --runs, --run-duration, --rate\n"
		  "replace the rows'; --quick: its quick rows, --runs 1\n"
		  "--max-runs 20); a bad line stops everything, exit 2",
	  .kind = OPT_STRING, .at = AT(matrix) },
	{ .name = "case", .arg = "C,..",
	  .help = "torture's cases and go's programs (workload, floor), or all;\n"
		  "a kind given none of its names runs its default (torture:\n"
		  "every case its binary knows; go: the workload, repro-go:\n"
		  "its matrix's)",
	  .kind = OPT_LIST, .at = AT(cases), .given_at = GIVEN(cases_given),
	  .choices = case_choices },
	{ .name = "variant", .arg = "V,..", .help = "torture's variants, or all", .def = "all",
	  .kind = OPT_LIST, .at = AT(variants), .given_at = GIVEN(variants_given),
	  .choices = variant_choices },
	{ .name = "atomics", .arg = "S,..",
	  .help = "torture's strategies, 'default' (the arch's default) or 'all'\n"
		  "(every strategy the arch's torture supports)",
	  .def = "default", .kind = OPT_LIST, .at = AT(atomics), .given_at = GIVEN(atomics_given),
	  .choices = atomics_choices },
	{ .name = "runs", .arg = "N", .help = "runs per cell", .def = "10", .kind = OPT_UINT,
	  .at = AT(runs), .given_at = GIVEN(runs_given), .min = 1, .max = MAX_RUNS,
	  .group = "how much:" },
	{ .name = "for", .arg = "DURATION",
	  .help = "keep starting runs until DURATION has passed (with --runs,\n"
		  "whichever comes first)",
	  .kind = OPT_SECONDS, .at = AT(for_s), .given_at = GIVEN(for_given), .min = 0.001 },
	{ .name = "run-duration", .arg = "S", .help = "each run's --duration", .def = "1s",
	  .kind = OPT_SECONDS, .at = AT(run_duration), .given_at = GIVEN(duration_given),
	  .min = 0.001 },
	{ .name = "max-runs", .arg = "M",
	  .help = "a cell expected to fail that has not failed after --runs\n"
		  "runs keeps running until it does, up to M runs in all\n"
		  "(default: --runs; never for cells expected to pass)",
	  .kind = OPT_UINT, .at = AT(max_runs), .given_at = GIVEN(max_runs_given), .min = 1,
	  .max = MAX_RUNS },
	{ .name = "quick",
	  .help = "--runs 3 --max-runs 300 --run-duration 0.5 unless given (repro-go:\n"
		  "its matrix's quick cells, --runs 1 --max-runs 20)",
	  .kind = OPT_FLAG, .at = AT(quick) },
	{ .name = "shard", .arg = "I/N", .help = "only runs with k % N == I-1 (see proftorture merge)",
	  .kind = OPT_CUSTOM, .at = AT(shard), .parse = parse_shard },
	{ .name = "jobs", .short_name = 'j', .arg = "N", .help = "parallel runs (default: online CPUs)",
	  .kind = OPT_UINT, .at = AT(jobs), .min = 1, .max = 256 },
	{ .name = "seed", .arg = "S", .help = "base seed; run k of a cell gets S+k", .def = "1",
	  .kind = OPT_UINT, .at = AT(seed), .min = 0, .max = PROTOCOL_MAX_SEED },
	{ .name = "timeout-factor", .arg = "F", .help = "hard timeout = run-duration x F + slack",
	  .def = "4", .kind = OPT_DOUBLE, .at = AT(timeout_factor), .min = 1, .max = 1000,
	  .group = "timeouts (a hang never blocks the runner):" },
	{ .name = "timeout-slack", .arg = "S",
	  .help = "plus --watchdog when given; under qemu both factor and\nslack are doubled",
	  .def = "10s", .kind = OPT_SECONDS, .at = AT(timeout_slack), .min = 0 },
	{ .name = "kind", .arg = "K,..",
	  .help = "cell kinds: torture (build/<arch>/torture, the C rebuild;\n"
		  "stress, its old name, still works) and go\n"
		  "(the real Go runtime's workload, cases/go/;\ndocs/go-runtime.md); "
		  "file is --matrix's",
	  .def = "torture", .kind = OPT_LIST, .at = AT(kinds), .given_at = GIVEN(kinds_given),
	  .choices = kind_choices,
	  .group = "the real Go runtime (kind go):" },
	{ .name = "flavour", .arg = "F,..",
	  .help = "runtime flavours (ci/go-build --list), or all (default:\n"
		  "stock,regressed,unchecked; repro-go: its matrix's)",
	  .kind = OPT_LIST, .at = AT(flavours) },
	{ .name = "go-source", .arg = "S,..",
	  .help = "signal sources: thread-timer (the runtime's own timers), cannon\n"
		  "(plus the runner's SIGPROF cannon at --rate), or all",
	  .def = "all", .kind = OPT_LIST, .at = AT(sources), .given_at = GIVEN(sources_given),
	  .choices = source_choices },
	{ .name = "goroot", .arg = "DIR",
	  .help = "your Go tree, built by ci/go-build --goroot DIR into\n"
		  "build/<arch>/go/own; runs in stock's place",
	  .kind = OPT_STRING, .at = AT(goroot) },
	{ .name = "threads", .arg = "N", .help = "workers (go: -goroutines)", .kind = OPT_UINT,
	  .at = AT(threads), .min = 1, .max = PROTOCOL_MAX_THREADS,
	  .group = "passed to the programs (their defaults unless given):" },
	{ .name = "source", .arg = "S", .help = "torture: where the signals come from",
	  .kind = OPT_CHOICE, .at = AT(source), .choices = protocol_source_names },
	{ .name = "rate", .arg = "HZ|max",
	  .help = rate_help,
	  .kind = OPT_CUSTOM, .at = AT(rate), .parse = parse_rate },
	{ .name = "watchdog", .arg = "S",
	  .help = "no progress for S seconds = deadlock (go: at least 1s)",
	  .kind = OPT_SECONDS, .at = AT(watchdog), .min = 0.001 },
	{ .name = "out", .arg = "DIR",
	  .help = "artifacts: failing runs' output + replay scripts, summary.json\n"
		  "(default results/<timestamp>/, must be writable before any run)",
	  .kind = OPT_STRING, .at = AT(out), .group = "output:" },
	{ .name = "json", .arg = "FILE", .help = "the summary document also to FILE ('-' = stdout)",
	  .kind = OPT_STRING, .at = AT(json) },
	{ .name = "junit", .arg = "FILE", .help = "JUnit XML, one testcase per cell",
	  .kind = OPT_STRING, .at = AT(junit) },
	{ .name = "tap", .help = "TAP on stdout (the table then goes to stderr)", .kind = OPT_FLAG,
	  .at = AT(tap) },
	{ .name = "status-interval", .arg = "S", .help = "progress line period on stderr (0 = off)",
	  .def = "5s", .kind = OPT_SECONDS, .at = AT(status_interval), .min = 0 },
	{ .name = "verbose", .short_name = 'v', .help = "print every non-passing run, not only surprises",
	  .kind = OPT_FLAG, .at = AT(verbose) },
};

/* `repro` is `run` with other defaults: golang/go#24991's case, go1.12's
 * handler against the three fixed ones, on the arches whose 64-bit atomics
 * Go emulates (and armhf's native ones), 20 runs a cell. */
static const enum variant_id repro_variants[] = { VARIANT_UNLOCKED_FLUSH, VARIANT_LOCKED_FLUSH,
						   VARIANT_LOCKED_FLUSH_KUSER, VARIANT_EXACT };
#define REPRO_RUNS "20"

static const char run_usage[] =
	"usage: proftorture run [options]\n"
	"       proftorture run --matrix FILE [options]\n\n"
	"Runs every cell of arch x case x variant x strategy as separate processes\n"
	"(under qemu-<arch> for cross arches), classifies each run, and judges each\n"
	"cell against cases/expected.tsv. With --matrix, the cells are a file's rows\n"
	"(docs/matrix-file.md), each judged against its own expected column.\n";

static const char repro_usage[] =
	"usage: proftorture repro [options]\n\n"
	"Reproduces golang/go#24991: go1.12's handler against the three fixed ones, on\n"
	"arm and mips under qemu with each arch's default strategy, 20 runs of 1 s per\n"
	"cell (the defaults below). Prints a verdict table and Fisher's exact test of\n"
	"buggy vs fixed, and exits 0 only when every cell matched cases/expected.tsv.\n"
	"Takes every option of `proftorture run`.\n";

/* `repro-go` is `run` with the go kind's built-in matrix (kind_go.c: each
 * cell with the runs its question needs) and, beside it, the C rebuild's
 * unlocked-flush on the same arches, 5 runs of 5 s, hung runs stopped at
 * 5 s + 25 s under qemu (timeout = 2 x (5 x 1 + 10)). */
#define REPRO_GO_KINDS "go,torture"
#define REPRO_GO_RUNS "5"
#define REPRO_GO_MAX_RUNS "10"
#define REPRO_GO_DURATION "5s"
#define REPRO_GO_TIMEOUT_FACTOR "1"
#define REPRO_GO_TIMEOUT_SLACK "10s"

static const char repro_go_usage[] =
	"usage: proftorture repro-go [options]\n\n"
	"golang/go#24991 in the real Go runtime: Debian's Go 1.19 stock and with the fix\n"
	"reverted (cases/go/flavours.tsv, built by ci/go-build; `make repro-go` builds\n"
	"them), on arm5, arm7, mips and mipsle under qemu, with and without the runner's\n"
	"SIGPROF cannon, beside the C rebuild's unlocked-flush. A built-in matrix, each\n"
	"cell with the runs its question needs (--runs N gives every cell N), judged\n"
	"against cases/go/expected.tsv; then one side-by-side line per arch. --goroot DIR\n"
	"runs your tree in stock's place. Takes every option of `proftorture run`.\n";

static const char run_epilog[] =
	"exit status: 0 every cell matched; 1 some did not; 2 usage/setup error;\n"
	"3 results lost: a file (summary.json, report.html, --json, --junit, a run's\n"
	"log) or stdout could not be written, whatever the verdicts (the LOST line on\n"
	"stderr says what); 128+N interrupted by signal N (the summary of finished runs\n"
	"is still printed).\n";

/* ---- after parsing, before anything runs ---- */

/* The user's selection, as plan.h's kinds read it. */
static struct selection selection_of(const struct run_opts *o)
{
	return (struct selection){ o->arches, o->cases, o->variants, o->atomics, o->flavours,
				   o->sources, o->go_matrix, o->quick, o->goroot, o->matrix };
}

/* What only a kind knows to check (cell_kind.h's check_selection), e.g.
 * go's --flavour against its table. */
static void check_kind_selections(const struct opts_program *prog, const struct run_opts *o)
{
	struct selection sel = selection_of(o);
	for (size_t i = 0; cell_kinds[i]; i++) {
		struct sbuf why = { 0 };
		int rc = cell_kinds[i]->check_selection ? cell_kinds[i]->check_selection(&sel, &why) : 0;
		if (rc == CELL_KIND_BAD_FILE) { /* "FILE:LINE: field: ...", the whole line */
			fprintf(stderr, "%s\n", sb_str(&why));
			exit(PROTOCOL_EXIT_USAGE);
		}
		if (rc)
			opts_die(prog, "%s", sb_str(&why));
		sb_free(&why);
	}
}

/* Options that only one kind reads, given while no selected kind reads
 * them: refused, not ignored. */
static void check_kind_options(const struct opts_program *prog, const struct run_opts *o)
{
	bool torture = ut_list_has(o->kinds, torture_kind.name), go = ut_list_has(o->kinds, go_kind.name);
	const struct {
		const char *name;
		bool given, kind_selected;
		const char *kind;
	} only[] = {
		{ "--variant", o->variants_given, torture, torture_kind.name },
		{ "--atomics", o->atomics_given, torture, torture_kind.name },
		{ "--source", o->source >= 0, torture, torture_kind.name },
		{ "--flavour", o->flavours != NULL, go, go_kind.name },
		{ "--go-source", o->sources_given, go, go_kind.name },
		{ "--goroot", o->goroot != NULL, go, go_kind.name },
	};
	for (size_t i = 0; i < OPTS_COUNT(only); i++)
		if (only[i].given && !only[i].kind_selected)
			opts_die(prog, "%s: needs --kind %s (it is read by that kind only)", only[i].name,
				 only[i].kind);
	for (size_t i = 0; o->cases_given && o->cases[i]; i++) {
		const char *c = o->cases[i];
		if (strcmp(c, "all") == 0)
			continue;
		bool is_program = ut_list_has((char *const *)go_kind.case_names, c);
		if (is_program && !go)
			opts_die(prog, "--case: '%s' is a program of kind %s; add --kind %s", c,
				 go_kind.name, go_kind.name);
		char programs[256];
		if (!is_program && !torture)
			opts_die(prog, "--case: '%s' is a case of kind %s; kind %s's programs are: %s",
				 c, torture_kind.name, go_kind.name,
				 protocol_join(go_kind.case_names, " ", programs, sizeof programs));
	}
}

/* --matrix FILE: the file kind's cells, and only those; --kind file only
 * with it. */
static void check_matrix(const struct opts_program *prog, struct run_opts *o)
{
	bool file = ut_list_has(o->kinds, file_kind.name);
	if (!o->matrix) {
		if (file)
			opts_die(prog, "--kind: %s needs --matrix FILE (its cells are a file's rows)",
				 file_kind.name);
		return;
	}
	if (o->go_matrix || strcmp(prog->name, "proftorture run") != 0)
		opts_die(prog, "--matrix: `proftorture run --matrix FILE` only (this command has a "
			       "matrix of its own)");
	if (o->kinds_given && (!file || o->kinds[1]))
		opts_die(prog, "--kind: --matrix runs the file's cells (kind %s) only; drop --kind",
			 file_kind.name);
	if (o->cases_given)
		opts_die(prog, "--case: not with --matrix (the file's rows are the cells)");
	opts_free_list(o->kinds);
	o->kinds = xcalloc(2, sizeof *o->kinds);
	o->kinds[0] = xstrdup(file_kind.name);
}

/* Every check that involves two options, and the rules that make one
 * option's default depend on another's. */
static void check_options(const struct opts_program *prog, struct run_opts *o)
{
	check_matrix(prog, o);
	if (o->quick && (o->go_matrix || o->matrix)) { /* the run's duration is the row's */
		if (!o->runs_given)
			o->runs = REPRO_GO_QUICK_RUNS;
		if (!o->max_runs_given)
			o->max_runs = REPRO_GO_QUICK_MAX_RUNS;
	} else if (o->quick) {
		if (!o->runs_given)
			o->runs = QUICK_RUNS;
		if (!o->max_runs_given)
			o->max_runs = QUICK_MAX_RUNS;
		if (!o->duration_given)
			o->run_duration = QUICK_RUN_DURATION;
	}
	if (o->for_given && !o->runs_given) {
		if (o->max_runs_given)
			opts_die(prog, "--max-runs: needs --runs (with --for alone every cell runs "
				       "until the time is up)");
		o->runs = EXEC_UNBOUNDED;
	}
	if (!o->max_runs_given || o->max_runs < o->runs) {
		if (o->max_runs_given)
			opts_die(prog, "--max-runs: %llu is less than --runs %llu",
				 (unsigned long long)o->max_runs, (unsigned long long)o->runs);
		o->max_runs = o->max_runs > o->runs ? o->max_runs : o->runs;
	}
	check_kind_options(prog, o);
	check_kind_selections(prog, o);
	if (o->tap && o->json && strcmp(o->json, "-") == 0)
		opts_die(prog, "--tap and --json - both want stdout; give --json a file");
	if (o->runs != EXEC_UNBOUNDED && o->seed + o->max_runs - 1 > PROTOCOL_MAX_SEED)
		opts_die(prog, "--seed: %llu + %llu runs passes torture's largest seed, %d",
			 (unsigned long long)o->seed, (unsigned long long)o->max_runs, PROTOCOL_MAX_SEED);
}

/* --arch against ci/arches.tsv: the names are only known once it is read. */
static void check_arches(const struct opts_program *prog, const struct run_opts *o,
			 const struct plan *p)
{
	for (size_t i = 0; o->arches[i]; i++) {
		if (strcmp(o->arches[i], "all") == 0 || arch_find(&p->arches, o->arches[i]))
			continue;
		struct sbuf allowed = { 0 };
		sb_puts(&allowed, "all");
		for (size_t k = 0; k < p->arches.n; k++)
			sb_printf(&allowed, " %s", p->arches.v[k].name);
		opts_die(prog, "--arch: '%s' is not one of: %s", o->arches[i], allowed.s);
	}
}

/* The out dir (and its runs/) and the output files, proved writable. */
static char *prepare_outputs(const char *cmd, const struct run_opts *o)
{
	struct sbuf dir = { 0 }, runs = { 0 };
	if (o->out) {
		sb_puts(&dir, o->out);
	} else {
		time_t t = time(NULL);
		struct tm tm;
		char ts[32];
		localtime_r(&t, &tm);
		strftime(ts, sizeof ts, "%Y%m%d-%H%M%S", &tm);
		sb_printf(&dir, "results/%s", ts);
	}
	sb_printf(&runs, "%s/runs", dir.s);
	char err[512];
	if (ut_dir_writable(dir.s, err, sizeof err) || ut_dir_writable(runs.s, err, sizeof err))
		cli_die(cmd, "%s", err);
	sb_free(&runs);
	cli_check_output_file(cmd, "--json", o->json);
	cli_check_output_file(cmd, "--junit", o->junit);
	return dir.s;
}

static struct exec_config exec_config_of(const char *cmd, const struct run_opts *o,
					 const char *outdir)
{
	return (struct exec_config){
		.cmd = cmd, .runs = o->runs, .max_runs = o->max_runs,
		.for_s = o->for_given ? o->for_s : 0,
		.shard_index = o->shard[0], .shard_count = o->shard[1],
		.jobs = (unsigned)o->jobs,
		.timeout_factor = o->timeout_factor, .timeout_slack = o->timeout_slack,
		.base_seed = o->seed,
		.settings = { .duration = o->run_duration, .threads = o->threads,
			      .source = o->source >= 0 ? protocol_source_names[o->source] : NULL,
			      .rate = o->rate, .watchdog = o->watchdog },
		.verbose = o->verbose, .status_interval = o->status_interval, .outdir = outdir,
	};
}

/* The matrix's parameters, echoed into summary.json. */
static void describe_matrix(struct matrix *m, const char *cmd, const struct exec_config *x)
{
	m->command = cmd;
	m->base_seed = x->base_seed;
	m->run_duration = x->settings.duration;
	m->runs_per_cell = x->runs == EXEC_UNBOUNDED ? 0 : x->runs;
	m->shard_index = x->shard_index;
	m->shard_count = x->shard_count;
}

/* One arch's compilers: each kind's own (cell_kind.h's compiler), the
 * arch's gcc for a kind without one; distinct values joined by "; ". */
static void describe_compilers(struct plan *p, struct config_arch *ca)
{
	struct sbuf b = { 0 };
	for (size_t i = 0; i < p->m.ncells; i++) {
		const struct cell *c = &p->m.cells[i];
		if (strcmp(c->arch, ca->arch) != 0)
			continue;
		char *mine = c->kind->compiler ? c->kind->compiler(c) : NULL;
		const char *what = c->kind->compiler ? (mine ? mine : "unknown") : ca->compiler;
		if (what && !strstr(sb_str(&b), what))
			sb_printf(&b, "%s%s", b.len ? "; " : "", what);
		free(mine);
	}
	if (b.len) {
		ut_sanitize(b.s);
		free(ca->compiler);
		ca->compiler = b.s;
	}
}

/* What a reader needs to rerun it (config.h), for the arches its cells
 * run on. */
static void describe_config(struct plan *p, const char *command_line)
{
	char **names = xcalloc(p->m.ncells + 1, sizeof *names);
	for (size_t i = 0; i < p->m.ncells; i++)
		names[i] = p->m.cells[i].arch;
	config_collect(&p->m.config, &p->arches, names, command_line);
	free(names);
	for (size_t i = 0; i < p->m.config.narches; i++)
		describe_compilers(p, &p->m.config.arches[i]);
}

/* ---- the pipeline ---- */

/* The cells of the kinds --kind names (cell_kind.h), in the registry's
 * order. A --runs or --for given by the user replaces the runs a kind
 * chose for its cells. */
static void plan_matrix(const struct opts_program *prog, struct plan *p, struct run_opts *o)
{
	const struct cell_kind *kinds[8] = { NULL };
	size_t nk = 0;
	for (size_t i = 0; cell_kinds[i] && nk + 1 < sizeof kinds / sizeof kinds[0]; i++)
		if (ut_list_has(o->kinds, cell_kinds[i]->name))
			kinds[nk++] = cell_kinds[i];
	struct selection sel = selection_of(o);
	plan_cells(p, &sel, kinds);
	uint64_t most = o->max_runs;
	for (size_t i = 0; i < p->m.ncells; i++) {
		if (o->runs_given || o->for_given || o->quick)
			p->m.cells[i].runs = 0;
		if (o->duration_given)
			p->m.cells[i].duration = 0;
		most = p->m.cells[i].runs > most ? p->m.cells[i].runs : most;
	}
	if (o->runs != EXEC_UNBOUNDED && o->seed + most - 1 > PROTOCOL_MAX_SEED)
		opts_die(prog, "--seed: %llu + %llu runs passes torture's largest seed, %d",
			 (unsigned long long)o->seed, (unsigned long long)most, PROTOCOL_MAX_SEED);
}

static int run_pipeline(const struct opts_program *prog, const char *cmd, struct run_opts *o,
			const char *command_line)
{
	struct plan p;
	char err[512];
	if (plan_load(&p, cmd, err, sizeof err))
		cli_die(cmd, "%s", err);
	check_arches(prog, o, &p);
	char *outdir = prepare_outputs(cmd, o);
	plan_matrix(prog, &p, o);

	ledger_start(cmd, outdir);
	struct exec_config x = exec_config_of(cmd, o, outdir);
	describe_matrix(&p.m, cmd, &x);
	describe_config(&p, command_line);
	int sig = execute_matrix(&p, &x);

	matrix_summarize(&p.m);

	struct sbuf summary = { 0 }, html = { 0 }, footer = { 0 };
	char el[32];
	sb_printf(&summary, "%s/summary.json", outdir);
	sb_printf(&html, "%s/report.html", outdir);
	ut_format_duration(el, sizeof el, p.m.elapsed);
	for (size_t i = 0; cell_kinds[i]; i++)
		if (cell_kinds[i]->footer)
			cell_kinds[i]->footer(&p.m, &footer);
	sb_printf(&footer, "%zu runs in %s", p.m.nruns, el);
	struct report_outputs outs = { cmd, summary.s, html.s, outdir, o->json, o->junit, o->tap };
	report_all(&p.m, &outs, footer.s);

	int rc = ledger_finish(sig ? PROTOCOL_RUNNER_EXIT_SIGNAL(sig)
				: matrix_matched(&p.m) ? PROTOCOL_RUNNER_EXIT_MATCHED
							 : PROTOCOL_RUNNER_EXIT_MISMATCH);
	sb_free(&summary);
	sb_free(&html);
	sb_free(&footer);
	free(outdir);
	plan_free(&p);
	return rc;
}

/* --kind's choices: every kind that run plans (a record-only kind has no
 * plan_arch), then the old names (cell_kind.h), accepted so that old
 * command lines still run. */
static void fill_kind_choices(void)
{
	size_t n = 0;
	for (size_t i = 0; cell_kinds[i] && n + 1 < OPTS_COUNT(kind_choices); i++)
		if (cell_kinds[i]->plan_arch)
			kind_choices[n++] = cell_kinds[i]->name;
	for (size_t i = 0; cell_kinds[i] && n + 1 < OPTS_COUNT(kind_choices); i++)
		if (cell_kinds[i]->plan_arch && cell_kinds[i]->old_name)
			kind_choices[n++] = cell_kinds[i]->old_name;
}

/* A kind's old name given to --kind: the kind it is now, and a note on
 * stderr naming the new one, so that the command line gets fixed. */
static void rename_old_kinds(const struct opts_program *prog, char **kinds)
{
	for (size_t i = 0; kinds && kinds[i]; i++) {
		const struct cell_kind *k = cell_kind_find(kinds[i]);
		if (!k || strcmp(k->name, kinds[i]) == 0)
			continue;
		fprintf(stderr, "%s: note: --kind %s is now --kind %s; the old name will go\n",
			prog->name, kinds[i], k->name);
		char *name = strdup(k->name);
		if (!name)
			opts_die(prog, "--kind: out of memory");
		free(kinds[i]);
		kinds[i] = name;
	}
}

static int run_command(const char *cmd, const char *usage, const struct opt *table, size_t n,
		       int argc, char **argv)
{
	fill_choices(case_choices, protocol_case_names, (const char *const[]){ "all", NULL });
	add_kind_cases();
	fill_rate_help();
	fill_choices(variant_choices, protocol_variant_names, (const char *const[]){ "all", NULL });
	fill_choices(atomics_choices, protocol_strategy_names,
		     (const char *const[]){ "default", "all", NULL });
	fill_kind_choices();
	source_choices[0] = "all";
	source_choices[1] = protocol_source_names[SOURCE_THREAD_TIMER];
	source_choices[2] = protocol_source_names[SOURCE_CANNON];
	char name[32];
	snprintf(name, sizeof name, "proftorture %s", cmd);
	struct opts_program prog = { .name = name, .usage = usage, .epilog = run_epilog,
				     .opts = table, .nopts = n, .usage_exit = PROTOCOL_EXIT_USAGE };
	struct run_opts o = { .source = -1, .go_matrix = strcmp(cmd, "repro-go") == 0 };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	o.jobs = cpus > 0 ? (uint64_t)cpus : 1;
	int first = opts_parse(&prog, argc, argv, &o);
	if (first < argc)
		opts_die(&prog, "unexpected argument '%s'", argv[first]);
	rename_old_kinds(&prog, o.kinds);
	check_options(&prog, &o);
	char *command_line = config_command_line(argc, argv);
	int rc = run_pipeline(&prog, cmd, &o, command_line);
	free(command_line);
	opts_free_list(o.arches);
	opts_free_list(o.cases);
	opts_free_list(o.variants);
	opts_free_list(o.atomics);
	opts_free_list(o.kinds);
	opts_free_list(o.flavours);
	opts_free_list(o.sources);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	return run_command("run", run_usage, run_table, OPTS_COUNT(run_table), argc, argv);
}

/* Sets the default of the row called name (which must exist). */
static void set_default(struct opt *table, size_t n, const char *name, const char *def)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(table[i].name, name) == 0) {
			table[i].def = def;
			return;
		}
	abort(); /* a default for an option `run` does not have */
}

/* The arches ci/arches.tsv's repro column names; "" when the table cannot
 * be read (the plan then says why). Kept for the process's life: it is the
 * --arch default of the option table. */
static const char *repro_arches(void)
{
	static char *list;
	if (!list) {
		struct arch_table t;
		char err[256], *path = root_path("ci/arches.tsv");
		list = arches_load(path, &t, err, sizeof err) == 0 ? arches_repro_list(&t) : xstrdup("");
		if (t.v)
			arches_free(&t);
		free(path);
	}
	return list;
}

/* repro and repro-go without a repro set cannot choose their arches. */
static void need_repro_arches(const char *cmd)
{
	if (!*repro_arches())
		cli_die(cmd, "ci/arches.tsv (under %s) names no arch in its repro column, or cannot "
			     "be read: the default --arch is that column",
			harness_root());
}

int cmd_repro(int argc, char **argv)
{
	struct opt table[OPTS_COUNT(run_table)];
	memcpy(table, run_table, sizeof table);
	const char *variants[OPTS_COUNT(repro_variants) + 1] = { NULL };
	for (size_t i = 0; i < OPTS_COUNT(repro_variants); i++)
		variants[i] = protocol_variant_names[repro_variants[i]];
	char variant_list[256];
	protocol_join(variants, ",", variant_list, sizeof variant_list);
	need_repro_arches(argc ? argv[0] : "repro");
	set_default(table, OPTS_COUNT(table), "arch", repro_arches());
	set_default(table, OPTS_COUNT(table), "case", protocol_case_names[CASE_LOST_ATOMIC]);
	set_default(table, OPTS_COUNT(table), "variant", variant_list);
	set_default(table, OPTS_COUNT(table), "runs", REPRO_RUNS);
	return run_command("repro", repro_usage, table, OPTS_COUNT(table), argc, argv);
}

int cmd_repro_go(int argc, char **argv)
{
	struct opt table[OPTS_COUNT(run_table)];
	memcpy(table, run_table, sizeof table);
	need_repro_arches(argc ? argv[0] : "repro");
	set_default(table, OPTS_COUNT(table), "arch", repro_arches());
	set_default(table, OPTS_COUNT(table), "kind", REPRO_GO_KINDS);
	set_default(table, OPTS_COUNT(table), "case", protocol_case_names[CASE_LOST_ATOMIC]);
	set_default(table, OPTS_COUNT(table), "variant", protocol_variant_names[VARIANT_UNLOCKED_FLUSH]);
	set_default(table, OPTS_COUNT(table), "runs", REPRO_GO_RUNS);
	set_default(table, OPTS_COUNT(table), "max-runs", REPRO_GO_MAX_RUNS);
	set_default(table, OPTS_COUNT(table), "run-duration", REPRO_GO_DURATION);
	set_default(table, OPTS_COUNT(table), "timeout-factor", REPRO_GO_TIMEOUT_FACTOR);
	set_default(table, OPTS_COUNT(table), "timeout-slack", REPRO_GO_TIMEOUT_SLACK);
	return run_command("repro-go", repro_go_usage, table, OPTS_COUNT(table), argc, argv);
}
