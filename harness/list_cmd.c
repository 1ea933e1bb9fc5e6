/*
 * `proftorture list`: what this machine can run. Arches (qemu, toolchain and
 * build/<arch>/stress present?), each arch's strategies from its stress
 * binary, the protocol's vocabulary, the expected-outcome rules and the
 * expectation resolved for every arch x case x variant at the arch's
 * default strategy.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arches.h"
#include "cli.h"
#include "expected.h"
#include "spawn.h"
#include "util.h"

static void help(void)
{
	printf("usage: proftorture list [--no-probe]\n\n"
	       "Lists arches (with whether their qemu, cross toolchain and build/<arch>/stress are\n"
	       "present), cases, variants, sources, strategies and the expected-outcome table.\n"
	       "  --no-probe   do not run `stress --list` (strategies then come from\n"
	       "               ci/arches.tsv's default column only)\n");
}

static void print_list(const char *label, char *const *v, const char *const *fallback)
{
	printf("%-11s", label);
	if (v)
		for (; *v; v++)
			printf(" %s", *v);
	else
		for (; *fallback; fallback++)
			printf(" %s", *fallback);
	putchar('\n');
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = { { "no-probe", no_argument, 0, 'n' },
					      { "help", no_argument, 0, 'h' },
					      { 0, 0, 0, 0 } };
	bool probe = true;
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'n')
			probe = false;
		else if (c == 'h') {
			help();
			return 0;
		} else
			cli_bad_option("list", argv, c);
	}
	if (optind < argc)
		cli_die("list", "unexpected argument '%s'", argv[optind]);

	char err[512];
	struct arch_table t;
	char *apath = root_path("ci/arches.tsv"), *epath = root_path("cases/expected.tsv");
	if (arches_load(apath, &t, err, sizeof err))
		cli_die("list", "%s", err);
	struct expected_table et;
	if (expected_load(epath, &et, err, sizeof err))
		cli_die("list", "%s", err);

	struct arch_caps *caps = xcalloc(t.n, sizeof *caps);
	printf("arches (%s):\n", apath);
	printf("  %-8s %-20s %-22s %-9s %-7s %-14s %s\n", "ARCH", "TRIPLE", "QEMU", "TOOLCHAIN",
	       "STRESS", "DEFAULT", "STRATEGIES (from stress --list)");
	int first_ok = -1;
	for (size_t i = 0; i < t.n; i++) {
		const struct arch *a = &t.v[i];
		struct sbuf q = { 0 }, cc = { 0 };
		char *qp = NULL, *tp;
		if (arch_is_cross(a)) {
			qp = ut_which(a->qemu);
			sb_printf(&q, "%s%s", a->qemu, qp ? "" : " (missing)");
			for (char **f = a->qemu_flags; *f; f++)
				sb_printf(&q, " %s", *f);
			sb_printf(&cc, "%s-gcc", a->triple);
		} else {
			sb_puts(&q, "-");
			sb_puts(&cc, "cc");
		}
		tp = ut_which(cc.s);
		char *sp = stress_path(a->name);
		bool have_stress = access(sp, X_OK) == 0;
		struct sbuf strat = { 0 };
		const char *def = a->default_atomics;
		if (probe && have_stress && (qp || !arch_is_cross(a))) {
			arch_probe(a, &caps[i]);
			if (caps[i].ok) {
				if (first_ok < 0)
					first_ok = (int)i;
				for (char **s = caps[i].strategies; *s; s++)
					sb_printf(&strat, "%s%s", s == caps[i].strategies ? "" : " ", *s);
				if (caps[i].default_atomics)
					def = caps[i].default_atomics;
			} else {
				sb_printf(&strat, "? (%s)", caps[i].error);
			}
		} else {
			sb_puts(&strat, have_stress ? "?" : "? (no stress binary: make ARCH=");
			if (!have_stress)
				sb_printf(&strat, "%s)", a->name);
		}
		printf("  %-8s %-20s %-22s %-9s %-7s %-14s %s\n", a->name, a->triple[0] ? a->triple : "-",
		       q.s, tp ? "yes" : "missing", have_stress ? "yes" : "missing", def, strat.s);
		free(qp);
		free(tp);
		free(sp);
		sb_free(&q);
		sb_free(&cc);
		sb_free(&strat);
		if (spawn_interrupted())
			return 128 + spawn_interrupted();
	}
	struct arch_caps *src = first_ok >= 0 ? &caps[first_ok] : NULL;
	printf("\nprotocol (%s):\n", src ? "from stress --list" : "built in; no stress binary answered");
	print_list("  cases", src ? src->cases : NULL, protocol_case_names);
	print_list("  variants", src ? src->variants : NULL, protocol_variant_names);
	print_list("  sources", src ? src->sources : NULL, protocol_source_names);
	print_list("  strategies", NULL, protocol_strategy_names);

	printf("\nexpected-outcome rules (%s, first match wins):\n", et.path);
	printf("  %-6s %-16s %-20s %-15s %-16s %s\n", "ARCH", "CASE", "VARIANT", "ATOMICS", "EXPECTED",
	       "NOTE");
	for (size_t i = 0; i < et.n; i++) {
		const struct expected_row *r = &et.rows[i];
		char en[64];
		printf("  %-6s %-16s %-20s %-15s %-16s %s\n", r->arch, r->case_name, r->variant,
		       r->atomics, outcome_set_name(r->expected, en, sizeof en), r->note);
	}

	char *const *cases = src ? src->cases : (char *const *)protocol_case_names;
	char *const *variants = src ? src->variants : (char *const *)protocol_variant_names;
	printf("\nexpected outcome at each arch's default strategy:\n  %-8s %-14s %-16s", "ARCH",
	       "ATOMICS", "CASE");
	for (char *const *v = variants; *v; v++)
		printf(" %-*s", (int)(strlen(*v) > 16 ? strlen(*v) : 16), *v);
	putchar('\n');
	for (size_t i = 0; i < t.n; i++) {
		const char *def = caps[i].ok && caps[i].default_atomics ? caps[i].default_atomics
									: t.v[i].default_atomics;
		for (char *const *cs = cases; *cs; cs++) {
			printf("  %-8s %-14s %-16s", t.v[i].name, def, *cs);
			for (char *const *v = variants; *v; v++) {
				const struct expected_row *r = expected_lookup(&et, t.v[i].name, *cs, *v, def);
				char en[64];
				printf(" %-*s", (int)(strlen(*v) > 16 ? strlen(*v) : 16),
				       r ? outcome_set_name(r->expected, en, sizeof en) : "(none)");
			}
			putchar('\n');
		}
	}
	for (size_t i = 0; i < t.n; i++)
		arch_caps_free(&caps[i]);
	free(caps);
	free(apath);
	free(epath);
	expected_free(&et);
	arches_free(&t);
	return 0;
}
