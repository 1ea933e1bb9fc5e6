/*
 * `proftorture stress` on real programs, natively (make
 * check-harness):
 * - the signature corpus: every output in tests/corpus/signatures, recorded
 *   from a real program, gets the signature expected.tsv says;
 * - the documented list of failure lines is docs/stress.md's;
 * - signatures: tiers, the user's regex, a timeout searched only up to its
 *   kill signal;
 * - the real Go program that crashes with two different fatal errors is
 *   grouped by them (build/native/programs/crash2);
 * - the cannon: never before the program has a handler (and, as a negative
 *   control, --signal-after 0 does kill it), never more than the rate;
 * - the dump before the kill: the program's answer to SIGQUIT is in the
 *   failure file; a program that ignores it is SIGKILLed after the grace;
 * - exec failures are usage errors; --json parses;
 * - several arches in one session (native and, where its qemu and programs
 *   are, mipsel) with the pooled JSON and --out's record; {arch} and
 *   {goarch}, and an unknown placeholder's error; --baseline on the torn
 *   pair (tests/programs/c/torn.c) and its controls; exposure: a set no
 *   signal reached is unexercised, never clean; --until-bound stopping
 *   early; bad options' one-line errors.
 * The measurements under qemu (the cannon's 5x, 100 runs without an early
 * death, the goroutine dump of a hung Go program under mipsel) are
 * tests/programs/measure (docs/measurements/stress.md).
 */
#define _GNU_SOURCE
#include <check.h>
#include <jansson.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../harness/judge/signature.h"
#include "../support/shell.h"
#include "../support/slurp.h"
#include "../support/suite_run.h"

static char top[PATH_MAX], runner[PATH_MAX + 32], programs[PATH_MAX + 32], scratch[PATH_MAX];

static void find_tree(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	ck_assert(n > 0);
	exe[n] = 0;
	/* <top>/build/native/tests/harness/check_stress */
	for (int i = 0; i < 5; i++)
		*strrchr(exe, '/') = 0;
	snprintf(top, sizeof top, "%s", exe);
	snprintf(runner, sizeof runner, "%s/build/native/proftorture", top);
	snprintf(programs, sizeof programs, "%s/build/native/programs", top);
	snprintf(scratch, sizeof scratch, "/tmp/proftorture-check-stress-XXXXXX");
	ck_assert(mkdtemp(scratch) != NULL);
}

static void remove_tree(void)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", scratch);
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the corpus ---- */

static struct sig_end parse_end(const char *text)
{
	struct sig_end e = { 0 };
	char sig[16];
	if (sscanf(text, "exit %d", &e.code) == 1)
		e.kind = SIG_END_EXIT;
	else if (sscanf(text, "signal %d", &e.code) == 1)
		e.kind = SIG_END_SIGNAL;
	else if (sscanf(text, "timeout %15s %zu", sig, &e.kill_at) == 2 && strcmp(sig, "QUIT") == 0)
		e = (struct sig_end){ .kind = SIG_END_TIMEOUT, .kill_signal = 3 /* SIGQUIT */,
					 .kill_at = e.kill_at };
	else
		ck_abort_msg("expected.tsv: bad end '%s'", text);
	return e;
}

START_TEST(test_every_recorded_output_gets_its_signature)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/tests/corpus/signatures/expected.tsv", top);
	char *table = slurp(path, NULL);
	ck_assert_msg(table, "cannot read %s", path);
	int checked = 0;
	for (char *save = table, *line; (line = strsep(&save, "\n"));) {
		if (!*line || *line == '#')
			continue;
		char *name = strsep(&line, "\t"), *end = strsep(&line, "\t"), *want = line;
		ck_assert_msg(end && want, "expected.tsv: short row %s", name);
		snprintf(path, sizeof path, "%s/tests/corpus/signatures/%s.out", top, name);
		size_t len;
		char *text = slurp(path, &len);
		ck_assert_msg(text && len > 0, "%s is missing or empty", path);
		struct sig_end e = parse_end(end);
		char got[SIG_FULL_MAX];
		sig_of_run(text, len, &e, NULL, got, sizeof got);
		ck_assert_msg(strcmp(got, want) == 0, "%s:\n  got  %s\n  want %s", name, got, want);
		free(text);
		checked++;
	}
	free(table);
	ck_assert_int_ge(checked, 16);
}
END_TEST

/* The Go crashes of the corpus end with the same goroutine frame, which is
 * what the last-line rule used to name them by: one group for two crashes. */
START_TEST(test_go_crashes_end_with_a_stack_frame)
{
	static const char *const files[] = { "go-fatal-mutex-mipsel", "go-fatal-deadlock-mipsel" };
	char path[PATH_MAX + 64], last[2][SIG_MAX];
	regex_t frame;
	ck_assert_int_eq(regcomp(&frame, "\\.go:N \\+0x\\?$", REG_EXTENDED | REG_NOSUB), 0);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/tests/corpus/signatures/%s.out", top, files[i]);
		size_t len;
		char *text = slurp(path, &len);
		ck_assert_msg(text, "cannot read %s", path);
		while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
			len--;
		char *nl = memrchr(text, '\n', len);
		ck_assert(nl != NULL);
		sig_normalize(nl + 1, len - (size_t)(nl + 1 - text), last[i], sizeof last[i]);
		free(text);
		ck_assert_msg(regexec(&frame, last[i], 0, NULL, 0) == 0, "last line: %s", last[i]);
	}
	ck_assert_str_eq(last[0], last[1]);
	regfree(&frame);
}
END_TEST

START_TEST(test_the_failure_lines_are_documented)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof path, "%s/docs/stress.md", top);
	char *doc = slurp(path, NULL);
	ck_assert_msg(doc, "cannot read %s", path);
	size_t n;
	const struct sig_failure_line *l = sig_failure_lines(&n);
	for (size_t i = 0; i < n; i++) {
		char cell[256];
		snprintf(cell, sizeof cell, "`%s`", l[i].pattern);
		ck_assert_msg(strstr(doc, cell) != NULL, "docs/stress.md does not list %s", cell);
	}
	free(doc);
}
END_TEST

/* ---- signatures ---- */

START_TEST(test_signature_rules)
{
	char out[SIG_FULL_MAX];
	struct sig_end exit2 = { .kind = SIG_END_EXIT, .code = 2 };
	/* tier 1 beats a tier-2 line that comes first */
	const char *t1 =
		"=== RUN TestX\n--- FAIL: TestX (0.01s)\npanic: boom [recovered]\n\tpanic: boom\n";
	sig_of_run(t1, strlen(t1), &exit2, NULL, out, sizeof out);
	ck_assert_str_eq(out, "exit status 2: panic: boom [recovered]");
	/* the user's regex first; when it matches nothing, the rules */
	regex_t re;
	ck_assert_int_eq(regcomp(&re, "^=== RUN", REG_EXTENDED | REG_NOSUB), 0);
	sig_of_run(t1, strlen(t1), &exit2, &re, out, sizeof out);
	ck_assert_str_eq(out, "exit status 2: === RUN TestX");
	const char *none = "a\nb 12\n";
	sig_of_run(none, strlen(none), &exit2, &re, out, sizeof out);
	ck_assert_str_eq(out, "exit status 2: b N");
	regfree(&re);
	/* a timeout: only what came before the kill signal; what came after
	 * decides printed/silent */
	const char *hung = "working 3\nqemu: uncaught target signal 3 (Quit) - core dumped\n";
	struct sig_end t = { .kind = SIG_END_TIMEOUT, .kill_signal = 3, .kill_at = strlen("working 3\n") };
	sig_of_run(hung, strlen(hung), &t, NULL, out, sizeof out);
	ck_assert_str_eq(out, "timeout (printed on SIGQUIT): working N");
	sig_of_run(hung, t.kill_at, &t, NULL, out, sizeof out);
	ck_assert_str_eq(out, "timeout (silent on SIGQUIT): working N");
	t.kill_signal = 0;
	sig_of_run(hung, t.kill_at, &t, NULL, out, sizeof out);
	ck_assert_str_eq(out, "timeout: working N");
	/* a silent hang's thread summary: its counts become N, a function's
	 * own digits stay, so one hang groups as one signature */
	t.kill_signal = 3;
	t.where = "4 of 11 threads spinning in runtime/internal/syscall.Syscall6 (1 in runtime.usleep)";
	sig_of_run(hung, t.kill_at, &t, NULL, out, sizeof out);
	ck_assert_str_eq(out, "timeout (silent on SIGQUIT; N of N threads spinning in "
			      "runtime/internal/syscall.Syscall6 (N in runtime.usleep)): working N");
	struct sig_end sig6 = { .kind = SIG_END_SIGNAL, .code = 6 };
	sig_of_run("", 0, &sig6, NULL, out, sizeof out);
	ck_assert_str_eq(out, "signal 6");
}
END_TEST

/* ---- proftorture stress, end to end ---- */

struct res {
	int rc;
	char *out, *err;
};

/* Runs `proftorture stress ARGS` (shell words) with a 120 s limit. */
static struct res stress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static struct res stress(const char *fmt, ...)
{
	char *args, *cmd;
	va_list ap;
	va_start(ap, fmt);
	ck_assert(vasprintf(&args, fmt, ap) > 0);
	va_end(ap);
	ck_assert(asprintf(&cmd, "timeout -s KILL 120 %s stress --status-interval 0 %s", runner,
			   args) > 0);
	struct res r;
	r.rc = shell_capture(cmd, scratch, &r.out, &r.err);
	free(args);
	free(cmd);
	ck_assert_msg(r.out && r.err, "cannot read %s/stdout or %s/stderr", scratch, scratch);
	return r;
}

static void res_free(struct res *r)
{
	free(r->out);
	free(r->err);
}

START_TEST(test_a_go_program_is_grouped_by_its_fatal_errors)
{
	struct res r = stress("-p 2 --count 30 -o %s/crash2- -- %s/crash2", scratch, programs);
	ck_assert_msg(r.rc == 1, "%s%s", r.out, r.err);
	/* crash2 picks one of two fatal errors or no crash, 1/3 each: all 30
	 * runs passing, or no crash of either kind, has p < 2 * (2/3)^30 */
	ck_assert_msg(strstr(r.out, "exit status 2: fatal error: sync: unlock of unlocked mutex\n"),
		      "%s", r.out);
	ck_assert_msg(strstr(r.out,
			     "exit status 2: fatal error: all goroutines are asleep - deadlock!\n"),
		      "%s", r.out);
	ck_assert_msg(!strstr(r.out, ".go:"), "a group named by a stack frame:\n%s", r.out);
	res_free(&r);
}
END_TEST

START_TEST(test_the_cannon_waits_for_the_handler)
{
	/* the handler comes 300 ms after the start: fired at once, SIGPROF's
	 * default action kills every run (the negative control) */
	struct res r = stress("-p 2 --count 4 --signal-rate 2000 --signal-after 0 -o %s/early- -- "
			      "%s/sigprof_count 300 2 200",
			      scratch, programs);
	ck_assert_msg(strstr(r.out, "4 failures") && strstr(r.out, "4 killed by SIGPROF"), "%s",
		      r.out);
	res_free(&r);
	/* by the readiness rule: none */
	r = stress("-p 2 --count 6 --signal-rate 2000 --json %s/c.json -o %s/ready- -- "
		   "%s/sigprof_count 300 2 300",
		   scratch, scratch, programs);
	ck_assert_msg(r.rc == 0 && strstr(r.out, "0 failures") &&
			      strstr(r.out, "0 killed by SIGPROF"),
		      "%s%s", r.out, r.err);
	char path[PATH_MAX + 16];
	snprintf(path, sizeof path, "%s/c.json", scratch);
	json_error_t e;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
	ck_assert_msg(j != NULL, "%s: %s", path, e.text);
	json_t *c = json_object_get(j, "cannon");
	double ready = json_real_value(json_object_get(json_object_get(c, "ready_s"), "median"));
	double sent =
		json_real_value(json_object_get(json_object_get(c, "sent_per_run"), "median"));
	double wall = json_real_value(
		json_object_get(json_object_get(json_object_get(j, "wall_s"), "all"), "median"));
	/* ready after the handler's 300 ms; never more than the rate over the
	 * run's life (a few signals of slack for the clock's granularity) */
	ck_assert_msg(ready >= 0.3, "ready after %.3fs", ready);
	ck_assert_msg(sent > 0 && sent <= 2000 * wall + 5, "sent %.0f in %.3fs", sent, wall);
	json_decref(j);
	res_free(&r);
}
END_TEST

START_TEST(test_a_timeout_keeps_the_programs_dump)
{
	struct res r =
		stress("--count 1 --timeout 0.5 --kill-grace 5 -o %s/quit- -- %s/trap_quit answer",
		       scratch, programs);
	ck_assert_msg(strstr(r.out, "timeout (printed on SIGQUIT): trap_quit: waiting for ever"),
		      "%s", r.out);
	char path[PATH_MAX + 16];
	snprintf(path, sizeof path, "%s/quit-1", scratch);
	char *file = slurp(path, NULL);
	ck_assert_msg(file, "cannot read %s", path);
	char *marker = strstr(file, "SIGQUIT sent to the process group");
	char *dump = strstr(file, "trap_quit: dump: worker 1 waits for lock 2");
	ck_assert_msg(marker && dump && marker < dump, "%s", file);
	ck_assert_msg(strstr(file, "ERROR: timeout after 0.5s: SIGQUIT, then exit status 2"), "%s",
		      file);
	free(file);
	res_free(&r);
	/* ignored: SIGKILL after the grace */
	double t0 = seconds();
	r = stress("--count 1 --timeout 0.3 --kill-grace 1 -o %s/deaf- -- %s/trap_quit ignore",
		   scratch, programs);
	ck_assert_msg(seconds() - t0 >= 1.3, "did not wait for the grace");
	ck_assert_msg(strstr(r.out, "timeout (silent on SIGQUIT; N thread blocked in pause): "
				    "trap_quit: waiting for ever"),
		      "%s", r.out);
	snprintf(path, sizeof path, "%s/deaf-1", scratch);
	file = slurp(path, NULL);
	ck_assert_msg(file, "cannot read %s", path);
	ck_assert_msg(strstr(file, "SIGQUIT, then no exit within the grace: SIGKILL"), "%s", file);
	ck_assert_msg(strstr(file, "where every thread was, from the SIGQUIT to the end"), "%s", file);
	ck_assert_msg(strstr(file, "(trap_quit) S, cpu 0% (user 0%, system 0%): pause "), "%s", file);
	free(file);
	res_free(&r);
	/* a livelock: four threads in a sched_yield loop, silent, named apart
	 * from the deadlock above, and selectable by --ignore */
	r = stress("--count 1 --timeout 0.3 --kill-grace 1 -o %s/spin- -- %s/trap_quit spin",
		   scratch, programs);
	ck_assert_msg(strstr(r.out, "timeout (silent on SIGQUIT; N threads spinning): "
				    "trap_quit: waiting for ever"),
		      "%s", r.out);
	res_free(&r);
	r = stress("--count 1 --timeout 0.3 --kill-grace 1 --ignore '[0-9]+ threads spinning' "
		   "-o %s/spin- -- %s/trap_quit spin",
		   scratch, programs);
	ck_assert_msg(strstr(r.out, "1 failing runs ignored (matched --ignore)"), "%s", r.out);
	res_free(&r);
	/* --kill-signal KILL: today's behaviour */
	r = stress("--count 1 --timeout 0.3 --kill-signal KILL -o %s/kill- -- %s/trap_quit answer",
		   scratch, programs);
	ck_assert_msg(strstr(r.out, "timeout: trap_quit: waiting for ever"), "%s", r.out);
	res_free(&r);
}
END_TEST

START_TEST(test_exec_failures_are_usage_errors)
{
	char path[PATH_MAX + 16];
	/* an ELF header for 32-bit little-endian MIPS (e_machine 8) */
	snprintf(path, sizeof path, "%s/mips.elf", scratch);
	unsigned char h[64] = { 0x7f, 'E', 'L', 'F', 1, 1, 1 };
	h[18] = 8;
	FILE *f = fopen(path, "wb");
	ck_assert(f && fwrite(h, 1, sizeof h, f) == sizeof h);
	fclose(f);
	chmod(path, 0755);
	struct res r = stress("--count 1 -- %s", path);
	ck_assert_msg(r.rc == 2 && strstr(r.err, "is a 8 ELF32 LSB binary"), "%d %s", r.rc, r.err);
	res_free(&r);
	chmod(path, 0644);
	r = stress("--count 1 -- %s", path);
	ck_assert_msg(r.rc == 2 && strstr(r.err, "is not executable"), "%s", r.err);
	res_free(&r);
	r = stress("--count 1 -- no-such-command-here");
	ck_assert_msg(r.rc == 2 && strstr(r.err, "'no-such-command-here' is not found in PATH"),
		      "%s", r.err);
	res_free(&r);
	/* a host binary under --arch mipsel (ci/arches.tsv: 8 ELF32 LSB) */
	r = stress("--arch mipsel --count 1 -- %s/exitcode", programs);
	ck_assert_msg(r.rc == 2 && strstr(r.err, "but mipsel runs 8 ELF32 LSB"), "%s", r.err);
	res_free(&r);
	r = stress("--signal-after 1s --count 1 -- true");
	ck_assert_msg(r.rc == 2 && strstr(r.err, "--signal-after needs --signal-rate"), "%s",
		      r.err);
	res_free(&r);
}
END_TEST

START_TEST(test_json_report_and_signature_option)
{
	struct res r =
		stress("-p 2 --count 6 --signature 'step [0-9]' --json - -o %s/ec- -- %s/exitcode",
		       scratch, programs);
	ck_assert_int_eq(r.rc, 1);
	ck_assert_msg(strstr(r.err, "exit status 3: exitcode: step N of N at 0x?"), "%s", r.err);
	json_error_t e;
	json_t *j = json_loads(r.out, JSON_REJECT_DUPLICATES, &e);
	ck_assert_msg(j != NULL, "not JSON (%s):\n%s", e.text, r.out);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "runs")), 6);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "failures")), 6);
	json_t *ci = json_object_get(json_object_get(j, "failure_rate"), "ci95");
	ck_assert(json_real_value(json_array_get(ci, 0)) > 0.5 &&
		  json_real_value(json_array_get(ci, 1)) == 1);
	json_t *g = json_array_get(json_object_get(j, "signatures"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(g, "count")), 6);
	ck_assert(json_real_value(json_object_get(g, "share")) == 1);
	json_t *all = json_object_get(json_object_get(j, "wall_s"), "all");
	ck_assert_int_eq(json_integer_value(json_object_get(all, "n")), 6);
	ck_assert(json_real_value(json_object_get(all, "p90")) >=
		  json_real_value(json_object_get(all, "median")));
	json_decref(j);
	res_free(&r);
}
END_TEST

/* ---- several arches, --baseline, exposure, --until-bound ---- */

static json_t *load_json(const char *path)
{
	json_error_t e;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
	ck_assert_msg(j != NULL, "%s: %s", path, e.text);
	return j;
}

/* <scratch>/<name>, parsed. */
static json_t *scratch_json(const char *name)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/%s", scratch, name);
	return load_json(path);
}

static json_t *set_of(json_t *doc, size_t i)
{
	return json_array_get(json_object_get(doc, "sets"), i);
}

static long long int_at(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	ck_assert_msg(json_is_integer(v), "%s is not an integer", key);
	return json_integer_value(v);
}

/* A usage error is one line. */
static void assert_one_line(const char *err)
{
	ck_assert_msg(strchr(err, '\n') == err + strlen(err) - 1, "not one line: %s", err);
}

/* mipsel's part runs where its qemu and its programs are (make programs
 * ARCH=mipsel); natively always. */
static bool mipsel_here(void)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/build/mipsel/programs/torn_fixed", top);
	if (access(path, X_OK) != 0 || system("command -v qemu-mipsel >/dev/null 2>&1") != 0) {
		fprintf(stderr, "check_stress: mipsel's part not run: no %s or no qemu-mipsel\n",
			path);
		return false;
	}
	return true;
}

START_TEST(test_several_arches_pool_into_one_report)
{
	bool mipsel = mipsel_here();
	const char *arches = mipsel ? "native,mipsel" : "native";
	size_t nsets = mipsel ? 2 : 1;
	struct res r = stress("-p 2 --count 3 --signal-rate 2000 --arch %s --json %s/multi.json "
			      "--out %s/multi -- %s/build/{arch}/programs/torn_fixed 200 1",
			      arches, scratch, scratch, top);
	ck_assert_msg(r.rc == 0, "%d\n%s%s", r.rc, r.out, r.err);
	json_t *j = scratch_json("multi.json");
	json_t *pooled = json_object_get(j, "pooled");
	if (mipsel) {
		ck_assert_int_eq(int_at(j, "version"), 2);
		ck_assert_int_eq(int_at(pooled, "sets"), 2);
		ck_assert_int_eq(int_at(pooled, "runs"), 6);
		ck_assert_int_eq(int_at(pooled, "failures"), 0);
		ck_assert_msg(strstr(r.out, "native ") && strstr(r.out, "mipsel "), "%s", r.out);
	}
	for (size_t i = 0; i < nsets; i++) {
		json_t *set = mipsel ? set_of(j, i) : j;
		ck_assert_str_eq(json_string_value(json_object_get(set, "arch")),
				 i ? "mipsel" : "native");
		ck_assert_int_eq(int_at(set, "runs"), 3);
		ck_assert_str_eq(json_string_value(json_object_get(set, "verdict")), "clean");
		json_t *exp = json_object_get(set, "exposure");
		ck_assert_msg(json_real_value(json_object_get(exp, "signals_sent")) > 0 &&
				      json_real_value(json_object_get(exp, "handled")) > 0,
			      "set %zu: no exposure", i);
		/* the command as run: the arch substituted */
		const char *cmd0 = json_string_value(json_array_get(json_object_get(set, "command"), 0));
		ck_assert_msg(strstr(cmd0, i ? "/build/mipsel/" : "/build/native/"), "%s", cmd0);
	}
	json_decref(j);
	/* --out: the run report's record, a cell per set, and its page */
	j = scratch_json("multi/summary.json");
	char path[PATH_MAX + 32];
	json_t *cells = json_object_get(j, "cells");
	ck_assert_uint_eq(json_array_size(cells), nsets);
	for (size_t i = 0; i < nsets; i++) {
		json_t *c = json_array_get(cells, i);
		ck_assert_str_eq(json_string_value(json_object_get(c, "kind")), "command");
		ck_assert_str_eq(json_string_value(json_object_get(c, "verdict")), "clean");
		ck_assert_int_eq(int_at(c, "runs"), 3);
	}
	ck_assert_uint_eq(json_array_size(json_object_get(j, "runs")), 3 * nsets);
	json_decref(j);
	snprintf(path, sizeof path, "%s/multi/report.html", scratch);
	char *page = slurp(path, NULL);
	ck_assert_msg(page && strstr(page, "data-arch=\"native\""), "no page, or no native row");
	/* a clean set's exposure on the page: the signals its program handled */
	ck_assert_msg(strstr(page, "native: signals handled behind each clean verdict") &&
			      strstr(page, "signals handled (as the program reported)"),
		      "no exposure plot of signals handled");
	free(page);
	snprintf(path, sizeof path, "%s/multi/junit.xml", scratch);
	char *junit = slurp(path, NULL);
	size_t cases = 0;
	for (char *p = junit; p && (p = strstr(p, "<testcase ")); p++)
		cases++;
	ck_assert_uint_eq(cases, nsets);
	free(junit);
	res_free(&r);
	/* the same record is `proftorture report`'s input */
	char cmd[4 * PATH_MAX + 128];
	snprintf(cmd, sizeof cmd, "%s report -o %s/again.html %s/multi >/dev/null 2>&1", runner,
		 scratch, scratch);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_placeholders_are_substituted_and_checked)
{
	/* the words after substitution: the signature is the last line */
	struct res r = stress("--count 1 -o %s/ph- -- sh -c 'echo arch={arch} goarch={goarch}; "
			      "exit 3'",
			      scratch);
	ck_assert_msg(r.rc == 1 && strstr(r.err, "\narch=native goarch=amd64\n") &&
			      strstr(r.out, "exit status 3: arch=native goarch=amdN"),
		      "%s%s", r.out, r.err);
	res_free(&r);
	r = stress("--count 1 -- echo {archs}");
	ck_assert_msg(r.rc == 2 && strstr(r.err, "unknown placeholder '{archs}' in '{archs}'; "
						 "allowed: {arch} {goarch}"),
		      "%d %s", r.rc, r.err);
	assert_one_line(r.err);
	res_free(&r);
	/* an arch without a Go port has no {goarch} (ci/arches.tsv: powerpc) */
	r = stress("--arch powerpc --count 1 -- %s/build/{goarch}/programs/exitcode", top);
	ck_assert_msg(r.rc == 2 && strstr(r.err, "{goarch}: powerpc has no Go port"), "%d %s", r.rc,
		      r.err);
	res_free(&r);
}
END_TEST

/*
 * --baseline on the torn pair: torn_buggy's handler sees a torn record in
 * most runs, torn_fixed's never can (the signal is blocked while it
 * writes). 20 runs each; the test asks for a two-sided Fisher p below
 * 1e-3. With 0/20 on the fixed side that takes at least 10/20 on the
 * buggy side (10/20 vs 0/20: p = 4.4e-4; 9/20: p = 1.5e-3). If a buggy
 * run fails with probability q >= 0.8 (measured: docs/measurements/stress.md,
 * "The torn pair"), P(fewer than 10 of 20 fail) = sum_{k<10} C(20,k)
 * q^k (1-q)^(20-k) = 5.6e-4: a correct program fails this test less than
 * once in 1000 runs.
 */
/*
 * The gate (cannon.h "Gate", qemu_plugin/timergate_file.h): under qemu the
 * cannon fires only while the program's profiling timer is armed, at the
 * threads the kernel would signal. timer_phases checks it from inside
 * (nothing before its timer is armed, something while, at most an edge
 * after the disarm, only the timer's own thread for a thread timer) and
 * exits 1 when that does not hold: --signal-anytime is the negative
 * control. A program that arms nothing gets nothing: unexercised.
 */
START_TEST(test_the_gate_follows_the_programs_timers)
{
	if (!mipsel_here())
		return;
	const char *modes[] = { "itimer", "thread" };
	for (int m = 0; m < 2; m++) {
		struct res r = stress("-p 2 --count 3 --signal-rate 5000 --arch mipsel --json %s/g.json "
				      "-o %s/gate- -- %s/build/mipsel/programs/timer_phases %s 300 gated",
				      scratch, scratch, top, modes[m]);
		ck_assert_msg(r.rc == 0 && strstr(r.out, "mipsel: clean: 0/3 runs"), "%s: %s%s",
			      modes[m], r.out, r.err);
		ck_assert_msg(strstr(r.out, "cannon gated by the program's profiling timers: opened 3 "
					    "times in all"),
			      "%s: %s", modes[m], r.out);
		json_t *j = scratch_json("g.json");
		json_t *c = json_object_get(j, "cannon");
		ck_assert_str_eq(json_string_value(json_object_get(c, "mode")), "gated");
		/* the gate is closed for two of the three phases: signals held */
		ck_assert(json_real_value(json_object_get(json_object_get(c, "held_per_run"),
							  "median")) > 0);
		json_decref(j);
		res_free(&r);
		r = stress("-p 2 --count 3 --signal-rate 5000 --arch mipsel --signal-anytime -o %s/any- "
			   "-- %s/build/mipsel/programs/timer_phases %s 300 gated",
			   scratch, top, modes[m]);
		ck_assert_msg(r.rc == 1 && strstr(r.out, "3 failures") &&
				      strstr(r.out, "GATE BROKEN: signals before any timer was armed") &&
				      strstr(r.out, "cannon fired at any time (--signal-anytime)"),
			      "%s: %s%s", modes[m], r.out, r.err);
		res_free(&r);
	}
	struct res r = stress("--count 2 --signal-rate 5000 --arch mipsel -o %s/none- -- "
			      "%s/build/mipsel/programs/timer_phases none 100 gated",
			      scratch, top);
	ck_assert_msg(r.rc == 1 && strstr(r.out, "mipsel: UNEXERCISED, not clean: 0/2 runs failed, "
						 "but the cannon (--signal-rate 5000) delivered no signal"),
		      "%s%s", r.out, r.err);
	res_free(&r);
	/* the plugin's other layouts: big-endian (mips), 32-bit arguments
	 * above 2 GB that qemu passes sign-extended (hppa's stack), 64-bit
	 * big- and little-endian (s390x, aarch64); each where it is built */
	const char *layouts[] = { "mips", "hppa", "s390x", "aarch64" };
	for (int k = 0; k < 4; k++) {
		char prog[PATH_MAX + 64], qemu[64];
		snprintf(prog, sizeof prog, "%s/build/%s/programs/timer_phases", top, layouts[k]);
		snprintf(qemu, sizeof qemu, "command -v qemu-%s >/dev/null 2>&1", layouts[k]);
		if (access(prog, X_OK) != 0 || system(qemu) != 0) {
			fprintf(stderr, "check_stress: the gate on %s not run: no %s or no qemu\n",
				layouts[k], prog);
			continue;
		}
		for (int m = 0; m < 2; m++) {
			r = stress("--count 1 --signal-rate 5000 --arch %s -o %s/layout- -- %s %s 200 gated",
				   layouts[k], scratch, prog, modes[m]);
			ck_assert_msg(r.rc == 0 && strstr(r.out, ": clean: 0/1 runs"), "%s %s: %s%s",
				      layouts[k], modes[m], r.out, r.err);
			res_free(&r);
		}
	}
	/* the gate follows SIGPROF's timers: another signal must be fired anytime */
	r = stress("--count 1 --signal-rate 5000 --signal USR1 --arch mipsel -- "
		   "%s/build/mipsel/programs/timer_phases none 100",
		   top);
	ck_assert_msg(r.rc == 2 && strstr(r.err, "--signal SIGUSR1: the cannon's gate follows the "
						 "program's profiling timers"),
		      "%s", r.err);
	res_free(&r);
}
END_TEST

START_TEST(test_baseline_compares_two_builds)
{
	struct res r = stress("-p 2 --count 20 --signal-rate 2000 --baseline --json %s/base.json "
			      "--out %s/base -- %s/torn_buggy 300 0 -- %s/torn_fixed 300 0",
			      scratch, scratch, programs, programs);
	ck_assert_msg(r.rc == 0, "%d\n%s%s", r.rc, r.out, r.err);
	json_t *j = scratch_json("base.json");
	json_t *cmp = json_array_get(json_object_get(j, "comparisons"), 0);
	double p = json_real_value(json_object_get(cmp, "fisher_p"));
	ck_assert_msg(p < 1e-3, "p = %g\n%s", p, r.out);
	ck_assert_str_eq(json_string_value(json_object_get(cmp, "verdict")), "fixed");
	ck_assert_str_eq(json_string_value(json_object_get(cmp, "test")), "fisher-two-sided");
	ck_assert_int_eq(int_at(json_object_get(cmp, "new"), "failures"), 0);
	ck_assert_msg(strstr(r.out, "native: fixed (baseline ") && strstr(r.out, ", new 0/20, p=") &&
			      strstr(r.out, "; new's rate < 14%)"),
		      "%s", r.out);
	json_decref(j);
	/* --out: the baseline, measured and not judged, gets its
	 * time-to-failure curve; the record matches (exit 0 above) */
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/base/report.html", scratch);
	char *page = slurp(path, NULL);
	ck_assert_msg(page && strstr(page, "native: time to first failure") &&
			      strstr(page, "baseline: ") && strstr(page, "/20 failed, median"),
		      "no time-to-failure curve of the baseline");
	free(page);
	snprintf(path, sizeof path, "%s/base/report.tap", scratch);
	char *tap = slurp(path, NULL);
	ck_assert_msg(tap && strstr(tap, "# SKIP measured, not judged") &&
			      strstr(tap, "ok 2 - native torn_fixed/new/- expected pass: clean 0/20"),
		      "%s", tap ? tap : "no report.tap");
	free(tap);
	res_free(&r);
	/* the controls: the bug against itself is no fix, and fails; the fix
	 * against itself shows nothing either way */
	r = stress("-p 2 --count 6 --signal-rate 2000 --baseline -o %s/same- -- %s/torn_buggy 200 0 "
		   "-- %s/torn_buggy 200 0",
		   scratch, programs, programs);
	ck_assert_msg(r.rc == 1 && !strstr(r.out, "native: fixed") &&
			      strstr(r.out, "native: still failing"),
		      "%d\n%s", r.rc, r.out);
	res_free(&r);
	r = stress("-p 2 --count 4 --signal-rate 2000 --baseline -o %s/same- -- %s/torn_fixed 100 0 "
		   "-- %s/torn_fixed 100 0",
		   scratch, programs, programs);
	ck_assert_msg(r.rc == 0 && strstr(r.out, "native: neither failed (baseline 0/4, new 0/4, p=1"),
		      "%d\n%s", r.rc, r.out);
	res_free(&r);
	r = stress("--count 1 --baseline -- %s/torn_fixed", programs);
	ck_assert_msg(r.rc == 2 && strstr(r.err, "--baseline: give two commands"), "%s", r.err);
	res_free(&r);
}
END_TEST

START_TEST(test_no_clean_without_exposure)
{
	/* no timer, no cannon: the program reports 0 handled */
	struct res r = stress("-p 2 --count 3 -o %s/ux- -- %s/torn_fixed 50 0", scratch, programs);
	ck_assert_msg(r.rc == 1 && strstr(r.out, "native: UNEXERCISED, not clean: 0/3 runs failed, "
						 "but the program reported 0 signals handled"),
		      "%d\n%s", r.rc, r.out);
	ck_assert_msg(!strstr(r.out, "native: clean"), "%s", r.out);
	res_free(&r);
	/* a cannon asked for, and the program blocks its signal: none sent */
	r = stress("-p 2 --count 3 --signal-rate 2000 -o %s/ux- -- %s/torn_fixed 200 0 0 block",
		   scratch, programs);
	ck_assert_msg(r.rc == 1 && strstr(r.out, "the cannon (--signal-rate 2000) delivered no signal"),
		      "%d\n%s", r.rc, r.out);
	res_free(&r);
	/* the control: the same program with the cannon's signals open is clean */
	r = stress("-p 2 --count 3 --signal-rate 2000 -o %s/ux- -- %s/torn_fixed 200 0", scratch,
		   programs);
	ck_assert_msg(r.rc == 0 && strstr(r.out, "native: clean: 0/3 runs, rate < ") &&
			      strstr(r.out, "signals sent by the cannon, "),
		      "%d\n%s", r.rc, r.out);
	res_free(&r);
	/* neither a source nor a report: not proven, and said so */
	r = stress("--count 2 -- true");
	ck_assert_msg(r.rc == 0 && strstr(r.out, "exposure unknown"), "%d\n%s", r.rc, r.out);
	res_free(&r);
}
END_TEST

START_TEST(test_until_bound_stops_early)
{
	/* 30%: with no failure the bound 1 - 0.05^(1/n) falls below it at
	 * n = 9 (0.283; n = 8 gives 0.312), well inside --count 100 */
	struct res r = stress("-p 2 --count 100 --until-bound 30%% --signal-rate 2000 --json "
			      "%s/ub.json -o %s/ub- -- %s/torn_fixed 100 0",
			      scratch, scratch, programs);
	ck_assert_msg(r.rc == 0 && strstr(r.out, "--until-bound 30%: reached after 9 runs"), "%d\n%s",
		      r.rc, r.out);
	json_t *j = scratch_json("ub.json");
	ck_assert_int_eq(int_at(j, "runs"), 9);
	json_decref(j);
	res_free(&r);
	/* a failure decides it: -p 1, the buggy build stops at its first */
	r = stress("-p 1 --count 100 --until-bound 30%% --signal-rate 2000 --json %s/ub.json "
		   "-o %s/ub- -- %s/torn_buggy 300 0",
		   scratch, scratch, programs);
	ck_assert_msg(r.rc == 1 && strstr(r.out, "decided by a failure after"), "%d\n%s", r.rc, r.out);
	j = scratch_json("ub.json");
	ck_assert_int_eq(int_at(j, "failures"), 1);
	ck_assert_msg(int_at(j, "runs") < 100, "did not stop");
	json_decref(j);
	res_free(&r);
	/* with --baseline the bound is the new build's, and the baseline
	 * keeps pace: as many runs a side, whatever its failures */
	r = stress("-p 2 --count 100 --until-bound 30%% --signal-rate 2000 --baseline --json "
		   "%s/ub.json -o %s/ub- -- %s/torn_buggy 300 0 -- %s/torn_fixed 100 0",
		   scratch, scratch, programs, programs);
	ck_assert_msg(r.rc == 0 && strstr(r.out, "native (new): --until-bound 30%: reached after 9 runs"),
		      "%d\n%s", r.rc, r.out);
	j = scratch_json("ub.json");
	json_t *cmp = json_array_get(json_object_get(j, "comparisons"), 0);
	ck_assert_int_eq(int_at(json_object_get(cmp, "baseline"), "runs"), 9);
	ck_assert_int_eq(int_at(json_object_get(cmp, "new"), "runs"), 9);
	json_decref(j);
	res_free(&r);
	/* a budget too small for the bound: not reached, exit 1 */
	r = stress("-p 2 --count 3 --until-bound 5%% --signal-rate 2000 -o %s/ub- -- "
		   "%s/torn_fixed 100 0",
		   scratch, programs);
	ck_assert_msg(r.rc == 1 && strstr(r.out, "--until-bound 5%: NOT reached: 3 runs of the 59"),
		      "%d\n%s", r.rc, r.out);
	res_free(&r);
}
END_TEST

START_TEST(test_bad_multi_arch_options)
{
	static const struct {
		const char *args, *err;
	} bad[] = {
		{ "--arch nosuch --count 1 -- true",
		  "proftorture stress: --arch: unknown arch 'nosuch'; allowed: native armel" },
		{ "--arch native,native --count 1 -- true", "--arch: 'native' is named twice" },
		{ "--arch native,all --count 1 -- true", "--arch: all stands alone" },
		{ "--until-bound 200% --count 1 -- true",
		  "proftorture stress: --until-bound: '200%' is not a rate in (0%, 100%)" },
		{ "--until-bound 0 --count 1 -- true", "--until-bound: '0' is not a rate" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct res r = stress("%s", bad[i].args);
		ck_assert_msg(r.rc == 2 && strstr(r.err, bad[i].err), "%s: %d %s", bad[i].args, r.rc,
			      r.err);
		assert_one_line(r.err);
		res_free(&r);
	}
}
END_TEST

/* --arch all: every arch that can run here; here, only native has the
 * file, so every other row is NOT RUN, named, and the exit status is 1 */
START_TEST(test_arch_all_names_what_it_cannot_run)
{
	char link[PATH_MAX + 32], target[2 * PATH_MAX];
	snprintf(link, sizeof link, "%s/only.native", scratch);
	snprintf(target, sizeof target, "%s/torn_fixed", programs);
	ck_assert_int_eq(symlink(target, link), 0);
	struct res r = stress("--arch all -p 2 --count 2 --signal-rate 2000 --json %s/all.json "
			      "-o %s/all- -- %s/only.{arch} 100 0",
			      scratch, scratch, scratch);
	ck_assert_msg(r.rc == 1, "%d\n%s%s", r.rc, r.out, r.err);
	ck_assert_msg(strstr(r.out, "!!! mipsel NOT RUN: ") && strstr(r.err, "mipsel NOT RUN: "),
		      "%s%s", r.out, r.err);
	json_t *j = scratch_json("all.json");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "sets")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(set_of(j, 0), "verdict")), "clean");
	ck_assert_uint_ge(json_array_size(json_object_get(j, "not_run")), 14);
	json_decref(j);
	res_free(&r);
}
END_TEST

static Suite *stress_suite(void)
{
	Suite *s = suite_create("stress");
	TCase *corpus = tcase_create("corpus");
	tcase_add_unchecked_fixture(corpus, find_tree, remove_tree);
	tcase_add_test(corpus, test_every_recorded_output_gets_its_signature);
	tcase_add_test(corpus, test_go_crashes_end_with_a_stack_frame);
	tcase_add_test(corpus, test_the_failure_lines_are_documented);
	tcase_add_test(corpus, test_signature_rules);
	suite_add_tcase(s, corpus);
	TCase *runs = tcase_create("runs");
	tcase_add_unchecked_fixture(runs, find_tree, remove_tree);
	tcase_set_timeout(runs, 240);
	tcase_add_test(runs, test_a_go_program_is_grouped_by_its_fatal_errors);
	tcase_add_test(runs, test_the_cannon_waits_for_the_handler);
	tcase_add_test(runs, test_a_timeout_keeps_the_programs_dump);
	tcase_add_test(runs, test_exec_failures_are_usage_errors);
	tcase_add_test(runs, test_json_report_and_signature_option);
	suite_add_tcase(s, runs);
	TCase *sets = tcase_create("sets");
	tcase_add_unchecked_fixture(sets, find_tree, remove_tree);
	tcase_set_timeout(sets, 300);
	tcase_add_test(sets, test_several_arches_pool_into_one_report);
	tcase_add_test(sets, test_placeholders_are_substituted_and_checked);
	tcase_add_test(sets, test_baseline_compares_two_builds);
	tcase_add_test(sets, test_the_gate_follows_the_programs_timers);
	tcase_add_test(sets, test_no_clean_without_exposure);
	tcase_add_test(sets, test_until_bound_stops_early);
	tcase_add_test(sets, test_bad_multi_arch_options);
	tcase_add_test(sets, test_arch_all_names_what_it_cannot_run);
	suite_add_tcase(s, sets);
	return s;
}

int main(void)
{
	return suite_run(stress_suite());
}
