/*
 * cli — the subcommands' entry points and the option-parsing helpers they
 * share. Every bad option ends in ONE line on stderr naming the option and
 * the allowed values, and exit status 2 (cli_die).
 *
 * Exit statuses of the runner (all subcommands):
 *   0  every tested cell matched the expected table (stress: no failures)
 *   1  some cell did not match / was inconclusive (stress: failures seen)
 *   2  usage or setup error; nothing was run
 *   128+N  interrupted by signal N after printing the summary of what
 *      finished (stress: interruption is its normal end, so 0/1 as above)
 */
#ifndef HARNESS_CLI_H
#define HARNESS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int cmd_list(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_repro(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_stress(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* "proftorture <cmd>: <message>" on stderr, exit 2. */
_Noreturn void cli_die(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* For getopt_long's '?' and ':' returns: names the bad or valueless option. */
_Noreturn void cli_bad_option(const char *cmd, char **argv, int c);

uint64_t cli_u64(const char *cmd, const char *opt, const char *arg, uint64_t min, uint64_t max);
double cli_seconds(const char *cmd, const char *opt, const char *arg, double min);
double cli_double(const char *cmd, const char *opt, const char *arg, double min, double max);

/* Every item of the comma list must be in allowed (NULL-terminated). */
char **cli_list(const char *cmd, const char *opt, const char *arg, const char *const *allowed);

/* ANSI colour on stdout: a terminal, NO_COLOR unset, TERM not "dumb". */
bool cli_colour(void);
/* Writes data to path, or stdout for "-". Dies (exit 2) on failure. */
void cli_write_output(const char *cmd, const char *path, const char *data, size_t n);

#endif
