/*
 * proftorture bench — the benchmarks (docs/testing.md, "How fast, how close
 * to the ceiling, how much proof per second"). The measuring is done by
 * <root>/ci/bench (the same script `make bench` runs: it drives every arch's
 * torture binary and bench_profbuf side by side); this subcommand finds it
 * from the runner's own location and runs it with the arguments given.
 *
 * Its options are declared once, in ci/bench (argparse), which checks them
 * and prints its own --help after the paragraph below: declaring them here
 * as well would be a second copy that could drift from the script's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arches.h"
#include "cli.h"

int cmd_bench(int argc, char **argv)
{
	char *script = root_path("ci/bench");
	if (access(script, X_OK) != 0)
		cli_die("bench", "cannot run %s: %s (set PROFTORTURE_ROOT to the repository)", script,
			strerror(errno));
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: proftorture bench [options of ci/bench]\n\n"
			       "Runs %s: per arch, the signal-rate ceiling (torture --probe), the stress\n"
			       "rate and its ratio to the ceiling, time to first corruption of\n"
			       "unlocked-flush, near misses per second of the fixed variants, and profbuf\n"
			       "against a mutex ring, with the project's targets met or missed. Needs the\n"
			       "torture and bench_profbuf binaries: `make bench` builds them and runs this.\n\n",
			       script);
			fflush(stdout);
			break;
		}
	argv[0] = script;
	execv(script, argv);
	cli_die("bench", "cannot run %s: %s", script, strerror(errno));
}
