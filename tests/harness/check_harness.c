/*
 * Check tests for the runner's units (linked with every harness object but
 * main.o): what the runner promises about a child's result line (strict
 * JSON through jansson: truncated, mutated, duplicate keys, wrong types,
 * huge numbers, NUL bytes -- never a pass, always a reason), every
 * classification rule, summary.json written and read back, a second cell
 * kind through the pipeline (the seam of cell_kind.h), the verdict/match
 * rules, failure signatures, bounded capture, the small parsers and
 * escapers the reports rely on, and files written whole or not at all
 * (a failed write leaves the previous file byte-identical, no temporary,
 * no empty file; a device is written in place, never replaced) and the
 * ledger that counts every lost write and turns it into exit status 3.
 * Native only (make check-harness).
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../harness/pipeline/cell_kind.h"
#include "../../harness/host/arches.h"
#include "../../harness/judge/classify.h"
#include "../../harness/base/cli.h"
#include "../../harness/pipeline/execute.h"
#include "../../harness/report/html.h"
#include "../../harness/base/ledger.h"
#include "../../harness/pipeline/plan.h"
#include "../../harness/report/report.h"
#include "../../harness/judge/signature.h"
#include "../../harness/host/spawn.h"
#include "../../harness/records/summary.h"
#include "../../harness/base/util.h"
#include "../../harness/judge/verdict.h"
#include "expected.h"
#include "../support/suite_run.h"

static const char good_line[] =
	"{\"result\":\"proftorture-stress\",\"version\":2,\"case\":\"lost-atomic\","
	"\"variant\":\"unlocked-flush\",\"arch\":\"mips\",\"atomics\":\"global\",\"seed\":42,"
	"\"threads\":4,\"source\":\"cannon\",\"rate\":\"max\",\"duration_s\":1.000,"
	"\"elapsed_s\":0.231,\"outcome\":\"corrupt\",\"first_failure_s\":0.212,"
	"\"counters\":{\"sent\":9000,\"handled\":8800,\"in_atomic\":700,\"samples\":7900,"
	"\"flushes\":120,\"overflow\":0,\"records\":8100,\"lost_atomic_read\":650,"
	"\"lost_extra_read\":0,\"future\":1},\"corruptions\":{\"invalid-size\":1},"
	"\"detail\":\"free text\\nsecond line\"}";

/* A minimal valid line with one more member spliced in before the end. */
#define WITH(member)                                                                            \
	"{\"result\":\"proftorture-stress\",\"version\":2,\"case\":\"lost-atomic\",\"variant\":" \
	"\"exact\",\"outcome\":\"pass\"" member "}"

/* ---- the result line ---- */

START_TEST(test_result_line_parses_the_protocol_example)
{
	struct result_line r;
	char err[160];
	ck_assert_int_eq(result_line_parse(good_line, strlen(good_line), &r, err, sizeof err), 0);
	ck_assert_int_eq(r.outcome, OUT_CORRUPT);
	ck_assert_str_eq(r.case_name, "lost-atomic");
	ck_assert_str_eq(r.atomics, "global");
	ck_assert(r.has_seed && r.seed == 42);
	ck_assert(fabs(r.first_failure_s - 0.212) < 1e-12);
	ck_assert(r.counters[CTR_IN_ATOMIC] == 700 && r.counters[CTR_HANDLED] == 8800);
	ck_assert_str_eq(r.corruptions, "invalid-size:1");
	ck_assert_str_eq(r.detail, "free text\nsecond line");
	ck_assert_str_eq(r.rate, "max");
	/* a rate in signals per second, and keys the runner does not know */
	const char *numeric = WITH(",\"rate\":20000,\"mix\":\"8:128\",\"probe\":true");
	ck_assert_int_eq(result_line_parse(numeric, strlen(numeric), &r, err, sizeof err), 0);
	ck_assert_str_eq(r.rate, "20000");
}
END_TEST

/* Each line breaks the protocol in one way; the reason names it. */
static const struct {
	const char *line, *why;
} forbidden[] = {
	{ "[1]", "not a JSON object" },
	{ "\"pass\"", "is not JSON" }, /* not an object or array: jansson refuses it */
	{ "{\"result\":\"other\",\"version\":2,\"case\":\"c\",\"variant\":\"v\",\"outcome\":\"pass\"}",
	  "lacks \"result\"" },
	{ "{\"result\":\"proftorture-stress\",\"version\":1,\"case\":\"c\",\"variant\":\"v\",\"outcome\":\"pass\"}",
	  "version is not 2" },
	{ "{\"result\":\"proftorture-stress\",\"version\":\"2\",\"case\":\"c\",\"variant\":\"v\",\"outcome\":\"pass\"}",
	  "version is not 2" },
	{ "{\"result\":\"proftorture-stress\",\"version\":2,\"case\":\"c\",\"variant\":\"v\"}",
	  "no \"outcome\"" },
	{ WITH("") "{}", "is not JSON" },                                   /* two documents */
	{ WITH("") " x", "is not JSON" },                                   /* trailing garbage */
	{ WITH(",\"outcome\":\"corrupt\""), "duplicate" },                  /* which outcome? */
	{ WITH(",\"counters\":{\"sent\":1,\"sent\":2}"), "duplicate" },
	{ WITH(",\"detail\":\"a\\u0000b\""), "is not JSON" },                 /* NUL escaped */
	{ "{\"result\":\"proftorture-stress\",\"version\":2,\"case\":7,\"variant\":\"v\",\"outcome\":\"pass\"}",
	  "\"case\" is not a string" },
	{ "{\"result\":\"proftorture-stress\",\"version\":2,\"case\":\"c\",\"variant\":null,\"outcome\":\"pass\"}",
	  "\"variant\" is not a string" },
	{ WITH(",\"counters\":{\"sent\":-1}"), "counter \"sent\"" },
	{ WITH(",\"counters\":{\"sent\":1.5}"), "counter \"sent\"" },
	{ WITH(",\"counters\":{\"sent\":\"1\"}"), "counter \"sent\"" },
	{ WITH(",\"counters\":{\"a\":{\"b\":1}}"), "counter \"a\"" },
	{ WITH(",\"counters\":[1]"), "\"counters\" is not an object" },
	{ WITH(",\"corruptions\":{\"bad-tag\":true}"), "corruption count" },
	{ WITH(",\"seed\":1.5"), "\"seed\" is not a whole number" },
	{ WITH(",\"seed\":1e3"), "\"seed\" is not a whole number" },
	{ WITH(",\"threads\":-2"), "\"threads\" is not a whole number" },
	{ WITH(",\"elapsed_s\":-1"), "\"elapsed_s\" is not a non-negative number" },
	{ WITH(",\"first_failure_s\":\"soon\""), "\"first_failure_s\" is not" },
	{ WITH(",\"rate\":[1]"), "\"rate\" is neither" },
	/* huge numbers: jansson's integers are 64-bit signed; beyond is an error */
	{ WITH(",\"seed\":9223372036854775808"), "is not JSON" },
	{ WITH(",\"counters\":{\"handled\":18446744073709551615}"), "is not JSON" },
	{ WITH(",\"elapsed_s\":1e999"), "is not JSON" },
	{ "{\"result\":\"proftorture-stress\",\"version\":2,\"case\":\"c\",\"variant\":\"v\",\"outcome\":\"great\"}",
	  "not one a child may report" },
	{ "{\"result\":\"proftorture-stress\",\"version\":2,\"case\":\"c\",\"variant\":\"v\",\"outcome\":\"timeout\"}",
	  "not one a child may report" },
	{ "{\"result\":\"proftorture-stress\",\"version\":2,\"case\":\"c\",\"variant\":\"v\",\"outcome\":\"crash\"}",
	  "not one a child may report" },
};

START_TEST(test_result_line_refuses_what_the_protocol_forbids_and_says_why)
{
	struct result_line r;
	char err[200];
	const char *line = forbidden[_i].line;
	ck_assert_msg(result_line_parse(line, strlen(line), &r, err, sizeof err) == -1, "accepted %s", line);
	ck_assert_msg(strstr(err, forbidden[_i].why) != NULL, "%s: reason '%s' lacks '%s'", line, err,
		      forbidden[_i].why);
}
END_TEST

START_TEST(test_result_line_reports_where_the_json_breaks)
{
	struct result_line r;
	char err[200];
	const char *cut = WITH(",\"counters\":{\"sent\":1,");
	ck_assert_int_eq(result_line_parse(cut, strlen(cut) - 1, &r, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "is not JSON") && strstr(err, "(byte "), "%s", err);
	/* a raw NUL byte inside the line: the length is honoured, the NUL refused */
	const char nul[] = WITH(",\"detail\":\"a\0b\"");
	ck_assert_int_eq(result_line_parse(nul, sizeof nul - 1, &r, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "is not JSON"));
	/* the largest integer jansson reads is read exactly */
	const char *big = WITH(",\"seed\":9223372036854775807,\"counters\":{\"handled\":9223372036854775807}");
	ck_assert_int_eq(result_line_parse(big, strlen(big), &r, err, sizeof err), 0);
	ck_assert(r.seed == 9223372036854775807ull && r.counters[CTR_HANDLED] == r.seed);
	/* a million brackets: refused at jansson's depth limit, no stack overflow */
	size_t n = 1000000;
	char *brackets = malloc(n);
	memset(brackets, '[', n);
	ck_assert_int_eq(result_line_parse(brackets, n, &r, err, sizeof err), -1);
	free(brackets);
}
END_TEST

START_TEST(test_result_line_strings_are_sanitised_and_bounded)
{
	struct result_line r;
	char err[200];
	const char *line = WITH(",\"detail\":\"\\u0001\\u001b[31m\\u00e9\\ud83d\\ude00 <ok>\"");
	ck_assert_int_eq(result_line_parse(line, strlen(line), &r, err, sizeof err), 0);
	for (const char *p = r.detail; *p; p++)
		ck_assert_msg(*p == '\n' || *p == '\t' || (*p >= 0x20 && *p < 0x7f), "byte 0x%02x", *p);
	ck_assert_ptr_nonnull(strstr(r.detail, "[31m"));
	ck_assert_ptr_nonnull(strstr(r.detail, " <ok>"));
	struct sbuf longer = { 0 };
	sb_puts(&longer, "{\"result\":\"proftorture-stress\",\"version\":2,\"case\":\"");
	for (int i = 0; i < 5000; i++)
		sb_putc(&longer, 'c');
	sb_puts(&longer, "\",\"variant\":\"exact\",\"outcome\":\"pass\"}");
	ck_assert_int_eq(result_line_parse(longer.s, longer.len, &r, err, sizeof err), 0);
	ck_assert_uint_eq(strlen(r.case_name), sizeof r.case_name - 1);
	sb_free(&longer);
}
END_TEST

/* Every proper prefix of a line is an error; random byte flips and noise
 * never crash, and whatever parses obeys the protocol. */
START_TEST(test_result_line_survives_truncation_and_mutation)
{
	size_t n = strlen(good_line);
	char err[200];
	struct result_line r;
	for (size_t k = 0; k < n; k++)
		ck_assert_msg(result_line_parse(good_line, k, &r, err, sizeof err) == -1,
			      "prefix of %zu bytes parsed", k);
	char *buf = malloc(n);
	unsigned seed = 12345;
	for (int iter = 0; iter < 50000; iter++) {
		memcpy(buf, good_line, n);
		for (int f = 0; f < 1 + iter % 4; f++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % n;
			seed = seed * 1103515245u + 12345u;
			buf[at] = (char)(seed >> 16);
		}
		if (result_line_parse(buf, n, &r, err, sizeof err) == 0)
			ck_assert(outcome_child_may_report(r.outcome));
	}
	static const char alphabet[] = "{}[]\":,0123456789.eE+-tfnul\\ \x01\xff";
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = (size_t)(iter % 300);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		}
		ck_assert_int_eq(result_line_parse(buf, len, &r, err, sizeof err), -1);
	}
	free(buf);
}
END_TEST

/* ---- classification ---- */

#define LINE(outcome, seed)                                                                      \
	"{\"result\":\"proftorture-stress\",\"version\":2,\"case\":\"lost-atomic\",\"variant\":" \
	"\"exact\",\"atomics\":\"global\",\"seed\":" #seed ",\"outcome\":\"" outcome "\"}\n"

struct ccase {
	enum end_kind kind;
	int code;
	bool emulated;
	const char *out, *err;
	enum outcome want;
	const char *why; /* substring of why, or NULL */
};

static const struct ccase ccases[] = {
	{ END_EXITED, 0, false, LINE("pass", 7), "", OUT_PASS, NULL },
	{ END_EXITED, 1, false, LINE("corrupt", 7), "", OUT_CORRUPT, NULL },
	{ END_EXITED, 1, false, LINE("drift", 7), "", OUT_DRIFT, NULL },
	{ END_EXITED, 3, false, LINE("deadlock", 7), "dump...", OUT_DEADLOCK, NULL },
	{ END_EXITED, 4, false, LINE("vacuous", 7), "", OUT_VACUOUS, NULL },
	{ END_EXITED, 77, false, LINE("unsupported", 7), "", OUT_UNSUPPORTED, NULL },
	{ END_EXITED, 2, false, LINE("error", 7), "", OUT_ERROR, NULL },
	/* rule 1: the deadline wins even over a printed line */
	{ END_TIMED_OUT, 9, true, LINE("pass", 7), "QEMU internal SIGSEGV", OUT_TIMEOUT, "deadline" },
	{ END_SPAWN_FAILED, 2, false, "", "", OUT_ERROR, "could not start" },
	/* rule 3: QEMU's own failures, only under an emulator */
	{ END_SIGNALED, 11, true, "", "QEMU internal SIGSEGV {code=MAPERR, addr=0x20}\n",
	  OUT_EMULATOR_ERROR, "QEMU internal SIGSEGV" },
	{ END_EXITED, 1, true, "", "qemu: unhandled CPU exception 0x10001 - aborting\n",
	  OUT_EMULATOR_ERROR, "unhandled CPU exception" },
	{ END_EXITED, 0, true, LINE("pass", 7),
	  "qemu:handle_cpu_signal received signal outside vCPU context @ pc=0x1\n",
	  OUT_EMULATOR_ERROR, "outside vCPU" },
	{ END_EXITED, 1, true, "", "qemu: Unsupported syscall: 398\n", OUT_EMULATOR_ERROR,
	  "Unsupported syscall" },
	{ END_SIGNALED, 11, false, "", "QEMU internal SIGSEGV\n", OUT_CRASH, "signal 11" },
	/* rule 4: the program's own death, even when qemu reports it */
	{ END_SIGNALED, 6, true, "", "qemu: uncaught target signal 6 (Aborted) - core dumped\n",
	  OUT_CRASH, "signal 6" },
	{ END_EXITED, 134, true, "", "qemu: uncaught target signal 6 (Aborted) - core dumped\n",
	  OUT_CRASH, "uncaught target signal 6" },
	{ END_SIGNALED, 9, false, LINE("pass", 7), "", OUT_CRASH, "signal 9" },
	/* rule 5: never a pass without exactly one good line */
	{ END_EXITED, 0, false, "", "", OUT_ERROR, "no result line" },
	{ END_EXITED, 0, false, "hello\n", "", OUT_ERROR, "no result line" },
	{ END_EXITED, 0, false, "{\"result\":\"proftorture-stress\"\n", "", OUT_ERROR, "unparsable" },
	{ END_EXITED, 0, false, LINE("pass", 7) LINE("pass", 7), "", OUT_ERROR, "2 result lines" },
	{ END_EXITED, 3, false, "", "watchdog dump\n", OUT_ERROR, "no result line" },
	/* rule 6: exit status and line must agree, and be for what was asked */
	{ END_EXITED, 0, false, LINE("corrupt", 7), "", OUT_ERROR, "says corrupt but exit status 0" },
	{ END_EXITED, 1, false, LINE("pass", 7), "", OUT_ERROR, "says pass but exit status 1" },
	{ END_EXITED, 3, false, LINE("corrupt", 7), "", OUT_ERROR, "means deadlock" },
	{ END_EXITED, 42, false, LINE("pass", 7), "", OUT_ERROR, "not in the protocol" },
	{ END_EXITED, 0, false, LINE("pass", 8), "", OUT_ERROR, "seed 8, asked for 7" },
	/* stray stdout lines are tolerated */
	{ END_EXITED, 0, false, "note: warming up\n" LINE("pass", 7) "bye\n", "", OUT_PASS, NULL },
};

START_TEST(test_classification_rules)
{
	const struct ccase *t = &ccases[_i];
	struct run_end end = { t->kind, t->code, t->emulated };
	struct run_output o = { .out_head = t->out, .out_head_len = strlen(t->out),
				.err_head = t->err, .err_head_len = strlen(t->err) };
	struct run_request req = { "lost-atomic", "exact", "global", 7, true };
	struct classification c;
	classify_run(&end, &o, &req, &c);
	ck_assert_msg(c.outcome == t->want, "case %d: got %s (%s), want %s", _i,
		      outcome_name(c.outcome), c.why, outcome_name(t->want));
	if (t->why)
		ck_assert_msg(strstr(c.why, t->why) != NULL, "case %d: why '%s' lacks '%s'", _i, c.why,
			      t->why);
}
END_TEST

START_TEST(test_classification_reads_head_and_tail_but_not_a_cut_line)
{
	struct run_end end = { END_EXITED, 0, false };
	struct run_request req = { "lost-atomic", "exact", NULL, 7, true };
	struct classification c;
	/* the line sits in the tail after a dropped middle */
	const char *tail = "xxxx\n" LINE("pass", 7);
	struct run_output o = { .out_head = "junk\nmore junk", .out_head_len = 14,
				.out_tail = tail, .out_tail_len = strlen(tail) };
	classify_run(&end, &o, &req, &c);
	ck_assert_int_eq(c.outcome, OUT_PASS);
	/* a line cut by the drop (tail starts mid-line) is not trusted */
	const char *cut = LINE("pass", 7);
	struct run_output o2 = { .out_head = "junk", .out_head_len = 4, .out_tail = cut,
				 .out_tail_len = strlen(cut) };
	classify_run(&end, &o2, &req, &c);
	ck_assert_int_eq(c.outcome, OUT_ERROR);
}
END_TEST

/* Rules 1-4 need nothing from the program: any cell kind applies them first. */
START_TEST(test_classify_ending_decides_without_the_program_report)
{
	struct classification c;
	const char *qemu = "QEMU internal SIGSEGV {code=MAPERR}\n";
	struct run_output quiet = { 0 }, emu = { .err_head = qemu, .err_head_len = strlen(qemu) };
	struct run_end timed = { END_TIMED_OUT, 9, false }, sig = { END_SIGNALED, 6, false },
		       exited = { END_EXITED, 0, true }, code = { END_EXITED, 2, false };
	memset(&c, 0, sizeof c);
	ck_assert(classify_ending(&timed, &quiet, &c) && c.outcome == OUT_TIMEOUT);
	ck_assert(classify_ending(&sig, &quiet, &c) && c.outcome == OUT_CRASH);
	ck_assert_ptr_nonnull(strstr(c.why, "signal 6"));
	ck_assert(classify_ending(&exited, &emu, &c) && c.outcome == OUT_EMULATOR_ERROR);
	/* an exit status is the program's to explain: not decided here */
	memset(&c, 0x5a, sizeof c);
	ck_assert(!classify_ending(&code, &quiet, &c));
	ck_assert_int_eq(c.why[0], 0x5a); /* untouched */
}
END_TEST

/* ---- verdicts ---- */

static struct cell_verdict judge(outcome_set expected, const unsigned long *counts,
				 double near_misses)
{
	struct cell_tally t;
	memset(&t, 0, sizeof t);
	for (int o = 0; o < OUT_COUNT; o++)
		t.count[o] = counts[o];
	t.near_misses = near_misses;
	struct cell_verdict v;
	verdict_compute(&t, expected, &v);
	return v;
}

START_TEST(test_verdicts_state_their_numbers_and_match_by_the_rules)
{
	unsigned long c[OUT_COUNT];
	struct cell_verdict v;
#define SET(...)                                              \
	do {                                                  \
		memset(c, 0, sizeof c);                       \
		struct { int o; unsigned long n; } s_[] = { __VA_ARGS__ }; \
		for (size_t i_ = 0; i_ < sizeof s_ / sizeof s_[0]; i_++) \
			c[s_[i_].o] = s_[i_].n;               \
	} while (0)

	/* a negative control that fails once in 20 still reproduces */
	SET({ OUT_CORRUPT, 1 }, { OUT_PASS, 19 });
	v = judge(OUTCOME_BIT(OUT_CORRUPT), c, 0);
	ck_assert(v.kind == V_REPRODUCED && v.matches);
	ck_assert_ptr_nonnull(strstr(v.text, "corrupt 1 of 20 (5.0%, 95% CI 0.1%-24.9%)"));
	/* drift is the same race's weaker symptom; deadlock is not */
	SET({ OUT_CORRUPT, 3 }, { OUT_DRIFT, 2 });
	ck_assert(judge(OUTCOME_BIT(OUT_CORRUPT), c, 0).matches);
	SET({ OUT_CORRUPT, 3 }, { OUT_CRASH, 1 });
	v = judge(OUTCOME_BIT(OUT_CORRUPT), c, 0);
	ck_assert(!v.matches && strstr(v.reason, "another kind"));
	SET({ OUT_DRIFT, 3 });
	ck_assert(!judge(OUTCOME_BIT(OUT_CORRUPT), c, 0).matches); /* >= 1 of the expected kind itself */
	/* deadlock cells accept the harness backstop's timeouts */
	SET({ OUT_DEADLOCK, 1 }, { OUT_TIMEOUT, 2 }, { OUT_PASS, 5 });
	ck_assert(judge(OUTCOME_BIT(OUT_DEADLOCK), c, 0).matches);
	/* a negative control that stopped failing */
	SET({ OUT_PASS, 20 });
	v = judge(OUTCOME_BIT(OUT_CORRUPT), c, 1000);
	ck_assert(v.kind == V_CLEAN && !v.matches && strstr(v.reason, "lost its teeth"));
	/* a clean fixed cell states its bounds */
	v = judge(OUTCOME_BIT(OUT_PASS), c, 35000);
	ck_assert(v.kind == V_CLEAN && v.matches);
	ck_assert_msg(strstr(v.text, "0/20 failed: < 13.9% per run, < 8.6e-05 per near miss") != NULL,
		      "%s", v.text);
	/* an error can hide a failure: no match */
	SET({ OUT_PASS, 19 }, { OUT_ERROR, 1 });
	v = judge(OUTCOME_BIT(OUT_PASS), c, 0);
	ck_assert(v.kind == V_CLEAN && !v.matches && strstr(v.reason, "error"));
	ck_assert_ptr_nonnull(strstr(v.text, "not counted: error 1"));
	/* emulator errors and vacuous runs never count as passes */
	SET({ OUT_PASS, 2 }, { OUT_EMULATOR_ERROR, 2 }, { OUT_VACUOUS, 1 });
	v = judge(OUTCOME_BIT(OUT_PASS), c, 0);
	ck_assert(v.kind == V_INCONCLUSIVE && !v.matches && v.n == 2);
	SET({ OUT_PASS, 9 }, { OUT_EMULATOR_ERROR, 1 });
	v = judge(OUTCOME_BIT(OUT_PASS), c, 0);
	ck_assert(v.kind == V_CLEAN && v.matches && v.n == 9);
	SET({ OUT_VACUOUS, 5 });
	ck_assert(judge(OUTCOME_BIT(OUT_PASS), c, 0).kind == V_INCONCLUSIVE);
	/* a reproduction stands even amid emulator errors */
	SET({ OUT_CORRUPT, 1 }, { OUT_EMULATOR_ERROR, 9 });
	ck_assert(judge(OUTCOME_BIT(OUT_CORRUPT), c, 0).matches);
	/* a set: either race may end a run; other kinds still do not match */
	outcome_set either = OUTCOME_BIT(OUT_CORRUPT) | OUTCOME_BIT(OUT_DEADLOCK);
	SET({ OUT_DEADLOCK, 2 }, { OUT_PASS, 3 });
	ck_assert(judge(either, c, 0).matches);
	SET({ OUT_CORRUPT, 1 }, { OUT_TIMEOUT, 1 }, { OUT_DRIFT, 1 });
	v = judge(either, c, 0);
	ck_assert(v.matches && strstr(v.reason, "expected corrupt|deadlock: reproduced in 1 of 3"));
	SET({ OUT_TIMEOUT, 2 });
	ck_assert(!judge(either, c, 0).matches); /* a backstop alone reproduces nothing */
	SET({ OUT_CRASH, 1 }, { OUT_DEADLOCK, 1 });
	ck_assert(!judge(either, c, 0).matches);
	/* unsupported everywhere: skipped, neither match nor failure */
	SET({ OUT_UNSUPPORTED, 3 });
	v = judge(OUTCOME_BIT(OUT_PASS), c, 0);
	ck_assert(v.kind == V_UNSUPPORTED && v.skipped);
#undef SET
}
END_TEST

/* ---- summary.json ---- */

/* A matrix of one torture cell with two runs, the first with a hostile why. */
static void sample_matrix(struct matrix *m)
{
	memset(m, 0, sizeof *m);
	m->command = "run";
	m->base_seed = 7;
	m->run_duration = 0.5;
	m->runs_per_cell = 2;
	struct cell_id id = { &torture_kind, "mips", "lost-atomic", "unlocked-flush", "global" };
	matrix_add_cell(m, &id, OUTCOME_BIT(OUT_CORRUPT) | OUTCOME_BIT(OUT_DRIFT), "#24991", true);
	struct run_record *r = matrix_add_run(m);
	r->k = 0;
	r->seed = 7;
	r->outcome = OUT_CORRUPT;
	snprintf(r->why, sizeof r->why, "quote \" backslash \\ ctrl \x01 high \xc3\xa9 nl\nend");
	snprintf(r->exit_desc, sizeof r->exit_desc, "exit 1");
	r->wall_s = 0.25;
	r->first_failure_s = 0.125;
	r->handled = 1000;
	r->in_atomic = 40;
	r->log = xstrdup("runs/x-k0.log");
	r = matrix_add_run(m);
	r->k = 1;
	r->seed = 8;
	r->outcome = OUT_PASS; /* elapsed and first failure unknown: NaN */
	matrix_summarize(m);
}

START_TEST(test_summary_round_trips_through_jansson)
{
	struct matrix m, back = { 0 };
	sample_matrix(&m);
	struct sbuf doc = { 0 };
	summary_write(&m, &doc);
	json_error_t je;
	json_t *root = json_loads(doc.s, JSON_REJECT_DUPLICATES, &je);
	ck_assert_msg(root != NULL, "summary.json is not JSON: %s\n%s", je.text, doc.s);
	ck_assert_int_eq(json_integer_value(json_object_get(root, "version")), SUMMARY_VERSION);
	json_t *run0 = json_array_get(json_object_get(root, "runs"), 0);
	const char *why = json_string_value(json_object_get(run0, "why"));
	for (const char *p = why; *p; p++) /* written sanitised */
		ck_assert(*p == '\n' || *p == '\t' || (*p >= 0x20 && *p < 0x7f));
	ck_assert(json_is_null(json_object_get(json_array_get(json_object_get(root, "runs"), 1),
					       "first_failure_s")));
	json_decref(root);
	ck_assert_ptr_nonnull(strstr(doc.s, "\n{\"kind\":\"torture\",\"arch\":\"mips\"")); /* a line per cell */
	struct summary_shard shard;
	char err[512];
	ck_assert_msg(summary_merge(&back, doc.s, doc.len, "dir", &shard, err, sizeof err) == 0, "%s",
		      err);
	ck_assert_uint_eq(back.ncells, 1);
	ck_assert_uint_eq(back.nruns, 2);
	ck_assert(back.cells[0].kind == &torture_kind);
	ck_assert_uint_eq(back.cells[0].expected, m.cells[0].expected);
	ck_assert_str_eq(back.runs[0].log, "dir/runs/x-k0.log");
	ck_assert(back.runs[0].first_failure_s == 0.125 && isnan(back.runs[1].first_failure_s));
	ck_assert(back.runs_per_cell == 2 && back.base_seed == 7 && shard.count == 0);
	/* the same runs again are an overlap, not more evidence */
	ck_assert_int_eq(summary_merge(&back, doc.s, doc.len, "dir", &shard, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "seed 7 appears twice"));
	sb_free(&doc);
	matrix_free(&m);
	matrix_free(&back);
}
END_TEST

static const struct {
	const char *doc, *why;
} bad_summaries[] = {
	{ "{\"runner\":\"proftorture\",\"version\":2,\n\"cells\":[", "not JSON: " },
	{ "{\"runner\":\"proftorture\",\"version\":1,\"cells\":[],\"runs\":[]}", "of version 2 to 4" },
	{ "{\"runner\":\"proftorture\",\"runner\":\"proftorture\",\"version\":2}", "duplicate" },
	{ "{\"runner\":\"proftorture\",\"version\":2,\"cells\":{},\"runs\":[]}", "arrays" },
	{ "{\"runner\":\"proftorture\",\"version\":2,\"cells\":[{\"kind\":\"toaster\",\"arch\":\"a\","
	  "\"case\":\"c\",\"variant\":\"v\",\"atomics\":\"s\",\"expected\":\"pass\"}],\"runs\":[]}",
	  "cell 0 is malformed" },
	{ "{\"runner\":\"proftorture\",\"version\":2,\"cells\":[{\"kind\":\"stress\",\"arch\":\"a\","
	  "\"case\":\"c\",\"variant\":\"v\",\"atomics\":\"s\",\"expected\":\"pass\"}],\"runs\":"
	  "[{\"cell\":0,\"k\":0,\"seed\":1,\"outcome\":\"great\"}]}",
	  "run 0 is malformed" },
	{ "{\"runner\":\"proftorture\",\"version\":2,\"cells\":[{\"kind\":\"stress\",\"arch\":\"a\","
	  "\"case\":\"c\",\"variant\":\"v\",\"atomics\":\"s\",\"expected\":\"pass\"}],\"runs\":"
	  "[{\"cell\":1,\"k\":0,\"seed\":1,\"outcome\":\"pass\"}]}",
	  "run 0 is malformed" },
};

/* A summary.json from before the C cases' program became torture: its cells
 * say "stress". merge and report read it as the torture kind, and what is
 * written from it says "torture"; a kind nobody ever had stays refused. */
static const char old_kind_summary[] =
	"{\"runner\":\"proftorture\",\"version\":2,\"cells\":[{\"kind\":\"stress\",\"arch\":\"mips\","
	"\"case\":\"lost-atomic\",\"variant\":\"unlocked-flush\",\"atomics\":\"global\","
	"\"expected\":\"corrupt|drift\"}],\"runs\":[{\"cell\":0,\"k\":0,\"seed\":1,"
	"\"outcome\":\"corrupt\"}]}";

START_TEST(test_summary_reader_takes_the_torture_kinds_old_name)
{
	struct matrix m = { 0 };
	struct summary_shard shard;
	char err[512];
	ck_assert_msg(summary_merge(&m, old_kind_summary, strlen(old_kind_summary), "old", &shard,
				    err, sizeof err) == 0,
		      "%s", err);
	ck_assert_uint_eq(m.ncells, 1);
	ck_assert_uint_eq(m.nruns, 1);
	ck_assert(m.cells[0].kind == &torture_kind);
	ck_assert(cell_kind_find("stress") == &torture_kind);
	ck_assert(cell_kind_find("torture") == &torture_kind);
	ck_assert_ptr_null(cell_kind_find("toaster"));
	struct sbuf doc = { 0 };
	summary_write(&m, &doc);
	ck_assert_msg(strstr(doc.s, "{\"kind\":\"torture\",\"arch\":\"mips\"") &&
			      !strstr(doc.s, "\"kind\":\"stress\""),
		      "%s", doc.s);
	sb_free(&doc);
	matrix_free(&m);
}
END_TEST

START_TEST(test_summary_reader_refuses_what_it_cannot_trust)
{
	struct matrix m = { 0 };
	struct summary_shard shard;
	char err[512];
	const char *doc = bad_summaries[_i].doc;
	ck_assert_int_eq(summary_merge(&m, doc, strlen(doc), "in", &shard, err, sizeof err), -1);
	ck_assert_msg(strstr(err, bad_summaries[_i].why) && strncmp(err, "in: ", 4) == 0,
		      "case %d: '%s' lacks '%s'", _i, err, bad_summaries[_i].why);
	if (_i == 0)
		ck_assert_msg(strstr(err, "line 2, column"), "%s", err);
	matrix_free(&m);
}
END_TEST

/* ---- the cell-kind seam: a second kind through plan, execute, classify,
 * summarise and report, with nothing of the torture kind ---- */

/* "toy" runs /bin/sh: variant "flaky" exits seed % 2, "clean" exits 0. */
static char **toy_argv(const struct cell *c, const struct run_settings *s, uint64_t seed)
{
	(void)s;
	char **v = xcalloc(5, sizeof *v);
	v[0] = xstrdup("/bin/sh");
	v[1] = xstrdup("-c");
	v[2] = xstrdup("echo toy failure >&2; exit $0");
	v[3] = xstrdup(strcmp(c->variant, "flaky") == 0 && seed % 2 ? "1" : "0");
	return v;
}

/* How it ended first (shared rules), then the program's exit status. */
static void toy_classify(const struct cell *c, const struct ended_run *e, struct run_record *r)
{
	(void)c;
	struct classification cl = { 0 };
	if (classify_ending(&e->end, &e->output, &cl))
		r->outcome = cl.outcome;
	else
		r->outcome = e->end.code == 0 ? OUT_PASS : OUT_CORRUPT;
	snprintf(r->why, sizeof r->why, "toy exit %d", e->end.code);
}

static const struct cell_kind toy_kind;

/* Two cells on every arch; their expected outcomes come from the table. */
static int toy_plan_arch(struct plan *p, const struct arch *a, const struct selection *sel,
			 struct sbuf *problem)
{
	(void)sel;
	(void)problem;
	static const char *const variants[] = { "flaky", "clean" };
	for (int i = 0; i < 2; i++) {
		struct cell_id id = { &toy_kind, a->name, "toy-case", variants[i], "-" };
		plan_add_cell(p, &id, a);
	}
	return 0;
}

static const struct cell_kind toy_kind = { .name = "toy", .plan_arch = toy_plan_arch,
					  .argv = toy_argv, .classify = toy_classify };

START_TEST(test_a_second_cell_kind_runs_through_the_pipeline)
{
	char *noflags[] = { NULL };
	struct arch native = { .name = "native", .triple = "", .qemu = "", .default_atomics = "native",
			       .go = "", .qemu_flags = noflags, .cflags = noflags };
	char dir[] = "/tmp/proftorture-toy-XXXXXX", runs[64], err[256];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(runs, sizeof runs, "%s/runs", dir);
	ck_assert_int_eq(mkdir(runs, 0755), 0);
	struct plan p = { .cmd = "toy", .arches = { &native, 1 } };
	ck_assert_int_eq(expected_parse("*\ttoy-case\tflaky\t*\tcorrupt\n*\t*\t*\t*\tpass\n",
					"toy.tsv", &p.expected, err, sizeof err), 0);
	const struct cell_kind *const kinds[] = { &toy_kind, NULL };
	struct selection everything = { 0 };
	plan_cells(&p, &everything, kinds);
	ck_assert_uint_eq(p.m.ncells, 2);
	ck_assert_uint_eq(p.m.cells[0].expected, OUTCOME_BIT(OUT_CORRUPT));
	ck_assert_uint_eq(p.m.cells[1].expected, OUTCOME_BIT(OUT_PASS));
	struct exec_config x = { .cmd = "toy", .runs = 4, .max_runs = 4, .jobs = 2,
				 .timeout_factor = 1, .timeout_slack = 10, .base_seed = 1,
				 .settings = { .duration = 1 }, .outdir = dir };
	ck_assert_int_eq(execute_matrix(&p, &x), 0);
	matrix_summarize(&p.m);
	ck_assert_uint_eq(p.m.nruns, 8);
	const struct cell_verdict *v = &p.m.cells[0].verdict;
	ck_assert_msg(v->kind == V_REPRODUCED && v->matches && v->failures == 2, "%s", v->text);
	ck_assert(p.m.cells[1].verdict.kind == V_CLEAN && p.m.cells[1].verdict.matches);
	for (size_t i = 0; i < p.m.nruns; i++) /* every failing run left its log */
		ck_assert((p.m.runs[i].outcome == OUT_PASS) == (p.m.runs[i].log == NULL));
	struct sbuf doc = { 0 };
	summary_write(&p.m, &doc);
	ck_assert_ptr_nonnull(strstr(doc.s, "\"kind\":\"toy\""));
	ck_assert_ptr_nonnull(strstr(doc.s, "\"why\":\"toy exit 1\""));
	sb_free(&doc);
	matrix_free(&p.m);
	free(p.cell_arch);
	sb_free(&p.skipped);
	expected_free(&p.expected);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ---- signatures, capture, parsers, escapers ---- */

START_TEST(test_signatures_fold_addresses_numbers_and_ids)
{
	char out[SIG_MAX];
	const char *l = "panic at 0xDEADbeef in goroutine 17 after 1.25s, trace 4c9d12afce138b9b done";
	sig_normalize(l, strlen(l), out, sizeof out);
	ck_assert_str_eq(out, "panic at 0x? in goroutine N after Ns, trace ID done");
	const char *l2 = "  spaced\t\tout   words  \r";
	sig_normalize(l2, strlen(l2), out, sizeof out);
	ck_assert_str_eq(out, "spaced out words");
	const char *text = "start\nfatal: thing 12\n\nlast line 3\n\n";
	sig_from_output(text, strlen(text), NULL, out, sizeof out);
	ck_assert_str_eq(out, "last line N");
	regex_t re;
	ck_assert_int_eq(regcomp(&re, "^fatal", REG_EXTENDED | REG_NEWLINE | REG_NOSUB), 0);
	sig_from_output(text, strlen(text), &re, out, sizeof out);
	ck_assert_str_eq(out, "fatal: thing N");
	const char *marked = "noise\ntorture: !!! stray-zero at 0x10 offset 12297\n{\"result\":1}\n";
	sig_from_output(marked, strlen(marked), NULL, out, sizeof out);
	ck_assert_str_eq(out, "torture: !!! stray-zero at 0x? offset N");
	const char bin[] = "a\0b\nfatal\0x\n";
	ck_assert(sig_regex_matches(&re, bin, sizeof bin - 1));
	ck_assert(!sig_regex_matches(&re, "no\nmatch\n", 9));
	regfree(&re);
	char big[600];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = 0;
	sig_normalize(big, strlen(big), out, sizeof out);
	ck_assert_uint_eq(strlen(out), SIG_MAX - 1);
}
END_TEST

START_TEST(test_capture_keeps_head_and_tail_and_counts_the_rest)
{
	struct capture c;
	capture_init(&c);
	size_t total = 0;
	char chunk[777];
	for (int i = 0; total < 1000000; i++) {
		for (size_t k = 0; k < sizeof chunk; k++)
			chunk[k] = (char)('a' + (total + k) % 26);
		capture_add(&c, chunk, sizeof chunk);
		total += sizeof chunk;
	}
	ck_assert_uint_eq(c.total, total);
	ck_assert_uint_eq(c.head_len, CAPTURE_HEAD);
	ck_assert_uint_eq(capture_dropped(&c), total - CAPTURE_HEAD - CAPTURE_TAIL);
	size_t tl;
	char *tail = capture_tail_copy(&c, &tl);
	ck_assert_uint_eq(tl, CAPTURE_TAIL);
	for (size_t k = 0; k < tl; k++)
		ck_assert_int_eq(tail[k], (char)('a' + (total - tl + k) % 26));
	free(tail);
	size_t len;
	char *text = capture_text(&c, &len);
	ck_assert_ptr_nonnull(memmem(text, len, "bytes dropped ...]", 18));
	free(text);
	capture_free(&c);
	/* a small stream is kept whole */
	capture_add(&c, "hello", 5);
	text = capture_text(&c, &len);
	ck_assert_uint_eq(len, 5);
	ck_assert_str_eq(text, "hello");
	free(text);
	capture_free(&c);
}
END_TEST

START_TEST(test_shards_parse_strictly)
{
	unsigned i, n;
	ck_assert(ut_parse_shard("2/3", &i, &n) == 0 && i == 2 && n == 3);
	const char *bad[] = { "0/3", "4/3", "1/", "/2", "1/0", "-1/2", "1/2x", " 1/2", "1/100001" };
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
		ck_assert_msg(ut_parse_shard(bad[k], &i, &n) == -1, "accepted %s", bad[k]);
}
END_TEST

START_TEST(test_escapers_make_any_text_safe)
{
	struct sbuf b = { 0 };
	xml_escape(&b, "a<b>&\"c'\x01\x1b\xff\n");
	ck_assert_str_eq(b.s, "a&lt;b&gt;&amp;&quot;c&apos;???\n");
	sb_free(&b);
	/* shell quoting round-trips through a real shell */
	const char *nasty = "it's \"quoted\" $HOME `id` \\ ; | & * ?";
	sb_puts(&b, "printf %s ");
	sb_shell_quote(&b, nasty);
	FILE *p = popen(b.s, "r");
	ck_assert_ptr_nonnull(p);
	char got[256] = { 0 };
	size_t n = fread(got, 1, sizeof got - 1, p);
	pclose(p);
	got[n] = 0;
	ck_assert_str_eq(got, nasty);
	sb_free(&b);
}
END_TEST

START_TEST(test_spawn_reports_exec_failure_and_kills_at_deadline)
{
	struct proc p;
	char *missing[] = { "/nonexistent/program", NULL };
	proc_run_sync(&p, missing, false, 5);
	ck_assert(p.spawn_failed);
	ck_assert_int_eq(p.spawn_errno, ENOENT);
	proc_release(&p);
	char *sleeper[] = { "sh", "-c", "echo started; sleep 100 & sleep 100", NULL };
	double t0 = ut_now();
	proc_run_sync(&p, sleeper, true, 0.3);
	ck_assert(p.timed_out);
	ck_assert(WIFSIGNALED(p.wait_status) && WTERMSIG(p.wait_status) == SIGKILL);
	ck_assert_msg(ut_now() - t0 < 3, "the backgrounded sleep held the pipe");
	ck_assert_ptr_nonnull(memmem(p.cap[0].head, p.cap[0].head_len, "started", 7));
	proc_release(&p);
}
END_TEST

/* ---- files: written whole or not at all (util.h's ut_write_file) ---- */

static char scratch[64];

static void scratch_dir(void)
{
	snprintf(scratch, sizeof scratch, "/tmp/proftorture-check-files-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(scratch));
}

static void remove_scratch(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
	ck_assert_int_eq(system(cmd), 0);
}

/* Names in dir other than . and .., joined by ' '. */
static void list_dir(const char *dir, char *out, size_t cap)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "ls -A '%s' | tr '\\n' ' '", dir);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = 0;
	pclose(p);
}

START_TEST(test_files_are_replaced_whole_and_leave_no_temporary)
{
	scratch_dir();
	char path[128], link[128], names[512];
	snprintf(path, sizeof path, "%s/doc.json", scratch);
	ck_assert_int_eq(ut_write_file(path, "first\n", 6, 0), 0);
	ck_assert_int_eq(ut_write_file(path, "second\n", 7, UT_FILE_EXEC), 0);
	size_t len;
	char *text = ut_read_file(path, 100, &len);
	ck_assert_str_eq(text, "second\n");
	free(text);
	struct stat st;
	ck_assert(stat(path, &st) == 0 && (st.st_mode & 0100));
	/* through a symlink the file is replaced, the link stays a link */
	snprintf(link, sizeof link, "%s/link.json", scratch);
	ck_assert_int_eq(symlink("doc.json", link), 0);
	ck_assert_int_eq(ut_write_file(link, "third\n", 6, UT_FILE_NOSYNC), 0);
	ck_assert(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
	text = ut_read_file(path, 100, &len);
	ck_assert_str_eq(text, "third\n");
	free(text);
	list_dir(scratch, names, sizeof names);
	ck_assert_str_eq(names, "doc.json link.json ");
	/* a missing directory: an error, and nothing made */
	snprintf(path, sizeof path, "%s/gone/doc.json", scratch);
	ck_assert_int_eq(ut_write_file(path, "x", 1, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	remove_scratch();
}
END_TEST

/* A file size limit (write fails with EFBIG, SIGXFSZ ignored) in a child:
 * the previous file is byte-identical afterwards, and no temporary and no
 * empty file is left. */
START_TEST(test_a_failed_write_leaves_the_previous_file_untouched)
{
	scratch_dir();
	char path[128], names[512], big[8192];
	snprintf(path, sizeof path, "%s/summary.json", scratch);
	ck_assert_int_eq(ut_write_file(path, "{\"good\":true}\n", 14, 0), 0);
	memset(big, 'x', sizeof big);
	pid_t pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		signal(SIGXFSZ, SIG_IGN);
		struct rlimit rl = { 4096, 4096 };
		setrlimit(RLIMIT_FSIZE, &rl);
		int rc = ut_write_file(path, big, sizeof big, 0);
		_exit(rc == -1 && errno == EFBIG ? 0 : 1);
	}
	int st;
	ck_assert(waitpid(pid, &st, 0) == pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the write did not fail with EFBIG");
	size_t len;
	char *text = ut_read_file(path, 100, &len);
	ck_assert_str_eq(text, "{\"good\":true}\n");
	free(text);
	list_dir(scratch, names, sizeof names);
	ck_assert_str_eq(names, "summary.json ");
	remove_scratch();
}
END_TEST

START_TEST(test_devices_are_written_in_place_and_never_replaced)
{
	/* /dev/full: every write fails with ENOSPC, and is reported */
	ck_assert_int_eq(ut_write_file("/dev/full", "x", 1, 0), -1);
	ck_assert_int_eq(errno, ENOSPC);
	/* /dev/null: written, and still the device (a rename over it, as root,
	 * would have replaced it with a file) */
	ck_assert_int_eq(ut_write_file("/dev/null", "x", 1, 0), 0);
	struct stat st;
	ck_assert(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
	char err[256];
	ck_assert_int_eq(ut_output_writable("/dev/null", err, sizeof err), 0);
	ck_assert_int_eq(ut_output_writable("/tmp", err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "Is a directory"));
}
END_TEST

START_TEST(test_output_probe_creates_nothing)
{
	scratch_dir();
	char path[128], names[512], err[256];
	snprintf(path, sizeof path, "%s/out.json", scratch);
	ck_assert_int_eq(ut_output_writable(path, err, sizeof err), 0);
	list_dir(scratch, names, sizeof names);
	ck_assert_str_eq(names, ""); /* no empty out.json left behind */
	snprintf(path, sizeof path, "%s/gone/out.json", scratch);
	ck_assert_int_eq(ut_output_writable(path, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
	remove_scratch();
}
END_TEST

/* ---- the ledger of lost writes (ledger.h) ---- */

START_TEST(test_ledger_counts_every_loss_and_says_them_in_one_line)
{
	ledger_reset();
	ledger_start("run", "/out");
	ck_assert_int_eq(ledger_finish(0), 0); /* nothing lost: the status stands */
	ck_assert_int_eq(ledger_finish(1), 1);
	for (int i = 0; i < 37; i++)
		ledger_lost(LEDGER_ARTIFACT, "/out/runs/x.log", ENOSPC);
	ledger_lost(LEDGER_DOCUMENT, "/out/summary.json", ENOSPC);
	ck_assert_int_eq(ledger_write(LEDGER_DOCUMENT, "/nonexistent/dir/verdict.xml", "x", 1, false),
			 -1);
	ck_assert_uint_eq(ledger_count(), 39);
	struct sbuf b = { 0 };
	ledger_line(&b);
	ck_assert_str_eq(b.s, "LOST: 37 artifacts not written, summary.json not written, "
			      "/nonexistent/dir/verdict.xml not written (No space left on device, "
			      "No such file or directory); results incomplete\n");
	sb_free(&b);
	/* lost beats 0 and 1; a usage error or an interruption says more */
	ck_assert_int_eq(ledger_finish(0), PROTOCOL_RUNNER_EXIT_LOST);
	ck_assert_int_eq(ledger_finish(1), PROTOCOL_RUNNER_EXIT_LOST);
	ck_assert_int_eq(ledger_finish(PROTOCOL_EXIT_USAGE), PROTOCOL_EXIT_USAGE);
	ck_assert_int_eq(ledger_finish(128 + SIGTERM), 128 + SIGTERM);
	ck_assert_int_ne(PROTOCOL_RUNNER_EXIT_LOST, 0);
	ck_assert_int_ne(PROTOCOL_RUNNER_EXIT_LOST, 1);
	ck_assert_int_ne(PROTOCOL_RUNNER_EXIT_LOST, PROTOCOL_EXIT_USAGE);
	ledger_reset();
	ledger_lost(LEDGER_ARTIFACT, "a", EFBIG);
	ledger_line(&b);
	ck_assert_str_eq(b.s, "LOST: 1 artifact not written (File too large); results incomplete\n");
	sb_free(&b);
	ledger_reset();
}
END_TEST

/* A stream that cannot be written (stdout on a full disk) is a lost
 * document: /dev/full fails every write with ENOSPC. */
START_TEST(test_a_failed_stream_is_a_lost_document)
{
	ledger_reset();
	FILE *f = fopen("/dev/full", "w");
	ck_assert_ptr_nonnull(f);
	fputs("TAP version 13\n", f);
	ck_assert_int_eq(ledger_check_stream(f, "stdout"), -1);
	/* the table, then TAP: one stream, named once */
	ck_assert_int_eq(ledger_put(f, "stdout", "ok 1\n", 5), -1);
	fclose(f);
	struct sbuf b = { 0 };
	ledger_line(&b);
	ck_assert_str_eq(b.s, "LOST: stdout not written (No space left on device); results incomplete\n");
	sb_free(&b);
	ledger_reset();
}
END_TEST

/* Go's names for each arch come from ci/arches.tsv's go_analogue column:
 * what `list --go-env` prints and {goarch} becomes. A row without a port
 * has none (the negative case). */
START_TEST(test_go_env_of_the_arch_table)
{
	struct arch_table t = { 0 };
	char err[256];
	char *path = root_path("ci/arches.tsv");
	ck_assert_msg(arches_load(path, &t, err, sizeof err) == 0, "%s", err);
	free(path);
	static const struct {
		const char *arch, *goarch, *env;
	} want[] = {
		{ "armel", "arm", "GOARCH=arm GOARM=5" },
		{ "armhf", "arm", "GOARCH=arm GOARM=7" },
		{ "mips", "mips", "GOARCH=mips GOMIPS=softfloat" },
		{ "mipsel", "mipsle", "GOARCH=mipsle GOMIPS=softfloat" },
		{ "native", "amd64", "GOARCH=amd64" },
		{ "powerpc", NULL, NULL },
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct arch *a = arch_find(&t, want[i].arch);
		ck_assert_ptr_nonnull(a);
		char *g = arch_goarch(a), *e = arch_go_env(a);
		if (want[i].goarch) {
			ck_assert_str_eq(g, want[i].goarch);
			ck_assert_str_eq(e, want[i].env);
		} else {
			ck_assert_ptr_null(g);
			ck_assert_ptr_null(e);
		}
		free(g);
		free(e);
	}
	arches_free(&t);
}
END_TEST

static Suite *harness_suite(void)
{
	Suite *s = suite_create("harness-units");
	TCase *tc = tcase_create("result-line");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_result_line_parses_the_protocol_example);
	tcase_add_test(tc, test_go_env_of_the_arch_table);
	tcase_add_loop_test(tc, test_result_line_refuses_what_the_protocol_forbids_and_says_why, 0,
			    (int)(sizeof forbidden / sizeof forbidden[0]));
	tcase_add_test(tc, test_result_line_reports_where_the_json_breaks);
	tcase_add_test(tc, test_result_line_strings_are_sanitised_and_bounded);
	tcase_add_test(tc, test_result_line_survives_truncation_and_mutation);
	suite_add_tcase(s, tc);

	tc = tcase_create("classify");
	tcase_add_loop_test(tc, test_classification_rules, 0, (int)(sizeof ccases / sizeof ccases[0]));
	tcase_add_test(tc, test_classification_reads_head_and_tail_but_not_a_cut_line);
	tcase_add_test(tc, test_classify_ending_decides_without_the_program_report);
	suite_add_tcase(s, tc);

	tc = tcase_create("summary-and-seam");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_summary_round_trips_through_jansson);
	tcase_add_test(tc, test_summary_reader_takes_the_torture_kinds_old_name);
	tcase_add_loop_test(tc, test_summary_reader_refuses_what_it_cannot_trust, 0,
			    (int)(sizeof bad_summaries / sizeof bad_summaries[0]));
	tcase_add_test(tc, test_a_second_cell_kind_runs_through_the_pipeline);
	suite_add_tcase(s, tc);

	tc = tcase_create("judging");
	tcase_add_test(tc, test_verdicts_state_their_numbers_and_match_by_the_rules);
	suite_add_tcase(s, tc);

	tc = tcase_create("plumbing");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_signatures_fold_addresses_numbers_and_ids);
	tcase_add_test(tc, test_capture_keeps_head_and_tail_and_counts_the_rest);
	tcase_add_test(tc, test_shards_parse_strictly);
	tcase_add_test(tc, test_escapers_make_any_text_safe);
	tcase_add_test(tc, test_spawn_reports_exec_failure_and_kills_at_deadline);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_test(tc, test_files_are_replaced_whole_and_leave_no_temporary);
	tcase_add_test(tc, test_a_failed_write_leaves_the_previous_file_untouched);
	tcase_add_test(tc, test_devices_are_written_in_place_and_never_replaced);
	tcase_add_test(tc, test_output_probe_creates_nothing);
	tcase_add_test(tc, test_ledger_counts_every_loss_and_says_them_in_one_line);
	tcase_add_test(tc, test_a_failed_stream_is_a_lost_document);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return suite_run(harness_suite());
}
