/*
 * options — each command-line option declared once.
 *
 * A program describes its options as one table of struct opt rows: the
 * name, the argument's name, the help text, the default and how to parse it.
 * Everything else follows from that row: the getopt_long table, the --help
 * text, the defaults (parsed exactly like a user's value, so a default can
 * never be one the parser would refuse) and every error message. Used by
 * `torture` (cases/options.c) and by every `proftorture` subcommand.
 *
 * Contract
 * --------
 * - opts_parse applies every row's default, then the arguments in order (a
 *   later value replaces an earlier one), then returns the index of the
 *   first argument that is not an option. Nothing is left half-parsed: on
 *   any error it prints ONE line to stderr,
 *       PROGRAM: --name: 'VALUE' is not ...; (see PROGRAM --help)
 *   and exits with the program's usage status. --help (every program has
 *   it, added here; -h too, unless a row claims that letter) prints the
 *   help on stdout and exits 0.
 * - With PROFTORTURE_ARGS_ONLY=1 in the environment, a successful parse
 *   prints `PROGRAM: arguments ok` and exits 0 before the program does
 *   anything: the docs' example test checks every documented command line
 *   this way (the ci/ scripts the docs name honour the same variable).
 * - Checks that involve two options are the caller's, made right after
 *   opts_parse returns and before any work starts (opts_die for the
 *   message), never after.
 * - Values are stored in the caller's struct at the row's offset. STRING
 *   values point into argv (or the default), never copied; LIST values are
 *   malloc'd NULL-terminated vectors (opts_free_list). Single-threaded; not
 *   for signal context.
 */
#ifndef PROFTORTURE_OPTIONS_H
#define PROFTORTURE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum opt_kind {
	OPT_FLAG,    /* bool = true; no argument */
	OPT_STRING,  /* const char * */
	OPT_UINT,    /* uint64_t, a whole number in [min, max] */
	OPT_INT,     /* int, a whole number in [min, max] */
	OPT_DOUBLE,  /* double in [min, max] */
	OPT_SECONDS, /* double seconds in [min, max]: 1.5, 90s, 500ms, 2m, 1h30m */
	OPT_CHOICE,  /* int: the index of the value in choices */
	OPT_LIST,    /* char **: a comma list, each item in choices (any item when
		      * choices is NULL); empty items are dropped, an empty list is
		      * an error */
	OPT_CUSTOM,  /* parse(arg, field, why, cap): 0, or -1 with why ("is not ...") */
};

struct opt {
	const char *name;  /* long name, without the dashes */
	char short_name;   /* or 0 */
	const char *arg;   /* the argument's name in --help (NULL for flags) */
	const char *help;  /* may hold '\n' for more lines */
	const char *def;   /* default, parsed before argv; NULL: the field is left as is */
	enum opt_kind kind;
	size_t at;         /* OPT_AT(type, field): where the value goes */
	size_t given_at;   /* OPT_GIVEN(type, field): a bool set when the option is given, or 0 */
	double min, max;   /* UINT, INT, DOUBLE, SECONDS (max 0: no upper limit) */
	const char *const *choices; /* CHOICE, LIST: NULL-terminated */
	int (*parse)(const char *arg, void *field, char *why, size_t cap); /* CUSTOM */
	const char *group; /* a heading printed in --help before this row */
};

#define OPT_AT(type, field) offsetof(type, field)
#define OPT_GIVEN(type, field) (offsetof(type, field) + 1)

struct opts_program {
	const char *name;      /* "torture", "proftorture run": starts every message */
	const char *usage;     /* the first lines of --help */
	const char *epilog;    /* the last lines of --help (exit statuses, ...) or NULL */
	const struct opt *opts;
	size_t nopts;
	int usage_exit;        /* the exit status of a usage error */
	bool stop_at_operand;  /* stop at the first operand (a command to run) */
};

#define OPTS_COUNT(table) (sizeof(table) / sizeof((table)[0]))

int opts_parse(const struct opts_program *p, int argc, char **argv, void *dst);
void opts_help(const struct opts_program *p, FILE *f);
_Noreturn void opts_die(const struct opts_program *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void opts_free_list(char **v);

/* The parsers behind the kinds, for callers with values of their own. Each
 * takes the whole string or fails: 0 or -1. */
int opts_parse_u64(const char *s, uint64_t *out);
int opts_parse_double(const char *s, double *out);
int opts_parse_seconds(const char *s, double *out); /* >= 0 */

#endif
