/*
 * html — the small pieces every HTML, SVG and XML writer of the report
 * uses, so that no string reaches the page unescaped.
 *
 * The discipline (report_html.c, svg_plot.c): markup is written with
 * sb_puts/sb_printf from string literals and numbers only; every string
 * that came from a child, a file or the command line -- cell names, a
 * run's why, log paths, versions -- goes through html_text() or
 * html_textf() (sanitised to printable ASCII, then &<>"' escaped, so the
 * same call is safe in text and in a double-quoted attribute), and every
 * path put in an href through html_href() (percent-encoded as well).
 *
 * Pure string building, no I/O except html_relative_link (realpath).
 */
#ifndef HARNESS_HTML_H
#define HARNESS_HTML_H

#include <stdarg.h>

#include "util.h"

/* s, sanitised (printable ASCII, tabs and newlines; '?' for the rest) and
 * &<>"' escaped, for XML: the JUnit report (report.c). */
void xml_escape(struct sbuf *b, const char *s);
/* s, sanitised and escaped for HTML text or a double-quoted attribute. */
void html_text(struct sbuf *b, const char *s);
/* printf, then the whole result escaped as by html_text. */
void html_textf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A relative URL path: every byte but [A-Za-z0-9-._~/] percent-encoded,
 * so '#', '?', '%', quotes and spaces in a file name stay part of it. */
void html_href(struct sbuf *b, const char *path);

/* The path of `target` (a file; relative to the working directory)
 * relative to the directory `from_dir`, malloc'd, for a link from a page
 * in from_dir. Falls back to target itself when either directory cannot be
 * resolved (realpath). */
char *html_relative_link(const char *target, const char *from_dir);

/* A number for people: 1234567 -> "1,234,567" (whole numbers), others
 * with %.3g. Unknown (NaN) is "-". Into buf. */
const char *html_count(double v, char *buf, size_t cap);

#endif
