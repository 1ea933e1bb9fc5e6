/*
 * matrix — the cells of a run (arch x case x variant x strategy), the record
 * of every finished run, and summary.json: the one document `run` writes
 * and `merge` reads back.
 *
 * summary.json (version 1):
 *   { "runner":"proftorture", "version":1, "command":"run|repro|merge",
 *     "shard":"I/N" | null, "base_seed":S, "run_duration_s":D,
 *     "runs_per_cell":N | null (--runs; null when only --for bounds it),
 *     "interrupted":bool, "matched":bool, "elapsed_s":T,
 *     "cells":[ {"arch","case","variant","atomics","expected","note",
 *                "runs", "counts":{outcome:n...}, "verdict","matches",
 *                "skipped","text","reason","rate","ci":[lo,hi]|null,
 *                "bound_run","bound_near_miss","near_misses","signals",
 *                "ttff_median_s","ttff_p90_s"} ... ],
 *     "runs":[ {"cell":i, "k":k, "seed":s, "outcome", "why", "exit",
 *               "wall_s", "elapsed_s", "first_failure_s", "handled",
 *               "in_atomic", "corruptions", "log"} ... ] }
 * "cells" is derived (recomputed from "runs" by merge); "runs" is the
 * record. Everything a merge needs travels in "runs" plus each cell's
 * identity and expectation, so shards pool exactly.
 */
#ifndef HARNESS_MATRIX_H
#define HARNESS_MATRIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "util.h"
#include "verdict.h"

struct cell {
	char *arch, *case_name, *variant, *atomics;
	outcome_set expected;
	char *note;
	bool emulated;
	unsigned running;  /* scheduling: runs alive now */
	unsigned live_runs, live_failures, live_unsupported; /* scheduling: finished so far */
	struct cell_tally tally;
	struct cell_verdict verdict;
};

struct run_record {
	size_t cell;
	unsigned k;
	uint64_t seed;
	enum outcome outcome;
	char why[320];
	char exit_desc[48]; /* "exit 1", "signal 11", "timeout", "spawn failed" */
	double wall_s, elapsed_s, first_failure_s;
	double handled, in_atomic;
	char corruptions[160];
	char *log; /* artifact path relative to the out dir, or NULL */
};

struct matrix {
	struct cell *cells;
	size_t ncells;
	struct run_record *runs;
	size_t nruns, capruns;
	/* run parameters, echoed into summary.json */
	const char *command;
	uint64_t base_seed;
	double run_duration;
	uint64_t runs_per_cell; /* --runs: runs with k >= it extended a negative
				   control (see run_cmd.c); 0 = unbounded */
	unsigned shard_index, shard_count; /* 0/0 = not sharded */
	bool interrupted;
	double elapsed;
};

size_t matrix_add_cell(struct matrix *m, const char *arch, const char *case_name,
		       const char *variant, const char *atomics, outcome_set expected,
		       const char *note, bool emulated);
/* Finds a cell by identity; (size_t)-1 when absent. */
size_t matrix_find_cell(const struct matrix *m, const char *arch, const char *case_name,
			const char *variant, const char *atomics);
struct run_record *matrix_add_run(struct matrix *m);
/* Recomputes every cell's tally and verdict from the run records. */
void matrix_summarize(struct matrix *m);
/* True when every cell that is not skipped matches and at least one cell
 * was tested. */
bool matrix_matched(const struct matrix *m);
void matrix_free(struct matrix *m);

/* summary.json */
void matrix_to_json(const struct matrix *m, struct sbuf *b);
/* Adds the runs of a summary.json to m (cells created on first sight).
 * Fails on a malformed document, on a cell whose expectation differs from
 * what m already holds, and on a (cell, seed) seen twice (overlapping
 * shards). 0 or -1 with err. */
int matrix_merge_json(struct matrix *m, const char *text, size_t len, const char *name, char *err,
		      size_t errlen);

#endif
