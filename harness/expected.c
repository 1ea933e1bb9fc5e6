#define _GNU_SOURCE
#include "expected.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void add_row(struct expected_table *t, char **f, size_t nf, unsigned line)
{
	t->rows = xrealloc(t->rows, (t->n + 1) * sizeof *t->rows);
	struct expected_row *r = &t->rows[t->n++];
	r->arch = xstrdup(f[0]);
	r->case_name = xstrdup(f[1]);
	r->variant = xstrdup(f[2]);
	r->atomics = xstrdup(f[3]);
	outcome_set_parse(f[4], &r->expected); /* validated by the caller */
	r->note = xstrdup(nf > 5 ? f[5] : "");
	r->line = line;
}

int expected_parse(const char *text, const char *name, struct expected_table *t, char *err,
		   size_t errlen)
{
	memset(t, 0, sizeof *t);
	t->path = xstrdup(name);
	unsigned lineno = 0;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len);
		p = nl ? nl + 1 : p + len;
		lineno++;
		if (len && line[len - 1] == '\r')
			line[--len] = 0;
		const char *q = line;
		while (*q == ' ' || *q == '\t')
			q++;
		if (!*q || *q == '#') {
			free(line);
			continue;
		}
		char *f[8];
		size_t nf = 0;
		char *save = line;
		for (char *tok; nf < 8 && (tok = strsep(&save, "\t"));)
			if (*tok)
				f[nf++] = tok; /* runs of tabs separate, as in awk -F'\t' readers */
		const outcome_set failures =
			OUTCOME_BIT(OUT_CORRUPT) | OUTCOME_BIT(OUT_DRIFT) | OUTCOME_BIT(OUT_DEADLOCK);
		outcome_set set = 0;
		bool ok = nf >= 5 && outcome_set_parse(f[4], &set) == 0 &&
			  (set == OUTCOME_BIT(OUT_PASS) || (set & ~failures) == 0);
		if (!ok) {
			snprintf(err, errlen, "%s:%u: %s", name, lineno,
				 nf < 5 ? "want arch<TAB>case<TAB>variant<TAB>atomics<TAB>expected"
					: "expected must be pass, or corrupt, drift, deadlock joined by '|'");
			free(line);
			expected_free(t);
			return -1;
		}
		add_row(t, f, nf, lineno);
		free(line);
	}
	return 0;
}

int expected_load(const char *path, struct expected_table *t, char *err, size_t errlen)
{
	char *text = ut_read_file(path, 1 << 20, NULL);
	if (!text) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		memset(t, 0, sizeof *t);
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

const struct expected_row *expected_lookup(const struct expected_table *t, const char *arch,
					   const char *case_name, const char *variant,
					   const char *atomics)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct expected_row *r = &t->rows[i];
		if (fnmatch(r->arch, arch, 0) == 0 && fnmatch(r->case_name, case_name, 0) == 0 &&
		    fnmatch(r->variant, variant, 0) == 0 && fnmatch(r->atomics, atomics, 0) == 0)
			return r;
	}
	return NULL;
}
