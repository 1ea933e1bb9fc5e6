/*
 * `proftorture merge DIR...`: pools the runs of many summary.json files
 * (shards of one matrix, or repeated runs) into one verdict per cell. The
 * runs are the record; cells are recomputed from them, so pooled
 * statistics are exact. A (cell, seed) pair seen twice is an error
 * (overlapping shards would double-count), as is one cell expected
 * differently in two inputs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "json.h"
#include "matrix.h"
#include "report.h"
#include "util.h"

static void help(void)
{
	printf("usage: proftorture merge [--json FILE] [--junit FILE] [--tap] DIR|FILE...\n\n"
	       "Combines the summary.json of each DIR (or the named FILEs) into one verdict per cell\n"
	       "with pooled statistics. Exit status as for `run`.\n");
}

/* Reads the "shard" field to report missing shards. */
static void note_shard(const char *text, size_t len, unsigned *count, unsigned char *seen,
		       size_t seen_cap)
{
	struct json_limits lim = { 6, 20000000 };
	struct json_doc *d = json_parse(text, len, &lim, NULL, 0);
	const char *s;
	unsigned i, n;
	if (d && json_get_str(json_root(d), "shard", &s) && ut_parse_shard(s, &i, &n) == 0) {
		if (!*count)
			*count = n;
		if (n == *count && i <= seen_cap)
			seen[i - 1] = 1;
	}
	json_free(d);
}

int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = { { "json", required_argument, 0, 'J' },
					      { "junit", required_argument, 0, 'U' },
					      { "tap", no_argument, 0, 'T' },
					      { "help", no_argument, 0, 'h' },
					      { 0, 0, 0, 0 } };
	const char *json = NULL, *junit = NULL;
	bool tap = false;
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'J': json = optarg; break;
		case 'U': junit = optarg; break;
		case 'T': tap = true; break;
		case 'h': help(); return 0;
		default: cli_bad_option("merge", argv, c);
		}
	}
	if (optind >= argc)
		cli_die("merge", "no summary given (proftorture merge DIR...)");
	struct matrix m = { .command = "merge" };
	unsigned shard_count = 0;
	unsigned char seen[4096] = { 0 };
	for (int i = optind; i < argc; i++) {
		struct stat st;
		struct sbuf path = { 0 };
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			sb_printf(&path, "%s/summary.json", argv[i]);
		else
			sb_puts(&path, argv[i]);
		size_t len;
		char *text = ut_read_file(path.s, 1u << 30, &len);
		if (!text)
			cli_die("merge", "cannot read %s: %s", path.s, strerror(errno));
		char err[512];
		/* artifact paths in the merged record stay relative to each input dir */
		const char *base = S_ISDIR(st.st_mode) ? argv[i] : ".";
		if (matrix_merge_json(&m, text, len, base, err, sizeof err))
			cli_die("merge", "%s (in %s)", err, path.s);
		note_shard(text, len, &shard_count, seen, sizeof seen);
		free(text);
		sb_free(&path);
	}
	if (shard_count && shard_count <= sizeof seen) {
		struct sbuf missing = { 0 };
		for (unsigned i = 0; i < shard_count; i++)
			if (!seen[i])
				sb_printf(&missing, " %u", i + 1);
		if (missing.len)
			fprintf(stderr, "proftorture merge: warning: shards of %u missing:%s\n",
				shard_count, missing.s);
		sb_free(&missing);
	}
	matrix_summarize(&m);
	struct sbuf table = { 0 };
	report_table(&m, tap ? false : cli_colour(), &table);
	report_contrasts(&m, &table);
	sb_printf(&table, "%zu runs from %d summaries\n", m.nruns, argc - optind);
	if (tap) {
		fputs(table.s, stderr);
		struct sbuf t = { 0 };
		report_tap(&m, &t);
		fputs(t.s, stdout);
		sb_free(&t);
	} else {
		fputs(table.s, stdout);
	}
	fflush(stdout);
	sb_free(&table);
	if (json) {
		struct sbuf js = { 0 };
		matrix_to_json(&m, &js);
		cli_write_output("merge", json, js.s, js.len);
		sb_free(&js);
	}
	if (junit) {
		struct sbuf x = { 0 };
		report_junit(&m, &x);
		cli_write_output("merge", junit, x.s, x.len);
		sb_free(&x);
	}
	int rc = matrix_matched(&m) ? 0 : 1;
	matrix_free(&m);
	return rc;
}
