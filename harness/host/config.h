/*
 * config — what a reader needs to rerun a matrix: the commit, the command
 * line, when and on what it ran, and per arch the emulator's and the
 * compiler's versions. `run` and `repro` collect it before the first run
 * (config_collect); it travels in summary.json (version 3's "config",
 * summary.h) and the HTML report shows it. The seeds are the matrix's own
 * (base_seed, and each run's seed in its record).
 *
 * Collecting runs a few short child processes through spawn.h, each with a
 * deadline of CONFIG_TOOL_TIMEOUT_S; a tool that is missing, fails or says
 * nothing leaves its field NULL ("unknown"), never a guess:
 *   git -C <root> rev-parse HEAD             commit; outside a git tree
 *                                            $GITHUB_SHA when it is a commit
 *                                            (GitHub's checkout in a container
 *                                            without git), else NULL
 *   git -C <root> status --porcelain -uno    tree: "clean", or "modified"
 *                                            when tracked files changed
 *   <qemu> --version                         per cross arch: its first line
 *   <triple>-gcc --version (natively: cc)    per arch: its first line
 * The tools are the ones on PATH now, which are the ones the Makefile
 * builds with; a binary built earlier by another compiler would not show
 * here. Every string is sanitised to printable ASCII.
 *
 * The names of a cell are generic (matrix.h): for another cell kind,
 * "arch" is still the arch its program runs on, so the per-arch versions
 * hold for every kind.
 *
 * Merging (config_merge: `merge`, and `report` of several summaries): a
 * field on which the inputs agree keeps its value; one on which they
 * differ keeps each distinct value once, joined by " | " (an unknown one
 * as "unknown"), so a pooled record says that it is mixed.
 *
 * Single-threaded, like the rest of the runner.
 */
#ifndef HARNESS_CONFIG_H
#define HARNESS_CONFIG_H

#include <stddef.h>

#include "arches.h"

#define CONFIG_TOOL_TIMEOUT_S 10.0

struct config_arch {
	char *arch;     /* the arch's name in ci/arches.tsv */
	char *emulator; /* "qemu-mips version 7.2.0 (Debian ...)", NULL natively or unknown */
	char *compiler; /* "mips-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0", or NULL */
};

struct run_config {
	unsigned inputs;     /* how many configs were merged in (0: none yet) */
	char *commit;        /* 40 hex digits, or NULL */
	char *tree;          /* "clean", "modified", or NULL */
	char *command_line;  /* "proftorture repro --runs 3" */
	char *started;       /* UTC, "2026-11-28T10:00:00Z" */
	char *host;          /* "Linux 6.1.0-18-amd64 x86_64" (uname) */
	struct config_arch *arches;
	size_t narches;
};

/* "proftorture " and argv joined by spaces, each word shell-quoted when it
 * needs it. malloc'd. */
char *config_command_line(int argc, char *const *argv);

/* Fills c (zeroed first) for a matrix whose cells run on the given arches
 * (names, NULL-terminated; each looked up in t, unknown names skipped). */
void config_collect(struct run_config *c, const struct arch_table *t, char *const *arches,
		    const char *command_line);

/* Adds one arch's record (copies of the strings; NULL allowed). */
void config_add_arch(struct run_config *c, const char *arch, const char *emulator,
		     const char *compiler);

/* Merges src into dst by the rule above. */
void config_merge(struct run_config *dst, const struct run_config *src);

void config_free(struct run_config *c);

#endif
