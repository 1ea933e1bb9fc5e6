/*
 * torture's options, each declared once as a row of options/options.h's
 * table: name, argument, help, default, parser. The names a choice may take
 * are protocol.h's; the help around them is built from the same tables.
 *
 * What the table cannot say, options_parse checks right after parsing and
 * before anything starts: --case and --variant are required; --mix defaults
 * per case, and overflow needs plain steps; --probe judges nothing, so
 * --keep-going means nothing with it; --force-outcome names an outcome
 * torture itself may report; --list and --protocol print and exit.
 *
 * The one default not in its row is --atomics': this arch's strategy, which
 * atomic_emul_default() knows (ci/arches.tsv, compiled in), set before
 * parsing and shown in the help; for libatomic-deadlock, libatomic, the one
 * strategy that case runs under (main.c says unsupported to any other).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "torture.h"

#define STR(x) #x
#define XSTR(x) STR(x)

/* What the table parses into; options_parse turns it into struct options. */
struct parsed {
	int kase, variant, source, force_outcome; /* choice indexes; -1: not given */
	int threads;
	double duration, watchdog;
	long rate;
	struct atomic_emul_config atomics;
	uint64_t seed;
	int mix[2];
	bool atomics_given, mix_given, keep_going, probe, list, protocol;
};

static int parse_rate(const char *arg, void *field, char *why, size_t cap)
{
	uint64_t hz;
	if (strcmp(arg, "max") == 0) {
		*(long *)field = 0;
		return 0;
	}
	if (opts_parse_u64(arg, &hz) == 0 && hz >= 1 && hz <= PROTOCOL_MAX_RATE) {
		*(long *)field = (long)hz;
		return 0;
	}
	snprintf(why, cap, "is neither max nor a whole number of signals per second in [1, %d]",
		 PROTOCOL_MAX_RATE);
	return -1;
}

static int parse_atomics(const char *arg, void *field, char *why, size_t cap)
{
	if (atomic_emul_parse(arg, field) == 0)
		return 0;
	char names[256];
	snprintf(why, cap, "is not one of: %s",
		 protocol_join(protocol_strategy_names, " ", names, sizeof names));
	return -1;
}

static int parse_mix(const char *arg, void *field, char *why, size_t cap)
{
	int *mix = field;
	char tail;
	if (sscanf(arg, "%d:%d%c", &mix[0], &mix[1], &tail) == 2 && mix[0] >= 0 && mix[1] >= 0 &&
	    mix[0] <= 100000 && mix[1] <= 100000 && mix[0] + mix[1] > 0)
		return 0;
	snprintf(why, cap, "is not A:P, two whole numbers in [0, 100000], not both 0");
	return -1;
}

#define AT(field) OPT_AT(struct parsed, field)

static const struct opt torture_opts[] = {
	{ .name = "case", .arg = "CASE", .help = "the case to run (required; the names are above)",
	  .kind = OPT_CHOICE, .at = AT(kase), .choices = protocol_case_names },
	{ .name = "variant", .arg = "VARIANT", .help = "the handler variant (required)",
	  .kind = OPT_CHOICE, .at = AT(variant), .choices = protocol_variant_names },
	/* Two: one worker per core of a 2-core machine; ci/tune found 2 faster
	 * to corrupt than 4 in 11 of 12 (arch, mix) pairs (docs/measurements/tuning.md). */
	{ .name = "threads", .arg = "N", .help = "workers, 1.." XSTR(MAX_WORKERS), .def = "2",
	  .kind = OPT_INT, .at = AT(threads), .min = 1, .max = MAX_WORKERS },
	{ .name = "duration", .arg = "S", .help = "seconds of signals", .def = "1",
	  .kind = OPT_SECONDS, .at = AT(duration), .min = 0.001, .max = 86400 },
	{ .name = "source", .arg = "SOURCE", .help = "where the signals come from", .def = "cannon",
	  .kind = OPT_CHOICE, .at = AT(source), .choices = protocol_source_names },
	{ .name = "rate", .arg = "HZ|max", .help = "signals per second in total", .def = "max",
	  .kind = OPT_CUSTOM, .at = AT(rate), .parse = parse_rate },
	{ .name = "atomics", .arg = "STRATEGY", .help = "how 64-bit atomics are done (default above)",
	  .kind = OPT_CUSTOM, .at = AT(atomics), .given_at = OPT_GIVEN(struct parsed, atomics_given),
	  .parse = parse_atomics },
	{ .name = "seed", .arg = "N", .help = "seeds the workers' data and the run", .def = "1",
	  .kind = OPT_UINT, .at = AT(seed), .min = 0, .max = PROTOCOL_MAX_SEED },
	{ .name = "watchdog", .arg = "S", .help = "no progress for S seconds = deadlock", .def = "5",
	  .kind = OPT_SECONDS, .at = AT(watchdog), .min = 0.001, .max = 86400 },
	{ .name = "mix", .arg = "A:P",
	  .help = "per worker loop: A emulated atomics, P plain steps\n"
		  "(default per case, above; overflow runs plain code\n"
		  "only)",
	  .kind = OPT_CUSTOM, .at = AT(mix), .given_at = OPT_GIVEN(struct parsed, mix_given),
	  .parse = parse_mix },
	{ .name = "keep-going", .help = "do not end the run at the first corruption", .kind = OPT_FLAG,
	  .at = AT(keep_going) },
	{ .name = "probe", .help = "the handler only counts signals (no profiler): the\n"
				   "signal-rate ceiling for the same threads and source",
	  .kind = OPT_FLAG, .at = AT(probe) },
	{ .name = "force-outcome", .arg = "OUTCOME",
	  .help = "run and judge as usual, then report OUTCOME instead,\n"
		  "through the same result line and exit status (for\n"
		  "the exit-path test, tests/harness/check_exit_paths.c)",
	  .kind = OPT_CHOICE, .at = AT(force_outcome), .choices = protocol_outcome_names },
	{ .name = "list", .help = "cases, variants, sources, strategies and the\n"
				  "expected outcome of each on this arch",
	  .kind = OPT_FLAG, .at = AT(list), .group = "" },
	{ .name = "protocol", .help = "the torture<->runner protocol (protocol.h) as JSON",
	  .kind = OPT_FLAG, .at = AT(protocol) },
};

/* Default mixes: mostly atomics where the case is about being inside one;
 * for lost-atomic, enough plain code that about half the signals are
 * samples, each flushing the lost count: 8:128 halved the median time to
 * corruption against 8:32 under qemu (docs/measurements/tuning.md). The help above
 * says the same. */
static const int default_mix[NCASES][2] = {
	[CASE_LOST_ATOMIC] = { 8, 128 },
	[CASE_ATOMIC_DEADLOCK] = { 32, 4 },
	[CASE_PROFILE_STOP] = { 8, 128 },
	[CASE_OVERFLOW] = { 0, 64 },
	[CASE_LIBATOMIC_DEADLOCK] = { 32, 4 },
	[CASE_RATE_CHANGE] = { 8, 128 },
};

/* libatomic-deadlock's strategy, whatever the arch's default. */
static const struct atomic_emul_config c11_case_atomics = { ATOMIC_EMUL_LIBATOMIC,
							    ATOMIC_EMUL_CAS32_BUILTIN };

static char usage_text[1536], epilog_text[512];

static const struct opts_program torture_program = {
	.name = "torture",
	.usage = usage_text,
	.epilog = epilog_text,
	.opts = torture_opts,
	.nopts = OPTS_COUNT(torture_opts),
	.usage_exit = PROTOCOL_EXIT_USAGE,
};

/* "A:P" of each case's default mix, for the help. */
static const char *default_mixes(char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = 0;
	for (int c = 0; c < NCASES && n < cap; c++)
		n += (size_t)snprintf(buf + n, cap - n, "%s%s %d:%d",
				      c == 0 ? "" : c % 2 ? ", " : ",\n            ",
				      protocol_case_names[c], default_mix[c][0], default_mix[c][1]);
	return buf;
}

/* The outcomes torture may report itself (--force-outcome's choices). */
static const char *reportable_outcomes(char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = 0;
	for (int o = 0; o < OUT_COUNT && n < cap; o++)
		if (outcome_child_may_report((enum outcome)o))
			n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? " " : "",
					      outcome_name((enum outcome)o));
	return buf;
}

/* "exit: 0 pass, ..." from protocol.h's table, wrapped before 80 columns. */
static void exit_statuses(char *buf, size_t cap)
{
	size_t n = (size_t)snprintf(buf, cap, "\nexit:"), line_start = 0;
	for (int o = 0; o < OUT_COUNT && n < cap; o++) {
		if (!outcome_child_may_report((enum outcome)o))
			continue;
		if (n - line_start > 64) {
			line_start = n;
			n += (size_t)snprintf(buf + n, cap - n, "\n     ");
		}
		n += (size_t)snprintf(buf + n, cap - n, " %d %s,", outcome_exit_status((enum outcome)o),
				      outcome_name((enum outcome)o));
	}
	if (n < cap)
		snprintf(buf + n, cap - n, " %d usage error\n", PROTOCOL_EXIT_USAGE);
}

/* The help's head (the names every choice may take, the default mixes and
 * atomics) and tail (the exit statuses), from protocol.h's tables, the
 * table above and atomic_emul. */
static void build_help(void)
{
	char cases[128], variants[128], sources[128], strategies[128], mixes[256], outcomes[128];
	snprintf(usage_text, sizeof usage_text,
		 "usage: torture --case CASE --variant VARIANT [options]\n"
		 "       torture --list | --protocol | --help\n\n"
		 "Runs one case of proftorture against one variant of Go's SIGPROF handler and\n"
		 "prints exactly one JSON result line on stdout (diagnostics go to stderr).\n\n"
		 "  CASE      %s\n  VARIANT   %s\n  SOURCE    %s\n"
		 "  STRATEGY  %s\n            (this build runs: %s; default %s,\n"
		 "            and %s for %s, the one it runs under)\n"
		 "  MIX       %s\n  OUTCOME   %s\n",
		 protocol_join(protocol_case_names, " ", cases, sizeof cases),
		 protocol_join(protocol_variant_names, " ", variants, sizeof variants),
		 protocol_join(protocol_source_names, " ", sources, sizeof sources),
		 protocol_join(protocol_strategy_names, " ", strategies, sizeof strategies),
		 atomic_emul_supported_names(), atomic_emul_config_name(atomic_emul_default()),
		 atomic_emul_config_name(c11_case_atomics), protocol_case_names[CASE_LIBATOMIC_DEADLOCK],
		 default_mixes(mixes, sizeof mixes),
		 reportable_outcomes(outcomes, sizeof outcomes));
	exit_statuses(epilog_text, sizeof epilog_text);
}

/* --list: what this binary can run here, and what the table expects of it. */
static void list(void)
{
	char names[256];
	printf("arch %s\n", PROFTORTURE_ARCH);
	printf("cases %s\n", protocol_join(protocol_case_names, " ", names, sizeof names));
	printf("variants %s\n", protocol_join(protocol_variant_names, " ", names, sizeof names));
	printf("sources %s\n", protocol_join(protocol_source_names, " ", names, sizeof names));
	printf("strategies %s\n", atomic_emul_supported_names());
	printf("default-atomics %s\n", atomic_emul_config_name(atomic_emul_default()));
	snprintf(names, sizeof names, "%s", atomic_emul_supported_names());
	for (int c = 0; c < NCASES; c++)
		for (int v = 0; v < NVARIANTS; v++) {
			char copy[sizeof names], *save = NULL;
			memcpy(copy, names, sizeof copy);
			for (char *s = strtok_r(copy, " ", &save); s; s = strtok_r(NULL, " ", &save))
				printf("expect %s %s %s %s\n", protocol_case_names[c], protocol_variant_names[v],
				       s, expected_outcome(PROFTORTURE_ARCH, protocol_case_names[c],
							   protocol_variant_names[v], s));
		}
}

/* --protocol: protocol.h's tables as one JSON document. */
static void print_protocol(void)
{
	char buf[4096];
	size_t n = protocol_to_json(buf, sizeof buf);
	if (n >= sizeof buf) {
		fprintf(stderr, "torture: the protocol needs %zu bytes, more than --protocol's %zu\n", n,
			sizeof buf);
		exit(outcome_exit_status(OUT_ERROR));
	}
	fwrite(buf, 1, n, stdout);
}

/* The checks that involve more than one option, or none of the table's. */
static void check(const struct parsed *p)
{
	const struct opts_program *prog = &torture_program;
	if (p->list && p->protocol)
		opts_die(prog, "--list and --protocol: one at a time");
	if (p->list || p->protocol)
		return;
	if (p->kase < 0 || p->variant < 0)
		opts_die(prog, "--case and --variant are required");
	if (p->force_outcome >= 0 && !outcome_child_may_report((enum outcome)p->force_outcome))
		opts_die(prog, "--force-outcome: '%s' is an outcome only the runner reports, not torture",
			 outcome_name((enum outcome)p->force_outcome));
	if (p->probe && p->keep_going)
		opts_die(prog, "--keep-going with --probe: the probe judges nothing, so nothing can fail");
	if (p->mix_given && p->kase == CASE_OVERFLOW && p->mix[1] == 0)
		opts_die(prog, "--mix %d:0 with --case overflow: overflow runs plain code only, so P "
			       "must be > 0", p->mix[0]);
}

/* build/<arch>/stress, this program's old name, is a symlink to it kept for
 * a while: whoever still runs it learns the new name, on stderr so that
 * stdout keeps its one result line, and the run carries on. */
static void note_old_name(const char *argv0)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;
	base = base ? base + 1 : argv0;
	if (base && strcmp(base, "stress") == 0)
		fprintf(stderr, "stress: this program is now build/%s/torture; the old name will go\n",
			PROFTORTURE_ARCH);
}

void options_parse(int argc, char **argv, struct options *o)
{
	note_old_name(argc > 0 ? argv[0] : NULL);
	struct parsed p = { .kase = -1, .variant = -1, .force_outcome = -1 };
	p.atomics = atomic_emul_default();
	build_help();
	int first_operand = opts_parse(&torture_program, argc, argv, &p);
	if (first_operand < argc)
		opts_die(&torture_program, "unexpected argument '%s'", argv[first_operand]);
	check(&p);
	if (p.list)
		list();
	if (p.protocol)
		print_protocol();
	if (p.list || p.protocol)
		exit(0);
	const int *mix = p.mix_given ? p.mix : default_mix[p.kase];
	if (!p.atomics_given && p.kase == CASE_LIBATOMIC_DEADLOCK)
		p.atomics = c11_case_atomics;
	*o = (struct options){
		.kase = (enum case_id)p.kase, .variant = (enum sigprof_variant)p.variant,
		.threads = p.threads, .duration = p.duration, .source = (enum source_id)p.source,
		.rate = p.rate, .atomics = p.atomics, .seed = p.seed, .watchdog = p.watchdog,
		.atomic_ops = mix[0], .plain_ops = mix[1], .keep_going = p.keep_going,
		.probe = p.probe, .force_outcome = p.force_outcome,
	};
}
