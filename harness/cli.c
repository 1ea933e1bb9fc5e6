/* cli: what the subcommands share on the command line. Contract: cli.h. */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger.h"
#include "options.h"
#include "util.h"

void cli_die(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "proftorture %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(CLI_EXIT_USAGE);
}

void cli_bad_option(const char *cmd, char **argv, int c)
{
	extern int optind, optopt;
	const char *arg = argv[optind - 1];
	if (c == ':')
		cli_die(cmd, "option %s needs a value (see proftorture %s --help)", arg, cmd);
	if (optopt)
		cli_die(cmd, "unknown option -%c (see proftorture %s --help)", optopt, cmd);
	cli_die(cmd, "unknown option %s (see proftorture %s --help)", arg, cmd);
}

uint64_t cli_u64(const char *cmd, const char *opt, const char *arg, uint64_t min, uint64_t max)
{
	uint64_t v;
	if (opts_parse_u64(arg, &v) || v < min || v > max)
		cli_die(cmd, "%s: '%s' is not an integer in [%llu, %llu]", opt, arg,
			(unsigned long long)min, (unsigned long long)max);
	return v;
}

double cli_seconds(const char *cmd, const char *opt, const char *arg, double min)
{
	double v;
	if (opts_parse_seconds(arg, &v) || v < min)
		cli_die(cmd, "%s: '%s' is not a duration >= %gs (e.g. 1.5, 90s, 500ms, 2m, 1h30m)", opt,
			arg, min);
	return v;
}

bool cli_colour(void)
{
	const char *term = getenv("TERM");
	return isatty(1) && !getenv("NO_COLOR") && !(term && strcmp(term, "dumb") == 0);
}

void cli_check_output_file(const char *cmd, const char *opt, const char *path)
{
	char err[512];
	if (path && strcmp(path, "-") != 0 && ut_output_writable(path, err, sizeof err) < 0)
		cli_die(cmd, "%s: %s", opt, err);
}

int cli_write_output(const char *path, const char *data, size_t n)
{
	if (strcmp(path, "-") != 0)
		return ledger_write(LEDGER_DOCUMENT, path, data, n, false);
	return ledger_put(stdout, "stdout", data, n);
}
