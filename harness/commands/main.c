/*
 * proftorture — the host-side runner: one subcommand per row of `commands`
 * below, each with its own --help. Run by a go_<goos>_<goarch>_exec name
 * (a symlink `go-exec install` made), it is that wrapper instead
 * (go_exec_cmd.c). Exit statuses: cli.h. The design: harness/README.md.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "spawn.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *what;
} commands[] = {
	{ "list", cmd_list, "arches (qemu/toolchain/torture present?), cases, variants, strategies,\n"
			    "and the expected-outcome table" },
	{ "run", cmd_run, "run arch x case x variant x strategy cells many times; verdict per cell" },
	{ "repro", cmd_repro, "reproduce golang/go#24991 on the repro arches (ci/arches.tsv's repro\n"
			      "column; exit 0 only when every cell matches cases/expected.tsv)" },
	{ "repro-go", cmd_repro_go, "golang/go#24991 in the real Go runtime (Debian's Go 1.19, stock and\n"
				    "regressed) on the repro arches, beside the C rebuild" },
	{ "stress", cmd_stress, "run any command over and over (natively or under qemu), group failures" },
	{ "merge", cmd_merge, "combine summary.json files (e.g. shards) into one verdict" },
	{ "report", cmd_report, "one self-contained HTML page (verdicts, plots, failures, configuration)\n"
				"from summary.json files; --markdown for a CI job summary" },
	{ "bench", cmd_bench, "signal-rate ceiling, stress rate, time to corruption, exposure" },
	{ "go-exec", cmd_go_exec, "install go_linux_<goarch>_exec wrappers: go test runs cross-compiled\n"
				  "tests under qemu (and the signal cannon) through them" },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fprintf(f, "usage: proftorture <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		fprintf(f, "  %-8s ", commands[i].name);
		for (const char *p = commands[i].what; *p; p++)
			if (*p == '\n')
				fputs("\n           ", f);
			else
				fputc(*p, f);
		fputc('\n', f);
	}
	fprintf(f, "\n`proftorture <command> --help` for each command's options.\n");
}

/* go_<goos>_<goarch>_exec: Go's name for a cross-arch exec wrapper. */
static bool is_wrapper_name(const char *base)
{
	size_t n = strlen(base);
	return n > 8 && strncmp(base, "go_", 3) == 0 && strcmp(base + n - 5, "_exec") == 0;
}

int main(int argc, char **argv)
{
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	base = base ? base + 1 : argc > 0 ? argv[0] : "";
	if (is_wrapper_name(base)) {
		spawn_install_signal_handlers();
		return go_exec_wrapper(base, argc, argv);
	}
	if (argc < 2) {
		usage(stderr);
		return PROTOCOL_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(cmd, commands[i].name)) {
			spawn_install_signal_handlers();
			return commands[i].fn(argc - 1, argv + 1);
		}
	fprintf(stderr, "proftorture: unknown command '%s'; allowed:", cmd);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(stderr, " %s", commands[i].name);
	fputc('\n', stderr);
	return PROTOCOL_EXIT_USAGE;
}
