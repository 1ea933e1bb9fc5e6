/*
 * `proftorture list`: what this machine can run. Arches (qemu, toolchain and
 * build/<arch>/torture present?), each arch's strategies from its torture
 * binary, the protocol's vocabulary, the expected-outcome rules and the
 * expectation resolved for every arch x case x variant at the arch's
 * default strategy.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "options.h"
#include "plan.h"
#include "spawn.h"

struct list_opts {
	bool no_probe;
	const char *exec_prefix, *go_env;
};

static const struct opt list_table[] = {
	{ .name = "no-probe",
	  .help = "do not run `torture --list` (strategies then come from\n"
		  "ci/arches.tsv's default column only)",
	  .kind = OPT_FLAG, .at = OPT_AT(struct list_opts, no_probe) },
	{ .name = "exec-prefix", .arg = "ARCH",
	  .help = "print only the words that run ARCH's programs on this\n"
		  "host (its qemu and flags; nothing when the host runs them\n"
		  "itself: native, and i686 where the kernel can), and on\n"
		  "stderr why a row that tries the host kernel gets qemu;\n"
		  "make's recipes ask this",
	  .kind = OPT_STRING, .at = OPT_AT(struct list_opts, exec_prefix) },
	{ .name = "go-env", .arg = "ARCH",
	  .help = "print only the Go environment that builds for ARCH\n"
		  "(GOARCH=mipsle GOMIPS=softfloat), for\n"
		  "`env $(proftorture list --go-env mipsel) go test -c`",
	  .kind = OPT_STRING, .at = OPT_AT(struct list_opts, go_env) },
};

static const struct opts_program list_program = {
	.name = "proftorture list",
	.usage = "usage: proftorture list [--no-probe] [--exec-prefix ARCH | --go-env ARCH]\n\n"
		 "Lists arches (with whether their qemu, cross toolchain and build/<arch>/torture are\n"
		 "present), cases, variants, sources, strategies and the expected-outcome table.\n",
	.opts = list_table,
	.nopts = OPTS_COUNT(list_table),
	.usage_exit = PROTOCOL_EXIT_USAGE,
};

/* The strategies column: from the arch's torture --list when it answers. */
static void strategies_text(const struct arch *a, bool have_torture, bool probe, bool runnable,
			    struct arch_caps *caps, struct sbuf *b)
{
	if (!have_torture) {
		sb_printf(b, "? (no torture binary: make ARCH=%s)", a->name);
	} else if (!probe || !runnable) {
		sb_puts(b, "?");
	} else {
		arch_probe(a, caps);
		if (!caps->ok)
			sb_printf(b, "? (%s)", caps->error);
		for (char **s = caps->ok ? caps->strategies : NULL; s && *s; s++)
			sb_printf(b, "%s%s", s == caps->strategies ? "" : " ", *s);
	}
}

static void print_arch(const struct arch *a, bool probe, struct arch_caps *caps)
{
	struct sbuf q = { 0 }, cc = { 0 }, strat = { 0 };
	char *qp = arch_is_cross(a) ? ut_which(a->qemu) : NULL;
	if (arch_is_cross(a)) {
		sb_printf(&q, "%s%s", a->qemu, qp ? "" : " (missing)");
		for (char **f = a->qemu_flags; *f; f++)
			sb_printf(&q, " %s", *f);
		if (a->qemu_reason && a->qemu_reason[0])
			sb_puts(&q, " (host kernel tried: no)");
		sb_printf(&cc, "%s-gcc", a->triple);
	} else {
		sb_puts(&q, a->host_kernel_first ? "- (host kernel)" : "-");
		sb_puts(&cc, a->triple[0] ? "" : "cc");
		if (a->triple[0])
			sb_printf(&cc, "%s-gcc", a->triple);
	}
	char *tp = ut_which(cc.s), *sp = torture_path(a->name);
	bool have_torture = access(sp, X_OK) == 0;
	strategies_text(a, have_torture, probe, qp || !arch_is_cross(a), caps, &strat);
	const char *def = caps->ok && caps->default_atomics ? caps->default_atomics : a->default_atomics;
	printf("  %-8s %-20s %-22s %-9s %-7s %-14s %s\n", a->name, a->triple[0] ? a->triple : "-", q.s,
	       tp ? "yes" : "missing", have_torture ? "yes" : "missing", def, strat.s);
	free(qp);
	free(tp);
	free(sp);
	sb_free(&q);
	sb_free(&cc);
	sb_free(&strat);
}

static void print_names(const char *label, char *const *v)
{
	printf("  %-11s", label);
	for (; *v; v++)
		printf(" %s", *v);
	putchar('\n');
}

/* The vocabulary, from the first torture binary that answered, else built in. */
static void print_vocabulary(const struct arch_caps *src)
{
	printf("\nprotocol (%s):\n", src ? "from torture --list" : "built in; no torture binary answered");
	print_names("cases", src ? src->cases : (char *const *)protocol_case_names);
	print_names("variants", src ? src->variants : (char *const *)protocol_variant_names);
	print_names("sources", src ? src->sources : (char *const *)protocol_source_names);
	print_names("strategies", (char *const *)protocol_strategy_names);
}

static void print_rules(const struct expected_table *et)
{
	printf("\nexpected-outcome rules (%s, first match wins):\n", et->path);
	printf("  %-6s %-16s %-20s %-15s %-16s %s\n", "ARCH", "CASE", "VARIANT", "ATOMICS", "EXPECTED",
	       "NOTE");
	for (size_t i = 0; i < et->n; i++) {
		const struct expected_row *r = &et->rows[i];
		char en[64];
		printf("  %-6s %-16s %-20s %-15s %-16s %s\n", r->arch, r->case_name, r->variant,
		       r->atomics, outcome_set_name(r->expected, en, sizeof en), r->note);
	}
}

static int column(const char *name)
{
	return strlen(name) > 16 ? (int)strlen(name) : 16;
}

/* arch x case rows, one column per variant, at each arch's default strategy. */
static void print_expectations(const struct plan *p, const struct arch_caps *caps,
			       char *const *cases, char *const *variants)
{
	printf("\nexpected outcome at each arch's default strategy:\n  %-8s %-14s %-16s", "ARCH",
	       "ATOMICS", "CASE");
	for (char *const *v = variants; *v; v++)
		printf(" %-*s", column(*v), *v);
	putchar('\n');
	for (size_t i = 0; i < p->arches.n; i++) {
		const struct arch *a = &p->arches.v[i];
		const char *def = caps[i].ok && caps[i].default_atomics ? caps[i].default_atomics
									: a->default_atomics;
		for (char *const *cs = cases; *cs; cs++) {
			printf("  %-8s %-14s %-16s", a->name, def, *cs);
			for (char *const *v = variants; *v; v++) {
				const struct expected_row *r = expected_lookup(&p->expected, a->name, *cs, *v, def);
				char en[64];
				printf(" %-*s", column(*v),
				       r ? outcome_set_name(r->expected, en, sizeof en) : "(none)");
			}
			putchar('\n');
		}
	}
}

/* --go-env: one line, the arch's GO*= words; exit 2 for an arch without a
 * Go port. */
static int print_go_env(struct plan *p, const char *name)
{
	const struct arch *a = arch_find(&p->arches, name);
	if (!a)
		opts_die(&list_program, "--go-env: '%s' is not an arch of ci/arches.tsv", name);
	char *env = arch_go_env(a);
	if (!env)
		opts_die(&list_program, "--go-env: %s has no Go port (ci/arches.tsv's go_analogue: %s)",
			 name, a->go ? a->go : "-");
	printf("%s\n", env);
	free(env);
	return 0;
}

/* --exec-prefix: one line, the qemu and its flags or nothing. */
static int print_exec_prefix(struct plan *p, const char *name)
{
	const struct arch *a = arch_find(&p->arches, name);
	if (!a) {
		struct sbuf all = { 0 };
		for (size_t i = 0; i < p->arches.n; i++)
			sb_printf(&all, " %s", p->arches.v[i].name);
		opts_die(&list_program, "--exec-prefix: '%s' is not an arch of ci/arches.tsv (allowed:%s)",
			 name, all.s);
	}
	if (a->qemu_reason && a->qemu_reason[0])
		fprintf(stderr, "proftorture list: %s; %s's programs run under %s\n", a->qemu_reason,
			a->name, a->qemu);
	size_t n;
	char **v = arch_argv(a, "", 0, &n);
	for (size_t i = 0; i + 1 < n; i++) /* the last word is the (empty) command */
		printf("%s%s", i ? " " : "", v[i]);
	putchar('\n');
	argv_free(v);
	plan_free(p);
	return 0;
}

int cmd_list(int argc, char **argv)
{
	struct list_opts o = { 0 };
	int first = opts_parse(&list_program, argc, argv, &o);
	if (first < argc)
		opts_die(&list_program, "unexpected argument '%s'", argv[first]);
	struct plan p;
	char err[512];
	if (plan_load(&p, "list", err, sizeof err))
		cli_die("list", "%s", err);
	if (o.exec_prefix)
		return print_exec_prefix(&p, o.exec_prefix);
	if (o.go_env)
		return print_go_env(&p, o.go_env);
	struct arch_caps *caps = xcalloc(p.arches.n, sizeof *caps);
	printf("arches (%s/ci/arches.tsv):\n", harness_root());
	printf("  %-8s %-20s %-22s %-9s %-7s %-14s %s\n", "ARCH", "TRIPLE", "QEMU", "TOOLCHAIN",
	       "TORTURE", "DEFAULT", "STRATEGIES (from torture --list)");
	const struct arch_caps *src = NULL;
	for (size_t i = 0; i < p.arches.n; i++) {
		print_arch(&p.arches.v[i], !o.no_probe, &caps[i]);
		if (!src && caps[i].ok)
			src = &caps[i];
		if (spawn_interrupted())
			return PROTOCOL_RUNNER_EXIT_SIGNAL(spawn_interrupted());
	}
	print_vocabulary(src);
	print_rules(&p.expected);
	print_expectations(&p, caps, src ? src->cases : (char *const *)protocol_case_names,
			   src ? src->variants : (char *const *)protocol_variant_names);
	for (size_t i = 0; i < p.arches.n; i++)
		arch_caps_free(&caps[i]);
	free(caps);
	plan_free(&p);
	return 0;
}
