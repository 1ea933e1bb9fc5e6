/* matrix: cells, run records, and summarising them. Contract: matrix.h. */
#define _GNU_SOURCE
#include "matrix.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t matrix_add_cell(struct matrix *m, const struct cell_id *id, outcome_set expected,
		       const char *note, bool emulated)
{
	m->cells = xrealloc(m->cells, (m->ncells + 1) * sizeof *m->cells);
	struct cell *c = &m->cells[m->ncells];
	memset(c, 0, sizeof *c);
	c->kind = id->kind;
	c->arch = xstrdup(id->arch);
	c->case_name = xstrdup(id->case_name);
	c->variant = xstrdup(id->variant);
	c->atomics = xstrdup(id->atomics);
	c->expected = expected;
	c->note = xstrdup(note ? note : "");
	c->emulated = emulated;
	return m->ncells++;
}

static void cell_free(struct cell *c)
{
	free(c->arch);
	free(c->case_name);
	free(c->variant);
	free(c->atomics);
	free(c->note);
	free(c->tally.ttff);
}

void matrix_drop_cells_from(struct matrix *m, size_t first)
{
	while (m->ncells > first)
		cell_free(&m->cells[--m->ncells]);
}

void matrix_add_unplanned(struct matrix *m, const char *arch, const char *reason)
{
	for (size_t i = 0; i < m->nunplanned; i++)
		if (!strcmp(m->unplanned[i].arch, arch) && !strcmp(m->unplanned[i].reason, reason))
			return;
	m->unplanned = xrealloc(m->unplanned, (m->nunplanned + 1) * sizeof *m->unplanned);
	m->unplanned[m->nunplanned].arch = xstrdup(arch);
	m->unplanned[m->nunplanned].reason = xstrdup(reason);
	m->nunplanned++;
}

uint64_t matrix_cell_runs(const struct matrix *m, const struct cell *c)
{
	return c->runs ? c->runs : m->runs_per_cell;
}

size_t matrix_find_cell(const struct matrix *m, const struct cell_id *id)
{
	for (size_t i = 0; i < m->ncells; i++) {
		const struct cell *c = &m->cells[i];
		if (c->kind == id->kind && !strcmp(c->arch, id->arch) &&
		    !strcmp(c->case_name, id->case_name) && !strcmp(c->variant, id->variant) &&
		    !strcmp(c->atomics, id->atomics))
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
	r->wall_s = r->elapsed_s = r->first_failure_s = NAN;
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
		 extra == 1 ? "" : "s", (unsigned long long)matrix_cell_runs(m, c));
}

/* One run into its cell's tally. A crash has no time of its own: the
 * process's wall time stands for it. */
static void tally_run(const struct matrix *m, const struct run_record *r, struct cell_tally *t)
{
	uint64_t runs = matrix_cell_runs(m, &m->cells[r->cell]);
	t->count[r->outcome]++;
	if (runs && r->k >= runs)
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

void matrix_summarize(struct matrix *m)
{
	for (size_t i = 0; i < m->ncells; i++) {
		free(m->cells[i].tally.ttff);
		memset(&m->cells[i].tally, 0, sizeof m->cells[i].tally);
		m->cells[i].tally.ttff = xcalloc(m->nruns + 1, sizeof(double));
	}
	for (size_t i = 0; i < m->nruns; i++)
		tally_run(m, &m->runs[i], &m->cells[m->runs[i].cell].tally);
	for (size_t i = 0; i < m->ncells; i++) {
		struct cell_verdict *v = &m->cells[i].verdict;
		verdict_compute(&m->cells[i].tally, m->cells[i].expected, v);
		note_extended_cell(m, &m->cells[i]);
		if (m->cells[i].measured && !v->skipped) {
			char was[sizeof v->reason];
			snprintf(was, sizeof was, "%s", v->reason);
			snprintf(v->reason, sizeof v->reason, "measured, not judged (%.200s)", was);
			v->skipped = v->measured = true;
			v->matches = false;
		}
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
	return tested > 0 && m->nunplanned == 0;
}

void matrix_free(struct matrix *m)
{
	for (size_t i = 0; i < m->ncells; i++)
		cell_free(&m->cells[i]);
	for (size_t i = 0; i < m->nunplanned; i++) {
		free(m->unplanned[i].arch);
		free(m->unplanned[i].reason);
	}
	free(m->unplanned);
	for (size_t i = 0; i < m->nruns; i++)
		free(m->runs[i].log);
	free(m->cells);
	free(m->runs);
	config_free(&m->config);
	memset(m, 0, sizeof *m);
}
