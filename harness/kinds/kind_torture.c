/*
 * kind_torture — the "torture" cell kind: build/<arch>/torture, one process
 * per run, judged by its JSON result line (classify.h). The seam it plugs
 * into: cell_kind.h.
 *
 * Planning asks the arch's binary what it can run (`torture --list`, via
 * arch_probe): its cases, variants, strategies and default strategy. A
 * selected case or variant the binary does not know is a usage error; a
 * selected strategy it does not support on this arch is skipped with a
 * note (native cannot run -kuser strategies, for instance). The binary's
 * compiled-in expectations are compared with the table the runner reads,
 * and a difference is warned about (a stale binary): the table wins.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell_kind.h"
#include "cli.h"
#include "plan.h"

/* ---- plan ---- */

/* The user's list, or everything the binary knows when the user said all. */
static char *const *chosen(char *const *sel, char *const *known)
{
	return selection_includes(sel, "all") ? known : sel;
}

static void check_known(const struct plan *p, const struct arch *a, const char *opt,
			char *const *sel, char *const *known)
{
	for (size_t i = 0; sel && sel[i]; i++)
		if (strcmp(sel[i], "all") != 0 && !ut_list_has(known, sel[i]))
			cli_die(p->cmd, "%s: %s's torture does not know '%s'", opt, a->name, sel[i]);
}

/* The strategies to run on this arch: "default" resolved, the ones the
 * binary cannot run noted in p->skipped and left out. NULL-terminated,
 * pointing into caps and sel (free only the vector). */
static const char **strategies(struct plan *p, const struct arch *a, const struct arch_caps *caps,
			       char *const *sel)
{
	const char *def = caps->default_atomics ? caps->default_atomics : a->default_atomics;
	char *const defv[] = { "default", NULL };
	char *const *want = !sel ? defv : ut_list_has(sel, "all") ? caps->strategies : sel;
	size_t n = 0;
	while (want[n])
		n++;
	const char **out = xcalloc(n + 1, sizeof *out);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s = strcmp(want[i], "default") == 0 ? def : want[i];
		bool dup = false;
		for (size_t j = 0; j < k; j++)
			dup |= strcmp(out[j], s) == 0;
		if (dup)
			continue;
		if (ut_list_has(caps->strategies, s))
			out[k++] = s;
		else
			sb_printf(&p->skipped, " %s/%s", a->name, s);
	}
	return out;
}

/* The binary's own expectation for a cell, when it differs from the table's. */
static void warn_if_stale(const struct plan *p, const struct arch_caps *caps, const struct cell_id *id,
			  outcome_set table)
{
	char en[64];
	outcome_set_name(table, en, sizeof en);
	for (size_t e = 0; e < caps->nexpect; e++)
		if (!strcmp(caps->expect[e].case_name, id->case_name) &&
		    !strcmp(caps->expect[e].variant, id->variant) &&
		    !strcmp(caps->expect[e].atomics, id->atomics) && strcmp(caps->expect[e].outcome, en))
			fprintf(stderr,
				"proftorture %s: warning: %s's torture --list expects %s for %s/%s/%s but "
				"%s says %s (stale binary?); using the table\n",
				p->cmd, id->arch, caps->expect[e].outcome, id->case_name, id->variant,
				id->atomics, p->expected.path, en);
}

static int torture_plan_arch(struct plan *p, const struct arch *a, const struct selection *sel,
			    struct sbuf *problem)
{
	struct arch_caps caps;
	arch_probe(a, &caps);
	if (!caps.ok) {
		sb_puts(problem, caps.error);
		arch_caps_free(&caps);
		return -1;
	}
	char **own_cases = selection_own(sel->cases, protocol_case_names);
	check_known(p, a, "--case", own_cases, caps.cases);
	check_known(p, a, "--variant", sel->variants, caps.variants);
	const char **strats = strategies(p, a, &caps, sel->atomics);
	char *const *cases = chosen(own_cases, caps.cases);
	char *const *variants = chosen(sel->variants, caps.variants);
	for (size_t c = 0; cases[c]; c++)
		for (size_t v = 0; variants[v]; v++)
			for (size_t s = 0; strats[s]; s++) {
				struct cell_id id = { &torture_kind, a->name, cases[c], variants[v],
						      strats[s] };
				size_t ci = plan_add_cell(p, &id, a);
				warn_if_stale(p, &caps, &id, p->m.cells[ci].expected);
			}
	free(strats);
	free(own_cases);
	arch_caps_free(&caps);
	return 0;
}

/* ---- execute ---- */

static char **torture_argv(const struct cell *c, const struct run_settings *s, uint64_t seed)
{
	char num[4][32];
	snprintf(num[0], sizeof num[0], "%llu", (unsigned long long)seed);
	snprintf(num[1], sizeof num[1], "%.9g", s->duration);
	snprintf(num[2], sizeof num[2], "%llu", (unsigned long long)s->threads);
	snprintf(num[3], sizeof num[3], "%.9g", s->watchdog);
	const char *fixed[] = { "--case", c->case_name, "--variant", c->variant, "--atomics",
				c->atomics, "--seed", num[0], "--duration", num[1] };
	const char *given[][2] = { { "--threads", s->threads ? num[2] : NULL },
				   { "--source", s->source },
				   { "--rate", s->rate },
				   { "--watchdog", s->watchdog > 0 ? num[3] : NULL } };
	size_t nfixed = sizeof fixed / sizeof fixed[0], ngiven = sizeof given / sizeof given[0];
	char **v = xcalloc(1 + nfixed + 2 * ngiven + 1, sizeof *v);
	size_t n = 0;
	v[n++] = torture_path(c->arch);
	for (size_t i = 0; i < nfixed; i++)
		v[n++] = xstrdup(fixed[i]);
	for (size_t i = 0; i < ngiven; i++)
		if (given[i][1]) {
			v[n++] = xstrdup(given[i][0]);
			v[n++] = xstrdup(given[i][1]);
		}
	return v;
}

/* ---- classify ---- */

static void torture_classify(const struct cell *c, const struct ended_run *e, struct run_record *r)
{
	struct run_request req = { c->case_name, c->variant, c->atomics, e->seed, true };
	struct classification cl;
	classify_run(&e->end, &e->output, &req, &cl);
	r->outcome = cl.outcome;
	ut_copy_clean(r->why, sizeof r->why, cl.why);
	if (!cl.has_result)
		return;
	r->elapsed_s = cl.result.elapsed_s;
	r->first_failure_s = cl.result.first_failure_s;
	r->handled = (double)cl.result.counters[CTR_HANDLED];
	r->in_atomic = (double)cl.result.counters[CTR_IN_ATOMIC];
	ut_copy_clean(r->corruptions, sizeof r->corruptions, cl.result.corruptions);
}

const struct cell_kind torture_kind = {
	.name = "torture",
	.old_name = "stress", /* the program's name until it became torture */
	.plan_arch = torture_plan_arch,
	.argv = torture_argv,
	.classify = torture_classify,
};
