/*
 * verdict — from a cell's tally of run outcomes to a stated verdict, and
 * whether it matches the expected-outcome table. Pure (no I/O).
 *
 * Which runs count. A run is informative when it passed or failed
 * (corrupt, drift, deadlock, crash, timeout): n = informative runs, and
 * every rate and bound is over n. Vacuous runs (too few signals or near
 * misses to have tested anything), emulator errors (QEMU itself failed),
 * errors (no valid result line, protocol violations, exec failures) and
 * unsupported runs are counted and shown but are never passes and never
 * enter n.
 *
 * Verdict (never a bare pass/fail: each carries its numbers)
 *   unsupported   every run was unsupported: the arch cannot run this cell.
 *   reproduced    at least one failure: rate k/n with its 95% Clopper-
 *                 Pearson interval, median and p90 time to first failure.
 *   inconclusive  no failure, and n == 0 or the non-informative runs
 *                 outnumber the informative ones (a cell that mostly did
 *                 not test anything says nothing about being clean).
 *   clean         no failure in n runs: one-sided 95% bounds "< x per run"
 *                 (1 - 0.05^(1/n), the rule of three) and "< y per near
 *                 miss" (same bound over the summed in_atomic counter).
 *
 * Matching the expected table (the threshold is stated, not tuned):
 *   expected corrupt/deadlock/drift, or a set such as corrupt|deadlock (a
 *   negative control, rcutorture's BUSTED): matches when at least
 *   VERDICT_MIN_REPRODUCED runs failed with an expected kind AND every
 *   failing run's kind is allowed for one of the expected kinds:
 *     corrupt  -> corrupt, drift  (the same two-writer race can lose counts
 *                                  without breaking structure)
 *     deadlock -> deadlock, timeout (the harness backstop caught a hang the
 *                                  in-process watchdog missed)
 *     drift    -> drift
 *   Passing runs are allowed (a flake rate below 100% is still a
 *   reproduction). A negative control that stops failing does not match.
 *   Error/emulator-error/vacuous runs do not undo a reproduction.
 *
 *   expected pass: matches when the verdict is clean AND no run ended in
 *   error (an error run has no trustworthy result line, and can hide a
 *   failure). Emulator errors and vacuous runs are reported but do not
 *   block a match unless they make the cell inconclusive.
 *
 *   unsupported cells are "skipped": they neither match nor fail; so are
 *   cells their kind planned to be measured, not judged (matrix.h), whose
 *   verdict and numbers are shown as for any cell.
 */
#ifndef HARNESS_VERDICT_H
#define HARNESS_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "expected.h"
#include "stats.h"

#define VERDICT_MIN_REPRODUCED 1
#define VERDICT_CONFIDENCE 0.95

struct cell_tally {
	unsigned long count[OUT_COUNT];
	double near_misses; /* sum of in_atomic over informative runs */
	double signals;     /* sum of handled over informative runs */
	double *ttff;       /* first-failure times of failing runs (seconds) */
	size_t nttff;
	unsigned long extended; /* runs past --runs (matrix.runs_per_cell) */
};

enum verdict_kind { V_REPRODUCED, V_CLEAN, V_INCONCLUSIVE, V_UNSUPPORTED };

struct cell_verdict {
	enum verdict_kind kind;
	bool matches, skipped;
	bool measured; /* skipped because its kind measures it without judging it
			* (matrix.h's cell.measured): its numbers stand */
	unsigned long total, n, failures;
	double rate;
	struct stats_interval ci;     /* reproduced: two-sided CP 95% */
	double bound_run, bound_near; /* clean: one-sided 95% upper bounds */
	double ttff_median, ttff_p90; /* NaN when no times */
	char text[320];               /* the numbers, one line */
	char reason[256];             /* why it matches or not */
};

const char *verdict_name(enum verdict_kind k);
bool verdict_kind_allowed(outcome_set expected, enum outcome got);

/* ttff may be reordered (sorted). */
void verdict_compute(struct cell_tally *t, outcome_set expected, struct cell_verdict *v);

#endif
