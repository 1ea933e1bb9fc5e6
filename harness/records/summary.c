/* summary: summary.json written and read with jansson. Contract and
 * format: summary.h. */
#define _GNU_SOURCE
#include "summary.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell_kind.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(6))

/* ---- writing ---- */

static json_t *must(json_t *v)
{
	if (!v)
		ut_out_of_memory();
	return v;
}

static void put(json_t *obj, const char *key, json_t *v)
{
	if (json_object_set_new(obj, key, must(v)) != 0)
		ut_out_of_memory();
}

/* Any C string as a JSON string: sanitised to printable ASCII first, so
 * jansson (which wants UTF-8) always takes it; NULL is null. */
static json_t *jstr(const char *s)
{
	if (!s)
		return json_null();
	char *clean = xstrdup(s);
	ut_sanitize(clean);
	json_t *v = json_string(clean);
	free(clean);
	return v;
}

/* A number: null when not finite, an integer when whole, else a real. */
static json_t *jnum(double v)
{
	if (!isfinite(v))
		return json_null();
	if (v == floor(v) && fabs(v) < 9e15)
		return json_integer((json_int_t)v);
	return json_real(v);
}

static json_t *header_json(const struct matrix *m)
{
	json_t *h = must(json_object());
	put(h, "runner", jstr(SUMMARY_RUNNER));
	put(h, "version", json_integer(SUMMARY_VERSION));
	put(h, "command", jstr(m->command ? m->command : "run"));
	char shard[32];
	snprintf(shard, sizeof shard, "%u/%u", m->shard_index, m->shard_count);
	put(h, "shard", m->shard_count ? jstr(shard) : json_null());
	put(h, "base_seed", json_integer((json_int_t)m->base_seed));
	put(h, "run_duration_s", jnum(m->run_duration));
	put(h, "runs_per_cell",
	    m->runs_per_cell ? json_integer((json_int_t)m->runs_per_cell) : json_null());
	put(h, "interrupted", json_boolean(m->interrupted));
	put(h, "matched", json_boolean(matrix_matched(m)));
	put(h, "elapsed_s", jnum(m->elapsed));
	return h;
}

static json_t *config_json(const struct run_config *c)
{
	json_t *j = must(json_object()), *arches = must(json_array());
	put(j, "commit", jstr(c->commit));
	put(j, "tree", jstr(c->tree));
	put(j, "command_line", jstr(c->command_line));
	put(j, "started", jstr(c->started));
	put(j, "host", jstr(c->host));
	for (size_t i = 0; i < c->narches; i++) {
		json_t *a = must(json_object());
		put(a, "arch", jstr(c->arches[i].arch));
		put(a, "emulator", jstr(c->arches[i].emulator));
		put(a, "compiler", jstr(c->arches[i].compiler));
		if (json_array_append_new(arches, a) != 0)
			ut_out_of_memory();
	}
	put(j, "arches", arches);
	return j;
}

static json_t *counts_json(const struct cell_tally *t)
{
	json_t *counts = must(json_object());
	for (int o = 0; o < OUT_COUNT; o++)
		if (t->count[o])
			put(counts, outcome_name((enum outcome)o), json_integer((json_int_t)t->count[o]));
	return counts;
}

static json_t *cell_json(const struct cell *c)
{
	const struct cell_verdict *v = &c->verdict;
	json_t *j = must(json_object());
	char en[64];
	put(j, "kind", jstr(c->kind->name));
	put(j, "arch", jstr(c->arch));
	put(j, "case", jstr(c->case_name));
	put(j, "variant", jstr(c->variant));
	put(j, "atomics", jstr(c->atomics));
	put(j, "expected", jstr(outcome_set_name(c->expected, en, sizeof en)));
	put(j, "note", jstr(c->note));
	put(j, "runs", json_integer((json_int_t)v->total));
	put(j, "runs_planned", c->runs ? json_integer((json_int_t)c->runs) : json_null());
	put(j, "measured", json_boolean(c->measured));
	put(j, "counts", counts_json(&c->tally));
	put(j, "verdict", jstr(verdict_name(v->kind)));
	put(j, "matches", json_boolean(v->matches));
	put(j, "skipped", json_boolean(v->skipped));
	put(j, "text", jstr(v->text));
	put(j, "reason", jstr(v->reason));
	put(j, "rate", jnum(v->rate));
	put(j, "ci", isnan(v->ci.lo) ? json_null() : json_pack("[ff]", v->ci.lo, v->ci.hi));
	put(j, "bound_run", jnum(v->bound_run));
	put(j, "bound_near_miss", jnum(v->bound_near));
	put(j, "near_misses", jnum(c->tally.near_misses));
	put(j, "signals", jnum(c->tally.signals));
	put(j, "ttff_median_s", jnum(v->ttff_median));
	put(j, "ttff_p90_s", jnum(v->ttff_p90));
	return j;
}

static json_t *run_json(const struct run_record *r)
{
	json_t *j = must(json_object());
	put(j, "cell", json_integer((json_int_t)r->cell));
	put(j, "k", json_integer(r->k));
	put(j, "seed", json_integer((json_int_t)r->seed));
	put(j, "outcome", jstr(outcome_name(r->outcome)));
	put(j, "why", jstr(r->why));
	put(j, "exit", jstr(r->exit_desc));
	put(j, "wall_s", jnum(r->wall_s));
	put(j, "elapsed_s", jnum(r->elapsed_s));
	put(j, "first_failure_s", jnum(r->first_failure_s));
	put(j, "handled", jnum(r->handled));
	put(j, "in_atomic", jnum(r->in_atomic));
	put(j, "corruptions", jstr(r->corruptions));
	put(j, "log", jstr(r->log));
	return j;
}

static json_t *unplanned_json(const struct matrix *m)
{
	json_t *a = must(json_array());
	for (size_t i = 0; i < m->nunplanned; i++) {
		json_t *u = must(json_object());
		put(u, "arch", jstr(m->unplanned[i].arch));
		put(u, "reason", jstr(m->unplanned[i].reason));
		if (json_array_append_new(a, u) != 0)
			ut_out_of_memory();
	}
	return a;
}

/* v as JSON into b (JSON_EMBED: without its outer braces), and freed. */
static void dump(struct sbuf *b, json_t *v, size_t flags)
{
	char *s = json_dumps(v, DUMP_FLAGS | flags);
	if (!s)
		ut_out_of_memory();
	sb_puts(b, s);
	free(s);
	json_decref(v);
}

void summary_write(const struct matrix *m, struct sbuf *b)
{
	sb_putc(b, '{');
	dump(b, header_json(m), JSON_EMBED);
	sb_puts(b, ",\n\"config\":");
	dump(b, config_json(&m->config), 0);
	sb_puts(b, ",\n\"unplanned\":");
	dump(b, unplanned_json(m), 0);
	sb_puts(b, ",\n\"cells\":[");
	for (size_t i = 0; i < m->ncells; i++) {
		sb_puts(b, i ? ",\n" : "\n");
		dump(b, cell_json(&m->cells[i]), 0);
	}
	sb_puts(b, "],\n\"runs\":[");
	for (size_t i = 0; i < m->nruns; i++) {
		sb_puts(b, i ? ",\n" : "\n");
		dump(b, run_json(&m->runs[i]), 0);
	}
	sb_puts(b, "]}\n");
}

/* ---- reading ---- */

struct reader {
	const char *name; /* for messages */
	char *err;
	size_t errlen;
};

static int refuse(const struct reader *rd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(const struct reader *rd, const char *fmt, ...)
{
	char why[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	snprintf(rd->err, rd->errlen, "%s: %s", rd->name, why);
	return -1;
}

static const char *get_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key)); /* NULL unless a string */
}

static bool get_count(const json_t *obj, const char *key, uint64_t *out)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

/* A number, NaN when absent, null or not a number. */
static double get_num(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Cell i of the input to its index in m (created on first sight). */
static int read_cell(const struct reader *rd, struct matrix *m, const json_t *c, size_t i,
		     size_t *index)
{
	const char *kind = get_str(c, "kind"), *exp = get_str(c, "expected");
	struct cell_id id = { kind ? cell_kind_find(kind) : NULL, get_str(c, "arch"),
			      get_str(c, "case"), get_str(c, "variant"), get_str(c, "atomics") };
	outcome_set e = 0;
	if (!id.kind || !id.arch || !id.case_name || !id.variant || !id.atomics || !exp ||
	    outcome_set_parse(exp, &e))
		return refuse(rd, "cell %zu is malformed (or of an unknown kind)", i);
	*index = matrix_find_cell(m, &id);
	if (*index == (size_t)-1) {
		const char *note = get_str(c, "note");
		/* emulated matters only when running; a merge runs nothing */
		*index = matrix_add_cell(m, &id, e, note, false);
		uint64_t planned;
		if (get_count(c, "runs_planned", &planned))
			m->cells[*index].runs = planned;
		m->cells[*index].measured = json_is_true(json_object_get(c, "measured"));
	} else if (m->cells[*index].expected != e) {
		char en[64];
		return refuse(rd, "%s %s/%s/%s expected %s here but %s elsewhere", id.arch,
			      id.case_name, id.variant, id.atomics, exp,
			      outcome_set_name(m->cells[*index].expected, en, sizeof en));
	}
	return 0;
}

/* Copies an optional string field, sanitised. */
static void copy_str(const json_t *r, const char *key, char *dst, size_t cap)
{
	const char *s = get_str(r, key);
	if (s)
		ut_copy_clean(dst, cap, s);
}

static int read_run(const struct reader *rd, struct matrix *m, const json_t *r, size_t i,
		    const size_t *map, size_t ncells, const char *base)
{
	uint64_t ci, k, seed;
	const char *oc = get_str(r, "outcome");
	if (!get_count(r, "cell", &ci) || ci >= ncells || !get_count(r, "k", &k) || k > UINT32_MAX ||
	    !get_count(r, "seed", &seed) || !oc || outcome_parse(oc) < 0)
		return refuse(rd, "run %zu is malformed", i);
	for (size_t j = 0; j < m->nruns; j++)
		if (m->runs[j].cell == map[ci] && m->runs[j].seed == seed) {
			const struct cell *c = &m->cells[map[ci]];
			return refuse(rd, "%s %s/%s/%s seed %llu appears twice (overlapping shards?)",
				      c->arch, c->case_name, c->variant, c->atomics,
				      (unsigned long long)seed);
		}
	struct run_record *rr = matrix_add_run(m);
	rr->cell = map[ci];
	rr->k = (unsigned)k;
	rr->seed = seed;
	rr->outcome = (enum outcome)outcome_parse(oc);
	copy_str(r, "why", rr->why, sizeof rr->why);
	copy_str(r, "exit", rr->exit_desc, sizeof rr->exit_desc);
	copy_str(r, "corruptions", rr->corruptions, sizeof rr->corruptions);
	if (get_str(r, "log")) {
		struct sbuf lp = { 0 };
		sb_printf(&lp, "%s/%s", base, get_str(r, "log"));
		ut_sanitize(lp.s);
		rr->log = lp.s;
	}
	rr->wall_s = get_num(r, "wall_s");
	rr->elapsed_s = get_num(r, "elapsed_s");
	rr->first_failure_s = get_num(r, "first_failure_s");
	rr->handled = isnan(get_num(r, "handled")) ? 0 : get_num(r, "handled");
	rr->in_atomic = isnan(get_num(r, "in_atomic")) ? 0 : get_num(r, "in_atomic");
	return 0;
}

static int read_cells_and_runs(const struct reader *rd, struct matrix *m, const json_t *root,
			       const char *base)
{
	const json_t *cells = json_object_get(root, "cells"), *runs = json_object_get(root, "runs");
	if (!json_is_array(cells) || !json_is_array(runs))
		return refuse(rd, "no \"cells\"/\"runs\" arrays");
	size_t n = json_array_size(cells);
	size_t *map = xcalloc(n + 1, sizeof *map);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = read_cell(rd, m, json_array_get(cells, i), i, &map[i]);
	for (size_t i = 0; i < json_array_size(runs) && rc == 0; i++)
		rc = read_run(rd, m, json_array_get(runs, i), i, map, n, base);
	free(map);
	return rc;
}

/* The matrix's parameters: the last input's, and the longest elapsed. */
static void read_parameters(const json_t *root, struct matrix *m, struct summary_shard *shard)
{
	uint64_t u;
	double v = get_num(root, "run_duration_s");
	if (!isnan(v))
		m->run_duration = v;
	if (get_count(root, "runs_per_cell", &u))
		m->runs_per_cell = u;
	if (get_count(root, "base_seed", &u))
		m->base_seed = u;
	if (json_is_true(json_object_get(root, "interrupted")))
		m->interrupted = true;
	const json_t *unplanned = json_object_get(root, "unplanned"), *e;
	size_t i;
	json_array_foreach(unplanned, i, e)
	{
		const char *arch = get_str(e, "arch"), *reason = get_str(e, "reason");
		if (arch && reason)
			matrix_add_unplanned(m, arch, reason);
	}
	v = get_num(root, "elapsed_s");
	if (!isnan(v) && v > m->elapsed)
		m->elapsed = v;
	const char *s = get_str(root, "shard");
	shard->index = shard->count = 0;
	if (s && ut_parse_shard(s, &shard->index, &shard->count) != 0)
		shard->index = shard->count = 0;
}

/* A config field: absent or null is unknown (true, *out NULL), a string is
 * taken, anything else is malformed (false). */
static bool get_opt_str(const json_t *obj, const char *key, const char **out)
{
	const json_t *v = json_object_get(obj, key);
	*out = json_string_value(v);
	return !v || json_is_null(v) || json_is_string(v);
}

static bool read_config_arch(const json_t *a, struct run_config *c)
{
	const char *arch, *emulator, *compiler;
	if (!json_is_object(a) || !(arch = get_str(a, "arch")) ||
	    !get_opt_str(a, "emulator", &emulator) || !get_opt_str(a, "compiler", &compiler))
		return false;
	config_add_arch(c, arch, emulator, compiler);
	return true;
}

/* The input's "config" merged into m's; version 2 has none (unknown). */
static int read_config(const struct reader *rd, struct matrix *m, const json_t *root)
{
	const json_t *j = json_object_get(root, "config"), *arches = json_object_get(j, "arches");
	struct run_config c = { .inputs = 1 };
	const char *f[5];
	bool ok = !j || (json_is_object(j) && (!arches || json_is_array(arches)) &&
			 get_opt_str(j, "commit", &f[0]) && get_opt_str(j, "tree", &f[1]) &&
			 get_opt_str(j, "command_line", &f[2]) && get_opt_str(j, "started", &f[3]) &&
			 get_opt_str(j, "host", &f[4]));
	for (size_t i = 0; ok && j && i < json_array_size(arches); i++)
		ok = read_config_arch(json_array_get(arches, i), &c);
	if (ok && j) {
		char **to[5] = { &c.commit, &c.tree, &c.command_line, &c.started, &c.host };
		for (int i = 0; i < 5; i++)
			*to[i] = f[i] ? xstrdup(f[i]) : NULL;
	}
	if (ok)
		config_merge(&m->config, &c);
	config_free(&c);
	return ok ? 0 : refuse(rd, "\"config\" is malformed");
}

int summary_merge(struct matrix *m, const char *text, size_t len, const char *base,
		  struct summary_shard *shard, char *err, size_t errlen)
{
	struct reader rd = { base, err, errlen };
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return refuse(&rd, "not JSON: %s (line %d, column %d)", je.text, je.line, je.column);
	int rc;
	const char *runner = get_str(root, "runner");
	const json_t *version = json_object_get(root, "version");
	if (!runner || strcmp(runner, SUMMARY_RUNNER) != 0 || !json_is_integer(version) ||
	    json_integer_value(version) < SUMMARY_VERSION_OLDEST ||
	    json_integer_value(version) > SUMMARY_VERSION)
		rc = refuse(&rd, "not a %s summary of version %d to %d (this runner writes %d)",
			    SUMMARY_RUNNER, SUMMARY_VERSION_OLDEST, SUMMARY_VERSION, SUMMARY_VERSION);
	else if ((rc = read_cells_and_runs(&rd, m, root, base)) == 0 &&
		 (rc = read_config(&rd, m, root)) == 0)
		read_parameters(root, m, shard);
	json_decref(root);
	return rc;
}
