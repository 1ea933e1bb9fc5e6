/*
 * Every exit path of build/native/torture, taken for real, and the runner's
 * classification of each (classify_run, harness/judge/classify.h), against a
 * table pinned HERE, in literals: the outcome, torture's exit status, and
 * whether there is a result line. The table is deliberately not derived
 * from protocol/protocol.h: if a row of PROTOCOL_OUTCOMES changes on
 * torture's side only, the runner's only, or both alike, one of the checks
 * below fails (docs/DESIGN.md, "The protocol between torture and the
 * runner", says how that was shown).
 *
 * The paths, each reached the cheapest deterministic way:
 *   pass         lost-atomic / exact (conservation exact), 2 s: enough
 *                signals even on a loaded machine
 *   corrupt      lost-atomic / unlocked-flush under global atomics: go1.12's
 *                bug, natively in ~0.04 s median; up to 10 s and 3 seeds
 *   drift        no input makes drift on demand: a passing run reported as
 *                drift with --force-outcome, through the normal judging,
 *                result line and exit status
 *   deadlock     atomic-deadlock / unchecked under global atomics (#20146),
 *                seen by a 0.5 s watchdog
 *   not deadlock a passing run SIGSTOPped 3 times for 1 s under a 0.5 s watchdog:
 *                time the process did not run is no thread's stall (the
 *                watchdog forgives a late tick; a loaded machine once made
 *                a false deadlock of a fixed variant in the quick matrix)
 *   vacuous      10 signals per second for 0.2 s: too few to test anything
 *   unsupported  a strategy this arch cannot run (from torture --list); and
 *                one a case does not run: libatomic-deadlock (C's own
 *                _Atomic against libatomic's locks) under native, while
 *                without --atomics that case takes libatomic and passes
 *   usage        an unknown option: no result line, one stderr line
 *   setup error  an address-space limit, set between fork and exec, under
 *                which no thread can get its (1 GiB) stack; root too is
 *                bound by RLIMIT_AS
 * Native only (make check-harness).
 */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../harness/judge/classify.h"
#include "../support/child.h"
#include "../support/slurp.h"
#include "../support/suite_run.h"

#define MAX_ARGS 16
#define RUN_DEADLINE_S 60
#define STOP_AFTER_S 0.5

struct exit_path {
	const char *name;
	const char *args[MAX_ARGS]; /* after argv[0]; "@UNSUPPORTED" is replaced */
	bool limit_address_space;
	int attempts;               /* seeds to try until the path is reached (corrupt) */
	/* pinned: */
	int exit_status;
	const char *outcome;        /* what the runner must classify */
	bool result_line;
	double stopped_s;           /* > 0: SIGSTOPped this long, STOPS times (stop_for_a_while) */
};

static const struct exit_path paths[] = {
	{ "pass", { "--case", "lost-atomic", "--variant", "exact", "--atomics", "global",
		    "--duration", "2" }, false, 1, 0, "pass", true, 0 },
	{ "corrupt", { "--case", "lost-atomic", "--variant", "unlocked-flush", "--atomics", "global",
		       "--duration", "10" }, false, 3, 1, "corrupt", true, 0 },
	{ "drift", { "--case", "lost-atomic", "--variant", "exact", "--duration", "0.3",
		     "--force-outcome", "drift" }, false, 1, 1, "drift", true, 0 },
	{ "deadlock", { "--case", "atomic-deadlock", "--variant", "unchecked", "--atomics", "global",
			"--watchdog", "0.5", "--duration", "10" }, false, 1, 3, "deadlock", true, 0 },
	{ "pass, stopped", { "--case", "lost-atomic", "--variant", "exact", "--atomics", "global",
			     "--threads", "8", "--watchdog", "0.5", "--duration", "5" },
	  false, 1, 0, "pass", true, 1.0 },
	{ "vacuous", { "--case", "lost-atomic", "--variant", "exact", "--rate", "10",
		       "--duration", "0.2" }, false, 1, 4, "vacuous", true, 0 },
	{ "unsupported", { "--case", "lost-atomic", "--variant", "exact", "--atomics", "@UNSUPPORTED" },
	  false, 1, 77, "unsupported", true, 0 },
	{ "unsupported by the case", { "--case", "libatomic-deadlock", "--variant", "exact",
				       "--atomics", "native" }, false, 1, 77, "unsupported", true, 0 },
	{ "pass on the case's own atomics", { "--case", "libatomic-deadlock", "--variant", "exact",
					      "--duration", "1" }, false, 1, 0, "pass", true, 0 },
	{ "usage", { "--case", "lost-atomic", "--variant", "exact", "--no-such-option" }, false, 1, 2,
	  "error", false, 0 },
	{ "setup error", { "--case", "lost-atomic", "--variant", "exact", "--duration", "0.2" }, true,
	  1, 99, "error", true, 0 },
};

/* ---- running torture ---- */

static char torture[PATH_MAX];

static void find_torture(void)
{
	char exe[PATH_MAX - 32];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	ck_assert(n > 0);
	exe[n] = 0;
	*strrchr(exe, '/') = 0; /* build/native/tests/harness */
	snprintf(torture, sizeof torture, "%s/../../torture", exe);
	ck_assert_msg(access(torture, X_OK) == 0, "%s missing (make ARCH=native)", torture);
}

struct output {
	int status;      /* exit status, or -signal */
	char out[16384], err[16384];
	size_t nout, nerr;
};

/* In the child, before exec: no thread can get a stack, 1 GiB each (glibc
 * takes the default thread stack size from RLIMIT_STACK) against 256 MiB of
 * address space, which is plenty for the program itself. Exits 125 (which
 * the checks then report) if the limits cannot be set. */
static void limit_address_space(void)
{
	struct rlimit stack, as = { 256UL << 20, 256UL << 20 };
	getrlimit(RLIMIT_STACK, &stack);
	rlim_t want = 1UL << 30;
	stack.rlim_cur = stack.rlim_max == RLIM_INFINITY || stack.rlim_max > want ? want : stack.rlim_max;
	if (setrlimit(RLIMIT_STACK, &stack) != 0 || setrlimit(RLIMIT_AS, &as) != 0)
		_exit(125);
}

/* Stops pid (SIGSTOP) for stopped_s, then continues it, STOPS times, the
 * first STOP_AFTER_S after started_at and each STOP_AFTER_S after the last
 * continue; false while there are stops to come. Without the watchdog's
 * allowance for time it did not run, a stop made a false deadlock in 9 of 10
 * runs with 8 workers (measured: 2 cores, the watchdog tends to run before
 * some worker after SIGCONT); three stops make a miss rare. */
#define STOPS 3
static bool stop_for_a_while(pid_t pid, double *next_stop, int *stops, double stopped_s)
{
	if (now_seconds() < *next_stop)
		return false;
	kill(pid, SIGSTOP);
	usleep((useconds_t)(stopped_s * 1e6));
	kill(pid, SIGCONT);
	*next_stop = now_seconds() + STOP_AFTER_S;
	return ++*stops == STOPS;
}

/* Runs path (torture, or its old name) with args, stdout and stderr to
 * files; kills it at the deadline; with stopped_s > 0, stops it for that
 * long on the way. */
static void run_program(const char *path, const char *const *args, bool limit, double stopped_s,
			struct output *o)
{
	char out_path[] = "/tmp/exit-path-out-XXXXXX", err_path[] = "/tmp/exit-path-err-XXXXXX";
	int out_fd = mkstemp(out_path), err_fd = mkstemp(err_path);
	ck_assert(out_fd >= 0 && err_fd >= 0);
	const char *argv[MAX_ARGS + 2] = { path };
	for (int i = 0; i < MAX_ARGS && args[i]; i++)
		argv[i + 1] = args[i];
	pid_t pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		dup2(out_fd, 1);
		dup2(err_fd, 2);
		if (limit)
			limit_address_space();
		execv(path, (char *const *)argv);
		_exit(126);
	}
	int ws = 0;
	double deadline = now_seconds() + RUN_DEADLINE_S, next_stop = now_seconds() + STOP_AFTER_S;
	bool stopped = stopped_s <= 0;
	int stops = 0;
	while (waitpid(pid, &ws, WNOHANG) == 0) {
		if (!stopped)
			stopped = stop_for_a_while(pid, &next_stop, &stops, stopped_s);
		if (now_seconds() > deadline)
			kill(pid, SIGKILL);
		usleep(10 * 1000);
	}
	o->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -WTERMSIG(ws);
	ck_assert_msg(slurp_into(out_path, o->out, sizeof o->out, &o->nout), "cannot read %s",
		      out_path);
	ck_assert_msg(slurp_into(err_path, o->err, sizeof o->err, &o->nerr), "cannot read %s",
		      err_path);
	close(out_fd);
	close(err_fd);
	unlink(out_path);
	unlink(err_path);
}

/* A strategy torture knows but this build cannot run: from its --list. */
static void unsupported_strategy(char *buf, size_t cap)
{
	struct output o;
	const char *args[] = { "--list", NULL };
	run_program(torture, args, false, 0, &o);
	ck_assert_int_eq(o.status, 0);
	char *line = strstr(o.out, "\nstrategies ");
	ck_assert_msg(line != NULL, "torture --list has no strategies line");
	line += strlen("\nstrategies ");
	size_t len = strcspn(line, "\n");
	for (int s = 0; protocol_strategy_names[s]; s++) {
		const char *name = protocol_strategy_names[s];
		char padded[64], have[256];
		snprintf(padded, sizeof padded, " %s ", name);
		snprintf(have, sizeof have, " %.*s ", (int)len, line);
		if (!strstr(have, padded)) {
			snprintf(buf, cap, "%s", name);
			return;
		}
	}
	ck_abort_msg("this build runs every strategy: the unsupported path needs another input");
}

/* ---- the test ---- */

static void classify(const struct output *o, const char *const *args, struct classification *c)
{
	struct run_end end = { o->status >= 0 ? END_EXITED : END_SIGNALED,
			       o->status >= 0 ? o->status : -o->status, false };
	struct run_output out = { .out_head = o->out, .out_head_len = o->nout,
				  .err_head = o->err, .err_head_len = o->nerr };
	struct run_request req = { 0 }; /* the case asked for: the line must be for it */
	for (int i = 0; args[i] && args[i + 1]; i++)
		if (strcmp(args[i], "--case") == 0)
			req.case_name = args[i + 1];
	classify_run(&end, &out, &req, c);
}

/* What the pinned row says of a run, checked. */
static void check_path(const struct exit_path *p, const struct output *o,
		       const struct classification *c)
{
	ck_assert_msg(o->status == p->exit_status, "%s: torture exited %d, want %d; stderr: %.300s",
		      p->name, o->status, p->exit_status, o->err);
	ck_assert_msg(strcmp(outcome_name(c->outcome), p->outcome) == 0,
		      "%s: the runner classified it %s (%s), want %s", p->name,
		      outcome_name(c->outcome), c->why, p->outcome);
	ck_assert_msg(c->has_result == p->result_line, "%s: result line %s, want %s", p->name,
		      c->has_result ? "present" : "absent", p->result_line ? "one" : "none");
	if (p->result_line) {
		ck_assert_msg(strcmp(outcome_name(c->result.outcome), p->outcome) == 0,
			      "%s: the result line says %s", p->name, outcome_name(c->result.outcome));
		return;
	}
	/* A usage error: nothing on stdout, one "torture:" line on stderr. */
	ck_assert_msg(o->nout == 0, "%s: stdout has %zu bytes", p->name, o->nout);
	ck_assert_msg(strncmp(o->err, "torture: ", 9) == 0 && strchr(o->err, '\n') == o->err + o->nerr - 1,
		      "%s: stderr is not one 'torture:' line: %.300s", p->name, o->err);
	ck_assert_msg(strstr(c->why, "usage") != NULL, "%s: the runner's reason: %s", p->name, c->why);
}

/* The row's arguments, the unsupported strategy filled in, a seed added. */
static void arguments(const struct exit_path *p, int seed, const char **args, char *buf, size_t cap)
{
	int n = 0;
	for (; n < MAX_ARGS && p->args[n]; n++) {
		args[n] = p->args[n];
		if (strcmp(args[n], "@UNSUPPORTED") == 0) {
			unsupported_strategy(buf, cap);
			args[n] = buf;
		}
	}
	static char seed_text[16];
	snprintf(seed_text, sizeof seed_text, "%d", seed);
	args[n] = "--seed";
	args[n + 1] = seed_text;
	args[n + 2] = NULL;
}

START_TEST(test_exit_path)
{
	const struct exit_path *p = &paths[_i];
	find_torture();
	static struct output o; /* large: not on the stack */
	struct classification c;
	for (int seed = 1; seed <= p->attempts; seed++) {
		const char *args[MAX_ARGS + 3];
		char strategy[64];
		arguments(p, seed, args, strategy, sizeof strategy);
		run_program(torture, args, p->limit_address_space, p->stopped_s, &o);
		classify(&o, args, &c);
		if (strcmp(outcome_name(c.outcome), p->outcome) == 0 || seed == p->attempts)
			break;
		fprintf(stderr, "exit path %s: seed %d came out %s; next seed\n", p->name, seed,
			outcome_name(c.outcome));
	}
	check_path(p, &o, &c);
	fprintf(stderr, "exit path %-11s: torture exited %d, the runner says %s (%.80s)\n", p->name,
		o.status, outcome_name(c.outcome), c.why);
}
END_TEST

/* build/native/stress, torture's old name (a symlink the build makes): the
 * same run, plus one stderr line naming the new name. Under its own name
 * torture says nothing of it (the negative control). */
START_TEST(test_the_old_name_runs_torture_and_says_the_new_one)
{
	find_torture();
	char old[PATH_MAX + 16];
	snprintf(old, sizeof old, "%s", torture);
	snprintf(strrchr(old, '/') + 1, sizeof old - (size_t)(strrchr(old, '/') + 1 - old), "stress");
	char target[64];
	ssize_t n = readlink(old, target, sizeof target - 1);
	ck_assert_msg(n > 0, "%s is not a symlink (make ARCH=native makes it)", old);
	target[n] = 0;
	ck_assert_str_eq(target, "torture");

	static struct output by_old, by_new;
	const char *const args[] = { "--list", NULL };
	run_program(old, args, false, 0, &by_old);
	run_program(torture, args, false, 0, &by_new);
	ck_assert_int_eq(by_old.status, 0);
	ck_assert_int_eq(by_new.status, 0);
	ck_assert_str_eq(by_old.err,
			 "stress: this program is now build/native/torture; the old name will go\n");
	ck_assert_uint_eq(by_new.nerr, 0);
	ck_assert(by_old.nout > 0 && by_old.nout == by_new.nout);
	ck_assert(memcmp(by_old.out, by_new.out, by_new.nout) == 0);
}
END_TEST

static Suite *exit_paths_suite(void)
{
	Suite *s = suite_create("exit-paths");
	TCase *tc = tcase_create("torture-to-runner");
	tcase_set_timeout(tc, 4 * RUN_DEADLINE_S);
	tcase_add_loop_test(tc, test_exit_path, 0, (int)(sizeof paths / sizeof paths[0]));
	tcase_add_test(tc, test_the_old_name_runs_torture_and_says_the_new_one);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return suite_run(exit_paths_suite());
}
