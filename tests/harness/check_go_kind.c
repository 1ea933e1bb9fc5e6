/*
 * check_go_kind — the "go" cell kind (harness/kinds/kind_go.c):
 * - the corpus: every recorded run of the real workload
 *   (tests/corpus/go, README there) gets the outcome, reason and numbers
 *   tests/corpus/go/expected.tsv gives it;
 * - the rules on made-up endings the corpus cannot hold (the runner's
 *   deadline, QEMU's own failure, an exit status the closing line
 *   contradicts, a SIGQUIT from elsewhere);
 * - argv and launch: the flags, the cannon and the kill;
 * - cases/go/expected.tsv gives repro-go's cells the outcomes docs/go-runtime.md
 *   says;
 * - planning: a missing binary is one setup error naming ci/go-build;
 *   repro-go's matrix (cases/go/matrix.tsv) gives the cells it always had;
 * - the side-by-side line.
 * Native only (the runner is native).
 */
#define _GNU_SOURCE
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../harness/pipeline/cell_kind.h"
#include "expected.h"
#include "../../harness/kinds/kind_go.h"
#include "../../harness/pipeline/plan.h"
#include "../../harness/pipeline/execute.h"
#include "../../harness/judge/signature.h"
#include "../../harness/records/summary.h"
#include "../support/slurp.h"
#include "../support/suite_run.h"

static char top[4096];

static void find_top(void)
{
	const char *root = getenv("PROFTORTURE_ROOT");
	snprintf(top, sizeof top, "%s", root ? root : harness_root());
}

/* tests/corpus/go/NAME.EXT, which must exist. */
static char *corpus_file(const char *name, const char *ext, size_t *len)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/tests/corpus/go/%s.%s", top, name, ext);
	char *s = slurp(path, len);
	ck_assert_msg(s != NULL, "cannot read %s", path);
	return s;
}

static struct cell go_cell(const char *arch, const char *program, const char *flavour,
			   const char *source)
{
	struct cell c = { .kind = &go_kind };
	c.arch = (char *)arch;
	c.case_name = (char *)program;
	c.variant = (char *)flavour;
	c.atomics = (char *)source;
	c.expected = OUTCOME_BIT(OUT_PASS);
	return c;
}

/* Classifies made-up output with go_kind's classify. */
static struct run_record classify(enum end_kind kind, int code, bool emulated, const char *out,
				  const char *err, double wall)
{
	struct cell c = go_cell("mipsel", GO_PROGRAM_WORKLOAD, "stock", "thread-timer");
	struct ended_run e = { .end = { kind, code, emulated }, .seed = 1, .wall_s = wall };
	e.output = (struct run_output){ .out_head = out, .out_head_len = strlen(out),
					.err_head = err, .err_head_len = strlen(err) };
	struct run_record r;
	memset(&r, 0, sizeof r);
	r.first_failure_s = r.elapsed_s = NAN;
	go_kind.classify(&c, &e, &r);
	return r;
}

/* ---- the corpus ---- */

/* "exit N", "signal N", "deadline" */
static struct run_end end_of(const char *s)
{
	struct run_end e = { END_EXITED, 0, false };
	if (strncmp(s, "signal ", 7) == 0)
		e.kind = END_SIGNALED, e.code = atoi(s + 7);
	else if (strcmp(s, "deadline") == 0)
		e.kind = END_TIMED_OUT, e.code = SIGKILL;
	else
		ck_assert_msg(sscanf(s, "exit %d", &e.code) == 1, "bad end '%s'", s);
	return e;
}

/* One row: name, ended, emulated, outcome, why (a substring), corruptions. */
static void check_row(char **f)
{
	size_t olen, elen;
	char *out = corpus_file(f[0], "out", &olen), *err = corpus_file(f[0], "err", &elen);
	struct cell c = go_cell("mipsel", GO_PROGRAM_WORKLOAD, "regressed", "thread-timer");
	struct ended_run e = { .end = end_of(f[1]), .seed = 1, .wall_s = 2.5 };
	e.end.emulated = strcmp(f[2], "qemu") == 0;
	e.output = (struct run_output){ .out_head = out, .out_head_len = olen,
					.err_head = err, .err_head_len = elen };
	struct run_record r;
	memset(&r, 0, sizeof r);
	r.first_failure_s = r.elapsed_s = NAN;
	go_kind.classify(&c, &e, &r);
	ck_assert_msg(strcmp(outcome_name(r.outcome), f[3]) == 0, "%s: %s, want %s (%s)", f[0],
		      outcome_name(r.outcome), f[3], r.why);
	ck_assert_msg(strstr(r.why, f[4]) != NULL, "%s: why '%s' lacks '%s'", f[0], r.why, f[4]);
	ck_assert_msg(strcmp(r.corruptions, strcmp(f[5], "-") ? f[5] : "") == 0,
		      "%s: corruptions '%s', want %s", f[0], r.corruptions, f[5]);
	/* a failure has a time; a clean run that printed its closing line has counters */
	ck_assert(outcome_is_failure(r.outcome) == !isnan(r.first_failure_s));
	if (r.outcome == OUT_PASS)
		ck_assert_msg(r.handled > 0, "%s: no samples read from the closing line", f[0]);
	free(out);
	free(err);
}

START_TEST(test_every_recorded_run_gets_its_outcome)
{
	size_t len, rows = 0;
	char *text = corpus_file("expected", "tsv", &len), *save = text;
	for (char *line; (line = strsep(&save, "\n"));) {
		if (!*line || *line == '#')
			continue;
		char *f[6], *s = line;
		size_t nf = 0;
		for (char *tok; nf < 6 && (tok = strsep(&s, "\t"));)
			f[nf++] = tok;
		ck_assert_msg(nf == 6, "expected.tsv: want 6 fields: %s", line);
		check_row(f);
		rows++;
	}
	ck_assert_uint_ge(rows, 8);
	free(text);
}
END_TEST

/* ---- rules the corpus cannot show ---- */

START_TEST(test_a_hang_at_the_deadline_is_a_deadlock)
{
	struct run_record r = classify(END_TIMED_OUT, SIGKILL, true, "",
				       "SIGQUIT: quit\nPC=0x1 m=0 sigcode=0\n\ngoroutine 1 [running]:\n", 30);
	ck_assert_int_eq(r.outcome, OUT_DEADLOCK);
	ck_assert_ptr_nonnull(strstr(r.why, "dumped every goroutine"));
	ck_assert(r.first_failure_s == 30);
	r = classify(END_TIMED_OUT, SIGKILL, true, "", "", 35);
	ck_assert_int_eq(r.outcome, OUT_DEADLOCK);
	ck_assert_ptr_nonnull(strstr(r.why, "no goroutine dump"));
}
END_TEST

#define PASS_LINE                                                                             \
	"{\"result\":\"proftorture-go-workload\",\"version\":1,\"outcome\":\"pass\",\"elapsed_s\":1," \
	"\"first_failure_s\":null,\"counters\":{\"samples\":7,\"lost_atomic_read\":3},"           \
	"\"detail\":\"ok\"}\n"

/* Made-up runs: how the process ended comes first, then Go's lines, then a
 * closing line that must be the workload's and agree with the exit status. */
static const struct {
	enum end_kind kind;
	int code;
	const char *out, *err;
	enum outcome want;
} made_up[] = {
	{ END_SIGNALED, SIGSEGV, "", "qemu: uncaught target signal 11 (Segmentation fault)\n",
	  OUT_CRASH },
	{ END_EXITED, 2, "",
	  "fatal error: runtime: malformed profBuf buffer - invalid size\n"
	  "QEMU internal SIGSEGV {code=MAPERR, addr=0x0}\n",
	  OUT_EMULATOR_ERROR },
	{ END_SPAWN_FAILED, 2, "", "", OUT_ERROR },
	{ END_EXITED, 0, PASS_LINE, "", OUT_PASS },
	{ END_EXITED, 1, PASS_LINE, "", OUT_ERROR }, /* the status says otherwise */
	/* another program's line, another version, a duplicate key: no closing line */
	{ END_EXITED, 0, "{\"result\":\"proftorture-stress\",\"version\":1,\"outcome\":\"pass\"}\n",
	  "", OUT_ERROR },
	{ END_EXITED, 0, "{\"result\":\"proftorture-go-workload\",\"version\":2,\"outcome\":\"pass\"}\n",
	  "", OUT_ERROR },
	{ END_EXITED, 0,
	  "{\"result\":\"proftorture-go-workload\",\"version\":1,\"outcome\":\"pass\","
	  "\"outcome\":\"pass\"}\n",
	  "", OUT_ERROR },
};

START_TEST(test_made_up_runs)
{
	struct run_record r = classify(made_up[_i].kind, made_up[_i].code, true, made_up[_i].out,
				       made_up[_i].err, 1);
	ck_assert_msg(r.outcome == made_up[_i].want, "case %d: %s (%s)", _i,
		      outcome_name(r.outcome), r.why);
	if (r.outcome == OUT_PASS)
		ck_assert(r.handled == 7 && r.in_atomic == 3 && r.elapsed_s == 1);
}
END_TEST

START_TEST(test_sigquit_is_a_deadlock_only_from_the_dead_man_s_switch)
{
	const char *timer32 = "SIGQUIT: quit\nPC=0x8f1a4 m=3 sigcode=4294967294\n\ngoroutine 0 [idle]:\n";
	const char *timer64 = "SIGQUIT: quit\nPC=0x8f1a4 m=3 sigcode=-2\n";
	const char *outside = "SIGQUIT: quit\nPC=0x8f1a4 m=3 sigcode=0\n";
	ck_assert_int_eq(classify(END_EXITED, 2, true, "", timer32, 6).outcome, OUT_DEADLOCK);
	ck_assert_int_eq(classify(END_EXITED, 2, false, "", timer64, 6).outcome, OUT_DEADLOCK);
	ck_assert_int_eq(classify(END_EXITED, 2, true, "", outside, 6).outcome, OUT_ERROR);
}
END_TEST

START_TEST(test_slice_bounds_is_corrupt_only_in_profbuf_read)
{
	const char *in_read = "fatal error: slice bounds out of range\n\ngoroutine 17 [running]:\n"
			      "runtime.throw({0x154b97, 0x19})\nruntime.(*profBuf).read(0x67a000, 0x0)\n";
	const char *elsewhere = "fatal error: slice bounds out of range\n\ngoroutine 1 [running]:\n"
				"main.main()\n";
	struct run_record r = classify(END_EXITED, 2, true, "", in_read, 1.5);
	ck_assert_int_eq(r.outcome, OUT_CORRUPT);
	ck_assert_str_eq(r.corruptions, "read-past-write:1");
	ck_assert(r.first_failure_s == 1.5); /* the wall time: the runtime cannot say */
	ck_assert_int_eq(classify(END_EXITED, 2, true, "", elsewhere, 1).outcome, OUT_CRASH);
	ck_assert_int_eq(classify(END_EXITED, 2, true, "", "panic: boom\n", 1).outcome, OUT_CRASH);
}
END_TEST

/* ---- argv, launch ---- */

static bool has_arg(char **v, const char *a, const char *value)
{
	for (size_t i = 0; v[i]; i++)
		if (strcmp(v[i], a) == 0 && (!value || (v[i + 1] && strcmp(v[i + 1], value) == 0)))
			return true;
	return false;
}

START_TEST(test_argv_and_launch)
{
	struct cell can = go_cell("mipsel", GO_PROGRAM_WORKLOAD, "regressed", "cannon");
	struct cell own = go_cell("armhf", GO_PROGRAM_FLOOR, "stock", "thread-timer");
	struct run_settings s = { .duration = 5, .threads = 3, .watchdog = 2 };
	char **v = go_kind.argv(&can, &s, 7);
	ck_assert_ptr_nonnull(strstr(v[0], "/build/mipsel/go/regressed/workload"));
	ck_assert(has_arg(v, "-duration", "5s") && has_arg(v, "-outside-signals", NULL));
	ck_assert(has_arg(v, "-watchdog", "2s"));
	size_t last = 0; /* --threads wins over the tuned -goroutines: it comes last */
	for (size_t i = 0; v[i]; i++)
		if (strcmp(v[i], "-goroutines") == 0)
			last = i;
	ck_assert_str_eq(v[last + 1], "3");
	argv_free(v);
	v = go_kind.argv(&own, &(struct run_settings){ .duration = 5 }, 7);
	ck_assert(has_arg(v, "-duration", "0s") && !has_arg(v, "-outside-signals", NULL));
	ck_assert(!has_arg(v, "-watchdog", NULL));
	argv_free(v);
	struct run_launch l = { 0 };
	go_kind.launch(&can, &s, &l);
	ck_assert(l.kill_signal == SIGQUIT && l.kill_grace_s == GO_KILL_GRACE_S);
	ck_assert(l.cannon_signal == SIGPROF && l.cannon_rate == atof(GO_CANNON_RATE));
	s.rate = "5000";
	go_kind.launch(&can, &s, &l);
	ck_assert(l.cannon_rate == 5000);
	memset(&l, 0, sizeof l);
	go_kind.launch(&own, &s, &l);
	ck_assert(l.kill_signal == SIGQUIT && l.cannon_signal == 0);
}
END_TEST

/* ---- the expected table ---- */

START_TEST(test_the_table_gives_repro_go_s_cells_their_outcomes)
{
	char path[4200], err[256];
	snprintf(path, sizeof path, "%s/cases/go/expected.tsv", top);
	struct expected_table t;
	ck_assert_msg(expected_load(path, &t, err, sizeof err) == 0, "%s", err);
	static const struct {
		const char *arch, *program, *flavour, *source, *want;
	} rows[] = {
		{ "mipsel", "workload", "regressed", "cannon", "corrupt" },
		{ "armhf", "workload", "regressed", "thread-timer", "corrupt" },
		{ "armel", "workload", "regressed-named", "cannon", "corrupt" },
		{ "armel", "workload", "regressed", "cannon", "corrupt|deadlock" },
		{ "mips", "workload", "stock", "cannon", "pass" },
		{ "armel", "workload", "stock", "thread-timer", "deadlock" },
		{ "armel", "workload", "helpers-named", "cannon", "pass" },
		{ "armel", "workload", "own", "cannon", "deadlock" },
		{ "mipsel", "workload", "own", "cannon", "pass" },
		{ "mips", "workload", "unchecked", "thread-timer", "deadlock" },
		{ "armel", "workload", "unchecked", "thread-timer", "deadlock" },
		{ "armhf", "workload", "unchecked", "thread-timer", "pass" },
		{ "armhf", "floor", "stock", "thread-timer", "pass" },
		{ "native", "workload", "regressed", "cannon", "pass" },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct expected_row *r = expected_lookup(&t, rows[i].arch, rows[i].program,
							       rows[i].flavour, rows[i].source);
		char en[64];
		ck_assert_ptr_nonnull(r);
		ck_assert_msg(strcmp(outcome_set_name(r->expected, en, sizeof en), rows[i].want) == 0,
			      "%s %s %s %s: %s, want %s", rows[i].arch, rows[i].program,
			      rows[i].flavour, rows[i].source, en, rows[i].want);
	}
	expected_free(&t);
}
END_TEST

START_TEST(test_flavours_are_ci_go_build_s)
{
	char *const *f = go_flavour_names();
	ck_assert_ptr_nonnull(f);
	ck_assert(ut_list_has(f, "stock") && ut_list_has(f, "regressed") &&
		  ut_list_has(f, "unchecked") && ut_list_has(f, "regressed-named"));
	ck_assert(!ut_list_has(f, "flavour")); /* the header */
}
END_TEST

/* ---- planning, in a PROFTORTURE_ROOT of the test's own ---- */

/* dir (a mkdtemp template, filled in) with the runner's tables copied from
 * the tree and no binaries. */
static void make_root(char *dir)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	struct sbuf cmd = { 0 };
	sb_printf(&cmd, "mkdir -p %s/ci %s/cases/go && cp %s/ci/arches.tsv %s/ci/ && "
			"cp %s/cases/expected.tsv %s/cases/ && "
			"cp %s/cases/go/expected.tsv %s/cases/go/flavours.tsv %s/cases/go/matrix.tsv %s/cases/go/",
		  dir, dir, top, dir, top, dir, top, top, top, dir);
	ck_assert_int_eq(system(cmd.s), 0);
	sb_free(&cmd);
}

static void remove_root(const char *dir)
{
	struct sbuf cmd = { 0 };
	sb_printf(&cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd.s), 0);
	sb_free(&cmd);
}

START_TEST(test_a_missing_binary_names_the_command_that_builds_it)
{
	char dir[] = "/tmp/proftorture-gokind-XXXXXX";
	make_root(dir);
	struct sbuf cmd = { 0 }, path = { 0 };
	sb_printf(&cmd, "PROFTORTURE_ROOT=%s %s/build/native/proftorture run --arch native --kind go "
			"--out %s/out 2>%s/err; echo $? > %s/rc",
		  dir, top, dir, dir, dir);
	ck_assert_int_eq(system(cmd.s), 0);
	size_t len;
	sb_printf(&path, "%s/rc", dir);
	char *rc = slurp(path.s, &len);
	path.len = 0;
	sb_printf(&path, "%s/err", dir);
	char *err = slurp(path.s, &len);
	ck_assert_msg(rc && atoi(rc) == 2, "exit %s: %s", rc, err);
	ck_assert_msg(strstr(err, "build/native/go/stock/workload") &&
			      strstr(err, "ci/go-build --arch native --flavour stock"),
		      "%s", err);
	ck_assert_msg(strstr(err, "proftorture run: cannot run") == err, "one message: %s", err);
	struct stat st;
	path.len = 0;
	sb_printf(&path, "%s/out/runs", dir);
	ck_assert(stat(path.s, &st) == 0); /* the out dir was proved writable ... */
	path.len = 0;
	sb_printf(&path, "%s/out/summary.json", dir);
	ck_assert(stat(path.s, &st) != 0); /* ... and nothing ran */
	free(rc);
	free(err);
	remove_root(dir);
	sb_free(&cmd);
	sb_free(&path);
}
END_TEST

/* --case picks go's programs (torture's names are torture's): a fake workload
 * that records its argv shows which program each cell ran. */
START_TEST(test_case_selects_the_go_programs)
{
	char dir[] = "/tmp/proftorture-gocase-XXXXXX";
	make_root(dir);
	struct sbuf cmd = { 0 }, path = { 0 };
	sb_printf(&cmd, "mkdir -p %s/build/native/go/stock && "
			"printf '#!/bin/sh\necho \"$*\" >> %s/argv\n' > %s/build/native/go/stock/workload && "
			"chmod +x %s/build/native/go/stock/workload",
		  dir, dir, dir, dir);
	ck_assert_int_eq(system(cmd.s), 0);
	static const struct {
		const char *cases; /* --case */
		unsigned floors, workloads;
	} want[] = { { "floor", 1, 0 }, { "all", 1, 1 }, { NULL, 0, 1 }, { "workload", 0, 1 } };
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		cmd.len = 0;
		sb_printf(&cmd, "rm -f %s/argv; PROFTORTURE_ROOT=%s %s/build/native/proftorture run "
				"--arch native --kind go --flavour stock --go-source thread-timer "
				"--runs 1 -j1 --run-duration 0.1 --out %s/out %s%s "
				">/dev/null 2>&1",
			  dir, dir, top, dir, want[i].cases ? "--case " : "",
			  want[i].cases ? want[i].cases : "");
		ck_assert_int_ne(system(cmd.s), -1);
		path.len = 0;
		sb_printf(&path, "%s/argv", dir);
		size_t len;
		char *argv = slurp(path.s, &len);
		unsigned floors = 0, workloads = 0;
		char *copy = argv ? strdup(argv) : NULL, *save = NULL;
		for (char *line = copy ? strtok_r(copy, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save)) {
			if (strstr(line, "-duration 0s"))
				floors++;
			else
				workloads++;
		}
		free(copy);
		ck_assert_msg(floors == want[i].floors && workloads == want[i].workloads,
			      "--case %s: %u floor and %u workload runs, want %u and %u:\n%s",
			      want[i].cases ? want[i].cases : "(not given)", floors, workloads,
			      want[i].floors, want[i].workloads, argv ? argv : "(no runs)");
		free(argv);
	}
	remove_root(dir);
	sb_free(&cmd);
	sb_free(&path);
}
END_TEST

/* repro-go's matrix, now cases/go/matrix.tsv: exactly the cells, expected
 * outcomes, runs and measured flags of the C rows it replaced (captured
 * from the runner before the move), full and --quick. Fake workloads
 * (scripts qemu cannot run: every run an error at once) and a shard
 * keep it short: the cells and their planned runs are in summary.json
 * whatever the runs did. */
static const char repro_go_full[] =
	"armel workload regressed-named cannon corrupt 10 0\n"
	"armel workload regressed-named thread-timer corrupt 5 1\n"
	"armel workload helpers-named cannon pass 5 0\n"
	"armel workload unchecked thread-timer deadlock 1 0\n"
	"armel workload stock thread-timer deadlock 1 0\n"
	"armel floor helpers-named thread-timer pass 5 0\n"
	"armhf workload regressed cannon corrupt 10 0\n"
	"armhf workload regressed thread-timer corrupt 5 1\n"
	"armhf workload stock cannon pass 5 0\n"
	"armhf workload unchecked thread-timer pass 3 0\n"
	"armhf floor stock thread-timer pass 5 0\n"
	"mips workload regressed cannon corrupt 10 0\n"
	"mips workload regressed thread-timer corrupt 5 1\n"
	"mips workload stock cannon pass 5 0\n"
	"mips workload unchecked thread-timer deadlock 1 0\n"
	"mips floor stock thread-timer pass 5 0\n"
	"mipsel workload regressed cannon corrupt 10 0\n"
	"mipsel workload regressed thread-timer corrupt 5 1\n"
	"mipsel workload stock cannon pass 5 0\n"
	"mipsel workload unchecked thread-timer deadlock 1 0\n"
	"mipsel floor stock thread-timer pass 5 0\n";
static const char repro_go_quick[] =
	"armel workload regressed-named cannon corrupt - 0\n"
	"armel workload helpers-named cannon pass - 0\n"
	"armel workload unchecked thread-timer deadlock - 0\n"
	"armel workload stock thread-timer deadlock - 0\n"
	"armhf workload regressed cannon corrupt - 0\n"
	"armhf workload stock cannon pass - 0\n"
	"mips workload regressed cannon corrupt - 0\n"
	"mips workload stock cannon pass - 0\n"
	"mips workload unchecked thread-timer deadlock - 0\n"
	"mipsel workload regressed cannon corrupt - 0\n"
	"mipsel workload stock cannon pass - 0\n"
	"mipsel workload unchecked thread-timer deadlock - 0\n";

/* The cells of a summary.json, one line each as above. */
static void cells_of(const char *path, struct sbuf *out)
{
	json_t *doc = json_load_file(path, 0, NULL);
	ck_assert_msg(doc != NULL, "cannot read %s", path);
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(doc, "cells"), i, c) {
		const json_t *rp = json_object_get(c, "runs_planned");
		char runs[32] = "-";
		if (json_is_integer(rp))
			snprintf(runs, sizeof runs, "%lld", (long long)json_integer_value(rp));
		sb_printf(out, "%s %s %s %s %s %s %d\n",
			  json_string_value(json_object_get(c, "arch")),
			  json_string_value(json_object_get(c, "case")),
			  json_string_value(json_object_get(c, "variant")),
			  json_string_value(json_object_get(c, "atomics")),
			  json_string_value(json_object_get(c, "expected")), runs,
			  json_is_true(json_object_get(c, "measured")));
	}
	json_decref(doc);
}

START_TEST(test_repro_go_s_matrix_file_gives_the_built_in_cells)
{
	char dir[] = "/tmp/proftorture-gomatrix-XXXXXX";
	make_root(dir);
	struct sbuf cmd = { 0 }, path = { 0 }, got = { 0 };
	sb_printf(&cmd, "cd %s && for a in armel armhf mips mipsel; do for f in stock regressed "
			"unchecked helpers-named regressed-named; do mkdir -p build/$a/go/$f && "
			"printf '#!/bin/sh\\nexit 0\\n' > build/$a/go/$f/workload && "
			"chmod +x build/$a/go/$f/workload; done; done", dir);
	ck_assert_int_eq(system(cmd.s), 0);
	for (int quick = 0; quick < 2; quick++) {
		cmd.len = path.len = got.len = 0;
		sb_printf(&cmd, "PROFTORTURE_ROOT=%s %s/build/native/proftorture repro-go --kind go "
				"%s --shard 1/20 -j2 --status-interval 0 --out %s/out%d >/dev/null 2>&1",
			  dir, top, quick ? "--quick" : "", dir, quick);
		ck_assert_int_ne(system(cmd.s), -1);
		sb_printf(&path, "%s/out%d/summary.json", dir, quick);
		cells_of(path.s, &got);
		const char *want = quick ? repro_go_quick : repro_go_full;
		ck_assert_msg(strcmp(sb_str(&got), want) == 0, "%s: got\n%swant\n%s",
			      quick ? "--quick" : "full", sb_str(&got), want);
	}
	remove_root(dir);
	sb_free(&cmd);
	sb_free(&path);
	sb_free(&got);
}
END_TEST

/* ---- the side-by-side line ---- */

static void add_runs(struct matrix *m, size_t cell, int n, enum outcome o, double t)
{
	for (int k = 0; k < n; k++) {
		struct run_record *r = matrix_add_run(m);
		r->cell = cell;
		r->k = (unsigned)k;
		r->seed = (uint64_t)k + 1;
		r->outcome = o;
		r->wall_s = t + k * 0.1;
		if (outcome_is_failure(o))
			r->first_failure_s = r->wall_s;
	}
}

START_TEST(test_side_by_side)
{
	struct matrix m = { 0 };
	outcome_set corrupt = OUTCOME_BIT(OUT_CORRUPT), pass = OUTCOME_BIT(OUT_PASS);
	const char *lost = protocol_case_names[CASE_LOST_ATOMIC];
	const char *unl = protocol_variant_names[VARIANT_UNLOCKED_FLUSH];
	struct cell_id can = { &go_kind, "mipsel", GO_PROGRAM_WORKLOAD, "regressed", "cannon" },
		       own = { &go_kind, "mipsel", GO_PROGRAM_WORKLOAD, "regressed", "thread-timer" },
		       flo = { &go_kind, "mipsel", GO_PROGRAM_FLOOR, "stock", "thread-timer" },
		       cre = { &torture_kind, "mipsel", lost, unl, "global" },
		       lone = { &go_kind, "armhf", GO_PROGRAM_WORKLOAD, "stock", "cannon" };
	add_runs(&m, matrix_add_cell(&m, &can, corrupt, "", true), 3, OUT_CORRUPT, 0.5);
	size_t o = matrix_add_cell(&m, &own, corrupt, "", true);
	add_runs(&m, o, 1, OUT_CORRUPT, 2.0);
	add_runs(&m, o, 2, OUT_PASS, 6.0);
	add_runs(&m, matrix_add_cell(&m, &flo, pass, "", true), 3, OUT_PASS, 1.0);
	add_runs(&m, matrix_add_cell(&m, &cre, corrupt, "", true), 2, OUT_CORRUPT, 0.05);
	add_runs(&m, matrix_add_cell(&m, &lone, pass, "", true), 2, OUT_PASS, 6.0);
	matrix_summarize(&m);
	struct sbuf b = { 0 };
	go_side_by_side(&m, &b);
	ck_assert_msg(strstr(b.s, "mipsel  Go regressed: own timers 2 s (1 of 3 failed), cannon "
				  "0.6 s (3 of 3 failed) | C rebuild unlocked-flush 0.1 s (2 of 2 "
				  "failed) | workload floor 1.1 s (median of 3 clean runs)\n"),
		      "%s", b.s);
	ck_assert_msg(strstr(b.s, "armhf   Go regressed: own timers - (not run), cannon - (not "
				  "run) | C rebuild unlocked-flush - (not run) | workload floor - "
				  "(not run)\n"),
		      "%s", b.s);
	sb_free(&b);
	struct matrix none = { 0 };
	go_side_by_side(&none, &b);
	ck_assert_uint_eq(b.len, 0);
	matrix_free(&m);
}
END_TEST

/* ---- what the go kind needed from the pipeline: per-cell runs, measured
 * cells, the kill signal first and the cannon, with a kind of /bin/sh ---- */

/* Variants: "fails" exits 1; "clean" exits 0; "hangs" sleeps until the
 * deadline, prints on SIGTERM and exits 7; "target" counts the cannon's
 * SIGUSR1s for 0.8 s and prints them: one sleep it waits for again after
 * each signal, not a loop of short sleeps, whose fork and exec each on a
 * loaded machine once took it past the 1.5-s deadline. */
static char **sh_argv(const struct cell *c, const struct run_settings *s, uint64_t seed)
{
	(void)s;
	(void)seed;
	const char *script = !strcmp(c->variant, "fails")   ? "exit 1"
			     : !strcmp(c->variant, "hangs") ? "trap 'echo got TERM; exit 7' TERM; "
							      "sleep 30 & wait"
			     : !strcmp(c->variant, "target")
				     ? "n=0; trap 'n=$((n+1))' USR1; sleep 0.8 & p=$!; "
				       "while kill -0 $p 2>/dev/null; do wait $p; done; echo got $n"
				     : "exit 0";
	char **v = xcalloc(4, sizeof *v);
	v[0] = xstrdup("/bin/sh");
	v[1] = xstrdup("-c");
	v[2] = xstrdup(script);
	return v;
}

static void sh_classify(const struct cell *c, const struct ended_run *e, struct run_record *r)
{
	struct classification cl = { 0 };
	const char *out = e->output.out_head ? e->output.out_head : "";
	if (classify_ending(&e->end, &e->output, &cl))
		r->outcome = cl.outcome == OUT_TIMEOUT && strstr(out, "got TERM") ? OUT_DEADLOCK
										 : cl.outcome;
	else if (!strcmp(c->variant, "target"))
		r->outcome = strstr(out, "got ") && atoi(strstr(out, "got ") + 4) > 0 ? OUT_PASS
										      : OUT_CORRUPT;
	else
		r->outcome = e->end.code == 0 ? OUT_PASS : OUT_CORRUPT;
	snprintf(r->why, sizeof r->why, "sh: %.100s", out);
}

static void sh_launch(const struct cell *c, const struct run_settings *s, struct run_launch *l)
{
	(void)s;
	l->kill_signal = SIGTERM;
	l->kill_grace_s = 5;
	if (!strcmp(c->variant, "target")) {
		l->cannon_signal = SIGUSR1;
		l->cannon_rate = 200;
	}
}

static const struct cell_kind sh_kind;

static int sh_plan_arch(struct plan *p, const struct arch *a, const struct selection *sel,
			struct sbuf *problem)
{
	(void)sel;
	(void)problem;
	static const struct {
		const char *variant;
		unsigned runs;
		bool measured;
	} cells[] = { { "fails", 1, false }, { "clean", 3, false }, { "never", 2, true },
		      { "hangs", 1, false }, { "target", 1, false } };
	for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
		struct cell_id id = { &sh_kind, a->name, "sh", cells[i].variant, "-" };
		size_t ci = plan_add_cell(p, &id, a);
		p->m.cells[ci].runs = cells[i].runs;
		p->m.cells[ci].measured = cells[i].measured;
	}
	return 0;
}

static const struct cell_kind sh_kind = { .name = "sh", .plan_arch = sh_plan_arch,
					  .argv = sh_argv, .classify = sh_classify,
					  .launch = sh_launch };

START_TEST(test_per_cell_runs_measured_cells_kill_signal_and_cannon)
{
	char *noflags[] = { NULL };
	struct arch native = { .name = "native", .triple = "", .qemu = "", .default_atomics = "native",
			       .go = "", .qemu_flags = noflags, .cflags = noflags };
	char dir[] = "/tmp/proftorture-shkind-XXXXXX", runs[64], err[256];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(runs, sizeof runs, "%s/runs", dir);
	ck_assert_int_eq(mkdir(runs, 0755), 0);
	struct plan p = { .cmd = "sh", .arches = { &native, 1 } };
	ck_assert_int_eq(expected_parse("*\tsh\tfails\t*\tcorrupt\n*\tsh\tnever\t*\tcorrupt\n"
					"*\tsh\thangs\t*\tdeadlock\n*\t*\t*\t*\tpass\n",
					"sh.tsv", &p.expected, err, sizeof err), 0);
	const struct cell_kind *const kinds[] = { &sh_kind, NULL };
	struct selection everything = { 0 };
	plan_cells(&p, &everything, kinds);
	struct exec_config x = { .cmd = "sh", .runs = 1, .max_runs = 5, .jobs = 1,
				 .timeout_factor = 1, .timeout_slack = 0, .base_seed = 1,
				 .settings = { .duration = 1.5 }, .outdir = dir };
	ck_assert_int_eq(execute_matrix(&p, &x), 0);
	p.m.runs_per_cell = x.runs;
	matrix_summarize(&p.m);
	/* fails: 1 (its first run failed); clean: its own 3; never: exactly its
	 * own 2 (measured: never extended); hangs: 1; target: 1 */
	const unsigned long want_runs[] = { 1, 3, 2, 1, 1 };
	for (size_t i = 0; i < p.m.ncells; i++)
		ck_assert_msg(p.m.cells[i].verdict.total == want_runs[i], "%s: %lu runs: %s",
			      p.m.cells[i].variant, p.m.cells[i].verdict.total, p.m.cells[i].verdict.text);
	const struct cell_verdict *never = &p.m.cells[2].verdict;
	ck_assert(never->kind == V_CLEAN && never->skipped && never->measured && !never->matches);
	ck_assert_ptr_nonnull(strstr(never->reason, "measured, not judged"));
	ck_assert_msg(p.m.cells[3].verdict.matches, "hangs: %s", p.m.cells[3].verdict.reason);
	ck_assert_msg(p.m.cells[4].verdict.matches, "target got no signal: %s", p.m.cells[4].verdict.text);
	ck_assert(matrix_matched(&p.m)); /* the measured cell neither matches nor fails */
	/* the record keeps both (a kind merge can look up: go's) */
	for (size_t i = 0; i < p.m.ncells; i++)
		p.m.cells[i].kind = &go_kind;
	struct sbuf doc = { 0 };
	summary_write(&p.m, &doc);
	struct matrix back = { 0 };
	struct summary_shard shard;
	ck_assert_msg(summary_merge(&back, doc.s, doc.len, ".", &shard, err, sizeof err) == 0, "%s", err);
	matrix_summarize(&back);
	ck_assert(back.cells[1].runs == 3 && back.cells[2].measured && back.cells[2].verdict.measured);
	ck_assert(back.cells[0].tally.extended == 0 && matrix_matched(&back));
	sb_free(&doc);
	matrix_free(&back);
	matrix_free(&p.m);
	free(p.cell_arch);
	sb_free(&p.skipped);
	expected_free(&p.expected);
	struct sbuf rm = { 0 };
	sb_printf(&rm, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(rm.s), 0);
	sb_free(&rm);
}
END_TEST

int main(void)
{
	find_top();
	Suite *s = suite_create("go_kind");
	TCase *t = tcase_create("go_kind");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, test_every_recorded_run_gets_its_outcome);
	tcase_add_test(t, test_a_hang_at_the_deadline_is_a_deadlock);
	tcase_add_loop_test(t, test_made_up_runs, 0, (int)(sizeof made_up / sizeof made_up[0]));
	tcase_add_test(t, test_sigquit_is_a_deadlock_only_from_the_dead_man_s_switch);
	tcase_add_test(t, test_slice_bounds_is_corrupt_only_in_profbuf_read);
	tcase_add_test(t, test_argv_and_launch);
	tcase_add_test(t, test_the_table_gives_repro_go_s_cells_their_outcomes);
	tcase_add_test(t, test_flavours_are_ci_go_build_s);
	tcase_add_test(t, test_a_missing_binary_names_the_command_that_builds_it);
	tcase_add_test(t, test_case_selects_the_go_programs);
	tcase_add_test(t, test_repro_go_s_matrix_file_gives_the_built_in_cells);
	tcase_add_test(t, test_side_by_side);
	tcase_add_test(t, test_per_cell_runs_measured_cells_kill_signal_and_cannon);
	suite_add_tcase(s, t);
	return suite_run(s);
}
