/*
 * svg_plot — the report's plots, drawn as inline SVG: axes with ticks and
 * grid lines (linear or log10), empirical-CDF step curves, a legend, and
 * horizontal bars. Everything is appended to an sbuf; nothing else.
 *
 * Why SVG drawn here rather than gnuplot (gnuplot-nox, SVG terminal): the
 * report has two kinds of plot, a step curve and a bar, which are a few
 * dozen lines each; gnuplot would be a second process and a script
 * language between the data and the page for that, a dependency every
 * machine that writes a report needs (the runner writes one after every
 * matrix), and its SVG cannot carry what the browser test looks for (a
 * class per axis, one element per curve named after its cell) nor share
 * the page's stylesheet and fonts. No Debian C library draws plots as SVG
 * with less code than this (cairo's SVG surface draws shapes, not axes).
 *
 * The markup a reader (and tests/report/browser_check.py) can rely on:
 *   <svg class="plot KIND" aria-label="...">   one per plot
 *   <g class="axis x">, <g class="axis y">     each axis: its line, every
 *                                              tick's <text>, its title
 *   <path class="curve" data-cell="...">       one per plotted cell
 *   <rect class="bar" data-cell="...">         one per bar
 * All text is escaped (html.h); numbers are written with %.1f pixels.
 *
 * A plot's geometry is fixed by the caller: width and height of the SVG,
 * and the plot area inside it (margins for tick labels and titles).
 */
#ifndef HARNESS_SVG_PLOT_H
#define HARNESS_SVG_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

enum axis_format {
	AXIS_SECONDS,  /* "10 ms", "1 s" */
	AXIS_FRACTION, /* 0..1 as "50%" */
	AXIS_COUNT,    /* "20k", "1.5M" */
	AXIS_NONE,     /* a category axis: the line only, labels are the caller's */
};

struct axis {
	double lo, hi; /* data range; for log, both > 0 */
	bool log;
	enum axis_format format;
	const char *title; /* a string literal or escaped by the plot */
};

struct plot {
	struct sbuf *b;
	int width, height;             /* the whole SVG, pixels */
	double left, top, w, h;        /* the plot area */
	struct axis x, y;
};

/* <svg class="plot KIND" ...> with an accessible label (escaped). */
void plot_open(struct plot *p, const char *kind, const char *label);
void plot_close(const struct plot *p);

/* Data to pixels, clamped to the plot area. */
double plot_x(const struct plot *p, double v);
double plot_y(const struct plot *p, double v);

/* Grid lines, both axes with ticks and titles. */
void plot_axes(const struct plot *p);

/* An axis range that holds [lo, hi] with round ends: for log, whole
 * decades; for linear, a multiple of a 1-2-5 step from 0. */
void axis_fit(struct axis *a, double lo, double hi);

/* The empirical CDF of one cell: k sorted failure times out of n runs,
 * y = (failures by time t) / n, from the left edge at 0 to the right edge.
 * dash is an SVG stroke-dasharray or NULL. */
void plot_ecdf(const struct plot *p, const double *sorted, size_t k, unsigned long n,
	       const char *colour, const char *dash, const char *cell);
/* A dashed vertical marker with a label at its top (e.g. the run length). */
void plot_marker(const struct plot *p, double x, const char *label);
/* Legend entry `row` below the plot area: a short line and the label. */
void plot_legend(const struct plot *p, int row, const char *colour, const char *dash,
		 const char *label);

/* Horizontal bars: row `row` of `nrows` bands in the plot area; one bar
 * per value (sub-bands), the row's label left of the area, and `note`
 * right of the longest bar. */
struct bar_row {
	const char *label, *cell, *note;
	const double *values;
	const char *const *colours;
	size_t nvalues;
};
void plot_bar_row(const struct plot *p, size_t row, size_t nrows, const struct bar_row *r);

/* A tick label for value v in the axis's format, into buf. */
const char *axis_label(enum axis_format f, double v, char *buf, size_t cap);

#endif
