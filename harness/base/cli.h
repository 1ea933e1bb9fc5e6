/*
 * cli — the subcommands' entry points and what they share on the command
 * line. Options are declared with options/options.h (one table row each);
 * every bad option or bad combination ends in ONE line on stderr naming the
 * option and what is allowed, and exit status PROTOCOL_EXIT_USAGE, before
 * anything runs.
 *
 * Exit statuses: protocol/protocol.h's PROTOCOL_RUNNER_EXIT_* (and
 * PROTOCOL_EXIT_USAGE), the one place they are written.
 */
#ifndef HARNESS_CLI_H
#define HARNESS_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "protocol.h"

int cmd_list(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_repro(int argc, char **argv);
int cmd_repro_go(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_stress(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_go_exec(int argc, char **argv);
/* A go_<goos>_<goarch>_exec wrapper (go-exec install's symlinks), called
 * when the runner is run by such a name. */
int go_exec_wrapper(const char *name, int argc, char **argv);

struct matrix;
/* `merge`'s reading stage, shared with `report`: pools the summary.json of
 * each input (a directory holding one, or the file) into m -- runs, cells
 * and configuration; log paths relative to the working directory -- warns
 * of missing shards, and summarises. Dies (exit 2, as cmd) on an input it
 * cannot read or trust (summary_merge says which). */
void merge_inputs(const char *cmd, struct matrix *m, char *const *inputs, size_t n);

/* "proftorture <cmd>: <message>" on stderr, exit PROTOCOL_EXIT_USAGE. */
_Noreturn void cli_die(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ANSI colour on stdout: a terminal, NO_COLOR unset, TERM not "dumb". */
bool cli_colour(void);
/* Proves path writable before any work, without creating or touching it
 * (ut_output_writable); dies (exit 2) when it is not. "-" and NULL pass. */
void cli_check_output_file(const char *cmd, const char *opt, const char *path);
/* Writes a document to path (atomically: ut_write_file), or to stdout for
 * "-". A failure is counted and named by the ledger (ledger.h): the run
 * goes on, and ends with exit status PROTOCOL_RUNNER_EXIT_LOST. 0 or -1. */
int cli_write_output(const char *path, const char *data, size_t n);

#endif
