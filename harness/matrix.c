#define _GNU_SOURCE
#include "matrix.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

size_t matrix_add_cell(struct matrix *m, const char *arch, const char *case_name,
		       const char *variant, const char *atomics, outcome_set expected,
		       const char *note, bool emulated)
{
	m->cells = xrealloc(m->cells, (m->ncells + 1) * sizeof *m->cells);
	struct cell *c = &m->cells[m->ncells];
	memset(c, 0, sizeof *c);
	c->arch = xstrdup(arch);
	c->case_name = xstrdup(case_name);
	c->variant = xstrdup(variant);
	c->atomics = xstrdup(atomics);
	c->expected = expected;
	c->note = xstrdup(note ? note : "");
	c->emulated = emulated;
	return m->ncells++;
}

size_t matrix_find_cell(const struct matrix *m, const char *arch, const char *case_name,
			const char *variant, const char *atomics)
{
	for (size_t i = 0; i < m->ncells; i++) {
		const struct cell *c = &m->cells[i];
		if (!strcmp(c->arch, arch) && !strcmp(c->case_name, case_name) &&
		    !strcmp(c->variant, variant) && !strcmp(c->atomics, atomics))
			return i;
	}
	return (size_t)-1;
}

struct run_record *matrix_add_run(struct matrix *m)
{
	if (m->nruns == m->capruns) {
		m->capruns = m->capruns ? 2 * m->capruns : 64;
		m->runs = xrealloc(m->runs, m->capruns * sizeof *m->runs);
	}
	struct run_record *r = &m->runs[m->nruns++];
	memset(r, 0, sizeof *r);
	r->elapsed_s = r->first_failure_s = NAN;
	return r;
}

/* A negative control that ran past --runs stopped at its first failure:
 * its failure rate is an inverse-sampling estimate and overstates the
 * per-run rate. Say so where the numbers are. */
static void note_extended_cell(const struct matrix *m, struct cell *c)
{
	unsigned long extra = c->tally.extended;
	if (!extra)
		return;
	struct cell_verdict *v = &c->verdict;
	size_t len = strlen(v->text);
	snprintf(v->text + len, sizeof v->text - len,
		 "; %lu run%s past --runs %llu, until the first failure", extra,
		 extra == 1 ? "" : "s", (unsigned long long)m->runs_per_cell);
}

void matrix_summarize(struct matrix *m)
{
	for (size_t i = 0; i < m->ncells; i++) {
		free(m->cells[i].tally.ttff);
		memset(&m->cells[i].tally, 0, sizeof m->cells[i].tally);
		m->cells[i].tally.ttff = xcalloc(m->nruns + 1, sizeof(double));
	}
	for (size_t i = 0; i < m->nruns; i++) {
		const struct run_record *r = &m->runs[i];
		struct cell_tally *t = &m->cells[r->cell].tally;
		t->count[r->outcome]++;
		if (m->runs_per_cell && r->k >= m->runs_per_cell)
			t->extended++;
		if (outcome_is_informative(r->outcome)) {
			t->near_misses += r->in_atomic;
			t->signals += r->handled;
		}
		if (outcome_is_failure(r->outcome)) {
			double ff = r->first_failure_s;
			if (isnan(ff) && r->outcome == OUT_CRASH)
				ff = r->wall_s;
			if (!isnan(ff))
				t->ttff[t->nttff++] = ff;
		}
	}
	for (size_t i = 0; i < m->ncells; i++) {
		verdict_compute(&m->cells[i].tally, m->cells[i].expected, &m->cells[i].verdict);
		note_extended_cell(m, &m->cells[i]);
	}
}

bool matrix_matched(const struct matrix *m)
{
	size_t tested = 0;
	for (size_t i = 0; i < m->ncells; i++) {
		const struct cell_verdict *v = &m->cells[i].verdict;
		if (v->skipped)
			continue;
		tested++;
		if (!v->matches)
			return false;
	}
	return tested > 0;
}

void matrix_free(struct matrix *m)
{
	for (size_t i = 0; i < m->ncells; i++) {
		struct cell *c = &m->cells[i];
		free(c->arch);
		free(c->case_name);
		free(c->variant);
		free(c->atomics);
		free(c->note);
		free(c->tally.ttff);
	}
	for (size_t i = 0; i < m->nruns; i++)
		free(m->runs[i].log);
	free(m->cells);
	free(m->runs);
	memset(m, 0, sizeof *m);
}

/* ---- writing ---- */

static void kv_str(struct sbuf *b, const char *k, const char *v, bool comma)
{
	json_put_str(b, k);
	sb_putc(b, ':');
	if (v)
		json_put_str(b, v);
	else
		sb_puts(b, "null");
	if (comma)
		sb_putc(b, ',');
}

static void kv_num(struct sbuf *b, const char *k, double v, bool comma)
{
	json_put_str(b, k);
	sb_putc(b, ':');
	json_put_num(b, v);
	if (comma)
		sb_putc(b, ',');
}

static void kv_bool(struct sbuf *b, const char *k, bool v, bool comma)
{
	json_put_str(b, k);
	sb_printf(b, ":%s%s", v ? "true" : "false", comma ? "," : "");
}

void matrix_to_json(const struct matrix *m, struct sbuf *b)
{
	sb_puts(b, "{");
	kv_str(b, "runner", "proftorture", true);
	kv_num(b, "version", 1, true);
	kv_str(b, "command", m->command ? m->command : "run", true);
	if (m->shard_count) {
		char s[32];
		snprintf(s, sizeof s, "%u/%u", m->shard_index, m->shard_count);
		kv_str(b, "shard", s, true);
	} else {
		kv_str(b, "shard", NULL, true);
	}
	sb_printf(b, "\"base_seed\":%llu,", (unsigned long long)m->base_seed);
	kv_num(b, "run_duration_s", m->run_duration, true);
	if (m->runs_per_cell)
		sb_printf(b, "\"runs_per_cell\":%llu,", (unsigned long long)m->runs_per_cell);
	else
		sb_puts(b, "\"runs_per_cell\":null,");
	kv_bool(b, "interrupted", m->interrupted, true);
	kv_bool(b, "matched", matrix_matched(m), true);
	kv_num(b, "elapsed_s", m->elapsed, true);
	sb_puts(b, "\n\"cells\":[");
	for (size_t i = 0; i < m->ncells; i++) {
		const struct cell *c = &m->cells[i];
		const struct cell_verdict *v = &c->verdict;
		sb_puts(b, i ? ",\n{" : "\n{");
		kv_str(b, "arch", c->arch, true);
		kv_str(b, "case", c->case_name, true);
		kv_str(b, "variant", c->variant, true);
		kv_str(b, "atomics", c->atomics, true);
		char en[64];
		kv_str(b, "expected", outcome_set_name(c->expected, en, sizeof en), true);
		kv_str(b, "note", c->note, true);
		kv_num(b, "runs", (double)v->total, true);
		sb_puts(b, "\"counts\":{");
		bool first = true;
		for (int o = 0; o < OUT_COUNT; o++) {
			if (!c->tally.count[o])
				continue;
			sb_printf(b, "%s\"%s\":%lu", first ? "" : ",", outcome_name((enum outcome)o),
				  c->tally.count[o]);
			first = false;
		}
		sb_puts(b, "},");
		kv_str(b, "verdict", verdict_name(v->kind), true);
		kv_bool(b, "matches", v->matches, true);
		kv_bool(b, "skipped", v->skipped, true);
		kv_str(b, "text", v->text, true);
		kv_str(b, "reason", v->reason, true);
		kv_num(b, "rate", v->rate, true);
		if (!isnan(v->ci.lo))
			sb_printf(b, "\"ci\":[%.6g,%.6g],", v->ci.lo, v->ci.hi);
		else
			sb_puts(b, "\"ci\":null,");
		kv_num(b, "bound_run", v->bound_run, true);
		kv_num(b, "bound_near_miss", v->bound_near, true);
		kv_num(b, "near_misses", c->tally.near_misses, true);
		kv_num(b, "signals", c->tally.signals, true);
		kv_num(b, "ttff_median_s", v->ttff_median, true);
		kv_num(b, "ttff_p90_s", v->ttff_p90, false);
		sb_puts(b, "}");
	}
	sb_puts(b, "],\n\"runs\":[");
	for (size_t i = 0; i < m->nruns; i++) {
		const struct run_record *r = &m->runs[i];
		sb_puts(b, i ? ",\n{" : "\n{");
		sb_printf(b, "\"cell\":%zu,\"k\":%u,\"seed\":%llu,", r->cell, r->k,
			  (unsigned long long)r->seed);
		kv_str(b, "outcome", outcome_name(r->outcome), true);
		kv_str(b, "why", r->why, true);
		kv_str(b, "exit", r->exit_desc, true);
		kv_num(b, "wall_s", r->wall_s, true);
		kv_num(b, "elapsed_s", r->elapsed_s, true);
		kv_num(b, "first_failure_s", r->first_failure_s, true);
		kv_num(b, "handled", r->handled, true);
		kv_num(b, "in_atomic", r->in_atomic, true);
		kv_str(b, "corruptions", r->corruptions, true);
		kv_str(b, "log", r->log, false);
		sb_puts(b, "}");
	}
	sb_puts(b, "]}\n");
}

/* ---- reading (merge) ---- */

static double opt_num(const struct json_value *o, const char *k)
{
	double v;
	return json_get_num(o, k, &v) ? v : NAN;
}

int matrix_merge_json(struct matrix *m, const char *text, size_t len, const char *name, char *err,
		      size_t errlen)
{
	static const struct json_limits lim = { 6, 20000000 };
	char perr[160];
	struct json_doc *doc = json_parse(text, len, &lim, perr, sizeof perr);
	if (!doc) {
		snprintf(err, errlen, "%s: not JSON: %s", name, perr);
		return -1;
	}
	const struct json_value *root = json_root(doc), *cells, *runs;
	const char *s;
	uint64_t u;
	int rc = -1;
	if (!json_get_str(root, "runner", &s) || strcmp(s, "proftorture") != 0 ||
	    !json_get_u64(root, "version", &u) || u != 1) {
		snprintf(err, errlen, "%s: not a proftorture summary (version 1)", name);
		goto out;
	}
	cells = json_get(root, "cells");
	runs = json_get(root, "runs");
	if (!cells || cells->type != JSON_ARRAY || !runs || runs->type != JSON_ARRAY) {
		snprintf(err, errlen, "%s: no \"cells\"/\"runs\" arrays", name);
		goto out;
	}
	size_t *map = xcalloc(cells->n + 1, sizeof *map);
	for (size_t i = 0; i < cells->n; i++) {
		const struct json_value *c = cells->items[i];
		const char *arch, *cs, *var, *at, *exp, *note = "";
		outcome_set e = 0;
		if (!json_get_str(c, "arch", &arch) || !json_get_str(c, "case", &cs) ||
		    !json_get_str(c, "variant", &var) || !json_get_str(c, "atomics", &at) ||
		    !json_get_str(c, "expected", &exp) || outcome_set_parse(exp, &e)) {
			snprintf(err, errlen, "%s: cell %zu is malformed", name, i);
			free(map);
			goto out;
		}
		json_get_str(c, "note", &note);
		size_t k = matrix_find_cell(m, arch, cs, var, at);
		if (k == (size_t)-1) {
			k = matrix_add_cell(m, arch, cs, var, at, e, note, strcmp(arch, "native") != 0);
		} else if (m->cells[k].expected != e) {
			char en[64];
			snprintf(err, errlen, "%s: %s %s/%s/%s expected %s here but %s elsewhere", name,
				 arch, cs, var, at, exp,
				 outcome_set_name(m->cells[k].expected, en, sizeof en));
			free(map);
			goto out;
		}
		map[i] = k;
	}
	for (size_t i = 0; i < runs->n; i++) {
		const struct json_value *r = runs->items[i];
		uint64_t ci, k, seed;
		const char *oc;
		if (!json_get_u64(r, "cell", &ci) || ci >= cells->n || !json_get_u64(r, "k", &k) ||
		    !json_get_u64(r, "seed", &seed) || !json_get_str(r, "outcome", &oc) ||
		    outcome_parse(oc) < 0) {
			snprintf(err, errlen, "%s: run %zu is malformed", name, i);
			free(map);
			goto out;
		}
		for (size_t j = 0; j < m->nruns; j++)
			if (m->runs[j].cell == map[ci] && m->runs[j].seed == seed) {
				const struct cell *c = &m->cells[map[ci]];
				snprintf(err, errlen,
					 "%s: %s %s/%s/%s seed %llu appears twice (overlapping shards?)",
					 name, c->arch, c->case_name, c->variant, c->atomics,
					 (unsigned long long)seed);
				free(map);
				goto out;
			}
		struct run_record *rr = matrix_add_run(m);
		rr->cell = map[ci];
		rr->k = (unsigned)k;
		rr->seed = seed;
		rr->outcome = (enum outcome)outcome_parse(oc);
		if (json_get_str(r, "why", &s))
			ut_copy_clean(rr->why, sizeof rr->why, s);
		if (json_get_str(r, "exit", &s))
			ut_copy_clean(rr->exit_desc, sizeof rr->exit_desc, s);
		if (json_get_str(r, "corruptions", &s))
			ut_copy_clean(rr->corruptions, sizeof rr->corruptions, s);
		if (json_get_str(r, "log", &s)) {
			struct sbuf lp = { 0 };
			sb_printf(&lp, "%s/%s", name, s);
			rr->log = lp.s;
		}
		rr->wall_s = opt_num(r, "wall_s");
		rr->elapsed_s = opt_num(r, "elapsed_s");
		rr->first_failure_s = opt_num(r, "first_failure_s");
		rr->handled = opt_num(r, "handled");
		rr->in_atomic = opt_num(r, "in_atomic");
		if (isnan(rr->handled))
			rr->handled = 0;
		if (isnan(rr->in_atomic))
			rr->in_atomic = 0;
	}
	free(map);
	double v;
	if (json_get_num(root, "run_duration_s", &v))
		m->run_duration = v;
	if (json_get_u64(root, "runs_per_cell", &u))
		m->runs_per_cell = u;
	if (json_get_u64(root, "base_seed", &u))
		m->base_seed = u;
	const struct json_value *iv = json_get(root, "interrupted");
	if (iv && iv->type == JSON_BOOL && iv->b)
		m->interrupted = true;
	if (json_get_num(root, "elapsed_s", &v) && v > m->elapsed)
		m->elapsed = v;
	rc = 0;
out:
	json_free(doc);
	return rc;
}
