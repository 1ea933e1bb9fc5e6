/*
 * expected — the expected-outcome table, cases/expected.tsv.
 *
 * Format (the same file `stress --list` compiles in): tab-separated rows
 *   arch  case  variant  atomics  expected  [note]
 * each of the first four an fnmatch(3) glob; blank lines and lines whose
 * first non-blank byte is '#' are ignored; the FIRST row whose four patterns
 * all match wins. expected is pass, or one or more of corrupt drift
 * deadlock joined by '|' ("corrupt|deadlock": two real bugs race and either
 * may end a run first; any run ending in one of them reproduces).
 *
 * Loading is strict: a row with fewer than five fields or an unknown
 * expected outcome is an error naming file and line, because a silently
 * skipped row would change what later rows mean.
 */
#ifndef HARNESS_EXPECTED_H
#define HARNESS_EXPECTED_H

#include <stddef.h>

#include "classify.h"

struct expected_row {
	char *arch, *case_name, *variant, *atomics, *note;
	outcome_set expected;
	unsigned line;
};

struct expected_table {
	struct expected_row *rows;
	size_t n;
	char *path;
};

/* 0, or -1 with a message in err. */
int expected_load(const char *path, struct expected_table *t, char *err, size_t errlen);
int expected_parse(const char *text, const char *name, struct expected_table *t, char *err,
		   size_t errlen);
void expected_free(struct expected_table *t);

/* The first matching row, or NULL when none matches. */
const struct expected_row *expected_lookup(const struct expected_table *t, const char *arch,
					   const char *case_name, const char *variant,
					   const char *atomics);

#endif
