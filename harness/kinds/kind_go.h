/*
 * kind_go — what the "go" cell kind (go_kind, cell_kind.h; the kind itself
 * is kind_go.c) has beyond its operations: the names of its programs, the
 * defaults `repro-go` runs with, and the side-by-side lines it prints
 * after the verdict table. The commands reach these through go_kind's
 * case_names, check_selection and footer, not through this header, which
 * is kind_go.c's and its tests'.
 *
 * Single-threaded, like the runner.
 */
#ifndef HARNESS_KIND_GO_H
#define HARNESS_KIND_GO_H

#include "matrix.h"
#include "util.h"

/* The programs (a go cell's case slot): the workload for the run's
 * duration, and the same binary with -duration 0 (one profiling cycle
 * stopped at once: the start-up and stop a clean run costs, the floor
 * under every time to failure). */
#define GO_PROGRAM_WORKLOAD "workload"
#define GO_PROGRAM_FLOOR "floor"
/* Both, NULL-terminated: what --case may name for this kind. */
extern const char *const go_program_names[];

/* The flavour name of a user's tree: ci/go-build --goroot's default. */
#define GO_OWN_FLAVOUR "own"

/* repro-go's cannon, signals per second at each run (--rate; tuned:
 * docs/go-runtime.md, "Tuning the real runtime"), and the grace between the SIGQUIT at a
 * hung run's deadline and the SIGKILL. */
#define GO_CANNON_RATE "100000"
#define GO_KILL_GRACE_S 5.0

/* The flavours ci/go-build builds a workload for (cases/go/flavours.tsv's
 * rows whose builds include it), NULL-terminated, read once; NULL when the
 * table cannot be read. */
char *const *go_flavour_names(void);

/* One line per arch that has go cells: the median time to the first
 * failure of the regressed runtime with its own timers only and with the
 * cannon, the C rebuild's unlocked-flush beside it (torture cells of
 * lost-atomic on the same arch, when the matrix has them), and the
 * workload's floor. Appends nothing when the matrix has no go cell. */
void go_side_by_side(const struct matrix *m, struct sbuf *b);

#endif
