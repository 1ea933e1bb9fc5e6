/* html: escaping, links and numbers for the report. Contract: html.h. */
#define _GNU_SOURCE
#include "html.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void xml_escape(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': sb_puts(b, "&amp;"); break;
		case '<': sb_puts(b, "&lt;"); break;
		case '>': sb_puts(b, "&gt;"); break;
		case '"': sb_puts(b, "&quot;"); break;
		case '\'': sb_puts(b, "&apos;"); break;
		default:
			if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f))
				sb_putc(b, (char)c);
			else
				sb_putc(b, '?');
		}
	}
}

/* The XML escaper already sanitises and escapes &<>"' (the five that
 * matter in HTML text and quoted attributes too): one escaper. */
void html_text(struct sbuf *b, const char *s)
{
	xml_escape(b, s ? s : "");
}

void html_textf(struct sbuf *b, const char *fmt, ...)
{
	struct sbuf t = { 0 };
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(&t, fmt, ap);
	va_end(ap);
	html_text(b, sb_str(&t));
	sb_free(&t);
}

void html_href(struct sbuf *b, const char *path)
{
	static const char keep[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/";
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		if (strchr(keep, *p))
			sb_putc(b, (char)*p);
		else
			sb_printf(b, "%%%02X", *p);
}

/* realpath of the directory part of a file's path (the file itself may be
 * anything), malloc'd, and its last component in *base. */
static char *real_dir_of(const char *file, const char **base)
{
	const char *slash = strrchr(file, '/');
	*base = slash ? slash + 1 : file;
	char *dir = slash ? xstrndup(file, (size_t)(slash - file) + (slash == file)) : xstrdup(".");
	char *real = realpath(dir, NULL);
	free(dir);
	return real;
}

char *html_relative_link(const char *target, const char *from_dir)
{
	const char *base;
	char *to = real_dir_of(target, &base), *from = realpath(from_dir, NULL);
	if (from && strcmp(from, "/") == 0)
		from[0] = 0; /* the root: no component to climb out of */
	if (!to || !from) {
		free(to);
		free(from);
		return xstrdup(target);
	}
	/* the longest common prefix that ends at a component boundary */
	size_t common = 0;
	for (size_t i = 0;; i++) {
		bool end_to = to[i] == 0 || to[i] == '/', end_from = from[i] == 0 || from[i] == '/';
		if (end_to && end_from)
			common = i;
		if (to[i] != from[i] || !to[i])
			break;
	}
	struct sbuf rel = { 0 };
	for (const char *p = from + common; *p; p++)
		if (*p == '/')
			sb_puts(&rel, "../");
	if (to[common] == '/')
		sb_printf(&rel, "%s/", to + common + 1);
	sb_puts(&rel, base);
	free(to);
	free(from);
	return rel.s;
}

const char *html_count(double v, char *buf, size_t cap)
{
	if (isnan(v)) {
		snprintf(buf, cap, "-");
		return buf;
	}
	if (v != floor(v) || fabs(v) >= 1e15) {
		snprintf(buf, cap, "%.3g", v);
		return buf;
	}
	char digits[32];
	snprintf(digits, sizeof digits, "%.0f", fabs(v));
	size_t n = strlen(digits), k = 0;
	if (v < 0 && k + 1 < cap)
		buf[k++] = '-';
	for (size_t i = 0; i < n && k + 2 < cap; i++) {
		if (i && (n - i) % 3 == 0)
			buf[k++] = ',';
		buf[k++] = digits[i];
	}
	buf[k] = 0;
	return buf;
}
