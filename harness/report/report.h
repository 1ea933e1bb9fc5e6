/*
 * report — a summarized matrix (matrix_summarize() called) as an aligned
 * table, JUnit XML, TAP, and the buggy-vs-fixed contrasts. All writers
 * append to an sbuf; callers decide where it goes.
 *
 * - Table: one row per cell; ANSI colour only when `colour` is set (the
 *   caller sets it when stdout is a terminal and NO_COLOR is unset). Ends
 *   with rcutorture's closing line: "SUCCESS: ..." or "FAILURE: ...".
 * - JUnit: one <testcase> per cell (classname proftorture.<arch>, name
 *   case/variant/atomics); a mismatch is a <failure> with the reason as
 *   message, an unsupported cell is <skipped/>. All text is sanitised to
 *   printable ASCII and XML-escaped, so any child output yields a document
 *   a real XML parser accepts.
 * - TAP version 13 on one stream: "ok"/"not ok" per cell, "# SKIP" for
 *   unsupported cells, '#' and newlines in descriptions escaped.
 * - Contrasts: for every cell expected to fail, each cell of the same
 *   arch/case/strategy expected to pass, with Fisher's exact test of
 *   failures vs passes.
 *
 * report_all is the pipeline's last stage, for `run`, `repro` and `merge`
 * alike. First the files, each written atomically (util.h's ut_write_file:
 * the previous file stays whole when a write fails): summary.json
 * (summary.h) to the out dir and to --json FILE, the HTML page
 * (report_html.h) beside it, and JUnit to --junit. Then stdout carries one
 * stream: the table, or TAP with --tap, or summary.json with --json - (the
 * table then goes to stderr; the caller refuses --tap with --json - when
 * parsing options). The table ends with the caller's footer line and where
 * summary.json and report.html are ("NOT WRITTEN" for one that could not
 * be). Any file or stream that cannot be written is a loss counted by the
 * ledger (ledger.h): the caller's ledger_finish then prints the LOST line
 * and exits PROTOCOL_RUNNER_EXIT_LOST (cli.h).
 */
#ifndef HARNESS_REPORT_H
#define HARNESS_REPORT_H

#include <stdbool.h>

#include "matrix.h"
#include "util.h"

struct report_outputs {
	const char *cmd;          /* for messages */
	const char *summary_path; /* <out>/summary.json, or NULL */
	const char *html_path;    /* <out>/report.html (report_html.h), or NULL */
	const char *outdir;       /* the run records' log paths are relative to it */
	const char *json;         /* --json FILE ("-": stdout), or NULL */
	const char *junit;        /* --junit FILE, or NULL */
	bool tap;
};

/* Everything above for a summarised matrix; footer (one line, no newline)
 * ends the table, followed by where the out dir's files went. */
void report_all(const struct matrix *m, const struct report_outputs *o, const char *footer);

void report_table(const struct matrix *m, bool colour, struct sbuf *b);
void report_contrasts(const struct matrix *m, struct sbuf *b);
void report_junit(const struct matrix *m, struct sbuf *b);
void report_tap(const struct matrix *m, struct sbuf *b);

#endif
