/* svg_plot: the report's plots as inline SVG. Contract and why not
 * gnuplot: svg_plot.h. */
#define _GNU_SOURCE
#include "svg_plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "html.h"

#define MAX_TICKS 12
#define LEGEND_ROW_PX 18.0

void plot_open(struct plot *p, const char *kind, const char *label)
{
	sb_printf(p->b, "<svg class=\"plot %s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
			"height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
		  kind, p->width, p->height, p->width, p->height);
	html_text(p->b, label);
	sb_puts(p->b, "\"><title>");
	html_text(p->b, label);
	sb_puts(p->b, "</title>\n");
}

void plot_close(const struct plot *p)
{
	sb_puts(p->b, "</svg>\n");
}

/* Where v falls along [lo, hi], 0..1, clamped. */
static double axis_frac(const struct axis *a, double v)
{
	double f;
	if (a->log)
		f = (log10(v > 0 ? v : a->lo) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
	else
		f = (v - a->lo) / (a->hi - a->lo);
	if (!(f >= 0)) /* also NaN */
		return 0;
	return f > 1 ? 1 : f;
}

double plot_x(const struct plot *p, double v)
{
	return p->left + axis_frac(&p->x, v) * p->w;
}

double plot_y(const struct plot *p, double v)
{
	return p->top + p->h - axis_frac(&p->y, v) * p->h;
}

/* A 1-2-5 step that cuts [0, span] into at most 8 pieces. */
static double nice_step(double span)
{
	double mag = pow(10, floor(log10(span > 0 ? span : 1))), steps[] = { 0.1, 0.2, 0.5, 1, 2, 5, 10 };
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (span / (steps[i] * mag) <= 8)
			return steps[i] * mag;
	return 10 * mag;
}

void axis_fit(struct axis *a, double lo, double hi)
{
	if (a->log) {
		lo = lo > 0 ? lo : 1e-3;
		hi = hi > lo ? hi : lo * 10;
		a->lo = pow(10, floor(log10(lo) + 1e-9));
		a->hi = pow(10, ceil(log10(hi) - 1e-9));
		if (a->hi <= a->lo)
			a->hi = a->lo * 10;
		return;
	}
	double step = nice_step(hi - (lo < 0 ? lo : 0));
	a->lo = lo < 0 ? floor(lo / step) * step : 0;
	a->hi = ceil(hi / step - 1e-9) * step;
	if (a->hi <= a->lo)
		a->hi = a->lo + step;
}

/* The ticks of an axis: decades (and 2, 5 within a short log range), or
 * the 1-2-5 steps of a linear one. Returns how many. */
static size_t axis_ticks(const struct axis *a, double *t)
{
	size_t n = 0;
	if (a->log) {
		double decades = log10(a->hi) - log10(a->lo);
		for (double d = a->lo; d <= a->hi * 1.0001 && n < MAX_TICKS; d *= 10) {
			t[n++] = d;
			for (int m = 2; decades <= 2 && m <= 5 && d * m < a->hi && n < MAX_TICKS; m += 3)
				t[n++] = d * m;
		}
		return n;
	}
	double step = nice_step(a->hi - a->lo);
	for (double v = a->lo; v <= a->hi + step * 1e-6 && n < MAX_TICKS; v += step)
		t[n++] = fabs(v) < step * 1e-9 ? 0 : v;
	return n;
}

const char *axis_label(enum axis_format f, double v, char *buf, size_t cap)
{
	switch (f) {
	case AXIS_SECONDS:
		if (v > 0 && v < 1)
			snprintf(buf, cap, "%.4g ms", v * 1000);
		else
			snprintf(buf, cap, "%.4g s", v);
		break;
	case AXIS_FRACTION: snprintf(buf, cap, "%.4g%%", v * 100); break;
	case AXIS_COUNT:
		if (fabs(v) >= 1e6)
			snprintf(buf, cap, "%.4gM", v / 1e6);
		else if (fabs(v) >= 1e3)
			snprintf(buf, cap, "%.4gk", v / 1e3);
		else
			snprintf(buf, cap, "%.4g", v);
		break;
	case AXIS_NONE: snprintf(buf, cap, "%s", ""); break;
	}
	return buf;
}

static void x_axis(const struct plot *p, const double *t, size_t n)
{
	double base = p->top + p->h;
	char l[32];
	sb_printf(p->b, "<g class=\"axis x\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
		  p->left, base, p->left + p->w, base);
	for (size_t i = 0; i < n; i++) {
		double x = plot_x(p, t[i]);
		sb_printf(p->b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
				"<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
			  x, base, x, base + 4, x, base + 16);
		html_text(p->b, axis_label(p->x.format, t[i], l, sizeof l));
		sb_puts(p->b, "</text>\n");
	}
	sb_printf(p->b, "<text class=\"title\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
		  p->left + p->w / 2, base + 34);
	html_text(p->b, p->x.title);
	sb_puts(p->b, "</text></g>\n");
}

static void y_axis(const struct plot *p, const double *t, size_t n)
{
	char l[32];
	sb_printf(p->b, "<g class=\"axis y\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
		  p->left, p->top, p->left, p->top + p->h);
	for (size_t i = 0; i < n; i++) {
		double y = plot_y(p, t[i]);
		sb_printf(p->b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
				"<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
			  p->left - 4, y, p->left, y, p->left - 7, y + 4);
		html_text(p->b, axis_label(p->y.format, t[i], l, sizeof l));
		sb_puts(p->b, "</text>\n");
	}
	double cx = p->left - 46, cy = p->top + p->h / 2;
	sb_printf(p->b, "<text class=\"title\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
			"transform=\"rotate(-90 %.1f %.1f)\">", cx, cy, cx, cy);
	html_text(p->b, p->y.title);
	sb_puts(p->b, "</text></g>\n");
}

void plot_axes(const struct plot *p)
{
	double tx[MAX_TICKS], ty[MAX_TICKS];
	size_t nx = p->x.format == AXIS_NONE ? 0 : axis_ticks(&p->x, tx);
	size_t ny = p->y.format == AXIS_NONE ? 0 : axis_ticks(&p->y, ty);
	sb_puts(p->b, "<g class=\"grid\">");
	for (size_t i = 0; i < nx; i++)
		sb_printf(p->b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
			  plot_x(p, tx[i]), p->top, plot_x(p, tx[i]), p->top + p->h);
	for (size_t i = 0; i < ny; i++)
		sb_printf(p->b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", p->left,
			  plot_y(p, ty[i]), p->left + p->w, plot_y(p, ty[i]));
	sb_puts(p->b, "</g>\n");
	x_axis(p, tx, nx);
	y_axis(p, ty, ny);
}

void plot_ecdf(const struct plot *p, const double *sorted, size_t k, unsigned long n,
	       const char *colour, const char *dash, const char *cell)
{
	sb_printf(p->b, "<path class=\"curve\" fill=\"none\" stroke=\"%s\" stroke-width=\"2.2\"%s%s%s "
			"data-cell=\"", colour, dash ? " stroke-dasharray=\"" : "", dash ? dash : "",
		  dash ? "\"" : "");
	html_text(p->b, cell);
	sb_printf(p->b, "\" d=\"M%.1f %.1f", p->left, plot_y(p, 0));
	double y = 0;
	for (size_t i = 0; i < k; i++) {
		double x = plot_x(p, sorted[i]);
		y = n ? (double)(i + 1) / (double)n : 0;
		sb_printf(p->b, " H%.1f V%.1f", x, plot_y(p, y));
	}
	sb_printf(p->b, " H%.1f\"/>\n", p->left + p->w);
}

void plot_marker(const struct plot *p, double x, const char *label)
{
	double px = plot_x(p, x);
	sb_printf(p->b, "<g class=\"marker\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
		  px, p->top, px, p->top + p->h, px - 4, p->top + 12);
	html_text(p->b, label);
	sb_puts(p->b, "</text></g>\n");
}

void plot_legend(const struct plot *p, int row, const char *colour, const char *dash,
		 const char *label)
{
	double y = p->top + p->h + 52 + row * LEGEND_ROW_PX;
	sb_printf(p->b, "<g class=\"legend\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"%s\" stroke-width=\"2.5\"%s%s%s/><text x=\"%.1f\" y=\"%.1f\">",
		  p->left, y, p->left + 26, y, colour, dash ? " stroke-dasharray=\"" : "",
		  dash ? dash : "", dash ? "\"" : "", p->left + 34, y + 4);
	html_text(p->b, label);
	sb_puts(p->b, "</text></g>\n");
}

void plot_bar_row(const struct plot *p, size_t row, size_t nrows, const struct bar_row *r)
{
	double band = p->h / (double)(nrows ? nrows : 1), top = p->top + band * (double)row;
	double inner = band * 0.72 / (double)(r->nvalues ? r->nvalues : 1), end = p->left;
	sb_printf(p->b, "<text class=\"rowlabel\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
		  p->left - 8, top + band / 2 + 4);
	html_text(p->b, r->label);
	sb_puts(p->b, "</text>\n");
	for (size_t i = 0; i < r->nvalues; i++) {
		double x1 = plot_x(p, isnan(r->values[i]) ? p->x.lo : r->values[i]);
		double y = top + band * 0.14 + inner * (double)i;
		sb_printf(p->b, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				"fill=\"%s\" data-cell=\"", p->left, y, x1 - p->left, inner * 0.9,
			  r->colours[i]);
		html_text(p->b, r->cell);
		sb_puts(p->b, "\"/>\n");
		end = x1 > end ? x1 : end;
	}
	if (r->note && *r->note) {
		sb_printf(p->b, "<text class=\"note\" x=\"%.1f\" y=\"%.1f\">", end + 6,
			  top + band / 2 + 4);
		html_text(p->b, r->note);
		sb_puts(p->b, "</text>\n");
	}
}
