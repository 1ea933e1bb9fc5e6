/*
 * kind_file — the "file" cell kind: cells a user describes in a matrix
 * file (matrix_file.h; docs/matrix-file.md), `proftorture run --matrix
 * FILE`. Any program, one process per run (under the arch's qemu for cross
 * arches), judged by how it ended, its exposure line and, for a cell that
 * expects a failure by its signature, that signature. The seam it plugs
 * into: cell_kind.h.
 *
 * A file cell's four names, in matrix.h's slots:
 *   arch      (arch)     an arch of the row's arches column
 *   cell      (case)     the row's name
 *   cannon    (variant)  "cannon-<rate>" (or "cannon-max"), "no-cannon"
 *   duration  (atomics)  each run's length, "2s"
 * Its expected outcome is the row's expected column for the arch (no
 * table is asked), its runs the row's runs (--runs, --for and --quick
 * replace them, as for repro-go), its run length the row's duration
 * (--run-duration replaces it), measured when the row says so.
 *
 * Planning checks, per arch, before anything runs: the program exists
 * (a path, or a name in PATH), the arch's qemu exists, and for a cannon
 * cell that qemu has the trace event the cannon's readiness rule reads.
 * Each run: the row's argv with {arch}, {goarch}, {duration} and {seed}
 * filled in; at the deadline SIGQUIT (a program may say where it was) and
 * SIGKILL FILE_KILL_GRACE_S later; the cannon (SIGPROF, at --rate when
 * given, else the row's rate) from the moment the program has set its
 * SIGPROF action (cannon.h).
 *
 * The outcome of a run, first match wins:
 *   killed at the runner's deadline         deadlock (a hang: SIGQUIT, then
 *                                           SIGKILL), as in the go kind
 *   how it ended (classify_ending)          error, emulator-error, crash
 *   exit 0                                  pass
 *   exit 2 (a usage error), 99              error
 *   exit 3, 4, 77                           deadlock, vacuous, unsupported
 *                                           (protocol.h's exit statuses)
 *   any other exit status                   corrupt: the program failed
 * then, on top:
 *   a pass with the cannon firing whose
 *     exposure line says 0 handled          vacuous: unexercised, never clean
 *   a failure of a cell whose expected is
 *     /REGEX/: the signature matches        corrupt (the failure named)
 *              it does not                  crash (another failure)
 * Numbers: signals handled = the exposure line's (exposure.h; 0 without
 * one: a pass without one under the cannon stays a pass, as nothing says it
 * was not exercised); no near misses; the time to the first failure is the
 * process's wall time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cannon.h"
#include "cell_kind.h"
#include "exposure.h"
#include "matrix_file.h"
#include "plan.h"
#include "signature.h"

#define FILE_KILL_GRACE_S 5.0

/* ---- the file, read once ---- */

static struct {
	bool loaded;
	struct arch_table arches;
	struct matrix_file f;
} file_state;

/* Reads the file (once) for sel; 0, or -1 with the one message in why. */
static int load(const struct selection *sel, struct sbuf *why)
{
	if (file_state.loaded)
		return 0;
	char err[1024], *apath = root_path("ci/arches.tsv");
	int rc = arches_load(apath, &file_state.arches, err, sizeof err);
	free(apath);
	if (rc == 0 && (rc = mf_load(sel->matrix_path, sel->matrix_path, &file_state.arches, NULL,
				     &file_state.f, err, sizeof err)) != 0)
		arches_free(&file_state.arches);
	if (rc) {
		sb_puts(why, err);
		return -1;
	}
	file_state.loaded = true;
	return 0;
}

/* The file is read right after the options, so that a bad line stops
 * everything before anything starts: its message is the whole line. */
static int file_check_selection(const struct selection *sel, struct sbuf *why)
{
	if (!sel->matrix_path)
		return 0;
	return load(sel, why) ? CELL_KIND_BAD_FILE : 0;
}

/* ---- plan ---- */

/* "cannon-20000", "cannon-max", "no-cannon"; "cannon-anytime-20000" ungated. */
static void cannon_name(double rate, bool anytime, char *buf, size_t cap)
{
	const char *mode = anytime ? "anytime-" : "";
	if (rate >= MF_CANNON_MAX)
		snprintf(buf, cap, "cannon-%smax", mode);
	else if (rate > 0)
		snprintf(buf, cap, "cannon-%s%.0f", mode, rate);
	else
		snprintf(buf, cap, "no-cannon");
}

/* Whether the row's program can be started here, else why into problem. */
static void check_program(const struct mf_row *r, const struct arch *a, struct sbuf *problem)
{
	char **v = mf_argv(r, a, r->duration, 0);
	char *found = strchr(v[0], '/') ? (access(v[0], X_OK) == 0 ? xstrdup(v[0]) : NULL)
					: ut_which(v[0]);
	if (!found)
		sb_printf(problem, "%s%s:%u: cell %s: %s: %s", problem->len ? "; " : "",
			  file_state.f.path, r->line, r->name, v[0],
			  strchr(v[0], '/') ? strerror(errno) : "not found in PATH");
	free(found);
	argv_free(v);
}

static void add_cell(struct plan *p, const struct arch *a, const struct mf_row *r)
{
	char cannon[32], duration[32], note[512];
	cannon_name(r->cannon_rate, r->cannon_anytime, cannon, sizeof cannon);
	snprintf(duration, sizeof duration, "%.9gs", r->duration);
	const struct mf_expect *e = mf_expect_for(r, a->name);
	snprintf(note, sizeof note, "%s%s%s%s%s", e->pattern ? "failure /" : "",
		 e->pattern ? e->pattern : "", e->pattern ? "/" : "", e->pattern && r->note[0] ? ": " : "",
		 r->note);
	struct cell_id id = { &file_kind, a->name, r->name, cannon, duration };
	size_t ci = plan_add_cell_expecting(p, &id, a, e->outcomes, note);
	struct cell *c = &p->m.cells[ci];
	c->runs = r->runs;
	c->duration = r->duration;
	c->cannon_rate = r->cannon_rate;
	c->cannon_anytime = r->cannon_anytime;
	c->measured = r->measured;
}

/* The rows run on the arch: every one naming it, or with --quick its quick ones. */
static bool row_selected(const struct mf_row *r, const struct arch *a, const struct selection *sel)
{
	return mf_row_has_arch(r, a->name) && (!sel->go_quick || r->quick);
}

static int file_plan_arch(struct plan *p, const struct arch *a, const struct selection *sel,
			  struct sbuf *problem)
{
	if (!sel->matrix_path || load(sel, problem))
		return problem->len ? -1 : 0;
	bool any = false, cannon = false;
	for (size_t i = 0; i < file_state.f.n; i++) {
		const struct mf_row *r = &file_state.f.rows[i];
		if (!row_selected(r, a, sel))
			continue;
		check_program(r, a, problem);
		any = true;
		cannon |= r->cannon_rate > 0;
	}
	if (any && arch_is_cross(a)) {
		char *q = ut_which(a->qemu);
		if (!q)
			sb_printf(problem, "%s%s not found in PATH (ci/install-deps installs qemu-user)",
				  problem->len ? "; " : "", a->qemu);
		else if (cannon && !arch_qemu_has_event(a, CANNON_QEMU_EVENT))
			sb_printf(problem, "%s%s has no trace event %s, which the cannon's readiness "
				  "rule reads", problem->len ? "; " : "", a->qemu, CANNON_QEMU_EVENT);
		free(q);
	}
	if (problem->len)
		return -1;
	for (size_t i = 0; i < file_state.f.n; i++) {
		const struct mf_row *r = &file_state.f.rows[i];
		if (row_selected(r, a, sel))
			add_cell(p, a, r);
	}
	return 0;
}

/* ---- execute ---- */

static const struct mf_row *row_of(const struct cell *c)
{
	const struct mf_row *r = mf_find(&file_state.f, c->case_name);
	if (!r)
		abort(); /* a file cell is only ever planned from a row of the file */
	return r;
}

static char **file_argv(const struct cell *c, const struct run_settings *s, uint64_t seed)
{
	return mf_argv(row_of(c), arch_find(&file_state.arches, c->arch), s->duration, seed);
}

static void file_launch(const struct cell *c, const struct run_settings *s, struct run_launch *l)
{
	l->kill_signal = SIGQUIT;
	l->kill_grace_s = FILE_KILL_GRACE_S;
	if (c->cannon_rate <= 0)
		return;
	l->cannon_signal = SIGPROF;
	l->cannon_anytime = c->cannon_anytime;
	l->cannon_rate = !s->rate ? c->cannon_rate
			 : strcmp(s->rate, "max") == 0 ? MF_CANNON_MAX : strtod(s->rate, NULL);
}

/* ---- classify ---- */

/* The program's own exit status, as protocol.h's table reads it. */
static void by_exit_status(const struct ended_run *e, struct run_record *r)
{
	int code = e->end.code;
	unsigned set = outcomes_of_exit_status(code);
	if (code == 0) {
		r->outcome = OUT_PASS;
		snprintf(r->why, sizeof r->why, "exit 0");
	} else if (code == PROTOCOL_EXIT_USAGE) {
		r->outcome = OUT_ERROR;
		snprintf(r->why, sizeof r->why, "exit %d: a usage error (see its stderr)", code);
	} else if (set && !(set & OUTCOME_BIT(OUT_CORRUPT))) {
		for (int o = 0; o < OUT_COUNT; o++)
			if (set & OUTCOME_BIT(o)) {
				r->outcome = (enum outcome)o;
				break;
			}
		snprintf(r->why, sizeof r->why, "exit %d: %s (protocol.h's exit status)", code,
			 outcome_name(r->outcome));
	} else {
		r->outcome = OUT_CORRUPT;
		snprintf(r->why, sizeof r->why, "exit %d: the program failed", code);
	}
}

/* The whole output, stdout then stderr, head and tail (a part not captured
 * is NULL). */
static void all_output(const struct run_output *o, struct sbuf *b)
{
	const char *part[4] = { o->out_head, o->out_tail, o->err_head, o->err_tail };
	size_t len[4] = { o->out_head_len, o->out_tail_len, o->err_head_len, o->err_tail_len };
	for (int i = 0; i < 4; i++)
		if (part[i] && len[i])
			sb_add(b, part[i], len[i]);
}

/* A failure of a pattern cell: the failure named, or another. */
static void by_signature(const struct ended_run *e, const struct mf_expect *x, const char *text,
			 size_t len, struct run_record *r)
{
	struct sig_end end = { SIG_END_EXIT, e->end.code, 0, len, NULL };
	if (e->end.kind == END_SIGNALED)
		end.kind = SIG_END_SIGNAL;
	else if (e->end.kind == END_TIMED_OUT) /* all of it: when SIGQUIT came is not kept */
		end = (struct sig_end){ SIG_END_TIMEOUT, 0, SIGQUIT, len, NULL };
	char sig[SIG_FULL_MAX];
	sig_of_run(text, len, &end, &x->re, sig, sizeof sig);
	bool named = regexec(&x->re, sig, 0, NULL, 0) == 0;
	struct sbuf why = { 0 };
	sb_printf(&why, "%s: signature '%s' %s /%s/", outcome_name(r->outcome), sig,
		  named ? "matches" : "does not match", x->pattern);
	ut_copy_clean(r->why, sizeof r->why, why.s);
	sb_free(&why);
	r->outcome = named ? MF_PATTERN_MATCHED : MF_PATTERN_OTHER;
}

static void file_classify(const struct cell *c, const struct ended_run *e, struct run_record *r)
{
	struct classification ending = { 0 };
	if (classify_ending(&e->end, &e->output, &ending) && ending.outcome == OUT_TIMEOUT) {
		r->outcome = OUT_DEADLOCK; /* as the go kind: a hang is what deadlock means here */
		snprintf(r->why, sizeof r->why, "hung: killed at the runner's deadline (SIGQUIT, "
			 "then SIGKILL %.0f s later)", FILE_KILL_GRACE_S);
	} else if (ending.why[0]) {
		r->outcome = ending.outcome;
		snprintf(r->why, sizeof r->why, "%.300s", ending.why);
	} else {
		by_exit_status(e, r);
	}
	struct sbuf text = { 0 };
	all_output(&e->output, &text);
	uint64_t handled = 0;
	bool said = exposure_parse(text.s, text.len, &handled);
	r->handled = (double)handled; /* 0 when it did not say: the tally sums them */
	if (r->outcome == OUT_PASS && c->cannon_rate > 0 && said && handled == 0) {
		r->outcome = OUT_VACUOUS;
		snprintf(r->why, sizeof r->why, "unexercised: the cannon fired but the program "
			 "says it handled 0 signals");
	}
	const struct mf_expect *x = mf_expect_for(row_of(c), c->arch);
	if (outcome_is_failure(r->outcome) && x->pattern)
		by_signature(e, x, text.s ? text.s : "", text.len, r);
	if (outcome_is_failure(r->outcome))
		r->first_failure_s = e->wall_s;
	ut_sanitize(r->why);
	sb_free(&text);
}

const struct cell_kind file_kind = {
	.name = "file",
	.plan_arch = file_plan_arch,
	.argv = file_argv,
	.classify = file_classify,
	.slot_names = { "cell", "cannon", "duration" },
	.launch = file_launch,
	.check_selection = file_check_selection,
	.rate_help = "the cannon's; default each row's rate",
};
