/* matrix_file: the one reader of matrix files. Contract: matrix_file.h. */
#define _GNU_SOURCE
#include "matrix_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "util.h"

enum column { C_NAME, C_ARCHES, C_ARGV, C_RUNS, C_DURATION, C_CANNON, C_EXPECTED, C_FLAGS, C_NOTE,
	      C_EXTRA };

static const char *const column_names[C_EXTRA] = { "name", "arches", "argv", "runs", "duration",
						   "cannon", "expected", "flags", "note" };
#define REQUIRED_COLUMNS C_FLAGS /* name .. expected; flags and note are optional */
#define MAX_COLUMNS (C_EXTRA + MF_MAX_EXTRA)

static const char *const placeholders[] = { "{arch}", "{goarch}", "{duration}", "{seed}", NULL };

/* The reading state: where we are, for every message. */
struct reader {
	const char *name;
	unsigned line;
	const struct arch_table *arches;
	const struct mf_rules *rules;
	int cols[MAX_COLUMNS]; /* header position i holds column cols[i] */
	size_t ncols;
	bool have_header;
	char *err;
	size_t errlen;
};

static int fail(struct reader *R, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct reader *R, const char *field, const char *fmt, ...)
{
	int n = snprintf(R->err, R->errlen, "%s:%u: %s: ", R->name, R->line, field);
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < R->errlen)
		vsnprintf(R->err + n, R->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static size_t nextra(const struct reader *R)
{
	size_t n = 0;
	while (R->rules && R->rules->extra && R->rules->extra[n])
		n++;
	return n;
}

static const char *column_name(const struct reader *R, int c)
{
	return c < C_EXTRA ? column_names[c] : R->rules->extra[c - C_EXTRA];
}

/* The column called word, or -1. */
static int column_of(const struct reader *R, const char *word)
{
	for (int c = 0; c < C_EXTRA; c++)
		if (strcmp(column_names[c], word) == 0)
			return c;
	for (size_t i = 0; i < nextra(R); i++)
		if (strcmp(R->rules->extra[i], word) == 0)
			return C_EXTRA + (int)i;
	return -1;
}

static void all_columns(const struct reader *R, struct sbuf *b)
{
	for (int c = 0; c < C_EXTRA + (int)nextra(R); c++)
		sb_printf(b, "%s%s%s%s", c ? " " : "", c == C_FLAGS || c == C_NOTE ? "[" : "",
			  column_name(R, c), c == C_FLAGS || c == C_NOTE ? "]" : "");
}

/* ---- lists ---- */

static void list_add(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof **v);
	(*v)[(*n)++] = xstrdup(s);
	(*v)[*n] = NULL;
}

static void list_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void allowed_arches(const struct reader *R, struct sbuf *b)
{
	sb_puts(b, "*, repro");
	for (size_t i = 0; i < R->arches->n; i++)
		sb_printf(b, ", %s", R->arches->v[i].name);
}

/* `*`, `repro` or names joined by ',' into the arch table's order. */
static int parse_arches(struct reader *R, const char *field, const char *text, char ***out)
{
	bool *want = xcalloc(R->arches->n + 1, sizeof *want);
	char *copy = xstrdup(text), *save = copy;
	int rc = 0;
	for (char *w = strsep(&save, ","); w && rc == 0; w = strsep(&save, ",")) {
		bool known = false;
		for (size_t i = 0; i < R->arches->n; i++) {
			const struct arch *a = &R->arches->v[i];
			if (!strcmp(w, "*") || (!strcmp(w, "repro") && a->repro) || !strcmp(w, a->name))
				want[i] = known = true;
		}
		known |= strcmp(w, "repro") == 0; /* a table without a repro row */
		if (!known) {
			struct sbuf b = { 0 };
			allowed_arches(R, &b);
			rc = fail(R, field, "'%s' is not an arch of ci/arches.tsv (allowed, joined by ','"
				  ": %s)", w, b.s);
			sb_free(&b);
		}
	}
	size_t n = 0;
	*out = NULL;
	for (size_t i = 0; rc == 0 && i < R->arches->n; i++)
		if (want[i])
			list_add(out, &n, R->arches->v[i].name);
	if (rc == 0 && n == 0)
		rc = fail(R, field, "'%s' names no arch (ci/arches.tsv has no repro row)", text);
	free(copy);
	free(want);
	return rc;
}

/* ---- one field each ---- */

static int parse_name(struct reader *R, const struct matrix_file *f, const char *s, struct mf_row *r)
{
	if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-") !=
	    strlen(s))
		return fail(R, "name", "'%s' has a character outside A-Z a-z 0-9 . _ + - "
			    "(it names files under runs/)", s);
	const struct mf_row *seen = mf_find(f, s);
	if (seen)
		return fail(R, "name", "'%s' is already the name of line %u (names are unique)", s,
			    seen->line);
	r->name = xstrdup(s);
	return 0;
}

static bool kind_default(const struct reader *R, const char *s)
{
	return R->rules && R->rules->kind_defaults && strcmp(s, "-") == 0;
}

/* Every {...} of one word is a known placeholder. */
static int check_word(struct reader *R, const struct mf_row *r, const char *w)
{
	for (const char *p = strchr(w, '{'); p; p = strchr(p + 1, '{')) {
		size_t i = 0;
		while (placeholders[i] && strncmp(p, placeholders[i], strlen(placeholders[i])))
			i++;
		if (!placeholders[i])
			return fail(R, "argv", "unknown placeholder '%.*s' (allowed: {arch} {goarch} "
				    "{duration} {seed})", (int)(strchr(p, '}') ? strcspn(p, "}") + 1
								     : strlen(p)), p);
		for (size_t k = 0; !strcmp(placeholders[i], "{goarch}") && r->arches[k]; k++) {
			char *ga = arch_goarch(arch_find(R->arches, r->arches[k]));
			free(ga);
			if (!ga)
				return fail(R, "argv", "{goarch}: arch %s has no Go port (no GOARCH= in "
					    "ci/arches.tsv's go_analogue)", r->arches[k]);
		}
	}
	return 0;
}

static int parse_argv(struct reader *R, const char *s, struct mf_row *r)
{
	if (kind_default(R, s))
		return 0;
	char *copy = xstrdup(s), *save = copy;
	size_t n = 0;
	int rc = 0;
	for (char *w = strsep(&save, " "); w && rc == 0; w = strsep(&save, " "))
		if (*w && (rc = check_word(R, r, w)) == 0)
			list_add(&r->argv, &n, w);
	free(copy);
	if (rc == 0 && (n == 0 || strcmp(r->argv[0], "-") == 0))
		rc = fail(R, "argv", "'%s' is no program (want the program and its arguments, split "
			  "on spaces)", s);
	return rc;
}

static int parse_runs(struct reader *R, const char *s, struct mf_row *r)
{
	if (opts_parse_u64(s, &r->runs) || r->runs < 1 || r->runs > MF_MAX_RUNS)
		return fail(R, "runs", "'%s' is not a whole number of runs in [1, %d]", s,
			    MF_MAX_RUNS);
	return 0;
}

static int parse_duration(struct reader *R, const char *s, struct mf_row *r)
{
	if (kind_default(R, s))
		return 0;
	if (opts_parse_seconds(s, &r->duration) || !(r->duration > 0))
		return fail(R, "duration", "'%s' is not a length of time above 0 (e.g. 2s, 500ms, "
			    "1.5)", s);
	return 0;
}

static int parse_cannon(struct reader *R, const char *s, struct mf_row *r)
{
	uint64_t hz;
	bool kind = R->rules && R->rules->kind_defaults;
	r->cannon_anytime = strncmp(s, MF_ANYTIME, strlen(MF_ANYTIME)) == 0;
	const char *rate = r->cannon_anytime ? s + strlen(MF_ANYTIME) : s;
	if (strcmp(rate, "off") == 0 && !r->cannon_anytime)
		r->cannon_rate = 0;
	else if (strcmp(rate, "max") == 0)
		r->cannon_rate = MF_CANNON_MAX;
	else if (kind && strcmp(rate, "on") == 0)
		r->cannon_rate = MF_CANNON_KIND;
	else if (opts_parse_u64(rate, &hz) == 0 && hz >= 1 && hz <= PROTOCOL_MAX_RATE)
		r->cannon_rate = (double)hz;
	else
		return fail(R, "cannon", "'%s' is not off, max%s or a whole number of signals per "
			    "second in [1, %d], each but off optionally after " MF_ANYTIME,
			    s, kind ? ", on" : "", PROTOCOL_MAX_RATE);
	return 0;
}

static int parse_flags(struct reader *R, const char *s, struct mf_row *r)
{
	if (strcmp(s, "-") == 0)
		return 0;
	char *copy = xstrdup(s), *save = copy;
	int rc = 0;
	for (char *w = strsep(&save, ","); w && rc == 0; w = strsep(&save, ","))
		if (strcmp(w, "quick") == 0)
			r->quick = true;
		else if (strcmp(w, "measured") == 0)
			r->measured = true;
		else
			rc = fail(R, "flags", "'%s' is not a flag (allowed, joined by ',': quick "
				  "measured; or -)", w);
	free(copy);
	return rc;
}

/* ---- the expected column ---- */

static bool word_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && strncmp(s, word, len) == 0;
}

/* One OUTCOME into c; len bytes at s. */
static int parse_outcome(struct reader *R, const char *s, size_t len, struct mf_expect *c)
{
	if (len >= 2 && s[0] == '/' && s[len - 1] == '/') {
		c->pattern = xstrndup(s + 1, len - 2);
		int e = regcomp(&c->re, c->pattern, REG_EXTENDED | REG_NOSUB);
		if (e) {
			char why[128];
			regerror(e, &c->re, why, sizeof why);
			free(c->pattern);
			c->pattern = NULL;
			return fail(R, "expected", "/%.*s/ is not a POSIX extended regex: %s",
				    (int)len - 2, s + 1, why);
		}
		c->outcomes = OUTCOME_BIT(MF_PATTERN_MATCHED);
	} else if (word_is(s, len, outcome_name(OUT_PASS))) {
		c->outcomes = OUTCOME_BIT(OUT_PASS);
	} else if (word_is(s, len, MF_FAIL_WORD)) {
		c->outcomes = MF_FAIL;
	} else if (word_is(s, len, outcome_name(OUT_DEADLOCK))) {
		c->outcomes = OUTCOME_BIT(OUT_DEADLOCK);
	} else {
		return fail(R, "expected", "'%.*s' is not an outcome (allowed: pass, fail, deadlock, "
			    "/REGEX/ for a failure whose signature matches)", (int)len, s);
	}
	return 0;
}

/* The end of the clause at s: the ';' after it, or its NUL. A pattern runs
 * to the first '/' followed by ';' or the end. */
static const char *clause_end(const char *s)
{
	const char *eq = s + strcspn(s, "=;/"), *o = *eq == '=' ? eq + 1 : s;
	if (*o == '/')
		for (const char *p = o + 1; *p; p++)
			if (*p == '/' && (p[1] == ';' || !p[1]))
				return p + 1;
	return o + strcspn(o, ";");
}

/* ARCHES= of one clause, checked against the row's arches. */
static int clause_arches(struct reader *R, const struct mf_row *r, const char *s, size_t len,
			 struct mf_expect *c)
{
	char *text = xstrndup(s, len);
	int rc = 0;
	if (strcmp(text, "*") != 0 && (rc = parse_arches(R, "expected", text, &c->arches)) == 0)
		for (size_t i = 0; c->arches[i] && rc == 0; i++)
			if (!mf_row_has_arch(r, c->arches[i]))
				rc = fail(R, "expected", "'%s' is not one of the row's arches (%s)",
					  c->arches[i], "see its arches column");
	free(text);
	return rc;
}

static int parse_expected(struct reader *R, const char *s, struct mf_row *r)
{
	if (kind_default(R, s))
		return 0;
	for (const char *p = s; *p;) {
		const char *end = clause_end(p), *eq = memchr(p, '=', (size_t)(end - p));
		if (eq && memchr(p, '/', (size_t)(eq - p)))
			eq = NULL; /* a '=' inside a pattern */
		r->expect = xrealloc(r->expect, (r->nexpect + 1) * sizeof *r->expect);
		struct mf_expect *c = &r->expect[r->nexpect++];
		memset(c, 0, sizeof *c);
		const char *o = eq ? eq + 1 : p;
		if ((eq && clause_arches(R, r, p, (size_t)(eq - p), c)) ||
		    parse_outcome(R, o, (size_t)(end - o), c))
			return -1;
		p = *end == ';' ? end + 1 : end;
		if (*end == ';' && !*p)
			return fail(R, "expected", "'%s' ends with ';' (want clauses ARCHES=OUTCOME "
				    "joined by ';')", s);
	}
	for (size_t i = 0; r->arches[i]; i++)
		if (!mf_expect_for(r, r->arches[i]))
			return fail(R, "expected", "'%s' says nothing for arch %s, one of the row's "
				    "arches (add %s=OUTCOME, or *=OUTCOME last)", s, r->arches[i],
				    r->arches[i]);
	return 0;
}

/* ---- lines ---- */

/* Splits line (modified) at runs of tabs. */
static size_t split_fields(char *line, char **f, size_t max)
{
	size_t nf = 0;
	for (char *save = line, *tok; (tok = strsep(&save, "\t"));)
		if (*tok) {
			if (nf == max)
				return max + 1;
			f[nf++] = tok;
		}
	return nf;
}

static int parse_header(struct reader *R, char **f, size_t nf)
{
	bool seen[MAX_COLUMNS] = { false };
	struct sbuf all = { 0 };
	all_columns(R, &all);
	int rc = 0;
	for (size_t i = 0; i < nf && rc == 0; i++) {
		int c = column_of(R, f[i]);
		if (c < 0)
			rc = fail(R, "header", "'%s' is not a column: the first line that is not a "
				  "comment names the columns (allowed: %s)", f[i], all.s);
		else if (seen[c])
			rc = fail(R, "header", "column '%s' is named twice", f[i]);
		else
			seen[c] = true, R->cols[i] = c;
	}
	for (int c = 0; c < C_EXTRA + (int)nextra(R) && rc == 0; c++)
		if (!seen[c] && c != C_FLAGS && c != C_NOTE)
			rc = fail(R, "header", "no column '%s' (the header names: %s)",
				  column_name(R, c), all.s);
	if (rc == 0 && (R->cols[nf - 1] != C_NOTE && seen[C_NOTE]))
		rc = fail(R, "header", "'note' must be the last column (it may hold anything)");
	sb_free(&all);
	R->ncols = nf;
	R->have_header = true;
	return rc;
}

static int parse_field(struct reader *R, const struct matrix_file *f, int col, const char *s,
		       struct mf_row *r)
{
	switch (col) {
	case C_NAME: return parse_name(R, f, s, r);
	case C_ARCHES: return parse_arches(R, "arches", s, &r->arches);
	case C_ARGV: return parse_argv(R, s, r);
	case C_RUNS: return parse_runs(R, s, r);
	case C_DURATION: return parse_duration(R, s, r);
	case C_CANNON: return parse_cannon(R, s, r);
	case C_EXPECTED: return parse_expected(R, s, r);
	case C_FLAGS: return parse_flags(R, s, r);
	case C_NOTE: r->note = xstrdup(s); return 0;
	default: r->extra[col - C_EXTRA] = xstrdup(s); return 0;
	}
}

/* A row's fields in the order its checks need: arches before argv and
 * expected (which look at them), name first. */
static const int field_order[] = { C_NAME, C_ARCHES, C_ARGV, C_RUNS, C_DURATION, C_CANNON,
				   C_EXPECTED, C_FLAGS, C_NOTE };

static void row_free(struct mf_row *r);

static int parse_row(struct reader *R, struct matrix_file *f, char **fld, size_t nf)
{
	if (nf > R->ncols)
		return fail(R, column_name(R, R->cols[R->ncols - 1]), "the line has more fields than "
			    "the header's %zu columns (a tab inside a field?)", R->ncols);
	for (size_t i = nf; i < R->ncols; i++)
		if (R->cols[i] != C_FLAGS && R->cols[i] != C_NOTE)
			return fail(R, column_name(R, R->cols[i]), "missing: the line has %zu fields, "
				    "the header %zu columns (`-` stands for none where allowed)", nf,
				    R->ncols);
	struct mf_row r = { .line = R->line };
	const char *at[MAX_COLUMNS] = { NULL };
	for (size_t i = 0; i < nf; i++)
		at[R->cols[i]] = fld[i];
	int rc = 0;
	for (size_t k = 0; k < sizeof field_order / sizeof field_order[0] && rc == 0; k++)
		if (at[field_order[k]])
			rc = parse_field(R, f, field_order[k], at[field_order[k]], &r);
	for (size_t i = 0; i < nextra(R) && rc == 0; i++)
		rc = parse_field(R, f, C_EXTRA + (int)i, at[C_EXTRA + i], &r);
	if (!r.note)
		r.note = xstrdup("");
	if (rc) {
		row_free(&r);
		return -1;
	}
	f->rows = xrealloc(f->rows, (f->n + 1) * sizeof *f->rows);
	f->rows[f->n++] = r;
	return 0;
}

static int parse_line(struct reader *R, struct matrix_file *f, char *line)
{
	size_t len = strlen(line);
	if (len && line[len - 1] == '\r')
		line[len - 1] = 0;
	const char *first = line + strspn(line, " \t");
	if (!*first || *first == '#')
		return 0;
	char *fld[MAX_COLUMNS];
	size_t nf = split_fields(line, fld, MAX_COLUMNS);
	if (!R->have_header) {
		if (nf > MAX_COLUMNS)
			return fail(R, "header", "more columns than there are (%d)", MAX_COLUMNS);
		return parse_header(R, fld, nf);
	}
	return parse_row(R, f, fld, nf);
}

int mf_parse(const char *text, const char *name, const struct arch_table *arches,
	     const struct mf_rules *rules, struct matrix_file *f, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	f->path = xstrdup(name);
	struct reader R = { .name = name, .arches = arches, .rules = rules, .err = err,
			    .errlen = errlen };
	int rc = 0;
	for (const char *p = text; *p && rc == 0;) {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len);
		p += len + (p[len] == '\n');
		R.line++;
		rc = parse_line(&R, f, line);
		free(line);
	}
	if (rc == 0 && !R.have_header) {
		R.line = R.line ? R.line : 1;
		struct sbuf all = { 0 };
		all_columns(&R, &all);
		rc = fail(&R, "header", "no header line (want the columns named first: %s)", all.s);
		sb_free(&all);
	}
	if (rc)
		mf_free(f);
	return rc;
}

int mf_load(const char *path, const char *name, const struct arch_table *arches,
	    const struct mf_rules *rules, struct matrix_file *f, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	size_t len;
	errno = 0;
	char *text = ut_read_file(path, 1 << 24, &len);
	if (!text) {
		snprintf(err, errlen, "%s: cannot read it: %s", name,
			 errno ? strerror(errno) : "too big or not a file");
		return -1;
	}
	if (memchr(text, 0, len)) {
		snprintf(err, errlen, "%s: holds a NUL byte: not a text file", name);
		free(text);
		return -1;
	}
	int rc = mf_parse(text, name, arches, rules, f, err, errlen);
	free(text);
	return rc;
}

static void row_free(struct mf_row *r)
{
	free(r->name);
	list_free(r->arches);
	list_free(r->argv);
	for (size_t i = 0; i < r->nexpect; i++) {
		list_free(r->expect[i].arches);
		if (r->expect[i].pattern)
			regfree(&r->expect[i].re);
		free(r->expect[i].pattern);
	}
	free(r->expect);
	for (size_t i = 0; i < MF_MAX_EXTRA; i++)
		free(r->extra[i]);
	free(r->note);
}

void mf_free(struct matrix_file *f)
{
	for (size_t i = 0; i < f->n; i++)
		row_free(&f->rows[i]);
	free(f->rows);
	free(f->path);
	memset(f, 0, sizeof *f);
}

bool mf_row_has_arch(const struct mf_row *r, const char *arch)
{
	return r->arches && ut_list_has(r->arches, arch);
}

const struct mf_expect *mf_expect_for(const struct mf_row *r, const char *arch)
{
	for (size_t i = 0; i < r->nexpect; i++)
		if (!r->expect[i].arches || ut_list_has(r->expect[i].arches, arch))
			return &r->expect[i];
	return NULL;
}

const struct mf_row *mf_find(const struct matrix_file *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->rows[i].name, name) == 0)
			return &f->rows[i];
	return NULL;
}

/* One template word filled in. */
static char *fill(const char *w, const struct arch *a, double duration, uint64_t seed)
{
	struct sbuf b = { 0 };
	char *goarch = arch_goarch(a);
	for (const char *p = w; *p;) {
		if (!strncmp(p, "{arch}", 6))
			sb_puts(&b, a->name), p += 6;
		else if (!strncmp(p, "{goarch}", 8))
			sb_puts(&b, goarch ? goarch : ""), p += 8;
		else if (!strncmp(p, "{duration}", 10))
			sb_printf(&b, "%.9g", duration), p += 10;
		else if (!strncmp(p, "{seed}", 6))
			sb_printf(&b, "%llu", (unsigned long long)seed), p += 6;
		else
			sb_putc(&b, *p++);
	}
	free(goarch);
	if (!b.s)
		sb_puts(&b, "");
	return b.s;
}

char **mf_argv(const struct mf_row *r, const struct arch *a, double duration, uint64_t seed)
{
	size_t n = 0;
	while (r->argv[n])
		n++;
	char **v = xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = fill(r->argv[i], a, duration, seed);
	if (v[0][0] != '/' && strchr(v[0], '/')) {
		char *abs = root_path(v[0]);
		free(v[0]);
		v[0] = abs;
	}
	return v;
}
