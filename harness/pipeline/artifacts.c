/* artifacts: a failing run's log and replay script. Contract: artifacts.h. */
#define _GNU_SOURCE
#include "artifacts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arches.h"
#include "ledger.h"
#include "threads.h"

static void put_command(struct sbuf *b, char *const *argv)
{
	for (char *const *a = argv; *a; a++) {
		sb_putc(b, ' ');
		sb_shell_quote(b, *a);
	}
}

static void replay_script(struct sbuf *sh, const struct cell *c, const struct run_record *r,
			  const char *why, char *const *argv, double timeout)
{
	char en[64];
	sb_puts(sh, "#!/bin/sh\n");
	sb_printf(sh, "# proftorture replay: %s %s/%s/%s, run %u, seed %llu\n", c->arch,
		  c->case_name, c->variant, c->atomics, r->k, (unsigned long long)r->seed);
	sb_printf(sh, "# outcome: %s (%s): %s\n", outcome_name(r->outcome), r->exit_desc, why);
	sb_printf(sh, "# expected for this cell: %s. The runner's hard timeout was %.0fs; "
		      "this script has none.\n", outcome_set_name(c->expected, en, sizeof en), timeout);
	sb_puts(sh, "cd ");
	sb_shell_quote(sh, harness_root());
	sb_puts(sh, " || exit 2\nexec");
	put_command(sh, argv);
	sb_puts(sh, " \"$@\"\n");
}

static void run_log(struct sbuf *log, const struct cell *c, const struct run_record *r,
		    const char *why, char *const *argv, const struct proc *p)
{
	sb_printf(log, "# %s %s/%s/%s run %u seed %llu\n# outcome: %s (%s, %.3fs wall): %s\n# command:",
		  c->arch, c->case_name, c->variant, c->atomics, r->k, (unsigned long long)r->seed,
		  outcome_name(r->outcome), r->exit_desc, r->wall_s, why);
	put_command(log, argv);
	const char *names[2] = { "stdout", "stderr" };
	for (int i = 0; i < 2; i++) {
		size_t len;
		char *text = capture_text(&p->cap[i], &len);
		sb_printf(log, "\n--- %s (%llu bytes%s) ---\n", names[i],
			  (unsigned long long)p->cap[i].total,
			  capture_dropped(&p->cap[i]) ? ", middle dropped" : "");
		sb_add(log, text, len);
		free(text);
	}
	if (p->watch) { /* a timeout with a kill signal: where its threads were */
		char where[THREADS_SUMMARY_MAX];
		sb_puts(log, "\n--- where every thread was, from the kill signal to the end ---\n");
		threads_watch_report(p->watch, log, where, sizeof where);
		sb_printf(log, "in short: %s\n", where);
	}
}

char *artifacts_write(const char *outdir, const struct cell *c, const struct run_record *r,
		      char *const *argv, const struct proc *p, double timeout)
{
	struct sbuf base = { 0 }, why = { 0 }, log = { 0 }, sh = { 0 }, path = { 0 };
	sb_printf(&base, "runs/%s-%s-%s-%s-k%u", c->arch, c->case_name, c->variant, c->atomics, r->k);
	sb_puts(&why, r->why); /* one line in both files */
	ut_sanitize(why.s);
	for (char *q = why.s; *q; q++)
		if (*q == '\n')
			*q = ' ';
	replay_script(&sh, c, r, why.s, argv, timeout);
	run_log(&log, c, r, why.s, argv, p);
	/* each file on its own: a replay script is worth keeping without its log */
	sb_printf(&path, "%s/%s.sh", outdir, base.s);
	ledger_write(LEDGER_ARTIFACT, path.s, sh.s, sh.len, true);
	path.len = 0;
	sb_printf(&path, "%s/%s.log", outdir, base.s);
	char *rel = NULL;
	if (ledger_write(LEDGER_ARTIFACT, path.s, log.s, log.len, false) == 0) {
		sb_puts(&base, ".log");
		rel = xstrdup(base.s);
	}
	sb_free(&base);
	sb_free(&why);
	sb_free(&log);
	sb_free(&sh);
	sb_free(&path);
	return rel;
}
