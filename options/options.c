/* options: one table row per option. Contract: options.h. */
#define _GNU_SOURCE
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define HELP_COLUMN 24

/* ---- value parsers ---- */

int opts_parse_u64(const char *s, uint64_t *out)
{
	if (!s || *s < '0' || *s > '9')
		return -1; /* strtoull would take "-1" and " 1" */
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int opts_parse_double(const char *s, double *out)
{
	if (!s || !*s || *s == ' ' || *s == '\t')
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* A sequence of NUMBER UNIT terms (h, m, s, ms) or one bare number of seconds. */
int opts_parse_seconds(const char *s, double *out)
{
	if (opts_parse_double(s, out) == 0)
		return *out >= 0 ? 0 : -1;
	double total = 0;
	const char *p = s;
	if (!p || !*p)
		return -1;
	while (*p) {
		if ((*p < '0' || *p > '9') && *p != '.')
			return -1;
		char *end;
		double v = strtod(p, &end);
		if (end == p || !isfinite(v))
			return -1;
		p = end;
		double unit = strncmp(p, "ms", 2) == 0 ? (p += 2, 0.001)
			      : *p == 'h'		? (p++, 3600)
			      : *p == 'm'		? (p++, 60)
			      : *p == 's'		? (p++, 1)
							: -1;
		if (unit < 0)
			return -1;
		total += v * unit;
	}
	*out = total;
	return 0;
}

/* ---- one option's value ---- */

static void *field(void *dst, const struct opt *o)
{
	return (char *)dst + o->at;
}

static void range_text(const struct opt *o, char *buf, size_t cap)
{
	if (o->max > 0)
		snprintf(buf, cap, "in [%.15g, %.15g]", o->min, o->max);
	else
		snprintf(buf, cap, ">= %.15g", o->min);
}

static bool in_range(const struct opt *o, double v)
{
	return v >= o->min && (o->max <= 0 || v <= o->max);
}

static void choices_text(const struct opt *o, char *buf, size_t cap)
{
	size_t used = 0;
	buf[0] = 0;
	for (int i = 0; o->choices[i] && used < cap; i++) {
		int n = snprintf(buf + used, cap - used, "%s%s", i ? " " : "", o->choices[i]);
		if (n > 0)
			used += (size_t)n;
	}
}

static int choice_index(const struct opt *o, const char *s)
{
	for (int i = 0; o->choices[i]; i++)
		if (strcmp(o->choices[i], s) == 0)
			return i;
	return -1;
}

/* Splits a comma list into a NULL-terminated vector, empty items dropped. */
static char **split_list(const char *s)
{
	size_t n = 1;
	for (const char *p = s; *p; p++)
		n += *p == ',';
	char **v = calloc(n + 1, sizeof *v);
	char *copy = strdup(s);
	if (!v || !copy) {
		free(v);
		free(copy);
		return NULL;
	}
	size_t k = 0;
	for (char *save = copy, *tok; (tok = strsep(&save, ","));)
		if (*tok && !(v[k++] = strdup(tok))) {
			free(copy);
			opts_free_list(v);
			return NULL;
		}
	free(copy);
	return v;
}

void opts_free_list(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int parse_list(const struct opt *o, const char *arg, void *f, char *why, size_t cap)
{
	char **v = split_list(arg);
	if (!v) {
		snprintf(why, cap, "out of memory");
		return -1;
	}
	if (!v[0]) {
		snprintf(why, cap, "is an empty list");
		opts_free_list(v);
		return -1;
	}
	for (size_t i = 0; o->choices && v[i]; i++)
		if (choice_index(o, v[i]) < 0) {
			char allowed[512];
			choices_text(o, allowed, sizeof allowed);
			snprintf(why, cap, "has '%s', which is not one of: %s", v[i], allowed);
			opts_free_list(v);
			return -1;
		}
	opts_free_list(*(char ***)f);
	*(char ***)f = v;
	return 0;
}

/* UINT and INT: a whole number, '-' allowed for INT, then the range. */
static int parse_whole(const struct opt *o, const char *arg, void *f)
{
	uint64_t u;
	bool negative = o->kind == OPT_INT && arg[0] == '-';
	if (opts_parse_u64(arg + negative, &u) != 0)
		return -1;
	double d = negative ? -(double)u : (double)u;
	if (!in_range(o, d))
		return -1;
	if (o->kind == OPT_UINT)
		*(uint64_t *)f = u;
	else
		*(int *)f = (int)d;
	return 0;
}

static int parse_number(const struct opt *o, const char *arg, void *f, char *why, size_t cap)
{
	double d;
	int rc;
	if (o->kind == OPT_UINT || o->kind == OPT_INT)
		rc = parse_whole(o, arg, f);
	else if ((o->kind == OPT_SECONDS ? opts_parse_seconds(arg, &d) : opts_parse_double(arg, &d)) ||
		 !in_range(o, d))
		rc = -1;
	else
		rc = 0, *(double *)f = d;
	if (rc == 0)
		return 0;
	char range[96];
	range_text(o, range, sizeof range);
	snprintf(why, cap, "is not %s %s%s",
		 o->kind == OPT_SECONDS ? "a duration" : o->kind == OPT_DOUBLE ? "a number" : "a whole number",
		 range, o->kind == OPT_SECONDS ? " (e.g. 1.5, 90s, 500ms, 2m, 1h30m)" : "");
	return -1;
}

static int parse_value(const struct opt *o, const char *arg, void *dst, char *why, size_t cap)
{
	void *f = field(dst, o);
	switch (o->kind) {
	case OPT_FLAG: *(bool *)f = true; return 0;
	case OPT_STRING: *(const char **)f = arg; return 0;
	case OPT_CHOICE: {
		int i = choice_index(o, arg);
		if (i < 0) {
			char allowed[512];
			choices_text(o, allowed, sizeof allowed);
			snprintf(why, cap, "is not one of: %s", allowed);
			return -1;
		}
		*(int *)f = i;
		return 0;
	}
	case OPT_LIST: return parse_list(o, arg, f, why, cap);
	case OPT_CUSTOM: return o->parse(arg, f, why, cap);
	default: return parse_number(o, arg, f, why, cap);
	}
}

/* ---- errors and help ---- */

void opts_die(const struct opts_program *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", p->name);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (see %s --help)\n", p->name);
	va_end(ap);
	exit(p->usage_exit);
}

static void print_help_text(FILE *f, const char *text, int column)
{
	for (const char *line = text; line;) {
		const char *nl = strchr(line, '\n');
		int len = nl ? (int)(nl - line) : (int)strlen(line);
		fprintf(f, "%.*s\n", len, line);
		line = nl ? nl + 1 : NULL;
		if (line)
			fprintf(f, "%*s", column, "");
	}
}

static void print_row(FILE *f, const struct opt *o)
{
	char left[64], shortname[8] = "";
	if (o->short_name)
		snprintf(shortname, sizeof shortname, "-%c, ", o->short_name);
	int n = snprintf(left, sizeof left, "  %s--%s%s%s", shortname, o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
	if (n >= HELP_COLUMN - 1)
		fprintf(f, "%s\n%*s", left, HELP_COLUMN, "");
	else
		fprintf(f, "%-*s", HELP_COLUMN, left);
	bool show_def = o->def && o->kind != OPT_FLAG;
	char text[1024];
	snprintf(text, sizeof text, "%s%s%s%s", o->help, show_def ? " (default " : "",
		 show_def ? o->def : "", show_def ? ")" : "");
	print_help_text(f, text, HELP_COLUMN);
}

void opts_help(const struct opts_program *p, FILE *f)
{
	fprintf(f, "%s\n", p->usage);
	for (size_t i = 0; i < p->nopts; i++) {
		if (p->opts[i].group)
			fprintf(f, "%s\n", p->opts[i].group);
		print_row(f, &p->opts[i]);
	}
	fprintf(f, "  --help%*sthis text\n", HELP_COLUMN - 8, "");
	if (p->epilog)
		fprintf(f, "%s", p->epilog);
}

/* ---- parsing ---- */

static void apply(const struct opts_program *p, const struct opt *o, const char *arg, void *dst,
		  bool from_user)
{
	char why[640];
	if (parse_value(o, arg, dst, why, sizeof why) != 0) {
		if (from_user)
			opts_die(p, "--%s: '%s' %s", o->name, arg, why);
		fprintf(stderr, "%s: the default of --%s, '%s', %s: a bug in the option table\n", p->name,
			o->name, arg, why);
		abort();
	}
	if (from_user && o->given_at)
		*(bool *)((char *)dst + o->given_at - 1) = true;
}

/* getopt_long's value for row i is LONG_BASE + i, clear of every short option. */
#define LONG_BASE 1000
#define HELP_ID (LONG_BASE - 1)

static const struct opt *by_short(const struct opts_program *p, int c)
{
	for (size_t i = 0; i < p->nopts; i++)
		if (p->opts[i].short_name == c)
			return &p->opts[i];
	return NULL;
}

static struct option *getopt_table(const struct opts_program *p, char *shorts, size_t cap)
{
	struct option *lo = calloc(p->nopts + 2, sizeof *lo);
	size_t k = 0;
	shorts[k++] = p->stop_at_operand ? '+' : ':';
	if (p->stop_at_operand)
		shorts[k++] = ':';
	for (size_t i = 0; lo && i < p->nopts; i++) {
		const struct opt *o = &p->opts[i];
		bool has_arg = o->kind != OPT_FLAG;
		lo[i] = (struct option){ o->name, has_arg ? required_argument : no_argument, NULL,
					  LONG_BASE + (int)i };
		if (o->short_name && k + 3 < cap) {
			shorts[k++] = o->short_name;
			if (has_arg)
				shorts[k++] = ':';
		}
	}
	if (lo)
		lo[p->nopts] = (struct option){ "help", no_argument, NULL, HELP_ID };
	if (!by_short(p, 'h') && k + 1 < cap)
		shorts[k++] = 'h'; /* -h is --help unless the program gives it a meaning */
	shorts[k] = 0;
	return lo;
}

static _Noreturn void bad_option(const struct opts_program *p, char **argv, int c)
{
	const char *arg = argv[optind - 1];
	if (c == ':')
		opts_die(p, "option %s needs a value", arg);
	if (optopt > 0 && optopt < 256 && arg[0] == '-' && arg[1] != '-')
		opts_die(p, "unknown option -%c", optopt);
	opts_die(p, "unknown option '%s'", arg);
}

/* PROFTORTURE_ARGS_ONLY=1: parse, say so, exit 0 without doing anything.
 * The docs' example test (tests/ci/check-doc-blocks) runs every command line
 * of README.md and docs/ this way, so an example naming a renamed option
 * fails `make check` without running the example's hour of work. */
static bool args_only(void)
{
	const char *v = getenv("PROFTORTURE_ARGS_ONLY");
	return v && strcmp(v, "1") == 0;
}

int opts_parse(const struct opts_program *p, int argc, char **argv, void *dst)
{
	for (size_t i = 0; i < p->nopts; i++)
		if (p->opts[i].def)
			apply(p, &p->opts[i], p->opts[i].def, dst, false);
	char shorts[128];
	struct option *lo = getopt_table(p, shorts, sizeof shorts);
	if (!lo)
		opts_die(p, "out of memory");
	opterr = 0;
	optind = 1;
	for (int c; (c = getopt_long(argc, argv, shorts, lo, NULL)) != -1;) {
		const struct opt *o = c >= LONG_BASE && c < LONG_BASE + (int)p->nopts
					      ? &p->opts[c - LONG_BASE]
					      : by_short(p, c);
		if (c == HELP_ID || (c == 'h' && !o)) {
			free(lo);
			opts_help(p, stdout);
			exit(0);
		}
		if (!o || c == '?' || c == ':') {
			free(lo);
			bad_option(p, argv, c);
		}
		apply(p, o, optarg, dst, true);
	}
	free(lo);
	if (args_only()) {
		printf("%s: arguments ok\n", p->name);
		exit(0);
	}
	return optind;
}
