/* cli: what the subcommands share on the command line. Contract: cli.h. */
#define _GNU_SOURCE
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger.h"
#include "util.h"

void cli_die(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "proftorture %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(PROTOCOL_EXIT_USAGE);
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
