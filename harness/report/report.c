#define _GNU_SOURCE
#include "report.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell_kind.h"
#include "cli.h"
#include "html.h"
#include "ledger.h"
#include "report_html.h"
#include "stats.h"
#include "summary.h"

#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

static const char *match_word(const struct cell_verdict *v)
{
	return v->measured ? "measured" : v->skipped ? "skip" : v->matches ? "ok" : "MISMATCH";
}

static size_t widest(const struct matrix *m, size_t min, const char *(*get)(const struct cell *))
{
	size_t w = min;
	for (size_t i = 0; i < m->ncells; i++) {
		size_t n = strlen(get(&m->cells[i]));
		if (n > w)
			w = n;
	}
	return w;
}

static const char *get_arch(const struct cell *c) { return c->arch; }
static const char *get_case(const struct cell *c) { return c->case_name; }
static const char *get_variant(const struct cell *c) { return c->variant; }
static const char *get_atomics(const struct cell *c) { return c->atomics; }

/* The head of slot i: its word in every kind the matrix has (cell_kind.h),
 * upper case, distinct ones joined by '/': "CASE", "CASE/PROGRAM". */
static void slot_head(const struct matrix *m, int slot, char *out, size_t cap)
{
	struct sbuf b = { 0 };
	for (size_t i = 0; i < m->ncells; i++) {
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen |= m->cells[j].kind == m->cells[i].kind;
		const char *w = cell_kind_slot(m->cells[i].kind, slot);
		if (!seen && !strstr(sb_str(&b), w))
			sb_printf(&b, "%s%s", b.len ? "/" : "", w);
	}
	snprintf(out, cap, "%s", b.len ? b.s : cell_kind_slot(NULL, slot));
	for (char *p = out; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	sb_free(&b);
}

void report_table(const struct matrix *m, bool colour, struct sbuf *b)
{
	char head[3][64];
	for (int i = 0; i < 3; i++)
		slot_head(m, i, head[i], sizeof head[i]);
	int wa = (int)widest(m, 4, get_arch), wc = (int)widest(m, strlen(head[0]), get_case),
	    wv = (int)widest(m, strlen(head[1]), get_variant),
	    wt = (int)widest(m, strlen(head[2]), get_atomics);
	int we = 6; /* EXPECT: as wide as its widest outcome set, e.g. corrupt|drift */
	for (size_t i = 0; i < m->ncells; i++) {
		char en[64];
		int n = (int)strlen(outcome_set_name(m->cells[i].expected, en, sizeof en));
		if (n > we)
			we = n;
	}
	sb_printf(b, "%s%-*s  %-*s  %-*s  %-*s  %-*s %5s  %-12s  %-8s  %s%s\n", colour ? BOLD : "",
		  wa, "ARCH", wc, head[0], wv, head[1], wt, head[2], we, "EXPECT", "RUNS", "VERDICT",
		  "MATCH", "NUMBERS", colour ? RESET : "");
	size_t bad = 0, skipped = 0, measured = 0;
	for (size_t i = 0; i < m->ncells; i++) {
		const struct cell *c = &m->cells[i];
		const struct cell_verdict *v = &c->verdict;
		const char *col = !colour ? "" : v->skipped ? YELLOW : v->matches ? GREEN : RED;
		if (v->skipped)
			skipped++;
		else if (!v->matches)
			bad++;
		measured += v->measured;
		char en[64];
		outcome_set_name(c->expected, en, sizeof en);
		sb_printf(b, "%-*s  %-*s  %-*s  %-*s  %-*s %5lu  %-12s  %s%-8s%s  %s\n", wa, c->arch,
			  wc, c->case_name, wv, c->variant, wt, c->atomics, we, en,
			  v->total, verdict_name(v->kind), col, match_word(v), colour ? RESET : "",
			  v->text);
	}
	for (size_t i = 0; i < m->ncells; i++) {
		const struct cell *c = &m->cells[i];
		if (!c->verdict.skipped && !c->verdict.matches)
			sb_printf(b, "%s!!!%s %s %s/%s/%s: %s\n", colour ? RED : "", colour ? RESET : "",
				  c->arch, c->case_name, c->variant, c->atomics, c->verdict.reason);
	}
	for (size_t i = 0; i < m->nunplanned; i++)
		sb_printf(b, "%s!!!%s %s NOT RUN: %s\n", colour ? RED : "", colour ? RESET : "",
			  m->unplanned[i].arch, m->unplanned[i].reason);
	size_t tested = m->ncells - skipped;
	if (m->interrupted)
		sb_puts(b, "INTERRUPTED: the numbers below cover only the runs that finished\n");
	if (matrix_matched(m))
		sb_printf(b, "%sSUCCESS%s: %zu of %zu cells matched the expected table%s%s\n",
			  colour ? GREEN : "", colour ? RESET : "", tested, tested,
			  skipped > measured ? " (some skipped as unsupported)" : "",
			  measured ? " (the measured cells have no verdict to match)" : "");
	else if (!tested)
		sb_printf(b, "%sFAILURE%s: no cell was tested\n", colour ? RED : "",
			  colour ? RESET : "");
	else if (bad)
		sb_printf(b, "%sFAILURE%s: %zu of %zu cells did not match the expected table%s\n",
			  colour ? RED : "", colour ? RESET : "", bad, tested,
			  m->nunplanned ? ", and some selected arches did not run (NOT RUN above)" : "");
	else
		sb_printf(b, "%sFAILURE%s: %zu of %zu cells matched, but %zu selected arch(es) did not run "
			  "(NOT RUN above)\n", colour ? RED : "", colour ? RESET : "", tested, tested,
			  m->nunplanned);
}

void report_contrasts(const struct matrix *m, struct sbuf *b)
{
	bool any = false;
	for (size_t i = 0; i < m->ncells; i++) {
		const struct cell *bug = &m->cells[i];
		if (bug->expected == OUTCOME_BIT(OUT_PASS) || bug->verdict.n == 0)
			continue;
		for (size_t j = 0; j < m->ncells; j++) {
			const struct cell *fix = &m->cells[j];
			if (fix->expected != OUTCOME_BIT(OUT_PASS) || fix->verdict.n == 0 ||
			    strcmp(bug->arch, fix->arch) || strcmp(bug->case_name, fix->case_name) ||
			    strcmp(bug->atomics, fix->atomics))
				continue;
			if (!any)
				sb_puts(b, "buggy vs fixed (Fisher's exact test, two-sided):\n");
			any = true;
			unsigned long bf = bug->verdict.failures, bn = bug->verdict.n;
			unsigned long ff = fix->verdict.failures, fn = fix->verdict.n;
			double p = stats_fisher_two_sided(bf, bn - bf, ff, fn - ff);
			sb_printf(b, "  %-7s %s: %s %lu/%lu failed vs %s %lu/%lu: p = %.3g%s\n", bug->arch,
				  bug->case_name, bug->variant, bf, bn, fix->variant, ff, fn, p,
				  p < 0.05 ? "" : "  (not significant at 5%)");
		}
	}
}

static double cell_time(const struct matrix *m, size_t ci)
{
	double t = 0;
	for (size_t i = 0; i < m->nruns; i++)
		if (m->runs[i].cell == ci && !isnan(m->runs[i].wall_s))
			t += m->runs[i].wall_s;
	return t;
}

/* A mismatched cell's <failure>: the reason, the numbers, and every run
 * that did not pass with its log. */
static void junit_failure(const struct matrix *m, size_t ci, struct sbuf *b)
{
	const struct cell_verdict *v = &m->cells[ci].verdict;
	sb_puts(b, "      <failure type=\"mismatch\" message=\"");
	xml_escape(b, v->reason);
	sb_puts(b, "\">");
	xml_escape(b, v->text);
	for (size_t r = 0; r < m->nruns; r++) {
		const struct run_record *rr = &m->runs[r];
		if (rr->cell != ci || rr->outcome == OUT_PASS)
			continue;
		sb_printf(b, "\nrun %u seed %llu: %s: ", rr->k, (unsigned long long)rr->seed,
			  outcome_name(rr->outcome));
		xml_escape(b, rr->why);
		if (rr->log) {
			sb_puts(b, " [");
			xml_escape(b, rr->log);
			sb_puts(b, "]");
		}
	}
	sb_puts(b, "</failure>\n");
}

static void junit_testcase(const struct matrix *m, size_t ci, struct sbuf *b)
{
	const struct cell *c = &m->cells[ci];
	const struct cell_verdict *v = &c->verdict;
	struct sbuf name = { 0 };
	sb_printf(&name, "%s/%s/%s", c->case_name, c->variant, c->atomics);
	sb_puts(b, "    <testcase classname=\"proftorture.");
	xml_escape(b, c->arch);
	sb_puts(b, "\" name=\"");
	xml_escape(b, name.s);
	sb_printf(b, "\" time=\"%.3f\">\n", cell_time(m, ci));
	sb_free(&name);
	if (v->skipped) {
		sb_puts(b, "      <skipped message=\"");
		xml_escape(b, v->reason);
		sb_puts(b, "\"/>\n");
	} else if (!v->matches) {
		junit_failure(m, ci, b);
	}
	char en[64];
	sb_printf(b, "      <system-out>expected %s; verdict %s: ",
		  outcome_set_name(c->expected, en, sizeof en), verdict_name(v->kind));
	xml_escape(b, v->text);
	sb_puts(b, "</system-out>\n    </testcase>\n");
}

void report_junit(const struct matrix *m, struct sbuf *b)
{
	size_t failures = 0, skipped = 0;
	double total = 0;
	for (size_t i = 0; i < m->ncells; i++) {
		const struct cell_verdict *v = &m->cells[i].verdict;
		if (v->skipped)
			skipped++;
		else if (!v->matches)
			failures++;
		total += cell_time(m, i);
	}
	sb_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	sb_printf(b, "<testsuites name=\"proftorture\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		     "skipped=\"%zu\" time=\"%.3f\">\n",
		  m->ncells, failures, skipped, total);
	sb_printf(b, "  <testsuite name=\"proftorture.%s\" tests=\"%zu\" failures=\"%zu\" "
		     "errors=\"0\" skipped=\"%zu\" time=\"%.3f\">\n",
		  m->command ? m->command : "run", m->ncells, failures, skipped, total);
	for (size_t i = 0; i < m->ncells; i++)
		junit_testcase(m, i, b);
	sb_puts(b, "  </testsuite>\n</testsuites>\n");
}

static void tap_text(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '#')
			sb_puts(b, "\\#");
		else if (c == '\n' || c == '\r')
			sb_putc(b, ' ');
		else if (c < 0x20 || c >= 0x7f)
			sb_putc(b, '?');
		else
			sb_putc(b, (char)c);
	}
}

void report_tap(const struct matrix *m, struct sbuf *b)
{
	sb_printf(b, "TAP version 13\n1..%zu\n", m->ncells);
	for (size_t i = 0; i < m->ncells; i++) {
		const struct cell *c = &m->cells[i];
		const struct cell_verdict *v = &c->verdict;
		sb_printf(b, "%s %zu - ", v->skipped || v->matches ? "ok" : "not ok", i + 1);
		struct sbuf d = { 0 };
		char en[64];
		sb_printf(&d, "%s %s/%s/%s expected %s: %s %s", c->arch, c->case_name, c->variant,
			  c->atomics, outcome_set_name(c->expected, en, sizeof en), verdict_name(v->kind),
			  v->text);
		tap_text(b, d.s);
		sb_free(&d);
		if (v->skipped) {
			sb_puts(b, " # SKIP ");
			tap_text(b, v->reason);
		}
		sb_putc(b, '\n');
		if (!v->skipped && !v->matches) {
			sb_puts(b, "  ---\n  message: ");
			struct sbuf r = { 0 };
			sb_puts(&r, v->reason);
			ut_sanitize(r.s);
			sb_putc(b, '"');
			for (const char *p = r.s; *p; p++) {
				if (*p == '"' || *p == '\\')
					sb_putc(b, '\\');
				sb_putc(b, *p == '\n' ? ' ' : *p);
			}
			sb_puts(b, "\"\n  ...\n");
			sb_free(&r);
		}
	}
}

/* ---- the stage ---- */

/* The files: summary.json in the out dir and on --json FILE, the page,
 * JUnit; each failure is counted by the ledger. kept: whether
 * summary.json and report.html were written. */
static void write_documents(const struct matrix *m, const struct report_outputs *o,
			    const struct sbuf *doc, bool kept[2])
{
	kept[0] = o->summary_path &&
		  ledger_write(LEDGER_DOCUMENT, o->summary_path, doc->s, doc->len, false) == 0;
	kept[1] = false;
	if (o->html_path) {
		char title[64];
		snprintf(title, sizeof title, "proftorture %s", o->cmd);
		struct html_report r = { title, o->outdir, o->outdir, NULL, NULL };
		kept[1] = report_html_write(m, &r, o->html_path) == 0;
	}
	if (o->json && strcmp(o->json, "-") != 0)
		cli_write_output(o->json, doc->s, doc->len);
	if (o->junit) {
		struct sbuf x = { 0 };
		report_junit(m, &x);
		cli_write_output(o->junit, x.s, x.len);
		sb_free(&x);
	}
}

/* The footer's end: where summary.json and report.html are, or that they
 * were not written (no line may point at a file that does not hold this
 * record). */
static void put_where(struct sbuf *b, const struct report_outputs *o, const bool kept[2])
{
	if (!o->summary_path) {
		sb_putc(b, '\n');
		return;
	}
	sb_printf(b, "; summary: %s%s\n", o->summary_path, kept[0] ? "" : " NOT WRITTEN");
	if (o->html_path)
		sb_printf(b, "report: %s%s\n", o->html_path, kept[1] ? "" : " NOT WRITTEN");
}

void report_all(const struct matrix *m, const struct report_outputs *o, const char *footer)
{
	bool json_stdout = o->json && strcmp(o->json, "-") == 0;
	struct sbuf table = { 0 }, doc = { 0 };
	bool kept[2];
	summary_write(m, &doc);
	write_documents(m, o, &doc, kept);
	report_table(m, o->tap || json_stdout ? false : cli_colour(), &table);
	report_contrasts(m, &table);
	sb_puts(&table, footer);
	put_where(&table, o, kept);
	if (o->tap || json_stdout)
		fputs(table.s, stderr);
	else
		ledger_put(stdout, "stdout", table.s, table.len);
	if (o->tap) {
		struct sbuf tap = { 0 };
		report_tap(m, &tap);
		ledger_put(stdout, "stdout", tap.s, tap.len);
		sb_free(&tap);
	}
	if (json_stdout)
		cli_write_output("-", doc.s, doc.len);
	sb_free(&doc);
	sb_free(&table);
}
