/*
 * execute — the pipeline's second stage: run every cell of a plan many
 * times, each run a separate process (under the arch's emulator for cross
 * arches) with a hard deadline, hand each ended run to its cell kind's
 * classify, and record it. Runs in parallel (-j) on spawn.h's pool.
 *
 * Scheduling: runs are handed out round-major (run k of every cell before
 * run k+1 of any), so an interrupted or time-boxed run leaves every cell
 * with about the same number of runs. Run k of a cell has seed
 * base_seed + k. With a shard I/N only the runs with k % N == I-1 are
 * made, so shards never overlap and their union is the full matrix (merge
 * checks both).
 *
 * Negative controls (cells expected to fail) get a second chance to show
 * their teeth: with max_runs > runs, a cell expected to fail that has not
 * failed after its `runs` runs keeps getting rounds, up to max_runs runs in
 * all, and stops being scheduled at its first failure. A correct negative
 * control whose runs each miss with probability q then misses the whole
 * cell with q^max_runs instead of q^runs; cells expected to pass, and cells
 * that are measured, not judged (matrix.h), always run exactly `runs`. A
 * cell's own runs (matrix.h), when its kind chose them, stand for `runs`. (The failure rate of an extended cell comes from stopping
 * at the first failure, so it overstates the per-run rate; its verdict
 * says so.)
 *
 * Deadlines: run_duration x timeout_factor + timeout_slack (+ the
 * watchdog when one is given), doubled under an emulator. A run past it is
 * killed with its whole process group and classified `timeout`.
 *
 * Every run that did not pass leaves its output and a replay script under
 * <outdir>/runs/ (artifacts.h). A progress line goes to stderr every
 * status_interval seconds; a run that did not end as its cell expects is
 * printed at once with "!!!" (every non-passing run with verbose).
 *
 * SIGINT/SIGTERM/SIGHUP stop new runs and kill the running ones, which are
 * not recorded (they never finished); the signal is returned.
 */
#ifndef HARNESS_EXECUTE_H
#define HARNESS_EXECUTE_H

#include <stdbool.h>
#include <stdint.h>

#include "cell_kind.h"
#include "plan.h"

#define EXEC_UNBOUNDED UINT64_MAX /* runs: only the time box (for_s) ends the matrix */

struct exec_config {
	const char *cmd;       /* for messages */
	uint64_t runs;         /* per cell, or EXEC_UNBOUNDED */
	uint64_t max_runs;     /* >= runs: how far a negative control may go */
	double for_s;          /* > 0: start no run after this many seconds */
	unsigned shard_index, shard_count; /* 0/0: not sharded */
	unsigned jobs;         /* runs at once */
	double timeout_factor, timeout_slack;
	uint64_t base_seed;
	struct run_settings settings;
	bool verbose;
	double status_interval; /* seconds; 0: no progress line */
	const char *outdir;     /* exists and is writable, with runs/ in it */
};

/* A run's hard deadline, seconds; and the same for a run of the given
 * length (a cell with a duration of its own, matrix.h). */
double execute_timeout(const struct exec_config *x, bool emulated);
double execute_timeout_for(const struct exec_config *x, double duration, bool emulated);

/* Runs p's cells, recording every finished run in p->m (and its elapsed
 * time and interruption). Returns the interrupting signal, or 0. */
int execute_matrix(struct plan *p, const struct exec_config *x);

#endif
