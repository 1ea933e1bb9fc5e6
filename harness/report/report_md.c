/* report_md: the verdict table as GitHub-flavoured Markdown, for a CI job
 * summary ($GITHUB_STEP_SUMMARY). Contract: report_html.h. */
#define _GNU_SOURCE
#include "report_html.h"

#include <stdio.h>
#include <string.h>

/* One table cell's text: nothing in it may end the cell, start markup or
 * become HTML. */
static void md_text(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '<')
			sb_puts(b, "&lt;");
		else if (c == '>')
			sb_puts(b, "&gt;");
		else if (c == '&')
			sb_puts(b, "&amp;");
		else if (strchr("|*_`[]\\#~", c))
			sb_printf(b, "\\%c", c);
		else if (c == '\n' || c == '\r' || c == '\t')
			sb_putc(b, ' ');
		else if (c < 0x20 || c >= 0x7f)
			sb_putc(b, '?');
		else
			sb_putc(b, (char)c);
	}
}

static void md_row(struct sbuf *b, const char *const *fields, size_t n)
{
	sb_puts(b, "|");
	for (size_t i = 0; i < n; i++) {
		sb_putc(b, ' ');
		md_text(b, fields[i]);
		sb_puts(b, " |");
	}
	sb_putc(b, '\n');
}

static void md_status(const struct matrix *m, struct sbuf *b)
{
	size_t tested = 0, bad = 0;
	for (size_t i = 0; i < m->ncells; i++) {
		tested += !m->cells[i].verdict.skipped;
		bad += !m->cells[i].verdict.skipped && !m->cells[i].verdict.matches;
	}
	char el[32];
	ut_format_duration(el, sizeof el, m->elapsed);
	if (matrix_matched(m))
		sb_printf(b, "### proftorture: SUCCESS, %zu of %zu cells matched the expected table",
			  tested, tested);
	else if (!tested)
		sb_puts(b, "### proftorture: FAILURE, no cell was tested");
	else
		sb_printf(b, "### proftorture: FAILURE, %zu of %zu cells did not match the expected table",
			  bad, tested);
	sb_printf(b, "\n\n%zu runs in %s%s.\n\n", m->nruns, el,
		  m->interrupted ? "; INTERRUPTED: only the runs that finished are counted" : "");
}

void report_markdown(const struct matrix *m, struct sbuf *b)
{
	static const char *const head[] = { "arch", "case", "variant", "atomics", "expected",
					    "runs", "verdict", "match", "numbers" };
	md_status(m, b);
	md_row(b, head, 9);
	sb_puts(b, "|---|---|---|---|---|--:|---|---|---|\n");
	for (size_t i = 0; i < m->ncells; i++) {
		const struct cell *c = &m->cells[i];
		const struct cell_verdict *v = &c->verdict;
		char en[64], runs[32];
		snprintf(runs, sizeof runs, "%lu", v->total);
		const char *fields[9] = { c->arch, c->case_name, c->variant, c->atomics,
					  outcome_set_name(c->expected, en, sizeof en), runs,
					  verdict_name(v->kind),
					  v->measured ? "measured" : v->skipped ? "skip"
						      : v->matches ? "ok" : "MISMATCH",
					  v->text };
		md_row(b, fields, 9);
	}
	if (m->config.commit) {
		sb_puts(b, "\ncommit ");
		md_text(b, m->config.commit);
		sb_puts(b, "\n");
	}
}
