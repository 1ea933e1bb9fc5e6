/*
 * summary — summary.json: the record of a matrix, the one document `run`
 * and `repro` write (<out>/summary.json, and --json), `merge` reads back
 * and pools, and `proftorture report` reads. Written and read
 * with jansson.
 *
 * Version 4 (SUMMARY_VERSION). One JSON object; each cell and each run on
 * a line of its own, so `grep` finds them:
 *   "runner"          "proftorture"
 *   "version"         4 (3: no "runs_planned", "measured"; 2: no "config";
 *                     1: no "kind" in cells)
 *   "command"         "run", "repro", "merge", or "stress" (its --out)
 *   "shard"           "I/N" for one shard of a matrix, else null
 *   "base_seed"       run k of a cell had seed base_seed + k
 *   "run_duration_s"  each run's length asked for, seconds
 *   "runs_per_cell"   --runs, or null when only a time box bounded it;
 *                     runs with k >= it extended a negative control (unless
 *                     the cell has runs_planned)
 *   "interrupted"     a signal stopped the matrix: only finished runs count
 *   "matched"         every tested cell matched the expected table (the
 *                     exit status 0 of run/repro/merge, when nothing
 *                     was lost: cli.h)
 *   "elapsed_s"       wall time of the whole matrix, seconds
 *   "config"          what a reader needs to rerun it (config.h); every
 *                     value a string or null (unknown), and in a merged
 *                     record the distinct values of the inputs joined by
 *                     " | ":
 *     "commit"          `git rev-parse HEAD` of the tree that ran
 *     "tree"            "clean", or "modified" (tracked files changed)
 *     "command_line"    "proftorture repro --runs 3"
 *     "started"         UTC, ISO 8601
 *     "host"            uname: system, release, machine
 *     "arches"          [ {"arch", "emulator" (`qemu-<arch> --version`,
 *                       first line; null natively), "compiler"
 *                       (`<triple>-gcc --version`, first line)} ]
 *   "unplanned"       [ {"arch", "reason"} ]: selected arches the plan
 *                     could not run a kind's cells on (plan.h), e.g. a
 *                     missing emulator; empty when every arch ran. Any
 *                     entry makes "matched" false. Optional when read (a
 *                     record from before it has none); merge keeps every
 *                     input's.
 *   "cells": [ one object per cell, in the table's order:
 *     "kind"            the cell kind (cell_kind.h): "torture", "go", "file"
 *                       (a matrix file's cells), or "command"
 *                       (`proftorture stress --out`'s run sets)
 *     "arch", "case", "variant", "atomics"  the cell's names (matrix.h)
 *     "expected"        outcome names joined by '|' (expected.h), "note"
 *     "runs"            runs recorded; "counts" {outcome name: runs}, only
 *                       the non-zero ones
 *     "runs_planned"    the cell's own --runs (repro-go gives each cell the
 *                       runs its question needs), or null: runs_per_cell
 *     "measured"        true: measured, not judged (matrix.h); "skipped"
 *                       then says so too
 *     "verdict"         reproduced | clean | inconclusive | unsupported
 *     "matches", "skipped"  against the expected table (verdict.h)
 *     "text"            the verdict's numbers as one line; "reason" why it
 *                       matches or not
 *     "rate"            failures / informative runs, or null
 *     "ci"              [lo, hi]: 95% Clopper-Pearson interval of the rate
 *                       (reproduced cells), else null
 *     "bound_run", "bound_near_miss"  clean cells: one-sided 95% upper
 *                       bounds per run and per near miss, else null
 *     "near_misses", "signals"  summed over informative runs
 *     "ttff_median_s", "ttff_p90_s"  time to first failure, or null ]
 *   "runs": [ one object per finished run, in the order they finished:
 *     "cell"            index into "cells"; "k" the run's number in its
 *                       cell; "seed"
 *     "outcome"         protocol.h's outcome name; "why" one line;
 *                       "exit" "exit N", "signal N", "deadline" or
 *                       "spawn failed"
 *     "wall_s"          the process's wall time; "elapsed_s" and
 *                       "first_failure_s" as the program reported them
 *                       (null when it did not)
 *     "handled", "in_atomic"  signals handled, and how many inside an
 *                       atomic (near misses)
 *     "corruptions"     "kind:n,..." as the program reported them
 *     "log"             the run's log relative to the summary's directory
 *                       (runs that did not pass), else null ]
 * Unknown values are null, never NaN. Every string is printable ASCII
 * (what a child printed is sanitised before it gets here). Numbers that
 * are not whole are written with 6 significant digits.
 *
 * "cells" is derived: merge recomputes it from "runs" and each cell's
 * identity and expectation, so pooled statistics are exact. A change that
 * removes or changes the meaning of a field, or adds one a reader needs,
 * raises the version; readers refuse a version they do not know. The
 * reader takes versions SUMMARY_VERSION_OLDEST..SUMMARY_VERSION: a version
 * 3 record is version 4 without "runs_planned" and "measured" (every cell
 * had runs_per_cell and was judged), and a version 2 one also without "config" (its
 * configuration is unknown), so shards written before and after the
 * changes still merge.
 */
#ifndef HARNESS_SUMMARY_H
#define HARNESS_SUMMARY_H

#include <stddef.h>

#include "matrix.h"
#include "util.h"

#define SUMMARY_RUNNER "proftorture"
#define SUMMARY_VERSION 4
#define SUMMARY_VERSION_OLDEST 2 /* the oldest the reader takes */

/* Appends m (summarised) as summary.json to b. */
void summary_write(const struct matrix *m, struct sbuf *b);

/* What merge needs to know about an input besides its runs. */
struct summary_shard {
	unsigned index, count; /* 0/0 when the input was not a shard */
};

/* Adds the runs of one summary.json to m, creating cells on first sight,
 * and merges its "config" into m->config (config_merge). Log paths are
 * prefixed with `base` (the input's directory). Fails -- leaving m with
 * what it had plus possibly some of this input's cells -- on text that is
 * not JSON (with jansson's reason, line and column), a duplicate key,
 * another runner or a version outside SUMMARY_VERSION_OLDEST..
 * SUMMARY_VERSION, a malformed cell, run or config, an unknown kind, a
 * cell expected differently than in an earlier input, and a (cell, seed)
 * seen twice (overlapping shards). 0 or -1 with err. */
int summary_merge(struct matrix *m, const char *text, size_t len, const char *base,
		  struct summary_shard *shard, char *err, size_t errlen);

#endif
