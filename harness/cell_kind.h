/*
 * cell_kind — the seam between the runner's pipeline and what a cell runs.
 *
 * Everything about a cell that depends on WHAT it runs sits behind one
 * small table of operations per kind (as rcutorture's struct
 * rcu_torture_ops does for RCU flavours). Everything else is the same code
 * for every kind: planning cells against the expected-outcome table
 * (plan.c), scheduling runs, seeds, shards, deadlines and process groups
 * (execute.c), artifacts, statistics and verdicts (matrix.c, verdict.c),
 * summary.json and the reports.
 *
 * Kinds today: "stress" (kind_stress.c): build/<arch>/stress, one JSON
 * result line per run, classified by classify.h's rules.
 *
 * A kind's operations, in the order the pipeline calls them:
 *   plan_arch  which cells the kind has on one arch, for the user's
 *              selection: it adds each with plan_add_cell(), which looks up
 *              the expected outcome and refuses a cell no row covers. It
 *              may run the arch's program to ask (stress --list). A setup
 *              problem of this arch (missing binary or emulator) is returned
 *              as text; plan.c reports every arch's before anything runs.
 *   argv       the program and its arguments for one run of a cell,
 *              WITHOUT the emulator: execute.c puts the arch's
 *              `qemu-<arch> flags...` in front for cross arches.
 *   classify   one ended run (how the process ended, what it printed) into
 *              the run record: outcome, why, and the numbers the
 *              statistics use (first failure time, signals handled, near
 *              misses). The rules every kind shares -- the runner's
 *              deadline, exec failure, QEMU's own failures, death by a
 *              signal -- are classify_ending() (classify.h); a kind applies
 *              them first and then reads its program's own report.
 *
 * Adding a kind (issue 13: the real Go runtime's binaries) is one file
 * with one such table, a row in cell_kinds[] (cell_kind.c) and a command
 * or option that plans with it. For Go: plan_arch adds arch x flavour
 * (stock, regressed, unchecked) x source, with the cell's four names
 * (matrix.h) arch, workload, flavour and source, looked up in an
 * expected table of the same format; argv is the flavour's binary with
 * its flags; classify is classify_ending() and then the exit status plus
 * the first "fatal error: ..." line of stderr (Go's own failure
 * signature, into why and corruptions). No result line is needed; a kind
 * without near misses leaves them 0 and its clean verdicts say so.
 *
 * All operations run on the runner's one thread.
 */
#ifndef HARNESS_CELL_KIND_H
#define HARNESS_CELL_KIND_H

#include <stdbool.h>
#include <stdint.h>

#include "arches.h"
#include "classify.h"
#include "matrix.h"
#include "util.h"

struct plan;
struct selection;

/* The per-run settings of a matrix: the same for every cell. */
struct run_settings {
	double duration;    /* each run's length, seconds */
	uint64_t threads;   /* 0: the program's default */
	const char *source; /* NULL: the program's default */
	const char *rate;   /* NULL: the program's default */
	double watchdog;    /* seconds; 0: the program's default */
};

/* A run that has ended, as execute.c hands it to classify. */
struct ended_run {
	struct run_end end;       /* how the process ended */
	struct run_output output; /* what it printed (head and tail of each stream) */
	uint64_t seed;            /* the seed it was given */
};

struct cell_kind {
	const char *name; /* in summary.json's cells: "stress" */
	int (*plan_arch)(struct plan *p, const struct arch *a, const struct selection *sel,
			 struct sbuf *problem);
	/* A malloc'd NULL-terminated vector (argv_free). */
	char **(*argv)(const struct cell *c, const struct run_settings *s, uint64_t seed);
	/* Sets r->outcome, why, elapsed_s, first_failure_s, handled, in_atomic,
	 * corruptions (strings sanitised); execute.c sets the rest. */
	void (*classify)(const struct cell *c, const struct ended_run *e, struct run_record *r);
};

extern const struct cell_kind stress_kind;

/* Every kind, NULL-terminated; and one by name (NULL when unknown). */
extern const struct cell_kind *const cell_kinds[];
const struct cell_kind *cell_kind_find(const char *name);

#endif
