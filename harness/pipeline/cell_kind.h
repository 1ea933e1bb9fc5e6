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
 * Kinds today: "torture" (kind_torture.c): build/<arch>/torture, one JSON
 * result line per run, classified by classify.h's rules; "go"
 * (kind_go.c): the real Go runtime's workload, built per flavour by
 * ci/go-build, classified by its exit status, its closing line and Go's own
 * failure lines; "file" (kind_file.c): any program, cells described in
 * a matrix file (matrix_file.h, `run --matrix FILE`); and "command"
 * (kind_command.c): `proftorture stress`'s run sets, recorded by its --out.
 *
 * A kind's operations, in the order the pipeline calls them:
 *   plan_arch  which cells the kind has on one arch, for the user's
 *              selection: it adds each with plan_add_cell(), which looks up
 *              the expected outcome and refuses a cell no row covers. It
 *              may run the arch's program to ask (torture --list). A setup
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
 * Optional operations and fields (zero: the torture kind's behaviour):
 *   expected_path  the kind's own expected-outcome table (expected.h's
 *              format), relative to the root; NULL: cases/expected.tsv
 *   slot_names the words for the three names after arch in table heads
 *              (NULL: "case", "variant", "atomics")
 *   launch     how each run is started beyond its argv: the signal sent
 *              first at the deadline and the grace before SIGKILL (a Go
 *              program dumps every goroutine on SIGQUIT), and the signal
 *              cannon (cannon.h; execute.c adds qemu's readiness trace)
 *   compiler   the compiler behind the kind's binary for a cell, for the
 *              configuration's per-arch "compiler" (NULL: the arch's gcc)
 *   case_names what --case may name for the kind's case slot, beyond
 *              protocol.h's cases, NULL-terminated (NULL: those cases)
 *   check_selection  the user's selection against what only the kind
 *              knows (its tables), before anything is planned: -1 with
 *              the complaint, naming the option, in why; or
 *              CELL_KIND_BAD_FILE with a whole line naming a file the user
 *              gave and where in it ("FILE:LINE: field: ..."), which the
 *              command prints as it is (NULL: none)
 *   footer     lines the commands print after the verdict table; appends
 *              nothing for a matrix without the kind's cells (NULL: none)
 *   rate_help  what --rate is to the kind's runs, for run's help
 *              (go: the cannon's, and its default; NULL: what it is to torture)
 *   user_program  the cells are a user's program (the command kind):
 *              the report draws a time-to-failure curve for every cell
 *              with a failure, not only for cells expected to fail
 *              (nothing is expected of a user's program but passing), and
 *              a clean cell's exposure is the signals its runs reported
 *              handled, not near misses
 *
 * A kind whose plan_arch is NULL is only a record's: its cells are filled
 * by a command of its own (the "command" kind: `proftorture stress
 * --out`), never planned or run by `run` (which does not offer it).
 *
 * The commands reach a kind through this table and cell_kinds[] only, never
 * through the kind's own header (tests/ci/check-include-order holds them
 * to it): what a kind adds to a command is in its table, not in the command.
 *
 * Adding a kind is one file with one such table, a row in cell_kinds[]
 * (cell_kind.c) and a command or option that plans with it (run_cmd.c's
 * --kind). A kind without near misses leaves them 0 and its clean
 * verdicts say so.
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
	double wall_s;            /* the process's wall time */
};

/* How one run is started beyond its argv (launch). Zero: SIGKILL at the
 * deadline, no cannon. */
struct run_launch {
	int kill_signal;     /* sent first at the deadline; SIGKILL kill_grace_s later */
	double kill_grace_s;
	int cannon_signal;   /* 0: no cannon */
	double cannon_rate;  /* signals per second at the run, from its readiness on */
	bool cannon_anytime; /* under qemu too, fire whether or not the program's
			      * profiling timer is armed (cannon.h "Gate");
			      * natively the cannon always does */
};

struct cell_kind {
	const char *name; /* in summary.json's cells: "torture" */
	/* A name the kind had before, or NULL: still read from an older
	 * summary.json and accepted by --kind (with a note naming the new one),
	 * never written. */
	const char *old_name;
	int (*plan_arch)(struct plan *p, const struct arch *a, const struct selection *sel,
			 struct sbuf *problem);
	/* A malloc'd NULL-terminated vector (argv_free). */
	char **(*argv)(const struct cell *c, const struct run_settings *s, uint64_t seed);
	/* Sets r->outcome, why, elapsed_s, first_failure_s, handled, in_atomic,
	 * corruptions (strings sanitised); execute.c sets the rest. */
	void (*classify)(const struct cell *c, const struct ended_run *e, struct run_record *r);
	/* Optional, see above. */
	const char *expected_path;
	const char *slot_names[3];
	void (*launch)(const struct cell *c, const struct run_settings *s, struct run_launch *l);
	/* A malloc'd one-line description, or NULL when unknown. */
	char *(*compiler)(const struct cell *c);
	const char *const *case_names;
	int (*check_selection)(const struct selection *sel, struct sbuf *why);
	void (*footer)(const struct matrix *m, struct sbuf *b);
	const char *rate_help;
	bool user_program;
};

#define CELL_KIND_BAD_FILE (-2)

extern const struct cell_kind torture_kind, go_kind, file_kind, command_kind;

/* The word for slot i (0: case, 1: variant, 2: atomics) of a kind. */
const char *cell_kind_slot(const struct cell_kind *k, int i);

/* Every kind, NULL-terminated; and one by name or old name (NULL when
 * unknown). */
extern const struct cell_kind *const cell_kinds[];
const struct cell_kind *cell_kind_find(const char *name);

#endif
