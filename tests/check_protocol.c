/*
 * protocol and expected: the vocabulary torture and the runner share, and the
 * one reader of cases/expected.tsv. Runs on every arch, as both programs are
 * built from these tables there.
 *
 * The exit statuses are pinned here, by hand, on purpose: a change to one
 * row of PROTOCOL_OUTCOMES is a change to the contract with every torture
 * binary and script out there, and must show up as a failing test first.
 */
#define _GNU_SOURCE
#include <check.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expected.h"
#include "protocol.h"
#include "support/slurp.h"
#include "support/suite_run.h"

static const struct {
	const char *name;
	int exit; /* -1: only the runner concludes it */
	bool failure, informative;
} pinned[] = {
	{ "pass", 0, false, true },	      { "corrupt", 1, true, true },
	{ "drift", 1, true, true },	      { "deadlock", 3, true, true },
	{ "crash", -1, true, true },	      { "timeout", -1, true, true },
	{ "vacuous", 4, false, false },	      { "unsupported", 77, false, false },
	{ "emulator-error", -1, false, false }, { "error", 99, false, false },
};

START_TEST(test_outcomes_keep_their_names_exit_statuses_and_classes)
{
	ck_assert_int_eq(OUT_COUNT, sizeof pinned / sizeof pinned[0]);
	for (int i = 0; i < OUT_COUNT; i++) {
		int o = outcome_parse(pinned[i].name);
		ck_assert_msg(o >= 0, "no outcome %s", pinned[i].name);
		ck_assert_str_eq(outcome_name((enum outcome)o), pinned[i].name);
		ck_assert_msg(outcome_exit_status((enum outcome)o) == pinned[i].exit,
			      "%s exits %d, pinned %d", pinned[i].name,
			      outcome_exit_status((enum outcome)o), pinned[i].exit);
		ck_assert_int_eq(outcome_is_failure((enum outcome)o), pinned[i].failure);
		ck_assert_int_eq(outcome_is_informative((enum outcome)o), pinned[i].informative);
		ck_assert_int_eq(outcome_child_may_report((enum outcome)o), pinned[i].exit >= 0);
	}
	ck_assert_int_eq(PROTOCOL_EXIT_USAGE, 2);
	ck_assert_int_eq(outcome_parse("Pass"), -1);
	ck_assert_str_eq(outcome_name(OUT_COUNT), "?");
	ck_assert_int_eq(outcome_exit_status(OUT_COUNT), PROTOCOL_NO_EXIT);
}
END_TEST

START_TEST(test_exit_statuses_map_back_to_one_class_each)
{
	ck_assert_uint_eq(outcomes_of_exit_status(1), OUTCOME_BIT(OUT_CORRUPT) | OUTCOME_BIT(OUT_DRIFT));
	ck_assert_uint_eq(outcomes_of_exit_status(0), OUTCOME_BIT(OUT_PASS));
	ck_assert_uint_eq(outcomes_of_exit_status(99), OUTCOME_BIT(OUT_ERROR));
	ck_assert_uint_eq(outcomes_of_exit_status(PROTOCOL_EXIT_USAGE), 0); /* no result line */
	ck_assert_uint_eq(outcomes_of_exit_status(5), 0);
	ck_assert_uint_eq(outcomes_of_exit_status(PROTOCOL_NO_EXIT), 0);
	for (int status = 0; status < 256; status++) {
		unsigned set = outcomes_of_exit_status(status);
		int failures = 0, others = 0;
		for (int o = 0; o < OUT_COUNT; o++)
			if (set & OUTCOME_BIT(o))
				outcome_is_failure((enum outcome)o) ? failures++ : others++;
		ck_assert_msg(!(failures && others), "exit %d means a failure and a non-failure", status);
		ck_assert_msg(others <= 1, "exit %d means %d non-failure outcomes", status, others);
	}
}
END_TEST

static void assert_plain_distinct(const char *const *names, int n, const char *what)
{
	int count = 0;
	for (int i = 0; names[i]; i++, count++) {
		ck_assert_msg(names[i][0] != 0, "%s %d is empty", what, i);
		for (const char *c = names[i]; *c; c++)
			ck_assert_msg(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-' ||
					      *c == '_',
				      "%s '%s' is not a plain word (JSON and shells take it as is)", what,
				      names[i]);
		for (int j = 0; j < i; j++)
			ck_assert_msg(strcmp(names[i], names[j]) != 0, "%s '%s' twice", what, names[i]);
		ck_assert_int_eq(protocol_lookup(names, names[i]), i);
	}
	ck_assert_int_eq(count, n);
	ck_assert_int_eq(protocol_lookup(names, "no-such-name"), -1);
}

START_TEST(test_every_name_list_is_plain_distinct_and_complete)
{
	assert_plain_distinct(protocol_outcome_names, OUT_COUNT, "outcome");
	assert_plain_distinct(protocol_case_names, NCASES, "case");
	assert_plain_distinct(protocol_variant_names, NVARIANTS, "variant");
	assert_plain_distinct(protocol_source_names, NSOURCES, "source");
	assert_plain_distinct(protocol_strategy_names, NSTRATEGIES, "strategy");
	assert_plain_distinct(protocol_counter_names, CTR_COUNT, "counter");
	assert_plain_distinct(protocol_corruption_names, NKINDS, "corruption");
	char buf[16];
	ck_assert_str_eq(protocol_join(protocol_source_names, "|", buf, sizeof buf), "cannon|itimer|t");
}
END_TEST

START_TEST(test_protocol_json_describes_every_row)
{
	char buf[8192];
	size_t n = protocol_to_json(buf, sizeof buf);
	ck_assert_uint_lt(n, 4096); /* what `torture --protocol` has room for */
	ck_assert_uint_eq(strlen(buf), n);
	char want[128];
	snprintf(want, sizeof want, "{\"result\":\"%s\",\"version\":%d,\"usage_exit\":2,", PROTOCOL_RESULT_NAME,
		 PROTOCOL_RESULT_VERSION);
	ck_assert_ptr_eq(strstr(buf, want), buf);
	ck_assert_ptr_nonnull(strstr(buf, "{\"name\":\"unsupported\",\"exit\":77,\"child\":true,"
					  "\"runner\":false,\"class\":\"void\"}"));
	ck_assert_ptr_nonnull(strstr(buf, "{\"name\":\"timeout\",\"exit\":null,\"child\":false,"
					  "\"runner\":true,\"class\":\"failure\"}"));
	ck_assert_ptr_nonnull(strstr(buf, "\"strategies\":[\"native\",\"global\","));
	int depth = 0;
	for (const char *c = buf; *c; c++) {
		depth += (*c == '{' || *c == '[') - (*c == '}' || *c == ']');
		ck_assert_int_ge(depth, 0);
	}
	ck_assert_int_eq(depth, 0);
	/* a short buffer is never overrun, and says how much it needed */
	char small[32];
	memset(small, 'x', sizeof small);
	ck_assert_uint_eq(protocol_to_json(small, 16), n);
	ck_assert_int_eq(small[15], 0);
	ck_assert_int_eq(small[16], 'x');
}
END_TEST

/* ---- the expected-outcome table ---- */

START_TEST(test_expected_first_match_wins)
{
	struct expected_table t;
	char err[256];
	ck_assert_int_eq(expected_parse("# c\n\n  # indented comment\n"
					"mips\t*\tx\t*\tdeadlock\tfirst\n"
					"*\t*\tx\t*\tcorrupt|deadlock\r\n"
					"*\t*\t*\t\t*\tpass\n",
					"t.tsv", &t, err, sizeof err),
			 0);
	ck_assert_uint_eq(t.n, 3);
	ck_assert_uint_eq(t.rows[1].line, 5);
	ck_assert_uint_eq(expected_lookup(&t, "mips", "a", "x", "g")->expected, OUTCOME_BIT(OUT_DEADLOCK));
	ck_assert_str_eq(expected_lookup(&t, "mips", "a", "x", "g")->note, "first");
	ck_assert_uint_eq(expected_lookup(&t, "armel", "a", "x", "g")->expected,
			  OUTCOME_BIT(OUT_CORRUPT) | OUTCOME_BIT(OUT_DEADLOCK));
	ck_assert_uint_eq(expected_lookup(&t, "armel", "a", "y", "g")->expected, OUTCOME_BIT(OUT_PASS));
	expected_free(&t);
	ck_assert_int_eq(expected_parse("mips\t*\t*\t*\tpass\n", "t.tsv", &t, err, sizeof err), 0);
	ck_assert_ptr_null(expected_lookup(&t, "armel", "a", "x", "g"));
	expected_free(&t);
}
END_TEST

/* A measured row qualifies the cells it matches; their outcome is the next
 * matching row's, and a measured row after the outcome row changes nothing. */
START_TEST(test_expected_measured_rows_qualify_the_next_match)
{
	struct expected_table t;
	char err[256];
	ck_assert_int_eq(expected_parse("armel\t*\t*\tlib\tmeasured\tthe emulator tears\n"
					"*\tc\t*\t*\tdeadlock\n"
					"*\t*\t*\t*\tpass\n"
					"mips\t*\t*\t*\tmeasured\ttoo late\n",
					"t.tsv", &t, err, sizeof err),
			 0);
	ck_assert_uint_eq(expected_lookup(&t, "armel", "c", "v", "lib")->expected,
			  OUTCOME_BIT(OUT_DEADLOCK));
	ck_assert_uint_eq(expected_lookup(&t, "armel", "d", "v", "lib")->expected, OUTCOME_BIT(OUT_PASS));
	const struct expected_row *why = expected_lookup_measured(&t, "armel", "d", "v", "lib");
	ck_assert_ptr_nonnull(why);
	ck_assert_str_eq(why->note, "the emulator tears");
	ck_assert_ptr_null(expected_lookup_measured(&t, "armel", "d", "v", "other"));
	ck_assert_ptr_null(expected_lookup_measured(&t, "mips", "d", "v", "lib"));
	expected_free(&t);
	/* a measured row must say why; alone it gives no outcome */
	ck_assert_int_eq(expected_parse("*\t*\t*\t*\tmeasured\n", "t.tsv", &t, err, sizeof err), -1);
	ck_assert_str_eq(err, "t.tsv:1: a 'measured' row needs a note: why its cells cannot be judged");
	ck_assert_int_eq(expected_parse("*\t*\t*\t*\tmeasured\twhy\n", "t.tsv", &t, err, sizeof err), 0);
	ck_assert_ptr_null(expected_lookup(&t, "a", "b", "c", "d"));
	expected_free(&t);
}
END_TEST

START_TEST(test_expected_bad_rows_are_errors_with_their_line)
{
	struct expected_table t;
	char err[256];
	ck_assert_int_eq(expected_parse("*\t*\t*\t*\tpass\n\n*\t*\t*\n", "t.tsv", &t, err, sizeof err), -1);
	ck_assert_str_eq(err, "t.tsv:3: want arch<TAB>case<TAB>variant<TAB>atomics<TAB>expected[<TAB>note]");
	ck_assert_uint_eq(t.n, 0);
	ck_assert_int_eq(expected_parse("*\t*\t*\t*\tvacuous\n", "t.tsv", &t, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "t.tsv:1: expected 'vacuous' must be pass alone, or failure outcomes "
				  "joined by '|' (corrupt drift deadlock crash timeout)"),
		      "%s", err);
	const char *bad_sets[] = { "pass|corrupt", "corrupt|", "|deadlock", "corrupt|corrupt",
				   "error", "corrupt|unsupported", "", "Corrupt" };
	for (size_t i = 0; i < sizeof bad_sets / sizeof bad_sets[0]; i++) {
		char row[64];
		snprintf(row, sizeof row, "*\t*\t*\t*\t%s\n", bad_sets[i]);
		ck_assert_msg(expected_parse(row, "t.tsv", &t, err, sizeof err) == -1, "accepted '%s'",
			      bad_sets[i]);
	}
	const char *good_sets[] = { "drift|deadlock", "crash", "timeout|deadlock", "corrupt|drift|crash" };
	for (size_t i = 0; i < sizeof good_sets / sizeof good_sets[0]; i++) {
		char row[64], name[64];
		snprintf(row, sizeof row, "*\t*\t*\t*\t%s\n", good_sets[i]);
		ck_assert_msg(expected_parse(row, "t.tsv", &t, err, sizeof err) == 0, "%s", err);
		outcome_set set = t.rows[0].expected, back;
		ck_assert_ptr_nonnull(expected_lookup(&t, "", "", "", ""));
		expected_free(&t);
		/* the name of a set parses back to the same set */
		ck_assert_int_eq(outcome_set_parse(outcome_set_name(set, name, sizeof name), &back), 0);
		ck_assert_uint_eq(back, set);
	}
}
END_TEST

/* The repository's own table: every cell the matrix can ask about has a row,
 * and the cells the project is about say what they must. Run from the
 * repository root (make check), where cases/expected.tsv is. */
START_TEST(test_expected_table_of_the_repository)
{
	struct expected_table t;
	char err[256];
	if (access("cases/expected.tsv", R_OK) != 0) {
		fprintf(stderr, "check_protocol: cases/expected.tsv not found: run from the repository root\n");
		ck_abort_msg("cases/expected.tsv not found (run from the repository root)");
	}
	ck_assert_msg(expected_load("cases/expected.tsv", &t, err, sizeof err) == 0, "%s", err);
	/* every arch of ci/arches.tsv (its first column), as `run --arch all` asks */
	char arches[32][32];
	size_t narches = 0;
	FILE *f = fopen("ci/arches.tsv", "r");
	ck_assert_msg(f != NULL, "ci/arches.tsv not found (run from the repository root)");
	char line[512];
	for (bool header = true; fgets(line, sizeof line, f) && narches < 32; header = false)
		if (!header && sscanf(line, "%31[^\t\n]", arches[narches]) == 1)
			narches++;
	fclose(f);
	ck_assert_uint_ge(narches, 15);
	for (size_t a = 0; a < narches; a++)
		for (int c = 0; c < NCASES; c++)
			for (int v = 0; v < NVARIANTS; v++)
				for (int s = 0; s < NSTRATEGIES; s++)
					ck_assert_msg(expected_lookup(&t, arches[a], protocol_case_names[c],
								      protocol_variant_names[v],
								      protocol_strategy_names[s]),
						      "no row for %s %s %s %s", arches[a], protocol_case_names[c],
						      protocol_variant_names[v], protocol_strategy_names[s]);
	/* #24991: the unlocked flush tears the ring, or flushes the racy count twice */
	outcome_set unlocked = OUTCOME_BIT(OUT_CORRUPT) | OUTCOME_BIT(OUT_DRIFT);
	ck_assert_uint_eq(expected_lookup(&t, "mips", "lost-atomic", "unlocked-flush", "global")->expected,
			  unlocked);
	ck_assert_uint_eq(expected_lookup(&t, "mipsel", "lost-atomic", "unlocked-flush", "global")->expected,
			  unlocked);
	/* #20146 and the #47505 class */
	ck_assert_uint_eq(expected_lookup(&t, "mips", "atomic-deadlock", "unchecked", "global")->expected,
			  OUTCOME_BIT(OUT_DEADLOCK));
	ck_assert_uint_eq(expected_lookup(&t, "armel", "atomic-deadlock", "locked-flush", "striped")->expected,
			  OUTCOME_BIT(OUT_DEADLOCK));
	ck_assert_uint_eq(
		expected_lookup(&t, "armel", "atomic-deadlock", "locked-flush-kuser", "striped")->expected,
		OUTCOME_BIT(OUT_PASS));
	for (size_t a = 0; a < 5; a++)
		ck_assert_uint_eq(expected_lookup(&t, arches[a], "lost-atomic", "exact", "global")->expected,
				  OUTCOME_BIT(OUT_PASS));
	/* armel on libatomic is measured (litmus_tear64 shows why); its own
	 * atomics and every other arch are judged */
	ck_assert_ptr_nonnull(expected_lookup_measured(&t, "armel", "atomic-deadlock", "unchecked",
						       "libatomic"));
	ck_assert_ptr_null(expected_lookup_measured(&t, "armel", "atomic-deadlock", "unchecked",
						    "global"));
	ck_assert_ptr_null(expected_lookup_measured(&t, "armhf", "atomic-deadlock", "unchecked",
						    "libatomic"));
	expected_free(&t);
}
END_TEST

/* docs/DESIGN.md's outcome table ("| `name` | exit | reporter | class |"
 * rows under "## Outcomes") against PROTOCOL_OUTCOMES: every outcome once,
 * its exit status ("—" where torture has none) and its class. Returns the
 * number of disagreements, the first in why. */
static int design_table_disagreements(const char *text, char *why, size_t cap)
{
	int bad = 0, seen[OUT_COUNT] = { 0 };
	const char *sec = strstr(text, "\n## Outcomes\n");
	const char *end = sec ? strstr(sec + 1, "\n## ") : NULL;
	why[0] = 0;
	for (const char *l = sec; l && (!end || l < end); l = strchr(l + 1, '\n')) {
		char name[32], status[16], cls[16];
		if (sscanf(l, "\n| `%31[^`]` | %15s | %*[^|]| %15s |", name, status, cls) != 3)
			continue;
		int o = outcome_parse(name);
		int want = o < 0 ? 0 : outcome_exit_status((enum outcome)o);
		const char *want_cls = o < 0 ? "?"
				       : outcome_is_failure((enum outcome)o)	 ? "failure"
				       : outcome_is_informative((enum outcome)o) ? "clean"
										 : "void";
		bool status_ok = o >= 0 && (want == PROTOCOL_NO_EXIT
						    ? strcmp(status, "\u2014") == 0
						    : isdigit((unsigned char)status[0]) && atoi(status) == want);
		bool twice = o >= 0 && seen[o]++;
		if ((o < 0 || !status_ok || strcmp(cls, want_cls) || twice) && !bad++)
			snprintf(why, cap, "row %s: exit %s, class %s (protocol.h: %d, %s)", name, status,
				 cls, want, want_cls);
	}
	for (int o = 0; o < OUT_COUNT; o++)
		if (!seen[o] && !bad++)
			snprintf(why, cap, "no row for %s", outcome_name((enum outcome)o));
	return bad;
}

START_TEST(test_design_docs_outcome_table_is_the_protocols)
{
	char *text = slurp("docs/DESIGN.md", NULL), why[160];
	ck_assert_msg(text != NULL, "docs/DESIGN.md not found (run from the repository root)");
	ck_assert_msg(design_table_disagreements(text, why, sizeof why) == 0, "docs/DESIGN.md: %s", why);
	/* the negative control: the same table with corrupt exiting 2 */
	char *busted = strstr(text, "| `corrupt` | 1 |");
	ck_assert_ptr_nonnull(busted);
	busted[14] = '2';
	ck_assert_int_eq(design_table_disagreements(text, why, sizeof why), 1);
	ck_assert_msg(strstr(why, "row corrupt: exit 2"), "%s", why);
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("protocol");
	TCase *tc = tcase_create("protocol");
	tcase_add_test(tc, test_outcomes_keep_their_names_exit_statuses_and_classes);
	tcase_add_test(tc, test_exit_statuses_map_back_to_one_class_each);
	tcase_add_test(tc, test_every_name_list_is_plain_distinct_and_complete);
	tcase_add_test(tc, test_protocol_json_describes_every_row);
	tcase_add_test(tc, test_expected_first_match_wins);
	tcase_add_test(tc, test_expected_measured_rows_qualify_the_next_match);
	tcase_add_test(tc, test_expected_bad_rows_are_errors_with_their_line);
	tcase_add_test(tc, test_expected_table_of_the_repository);
	tcase_add_test(tc, test_design_docs_outcome_table_is_the_protocols);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
