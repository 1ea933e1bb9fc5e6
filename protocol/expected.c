/* expected: the one reader of cases/expected.tsv. Contract: expected.h. */
#define _GNU_SOURCE
#include "expected.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 6

int outcome_set_parse(const char *s, outcome_set *out)
{
	outcome_set set = 0;
	const char *p = s;
	for (;;) {
		size_t len = strcspn(p, "|");
		char name[32];
		if (len == 0 || len >= sizeof name)
			return -1;
		memcpy(name, p, len);
		name[len] = 0;
		int o = outcome_parse(name);
		if (o < 0 || (set & OUTCOME_BIT(o)))
			return -1;
		set |= OUTCOME_BIT(o);
		if (!p[len])
			break;
		p += len + 1;
	}
	*out = set;
	return 0;
}

const char *outcome_set_name(outcome_set s, char *buf, size_t cap)
{
	size_t used = 0;
	if (cap)
		buf[0] = 0;
	for (int o = 0; o < OUT_COUNT; o++) {
		if (!(s & OUTCOME_BIT(o)))
			continue;
		int n = snprintf(buf + used, cap > used ? cap - used : 0, "%s%s", used ? "|" : "",
				 outcome_name((enum outcome)o));
		if (n > 0)
			used += (size_t)n;
	}
	return buf;
}

/* "pass" alone, or failures only. */
static bool expectation_ok(outcome_set set)
{
	if (set == OUTCOME_BIT(OUT_PASS))
		return true;
	for (int o = 0; o < OUT_COUNT; o++)
		if ((set & OUTCOME_BIT(o)) && !outcome_is_failure((enum outcome)o))
			return false;
	return set != 0;
}

/* Splits line (modified) at runs of tabs into at most MAX_FIELDS fields. */
static size_t split_fields(char *line, char **f)
{
	size_t nf = 0;
	for (char *save = line, *tok; nf < MAX_FIELDS && (tok = strsep(&save, "\t"));)
		if (*tok)
			f[nf++] = tok;
	return nf;
}

static bool blank_or_comment(const char *line)
{
	line += strspn(line, " \t");
	return !*line || *line == '#';
}

static int add_row(struct expected_table *t, char **f, size_t nf, outcome_set set, bool measured,
		   unsigned line)
{
	struct expected_row *rows = realloc(t->rows, (t->n + 1) * sizeof *rows);
	if (!rows)
		return -1;
	t->rows = rows;
	struct expected_row *r = &rows[t->n];
	memset(r, 0, sizeof *r);
	r->arch = strdup(f[0]);
	r->case_name = strdup(f[1]);
	r->variant = strdup(f[2]);
	r->atomics = strdup(f[3]);
	r->note = strdup(nf > 5 ? f[5] : "");
	r->expected = set;
	r->measured = measured;
	r->line = line;
	t->n++; /* counted even when a strdup failed, so expected_free frees it */
	return r->arch && r->case_name && r->variant && r->atomics && r->note ? 0 : -1;
}

/* Why an expected field is wrong, naming the allowed outcomes from the table. */
static const char *bad_expectation(const char *field, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "expected '%s' must be %s alone, or failure outcomes joined by "
			 "'|' (", field, outcome_name(OUT_PASS));
	for (int o = 0, first = 1; o < OUT_COUNT && n > 0 && (size_t)n < cap; o++)
		if (outcome_is_failure((enum outcome)o)) {
			n += snprintf(buf + n, cap - (size_t)n, "%s%s", first ? "" : " ",
				      outcome_name((enum outcome)o));
			first = 0;
		}
	if (n > 0 && (size_t)n < cap)
		snprintf(buf + n, cap - (size_t)n, ")");
	return buf;
}

/* One line: 0 (a row or nothing), or -1 with why set (whybuf may hold it). */
static int parse_line(struct expected_table *t, char *line, unsigned lineno, const char **why,
		      char *whybuf, size_t whycap)
{
	size_t len = strlen(line);
	if (len && line[len - 1] == '\r')
		line[len - 1] = 0;
	if (blank_or_comment(line))
		return 0;
	char *f[MAX_FIELDS];
	size_t nf = split_fields(line, f);
	outcome_set set = 0;
	bool measured = nf >= 5 && strcmp(f[4], EXPECTED_MEASURED) == 0;
	if (nf < 5)
		*why = "want arch<TAB>case<TAB>variant<TAB>atomics<TAB>expected[<TAB>note]";
	else if (measured && nf < 6)
		*why = "a '" EXPECTED_MEASURED "' row needs a note: why its cells cannot be judged";
	else if (!measured && (outcome_set_parse(f[4], &set) != 0 || !expectation_ok(set)))
		*why = bad_expectation(f[4], whybuf, whycap);
	else if (add_row(t, f, nf, set, measured, lineno) != 0)
		*why = "out of memory";
	else
		return 0;
	return -1;
}

int expected_parse(const char *text, const char *name, struct expected_table *t, char *err,
		   size_t errlen)
{
	memset(t, 0, sizeof *t);
	unsigned lineno = 0;
	const char *why = "out of memory";
	char whybuf[256];
	t->path = strdup(name);
	if (!t->path)
		goto fail;
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		char *line = strndup(p, len);
		p += len + (p[len] == '\n');
		lineno++;
		int rc = line ? parse_line(t, line, lineno, &why, whybuf, sizeof whybuf) : -1;
		free(line);
		if (rc)
			goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "%s:%u: %s", name, lineno, why);
	expected_free(t);
	return -1;
}

int expected_load(const char *path, struct expected_table *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof *t);
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	char chunk[4096];
	size_t n;
	while (mem && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		fwrite(chunk, 1, n, mem);
	bool bad = ferror(f) || !mem;
	fclose(f);
	if (mem)
		fclose(mem);
	if (bad || !text) {
		snprintf(err, errlen, "cannot read %s", path);
		free(text);
		return -1;
	}
	int rc = expected_parse(text, path, t, err, errlen);
	free(text);
	return rc;
}

void expected_free(struct expected_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->rows[i].arch);
		free(t->rows[i].case_name);
		free(t->rows[i].variant);
		free(t->rows[i].atomics);
		free(t->rows[i].note);
	}
	free(t->rows);
	free(t->path);
	memset(t, 0, sizeof *t);
}

static bool row_matches(const struct expected_row *r, const char *arch, const char *case_name,
			const char *variant, const char *atomics)
{
	return fnmatch(r->arch, arch, 0) == 0 && fnmatch(r->case_name, case_name, 0) == 0 &&
	       fnmatch(r->variant, variant, 0) == 0 && fnmatch(r->atomics, atomics, 0) == 0;
}

const struct expected_row *expected_lookup(const struct expected_table *t, const char *arch,
					   const char *case_name, const char *variant,
					   const char *atomics)
{
	for (size_t i = 0; i < t->n; i++)
		if (!t->rows[i].measured &&
		    row_matches(&t->rows[i], arch, case_name, variant, atomics))
			return &t->rows[i];
	return NULL;
}

const struct expected_row *expected_lookup_measured(const struct expected_table *t,
						    const char *arch, const char *case_name,
						    const char *variant, const char *atomics)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct expected_row *r = &t->rows[i];
		if (row_matches(r, arch, case_name, variant, atomics))
			return r->measured ? r : NULL;
	}
	return NULL;
}
