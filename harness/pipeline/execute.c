/* execute: every run of every cell, scheduled, ended and recorded.
 * Contract: execute.h. */
#define _GNU_SOURCE
#include "execute.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "artifacts.h"
#include "spawn.h"

struct job {
	size_t cell;
	unsigned k;
	uint64_t seed;
	char **argv;   /* with the emulator prefix (and qemu's trace for the cannon) */
	char **replay; /* what the artifacts' replay script runs (execute.h) */
	double timeout;
	struct run_launch launch; /* the kind's (cell_kind.h) */
	int qemu_log;  /* the cannon's readiness trace under qemu, or -1 */
};

struct execution {
	const struct exec_config *x;
	struct plan *p;
	unsigned round;   /* the scheduler's position: round, then cell */
	size_t next_cell;
	uint64_t most_runs; /* no cell makes more (most_runs) */
	double t0;
	size_t finished, failures, planned;
	bool cannot_start; /* a cannon's qemu trace could not be made */
	char *gate_plugin; /* the timer-gate plugin (timer_gate.h), or NULL */
};

double execute_timeout_for(const struct exec_config *x, double duration, bool emulated)
{
	double t = duration * x->timeout_factor + x->timeout_slack + x->settings.watchdog;
	return emulated ? 2 * t : t;
}

double execute_timeout(const struct exec_config *x, bool emulated)
{
	return execute_timeout_for(x, x->settings.duration, emulated);
}

/* ---- scheduling ---- */

static unsigned k_of_round(const struct exec_config *x, unsigned round)
{
	return x->shard_count ? (x->shard_index - 1) + round * x->shard_count : round;
}

/* A cell's own runs (repro-go's matrix), else --runs. */
static uint64_t cell_runs(const struct exec_config *x, const struct cell *c)
{
	return c->runs ? c->runs : x->runs;
}

/* How far the scheduler may go: the most runs any cell may make. */
static uint64_t most_runs(const struct exec_config *x, const struct matrix *m)
{
	uint64_t most = x->max_runs;
	for (size_t i = 0; i < m->ncells; i++)
		if (m->cells[i].runs > most)
			most = m->cells[i].runs;
	return most;
}

/* Whether run k of cell c is still wanted: every cell's first `runs` runs
 * (its own, or --runs); after them, only a negative control that has not
 * failed yet (and is not simply unsupported here, nor only measured), up
 * to max_runs. */
static bool cell_wants_run(const struct exec_config *x, const struct cell *c, unsigned k)
{
	if ((uint64_t)k < cell_runs(x, c))
		return true;
	if ((uint64_t)k >= x->max_runs || c->expected == OUTCOME_BIT(OUT_PASS) || c->measured)
		return false;
	return c->live_failures == 0 && !(c->live_runs > 0 && c->live_unsupported == c->live_runs);
}

/* The next (cell, k) to run, or false when the matrix is done. A cell that
 * stops wanting runs never wants one again (failures only accumulate), so
 * one full pass past `runs` that finds none ends it. */
static bool next_run(struct execution *E, size_t *cell, unsigned *k)
{
	const struct matrix *m = &E->p->m;
	for (size_t unwanted = 0; unwanted <= m->ncells;) {
		if (E->next_cell == m->ncells) {
			E->next_cell = 0;
			E->round++;
		}
		*k = k_of_round(E->x, E->round);
		if ((uint64_t)*k >= E->most_runs)
			return false;
		*cell = E->next_cell++;
		if (cell_wants_run(E->x, &m->cells[*cell], *k))
			return true;
		unwanted++;
	}
	return false;
}

/* The kind's command line, behind the arch's emulator for cross arches,
 * with qemu's readiness trace before the program when qemu_log >= 0. */
static char **job_argv(const struct execution *E, size_t ci, char **prog, int qemu_log)
{
	size_t nprog = 0, ntrace = qemu_log >= 0 ? CANNON_QEMU_NARGS : 0, n;
	while (prog[nprog])
		nprog++;
	char **v = arch_argv(E->p->cell_arch[ci], prog[0], nprog + ntrace, &n);
	if (ntrace) { /* [qemu flags...] [trace...] program */
		char *program = v[n - 1];
		cannon_qemu_args(qemu_log, &v[n - 1]);
		n += ntrace;
		v[n - 1] = program;
	}
	for (size_t i = 1; i < nprog; i++)
		v[n++] = xstrdup(prog[i]);
	v[n] = NULL;
	return v;
}

/* What a failing run's replay script runs: the command itself, or, for a
 * run that had the cannon, `proftorture stress` running it once with the
 * same cannon (the trace and its descriptor are this runner's). */
static char **replay_argv(const struct execution *E, size_t ci, char **prog,
			  const struct run_launch *l, double timeout)
{
	if (!l->cannon_signal)
		return job_argv(E, ci, prog, -1);
	size_t nprog = 0;
	while (prog[nprog])
		nprog++;
	char **v = xcalloc(nprog + 16, sizeof *v);
	size_t n = 0;
	char num[3][32];
	snprintf(num[0], sizeof num[0], "%d", l->cannon_signal);
	snprintf(num[1], sizeof num[1], "%.9g", l->cannon_rate);
	snprintf(num[2], sizeof num[2], "%.9gs", timeout);
	const char *head[] = { "stress", "--count", "1", "--arch", E->p->cell_arch[ci]->name,
			       "--signal", num[0], "--signal-rate", num[1], "--timeout", num[2], "--" };
	v[n++] = root_path("build/native/proftorture");
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
		v[n++] = xstrdup(head[i]);
	for (size_t i = 0; i < nprog; i++)
		v[n++] = xstrdup(prog[i]);
	return v;
}

static bool next_job(void *ctx, char ***argv, bool *merge, double *timeout, void **jobp)
{
	struct execution *E = ctx;
	size_t ci;
	unsigned k;
	if (E->cannot_start || (E->x->for_s > 0 && ut_now() - E->t0 >= E->x->for_s) || !next_run(E, &ci, &k))
		return false;
	struct cell *c = &E->p->m.cells[ci];
	struct run_settings s = E->x->settings; /* with the cell's own duration, if any */
	if (c->duration > 0)
		s.duration = c->duration;
	struct job *j = xcalloc(1, sizeof *j);
	j->cell = ci;
	j->k = k;
	j->seed = E->x->base_seed + k;
	j->timeout = execute_timeout_for(E->x, s.duration, c->emulated);
	j->qemu_log = -1;
	if (c->kind->launch)
		c->kind->launch(c, &s, &j->launch);
	if (j->launch.cannon_signal && c->emulated && (j->qemu_log = cannon_qemu_log_new()) < 0) {
		fprintf(stderr, "proftorture %s: cannot create the cannon's qemu trace: %s; stopping\n",
			E->x->cmd, strerror(errno));
		E->cannot_start = true;
		free(j);
		return false;
	}
	char **prog = c->kind->argv(c, &s, j->seed);
	j->argv = job_argv(E, ci, prog, j->qemu_log);
	j->replay = replay_argv(E, ci, prog, &j->launch, j->timeout);
	argv_free(prog);
	c->running++;
	*argv = j->argv;
	*merge = false;
	*timeout = j->timeout;
	*jobp = j;
	return true;
}

/* The kind's launch: the kill signal with its grace, and the cannon. */
static void configure_job(void *ctx, void *jobp, struct proc_opts *o)
{
	const struct execution *E = ctx;
	const struct job *j = jobp;
	o->kill_signal = j->launch.kill_signal;
	o->kill_grace_s = j->launch.kill_grace_s;
	if (j->launch.cannon_signal) {
		o->cannon = (struct cannon_aim){
			.signal = j->launch.cannon_signal,
			.rate = j->launch.cannon_rate,
			.after_s = -1,
			.qemu_log_fd = j->qemu_log,
			.gated = j->qemu_log >= 0 && !j->launch.cannon_anytime, /* under qemu */
		};
		o->gate_plugin = E->gate_plugin;
	}
}

static bool stop_starting(void *ctx)
{
	return ((struct execution *)ctx)->cannot_start;
}

/* ---- a run has ended ---- */

static void describe_end(const struct proc *p, struct run_end *e, char *desc, size_t cap)
{
	if (p->spawn_failed) {
		e->kind = END_SPAWN_FAILED;
		e->code = p->spawn_errno;
		snprintf(desc, cap, "spawn failed");
	} else if (p->timed_out) {
		e->kind = END_TIMED_OUT;
		e->code = SIGKILL;
		snprintf(desc, cap, "deadline");
	} else if (WIFSIGNALED(p->wait_status)) {
		e->kind = END_SIGNALED;
		e->code = WTERMSIG(p->wait_status);
		snprintf(desc, cap, "signal %d", e->code);
	} else {
		e->kind = END_EXITED;
		e->code = WEXITSTATUS(p->wait_status);
		snprintf(desc, cap, "exit %d", e->code);
	}
}

/* The kind classifies; the pipeline records when, where and how it ended. */
static struct run_record *record_run(struct execution *E, const struct job *j, const struct proc *p)
{
	const struct cell *c = &E->p->m.cells[j->cell];
	struct ended_run e = { .end.emulated = c->emulated, .seed = j->seed,
			       .wall_s = p->end - p->start };
	char desc[48];
	describe_end(p, &e.end, desc, sizeof desc);
	size_t otl = 0, etl = 0;
	char *ot = capture_tail_copy(&p->cap[0], &otl), *et = capture_tail_copy(&p->cap[1], &etl);
	e.output = (struct run_output){
		.out_head = p->cap[0].head, .out_head_len = p->cap[0].head_len,
		.out_tail = ot, .out_tail_len = otl,
		.err_head = p->cap[1].head, .err_head_len = p->cap[1].head_len,
		.err_tail = et, .err_tail_len = etl,
	};
	struct run_record *r = matrix_add_run(&E->p->m);
	r->cell = j->cell;
	r->k = j->k;
	r->seed = j->seed;
	c->kind->classify(c, &e, r);
	ut_copy_clean(r->exit_desc, sizeof r->exit_desc, desc);
	r->wall_s = p->end - p->start;
	free(ot);
	free(et);
	return r;
}

/* A run that did not end as its cell expects, at once with "!!!"; with
 * verbose every run that did not pass. An unsupported run is no surprise:
 * the program said it cannot run the cell here (exit 77), and the verdict
 * table says so once per cell; "!!!" stays a marker a log can be grepped
 * for. */
static void print_run(const struct execution *E, const struct cell *c, const struct run_record *r)
{
	bool surprise = r->outcome != OUT_PASS && r->outcome != OUT_UNSUPPORTED &&
			!(c->expected != OUTCOME_BIT(OUT_PASS) &&
			  verdict_kind_allowed(c->expected, r->outcome));
	if (!surprise && !(E->x->verbose && r->outcome != OUT_PASS))
		return;
	fprintf(stderr, "%s %s %s/%s/%s run %u seed %llu: %s (%s, %.2fs): %s%s%s\n",
		surprise ? "!!!" : "   ", c->arch, c->case_name, c->variant, c->atomics, r->k,
		(unsigned long long)r->seed, outcome_name(r->outcome), r->exit_desc, r->wall_s, r->why,
		r->log ? " -> " : "", r->log ? r->log : "");
}

static void job_done(void *ctx, void *jobp, struct proc *p)
{
	struct execution *E = ctx;
	struct job *j = jobp;
	struct cell *c = &E->p->m.cells[j->cell];
	c->running--;
	if (!p->interrupted) { /* a run killed on SIGINT never happened */
		struct run_record *r = record_run(E, j, p);
		E->finished++;
		c->live_runs++;
		c->live_unsupported += r->outcome == OUT_UNSUPPORTED;
		if (outcome_is_failure(r->outcome)) {
			E->failures++;
			c->live_failures++;
		}
		if (r->outcome != OUT_PASS)
			r->log = artifacts_write(E->x->outdir, c, r, j->replay, p, j->timeout);
		print_run(E, c, r);
	}
	if (j->qemu_log >= 0)
		close(j->qemu_log);
	argv_free(j->argv);
	argv_free(j->replay);
	free(j);
}

/* ---- progress ---- */

static void status(void *ctx, double elapsed, void *const *running, size_t nrunning)
{
	struct execution *E = ctx;
	const struct matrix *m = &E->p->m;
	char el[32];
	ut_format_duration(el, sizeof el, elapsed);
	struct sbuf b = { 0 };
	sb_printf(&b, "[%s] %zu", el, E->finished);
	if (E->planned) /* "+": negative controls may run past --runs */
		sb_printf(&b, "/%zu%s", E->planned, E->x->max_runs > E->x->runs ? "+" : "");
	sb_printf(&b, " runs, %zu failures (%.1f%%)", E->failures,
		  E->finished ? 100.0 * (double)E->failures / (double)E->finished : 0.0);
	if (m->ncells > 1 && nrunning) {
		sb_puts(&b, " | now:");
		for (size_t i = 0; i < nrunning; i++) {
			const struct job *j = running[i];
			bool dup = false;
			for (size_t k = 0; k < i; k++)
				dup |= ((const struct job *)running[k])->cell == j->cell;
			if (dup)
				continue;
			const struct cell *c = &m->cells[j->cell];
			sb_printf(&b, " %s %s/%s %u/%u failed;", c->arch, c->case_name, c->variant,
				  c->live_failures, c->live_runs);
		}
		if (b.s[b.len - 1] == ';')
			b.s[--b.len] = 0;
	}
	fprintf(stderr, "%s\n", b.s);
	sb_free(&b);
}

/* Runs this shard makes when every cell stops at its runs. */
static size_t planned_runs(const struct exec_config *x, const struct matrix *m)
{
	if (x->runs == EXEC_UNBOUNDED)
		return 0;
	size_t total = 0;
	for (size_t i = 0; i < m->ncells; i++) {
		uint64_t runs = cell_runs(x, &m->cells[i]), per_cell = runs;
		if (x->shard_count)
			per_cell = runs / x->shard_count + (x->shard_index - 1 < runs % x->shard_count);
		total += (size_t)per_cell;
	}
	return total;
}

/* The one line that says what is about to run. */
/* How the cells' cannons fire under qemu (cannon.h "Gate"), when any does. */
static void announce_cannons(const struct exec_config *x, const struct matrix *m,
			     struct sbuf *h)
{
	size_t gated = 0, anytime = 0;
	for (size_t i = 0; i < m->ncells; i++) {
		const struct cell *c = &m->cells[i];
		struct run_launch l = { 0 };
		if (c->emulated && c->kind->launch)
			c->kind->launch(c, &x->settings, &l);
		gated += l.cannon_signal && !l.cannon_anytime;
		anytime += l.cannon_signal && l.cannon_anytime;
	}
	if (gated)
		sb_printf(h, "proftorture %s: %zu cell%s under qemu: the cannon fires only while the "
			  "program's profiling timer is armed (docs/stress.md, the gate)\n",
			  x->cmd, gated, gated == 1 ? "" : "s");
	if (anytime)
		sb_printf(h, "proftorture %s: %zu cell%s under qemu: the cannon fires at any time "
			  "(anytime:)\n", x->cmd, anytime, anytime == 1 ? "" : "s");
}

static void announce(const struct exec_config *x, const struct matrix *m)
{
	bool emu = false;
	for (size_t i = 0; i < m->ncells; i++)
		emu |= m->cells[i].emulated;
	struct sbuf h = { 0 };
	sb_printf(&h, "proftorture %s: %zu cell%s x ", x->cmd, m->ncells, m->ncells == 1 ? "" : "s");
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t i = 0; i < m->ncells; i++) {
		uint64_t r = cell_runs(x, &m->cells[i]);
		lo = r < lo ? r : lo;
		hi = r > hi ? r : hi;
	}
	if (x->runs == EXEC_UNBOUNDED)
		sb_puts(&h, "as many runs as fit");
	else if (lo != hi)
		sb_printf(&h, "%llu-%llu runs (each cell's own)", (unsigned long long)lo,
			  (unsigned long long)hi);
	else
		sb_printf(&h, "%llu run%s", (unsigned long long)hi, hi == 1 ? "" : "s");
	if (x->max_runs > x->runs)
		sb_printf(&h, " (negative controls up to %llu until they fail)",
			  (unsigned long long)x->max_runs);
	if (x->for_s > 0)
		sb_printf(&h, " in %gs", x->for_s);
	if (x->shard_count)
		sb_printf(&h, " (shard %u/%u: runs with k %% %u == %u)", x->shard_index, x->shard_count,
			  x->shard_count, x->shard_index - 1);
	bool own = false; /* a cell with a run length of its own (a matrix file's) */
	for (size_t i = 0; i < m->ncells; i++)
		own |= m->cells[i].duration > 0;
	if (own)
		sb_puts(&h, ", each cell's own run length and hard timeout (duration x factor + slack)");
	else
		sb_printf(&h, ", %gs each, hard timeout %.0fs", x->settings.duration,
			  execute_timeout(x, false));
	sb_printf(&h, "%s, -j%u, seed %llu+k; artifacts in %s/\n", emu ? " (x2 under qemu)" : "",
		  x->jobs, (unsigned long long)x->base_seed, x->outdir);
	announce_cannons(x, m, &h);
	fputs(h.s, stderr);
	sb_free(&h);
}

int execute_matrix(struct plan *p, const struct exec_config *x)
{
	struct execution E = { .x = x, .p = p, .planned = planned_runs(x, &p->m),
			       .most_runs = most_runs(x, &p->m),
			       .gate_plugin = timergate_plugin_path() };
	announce(x, &p->m);
	struct pool_ops ops = { next_job, job_done, status, stop_starting };
	E.t0 = ut_now();
	int sig = pool_run_configured(x->jobs, &ops, configure_job, &E, x->status_interval);
	p->m.elapsed = ut_now() - E.t0;
	p->m.interrupted = sig != 0;
	free(E.gate_plugin);
	if (sig)
		fprintf(stderr, "proftorture %s: interrupted by signal %d: %zu runs finished, "
				"unfinished runs were killed and are not counted\n",
			x->cmd, sig, E.finished);
	return sig;
}
