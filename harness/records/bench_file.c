/* bench_file: bench.json for the report. Contract: bench_file.h. */
#define _GNU_SOURCE
#include "bench_file.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The text with Python's NaN, Infinity and -Infinity tokens (outside
 * strings) turned into null. */
static char *nan_to_null(const char *text, size_t len, size_t *out_len)
{
	static const char *const tokens[] = { "-Infinity", "Infinity", "NaN" };
	struct sbuf b = { 0 };
	bool in_string = false;
	for (size_t i = 0; i < len;) {
		char c = text[i];
		if (in_string) {
			if (c == '\\' && i + 1 < len)
				sb_putc(&b, text[i++]);
			else if (c == '"')
				in_string = false;
			sb_putc(&b, text[i++]);
			continue;
		}
		size_t t = 0;
		while (t < 3 && (len - i < strlen(tokens[t]) || memcmp(text + i, tokens[t], strlen(tokens[t]))))
			t++;
		if (t < 3) {
			sb_puts(&b, "null");
			i += strlen(tokens[t]);
			continue;
		}
		in_string = c == '"';
		sb_putc(&b, text[i++]);
	}
	*out_len = b.len;
	return b.s ? b.s : xstrdup("");
}

static double num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static char *clean(const char *s)
{
	char *d = xstrdup(s);
	ut_sanitize(d);
	return d;
}

static int read_results(const json_t *results, struct bench *b)
{
	for (size_t i = 0; i < json_array_size(results); i++) {
		const json_t *r = json_array_get(results, i);
		const char *arch = json_string_value(json_object_get(r, "arch"));
		const char *atomics = json_string_value(json_object_get(r, "atomics"));
		if (!arch)
			return -1;
		b->v = xrealloc(b->v, (b->n + 1) * sizeof *b->v);
		struct bench_row *row = &b->v[b->n++];
		row->arch = clean(arch);
		row->atomics = clean(atomics ? atomics : "-");
		row->ceiling = num(r, "ceiling_per_s");
		row->stress = num(r, "stress_per_s");
		row->ratio = num(r, "stress_to_ceiling");
	}
	return 0;
}

int bench_parse(const char *text, size_t len, const char *name, struct bench *b, char *err,
		size_t errlen)
{
	memset(b, 0, sizeof *b);
	size_t n;
	char *json = nan_to_null(text, len, &n);
	json_error_t je;
	json_t *root = json_loadb(json, n, JSON_REJECT_DUPLICATES, &je);
	free(json);
	int rc = -1;
	const json_t *results = json_object_get(root, "results");
	const char *tag = json_string_value(json_object_get(root, "bench"));
	if (!root)
		snprintf(err, errlen, "%s: not JSON: %s (line %d, column %d)", name, je.text, je.line,
			 je.column);
	else if (!tag || strcmp(tag, "proftorture") != 0 || !json_is_array(results))
		snprintf(err, errlen, "%s: not a proftorture bench.json (written by make bench)", name);
	else if (read_results(results, b) != 0)
		snprintf(err, errlen, "%s: a result without an \"arch\"", name);
	else
		rc = 0;
	if (rc == 0)
		b->quick = json_is_true(json_object_get(root, "quick"));
	else
		bench_free(b);
	json_decref(root);
	return rc;
}

int bench_load(const char *path, struct bench *b, char *err, size_t errlen)
{
	size_t len;
	char *text = ut_read_file(path, 1u << 26, &len);
	if (!text) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	int rc = bench_parse(text, len, path, b, err, errlen);
	free(text);
	return rc;
}

void bench_free(struct bench *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].arch);
		free(b->v[i].atomics);
	}
	free(b->v);
	memset(b, 0, sizeof *b);
}
