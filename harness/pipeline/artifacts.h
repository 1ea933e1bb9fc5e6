/*
 * artifacts — what a run that did not pass leaves behind, under
 * <outdir>/runs/: <arch>-<case>-<variant>-<atomics>-k<k>.log (the outcome,
 * why, the command, and the captured stdout and stderr, with how much of a
 * huge stream was dropped) and .sh (an executable replay script: the same
 * command, seed included, from the repository root, without the runner's
 * deadline). Every text from the run is sanitised before it is written.
 */
#ifndef HARNESS_ARTIFACTS_H
#define HARNESS_ARTIFACTS_H

#include "matrix.h"
#include "spawn.h"

/* Writes both files, each on its own (atomically, not fsync'd); a file
 * that cannot be written is a lost artifact (ledger.h). Returns the log's
 * path relative to outdir (malloc'd), or NULL when the log was lost: the
 * run's record then names no log. */
char *artifacts_write(const char *outdir, const struct cell *c, const struct run_record *r,
		      char *const *argv, const struct proc *p, double timeout);

#endif
