/* plan: the cells of the matrix and their expected outcomes. Contract: plan.h. */
#define _GNU_SOURCE
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "spawn.h"

bool selection_includes(char *const *list, const char *name)
{
	return !list || ut_list_has(list, "all") || ut_list_has(list, name);
}

char **selection_own(char *const *list, const char *const *mine)
{
	if (!list || ut_list_has(list, "all"))
		return NULL;
	size_t n = 0;
	while (list[n])
		n++;
	char **own = xcalloc(n + 1, sizeof *own);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; mine[j]; j++)
			if (strcmp(list[i], mine[j]) == 0) {
				own[k++] = list[i];
				break;
			}
	if (k == 0) {
		free(own);
		return NULL;
	}
	return own;
}

int plan_load(struct plan *p, const char *cmd, char *err, size_t errlen)
{
	memset(p, 0, sizeof *p);
	p->cmd = cmd;
	char *apath = root_path("ci/arches.tsv"), *epath = root_path("cases/expected.tsv");
	int rc = arches_load(apath, &p->arches, err, errlen);
	if (rc == 0 && (rc = expected_load(epath, &p->expected, err, errlen)) != 0)
		arches_free(&p->arches);
	free(apath);
	free(epath);
	return rc;
}

const struct expected_table *plan_table(struct plan *p, const struct cell_kind *k)
{
	if (!k->expected_path)
		return &p->expected;
	for (size_t i = 0; i < p->nkind_tables; i++)
		if (strcmp(p->kind_table_paths[i], k->expected_path) == 0)
			return &p->kind_tables[i];
	if (p->nkind_tables == PLAN_MAX_KIND_TABLES)
		abort(); /* more kinds with tables of their own than the plan has room for */
	char err[512], *path = root_path(k->expected_path);
	size_t i = p->nkind_tables;
	if (expected_load(path, &p->kind_tables[i], err, sizeof err))
		cli_die(p->cmd, "%s", err);
	free(path);
	p->kind_table_paths[i] = k->expected_path;
	p->nkind_tables++;
	return &p->kind_tables[i];
}

size_t plan_add_cell(struct plan *p, const struct cell_id *id, const struct arch *a)
{
	size_t ci = matrix_find_cell(&p->m, id);
	if (ci != (size_t)-1)
		return ci;
	const struct expected_table *t = plan_table(p, id->kind);
	const struct expected_row *row =
		expected_lookup(t, id->arch, id->case_name, id->variant, id->atomics);
	if (!row)
		cli_die(p->cmd, "%s has no row for %s %s %s %s", t->path, id->arch, id->case_name,
			id->variant, id->atomics);
	/* A measured cell's note says why it is not judged: the matrix shows it
	 * beside the verdict. */
	const struct expected_row *measured =
		expected_lookup_measured(t, id->arch, id->case_name, id->variant, id->atomics);
	ci = plan_add_cell_expecting(p, id, a, row->expected, (measured ? measured : row)->note);
	p->m.cells[ci].measured = measured != NULL;
	return ci;
}

size_t plan_add_cell_expecting(struct plan *p, const struct cell_id *id, const struct arch *a,
			       outcome_set expected, const char *note)
{
	size_t ci = matrix_find_cell(&p->m, id);
	if (ci != (size_t)-1)
		return ci;
	ci = matrix_add_cell(&p->m, id, expected, note, arch_is_cross(a));
	p->cell_arch = xrealloc(p->cell_arch, (ci + 1) * sizeof *p->cell_arch);
	p->cell_arch[ci] = a;
	return ci;
}

/* One arch through every kind; its problems into `problems`, and the
 * arch into the matrix's unplanned list, without the cells the failing
 * kind had added on it. */
static void plan_arch(struct plan *p, const struct arch *a, const struct selection *sel,
		      const struct cell_kind *const *kinds, struct sbuf *problems)
{
	for (size_t k = 0; kinds[k]; k++) {
		struct sbuf why = { 0 };
		size_t before = p->m.ncells;
		if (kinds[k]->plan_arch(p, a, sel, &why) != 0) {
			sb_printf(problems, "\n  %s: %s", a->name, sb_str(&why));
			matrix_drop_cells_from(&p->m, before);
			struct sbuf r = { 0 };
			sb_printf(&r, "%s cells: %s", kinds[k]->name, sb_str(&why));
			matrix_add_unplanned(&p->m, a->name, r.s);
			sb_free(&r);
		}
		sb_free(&why);
		if (spawn_interrupted())
			exit(PROTOCOL_RUNNER_EXIT_SIGNAL(spawn_interrupted()));
	}
}

void plan_cells(struct plan *p, const struct selection *sel, const struct cell_kind *const *kinds)
{
	struct sbuf problems = { 0 };
	if (selection_includes(sel->arches, "all")) {
		for (size_t i = 0; i < p->arches.n; i++)
			plan_arch(p, &p->arches.v[i], sel, kinds, &problems);
	} else { /* in the order given; the caller checked the names */
		for (size_t i = 0; sel->arches[i]; i++) {
			const struct arch *a = arch_find(&p->arches, sel->arches[i]);
			if (a)
				plan_arch(p, a, sel, kinds, &problems);
		}
	}
	if (problems.len && !p->m.ncells)
		cli_die(p->cmd, "cannot run on any selected arch (choose others with --arch):%s",
			problems.s);
	if (problems.len)
		fprintf(stderr,
			"proftorture %s: these arches cannot run here and are reported as not run "
			"(the matrix fails); every other arch runs:%s\n",
			p->cmd, problems.s);
	for (size_t i = 0; i < p->arches.n; i++)
		if (p->arches.v[i].qemu_reason && p->arches.v[i].qemu_reason[0] &&
		    selection_includes(sel->arches, p->arches.v[i].name))
			fprintf(stderr, "proftorture %s: %s: %s; its programs run under %s\n", p->cmd,
				p->arches.v[i].name, p->arches.v[i].qemu_reason, p->arches.v[i].qemu);
	sb_free(&problems);
	if (p->skipped.len)
		fprintf(stderr, "proftorture %s: skipping what the arch does not support (strategies; the go kind where Go has no port):%s\n",
			p->cmd, p->skipped.s);
	if (!p->m.ncells)
		cli_die(p->cmd, "no cell to run: the selected kinds have none on the selected arches "
			"(every requested strategy unsupported, or no row of the matrix file on them)");
}

void plan_free(struct plan *p)
{
	matrix_free(&p->m);
	free(p->cell_arch);
	sb_free(&p->skipped);
	expected_free(&p->expected);
	for (size_t i = 0; i < p->nkind_tables; i++)
		expected_free(&p->kind_tables[i]);
	arches_free(&p->arches);
	memset(p, 0, sizeof *p);
}
