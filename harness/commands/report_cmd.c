/*
 * `proftorture report DIR|FILE... [-o FILE] [--bench FILE] [--markdown FILE]`:
 * one self-contained HTML page (report_html.h) from one or more
 * summary.json, pooled exactly as `merge` pools them (merge_inputs, the
 * same code), and optionally the verdict table as Markdown for a CI job
 * summary. `run` and `repro` write the same page as <out>/report.html
 * themselves; this command is for merged shards, old records, and adding a
 * bench.json.
 *
 * Exit status: 0 when everything asked for was written (whatever the
 * verdicts: the page says them), 2 on a usage error or an input it cannot
 * use, or an output found unwritable before anything was read; 3 when the
 * page or the Markdown could not be written after all (the LOST line on
 * stderr says which; the previous page, if any, is left whole).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_file.h"
#include "cli.h"
#include "ledger.h"
#include "options.h"
#include "report_html.h"

struct report_opts {
	const char *output, *bench, *markdown, *title;
};

static const struct opt report_table[] = {
	{ .name = "output", .short_name = 'o', .arg = "FILE",
	  .help = "the HTML page (default: DIR/report.html for one DIR, else\n"
		  "report.html); links to runs/ are relative to it",
	  .kind = OPT_STRING, .at = OPT_AT(struct report_opts, output) },
	{ .name = "bench", .arg = "FILE",
	  .help = "a bench.json (make bench writes build/bench.json): adds the\n"
		  "ceiling and stress rates per arch",
	  .kind = OPT_STRING, .at = OPT_AT(struct report_opts, bench) },
	{ .name = "markdown", .arg = "FILE",
	  .help = "also the verdict table as Markdown to FILE ('-' = stdout),\n"
		  "e.g. for $GITHUB_STEP_SUMMARY",
	  .kind = OPT_STRING, .at = OPT_AT(struct report_opts, markdown) },
	{ .name = "title", .arg = "TEXT", .help = "the page's heading (default: from the summaries)",
	  .kind = OPT_STRING, .at = OPT_AT(struct report_opts, title) },
};

static const struct opts_program report_program = {
	.name = "proftorture report",
	.usage = "usage: proftorture report [-o FILE] [--bench FILE] [--markdown FILE] DIR|FILE...\n\n"
		 "Writes one self-contained HTML page (no scripts, fonts or anything else from\n"
		 "elsewhere) from the summary.json of each DIR (or the named FILEs), pooled as\n"
		 "`proftorture merge` pools them: the verdict matrix, per arch the time to first\n"
		 "failure and the exposure behind clean verdicts, failure signatures with links\n"
		 "to the kept outputs, and the configuration to rerun it. Prints the page's path.\n",
	.epilog = "exit status: 0 written; 2 usage error, or an input or output it cannot use;\n"
		  "3 the page or the Markdown could not be written (the LOST line says which).\n",
	.opts = report_table,
	.nopts = OPTS_COUNT(report_table),
	.usage_exit = PROTOCOL_EXIT_USAGE,
};

/* DIR/report.html for one directory, else report.html here. malloc'd. */
static char *default_output(char *const *inputs, int n)
{
	struct stat st;
	struct sbuf b = { 0 };
	if (n == 1 && stat(inputs[0], &st) == 0 && S_ISDIR(st.st_mode))
		sb_printf(&b, "%s/report.html", inputs[0]);
	else
		sb_puts(&b, "report.html");
	return b.s;
}

/* Every input readable before the page is created, so a mistyped input
 * leaves no empty page behind (merge_inputs reads and checks them all). */
static void check_inputs_readable(char *const *inputs, int n)
{
	for (int i = 0; i < n; i++) {
		struct stat st;
		struct sbuf path = { 0 };
		bool dir = stat(inputs[i], &st) == 0 && S_ISDIR(st.st_mode);
		sb_printf(&path, dir ? "%s/summary.json" : "%s", inputs[i]);
		if (access(path.s, R_OK) != 0)
			cli_die("report", "cannot read %s: %s", path.s, strerror(errno));
		sb_free(&path);
	}
}

/* The page's heading: the command that made the record. */
static char *default_title(const struct matrix *m, int ninputs)
{
	struct sbuf b = { 0 };
	sb_printf(&b, "proftorture %s", m->command ? m->command : "report");
	if (ninputs > 1)
		sb_printf(&b, " (%d summaries pooled)", ninputs);
	return b.s;
}

static void write_markdown(const struct matrix *m, const char *path)
{
	struct sbuf md = { 0 };
	report_markdown(m, &md);
	cli_write_output(path, md.s, md.len);
	sb_free(&md);
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o = { 0 };
	int first = opts_parse(&report_program, argc, argv, &o);
	if (first >= argc)
		opts_die(&report_program, "no summary given (proftorture report DIR...)");
	char *output = o.output ? xstrdup(o.output) : default_output(argv + first, argc - first);
	if (strcmp(output, "-") == 0)
		opts_die(&report_program, "--output: give a file (links are relative to it)");
	check_inputs_readable(argv + first, argc - first);
	cli_check_output_file("report", "--output", output);
	cli_check_output_file("report", "--markdown", o.markdown);
	struct bench bench;
	char err[512];
	if (o.bench && bench_load(o.bench, &bench, err, sizeof err))
		cli_die("report", "--bench: %s", err);

	struct matrix m = { 0 };
	merge_inputs("report", &m, argv + first, (size_t)(argc - first));
	char *title = o.title ? xstrdup(o.title) : default_title(&m, argc - first);
	char *dir_copy = xstrdup(output);
	struct html_report r = { title, dirname(dir_copy), ".", o.bench ? &bench : NULL,
				 argv + first };
	ledger_start("report", NULL);
	bool written = report_html_write(&m, &r, output) == 0;
	if (o.markdown)
		write_markdown(&m, o.markdown);
	/* stdout may carry the Markdown; the page's path then goes to stderr */
	if (written)
		fprintf(o.markdown && strcmp(o.markdown, "-") == 0 ? stderr : stdout, "report: %s\n",
			output);
	if (o.bench)
		bench_free(&bench);
	matrix_free(&m);
	free(title);
	free(dir_copy);
	free(output);
	return ledger_finish(0);
}
