/*
 * expected — the expected-outcome table, cases/expected.tsv: which outcome
 * each arch x case x variant x atomics cell must have. One reader, used by
 * `torture --list` (the table compiled in) and by the runner (the file).
 *
 * Format: tab-separated rows
 *     arch  case  variant  atomics  expected  [note]
 * each of the first four an fnmatch(3) glob. Runs of tabs separate fields
 * as one. Blank lines and lines whose first non-blank byte is '#' are
 * ignored. The FIRST row whose four patterns all match wins. expected is
 * "pass", or one or more failure outcomes (protocol.h's class
 * PROTOCOL_FAILURE) joined by '|': "corrupt|deadlock" says two real bugs
 * race and either may end a run first, and any run ending in one of them
 * reproduces.
 *
 * expected may instead be the word "measured" (EXPECTED_MEASURED), with a
 * note saying why: the cells it matches run and get their verdict as the
 * next matching row says, shown but not judged, because something outside
 * the code under test decides their outcome (cases/expected.tsv names
 * what). Lookups skip measured rows for the outcome; expected_lookup_measured
 * finds the one that comes before it.
 *
 * Reading is strict: a row with fewer than five fields, an unknown or
 * repeated outcome, or "pass" mixed with failures is an error naming the
 * file and the line, because a silently skipped row would change what the
 * rows after it mean. A lookup that matches no row is the caller's error
 * to report (the repository's table ends with a catch-all row).
 */
#ifndef PROFTORTURE_EXPECTED_H
#define PROFTORTURE_EXPECTED_H

#include <stdbool.h>
#include <stddef.h>

#include "protocol.h"

/* A set of outcomes, bit o for outcome o. */
typedef unsigned outcome_set;
#define OUTCOME_BIT(o) (1u << (o))

/* "a|b|..." of outcome names, none repeated, at least one. 0 or -1. */
int outcome_set_parse(const char *s, outcome_set *out);
/* The names in table order joined by '|', into buf; returns buf. */
const char *outcome_set_name(outcome_set s, char *buf, size_t cap);

#define EXPECTED_MEASURED "measured"

struct expected_row {
	char *arch, *case_name, *variant, *atomics, *note;
	outcome_set expected; /* 0 in a measured row */
	bool measured;
	unsigned line;
};

struct expected_table {
	struct expected_row *rows;
	size_t n;
	char *path; /* the name given to the parser, for messages */
};

/* Parses text (NUL-terminated) named name. 0, or -1 with "name:LINE: why"
 * in err (t is then empty). */
int expected_parse(const char *text, const char *name, struct expected_table *t, char *err,
		   size_t errlen);
/* Reads and parses the file at path. 0, or -1 with a message in err. */
int expected_load(const char *path, struct expected_table *t, char *err, size_t errlen);
void expected_free(struct expected_table *t);

/* The first matching row that states an outcome, or NULL when none
 * matches. */
const struct expected_row *expected_lookup(const struct expected_table *t, const char *arch,
					   const char *case_name, const char *variant,
					   const char *atomics);
/* The measured row that matches before any outcome row does, or NULL: the
 * cell is then measured, not judged, for the reason in its note. */
const struct expected_row *expected_lookup_measured(const struct expected_table *t,
						    const char *arch, const char *case_name,
						    const char *variant, const char *atomics);

#endif
