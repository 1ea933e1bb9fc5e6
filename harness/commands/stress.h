/*
 * stress — the state of one `proftorture stress` session, shared by its
 * files (and run by `proftorture go-exec`, go_exec_cmd.c, from settings of
 * its own: stress_defaults, stress_session and the hooks below):
 * stress_cmd.c (options, setup: arches, placeholders, --baseline),
 * stress_run.c (the pool's callbacks: which set runs next, one run's start
 * and its classification), stress_report.c (each set's closing summary,
 * the pooled table, the verdicts, --json) and stress_out.c (--out: the
 * runs as a matrix, through the run report's code).
 *
 * A session runs one or more run SETS: one per arch of --arch, or two per
 * arch with --baseline (the baseline's command and the new one's). Every
 * set has its own command (placeholders substituted), counters, failure
 * groups and runs; the options, the regexes and the pool are shared.
 * Single-threaded: only the runner's thread touches it (the cannon's
 * thread reports through struct proc, see spawn.h).
 *
 * One run of one program under an arch, with the cannon and the timeout,
 * classified: a session of one set (stress_run_sets with --count 1), its
 * argv from stress_run_argv and its record the set's last stress_run.
 */
#ifndef HARNESS_STRESS_H
#define HARNESS_STRESS_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "arches.h"
#include "signature.h"

/* The line a program prints to report the signals it handled (the last
 * one wins), on stdout or stderr: "proftorture: signals handled N". */
#define STRESS_HANDLED_LINE "proftorture: signals handled "

/* The options, as the table in stress_cmd.c fills them. */
struct stress_opts {
	const char *arch, *prefix, *json, *out;
	const char *failure, *ignore, *signature;
	uint64_t p, count, max_failures;
	double for_s, timeout, kill_grace, status_interval;
	int kill_signal;   /* 0: SIGKILL at once */
	int signal;        /* the cannon's */
	double signal_rate; /* 0: no cannon */
	double signal_after;
	double until_bound; /* 0: none; else a rate in (0, 1) */
	bool signal_given, signal_after_given, baseline;
	bool no_guest_pcs; /* under qemu: no guest-PC plugin (guest_pcs.h) */
	bool signal_anytime; /* the cannon ignores the program's timers (cannon.h "Gate") */
};

struct stress_group {
	char sig[SIG_FULL_MAX];
	unsigned long count;
	char *example; /* the first failure file of the group */
};

/* A growable list of numbers (wall times, signals sent, ...). */
struct stress_series {
	double *v;
	size_t n, cap;
};

/* One finished run, as --out records it. */
struct stress_run {
	uint64_t index;
	bool failed, timed_out; /* failed: counted as a failure */
	char end[48];           /* "exit 1", "signal 11", "deadline", "spawn failed" */
	char sig[SIG_FULL_MAX]; /* the failure's signature, or "" */
	double wall_s, handled; /* handled: NaN when the program did not say */
	char *file;             /* the failure file, or NULL */
};

/* What a set's runs show (stress_set_verdict). */
enum stress_verdict {
	SV_NO_RUNS,      /* nothing finished */
	SV_FAILING,      /* at least one counted failure */
	SV_UNEXERCISED,  /* no failure, but no signal reached the program */
	SV_CLEAN,        /* no failure, with exposure (or exposure unknown) */
};

struct stress_set {
	const struct arch *arch; /* NULL: native */
	const char *arch_name;   /* "native" or ci/arches.tsv's name */
	const char *side;        /* NULL; with --baseline "baseline" or "new" */
	char **cmd;              /* the command, placeholders substituted */
	char *prefix;            /* its failure files are <prefix><run> */
	bool cannot_start;
	uint64_t needed; /* --until-bound: the clean runs that reach the bound */
	uint64_t started, finished, failures, ignored, timeouts;
	uint64_t never_ready, killed_by_cannon_signal;
	uint64_t handled_reports; /* runs that printed STRESS_HANDLED_LINE */
	double handled;           /* the sum of what they printed */
	struct stress_series wall_all, wall_failed, sent, ready;
	struct stress_series held; /* signals the closed gate held back, per run */
	uint64_t gate_opens;       /* times a run's gate opened, in all */
	char gate_problem[128];    /* why a run's gate did not watch ("" none seen) */
	struct stress_group *groups;
	size_t ngroups;
	struct stress_run *runs;
	size_t nruns, capruns;
};

/* An arch of --arch all that cannot run here, and why. */
struct stress_not_run {
	char *arch, *reason;
};

struct proc;
struct proc_opts;
struct opts_program;

/* What a command that runs a stress session for its own ends changes;
 * all zero is `proftorture stress` itself. */
struct stress_hooks {
	bool quiet;            /* no start lines and no failure output on stderr */
	bool no_files;         /* failures are grouped, not saved (-o unused) */
	bool separate_streams; /* stdout and stderr in two pipes (spawn.h), the
				* failure text then stdout's, then stderr's */
	const char *tag;       /* starts each progress line (default: none) */
	const struct opts_program *program; /* names setup errors (default: stress) */
	/* Called for run `run` (1-based) after the session's own settings. */
	void (*configure)(void *ctx, uint64_t run, struct proc_opts *po);
	/* Called as each run ends, after it is counted (not when interrupted). */
	void (*ended)(void *ctx, uint64_t run, struct proc *p, bool failed);
	void *ctx;
};

struct stress_state {
	struct stress_opts o;
	struct stress_hooks hooks;
	char **cmds[2]; /* the command(s) as given: [0] alone, or baseline and new */
	regex_t failure_re, ignore_re, signature_re;
	char *prefix;     /* -o, or its default */
	char *outdir;     /* --out, or NULL */
	char *command_line; /* for --out's configuration (config.h) */
	const struct arch_table *table; /* ci/arches.tsv */
	struct stress_set *sets;
	size_t nsets;
	struct stress_not_run *not_run;
	size_t nnot_run;
	double t0, elapsed;
	int interrupted; /* the signal that ended the session, or 0 */
	char *guest_plugin; /* under qemu: the guest-PC plugin, or NULL (guest_pcs.h) */
	char *gate_plugin;  /* under qemu: the timer-gate plugin, or NULL (timer_gate.h) */
};

void stress_series_add(struct stress_series *s, double x);

/* ---- stress_cmd.c: the session for another command ---- */

/* The session as `proftorture stress CMD...` with no option would run it:
 * every option's default, cmd (NULL-terminated, not copied) to run. */
void stress_defaults(struct stress_state *s, char **cmd);
/* Checks the setup (dies with exit status 2, as the hooks' program, on
 * anything wrong), then runs the session; returns the signal that
 * interrupted it, or 0. t holds the arch table until stress_free. */
int stress_session(struct stress_state *s, struct arch_table *t);
void stress_free(struct stress_state *s);

/* ---- stress_run.c ---- */

/* Runs every set through the pool (-p shared); the signal that stopped
 * it, or 0. */
int stress_run_sets(struct stress_state *s);
/* [qemu flags... [trace options...]] CMD ARGS... of one run of a set
 * (qemu_log: the cannon's readiness trace, or -1); argv_free it. */
char **stress_run_argv(const struct stress_set *set, int qemu_log);
/* Whether set's runs go through an emulator (its arch is a cross arch). */
bool stress_set_cross(const struct stress_set *set);
/* Whether set's runs get a gated cannon: under qemu, unless --signal-anytime
 * (natively no gate can see the program's timers: cannon.h "Gate"). */
bool stress_gated(const struct stress_state *s, const struct stress_set *set);
/* "gated" or "anytime": how set's cannon fires (cannon.h "Gate"). */
const char *stress_cannon_mode(const struct stress_state *s, const struct stress_set *set);
/* The N of the last STRESS_HANDLED_LINE in text, or NaN. */
double stress_handled_of(const char *text, size_t len);
/* The runs of zero failures whose one-sided 95% upper bound is below rate. */
uint64_t stress_runs_for_bound(double rate);

/* ---- stress_report.c ---- */

enum stress_verdict stress_set_verdict(const struct stress_state *s, const struct stress_set *set);
/* "mipsel" or "mipsel (new)". */
const char *stress_set_name(const struct stress_set *set, char *buf, size_t cap);
/* One set's closing summary on f (stdout, or stderr when the JSON goes there). */
void stress_print_summary(const struct stress_state *s, struct stress_set *set, FILE *f);
/* With more than one set: the pooled table; then every set's verdict line,
 * --baseline's comparisons and --until-bound's budgets. */
void stress_print_verdicts(const struct stress_state *s, FILE *f);
/* The exit status the results call for (before the ledger's say). */
int stress_exit_status(const struct stress_state *s);
/* The --json report, atomically; a failure is a lost document (ledger.h). */
void stress_write_json(struct stress_state *s);
/* Two-sided Fisher p of a baseline set against its new set. */
double stress_fisher(const struct stress_set *base, const struct stress_set *new_set);

/* ---- stress_out.c ---- */

/* --out DIR: summary.json, report.html, junit.xml and report.tap; where
 * they went on f. */
void stress_write_out(const struct stress_state *s, FILE *f);

#endif
