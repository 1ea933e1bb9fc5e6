/*
 * Check tests for the runner's units (linked with every harness object but
 * main.o): the JSON reader against grammar edge cases and garbage, the
 * result-line parser, every classification rule, the expected-outcome
 * table (the real one and first-match-wins), the verdict/match rules,
 * failure signatures, bounded capture, and the small parsers and escapers
 * the reports rely on. Native only (make check-harness).
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../harness/classify.h"
#include "expected.h"
#include "../../harness/json.h"
#include "../../harness/report.h"
#include "../../harness/signature.h"
#include "../../harness/spawn.h"
#include "../../harness/util.h"
#include "../../harness/verdict.h"

static const char good_line[] =
	"{\"result\":\"proftorture-stress\",\"version\":2,\"case\":\"lost-atomic\","
	"\"variant\":\"unlocked-flush\",\"arch\":\"mips\",\"atomics\":\"global\",\"seed\":42,"
	"\"threads\":4,\"source\":\"cannon\",\"rate\":\"max\",\"duration_s\":1.000,"
	"\"elapsed_s\":0.231,\"outcome\":\"corrupt\",\"first_failure_s\":0.212,"
	"\"counters\":{\"sent\":9000,\"handled\":8800,\"in_atomic\":700,\"samples\":7900,"
	"\"flushes\":120,\"overflow\":0,\"records\":8100,\"lost_atomic_read\":650,"
	"\"lost_extra_read\":0,\"future\":1},\"corruptions\":{\"invalid-size\":1},"
	"\"detail\":\"free text\\nsecond line\"}";

static struct json_doc *parse(const char *s)
{
	char err[128];
	return json_parse(s, strlen(s), NULL, err, sizeof err);
}

/* ---- json ---- */

START_TEST(test_json_accepts_the_grammar)
{
	const char *ok[] = { "0", "-0", "1.5e-3", "-12E+2", "true", "false", "null", "\"\"",
			     "[]", "{}", " [1, [2, {\"a\": null}]] ", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
			     "{\"a\":1,\"b\":[true,false]}", "1e999" };
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		struct json_doc *d = parse(ok[i]);
		ck_assert_msg(d != NULL, "rejected %s", ok[i]);
		json_free(d);
	}
}
END_TEST

START_TEST(test_json_rejects_what_is_not_json)
{
	const char *bad[] = { "", " ", "01", "1.", ".5", "-", "+1", "1e", "[1,]", "{\"a\":1,}",
			      "{a:1}", "'x'", "[1 2]", "{\"a\" 1}", "tru", "nul", "\"abc",
			      "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
			      "\"\\u0000\"", "\"a\tb\"", "\"a\nb\"", "{\"a\":1,\"a\":2}", "[] []",
			      "{} x", "NaN", "Infinity", "[\"\x01\"]" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct json_doc *d = parse(bad[i]);
		ck_assert_msg(d == NULL, "accepted %s", bad[i]);
	}
}
END_TEST

START_TEST(test_json_limits_depth_and_size)
{
	struct json_limits lim = { 2, 1000 };
	char err[128];
	const char *flat = "{\"a\":{\"b\":1}}", *deep = "{\"a\":{\"b\":[1]}}";
	struct json_doc *d = json_parse(flat, strlen(flat), &lim, err, sizeof err);
	ck_assert_ptr_nonnull(d);
	json_free(d);
	ck_assert_ptr_null(json_parse(deep, strlen(deep), &lim, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "nested too deeply"));
	/* a million brackets: refused at the depth limit, no stack overflow */
	size_t n = 1000000;
	char *brackets = malloc(n);
	memset(brackets, '[', n);
	struct json_limits deflim = { 64, 100000 };
	ck_assert_ptr_null(json_parse(brackets, n, &deflim, err, sizeof err));
	free(brackets);
	struct json_limits few = { 4, 3 };
	ck_assert_ptr_null(json_parse("[1,2,3]", 7, &few, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "too many values"));
}
END_TEST

START_TEST(test_json_decodes_escapes_to_utf8_and_keeps_number_text)
{
	struct json_doc *d = parse("{\"s\":\"\\u00e9\\ud83d\\ude00A\",\"n\":18446744073709551615,"
				   "\"f\":0.25,\"neg\":-1}");
	ck_assert_ptr_nonnull(d);
	const char *s;
	ck_assert(json_get_str(json_root(d), "s", &s));
	ck_assert_str_eq(s, "\xc3\xa9\xf0\x9f\x98\x80" "A");
	uint64_t u;
	ck_assert(json_get_u64(json_root(d), "n", &u));
	ck_assert(u == UINT64_MAX);
	ck_assert(!json_get_u64(json_root(d), "f", &u));
	ck_assert(!json_get_u64(json_root(d), "neg", &u));
	double f;
	ck_assert(json_get_num(json_root(d), "f", &f) && f == 0.25);
	json_free(d);
}
END_TEST

START_TEST(test_json_survives_truncation_and_mutation_of_a_result_line)
{
	size_t n = strlen(good_line);
	char err[128];
	for (size_t k = 0; k < n; k++) { /* every proper prefix is an error */
		struct json_doc *d = json_parse(good_line, k, NULL, err, sizeof err);
		ck_assert_msg(d == NULL, "prefix of %zu bytes parsed", k);
	}
	char *buf = malloc(n);
	unsigned seed = 12345;
	for (int iter = 0; iter < 50000; iter++) {
		memcpy(buf, good_line, n);
		int flips = 1 + iter % 4;
		for (int f = 0; f < flips; f++) {
			seed = seed * 1103515245u + 12345u;
			size_t at = (seed >> 8) % n;
			seed = seed * 1103515245u + 12345u;
			buf[at] = (char)(seed >> 16);
		}
		struct result_line r;
		(void)result_line_parse(buf, n, &r, err, sizeof err);
		json_free(json_parse(buf, n, NULL, err, sizeof err));
	}
	for (int iter = 0; iter < 20000; iter++) { /* pure noise */
		size_t len = (size_t)(iter % 300);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = "{}[]\":,0123456789.eE+-tfnul\\ \x01\xff"[(seed >> 16) % 34];
		}
		json_free(json_parse(buf, len, NULL, err, sizeof err));
	}
	free(buf);
}
END_TEST

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
}
END_TEST

START_TEST(test_result_line_rejects_what_the_protocol_forbids)
{
	const char *bad[] = {
		"[1]",
		"{\"result\":\"other\",\"version\":1,\"case\":\"c\",\"variant\":\"v\",\"outcome\":\"pass\"}",
		"{\"result\":\"proftorture-stress\",\"version\":1,\"case\":\"c\",\"variant\":\"v\",\"outcome\":\"pass\"}",
		"{\"result\":\"proftorture-stress\",\"version\":2,\"case\":\"c\",\"variant\":\"v\"}",
		"{\"result\":\"proftorture-stress\",\"version\":2,\"case\":\"c\",\"variant\":\"v\",\"outcome\":\"great\"}",
		"{\"result\":\"proftorture-stress\",\"version\":2,\"case\":\"c\",\"variant\":\"v\",\"outcome\":\"timeout\"}",
		"{\"result\":\"proftorture-stress\",\"version\":2,\"case\":\"c\",\"variant\":\"v\",\"outcome\":\"pass\",\"counters\":{\"sent\":-1}}",
		"{\"result\":\"proftorture-stress\",\"version\":2,\"case\":\"c\",\"variant\":\"v\",\"outcome\":\"pass\",\"counters\":[1]}",
		"{\"result\":\"proftorture-stress\",\"version\":2,\"case\":\"c\",\"variant\":\"v\",\"outcome\":\"pass\",\"seed\":1.5}",
		"{\"result\":\"proftorture-stress\",\"version\":2,\"case\":\"c\",\"variant\":\"v\",\"outcome\":\"pass\",\"elapsed_s\":-1}",
		"{\"result\":\"proftorture-stress\",\"version\":2,\"case\":7,\"variant\":\"v\",\"outcome\":\"pass\"}",
		"{\"result\":\"proftorture-stress\",\"version\":2,\"case\":\"c\",\"variant\":\"v\",\"outcome\":\"pass\",\"counters\":{\"a\":{\"b\":1}}}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct result_line r;
		char err[160];
		ck_assert_msg(result_line_parse(bad[i], strlen(bad[i]), &r, err, sizeof err) == -1,
			      "accepted #%zu", i);
	}
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
	const char *marked = "noise\nstress: !!! stray-zero at 0x10 offset 12297\n{\"result\":1}\n";
	sig_from_output(marked, strlen(marked), NULL, out, sizeof out);
	ck_assert_str_eq(out, "stress: !!! stray-zero at 0x? offset N");
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

START_TEST(test_durations_shards_and_lists_parse_strictly)
{
	double d;
	ck_assert(ut_parse_duration("1.5", &d) == 0 && d == 1.5);
	ck_assert(ut_parse_duration("90s", &d) == 0 && d == 90);
	ck_assert(ut_parse_duration("500ms", &d) == 0 && d == 0.5);
	ck_assert(ut_parse_duration("2m", &d) == 0 && d == 120);
	ck_assert(ut_parse_duration("1h30m", &d) == 0 && d == 5400);
	ck_assert(ut_parse_duration("1m30.5s", &d) == 0 && d == 90.5);
	const char *bad[] = { "", "abc", "-1", "5x", "1m-3s", "s", "1e999", "nan" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(ut_parse_duration(bad[i], &d) == -1, "accepted %s", bad[i]);
	unsigned i, n;
	ck_assert(ut_parse_shard("2/3", &i, &n) == 0 && i == 2 && n == 3);
	ck_assert(ut_parse_shard("0/3", &i, &n) == -1);
	ck_assert(ut_parse_shard("4/3", &i, &n) == -1);
	ck_assert(ut_parse_shard("1/", &i, &n) == -1);
	ck_assert(ut_parse_shard("/2", &i, &n) == -1);
	size_t k;
	char **v = ut_split_list(",a,,b,", &k);
	ck_assert_uint_eq(k, 2);
	ck_assert_str_eq(v[0], "a");
	ck_assert_str_eq(v[1], "b");
	ck_assert_ptr_null(v[2]);
	ut_free_list(v);
}
END_TEST

START_TEST(test_escapers_make_any_text_safe)
{
	struct sbuf b = { 0 };
	xml_escape(&b, "a<b>&\"c'\x01\x1b\xff\n");
	ck_assert_str_eq(b.s, "a&lt;b&gt;&amp;&quot;c&apos;???\n");
	sb_free(&b);
	json_put_str(&b, "q\"\\\n\x01\xc3\xa9");
	ck_assert_str_eq(b.s, "\"q\\\"\\\\\\n\\u0001\\u00c3\\u00a9\"");
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

static Suite *harness_suite(void)
{
	Suite *s = suite_create("harness-units");
	TCase *tc = tcase_create("json");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_json_accepts_the_grammar);
	tcase_add_test(tc, test_json_rejects_what_is_not_json);
	tcase_add_test(tc, test_json_limits_depth_and_size);
	tcase_add_test(tc, test_json_decodes_escapes_to_utf8_and_keeps_number_text);
	tcase_add_test(tc, test_json_survives_truncation_and_mutation_of_a_result_line);
	suite_add_tcase(s, tc);

	tc = tcase_create("classify");
	tcase_add_test(tc, test_result_line_parses_the_protocol_example);
	tcase_add_test(tc, test_result_line_rejects_what_the_protocol_forbids);
	tcase_add_loop_test(tc, test_classification_rules, 0, (int)(sizeof ccases / sizeof ccases[0]));
	tcase_add_test(tc, test_classification_reads_head_and_tail_but_not_a_cut_line);
	suite_add_tcase(s, tc);

	tc = tcase_create("judging");
	tcase_add_test(tc, test_verdicts_state_their_numbers_and_match_by_the_rules);
	suite_add_tcase(s, tc);

	tc = tcase_create("plumbing");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_signatures_fold_addresses_numbers_and_ids);
	tcase_add_test(tc, test_capture_keeps_head_and_tail_and_counts_the_rest);
	tcase_add_test(tc, test_durations_shards_and_lists_parse_strictly);
	tcase_add_test(tc, test_escapers_make_any_text_safe);
	tcase_add_test(tc, test_spawn_reports_exec_failure_and_kills_at_deadline);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(harness_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
