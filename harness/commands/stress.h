/*
 * stress — the state of one `proftorture stress` session, shared by its two
 * files: stress_cmd.c (options, the pool's callbacks: plan, run, classify)
 * and stress_report.c (the closing summary and the --json report).
 * Single-threaded: only the runner's thread touches it (the cannon's
 * thread reports through struct proc, see spawn.h).
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

/* The options, as the table in stress_cmd.c fills them. */
struct stress_opts {
	const char *arch, *prefix, *json;
	const char *failure, *ignore, *signature;
	uint64_t p, count, max_failures;
	double for_s, timeout, kill_grace, status_interval;
	int kill_signal;   /* 0: SIGKILL at once */
	int signal;        /* the cannon's */
	double signal_rate; /* 0: no cannon */
	double signal_after;
	bool signal_given, signal_after_given;
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

struct stress_state {
	struct stress_opts o;
	const struct arch *arch; /* NULL: native */
	char **cmd;
	regex_t failure_re, ignore_re, signature_re;
	const char *prefix;
	double t0, elapsed;
	int interrupted; /* the signal that ended the session, or 0 */
	bool cannot_start;
	uint64_t started, finished, failures, ignored, timeouts;
	uint64_t never_ready, killed_by_cannon_signal;
	struct stress_series wall_all, wall_failed, sent, ready;
	struct stress_group *groups;
	size_t ngroups;
};

void stress_series_add(struct stress_series *s, double x);

/* The closing summary on f (stdout, or stderr when the JSON goes there). */
void stress_print_summary(struct stress_state *s, FILE *f);
/* The --json report, atomically; a failure is a lost document (ledger.h). */
void stress_write_json(struct stress_state *s);

#endif
