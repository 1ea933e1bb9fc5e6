/*
 * check_matrix_file — matrix files (harness/pipeline/matrix_file.h) and the
 * file kind (harness/kinds/kind_file.c), `proftorture run --matrix FILE`:
 * - every kind of mistake gives exactly its one "FILE:LINE: field: ..."
 *   message, and through the runner that one line, exit 2 and nothing run;
 * - a good file's rows: arches resolved (`repro`, `*`), argv filled in,
 *   the expected clause of each arch, flags and notes;
 * - exposure_parse, the last line wins;
 * - a small matrix run natively on a stand-in of examples/sampler-ring
 *   (sampler_standin.c) under the cannon: a pass cell, a cell expected to
 *   fail, a signature-pattern cell, a hang expected as a deadlock, and two
 *   that must NOT match (a pattern the failure does not have, and a cell
 *   whose program never handled a signal: unexercised, never clean),
 *   asserted in summary.json.
 * Native only (the runner is native).
 */
#define _GNU_SOURCE
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../harness/host/arches.h"
#include "../../harness/judge/exposure.h"
#include "../../harness/pipeline/matrix_file.h"
#include "../support/shell.h"
#include "../support/slurp.h"
#include "../support/suite_run.h"

static char top[4096];
static struct arch_table arches;

static void setup_arches(void)
{
	snprintf(top, sizeof top, "%s", harness_root());
	char path[4200], err[512];
	snprintf(path, sizeof path, "%s/ci/arches.tsv", top);
	if (arches_load(path, &arches, err, sizeof err) != 0) {
		fprintf(stderr, "check_matrix_file: %s\n", err);
		exit(1);
	}
}

#define HEADER "name\tarches\targv\truns\tduration\tcannon\texpected\tflags\tnote\n"

/* One mistake per row: the file's text and its exact message. */
static const struct {
	const char *text, *message;
} mistakes[] = {
	/* a missing column */
	{ HEADER "a\tnative\t/bin/true\t1\t1s\toff\n",
	  "m.tsv:2: expected: missing: the line has 6 fields, the header 9 columns (`-` stands "
	  "for none where allowed)" },
	/* bad runs */
	{ HEADER "a\tnative\t/bin/true\t0\t1s\toff\tpass\n",
	  "m.tsv:2: runs: '0' is not a whole number of runs in [1, 100000000]" },
	/* bad duration */
	{ HEADER "a\tnative\t/bin/true\t1\tsoon\toff\tpass\n",
	  "m.tsv:2: duration: 'soon' is not a length of time above 0 (e.g. 2s, 500ms, 1.5)" },
	{ HEADER "a\tnative\t/bin/true\t1\t0s\toff\tpass\n",
	  "m.tsv:2: duration: '0s' is not a length of time above 0 (e.g. 2s, 500ms, 1.5)" },
	/* bad cannon */
	{ HEADER "a\tnative\t/bin/true\t1\t1s\tloud\tpass\n",
	  "m.tsv:2: cannon: 'loud' is not off, max or a whole number of signals per second in "
	  "[1, 10000000], each but off optionally after anytime:" },
	{ HEADER "a\tnative\t/bin/true\t1\t1s\tanytime:off\tpass\n",
	  "m.tsv:2: cannon: 'anytime:off' is not off, max or a whole number of signals per "
	  "second in [1, 10000000], each but off optionally after anytime:" },
	/* unknown outcome */
	{ HEADER "a\tnative\t/bin/true\t1\t1s\toff\tflaky\n",
	  "m.tsv:2: expected: 'flaky' is not an outcome (allowed: pass, fail, deadlock, /REGEX/ "
	  "for a failure whose signature matches)" },
	/* unknown placeholder */
	{ HEADER "a\tnative\t/bin/true --arch {ARCH}\t1\t1s\toff\tpass\n",
	  "m.tsv:2: argv: unknown placeholder '{ARCH}' (allowed: {arch} {goarch} {duration} "
	  "{seed})" },
	/* bad regex */
	{ HEADER "a\tnative\t/bin/true\t1\t1s\toff\t/(torn/\n",
	  "m.tsv:2: expected: /(torn/ is not a POSIX extended regex: Unmatched ( or \\(" },
	/* duplicate name */
	{ HEADER "a\tnative\t/bin/true\t1\t1s\toff\tpass\n# between\n"
		 "a\tnative\t/bin/false\t1\t1s\toff\tfail\n",
	  "m.tsv:4: name: 'a' is already the name of line 2 (names are unique)" },
	/* an arch the expected column does not cover */
	{ HEADER "a\tnative,mips\t/bin/true\t1\t1s\toff\tmips=fail\n",
	  "m.tsv:2: expected: 'mips=fail' says nothing for arch native, one of the row's arches "
	  "(add native=OUTCOME, or *=OUTCOME last)" },
	/* an expected arch the row does not run on */
	{ HEADER "a\tnative\t/bin/true\t1\t1s\toff\tmips=fail;*=pass\n",
	  "m.tsv:2: expected: 'mips' is not one of the row's arches (see its arches column)" },
	/* a header missing */
	{ "# no header\na\tnative\t/bin/true\t1\t1s\toff\tpass\n",
	  "m.tsv:2: header: 'a' is not a column: the first line that is not a comment names the "
	  "columns (allowed: name arches argv runs duration cannon expected [flags] [note])" },
	{ "# nothing but comments\n",
	  "m.tsv:1: header: no header line (want the columns named first: name arches argv runs "
	  "duration cannon expected [flags] [note])" },
	/* a header without a required column */
	{ "name\tarches\targv\truns\tduration\texpected\n",
	  "m.tsv:1: header: no column 'cannon' (the header names: name arches argv runs duration "
	  "cannon expected [flags] [note])" },
	/* an unknown flag */
	{ HEADER "a\tnative\t/bin/true\t1\t1s\toff\tpass\tfast\n",
	  "m.tsv:2: flags: 'fast' is not a flag (allowed, joined by ',': quick measured; or -)" },
	/* {goarch} where Go has no port */
	{ HEADER "a\tnative,sparc64\t/bin/true {goarch}\t1\t1s\toff\tpass\n",
	  "m.tsv:2: argv: {goarch}: arch sparc64 has no Go port (no GOARCH= in ci/arches.tsv's "
	  "go_analogue)" },
	/* a name that cannot name a file */
	{ HEADER "a/b\tnative\t/bin/true\t1\t1s\toff\tpass\n",
	  "m.tsv:2: name: 'a/b' has a character outside A-Z a-z 0-9 . _ + - (it names files under "
	  "runs/)" },
	/* more fields than columns */
	{ "name\tarches\targv\truns\tduration\tcannon\texpected\n"
	  "a\tnative\t/bin/true\t1\t1s\toff\tpass\textra\n",
	  "m.tsv:2: expected: the line has more fields than the header's 7 columns (a tab inside a "
	  "field?)" },
	/* a kind's own default where the file kind has none */
	{ HEADER "a\tnative\t-\t1\t1s\toff\tpass\n",
	  "m.tsv:2: argv: '-' is no program (want the program and its arguments, split on spaces)" },
};

START_TEST(test_each_mistake_is_one_message_naming_line_and_field)
{
	struct matrix_file f;
	char err[1024] = "";
	int rc = mf_parse(mistakes[_i].text, "m.tsv", &arches, NULL, &f, err, sizeof err);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strcmp(err, mistakes[_i].message) == 0, "got  %s\nwant %s", err,
		      mistakes[_i].message);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert(f.n == 0 && f.rows == NULL);
}
END_TEST

/* An arch not in ci/arches.tsv: the message lists every one it has. */
START_TEST(test_an_unknown_arch_lists_the_table_s)
{
	struct matrix_file f;
	char err[1024];
	ck_assert_int_eq(mf_parse(HEADER "a\tnative,vax\t/bin/true\t1\t1s\toff\tpass\n", "m.tsv",
				  &arches, NULL, &f, err, sizeof err), -1);
	char want[1024];
	int n = snprintf(want, sizeof want, "m.tsv:2: arches: 'vax' is not an arch of ci/arches.tsv "
			 "(allowed, joined by ',': *, repro");
	for (size_t i = 0; i < arches.n; i++)
		n += snprintf(want + n, sizeof want - (size_t)n, ", %s", arches.v[i].name);
	snprintf(want + n, sizeof want - (size_t)n, ")");
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_a_good_file_s_rows)
{
	static const char text[] =
		"# a comment, then the header in another order\n"
		"\n"
		"name\targv\tarches\truns\tduration\tcannon\texpected\tflags\tnote\n"
		"ring\tbuild/{arch}/ring --seconds {duration} --seed {seed} --go {goarch}\trepro"
		"\t20\t2s\t20000\tmips,mipsel=/ring: record/;*=pass\tquick,measured\tthe ring, torn\r\n"
		"plain\t/bin/true\t*\t1\t500ms\tmax\tdeadlock\t-\n";
	struct matrix_file f;
	char err[512] = "";
	ck_assert_msg(mf_parse(text, "good.tsv", &arches, NULL, &f, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(f.n, 2);
	const struct mf_row *r = mf_find(&f, "ring");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->line, 4);
	const char *repro[] = { "armel", "armhf", "mips", "mipsel" };
	for (size_t i = 0; i < 4; i++)
		ck_assert_str_eq(r->arches[i], repro[i]);
	ck_assert_ptr_null(r->arches[4]);
	ck_assert(r->runs == 20 && r->duration == 2 && r->cannon_rate == 20000);
	ck_assert(r->quick && r->measured);
	ck_assert_str_eq(r->note, "the ring, torn");
	const struct mf_expect *mips = mf_expect_for(r, "mipsel"), *arm = mf_expect_for(r, "armhf");
	ck_assert(mips->outcomes == OUTCOME_BIT(OUT_CORRUPT) && mips->pattern &&
		  !strcmp(mips->pattern, "ring: record"));
	ck_assert(arm->outcomes == OUTCOME_BIT(OUT_PASS) && !arm->pattern);
	char **v = mf_argv(r, arch_find(&arches, "mipsel"), 2, 7);
	char want0[4200];
	snprintf(want0, sizeof want0, "%s/build/mipsel/ring", top);
	ck_assert_str_eq(v[0], want0);
	const char *rest[] = { "--seconds", "2", "--seed", "7", "--go", "mipsle", NULL };
	for (size_t i = 0; rest[i]; i++)
		ck_assert_str_eq(v[i + 1], rest[i]);
	ck_assert_ptr_null(v[7]);
	argv_free(v);
	const struct mf_row *p = mf_find(&f, "plain");
	ck_assert_int_eq(p->arches ? 1 : 0, 1);
	size_t n = 0;
	while (p->arches[n])
		n++;
	ck_assert_int_eq(n, arches.n);
	ck_assert(p->duration == 0.5 && p->cannon_rate == MF_CANNON_MAX && !p->quick);
	ck_assert(mf_expect_for(p, "s390x")->outcomes == OUTCOME_BIT(OUT_DEADLOCK));
	ck_assert_str_eq(p->note, "");
	mf_free(&f);
}
END_TEST

START_TEST(test_exposure_the_last_line_wins)
{
	static const char text[] = "proftorture: signals handled 3\nnoise\n"
				   "  proftorture: signals handled 12 so far\n"
				   "proftorture: signals handled x\nxproftorture: signals handled 9\n";
	uint64_t n = 77;
	ck_assert(exposure_parse(text, sizeof text - 1, &n) && n == 12);
	ck_assert(!exposure_parse("proftorture: signals handled\n", 29, &n) && n == 12);
	ck_assert(!exposure_parse(NULL, 0, &n));
}
END_TEST

/* ---- through the runner ---- */

static char *run_runner(const char *dir, const char *args, int *rc)
{
	char cmd[8192], *err = NULL;
	snprintf(cmd, sizeof cmd, "cd %s && %s/build/native/proftorture run %s", dir, top, args);
	*rc = shell_capture(cmd, dir, NULL, &err);
	return err;
}

static void remove_dir(const char *dir)
{
	char rm[4300];
	snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(rm), 0);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_a_bad_line_stops_the_runner_before_anything)
{
	char dir[] = "/tmp/proftorture-mfbad-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file(dir, "bad.tsv", HEADER "a\tnative\t/bin/true\t1\t1s\toff\tpass\n"
				   "b\tnative\t/bin/true\t1\t1s\tloud\tpass\n");
	int rc;
	char *err = run_runner(dir, "--matrix bad.tsv --out out", &rc);
	ck_assert_int_eq(rc, 2); /* PROTOCOL_EXIT_USAGE */
	ck_assert_str_eq(err, "bad.tsv:3: cannon: 'loud' is not off, max or a whole number of "
			      "signals per second in [1, 10000000], each but off optionally after "
			      "anytime:\n");
	free(err);
	char out[4200];
	struct stat st;
	snprintf(out, sizeof out, "%s/out", dir);
	ck_assert_msg(stat(out, &st) != 0, "the out dir was made: something started");
	/* --quick: the quick rows only; an arch the file has no row on: no cell */
	write_file(dir, "good.tsv", HEADER "a\tnative\t/bin/true\t1\t0.1s\toff\tpass\tquick\n"
				    "b\tnative\t/bin/false\t1\t0.1s\toff\tpass\n");
	free(run_runner(dir, "--matrix good.tsv --quick --status-interval 0 --json q.json --out q",
			&rc));
	ck_assert_int_eq(rc, 0); /* b, which would fail, did not run */
	char q[4200];
	snprintf(q, sizeof q, "%s/q.json", dir);
	json_t *doc = json_load_file(q, 0, NULL);
	ck_assert(doc && json_array_size(json_object_get(doc, "cells")) == 1);
	json_decref(doc);
	err = run_runner(dir, "--matrix good.tsv --arch mips --out m", &rc);
	ck_assert_msg(rc == 2 && strstr(err, "no cell to run"), "exit %d: %s", rc, err);
	free(err);
	/* --matrix with another kind, and --kind file without a file */
	err = run_runner(dir, "--matrix bad.tsv --kind torture", &rc);
	ck_assert(rc == 2 && strstr(err, "--kind: --matrix runs the file's cells (kind file) only"));
	free(err);
	err = run_runner(dir, "--kind file", &rc);
	ck_assert(rc == 2 && strstr(err, "--kind: file needs --matrix FILE"));
	free(err);
	remove_dir(dir);
}
END_TEST

/* cell name -> what summary.json must say of it */
static const struct {
	const char *name, *verdict;
	bool matches;
	const char *why; /* in a run's why, or NULL */
} standin_cells[] = {
	{ "fixed", "clean", true, NULL },
	{ "buggy-fails", "reproduced", true, "exit 1: the program failed" },
	{ "buggy-signature", "reproduced", true, "matches /sampler-ring: record/" },
	{ "hangs", "reproduced", true, NULL },
	/* negative controls: these must not match */
	{ "buggy-other-signature", "reproduced", false, "does not match /no such failure/" },
	{ "idle-unexercised", "inconclusive", false, "unexercised" },
};

START_TEST(test_a_small_matrix_runs_natively_with_its_verdicts)
{
	char dir[] = "/tmp/proftorture-mfrun-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file(dir, "m.tsv",
		   HEADER
		   "fixed\tnative\tbuild/native/tests/harness/sampler_standin fixed --seconds "
		   "{duration}\t2\t0.5s\t20000\tpass\n"
		   "buggy-fails\tnative\tbuild/native/tests/harness/sampler_standin buggy --seconds "
		   "{duration}\t2\t0.5s\t20000\tfail\n"
		   "buggy-signature\tnative\tbuild/native/tests/harness/sampler_standin buggy "
		   "--seconds {duration}\t2\t0.5s\t20000\t/sampler-ring: record/\n"
		   "hangs\tnative\tbuild/native/tests/harness/sampler_standin hang --seconds "
		   "{duration}\t1\t0.2s\toff\tdeadlock\n"
		   "buggy-other-signature\tnative\tbuild/native/tests/harness/sampler_standin buggy "
		   "--seconds {duration}\t1\t0.5s\t20000\t/no such failure/\n"
		   "idle-unexercised\tnative\tbuild/native/tests/harness/sampler_standin idle "
		   "--seconds {duration}\t1\t0.3s\t20000\tpass\n");
	int rc;
	char *err = run_runner(dir, "--matrix m.tsv --arch native --timeout-factor 1 "
				    "--timeout-slack 1s --status-interval 0 --out out", &rc);
	ck_assert_msg(rc == 1, "exit %d (want 1: two cells must not match): %s", rc, err);
	char path[4200];
	snprintf(path, sizeof path, "%s/out/summary.json", dir);
	json_t *doc = json_load_file(path, 0, NULL);
	ck_assert_msg(doc != NULL, "no summary.json: %s", err);
	json_t *cells = json_object_get(doc, "cells"), *runs = json_object_get(doc, "runs");
	ck_assert_int_eq(json_array_size(cells), sizeof standin_cells / sizeof standin_cells[0]);
	for (size_t i = 0; i < json_array_size(cells); i++) {
		json_t *c = json_array_get(cells, i);
		ck_assert_str_eq(json_string_value(json_object_get(c, "kind")), "file");
		ck_assert_str_eq(json_string_value(json_object_get(c, "case")), standin_cells[i].name);
		const char *verdict = json_string_value(json_object_get(c, "verdict"));
		ck_assert_msg(!strcmp(verdict, standin_cells[i].verdict) &&
				      json_is_true(json_object_get(c, "matches")) == standin_cells[i].matches,
			      "%s: %s, matches %d: %s", standin_cells[i].name, verdict,
			      json_is_true(json_object_get(c, "matches")),
			      json_string_value(json_object_get(c, "reason")));
		bool seen = !standin_cells[i].why;
		for (size_t k = 0; k < json_array_size(runs) && !seen; k++) {
			json_t *r = json_array_get(runs, k);
			seen = (size_t)json_integer_value(json_object_get(r, "cell")) == i &&
			       strstr(json_string_value(json_object_get(r, "why")), standin_cells[i].why);
		}
		ck_assert_msg(seen, "%s: no run says '%s'", standin_cells[i].name, standin_cells[i].why);
	}
	/* the exposure line's count is the run's signals handled */
	bool counted = false;
	for (size_t k = 0; k < json_array_size(runs); k++) {
		json_t *r = json_array_get(runs, k);
		counted |= json_integer_value(json_object_get(r, "cell")) == 0 &&
			   json_number_value(json_object_get(r, "handled")) > 0;
	}
	ck_assert_msg(counted, "no run of cell fixed says how many signals it handled");
	json_decref(doc);
	free(err);
	remove_dir(dir);
}
END_TEST

int main(void)
{
	setup_arches();
	Suite *s = suite_create("matrix_file");
	TCase *t = tcase_create("matrix_file");
	tcase_set_timeout(t, 120);
	tcase_add_loop_test(t, test_each_mistake_is_one_message_naming_line_and_field, 0,
			    (int)(sizeof mistakes / sizeof mistakes[0]));
	tcase_add_test(t, test_an_unknown_arch_lists_the_table_s);
	tcase_add_test(t, test_a_good_file_s_rows);
	tcase_add_test(t, test_exposure_the_last_line_wins);
	tcase_add_test(t, test_a_bad_line_stops_the_runner_before_anything);
	tcase_add_test(t, test_a_small_matrix_runs_natively_with_its_verdicts);
	suite_add_tcase(s, t);
	return suite_run(s);
}
