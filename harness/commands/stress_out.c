/*
 * stress_out: `proftorture stress --out DIR` (contract: stress.h). The run
 * sets become a matrix of the "command" kind (kind_command.c): a cell per
 * set (arch; program, the command's name; build, "run" or "baseline" and
 * "new"), a run record per finished run, and the arches NOT RUN as the
 * matrix's unplanned ones. From there it is the run report's own code:
 * summary.json (summary.h), report.html (report_html.h: a row per arch,
 * the time-to-failure curves, the signature groups with links to the
 * failure files), JUnit and TAP (report.h: a test case per set).
 *
 * A set is expected to pass; a baseline set is measured, not judged (its
 * failures are what the comparison is about). A run that failed is a
 * crash, or a timeout when its timeout stopped it, with its signature as
 * the why; one that --failure or --ignore did not count is a pass, as it
 * is to stress's numbers; a passing run of an unexercised set is vacuous,
 * so that set's cell is inconclusive, never clean.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell_kind.h"
#include "config.h"
#include "ledger.h"
#include "matrix.h"
#include "protocol.h"
#include "report.h"
#include "report_html.h"
#include "stress.h"
#include "summary.h"
#include "util.h"

static void add_runs(struct matrix *m, size_t cell, const struct stress_state *s,
		     const struct stress_set *set)
{
	bool vacuous = stress_set_verdict(s, set) == SV_UNEXERCISED;
	size_t skip = strlen(s->outdir);
	for (size_t i = 0; i < set->nruns; i++) {
		const struct stress_run *run = &set->runs[i];
		struct run_record *r = matrix_add_run(m);
		r->cell = cell;
		r->k = (unsigned)(run->index - 1);
		r->seed = run->index;
		if (strcmp(run->end, "spawn failed") == 0)
			r->outcome = OUT_ERROR;
		else if (run->failed)
			r->outcome = run->timed_out ? OUT_TIMEOUT : OUT_CRASH;
		else
			r->outcome = vacuous ? OUT_VACUOUS : OUT_PASS;
		snprintf(r->why, sizeof r->why, "%s",
			 run->failed ? run->sig : vacuous ? "no signal reached the program" : "");
		snprintf(r->exit_desc, sizeof r->exit_desc, "%s", run->end);
		r->wall_s = run->wall_s;
		r->first_failure_s = run->failed ? run->wall_s : NAN;
		r->handled = run->handled;
		/* failure files under DIR are named relative to it, as run's logs */
		if (run->file)
			r->log = xstrdup(strncmp(run->file, s->outdir, skip) == 0 &&
							 run->file[skip] == '/'
						 ? run->file + skip + 1
						 : run->file);
	}
}

static void fill_matrix(const struct stress_state *s, struct matrix *m)
{
	m->command = "stress";
	m->base_seed = 1;
	m->runs_per_cell = s->o.count;
	m->interrupted = s->interrupted != 0;
	m->elapsed = s->elapsed;
	char **names = xcalloc(s->nsets + 1, sizeof *names);
	for (size_t i = 0; i < s->nsets; i++) {
		const struct stress_set *set = &s->sets[i];
		/* the command's own name: with --baseline, cmds[0] is the baseline's */
		bool baseline = set->side && strcmp(set->side, "baseline") == 0;
		char *prog = xstrdup(s->cmds[!baseline && s->cmds[1] ? 1 : 0][0]);
		struct cell_id id = { &command_kind, set->arch_name, basename(prog),
				      set->side ? set->side : "run", "-" };
		size_t c = matrix_add_cell(m, &id, OUTCOME_BIT(OUT_PASS), "",
					   stress_set_cross(set));
		free(prog);
		m->cells[c].measured = baseline;
		add_runs(m, c, s, set);
		names[i] = (char *)set->arch_name;
	}
	for (size_t i = 0; i < s->nnot_run; i++)
		matrix_add_unplanned(m, s->not_run[i].arch, s->not_run[i].reason);
	config_collect(&m->config, s->table, names, s->command_line);
	free(names);
	matrix_summarize(m);
}

/* One document of the out directory; "NOT WRITTEN" on f when it was not. */
static void write_doc(const char *dir, const char *name, const struct sbuf *b, FILE *f)
{
	struct sbuf path = { 0 };
	sb_printf(&path, "%s/%s", dir, name);
	bool ok = ledger_write(LEDGER_DOCUMENT, path.s, b->s ? b->s : "", b->len, false) == 0;
	fprintf(f, "%s: %s%s\n", name, path.s, ok ? "" : " NOT WRITTEN");
	sb_free(&path);
}

void stress_write_out(const struct stress_state *s, FILE *f)
{
	struct matrix m = { 0 };
	fill_matrix(s, &m);
	struct sbuf b = { 0 }, path = { 0 };
	summary_write(&m, &b);
	write_doc(s->outdir, "summary.json", &b, f);
	b.len = 0;
	report_junit(&m, &b);
	write_doc(s->outdir, "junit.xml", &b, f);
	b.len = 0;
	report_tap(&m, &b);
	write_doc(s->outdir, "report.tap", &b, f);
	sb_printf(&path, "%s/report.html", s->outdir);
	struct html_report r = { "proftorture stress", s->outdir, s->outdir, NULL, NULL };
	bool ok = report_html_write(&m, &r, path.s) == 0;
	fprintf(f, "report.html: %s%s\n", path.s, ok ? "" : " NOT WRITTEN");
	sb_free(&b);
	sb_free(&path);
	matrix_free(&m);
}
