/*
 * proftorture — the host-side runner. Subcommands:
 *   list     what can run here: arches, tools, stress binaries, expectations
 *   run      run a matrix of cells many times, classify, judge, report
 *   repro    `run` preset to reproduce golang/go#24991 on arm and mips
 *   stress   x/tools/cmd/stress for any command, natively or under qemu
 *   merge    pool the summary.json of several runs or shards
 *   bench    how fast evidence comes (runs ci/bench)
 * Each has --help. Exit statuses: see cli.h.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "spawn.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: proftorture <command> [options]\n\n"
		"commands:\n"
		"  list     arches (qemu/toolchain/stress present?), cases, variants, strategies,\n"
		"           and the expected-outcome table\n"
		"  run      run arch x case x variant x strategy cells many times; verdict per cell\n"
		"  repro    reproduce golang/go#24991 on armel, armhf, mips, mipsel (exit 0 only\n"
		"           when every cell matches cases/expected.tsv)\n"
		"  stress   run any command over and over (natively or under qemu), group failures\n"
		"  merge    combine summary.json files (e.g. shards) into one verdict\n"
		"  bench    signal-rate ceiling, stress rate, time to corruption, exposure\n\n"
		"`proftorture <command> --help` for each command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "list", cmd_list }, { "run", cmd_run }, { "repro", cmd_repro },
		{ "stress", cmd_stress }, { "merge", cmd_merge }, { "bench", cmd_bench },
	};
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (!strcmp(cmd, cmds[i].name)) {
			spawn_install_signal_handlers();
			return cmds[i].fn(argc - 1, argv + 1);
		}
	fprintf(stderr, "proftorture: unknown command '%s'; allowed: list run repro stress merge bench\n",
		cmd);
	return 2;
}
