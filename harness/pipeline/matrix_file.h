/*
 * matrix_file — the one reader of matrix files: cells described in a
 * plain tab-separated file (docs/matrix-file.md), for `proftorture run
 * --matrix FILE` (the file kind, kind_file.c) and for the go kind's
 * built-in matrix (cases/go/matrix.tsv, kind_go.c).
 *
 * Format, cases/expected.tsv's where it applies: tab-separated fields
 * (runs of tabs are one separator, so no field is empty: `-` says none),
 * `#` comments and blank lines ignored, and first of all a header line
 * naming the columns, in any order:
 *   name      the cell's name, unique in the file: [A-Za-z0-9._+-]
 *   arches    `*` (every row of ci/arches.tsv), `repro` (its repro=yes
 *             rows) or arch names, joined by ',' (`repro,native`)
 *   argv      the program and its arguments, split on spaces (no shell),
 *             with {arch} (the arch table's name), {goarch} (Go's, from
 *             go_analogue), {duration} (seconds) and {seed}; a relative
 *             program path with a '/' is relative to the checkout's top
 *   runs      whole runs per cell, 1 to MF_MAX_RUNS
 *   duration  each run's length (2s, 500ms, 1.5), above 0
 *   cannon    `off`, or the signal cannon's rate: signals per second in
 *             [1, PROTOCOL_MAX_RATE], or `max`. Under qemu the cannon
 *             fires only while the program's profiling timer is armed
 *             (cannon.h "Gate"); `anytime:RATE` fires regardless
 *   expected  per arch, first match wins: `OUTCOME` for every arch, or
 *             clauses `ARCHES=OUTCOME` joined by ';' (ARCHES: names
 *             joined by ',', or `*`), e.g. `mips,mipsel=fail;*=pass`.
 *             OUTCOME: pass; fail (the program failed by itself: a
 *             non-zero exit or death by a signal); deadlock (a hang: the
 *             runner's deadline counts); or /REGEX/, a failure whose
 *             signature (signature.h) the POSIX extended regex matches.
 *             Every arch of the row must be covered.
 *   flags     optional: `-`, or words joined by ',': quick (a row of
 *             --quick), measured (measured, not judged: matrix.h)
 *   note      optional: for humans (the rest of the line)
 * A kind may require columns of its own (mf_rules: the go kind's program
 * and flavour) and may let `-` stand for its own argv, duration and
 * expected outcome, and `on` for its own cannon rate.
 *
 * Reading is strict and stops at the first mistake, as expected.h does:
 * one message "FILE:LINE: FIELD: what is wrong (what is allowed)", the
 * field a column's name or `header`; a file that is not read runs
 * nothing.
 *
 * Single-threaded, like the runner.
 */
#ifndef HARNESS_MATRIX_FILE_H
#define HARNESS_MATRIX_FILE_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "arches.h"
#include "expected.h"

#define MF_MAX_RUNS 100000000
#define MF_MAX_EXTRA 4

/* What `fail`, `deadlock` and a pattern stand for in protocol.h's
 * outcomes: a non-zero exit is corrupt and death by a signal crash (the
 * verdict counts drift for corrupt and the runner's timeout for
 * deadlock); a pattern's failure is corrupt when the signature matches. */
#define MF_FAIL_WORD "fail"
#define MF_FAIL (OUTCOME_BIT(OUT_CORRUPT) | OUTCOME_BIT(OUT_CRASH))
#define MF_PATTERN_MATCHED OUT_CORRUPT
#define MF_PATTERN_OTHER OUT_CRASH

/* One clause of the expected column. */
struct mf_expect {
	char **arches;       /* NULL-terminated; NULL: every arch (`*`) */
	outcome_set outcomes;
	char *pattern;       /* the regex's text, without the slashes, or NULL */
	regex_t re;          /* compiled when pattern */
};

struct mf_row {
	unsigned line;
	char *name;
	char **arches;      /* resolved, NULL-terminated, in the arch table's order */
	char **argv;        /* the template's words; NULL: the kind's own (`-`) */
	uint64_t runs;
	double duration;    /* seconds; 0: the matrix's (`-`) */
	double cannon_rate; /* signals per second; 0: off; MF_CANNON_KIND: the kind's (`on`) */
	bool cannon_anytime; /* `anytime:`: ungated (cannon.h "Gate") */
	struct mf_expect *expect; /* NULL: the kind's own table (`-`) */
	size_t nexpect;
	bool quick, measured;
	char *extra[MF_MAX_EXTRA]; /* the kind's own columns, in mf_rules's order */
	char *note;         /* "" when none */
};

#define MF_CANNON_KIND (-1.0)
#define MF_ANYTIME "anytime:"
#define MF_CANNON_MAX 1e6 /* `max`: what the cannon treats as as fast as it can */

struct matrix_file {
	char *path;
	struct mf_row *rows;
	size_t n;
};

/* What the reading kind adds to the format. */
struct mf_rules {
	const char *const *extra; /* required columns of the kind's own, NULL-terminated */
	bool kind_defaults;       /* `-` in argv, duration, expected; `on` in cannon */
};

/* Parses text (NUL-terminated) named name against the arch table. 0, or -1
 * with the one message in err (f is then empty). rules may be NULL. */
int mf_parse(const char *text, const char *name, const struct arch_table *arches,
	     const struct mf_rules *rules, struct matrix_file *f, char *err, size_t errlen);
/* Reads and parses the file at path; messages name it as `name`. */
int mf_load(const char *path, const char *name, const struct arch_table *arches,
	    const struct mf_rules *rules, struct matrix_file *f, char *err, size_t errlen);
void mf_free(struct matrix_file *f);

bool mf_row_has_arch(const struct mf_row *r, const char *arch);
/* The first clause of the row's expected column that covers arch; NULL
 * when the row's expected is the kind's own. */
const struct mf_expect *mf_expect_for(const struct mf_row *r, const char *arch);
/* The row named name, or NULL. */
const struct mf_row *mf_find(const struct matrix_file *f, const char *name);

/* The row's argv for one run on arch a (its template filled in), a
 * malloc'd NULL-terminated vector (argv_free); the program made absolute
 * when it is a relative path. */
char **mf_argv(const struct mf_row *r, const struct arch *a, double duration, uint64_t seed);

#endif
