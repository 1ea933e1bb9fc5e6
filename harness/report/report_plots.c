/* report_plots: the report's per-arch plots and the bench bars.
 * Contract: report_html.h; the drawing: svg_plot.h. */
#define _GNU_SOURCE
#include "report_html.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell_kind.h"
#include "html.h"
#include "svg_plot.h"

/* Okabe-Ito's colour-blind-safe palette (without its yellow), then the
 * same colours dashed. */
static const char *const palette[] = { "#D55E00", "#0072B2", "#009E73", "#CC79A7",
				       "#E69F00", "#56B4E9", "#000000" };
#define NPALETTE (sizeof palette / sizeof palette[0])
static const char *const dashes[] = { NULL, "7 4", "2 3" };

#define PLOT_W 560
#define PLOT_LEFT 70.0
#define PLOT_TOP 14.0
#define PLOT_H 230.0

bool html_is_buggy(const struct cell *c)
{
	return c->expected != OUTCOME_BIT(OUT_PASS);
}

void html_cell_name(const struct cell *c, unsigned mask, struct sbuf *b)
{
	const char *parts[3] = { c->case_name, c->variant, c->atomics };
	bool any = false;
	for (int i = 0; i < 3; i++)
		if (mask & (1u << i) || (i == 1 && !mask)) {
			sb_printf(b, "%s%s", any ? "/" : "", parts[i]);
			any = true;
		}
}

/* Which of case, variant, atomics differ among the arch's cells that
 * pass the filter (the variant always shows). */
static unsigned varying_names(const struct matrix *m, const char *arch,
			      bool (*keep)(const struct cell *))
{
	const struct cell *first = NULL;
	unsigned mask = 1u << 1;
	for (size_t i = 0; i < m->ncells; i++) {
		const struct cell *c = &m->cells[i];
		if (strcmp(c->arch, arch) || !keep(c))
			continue;
		if (!first)
			first = c;
		if (strcmp(c->case_name, first->case_name))
			mask |= 1u << 0;
		if (strcmp(c->atomics, first->atomics))
			mask |= 1u << 2;
	}
	return mask;
}

static bool user_program(const struct cell *c)
{
	return c->kind && c->kind->user_program;
}

/* What a clean cell's exposure is: near misses, or for a user's program
 * the signals it reported handled (NaN: it did not say). */
static double exposure_of(const struct cell *c)
{
	return user_program(c) ? c->tally.signals : c->tally.near_misses;
}

static bool is_curve(const struct cell *c)
{
	if (user_program(c) && c->verdict.failures)
		return true;
	return html_is_buggy(c) && (!c->verdict.skipped || c->verdict.measured);
}

static bool is_exposure(const struct cell *c)
{
	return c->verdict.kind == V_CLEAN;
}

/* The x range of an arch's CDF plot: every failure time and the run
 * length, on whole decades. */
static void ttff_range(const struct matrix *m, const char *arch, struct axis *x)
{
	double lo = INFINITY, hi = m->run_duration > 0 ? m->run_duration : 1;
	for (size_t i = 0; i < m->ncells; i++) {
		const struct cell *c = &m->cells[i];
		if (strcmp(c->arch, arch) || !is_curve(c))
			continue;
		for (size_t k = 0; k < c->tally.nttff; k++) {
			double t = c->tally.ttff[k];
			lo = t > 0 && t < lo ? t : lo;
			hi = t > hi ? t : hi;
		}
	}
	axis_fit(x, isinf(lo) ? hi / 100 : lo, hi);
}

static size_t count_cells(const struct matrix *m, const char *arch,
			  bool (*keep)(const struct cell *))
{
	size_t n = 0;
	for (size_t i = 0; i < m->ncells; i++)
		n += !strcmp(m->cells[i].arch, arch) && keep(&m->cells[i]);
	return n;
}

/* One curve's legend text: its names and what the curve reaches. */
static void curve_label(const struct cell *c, unsigned mask, struct sbuf *l)
{
	const struct cell_verdict *v = &c->verdict;
	html_cell_name(c, mask, l);
	sb_printf(l, ": %lu/%lu failed", v->failures, v->n);
	if (!isnan(v->ttff_median))
		sb_printf(l, ", median %.3g s", v->ttff_median);
	if (c->tally.nttff < v->failures)
		sb_printf(l, " (%lu without a time)", v->failures - (unsigned long)c->tally.nttff);
}

static void ecdf_plot(const struct matrix *m, const char *arch, struct sbuf *b)
{
	size_t ncurves = count_cells(m, arch, is_curve);
	struct plot p = { .b = b, .width = PLOT_W, .left = PLOT_LEFT, .top = PLOT_TOP,
			  .w = PLOT_W - PLOT_LEFT - 20, .h = PLOT_H };
	p.height = (int)(PLOT_TOP + PLOT_H + 60 + 18.0 * (double)ncurves);
	p.x = (struct axis){ .log = true, .format = AXIS_SECONDS,
			     .title = "time to first failure (log scale)" };
	p.y = (struct axis){ .lo = 0, .hi = 1, .format = AXIS_FRACTION,
			     .title = "runs failed by then" };
	ttff_range(m, arch, &p.x);
	struct sbuf label = { 0 };
	sb_printf(&label, "%s: time to first failure of the cells expected to fail", arch);
	plot_open(&p, "ecdf", label.s);
	plot_axes(&p);
	if (m->run_duration > 0)
		plot_marker(&p, m->run_duration, "run length");
	unsigned mask = varying_names(m, arch, is_curve);
	for (size_t i = 0, k = 0; i < m->ncells; i++) {
		const struct cell *c = &m->cells[i];
		if (strcmp(c->arch, arch) || !is_curve(c))
			continue;
		const char *colour = palette[k % NPALETTE], *dash = dashes[(k / NPALETTE) % 3];
		label.len = 0;
		sb_printf(&label, "%s %s/%s/%s", c->arch, c->case_name, c->variant, c->atomics);
		plot_ecdf(&p, c->tally.ttff, c->tally.nttff, c->verdict.n, colour, dash, label.s);
		label.len = 0;
		curve_label(c, mask, &label);
		plot_legend(&p, (int)k++, colour, dash, label.s);
	}
	plot_close(&p);
	sb_free(&label);
}

/* One bar per clean cell: the near misses its bound rests on. */
static void exposure_plot(const struct matrix *m, const char *arch, struct sbuf *b)
{
	size_t nbars = count_cells(m, arch, is_exposure);
	unsigned mask = varying_names(m, arch, is_exposure);
	double most = 0;
	size_t widest = 0;
	bool signals = false;
	for (size_t i = 0; i < m->ncells; i++) {
		const struct cell *c = &m->cells[i];
		if (strcmp(c->arch, arch) || !is_exposure(c))
			continue;
		signals |= user_program(c);
		most = exposure_of(c) > most ? exposure_of(c) : most;
		struct sbuf n = { 0 };
		html_cell_name(c, mask, &n);
		widest = n.len > widest ? n.len : widest;
		sb_free(&n);
	}
	struct plot p = { .b = b, .width = PLOT_W, .top = PLOT_TOP };
	p.left = 16 + 7.0 * (double)widest;
	p.w = PLOT_W - p.left - 150;
	p.h = 30.0 * (double)nbars;
	p.height = (int)(PLOT_TOP + p.h + 48);
	p.x = (struct axis){ .format = AXIS_COUNT,
			     .title = signals ? "signals handled (as the program reported)"
					      : "near misses (signals inside an atomic)" };
	p.y = (struct axis){ .lo = 0, .hi = 1, .format = AXIS_NONE, .title = "" };
	axis_fit(&p.x, 0, most > 0 ? most : 1);
	struct sbuf label = { 0 };
	sb_printf(&label, "%s: %s behind each clean verdict", arch,
		  signals ? "signals handled" : "near misses");
	plot_open(&p, "exposure", label.s);
	plot_axes(&p);
	for (size_t i = 0, row = 0; i < m->ncells; i++) {
		const struct cell *c = &m->cells[i];
		if (strcmp(c->arch, arch) || !is_exposure(c))
			continue;
		struct sbuf name = { 0 }, id = { 0 }, note = { 0 };
		html_cell_name(c, mask, &name);
		sb_printf(&id, "%s %s/%s/%s", c->arch, c->case_name, c->variant, c->atomics);
		double x = exposure_of(c);
		if (user_program(c) && x > 0)
			sb_printf(&note, "%.0f handled", x);
		else if (user_program(c))
			sb_puts(&note, isnan(x) ? "none reported" : "0 handled");
		else if (x > 0)
			sb_printf(&note, "< %.2g per near miss", c->verdict.bound_near);
		else
			sb_puts(&note, "none counted");
		if (isnan(x))
			x = 0;
		const char *green[] = { "#3b9b4f" };
		struct bar_row r = { name.s, id.s, note.s, &x, green, 1 };
		plot_bar_row(&p, row++, nbars, &r);
		sb_free(&name);
		sb_free(&id);
		sb_free(&note);
	}
	plot_close(&p);
	sb_free(&label);
}

/* One figure of an arch: what it shows, then the plot, or why there is none. */
static void figure(const struct matrix *m, const char *arch, struct sbuf *b, const char *intro,
		   bool (*keep)(const struct cell *),
		   void (*draw)(const struct matrix *, const char *, struct sbuf *), const char *none)
{
	sb_printf(b, "<div class=\"fig\"><p>%s</p>\n", intro);
	if (count_cells(m, arch, keep))
		draw(m, arch, b);
	else
		sb_printf(b, "<p><em>%s</em></p>\n", none);
	sb_puts(b, "</div>\n");
}

static void arch_section(const struct matrix *m, const char *arch, struct sbuf *b)
{
	sb_puts(b, "<div class=\"arch\" data-arch=\"");
	html_text(b, arch);
	sb_puts(b, "\"><h3>");
	html_text(b, arch);
	sb_puts(b, "</h3><div class=\"figs\">\n");
	figure(m, arch, b,
	       "Time to first failure of each cell expected to fail (and of every command of "
	       "proftorture stress that failed): the share of its informative runs that had "
	       "failed by then (runs that never failed keep the curve below 100%).",
	       is_curve, ecdf_plot, "No cell of this arch is expected to fail.");
	figure(m, arch, b,
	       "Exposure behind each clean verdict: near misses (signals that landed inside an "
	       "emulated atomic, the event the fix is about), summed over its runs, with the 95% "
	       "bound per near miss they buy; for a command of proftorture stress, the signals "
	       "its program reported handled.",
	       is_exposure, exposure_plot, "No clean verdict on this arch.");
	sb_puts(b, "</div></div>\n");
}

void html_arch_plots(const struct matrix *m, struct sbuf *b)
{
	sb_puts(b, "<h2 id=\"arches\">Per arch</h2>\n");
	for (size_t i = 0; i < m->ncells; i++) {
		bool first = true;
		for (size_t j = 0; j < i && first; j++)
			first = strcmp(m->cells[j].arch, m->cells[i].arch) != 0;
		if (first)
			arch_section(m, m->cells[i].arch, b);
	}
}

void html_bench_plot(const struct bench *bench, struct sbuf *b)
{
	static const char *const colours[] = { "#9e9e9e", "#0072B2" };
	double most = 1;
	size_t widest = 4;
	for (size_t i = 0; i < bench->n; i++) {
		most = bench->v[i].ceiling > most ? bench->v[i].ceiling : most;
		most = bench->v[i].stress > most ? bench->v[i].stress : most;
		size_t n = strlen(bench->v[i].arch) + strlen(bench->v[i].atomics) + 3;
		widest = n > widest ? n : widest;
	}
	struct plot p = { .b = b, .width = PLOT_W + 140, .top = PLOT_TOP };
	p.left = 16 + 7.0 * (double)widest;
	p.w = p.width - p.left - 110;
	p.h = 40.0 * (double)bench->n;
	p.height = (int)(PLOT_TOP + p.h + 48 + 2 * 18);
	p.x = (struct axis){ .format = AXIS_COUNT, .title = "signals handled per second" };
	p.y = (struct axis){ .lo = 0, .hi = 1, .format = AXIS_NONE, .title = "" };
	axis_fit(&p.x, 0, most);
	sb_printf(b, "<h2 id=\"bench\">Signal rates (make bench%s)</h2>\n<p class=\"lead\">The "
		     "ceiling: signals handled per second by a handler that only counts; stress: "
		     "the same workers and signals through lost-atomic's exact handler; and their "
		     "ratio.</p>\n", bench->quick ? " --quick" : "");
	plot_open(&p, "bench", "signal rates per arch: ceiling and stress");
	plot_axes(&p);
	for (size_t i = 0; i < bench->n; i++) {
		const struct bench_row *r = &bench->v[i];
		struct sbuf name = { 0 }, note = { 0 };
		sb_printf(&name, "%s (%s)", r->arch, r->atomics);
		if (isnan(r->ratio))
			sb_puts(&note, "ratio unknown");
		else
			sb_printf(&note, "ratio %.2f", r->ratio);
		double values[2] = { r->ceiling, r->stress };
		struct bar_row row = { name.s, r->arch, note.s, values, colours, 2 };
		plot_bar_row(&p, i, bench->n, &row);
		sb_free(&name);
		sb_free(&note);
	}
	p.h += 4;
	plot_legend(&p, 0, colours[0], NULL, "ceiling (torture --probe)");
	plot_legend(&p, 1, colours[1], NULL, "stress (lost-atomic, exact)");
	plot_close(&p);
}
