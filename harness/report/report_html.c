/* report_html: the page, its verdict matrix, its failure signatures and
 * its configuration. The plots: report_plots.c. Contract: report_html.h. */
#define _GNU_SOURCE
#include "report_html.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cell_kind.h"
#include "html.h"
#include "ledger.h"
#include "signature.h"
#include "summary.h"

#define SIG_EXAMPLES 3 /* links per signature; the rest are counted */

static const char page_css[] =
	"body{font-family:system-ui,'DejaVu Sans',Arial,sans-serif;color:#1e1e1e;margin:0 auto;"
	"padding:20px 28px 40px;max-width:1320px;background:#fff}\n"
	"h1{font-size:24px;margin:0 0 6px}h2{font-size:19px;margin:30px 0 8px;"
	"border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:16px;margin:18px 0 6px}\n"
	"p.lead{margin:4px 0 14px;color:#444}\n"
	".status{display:inline-block;padding:3px 10px;border-radius:4px;font-weight:700;color:#fff;"
	"margin-right:8px}.status.success{background:#2e7d32}.status.failure{background:#b00020}\n"
	"table.matrix{border-collapse:separate;border-spacing:5px;margin:4px 0 10px}\n"
	"table.matrix th{font-size:13px;text-align:left;padding:2px 6px;color:#333}\n"
	"table.matrix th.row{white-space:nowrap;vertical-align:middle}\n"
	"td.cell{vertical-align:top;padding:7px 9px;border-radius:6px;min-width:190px;"
	"font-size:12.5px;line-height:1.4;border:3px solid transparent}\n"
	"td.none{background:repeating-linear-gradient(45deg,#fafafa,#fafafa 6px,#f0f0f0 6px,"
	"#f0f0f0 12px);border-radius:6px}\n"
	".v-reproduced{background:#f7c5bf}.v-clean{background:#c9e7cc}"
	".v-inconclusive{background:#e3e3e3}.v-unsupported{background:#f3f3f3;color:#777}\n"
	"td.cell.mismatch{border-color:#b00020}\n"
	"td.cell .verdict{font-weight:700;font-size:14px}td.cell .num{font-variant-numeric:tabular-nums}\n"
	".badge{display:inline-block;margin-top:3px;font-size:11.5px;font-weight:600;color:#1b5e20}\n"
	".badge.mismatch{background:#b00020;color:#fff;padding:0 5px;border-radius:3px}\n"
	".badge.skip{color:#777}\n"
	".key{display:flex;gap:14px;flex-wrap:wrap;font-size:12.5px;margin:2px 0 8px;color:#333}\n"
	".key span.sw{display:inline-block;width:14px;height:14px;border-radius:3px;"
	"vertical-align:-2px;margin-right:5px;border:2px solid transparent}\n"
	".arch{border:1px solid #ddd;border-radius:8px;padding:8px 14px 12px;margin:14px 0}\n"
	".figs{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}\n"
	".fig{flex:0 0 auto}.fig p{font-size:12.5px;color:#555;margin:2px 0 4px;max-width:560px}\n"
	"svg.plot text{font-size:11.5px;fill:#333}svg.plot .title{font-size:12.5px;font-weight:600}\n"
	"svg.plot .axis line{stroke:#555}svg.plot .grid line{stroke:#e8e8e8}\n"
	"svg.plot .marker line{stroke:#888}svg.plot .marker text{fill:#666}\n"
	"table.list{border-collapse:collapse;font-size:13px;margin:6px 0}\n"
	"table.list th,table.list td{text-align:left;padding:4px 10px;border-bottom:1px solid #eee;"
	"vertical-align:top}table.list th{background:#f6f6f6;white-space:nowrap}\n"
	"code{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:12px;"
	"background:#f4f4f4;padding:1px 4px;border-radius:3px;overflow-wrap:anywhere}\n"
	"a{color:#0b57d0}table.signatures div.run{white-space:nowrap}\n";

/* ---- the matrix ---- */

/* Distinct values of one name, in order of first appearance. */
struct names {
	const char **v;
	size_t n;
};

static void names_add(struct names *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return;
	s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	s->v[s->n++] = name;
}

static const struct cell *find_cell(const struct matrix *m, const struct cell *like,
				    const char *arch, const char *atomics, const char *variant)
{
	for (size_t i = 0; i < m->ncells; i++) {
		const struct cell *c = &m->cells[i];
		if (c->kind == like->kind && !strcmp(c->case_name, like->case_name) &&
		    !strcmp(c->arch, arch) && !strcmp(c->atomics, atomics) &&
		    !strcmp(c->variant, variant))
			return c;
	}
	return NULL;
}

/* The lines of numbers in one cell. */
static void cell_numbers(const struct cell *c, struct sbuf *b)
{
	const struct cell_verdict *v = &c->verdict;
	char n1[32];
	unsigned long void_runs = v->total - v->n;
	if (v->kind == V_REPRODUCED) {
		sb_printf(b, "<div class=\"num\">%lu/%lu runs failed</div>", v->failures, v->n);
		sb_printf(b, "<div class=\"num\">95%% CI %.1f&ndash;%.1f%%</div>", 100 * v->ci.lo,
			  100 * v->ci.hi);
		if (!isnan(v->ttff_median))
			sb_printf(b, "<div class=\"num\">first failure: median %.3g s, p90 %.3g s</div>",
				  v->ttff_median, v->ttff_p90);
	} else if (v->kind == V_CLEAN) {
		sb_printf(b, "<div class=\"num\">0/%lu runs failed</div>", v->n);
		sb_printf(b, "<div class=\"num\">&lt; %.3g%% per run (95%%)</div>", 100 * v->bound_run);
		if (c->tally.near_misses > 0)
			sb_printf(b, "<div class=\"num\">&lt; %.2g per near miss (%s)</div>",
				  v->bound_near, html_count(c->tally.near_misses, n1, sizeof n1));
	} else if (v->kind == V_INCONCLUSIVE) {
		sb_printf(b, "<div class=\"num\">%lu informative of %lu runs</div>", v->n, v->total);
	}
	sb_printf(b, "<div class=\"num\">%lu run%s", v->total, v->total == 1 ? "" : "s");
	if (void_runs && v->kind != V_UNSUPPORTED)
		sb_printf(b, " (%lu void: vacuous, error or unsupported)", void_runs);
	sb_puts(b, "</div>");
}

static void cell_td(const struct cell *c, struct sbuf *b)
{
	const struct cell_verdict *v = &c->verdict;
	char en[64];
	outcome_set_name(c->expected, en, sizeof en);
	const char *match = v->skipped ? "skip" : v->matches ? "ok" : "mismatch";
	sb_printf(b, "<td class=\"cell v-%s %s\" data-cell=\"", verdict_name(v->kind), match);
	html_textf(b, "%s %s/%s/%s", c->arch, c->case_name, c->variant, c->atomics);
	sb_puts(b, "\" title=\"");
	html_textf(b, "%s -- %s", v->text, v->reason);
	sb_printf(b, "\"><div class=\"verdict\">%s</div>", verdict_name(v->kind));
	cell_numbers(c, b);
	if (v->measured)
		sb_puts(b, "<span class=\"badge skip\">measured, not judged</span>");
	else if (v->skipped)
		sb_puts(b, "<span class=\"badge skip\">skipped</span>");
	else if (v->matches)
		sb_puts(b, "<span class=\"badge ok\">&#10003; as expected: ");
	else
		sb_puts(b, "<span class=\"badge mismatch\">&#10007; MISMATCH: expected ");
	if (!v->skipped) {
		html_text(b, en);
		sb_puts(b, "</span>");
	}
	sb_puts(b, "</td>");
}

static bool same_table(const struct cell *a, const struct cell *b)
{
	return a->kind == b->kind && strcmp(a->case_name, b->case_name) == 0;
}

/* True when cell i is the first of its table row (arch, atomics). */
static bool opens_row(const struct matrix *m, size_t i)
{
	const struct cell *c = &m->cells[i];
	for (size_t j = 0; j < i; j++) {
		const struct cell *d = &m->cells[j];
		if (same_table(c, d) && !strcmp(d->arch, c->arch) && !strcmp(d->atomics, c->atomics))
			return false;
	}
	return true;
}

static void table_head(const struct cell *first, const struct names *variants, struct sbuf *b)
{
	sb_printf(b, "<h3>%s ", cell_kind_slot(first->kind, 0));
	html_text(b, first->case_name);
	if (first->kind != &torture_kind) {
		sb_puts(b, " <small>(kind ");
		html_text(b, first->kind->name);
		sb_puts(b, ")</small>");
	}
	sb_printf(b, "</h3>\n<table class=\"matrix\"><tr><th>arch</th><th>%s</th>",
		  cell_kind_slot(first->kind, 2));
	for (size_t k = 0; k < variants->n; k++) {
		sb_puts(b, "<th>");
		html_text(b, variants->v[k]);
		sb_puts(b, "</th>");
	}
	sb_puts(b, "</tr>\n");
}

/* One table: the cells of one kind and case; a row per (arch, atomics), a
 * column per variant. */
static void matrix_table(const struct matrix *m, const struct cell *first, struct sbuf *b)
{
	struct names variants = { 0 };
	for (size_t i = 0; i < m->ncells; i++)
		if (same_table(&m->cells[i], first))
			names_add(&variants, m->cells[i].variant);
	table_head(first, &variants, b);
	for (size_t i = 0; i < m->ncells; i++) {
		const struct cell *c = &m->cells[i];
		if (!same_table(c, first) || !opens_row(m, i))
			continue;
		sb_puts(b, "<tr><th class=\"row\">");
		html_text(b, c->arch);
		sb_puts(b, "</th><th class=\"row\">");
		html_text(b, c->atomics);
		sb_puts(b, "</th>");
		for (size_t k = 0; k < variants.n; k++) {
			const struct cell *x = find_cell(m, c, c->arch, c->atomics, variants.v[k]);
			if (x)
				cell_td(x, b);
			else
				sb_puts(b, "<td class=\"none\"></td>");
		}
		sb_puts(b, "</tr>\n");
	}
	sb_puts(b, "</table>\n");
	free(variants.v);
}

static void colour_key(struct sbuf *b)
{
	sb_puts(b, "<div class=\"key\">"
		   "<span><span class=\"sw v-reproduced\"></span>reproduced: at least one run failed</span>"
		   "<span><span class=\"sw v-clean\"></span>clean: no run failed</span>"
		   "<span><span class=\"sw v-inconclusive\"></span>inconclusive</span>"
		   "<span><span class=\"sw v-unsupported\"></span>unsupported here</span>"
		   "<span><span class=\"sw\" style=\"border-color:#b00020\"></span>outlined: does not "
		   "match cases/expected.tsv</span></div>\n");
}

static void html_matrix(const struct matrix *m, struct sbuf *b)
{
	sb_puts(b, "<h2 id=\"matrix\">Verdicts</h2>\n<p class=\"lead\">One cell per cell of the "
		   "matrix: its verdict, failures of the informative runs with the 95% "
		   "Clopper&ndash;Pearson interval (reproduced) or the one-sided 95% bound zero "
		   "failures buy (clean), and whether it matches the expected table.</p>\n");
	colour_key(b);
	for (size_t i = 0; i < m->ncells; i++) {
		bool first = true;
		for (size_t j = 0; j < i && first; j++)
			first = !same_table(&m->cells[j], &m->cells[i]);
		if (first)
			matrix_table(m, &m->cells[i], b);
	}
}

/* ---- failure signatures ---- */

struct sig_group {
	char key[SIG_MAX + 32]; /* "outcome: normalised why" */
	size_t *runs, n;
};

/* The non-passing runs grouped by signature, most frequent first. */
static struct sig_group *group_signatures(const struct matrix *m, size_t *ngroups)
{
	struct sig_group *g = NULL;
	size_t n = 0;
	for (size_t i = 0; i < m->nruns; i++) {
		const struct run_record *r = &m->runs[i];
		if (r->outcome == OUT_PASS)
			continue;
		char norm[SIG_MAX], key[sizeof g->key];
		sig_normalize(r->why, strlen(r->why), norm, sizeof norm);
		const char *oc = outcome_name(r->outcome);
		size_t ol = strlen(oc);
		if (strncmp(norm, oc, ol) == 0 && norm[ol] == ':') /* the why names it already */
			snprintf(key, sizeof key, "%s", norm);
		else
			snprintf(key, sizeof key, "%s: %s", oc, norm);
		size_t k = 0;
		while (k < n && strcmp(g[k].key, key) != 0)
			k++;
		if (k == n) {
			g = xrealloc(g, (n + 1) * sizeof *g);
			memset(&g[n], 0, sizeof *g);
			snprintf(g[n++].key, sizeof g->key, "%s", key);
		}
		g[k].runs = xrealloc(g[k].runs, (g[k].n + 1) * sizeof *g[k].runs);
		g[k].runs[g[k].n++] = i;
	}
	for (size_t a = 1; a < n; a++) /* stable: ties keep their first appearance */
		for (size_t k = a; k > 0 && g[k].n > g[k - 1].n; k--) {
			struct sig_group t = g[k];
			g[k] = g[k - 1];
			g[k - 1] = t;
		}
	*ngroups = n;
	return g;
}

/* A link to a file a run left, relative to the page; nothing when the
 * file is not there (a report made from a summary without its runs/). */
static void file_link(const struct html_report *r, const char *rel, const char *text,
		      struct sbuf *b)
{
	struct sbuf path = { 0 };
	if (rel[0] == '/' || !r->logs_dir)
		sb_puts(&path, rel);
	else
		sb_printf(&path, "%s/%s", r->logs_dir, rel);
	if (access(path.s, R_OK) == 0) {
		char *link = r->report_dir ? html_relative_link(path.s, r->report_dir) : xstrdup(path.s);
		sb_puts(b, " <a href=\"");
		html_href(b, link);
		sb_puts(b, "\">");
		html_text(b, text);
		sb_puts(b, "</a>");
		free(link);
	}
	sb_free(&path);
}

/* The kept output and replay script of one run (x.log and x.sh). */
static void run_links(const struct matrix *m, const struct html_report *rep,
		      const struct run_record *r, struct sbuf *b)
{
	const struct cell *c = &m->cells[r->cell];
	sb_puts(b, "<div class=\"run\">");
	html_textf(b, "%s %s/%s/%s seed %llu:", c->arch, c->case_name, c->variant, c->atomics,
		   (unsigned long long)r->seed);
	if (r->log) {
		file_link(rep, r->log, "output", b);
		sb_puts(b, " &middot;");
		struct sbuf sh = { 0 };
		size_t n = strlen(r->log);
		if (n > 4 && strcmp(r->log + n - 4, ".log") == 0) {
			sb_add(&sh, r->log, n - 4);
			sb_puts(&sh, ".sh");
			file_link(rep, sh.s, "replay", b);
		}
		sb_free(&sh);
	}
	sb_puts(b, "</div>");
}

/* The cells a signature hit, each with its count. */
static void signature_cells(const struct matrix *m, const struct sig_group *g, struct sbuf *b)
{
	for (size_t k = 0; k < g->n; k++) {
		size_t cell = m->runs[g->runs[k]].cell, count = 0;
		bool first = true;
		for (size_t j = 0; j < g->n; j++) {
			count += m->runs[g->runs[j]].cell == cell;
			first &= j >= k || m->runs[g->runs[j]].cell != cell;
		}
		if (!first)
			continue;
		const struct cell *c = &m->cells[cell];
		sb_puts(b, "<div>");
		html_textf(b, "%s %s/%s/%s", c->arch, c->case_name, c->variant, c->atomics);
		sb_printf(b, " &times;%zu</div>", count);
	}
}

static void html_signatures(const struct matrix *m, const struct html_report *rep, struct sbuf *b)
{
	size_t n;
	struct sig_group *g = group_signatures(m, &n);
	sb_puts(b, "<h2 id=\"signatures\">Failure signatures</h2>\n");
	if (!n)
		sb_puts(b, "<p class=\"lead\">Every run passed.</p>\n");
	else
		sb_puts(b, "<p class=\"lead\">Every run that did not pass, grouped by its outcome and "
			   "its reason with addresses, numbers and ids folded; the output each kept "
			   "and the script that replays it (under runs/).</p>\n<table class=\"list "
			   "signatures\"><tr><th>runs</th><th>signature</th><th>cells</th>"
			   "<th>kept output</th></tr>\n");
	for (size_t i = 0; i < n; i++) {
		sb_printf(b, "<tr class=\"signature\"><td>%zu</td><td><code>", g[i].n);
		html_text(b, g[i].key);
		sb_puts(b, "</code></td><td>");
		signature_cells(m, &g[i], b);
		sb_puts(b, "</td><td>");
		for (size_t k = 0; k < g[i].n && k < SIG_EXAMPLES; k++)
			run_links(m, rep, &m->runs[g[i].runs[k]], b);
		if (g[i].n > SIG_EXAMPLES)
			sb_printf(b, "<div>and %zu more</div>", g[i].n - SIG_EXAMPLES);
		sb_puts(b, "</td></tr>\n");
		free(g[i].runs);
	}
	if (n)
		sb_puts(b, "</table>\n");
	free(g);
}

/* ---- the configuration ---- */

static void config_row(struct sbuf *b, const char *name, const char *value, bool code)
{
	sb_puts(b, "<tr><th>");
	html_text(b, name);
	sb_puts(b, code && value ? "</th><td><code>" : "</th><td>");
	html_text(b, value ? value : "unknown");
	sb_puts(b, code && value ? "</code></td></tr>\n" : "</td></tr>\n");
}

static void config_arches(const struct run_config *c, struct sbuf *b)
{
	if (!c->narches)
		return;
	sb_puts(b, "<table class=\"list config-arches\"><tr><th>arch</th><th>emulator</th>"
		   "<th>compiler</th></tr>\n");
	for (size_t i = 0; i < c->narches; i++) {
		const struct config_arch *a = &c->arches[i];
		sb_puts(b, "<tr><td>");
		html_text(b, a->arch);
		sb_puts(b, "</td><td>");
		html_text(b, a->emulator ? a->emulator : "none (native)");
		sb_puts(b, "</td><td>");
		html_text(b, a->compiler ? a->compiler : "unknown");
		sb_puts(b, "</td></tr>\n");
	}
	sb_puts(b, "</table>\n");
}

static void html_config(const struct matrix *m, const struct html_report *rep, struct sbuf *b)
{
	const struct run_config *c = &m->config;
	struct sbuf t = { 0 };
	sb_puts(b, "<h2 id=\"config\">Configuration</h2>\n<p class=\"lead\">To rerun: check out the "
		   "commit, build (<code>make repro</code> builds the runner and every arch's "
		   "torture), and run the command from the repository's top directory as "
		   "<code>build/native/proftorture ...</code>. Run k of every cell had seed "
		   "base&nbsp;+&nbsp;k.</p>\n<table class=\"list config\">\n");
	config_row(b, "commit", c->commit, true);
	config_row(b, "working tree", c->tree, false);
	config_row(b, "command", c->command_line, true);
	sb_printf(&t, "%llu", (unsigned long long)m->base_seed);
	config_row(b, "base seed", t.s, true);
	t.len = 0;
	sb_printf(&t, "%g s per run; %llu runs per cell%s", m->run_duration,
		  (unsigned long long)m->runs_per_cell, m->runs_per_cell ? "" : " (time-boxed)");
	config_row(b, "runs", t.s, false);
	config_row(b, "started (UTC)", c->started, false);
	config_row(b, "host", c->host, false);
	t.len = 0;
	if (m->shard_count)
		sb_printf(&t, "%u/%u", m->shard_index, m->shard_count);
	config_row(b, "shard", m->shard_count ? t.s : "none (the whole matrix)", false);
	sb_puts(b, "</table>\n");
	config_arches(c, b);
	if (rep->sources) {
		sb_puts(b, "<p class=\"lead\">Made from:");
		for (size_t i = 0; rep->sources[i]; i++) {
			sb_puts(b, " <code>");
			html_text(b, rep->sources[i]);
			sb_puts(b, "</code>");
		}
		sb_puts(b, "</p>\n");
	}
	sb_free(&t);
}

/* ---- the page ---- */

static void html_status(const struct matrix *m, const struct html_report *rep, struct sbuf *b)
{
	size_t tested = 0, bad = 0;
	for (size_t i = 0; i < m->ncells; i++) {
		tested += !m->cells[i].verdict.skipped;
		bad += !m->cells[i].verdict.skipped && !m->cells[i].verdict.matches;
	}
	bool ok = matrix_matched(m);
	char el[32];
	ut_format_duration(el, sizeof el, m->elapsed);
	sb_puts(b, "<h1>");
	html_text(b, rep->title);
	sb_printf(b, "</h1>\n<p class=\"lead\"><span class=\"status %s\">%s</span>",
		  ok ? "success" : "failure", ok ? "SUCCESS" : "FAILURE");
	if (ok)
		sb_printf(b, "%zu of %zu cells matched the expected table", tested, tested);
	else if (!tested)
		sb_puts(b, "no cell was tested");
	else
		sb_printf(b, "%zu of %zu cells did not match the expected table", bad, tested);
	sb_printf(b, "; %zu runs in %s", m->nruns, el);
	if (m->interrupted)
		sb_puts(b, "; INTERRUPTED: only the runs that finished are counted");
	sb_puts(b, ". <a href=\"#matrix\">verdicts</a> &middot; <a href=\"#arches\">per arch</a> "
		   "&middot; <a href=\"#signatures\">failure signatures</a> &middot; "
		   "<a href=\"#config\">configuration</a></p>\n");
}

void report_html(const struct matrix *m, const struct html_report *r, struct sbuf *b)
{
	sb_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		   "style-src 'unsafe-inline'; img-src data:\">\n<title>");
	html_text(b, r->title);
	sb_printf(b, "</title>\n<style>\n%s</style></head>\n<body>\n", page_css);
	html_status(m, r, b);
	html_matrix(m, b);
	html_arch_plots(m, b);
	if (r->bench)
		html_bench_plot(r->bench, b);
	html_signatures(m, r, b);
	html_config(m, r, b);
	sb_puts(b, "</body></html>\n");
}

int report_html_write(const struct matrix *m, const struct html_report *r, const char *path)
{
	struct sbuf page = { 0 };
	report_html(m, r, &page);
	int rc = ledger_write(LEDGER_DOCUMENT, path, page.s, page.len, false);
	int saved = errno;
	sb_free(&page);
	errno = saved;
	return rc;
}
