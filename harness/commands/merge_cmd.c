/*
 * `proftorture merge DIR...`: pools the runs of many summary.json files
 * (shards of one matrix, or repeated runs) into one verdict per cell. The
 * runs are the record; cells are recomputed from them, so pooled
 * statistics are exact. A (cell, seed) pair seen twice is an error
 * (overlapping shards would double-count), as is one cell expected
 * differently in two inputs; a shard missing from a set is a warning.
 * Then the same summarise and report stages as `run`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "ledger.h"
#include "options.h"
#include "report.h"
#include "summary.h"

struct merge_opts {
	const char *json, *junit;
	bool tap;
};

static const struct opt merge_table[] = {
	{ .name = "json", .arg = "FILE", .help = "the merged summary document to FILE ('-' = stdout)",
	  .kind = OPT_STRING, .at = OPT_AT(struct merge_opts, json) },
	{ .name = "junit", .arg = "FILE", .help = "JUnit XML, one testcase per cell",
	  .kind = OPT_STRING, .at = OPT_AT(struct merge_opts, junit) },
	{ .name = "tap", .help = "TAP on stdout (the table then goes to stderr)", .kind = OPT_FLAG,
	  .at = OPT_AT(struct merge_opts, tap) },
};

static const struct opts_program merge_program = {
	.name = "proftorture merge",
	.usage = "usage: proftorture merge [--json FILE] [--junit FILE] [--tap] DIR|FILE...\n\n"
		 "Combines the summary.json of each DIR (or the named FILEs) into one verdict per cell\n"
		 "with pooled statistics.\n",
	.epilog = "exit status: as for `proftorture run` (3: --json, --junit or stdout could not\n"
		  "be written; the LOST line on stderr says which).\n",
	.opts = merge_table,
	.nopts = OPTS_COUNT(merge_table),
	.usage_exit = PROTOCOL_EXIT_USAGE,
};

/* Which shards of a set were seen, to name the missing ones. */
struct shard_set {
	unsigned count;
	unsigned char seen[4096];
};

static void note_shard(struct shard_set *s, const struct summary_shard *in)
{
	if (!in->count)
		return;
	if (!s->count)
		s->count = in->count;
	if (in->count == s->count && in->index <= sizeof s->seen)
		s->seen[in->index - 1] = 1;
}

static void warn_missing_shards(const char *cmd, const struct shard_set *s)
{
	if (!s->count || s->count > sizeof s->seen)
		return;
	struct sbuf missing = { 0 };
	for (unsigned i = 0; i < s->count; i++)
		if (!s->seen[i])
			sb_printf(&missing, " %u", i + 1);
	if (missing.len)
		fprintf(stderr, "proftorture %s: warning: shards of %u missing:%s\n", cmd, s->count,
			missing.s);
	sb_free(&missing);
}

/* One input (a directory holding summary.json, or the file itself). */
static void merge_one(const char *cmd, struct matrix *m, const char *arg, struct shard_set *shards)
{
	struct stat st;
	bool dir = stat(arg, &st) == 0 && S_ISDIR(st.st_mode);
	struct sbuf path = { 0 };
	sb_printf(&path, dir ? "%s/summary.json" : "%s", arg);
	size_t len;
	char *text = ut_read_file(path.s, 1u << 30, &len);
	if (!text)
		cli_die(cmd, "cannot read %s: %s", path.s, strerror(errno));
	char err[512];
	struct summary_shard shard;
	/* artifact paths in the merged record stay relative to each input dir */
	if (summary_merge(m, text, len, dir ? arg : ".", &shard, err, sizeof err))
		cli_die(cmd, "%s (in %s)", err, path.s);
	note_shard(shards, &shard);
	free(text);
	sb_free(&path);
}

void merge_inputs(const char *cmd, struct matrix *m, char *const *inputs, size_t n)
{
	struct shard_set shards = { 0 };
	for (size_t i = 0; i < n; i++)
		merge_one(cmd, m, inputs[i], &shards);
	warn_missing_shards(cmd, &shards);
	matrix_summarize(m);
}

int cmd_merge(int argc, char **argv)
{
	struct merge_opts o = { 0 };
	int first = opts_parse(&merge_program, argc, argv, &o);
	if (first >= argc)
		opts_die(&merge_program, "no summary given (proftorture merge DIR...)");
	if (o.tap && o.json && strcmp(o.json, "-") == 0)
		opts_die(&merge_program, "--tap and --json - both want stdout; give --json a file");
	cli_check_output_file("merge", "--json", o.json);
	cli_check_output_file("merge", "--junit", o.junit);
	struct matrix m = { .command = "merge" };
	merge_inputs("merge", &m, argv + first, (size_t)(argc - first));

	struct sbuf footer = { 0 };
	sb_printf(&footer, "%zu runs from %d summaries", m.nruns, argc - first);
	struct report_outputs outs = { "merge", NULL, NULL, NULL, o.json, o.junit, o.tap };
	ledger_start("merge", NULL);
	report_all(&m, &outs, footer.s);
	sb_free(&footer);
	int rc = ledger_finish(matrix_matched(&m) ? PROTOCOL_RUNNER_EXIT_MATCHED
						  : PROTOCOL_RUNNER_EXIT_MISMATCH);
	matrix_free(&m);
	return rc;
}
