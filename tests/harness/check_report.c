/*
 * Check tests for the report's units (linked with every harness object
 * but main.o): escaping (no string from a child reaches the page as
 * markup), relative links, the plots' axes and curves, the page's
 * structure (one cell per cell, one curve per cell expected to fail), the
 * Markdown table, the configuration (collected, merged, through
 * summary.json version 3, and version 2 still read), and bench.json with
 * Python's NaN. What the page looks like in a browser is
 * tests/report/browser_check.py's. Native only (make check-harness).
 */
#define _GNU_SOURCE
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../harness/records/bench_file.h"
#include "../../harness/pipeline/cell_kind.h"
#include "../../harness/host/config.h"
#include "../../harness/report/html.h"
#include "../../harness/report/report_html.h"
#include "../../harness/records/summary.h"
#include "../../harness/report/svg_plot.h"
#include "../../harness/base/util.h"
#include "../support/slurp.h"
#include "../support/suite_run.h"

#define EVIL "<script>alert(\"x\")</script> & 'q' \x01\xc3\xa9"

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* ---- escaping and links ---- */

START_TEST(test_html_text_leaves_no_markup_from_a_child)
{
	struct sbuf b = { 0 };
	html_text(&b, EVIL);
	ck_assert_str_eq(b.s, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;q&apos; ???");
	b.len = 0;
	html_textf(&b, "%s=%d", "<a>", 5);
	ck_assert_str_eq(b.s, "&lt;a&gt;=5");
	b.len = 0;
	html_href(&b, "runs/evil #1 100%\"<.log");
	ck_assert_str_eq(b.s, "runs/evil%20%231%20100%25%22%3C.log");
	sb_free(&b);
}
END_TEST

START_TEST(test_relative_links_climb_out_of_the_report_dir)
{
	char top[] = "/tmp/proftorture-report-XXXXXX", p[256];
	ck_assert_ptr_nonnull(mkdtemp(top));
	const char *dirs[] = { "a", "a/runs", "b" };
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s/%s", top, dirs[i]);
		ck_assert_int_eq(mkdir(p, 0755), 0);
	}
	char target[256], from[256];
	snprintf(target, sizeof target, "%s/a/runs/x k0.log", top);
	snprintf(from, sizeof from, "%s/a", top);
	char *l = html_relative_link(target, from);
	ck_assert_str_eq(l, "runs/x k0.log");
	free(l);
	snprintf(from, sizeof from, "%s/b", top);
	l = html_relative_link(target, from);
	ck_assert_str_eq(l, "../a/runs/x k0.log");
	free(l);
	l = html_relative_link("/nonexistent-dir-xyz/f.log", from); /* unresolvable: as given */
	ck_assert_str_eq(l, "/nonexistent-dir-xyz/f.log");
	free(l);
	snprintf(p, sizeof p, "rm -rf '%s'", top);
	ck_assert_int_eq(system(p), 0);
}
END_TEST

START_TEST(test_counts_read_as_people_write_them)
{
	char buf[32];
	ck_assert_str_eq(html_count(1234567, buf, sizeof buf), "1,234,567");
	ck_assert_str_eq(html_count(999, buf, sizeof buf), "999");
	ck_assert_str_eq(html_count(0, buf, sizeof buf), "0");
	ck_assert_str_eq(html_count(NAN, buf, sizeof buf), "-");
	ck_assert_str_eq(html_count(0.25, buf, sizeof buf), "0.25");
}
END_TEST

/* ---- plots ---- */

START_TEST(test_axes_fit_round_ranges_and_label_them)
{
	struct axis a = { .log = true };
	axis_fit(&a, 0.012, 1.0);
	ck_assert(fabs(a.lo - 0.01) < 1e-12 && fabs(a.hi - 1) < 1e-12);
	axis_fit(&a, 0.05, 0.2); /* inside one decade: still whole decades */
	ck_assert(fabs(a.lo - 0.01) < 1e-12 && fabs(a.hi - 1) < 1e-12);
	struct axis l = { .log = false };
	axis_fit(&l, 0, 233319);
	ck_assert(l.lo == 0 && l.hi >= 233319 && l.hi <= 300000);
	char buf[32];
	ck_assert_str_eq(axis_label(AXIS_SECONDS, 0.01, buf, sizeof buf), "10 ms");
	ck_assert_str_eq(axis_label(AXIS_SECONDS, 1, buf, sizeof buf), "1 s");
	ck_assert_str_eq(axis_label(AXIS_FRACTION, 0.4, buf, sizeof buf), "40%");
	ck_assert_str_eq(axis_label(AXIS_COUNT, 15000, buf, sizeof buf), "15k");
}
END_TEST

/* The step curve ends at k/n: 2 failures by their times among 4 runs. */
START_TEST(test_ecdf_steps_to_the_share_of_runs_failed)
{
	struct sbuf b = { 0 };
	struct plot p = { .b = &b, .width = 300, .height = 200, .left = 50, .top = 10, .w = 200,
			  .h = 100 };
	p.x = (struct axis){ .lo = 0, .hi = 1, .format = AXIS_SECONDS, .title = "t" };
	p.y = (struct axis){ .lo = 0, .hi = 1, .format = AXIS_FRACTION, .title = "share" };
	double t[] = { 0.25, 0.5 };
	plot_ecdf(&p, t, 2, 4, "#000", NULL, "a <cell>");
	ck_assert_msg(strstr(b.s, "d=\"M50.0 110.0 H100.0 V85.0 H150.0 V60.0 H250.0\""), "%s", b.s);
	ck_assert_ptr_nonnull(strstr(b.s, "data-cell=\"a &lt;cell&gt;\""));
	b.len = 0;
	plot_axes(&p);
	ck_assert_ptr_nonnull(strstr(b.s, "<g class=\"axis x\">"));
	ck_assert_ptr_nonnull(strstr(b.s, "<g class=\"axis y\">"));
	ck_assert_uint_ge(count(b.s, "class=\"tick\""), 4);
	sb_free(&b);
}
END_TEST

/* ---- the page ---- */

static void add_runs(struct matrix *m, size_t cell, int n, int failures, double ff)
{
	for (int k = 0; k < n; k++) {
		struct run_record *r = matrix_add_run(m);
		r->cell = cell;
		r->k = (unsigned)k;
		r->seed = 1 + (uint64_t)k;
		r->outcome = k < failures ? OUT_CORRUPT : OUT_PASS;
		r->first_failure_s = k < failures ? ff * (k + 1) : NAN;
		r->in_atomic = 100;
		r->handled = 1000;
		snprintf(r->why, sizeof r->why, "%s", k < failures ? EVIL : "pass");
	}
}

/* Two arches; on "mips" one buggy and two fixed cells, on EVIL's arch a
 * buggy cell that never failed and a fixed one that did (a mismatch). */
static void page_matrix(struct matrix *m)
{
	memset(m, 0, sizeof *m);
	m->command = "run";
	m->run_duration = 1;
	outcome_set bug = OUTCOME_BIT(OUT_CORRUPT) | OUTCOME_BIT(OUT_DRIFT), ok = OUTCOME_BIT(OUT_PASS);
	const char *v[] = { "unlocked-flush", "locked-flush", "exact" };
	for (int i = 0; i < 3; i++) {
		struct cell_id id = { &torture_kind, "mips", "lost-atomic", v[i], "global" };
		add_runs(m, matrix_add_cell(m, &id, i ? ok : bug, "", true), 4, i ? 0 : 3, 0.1);
	}
	struct cell_id e1 = { &torture_kind, EVIL, "lost-atomic", "unlocked-flush", "global" };
	add_runs(m, matrix_add_cell(m, &e1, bug, EVIL, true), 3, 0, 0);
	struct cell_id e2 = { &torture_kind, EVIL, "lost-atomic", EVIL, "global" };
	add_runs(m, matrix_add_cell(m, &e2, ok, "", true), 3, 1, 0.2);
	config_collect(&m->config, NULL, NULL, "proftorture run " EVIL);
	matrix_summarize(m);
}

START_TEST(test_the_page_has_a_cell_per_cell_and_a_curve_per_buggy_cell)
{
	struct matrix m;
	page_matrix(&m);
	struct sbuf b = { 0 };
	struct html_report r = { "title " EVIL, ".", ".", NULL, NULL };
	report_html(&m, &r, &b);
	ck_assert_uint_eq(count(b.s, "<td class=\"cell "), 5);
	ck_assert_uint_eq(count(b.s, "<path class=\"curve\""), 2);
	ck_assert_uint_eq(count(b.s, "<svg class=\"plot ecdf\""), 2);
	ck_assert_uint_eq(count(b.s, "<rect class=\"bar\""), 3); /* the clean cells */
	ck_assert_uint_eq(count(b.s, "class=\"cell v-reproduced mismatch\""), 1);
	ck_assert_uint_eq(count(b.s, "<script"), 0);
	ck_assert_uint_eq(count(b.s, "http"), count(b.s, "http://www.w3.org/2000/svg") +
						 count(b.s, "http-equiv"));
	for (const unsigned char *p = (const unsigned char *)b.s; *p; p++)
		ck_assert_msg(*p == '\n' || *p == '\t' || (*p >= 0x20 && *p < 0x7f), "byte 0x%02x", *p);
	ck_assert_ptr_nonnull(strstr(b.s, "&lt;script&gt;alert"));
	sb_free(&b);
	matrix_free(&m);
}
END_TEST

START_TEST(test_markdown_keeps_a_row_per_cell_whatever_the_names)
{
	struct matrix m;
	page_matrix(&m);
	struct sbuf b = { 0 };
	report_markdown(&m, &b);
	ck_assert_ptr_nonnull(strstr(b.s, "### proftorture: FAILURE, 2 of 5 cells did not match"));
	size_t rows = 0;
	for (char *line = strtok(b.s, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] != '|')
			continue;
		rows++;
		size_t bars = 0;
		for (char *p = line; *p; p++)
			bars += *p == '|' && (p == line || p[-1] != '\\');
		ck_assert_msg(bars == 10, "%zu cell borders in: %s", bars, line);
		ck_assert_ptr_null(strchr(line, '<'));
	}
	ck_assert_uint_eq(rows, 5 + 2);
	sb_free(&b);
	matrix_free(&m);
}
END_TEST

/* ---- configuration ---- */

START_TEST(test_config_merge_keeps_agreement_and_shows_disagreement)
{
	struct run_config dst = { 0 }, a = { .inputs = 1 }, c = { .inputs = 1 }, none = { 0 };
	a.commit = "abc";
	a.host = "h1";
	c.commit = "abc";
	c.host = "h2";
	config_add_arch(&a, "mips", "qemu-mips 7.2", "gcc 12");
	config_add_arch(&c, "mips", "qemu-mips 8.0", "gcc 12");
	config_merge(&dst, &a);
	config_merge(&dst, &c);
	config_merge(&dst, &a); /* a value seen before is not repeated */
	ck_assert_str_eq(dst.commit, "abc");
	ck_assert_str_eq(dst.host, "h1 | h2");
	ck_assert_uint_eq(dst.narches, 1);
	ck_assert_str_eq(dst.arches[0].emulator, "qemu-mips 7.2 | qemu-mips 8.0");
	ck_assert_str_eq(dst.arches[0].compiler, "gcc 12");
	config_merge(&dst, &none); /* a version 2 input: its configuration is unknown */
	ck_assert_str_eq(dst.commit, "abc | unknown");
	ck_assert_uint_eq(dst.inputs, 4);
	free(a.arches[0].arch), free(a.arches[0].emulator), free(a.arches[0].compiler), free(a.arches);
	free(c.arches[0].arch), free(c.arches[0].emulator), free(c.arches[0].compiler), free(c.arches);
	config_free(&dst);
}
END_TEST

START_TEST(test_config_is_collected_and_travels_in_summary_json)
{
	struct matrix m, back = { 0 };
	page_matrix(&m);
	ck_assert_ptr_nonnull(m.config.started);
	ck_assert_ptr_nonnull(m.config.host);
	ck_assert_ptr_nonnull(strstr(m.config.command_line, "run <script>"));
	ck_assert_ptr_nonnull(strstr(m.config.command_line, "'q' ???")); /* sanitised */
	char *argv[] = { "repro", "--out", "a dir", NULL };
	char *line = config_command_line(3, argv);
	ck_assert_str_eq(line, "proftorture repro --out 'a dir'");
	free(line);
	if (access("/usr/bin/git", X_OK) == 0 && access(".git", F_OK) == 0) /* make runs here */
		ck_assert_msg(m.config.commit && strlen(m.config.commit) == 40, "%s", m.config.commit);
	config_add_arch(&m.config, "mips", "qemu-mips version 7.2", NULL);
	struct sbuf doc = { 0 };
	summary_write(&m, &doc);
	ck_assert_ptr_nonnull(strstr(doc.s, "\"version\":4"));
	struct summary_shard shard;
	char err[512];
	ck_assert_msg(summary_merge(&back, doc.s, doc.len, ".", &shard, err, sizeof err) == 0, "%s", err);
	ck_assert_str_eq(back.config.command_line, m.config.command_line);
	ck_assert_uint_eq(back.config.narches, 1);
	ck_assert_str_eq(back.config.arches[0].emulator, "qemu-mips version 7.2");
	ck_assert_ptr_null(back.config.arches[0].compiler);
	sb_free(&doc);
	matrix_free(&m);
	matrix_free(&back);
}
END_TEST

static const char v2_doc[] =
	"{\"runner\":\"proftorture\",\"version\":2,\"base_seed\":1,\"cells\":[{\"kind\":\"stress\","
	"\"arch\":\"a\",\"case\":\"c\",\"variant\":\"v\",\"atomics\":\"s\",\"expected\":\"pass\"}],"
	"\"runs\":[{\"cell\":0,\"k\":0,\"seed\":1,\"outcome\":\"pass\"}]}";

START_TEST(test_version_2_is_read_and_a_malformed_config_is_refused)
{
	struct matrix m = { 0 };
	struct summary_shard shard;
	char err[512];
	ck_assert_msg(summary_merge(&m, v2_doc, strlen(v2_doc), "in", &shard, err, sizeof err) == 0,
		      "%s", err);
	ck_assert_uint_eq(m.nruns, 1);
	ck_assert_ptr_null(m.config.commit); /* unknown, not invented */
	matrix_free(&m);
	const char *bad = "{\"runner\":\"proftorture\",\"version\":3,\"config\":{\"commit\":5},"
			  "\"cells\":[],\"runs\":[]}";
	ck_assert_int_eq(summary_merge(&m, bad, strlen(bad), "in", &shard, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "\"config\" is malformed"));
	matrix_free(&m);
	const char *future = "{\"runner\":\"proftorture\",\"version\":5,\"cells\":[],\"runs\":[]}";
	ck_assert_int_eq(summary_merge(&m, future, strlen(future), "in", &shard, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "of version 2 to 4"));
	matrix_free(&m);
}
END_TEST

/* ---- bench.json ---- */

START_TEST(test_bench_json_with_python_nan_is_read)
{
	const char *doc = "{\"bench\": \"proftorture\", \"quick\": true, \"results\": [\n"
			  " {\"arch\": \"mips\", \"atomics\": \"NaN\", \"ceiling_per_s\": 56290.5,\n"
			  "  \"stress_per_s\": NaN, \"stress_to_ceiling\": -Infinity}]}";
	struct bench b;
	char err[256];
	ck_assert_msg(bench_parse(doc, strlen(doc), "b.json", &b, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(b.n, 1);
	ck_assert_str_eq(b.v[0].atomics, "NaN"); /* inside a string: untouched */
	ck_assert(b.v[0].ceiling == 56290.5 && isnan(b.v[0].stress) && isnan(b.v[0].ratio));
	ck_assert_int_eq(b.quick, 1);
	bench_free(&b);
	ck_assert_int_eq(bench_parse("{\"results\":[]}", 14, "x.json", &b, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "x.json: not a proftorture bench.json"));
	ck_assert_int_eq(bench_parse("{", 1, "y.json", &b, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "y.json: not JSON"));
}
END_TEST

/* ---- the command ---- */

struct cmd_result {
	int rc;
	char out[8192], err[4096];
};

/* build/native/proftorture (beside this test's directory) with args. */
static void runner(struct cmd_result *r, const char *dir, const char *args)
{
	char exe[1024], cmd[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	ck_assert(n > 0);
	exe[n] = 0;
	*strrchr(exe, '/') = 0; /* build/native/tests/harness */
	snprintf(cmd, sizeof cmd, "%s/../../proftorture report %s >%s/out 2>%s/err", exe, args, dir,
		 dir);
	int st = system(cmd);
	r->rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	char p[512];
	snprintf(p, sizeof p, "%s/out", dir);
	slurp_into(p, r->out, sizeof r->out, NULL);
	snprintf(p, sizeof p, "%s/err", dir);
	slurp_into(p, r->err, sizeof r->err, NULL);
}

static const struct {
	const char *args, *err; /* %s: the scratch dir */
} refused[] = {
	{ "", "no summary given" },
	{ "--bench %s/none.json %s/in", "--bench: cannot read" },
	{ "%s/nosuch", "cannot read %s/nosuch" },
	{ "-o - %s/in", "--output: give a file" },
	{ "--frobnicate %s/in", "unknown option '--frobnicate'" },
};

START_TEST(test_the_report_command_writes_the_page_and_refuses_bad_input)
{
	char dir[] = "/tmp/proftorture-report-cmd-XXXXXX", in[256], args[512], want[512];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(in, sizeof in, "%s/in", dir);
	ck_assert_int_eq(mkdir(in, 0755), 0);
	struct matrix m;
	page_matrix(&m);
	struct sbuf doc = { 0 };
	summary_write(&m, &doc);
	snprintf(args, sizeof args, "%s/summary.json", in);
	ck_assert_int_eq(ut_write_file(args, doc.s, doc.len, false), 0);
	struct cmd_result *r = calloc(1, sizeof *r);
	snprintf(args, sizeof args, "%s --markdown -", in);
	runner(r, dir, args);
	ck_assert_msg(r->rc == 0, "rc %d: %s", r->rc, r->err);
	ck_assert_msg(strncmp(r->out, "### proftorture: FAILURE", 24) == 0, "%s", r->out);
	snprintf(want, sizeof want, "report: %s/report.html\n", in);
	ck_assert_str_eq(r->err, want); /* stdout is the Markdown's: the path goes to stderr */
	snprintf(args, sizeof args, "%s/report.html", in);
	char *page = slurp(args, NULL);
	ck_assert_ptr_nonnull(page);
	ck_assert_uint_eq(count(page, "<td class=\"cell "), 5);
	free(page);
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		snprintf(args, sizeof args, refused[i].args, dir, dir);
		snprintf(want, sizeof want, refused[i].err, dir);
		runner(r, dir, args);
		ck_assert_msg(r->rc == 2 && strstr(r->err, want) && strchr(r->err, '\n')[1] == 0,
			      "report %s: rc %d, stderr %s", args, r->rc, r->err);
	}
	ck_assert_int_ne(access("report.html", F_OK), 0); /* a refused input left no empty page */
	free(r);
	sb_free(&doc);
	matrix_free(&m);
	snprintf(args, sizeof args, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(args), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("html");
	tcase_add_test(tc, test_html_text_leaves_no_markup_from_a_child);
	tcase_add_test(tc, test_relative_links_climb_out_of_the_report_dir);
	tcase_add_test(tc, test_counts_read_as_people_write_them);
	tcase_add_test(tc, test_axes_fit_round_ranges_and_label_them);
	tcase_add_test(tc, test_ecdf_steps_to_the_share_of_runs_failed);
	tcase_add_test(tc, test_the_page_has_a_cell_per_cell_and_a_curve_per_buggy_cell);
	tcase_add_test(tc, test_markdown_keeps_a_row_per_cell_whatever_the_names);
	suite_add_tcase(s, tc);
	tc = tcase_create("config-and-inputs");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_config_merge_keeps_agreement_and_shows_disagreement);
	tcase_add_test(tc, test_config_is_collected_and_travels_in_summary_json);
	tcase_add_test(tc, test_version_2_is_read_and_a_malformed_config_is_refused);
	tcase_add_test(tc, test_bench_json_with_python_nan_is_read);
	tcase_add_test(tc, test_the_report_command_writes_the_page_and_refuses_bad_input);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
