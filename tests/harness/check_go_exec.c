/*
 * `proftorture go-exec` and its go_<goos>_<goarch>_exec wrappers, natively
 * (make check-harness), on real binaries:
 * - install: one symlink per GOARCH of ci/arches.tsv, by the runner's
 *   absolute path, executable, installed again in place; a file of
 *   someone else's in the way is refused;
 * - a wrapper runs a Go test binary built for mipsle
 *   (build/mipsel/programs/gotest.test) under qemu-mipsel: a passing and a
 *   failing test's output byte for byte what the binary prints when qemu
 *   runs it directly, in one stream and in two, its exit status, and
 *   nothing from proftorture on a clean run;
 * - PROFTORTURE_COUNT pools the runs: one run's output verbatim (the first
 *   failing, else the last: a host script failing on its second run only),
 *   the summary on stderr, the exit status of the run printed,
 *   PROFTORTURE_OUT's files and summary.json;
 * - GOARCH=arm picks armel or armhf by $GOARM; PROFTORTURE_ARCH overrides;
 * - every bad setting is one line naming the variable, exit status 2,
 *   nothing run; a timeout prints the Go program's dump and its threads;
 * - PROFTORTURE_SIGNAL_ANYTIME=1 reaches the cannon (gated without it);
 * - PROFTORTURE_SKIP_BY_DESIGN=1 leaves out a test named as one a cannon
 *   fails by design (build/mipsel/programs/bydesign.test, where it always
 *   fails) and runs the rest, within the user's -test.run; refuses a
 *   subtest pattern; says why it could not list the tests; leaves
 *   benchmarks and binaries that are no Go test's alone.
 * tests/ci/check-go-exec runs the real `go test` through the wrappers.
 */
#define _GNU_SOURCE
#include <check.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../support/slurp.h"
#include "../support/suite_run.h"
#include "../support/tree.h"

static char top[PATH_MAX], runner[PATH_MAX + 32], gotest[PATH_MAX + 48], hang[PATH_MAX + 48];
static char bydesign[PATH_MAX + 48];
static char scratch[PATH_MAX], bin[PATH_MAX + 8];

static void setup(void)
{
	tree_top(top, sizeof top, 5); /* <top>/build/native/tests/harness/check_go_exec */
	snprintf(runner, sizeof runner, "%s/build/native/proftorture", top);
	snprintf(gotest, sizeof gotest, "%s/build/mipsel/programs/gotest.test", top);
	snprintf(hang, sizeof hang, "%s/build/mipsel/programs/hang", top);
	snprintf(bydesign, sizeof bydesign, "%s/build/mipsel/programs/bydesign.test", top);
	scratch_make(scratch, sizeof scratch, "check-go-exec");
	snprintf(bin, sizeof bin, "%s/bin", scratch);
}

static void teardown(void)
{
	scratch_remove(scratch);
}

struct shell_out {
	int rc;
	char *out, *err; /* err is "" when both went to out */
};

/* `sh -c LINE` in the scratch directory, 120 s at most, its stdout and
 * stderr to two files, or (both) to one, as go test gives them. */
static struct shell_out sh(bool both, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static struct shell_out sh(bool both, const char *fmt, ...)
{
	char *line, *cmd, outp[PATH_MAX + 16], errp[PATH_MAX + 16];
	va_list ap;
	va_start(ap, fmt);
	ck_assert(vasprintf(&line, fmt, ap) > 0);
	va_end(ap);
	snprintf(outp, sizeof outp, "%s/out", scratch);
	snprintf(errp, sizeof errp, "%s/err", scratch);
	unlink(errp);
	ck_assert(asprintf(&cmd, "cd '%s' && TMPDIR='%s' timeout -s KILL 120 sh -c '%s' >%s 2>%s",
			   scratch, scratch, line, outp, both ? "&1" : errp) > 0);
	int st = system(cmd);
	free(line);
	free(cmd);
	struct shell_out r = { WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), slurp(outp, NULL),
			 both ? strdup("") : slurp(errp, NULL) };
	ck_assert_msg(r.out && r.err, "cannot read %s or %s", outp, errp);
	return r;
}

static void shell_out_free(struct shell_out *r)
{
	free(r->out);
	free(r->err);
}

static void install(void)
{
	struct shell_out r = sh(false, "%s go-exec install %s", runner, bin);
	ck_assert_msg(r.rc == 0, "%d %s%s", r.rc, r.out, r.err);
	shell_out_free(&r);
}

/* Go's test output says how long each test took: "(0.01s)" -> "(T)". */
static void untime(char *s)
{
	for (char *p = s; (p = strstr(p, " (")) != NULL; p += 2) {
		char *q = p + 2;
		while ((*q >= '0' && *q <= '9') || *q == '.')
			q++;
		if (q > p + 2 && q[0] == 's' && q[1] == ')')
			memmove(p + 2, q, strlen(q) + 1);
	}
}

START_TEST(test_install_writes_one_symlink_per_goarch)
{
	install();
	const char *names[] = { "arm", "mips", "mipsle", "386", "arm64",
				"riscv64", "s390x", "mips64le", "ppc64le" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[PATH_MAX + 64], target[PATH_MAX];
		snprintf(path, sizeof path, "%s/go_linux_%s_exec", bin, names[i]);
		ssize_t n = readlink(path, target, sizeof target - 1);
		ck_assert_msg(n > 0, "%s is not a symlink", path);
		target[n] = 0;
		ck_assert_msg(strcmp(target, runner) == 0, "%s -> %s, not %s", path, target, runner);
		ck_assert_msg(access(path, X_OK) == 0, "%s is not executable", path);
	}
	struct shell_out r = sh(false, "ls %s | wc -l", bin);
	ck_assert_msg(atoi(r.out) == 9, "%s", r.out); /* no other name, no temporary */
	shell_out_free(&r);
	install(); /* again, in place */
	r = sh(false, "rm %s/go_linux_mips_exec && echo mine > %s/go_linux_mips_exec && "
		      "%s go-exec install %s",
	       bin, bin, runner, bin);
	ck_assert_msg(r.rc == 2 && strstr(r.err, "go_linux_mips_exec exists and is not a symlink"),
		      "%d %s", r.rc, r.err);
	shell_out_free(&r);
	r = sh(false, "%s go-exec --help", runner);
	ck_assert_msg(r.rc == 0 && strstr(r.out, "PROFTORTURE_COUNT=N") &&
			      strstr(r.out, "7 or unset armhf's"),
		      "%s", r.out);
	shell_out_free(&r);
}
END_TEST

/* The wrapper's output against qemu's own, in one stream or two. */
static void same_as_qemu(bool both, const char *test, int want_rc)
{
	struct shell_out q = sh(both, "qemu-mipsel %s -test.v -test.run %s", gotest, test);
	struct shell_out w = sh(both, "%s/go_linux_mipsle_exec %s -test.v -test.run %s", bin, gotest, test);
	ck_assert_msg(q.rc == want_rc && w.rc == want_rc, "%s: qemu %d, wrapper %d\n%s%s", test,
		      q.rc, w.rc, w.out, w.err);
	untime(q.out);
	untime(w.out);
	/* merged, a failure's summary follows the program's output */
	size_t n = both && want_rc ? strlen(q.out) : strlen(q.out) + 1;
	ck_assert_msg(strncmp(q.out, w.out, n) == 0, "%s:\nqemu:\n%s\nwrapper:\n%s", test, q.out,
		      w.out);
	if (both && want_rc)
		ck_assert_msg(strncmp(w.out + n, "proftorture: 1 of 1 runs failed under qemu-mipsel", 49) == 0,
			      "%s", w.out + n);
	if (want_rc == 0)
		ck_assert_msg(strcmp(q.err, w.err) == 0, "%s: stderr:\n%s", test, w.err);
	else if (!both)
		ck_assert_msg(strncmp(w.err, q.err, strlen(q.err)) == 0 &&
				      strstr(w.err, "\nproftorture: 1 of 1 runs failed under qemu-mipsel"),
			      "%s: stderr:\n%s", test, w.err);
	shell_out_free(&q);
	shell_out_free(&w);
}

START_TEST(test_a_go_test_binary_runs_as_under_qemu)
{
	install();
	same_as_qemu(false, "TestAddition", 0);
	same_as_qemu(true, "TestAddition", 0);
	same_as_qemu(false, "TestDivision", 1);
	same_as_qemu(true, "TestDivision", 1);
	/* the failing test prints on stderr, the verdict on stdout */
	struct shell_out r = sh(false, "%s/go_linux_mipsle_exec %s -test.run TestDivision", bin, gotest);
	ck_assert_msg(strstr(r.err, "gotest: dividing on stderr\n") && strstr(r.out, "--- FAIL"),
		      "%s---\n%s", r.out, r.err);
	ck_assert_msg(strstr(r.err, "proftorture:   ") && strstr(r.err, "--- FAIL: TestDivision"),
		      "no signature: %s", r.err);
	shell_out_free(&r);
}
END_TEST

/* A host script that fails (exit 7) on its second run only. */
static void flaky_script(void)
{
	struct shell_out r = sh(false, "printf \"%%s\\n\" \"#!/bin/sh\" "
				 "\"n=\\$(cat %s/n 2>/dev/null || echo 0); echo \\$((n+1)) > %s/n\" "
				 "\"echo out \\$n; echo err \\$n >&2; [ \\$n != 1 ] || exit 7\" "
				 "> %s/flaky && chmod +x %s/flaky && rm -f %s/n",
			  scratch, scratch, scratch, scratch, scratch);
	ck_assert_int_eq(r.rc, 0);
	shell_out_free(&r);
}

START_TEST(test_count_prints_one_run_and_the_pooled_result)
{
	install();
	flaky_script();
	struct shell_out r = sh(false, "PROFTORTURE_ARCH=native PROFTORTURE_COUNT=4 PROFTORTURE_OUT=%s/o "
				 "%s/go_linux_mipsle_exec %s/flaky",
			  scratch, bin, scratch);
	ck_assert_msg(r.rc == 7, "%d %s", r.rc, r.err);
	ck_assert_str_eq(r.out, "out 1\n");
	ck_assert_msg(strncmp(r.err, "err 1\nproftorture: 1 of 4 runs failed under the host kernel "
				     "(native); the output above is run 2's, the first that failed\n",
			      86) == 0,
		      "%s", r.err);
	ck_assert_msg(strstr(r.err, "proftorture:        1  100.0%  exit status 7: err N\n"), "%s",
		      r.err);
	shell_out_free(&r);
	/* every line of its own is prefixed */
	r = sh(false, "grep -v -e \"^proftorture: \" -e \"^err 1$\" %s/err", scratch);
	ck_assert_msg(r.rc == 1, "unprefixed: %s", r.out);
	shell_out_free(&r);
	r = sh(false, "cat %s/o/flaky-*/run-2 && ls %s/o/flaky-*", scratch, scratch);
	ck_assert_msg(strstr(r.out, "out 1") && strstr(r.out, "ERROR: exit status 7") &&
			      strstr(r.out, "summary.json") && !strstr(r.out, "run-1"),
		      "%s", r.out);
	shell_out_free(&r);
	r = sh(false, "cat %s/o/flaky-*/summary.json", scratch);
	json_error_t e;
	json_t *j = json_loads(r.out, JSON_REJECT_DUPLICATES, &e);
	ck_assert_msg(j, "%s: %s", e.text, r.out);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "runs")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "failures")), 1);
	json_decref(j);
	shell_out_free(&r);
	/* all pass: the last run's output, exit 0, and still the summary */
	r = sh(true, "echo 2 > %s/n; PROFTORTURE_ARCH=native PROFTORTURE_COUNT=3 "
		     "%s/go_linux_mipsle_exec %s/flaky",
	       scratch, bin, scratch);
	ck_assert_msg(r.rc == 0, "%d %s", r.rc, r.out);
	ck_assert_msg(strncmp(r.out, "out 4\nerr 4\nproftorture: 0 of 3 runs failed", 43) == 0 &&
			      strstr(r.out, "run 3's, the last\n"),
		      "%s", r.out);
	shell_out_free(&r);
	/* the Go test binary: one verdict in the output, not three */
	r = sh(true, "PROFTORTURE_COUNT=3 %s/go_linux_mipsle_exec %s -test.run TestDivision", bin,
	       gotest);
	ck_assert_msg(r.rc == 1 && strstr(r.out, "3 of 3 runs failed"), "%s", r.out);
	char *ours = strstr(r.out, "\nproftorture: ");
	ck_assert(ours);
	ours[1] = 0; /* the program's output, before our summary */
	char *fail = strstr(r.out, "--- FAIL: TestDivision");
	ck_assert_msg(fail && !strstr(fail + 1, "--- FAIL: TestDivision"), "not one run:\n%s",
		      r.out);
	char *first = strstr(r.out, "\nFAIL\n");
	ck_assert_msg(first && !strstr(first + 1, "\nFAIL\n"), "not one verdict:\n%s", r.out);
	shell_out_free(&r);
}
END_TEST

START_TEST(test_goarm_picks_the_arm_row)
{
	install();
	/* a mipsle binary under the arm wrapper: the error names the row */
	const struct {
		const char *env, *arch;
	} cases[] = { { "GOARM=5", "armel" }, { "GOARM=6", "armel" }, { "GOARM=7", "armhf" },
		      { "", "armhf" },	      { "GOARM=5 PROFTORTURE_ARCH=mips", "mips" } };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct shell_out r = sh(false, "env -u GOARM %s %s/go_linux_arm_exec %s", cases[i].env,
				  bin, gotest);
		char want[64];
		snprintf(want, sizeof want, "but %s runs", cases[i].arch);
		ck_assert_msg(r.rc == 2 && strstr(r.err, want), "%s: %d %s", cases[i].env, r.rc,
			      r.err);
		shell_out_free(&r);
	}
}
END_TEST

START_TEST(test_bad_settings_are_one_line_and_nothing_runs)
{
	install();
	flaky_script();
	const struct {
		const char *env, *want;
	} cases[] = {
		{ "PROFTORTURE_COUNT=0", "PROFTORTURE_COUNT: '0' is not a whole number from 1" },
		{ "PROFTORTURE_COUNT=many", "PROFTORTURE_COUNT: 'many' is not a whole number" },
		{ "PROFTORTURE_PARALLEL=999", "PROFTORTURE_PARALLEL: '999' is not a whole number from 1 to 256" },
		{ "PROFTORTURE_SIGNAL_RATE=-5", "PROFTORTURE_SIGNAL_RATE: '-5' is not a number" },
		{ "PROFTORTURE_SIGNAL=KILL", "PROFTORTURE_SIGNAL: 'KILL' is not a signal a program can handle" },
		{ "PROFTORTURE_SIGNAL_AFTER=soon", "PROFTORTURE_SIGNAL_AFTER: 'soon' is not a duration" },
		{ "PROFTORTURE_TIMEOUT=0", "PROFTORTURE_TIMEOUT: '0' is not a duration above 0" },
		{ "PROFTORTURE_ARCH=vax", "PROFTORTURE_ARCH: 'vax' is not an arch of ci/arches.tsv: native, armel" },
		{ "PROFTORTURE_OUT=/proc/nowhere", "PROFTORTURE_OUT: '/proc/nowhere' is not a directory" },
		{ "PROFTORTURE_ARCH= GOARM=8", "GOARM: '8' is not 5, 6 or 7" },
		{ "PROFTORTURE_SIGNAL_RATE=100 PROFTORTURE_SIGNAL_ANYTIME=2",
		  "PROFTORTURE_SIGNAL_ANYTIME: '2' is not 0 or 1" },
		{ "PROFTORTURE_SIGNAL_ANYTIME=1",
		  "PROFTORTURE_SIGNAL_ANYTIME: '1' is not allowed without a cannon: set PROFTORTURE_SIGNAL_RATE" },
		{ "PROFTORTURE_SIGNAL_RATE=100 PROFTORTURE_SIGNAL=USR1",
		  "PROFTORTURE_SIGNAL: 'USR1' is not allowed without PROFTORTURE_SIGNAL_ANYTIME=1" },
		{ "PROFTORTURE_SKIP_BY_DESIGN=yes", "PROFTORTURE_SKIP_BY_DESIGN: 'yes' is not 0 or 1" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct shell_out r = sh(false, "PROFTORTURE_ARCH=native %s %s/go_linux_arm_exec %s/flaky",
				  cases[i].env, bin, scratch);
		char want[256];
		snprintf(want, sizeof want, "proftorture: %s", cases[i].want);
		ck_assert_msg(r.rc == 2 && strncmp(r.err, want, strlen(want)) == 0 &&
				      strchr(r.err, '\n') == r.err + strlen(r.err) - 1,
			      "%s: %d [%s]", cases[i].env, r.rc, r.err);
		ck_assert_msg(!*r.out, "it ran: %s", r.out);
		shell_out_free(&r);
	}
	/* the negative control: the same script with good settings runs */
	struct shell_out r = sh(false, "PROFTORTURE_ARCH=native PROFTORTURE_COUNT=1 %s/go_linux_arm_exec %s/flaky",
			  bin, scratch);
	ck_assert_msg(r.rc == 0 && strcmp(r.out, "out 0\n") == 0 && strcmp(r.err, "err 0\n") == 0,
		      "%d %s %s", r.rc, r.out, r.err);
	shell_out_free(&r);
	r = sh(false, "%s/go_linux_mipsle_exec", bin);
	ck_assert_msg(r.rc == 2 && strstr(r.err, "usage:"), "%s", r.err);
	shell_out_free(&r);
	r = sh(false, "%s/go_windows_amd64_exec x", bin);
	ck_assert_msg(r.rc == 127, "%d", r.rc); /* never installed */
	shell_out_free(&r);
	r = sh(false, "ln -s %s %s/go_windows_386_exec && %s/go_windows_386_exec %s", runner, bin,
	       bin, gotest);
	ck_assert_msg(r.rc == 2 && strstr(r.err, "GOOS=windows: only linux"), "%s", r.err);
	shell_out_free(&r);
}
END_TEST

START_TEST(test_a_timeout_prints_the_dump_and_fails)
{
	install();
	struct shell_out r = sh(true, "PROFTORTURE_TIMEOUT=3s %s/go_linux_mipsle_exec %s", bin, hang);
	ck_assert_msg(r.rc == 2, "%d %s", r.rc, r.out); /* Go's exit status after SIGQUIT */
	char *dump = strstr(r.out, "SIGQUIT: quit");
	char *said = strstr(r.out, "proftorture: timeout after 3s: SIGQUIT sent");
	ck_assert_msg(dump && said && dump < said, "%s", r.out);
	ck_assert_msg(strstr(r.out, "proftorture: 1 of 1 runs failed") &&
			      strstr(r.out, "timeout (printed on SIGQUIT)"),
		      "%s", r.out);
	shell_out_free(&r);
}
END_TEST

/* The summary of two runs says how the cannon fired. */
START_TEST(test_signal_anytime_reaches_the_cannon)
{
	install();
	const char *modes[] = { "PROFTORTURE_SIGNAL_ANYTIME=1", "cannon fired at any time",
				"PROFTORTURE_SIGNAL_ANYTIME=0", "cannon gated by the program's profiling timers",
				"", "cannon gated by the program's profiling timers" };
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i += 2) {
		struct shell_out r = sh(false, "PROFTORTURE_COUNT=2 PROFTORTURE_SIGNAL_RATE=1000 %s "
					       "%s/go_linux_mipsle_exec %s -test.run TestAddition",
					modes[i], bin, gotest);
		ck_assert_msg(r.rc == 0 && strstr(r.err, modes[i + 1]), "%s: %d %s", modes[i], r.rc,
			      r.err);
		shell_out_free(&r);
	}
}
END_TEST

/* bydesign.test's tests ran (=== RUN under -test.v), or not. */
static void ran(const struct shell_out *r, bool magnitude, bool kept, bool kept_too)
{
	const struct {
		const char *line;
		bool want;
	} t[] = { { "=== RUN   TestCPUProfileMultithreadMagnitude\n", magnitude },
		  { "=== RUN   TestKept\n", kept },
		  { "=== RUN   TestKeptToo\n", kept_too } };
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		ck_assert_msg(!strstr(r->out, t[i].line) == !t[i].want, "%s %s:\n%s%s",
			      t[i].want ? "missing" : "not left out", t[i].line, r->out, r->err);
}

#define LEFT_OUT "proftorture: left out by design: TestCPUProfileMultithreadMagnitude\n"

START_TEST(test_skip_by_design_leaves_out_what_a_cannon_breaks)
{
	install();
	/* the negative control: without it the test runs, and fails */
	struct shell_out r = sh(false, "%s/go_linux_mipsle_exec %s -test.v", bin, bydesign);
	ck_assert_msg(r.rc == 1 && strstr(r.out, "a cannon breaks me") &&
			      strstr(r.out, "--- FAIL: TestCPUProfileMultithreadMagnitude"),
		      "%d %s", r.rc, r.out);
	ran(&r, true, true, true);
	shell_out_free(&r);
	r = sh(false, "PROFTORTURE_SKIP_BY_DESIGN=1 %s/go_linux_mipsle_exec %s -test.v", bin, bydesign);
	ck_assert_msg(r.rc == 0 && strstr(r.out, "\nPASS\n"), "%d %s%s", r.rc, r.out, r.err);
	ck_assert_str_eq(r.err, LEFT_OUT);
	ran(&r, false, true, true);
	shell_out_free(&r);
	/* within the user's -test.run, either form: none of its tests left out */
	r = sh(false, "PROFTORTURE_SKIP_BY_DESIGN=1 %s/go_linux_mipsle_exec %s -test.v -test.run Kept",
	       bin, bydesign);
	ck_assert_msg(r.rc == 0 && !*r.err, "%d %s", r.rc, r.err);
	ran(&r, false, true, true);
	shell_out_free(&r);
	r = sh(false, "PROFTORTURE_SKIP_BY_DESIGN=1 %s/go_linux_mipsle_exec %s -test.v "
		      "\"-test.run=Magnitude|KeptToo\"",
	       bin, bydesign);
	ck_assert_msg(r.rc == 0, "%d %s", r.rc, r.err);
	ck_assert_str_eq(r.err, LEFT_OUT);
	ran(&r, false, false, true);
	shell_out_free(&r);
	/* nothing left: go test's "no tests to run", a pass */
	r = sh(false, "PROFTORTURE_SKIP_BY_DESIGN=1 %s/go_linux_mipsle_exec %s -test.v -test.run=Magnitude",
	       bin, bydesign);
	ck_assert_msg(r.rc == 0 && !*r.out, "%d %s", r.rc, r.out);
	ck_assert_str_eq(r.err, LEFT_OUT "proftorture: PROFTORTURE_SKIP_BY_DESIGN left no test to run\n");
	shell_out_free(&r);
	/* ... but the benchmarks asked for still run */
	r = sh(false, "PROFTORTURE_SKIP_BY_DESIGN=1 %s/go_linux_mipsle_exec %s -test.run=Magnitude "
		      "-test.bench=. -test.benchtime=1x",
	       bin, bydesign);
	ck_assert_msg(r.rc == 0 && strstr(r.out, "BenchmarkKept"), "%d %s%s", r.rc, r.out, r.err);
	shell_out_free(&r);
}
END_TEST

START_TEST(test_skip_by_design_says_what_it_cannot_do)
{
	install();
	struct shell_out r = sh(false, "PROFTORTURE_SKIP_BY_DESIGN=1 %s/go_linux_mipsle_exec %s "
				       "-test.run=TestKept/sub",
				bin, bydesign);
	const char *want = "proftorture: PROFTORTURE_SKIP_BY_DESIGN: cannot be combined with a "
			   "subtest pattern in -test.run ('TestKept/sub')";
	ck_assert_msg(r.rc == 2 && strncmp(r.err, want, strlen(want)) == 0 &&
			      strchr(r.err, '\n') == r.err + strlen(r.err) - 1 && !*r.out,
		      "%d [%s] [%s]", r.rc, r.out, r.err);
	shell_out_free(&r);
	/* a binary whose -test.list fails: its own words, then ours */
	char fails[PATH_MAX + 8];
	snprintf(fails, sizeof fails, "%s/fails", scratch);
	FILE *f = fopen(fails, "w");
	ck_assert(f && fputs("#!/bin/sh\necho \"boom: $*\" >&2; exit 3\n", f) >= 0 && fclose(f) == 0);
	ck_assert(chmod(fails, 0755) == 0);
	r = sh(false, "PROFTORTURE_ARCH=native PROFTORTURE_SKIP_BY_DESIGN=1 %s/go_linux_mipsle_exec %s -test.v",
	       bin, fails);
	ck_assert_msg(r.rc == 2 && strstr(r.err, "boom: -test.list .\n") &&
			      strstr(r.err, "proftorture: PROFTORTURE_SKIP_BY_DESIGN: cannot list the tests: ") &&
			      strstr(r.err, "-test.list . ended with exit status 3\n"),
		      "%d %s", r.rc, r.err);
	shell_out_free(&r);
	/* no -test. argument: no Go test binary, run as it is */
	r = sh(false, "PROFTORTURE_ARCH=native PROFTORTURE_SKIP_BY_DESIGN=1 %s/go_linux_mipsle_exec %s x",
	       bin, fails);
	ck_assert_msg(r.rc == 3 && strncmp(r.err, "boom: x\n", 8) == 0, "%d %s", r.rc, r.err);
	shell_out_free(&r);
}
END_TEST

static Suite *go_exec_suite(void)
{
	Suite *s = suite_create("go-exec");
	TCase *tc = tcase_create("wrappers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_install_writes_one_symlink_per_goarch);
	tcase_add_test(tc, test_a_go_test_binary_runs_as_under_qemu);
	tcase_add_test(tc, test_count_prints_one_run_and_the_pooled_result);
	tcase_add_test(tc, test_goarm_picks_the_arm_row);
	tcase_add_test(tc, test_bad_settings_are_one_line_and_nothing_runs);
	tcase_add_test(tc, test_a_timeout_prints_the_dump_and_fails);
	tcase_add_test(tc, test_signal_anytime_reaches_the_cannon);
	tcase_add_test(tc, test_skip_by_design_leaves_out_what_a_cannon_breaks);
	tcase_add_test(tc, test_skip_by_design_says_what_it_cannot_do);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return suite_run(go_exec_suite());
}
