/*
 * report_html — a summarised matrix as one self-contained HTML page, and
 * its table as Markdown (for a CI job summary).
 *
 * The page has no script, no font, no stylesheet and no image from
 * anywhere else: inline CSS and inline SVG (svg_plot.h), so it opens
 * offline, from an artifact, in any browser. Every string that came from
 * a child, a file or the command line is escaped (html.h). Sections:
 *   - the status: SUCCESS/FAILURE as the runner's closing line says it,
 *     cells matched, runs, time;
 *   - the verdict matrix, one table per case: a row per arch and strategy,
 *     a column per variant, a <td class="cell ..."> per cell of the matrix
 *     (an empty <td class="none"> where the matrix has no cell), coloured by
 *     verdict (class v-<verdict>) and outlined when it does not match the
 *     expected table (class mismatch), with its runs, failures and interval;
 *   - per arch: the empirical CDF of time to first failure of every cell
 *     expected to fail (one curve each, side by side), and the exposure
 *     (near misses) behind every clean verdict, as bars;
 *   - when a bench.json is given: the ceiling and stress rates per arch;
 *   - failure signatures (the outcome and the normalised why, signature.h)
 *     with counts, the cells they hit, and links to the kept outputs and
 *     replay scripts under runs/, relative to the page;
 *   - the configuration to rerun it (config.h), and the input summaries.
 *
 * The cell's four names are used as they come (matrix.h): arch, case,
 * variant and atomics are whatever the cell's kind makes them mean, so a
 * matrix of another kind gets the same page.
 */
#ifndef HARNESS_REPORT_HTML_H
#define HARNESS_REPORT_HTML_H

#include "bench_file.h"
#include "matrix.h"
#include "util.h"

struct html_report {
	const char *title;        /* the page's heading, e.g. "proftorture repro" */
	const char *report_dir;   /* the directory the page is written to */
	const char *logs_dir;     /* the run records' log paths are relative to it */
	const struct bench *bench; /* or NULL */
	char *const *sources;     /* the summaries it was made from, NULL-terminated, or NULL */
};

/* The page for a summarised matrix (matrix_summarize called). */
void report_html(const struct matrix *m, const struct html_report *r, struct sbuf *b);
/* The page written to path, atomically; a failure is a lost document
 * (ledger.h). 0, or -1 with errno. */
int report_html_write(const struct matrix *m, const struct html_report *r, const char *path);

/* The status line and one table row per cell, GitHub-flavoured Markdown
 * with every cell's text escaped (|, <, >, &, *, _, `, [, ] and newlines). */
void report_markdown(const struct matrix *m, struct sbuf *b);

/* ---- the sections, for report_html.c (report_plots.c) ---- */

/* Per arch: the CDF of time to first failure of the cells expected to
 * fail, and the exposure of the clean ones. */
void html_arch_plots(const struct matrix *m, struct sbuf *b);
/* The ceiling and stress rates per arch as bars. */
void html_bench_plot(const struct bench *bench, struct sbuf *b);
/* True for a cell the expected table expects to fail (a negative control):
 * the cells that get a curve. */
bool html_is_buggy(const struct cell *c);
/* "variant" or "case/variant/atomics": the names that tell cells apart
 * among those of one arch (mask: bit 0 case, 1 variant, 2 atomics). */
void html_cell_name(const struct cell *c, unsigned mask, struct sbuf *b);

#endif
