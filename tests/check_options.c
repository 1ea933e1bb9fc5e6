/*
 * options: one table row per option gives defaults, parsing, help and the
 * one-line errors. A usage error exits, so those cases run in a child whose
 * stderr goes to a file the test then reads.
 */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "support/child.h"
#include "support/slurp.h"
#include "support/suite_run.h"

struct demo {
	const char *name;
	bool verbose;
	uint64_t runs;
	bool runs_given;
	int threads;
	double duration, ratio;
	int colour;
	char **arches;
	int pair[2];
};

static const char *const colours[] = { "red", "green", "blue", NULL };

static int parse_pair(const char *arg, void *field, char *why, size_t cap)
{
	int *p = field;
	char tail;
	if (sscanf(arg, "%d:%d%c", &p[0], &p[1], &tail) != 2) {
		snprintf(why, cap, "is not A:B");
		return -1;
	}
	return 0;
}

static const struct opt demo_opts[] = {
	{ .name = "name", .arg = "S", .help = "a name", .def = "anon", .kind = OPT_STRING,
	  .at = OPT_AT(struct demo, name), .group = "things:" },
	{ .name = "verbose", .short_name = 'v', .help = "say more", .kind = OPT_FLAG,
	  .at = OPT_AT(struct demo, verbose) },
	{ .name = "runs", .arg = "N", .help = "how many", .def = "10", .kind = OPT_UINT,
	  .at = OPT_AT(struct demo, runs), .given_at = OPT_GIVEN(struct demo, runs_given), .min = 1,
	  .max = 1000 },
	{ .name = "threads", .short_name = 'j', .arg = "N", .help = "workers\nsecond line", .def = "2",
	  .kind = OPT_INT, .at = OPT_AT(struct demo, threads), .min = -4, .max = 32 },
	{ .name = "duration", .arg = "D", .help = "how long", .def = "1s", .kind = OPT_SECONDS,
	  .at = OPT_AT(struct demo, duration), .min = 0.001 },
	{ .name = "ratio", .arg = "R", .help = "a ratio", .def = "0.5", .kind = OPT_DOUBLE,
	  .at = OPT_AT(struct demo, ratio), .min = 0, .max = 1 },
	{ .name = "colour", .arg = "C", .help = "red, green or blue", .def = "green", .kind = OPT_CHOICE,
	  .at = OPT_AT(struct demo, colour), .choices = colours },
	{ .name = "arch", .arg = "A,..", .help = "arches", .kind = OPT_LIST,
	  .at = OPT_AT(struct demo, arches), .choices = (const char *const[]){ "mips", "armel", NULL } },
	{ .name = "pair", .arg = "A:B", .help = "two numbers", .def = "1:2", .kind = OPT_CUSTOM,
	  .at = OPT_AT(struct demo, pair), .parse = parse_pair },
};

static const struct opts_program demo = {
	.name = "demo",
	.usage = "usage: demo [options] [CMD...]",
	.epilog = "exit: 0 fine\n",
	.opts = demo_opts,
	.nopts = OPTS_COUNT(demo_opts),
	.usage_exit = 2,
	.stop_at_operand = true,
};

static int parse(struct demo *d, char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	memset(d, 0, sizeof *d);
	return opts_parse(&demo, argc, argv, d);
}

START_TEST(test_defaults_apply_and_values_replace_them)
{
	struct demo d;
	ck_assert_int_eq(parse(&d, (char *[]){ "demo", NULL }), 1);
	ck_assert_str_eq(d.name, "anon");
	ck_assert(!d.verbose);
	ck_assert_uint_eq(d.runs, 10);
	ck_assert(!d.runs_given);
	ck_assert_int_eq(d.threads, 2);
	ck_assert_double_eq(d.duration, 1);
	ck_assert_int_eq(d.colour, 1);
	ck_assert_ptr_null(d.arches);
	ck_assert_int_eq(d.pair[1], 2);

	char *argv[] = { "demo", "--name=x", "-v", "--runs", "7", "-j", "-3", "--duration", "1m30.5s",
			 "--colour", "blue", "--arch", "mips,,armel", "--arch", "armel", "--pair", "5:6",
			 "--ratio", "1", "cmd", "--not-ours", NULL };
	ck_assert_int_eq(parse(&d, argv), 19);
	ck_assert_str_eq(d.name, "x");
	ck_assert(d.verbose);
	ck_assert_uint_eq(d.runs, 7);
	ck_assert(d.runs_given);
	ck_assert_int_eq(d.threads, -3);
	ck_assert_double_eq_tol(d.duration, 90.5, 1e-9);
	ck_assert_int_eq(d.colour, 2);
	ck_assert_str_eq(d.arches[0], "armel"); /* the later value replaced the earlier */
	ck_assert_ptr_null(d.arches[1]);
	ck_assert_int_eq(d.pair[0], 5);
	ck_assert_double_eq(d.ratio, 1);
	opts_free_list(d.arches);
}
END_TEST

START_TEST(test_durations_parse_strictly)
{
	double s;
	const struct { const char *text; double want; } good[] = {
		{ "1.5", 1.5 }, { "90s", 90 }, { "500ms", 0.5 }, { "2m", 120 }, { "1h30m", 5400 },
		{ "0", 0 }, { "1m30.5s", 90.5 },
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		ck_assert_msg(opts_parse_seconds(good[i].text, &s) == 0, "refused %s", good[i].text);
		ck_assert_double_eq_tol(s, good[i].want, 1e-9);
	}
	const char *bad[] = { "", "-1", "1x", "s", "1 s", "nan", "inf", "1e999", "m5", "1.2.3s", " 1" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(opts_parse_seconds(bad[i], &s) != 0, "took '%s'", bad[i]);
	uint64_t u;
	ck_assert_int_eq(opts_parse_u64("18446744073709551615", &u), 0);
	ck_assert_int_ne(opts_parse_u64("18446744073709551616", &u), 0);
	ck_assert_int_ne(opts_parse_u64("-1", &u), 0);
	ck_assert_int_ne(opts_parse_u64(" 1", &u), 0);
	ck_assert_int_ne(opts_parse_u64("0x10", &u), 0);
}
END_TEST

/* ---- errors: in a child, stderr to a file ---- */

static char *const *child_argv;
static char errfile[64];

static void parse_in_child(void *arg)
{
	(void)arg;
	int fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	int devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, 1);
	struct demo d;
	parse(&d, (char **)child_argv);
	_exit(0);
}

/* Runs argv in a child; returns its exit status and its stderr in buf. */
static int usage_of(char *const *argv, char *buf, size_t cap)
{
	snprintf(errfile, sizeof errfile, "/tmp/check_options.%d", (int)getpid());
	child_argv = argv;
	struct child_result r = run_in_child(parse_in_child, NULL, 20 * slowdown());
	ck_assert_int_eq(r.outcome, CHILD_EXITED);
	slurp_into(errfile, buf, cap, NULL);
	unlink(errfile);
	return r.code;
}

START_TEST(test_bad_values_exit_2_with_one_line_naming_the_option)
{
	const struct { char *argv[4]; const char *want; } cases[] = {
		{ { "demo", "--runs", "0", NULL }, "demo: --runs: '0' is not a whole number in [1, 1000] (see demo --help)\n" },
		{ { "demo", "-j", "33", NULL }, "demo: --threads: '33' is not a whole number in [-4, 32] (see demo --help)\n" },
		{ { "demo", "--duration", "0s", NULL }, "demo: --duration: '0s' is not a duration >= 0.001 (e.g. 1.5, 90s, 500ms, 2m, 1h30m) (see demo --help)\n" },
		{ { "demo", "--colour=pink", NULL }, "demo: --colour: 'pink' is not one of: red green blue (see demo --help)\n" },
		{ { "demo", "--arch", "mips,vax", NULL }, "demo: --arch: 'mips,vax' has 'vax', which is not one of: mips armel (see demo --help)\n" },
		{ { "demo", "--arch", ",", NULL }, "demo: --arch: ',' is an empty list (see demo --help)\n" },
		{ { "demo", "--pair", "1", NULL }, "demo: --pair: '1' is not A:B (see demo --help)\n" },
		{ { "demo", "--ratio", "nan", NULL }, "demo: --ratio: 'nan' is not a number in [0, 1] (see demo --help)\n" },
		{ { "demo", "--bogus", NULL }, "demo: unknown option '--bogus' (see demo --help)\n" },
		{ { "demo", "-x", NULL }, "demo: unknown option -x (see demo --help)\n" },
		{ { "demo", "--runs", NULL }, "demo: option --runs needs a value (see demo --help)\n" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char err[512];
		int code = usage_of(cases[i].argv, err, sizeof err);
		ck_assert_msg(code == 2, "case %zu exited %d", i, code);
		ck_assert_str_eq(err, cases[i].want);
	}
}
END_TEST

START_TEST(test_help_is_generated_from_the_table)
{
	char path[64];
	snprintf(path, sizeof path, "/tmp/check_options_help.%d", (int)getpid());
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	opts_help(&demo, f);
	ck_assert_int_eq(fclose(f), 0);
	char text[4096];
	ck_assert(slurp_into(path, text, sizeof text, NULL));
	unlink(path);
	ck_assert_msg(strstr(text, "usage: demo [options] [CMD...]\nthings:\n  --name S              a name "
				   "(default anon)\n"),
		      "%s", text);
	ck_assert_msg(strstr(text, "  -v, --verbose         say more\n"), "%s", text);
	ck_assert_msg(strstr(text, "  -j, --threads N       workers\n                        second "
				   "line (default 2)\n"),
		      "%s", text);
	ck_assert_msg(strstr(text, "  --help                this text\n"), "%s", text);
	ck_assert_msg(strstr(text, "exit: 0 fine\n"), "%s", text);
	/* --help and -h print it and exit 0, whatever else is on the line */
	char err[256];
	ck_assert_int_eq(usage_of((char *[]){ "demo", "--runs", "5", "--help", NULL }, err, sizeof err), 0);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(usage_of((char *[]){ "demo", "-h", NULL }, err, sizeof err), 0);
	ck_assert_str_eq(err, "");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("options");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_defaults_apply_and_values_replace_them);
	tcase_add_test(tc, test_durations_parse_strictly);
	tcase_add_test(tc, test_bad_values_exit_2_with_one_line_naming_the_option);
	tcase_add_test(tc, test_help_is_generated_from_the_table);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
