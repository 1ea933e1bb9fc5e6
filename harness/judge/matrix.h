/*
 * matrix — the cells of a run and the record of every finished run; the
 * summarise stage (matrix_summarize: every cell's tally and verdict from
 * the runs). summary.json, the document the record is written as and read
 * back from, is summary.h's.
 *
 * A cell is one kind (cell_kind.h) x arch x case x variant x atomics. The
 * four names mean what the cell's kind says they mean; for the torture kind
 * they are build/<arch>/torture's --case, --variant and --atomics. They are
 * also the four columns the expected-outcome table matches.
 *
 * Single-threaded: the runner is one thread.
 */
#ifndef HARNESS_MATRIX_H
#define HARNESS_MATRIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "config.h"
#include "util.h"
#include "verdict.h"

struct cell_kind;

struct cell {
	const struct cell_kind *kind;
	char *arch, *case_name, *variant, *atomics;
	outcome_set expected;
	char *note;
	bool emulated; /* runs under the arch's emulator (known when planned, not merged) */
	uint64_t runs; /* this cell's --runs, when its kind chose one (repro-go's
			* matrix); 0: the matrix's runs_per_cell */
	double duration;    /* this cell's run length, seconds, when its kind chose
			     * one (a matrix file's duration column); 0: the matrix's */
	double cannon_rate; /* the cannon's rate its kind planned it with (a matrix
			     * file's cannon column; --rate replaces it); 0: the kind's */
	bool cannon_anytime; /* its cannon ignores the program's timers (cannon.h "Gate") */
	bool measured; /* measured, not judged: its verdict is computed and shown
			* but is skipped from matching (a rate too low for a
			* verdict in the runs it can have; repro-go's own-timer
			* cells) */
	/* scheduling (execute.c): runs alive now, and finished so far */
	unsigned running;
	unsigned live_runs, live_failures, live_unsupported;
	/* summarising (matrix_summarize) */
	struct cell_tally tally;
	struct cell_verdict verdict;
};

struct run_record {
	size_t cell;
	unsigned k;
	uint64_t seed;
	enum outcome outcome;
	char why[320];
	char exit_desc[48]; /* "exit 1", "signal 11", "deadline", "spawn failed" */
	double wall_s, elapsed_s, first_failure_s; /* NaN when unknown */
	double handled, in_atomic; /* signals handled, and how many inside an atomic (near misses) */
	char corruptions[160];     /* what the program found, "kind:n,..." */
	char *log; /* artifact path relative to the out dir, or NULL */
};

/* A selected arch the plan could not run a kind's cells on (its binary or
 * emulator is missing), and why. Its cells of that kind are not in the
 * matrix, every other arch's are, and the matrix does not match. */
struct unplanned {
	char *arch, *reason;
};

struct matrix {
	struct cell *cells;
	size_t ncells;
	struct unplanned *unplanned;
	size_t nunplanned;
	struct run_record *runs;
	size_t nruns, capruns;
	/* run parameters, echoed into summary.json */
	const char *command;
	uint64_t base_seed;
	double run_duration;
	uint64_t runs_per_cell; /* --runs: runs with k >= it extended a negative
				   control (see execute.c); 0 = unbounded */
	unsigned shard_index, shard_count; /* 0/0 = not sharded */
	bool interrupted;
	double elapsed;
	struct run_config config; /* what a reader needs to rerun it (config.h) */
};

/* Cell names as one value, for adding and finding cells. */
struct cell_id {
	const struct cell_kind *kind;
	const char *arch, *case_name, *variant, *atomics;
};

size_t matrix_add_cell(struct matrix *m, const struct cell_id *id, outcome_set expected,
		       const char *note, bool emulated);
/* The runs a cell was planned with: its own, else the matrix's (0: time-boxed). */
uint64_t matrix_cell_runs(const struct matrix *m, const struct cell *c);
/* Finds a cell by identity; (size_t)-1 when absent. */
size_t matrix_find_cell(const struct matrix *m, const struct cell_id *id);
struct run_record *matrix_add_run(struct matrix *m);
/* Recomputes every cell's tally and verdict from the run records. */
void matrix_summarize(struct matrix *m);
/* Records an arch that could not be planned (a repeat of the same arch
 * and reason is ignored). */
void matrix_add_unplanned(struct matrix *m, const char *arch, const char *reason);
/* Removes the cells from index first on (planning only: no runs yet). */
void matrix_drop_cells_from(struct matrix *m, size_t first);
/* True when every cell that is not skipped matches, at least one cell was
 * tested, and no selected arch was left unplanned. */
bool matrix_matched(const struct matrix *m);
void matrix_free(struct matrix *m);

#endif
