/*
 * plan — the pipeline's first stage: from what the user selected to the
 * cells of the matrix, each with its expected outcome, before any run
 * starts.
 *
 * plan_load reads the two tables (ci/arches.tsv, cases/expected.tsv);
 * the caller then checks the selection's arch names against it (a usage
 * error, with its other option checks). plan_cells asks each kind
 * (cell_kind.h) for its cells on every selected arch; each cell's expected
 * outcome is the first matching row of its kind's expected table
 * (cases/expected.tsv, or the kind's expected_path, read on first use). A
 * kind may also give a cell its own number of runs (struct cell's runs).
 * A selected arch
 * this host cannot run a kind's cells on (its binary or emulator is
 * missing) does not stop the others: it is named on stderr and kept in the
 * matrix's unplanned list (matrix.h), which the table, summary.json and
 * the exit status report, and every other arch runs. Everything else that
 * can go wrong here -- no selected arch can run, a cell no row covers, a
 * selection that leaves no cell -- ends the program with exit status 2 and
 * one message naming every problem, before anything has run.
 */
#ifndef HARNESS_PLAN_H
#define HARNESS_PLAN_H

#include "arches.h"
#include "cell_kind.h"
#include "expected.h"
#include "matrix.h"

/* What the user asked for; a NULL list means "all". The lists are
 * NULL-terminated and may hold the word "all". */
struct selection {
	char **arches;   /* names from ci/arches.tsv */
	char **cases;    /* torture's cases (protocol.h's names) and go's programs
			  * (kind_go.h), mixed: selection_own */
	char **variants; /* the torture kind */
	char **atomics;  /* the torture kind: strategies, "default" (the arch's), "all" */
	char **flavours; /* the go kind: runtime flavours (cases/go/flavours.tsv, or --goroot's) */
	char **sources;  /* the go kind: where the signals come from (protocol.h's names) */
	bool go_matrix;  /* the go kind plans its built-in matrix (repro-go), filtered
			  * by the lists above, instead of their cross product */
	bool go_quick;   /* ... only the matrix's quick cells (repro-go --quick; and
			  * run --matrix --quick: the file's quick rows) */
	const char *goroot; /* the go kind: a user's tree, built by ci/go-build --goroot */
	const char *matrix_path; /* the file kind: run --matrix FILE (matrix_file.h) */
};

#define PLAN_MAX_KIND_TABLES 4

struct plan {
	const char *cmd;                /* "run", "repro": starts every message */
	struct arch_table arches;       /* ci/arches.tsv */
	struct expected_table expected; /* cases/expected.tsv */
	/* Kinds' own tables (cell_kind.h's expected_path), read on first use. */
	struct expected_table kind_tables[PLAN_MAX_KIND_TABLES];
	const char *kind_table_paths[PLAN_MAX_KIND_TABLES];
	size_t nkind_tables;
	struct matrix m;                /* the cells (no runs yet) */
	const struct arch **cell_arch;  /* cell i runs on cell_arch[i] */
	struct sbuf skipped;            /* " arch/strategy" a kind could not plan */
};

/* True when list is NULL or holds "all" or name. */
bool selection_includes(char *const *list, const char *name);

/* --case holds both kinds' names (torture's cases, go's programs); each kind
 * takes its own. The names in list that are one of mine (NULL-terminated),
 * as a malloc'd vector pointing into list, or NULL when list is NULL, holds
 * "all", or names none of mine: then the kind runs its default. */
char **selection_own(char *const *list, const char *const *mine);

/* Reads both tables. 0, or -1 with a message in err. */
int plan_load(struct plan *p, const char *cmd, char *err, size_t errlen);
/* Adds every selected kind's cells for every selected arch (see above). */
void plan_cells(struct plan *p, const struct selection *sel, const struct cell_kind *const *kinds);
/* For a kind's plan_arch: adds one cell (once; a repeat is ignored) with
 * the expected table's outcome, or exits 2 when no row covers it. Returns
 * the cell's index. */
size_t plan_add_cell(struct plan *p, const struct cell_id *id, const struct arch *a);
/* The same with the expected outcome and note the kind has from elsewhere
 * (the file kind: the matrix file's expected column), no table asked. */
size_t plan_add_cell_expecting(struct plan *p, const struct cell_id *id, const struct arch *a,
			       outcome_set expected, const char *note);
/* The expected table a kind's cells are looked up in (dies, exit 2, when
 * it cannot be read). */
const struct expected_table *plan_table(struct plan *p, const struct cell_kind *k);
void plan_free(struct plan *p);

#endif
