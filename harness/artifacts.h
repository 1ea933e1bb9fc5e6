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

/* Writes both files. Returns the log's path relative to outdir (malloc'd),
 * or NULL after a warning on stderr naming the file it could not write. */
char *artifacts_write(const char *cmd, const char *outdir, const struct cell *c,
		      const struct run_record *r, char *const *argv, const struct proc *p,
		      double timeout);

#endif
