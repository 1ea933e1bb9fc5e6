/*
 * `proftorture go-exec install DIR`, and the go_$GOOS_$GOARCH_exec wrappers
 * it installs: Go's own convention for running cross-compiled programs.
 * When GOOS/GOARCH differ from the host and go_<goos>_<goarch>_exec is on
 * PATH, `go test` runs `<wrapper> ./pkg.test -test.paniconexit0
 * -test.timeout=10m0s ...` in the package's directory, and `go run` runs
 * `<wrapper> ./exe/main ARGS...` (cmd/go/internal/work's FindExecCmd,
 * Go 1.19). Each wrapper is a symlink to this runner; main.c sends a
 * program called go_*_*_exec here.
 *
 * A wrapper runs the binary as one `proftorture stress` session
 * (stress.h: stress_defaults, stress_session with hooks), under the qemu
 * of the ci/arches.tsv row whose go_analogue names its GOARCH, configured
 * by PROFTORTURE_* variables (go_exec_help below says each). What Go
 * users see must stay Go's: the binary's stdout and stderr reach the
 * wrapper's unchanged (spawn.h's echo: live for one run; for several, each
 * run into a spill file and the chosen run's replayed at the end), its
 * exit status is the wrapper's, and everything proftorture says is on
 * stderr, every line starting "proftorture: ", only when there is
 * something to say (a failure, several runs), or in PROFTORTURE_OUT.
 *
 * PROFTORTURE_SKIP_BY_DESIGN leaves out the tests any cannon fails
 * (cannon_breaks_by_design below). Go 1.19 test binaries have no
 * -test.skip, so the wrapper asks the binary itself which tests the
 * user's -test.run selects (-test.list, under the same qemu: a package
 * built for mipsle lists nothing natively) and runs the rest by name.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arches.h"
#include "cannon.h"
#include "cli.h"
#include "ledger.h"
#include "options.h"
#include "protocol.h"
#include "spawn.h"
#include "stress.h"
#include "util.h"

#define TAG "proftorture: "
#define DEFAULT_TIMEOUT_S 600.0 /* go test's own -timeout default, 10m */
#define TIMEOUT_MARGIN_S 30.0   /* after the binary's -test.timeout: its own panic first */
#define PROGRESS_S 30.0         /* a progress line this often, several runs only */
#define LIST_TIMEOUT_S 60.0     /* -test.list: a binary's start, under qemu */

static const char go_exec_help[] =
	"usage: proftorture go-exec install DIR\n"
	"       go_linux_<goarch>_exec BINARY [ARGS...]   (what `go test` and `go run` call)\n"
	"\n"
	"install writes into DIR (made if missing) one wrapper per Go GOARCH that\n"
	"ci/arches.tsv's go_analogue column maps to an arch: go_linux_arm_exec,\n"
	"go_linux_mips_exec, go_linux_mipsle_exec, go_linux_386_exec, go_linux_arm64_exec,\n"
	"go_linux_riscv64_exec, go_linux_s390x_exec, go_linux_mips64le_exec,\n"
	"go_linux_ppc64le_exec; each a symlink to this runner by its absolute path, so\n"
	"DIR can be anywhere. With DIR on PATH, Go runs cross-compiled tests under qemu:\n"
	"\n"
	"  PATH=DIR:$PATH GOARCH=mipsle GOMIPS=softfloat go test ./mypkg\n"
	"  PATH=DIR:$PATH GOARCH=arm GOARM=5 PROFTORTURE_COUNT=20 PROFTORTURE_SIGNAL_RATE=20000 \\\n"
	"      go test -count=1 -timeout 30m -run 'TestX$' ./mypkg\n"
	"\n"
	"A wrapper runs BINARY ARGS (every -test.* argument passed on) under the arch's\n"
	"qemu, as `proftorture stress` would, and hands its stdout and stderr on\n"
	"unchanged, so go test, go test -json and -test.v read what they expect; its\n"
	"exit status is the binary's (128+N: killed by signal N). What proftorture\n"
	"itself says goes to stderr, each line starting \"proftorture: \", and only when\n"
	"there is something to say: nothing on a clean single run.\n"
	"\n"
	"Which arch: the row whose go_analogue says GOARCH=<goarch>. GOARCH=arm has two:\n"
	"$GOARM (in the environment, as go test passes it on) 5 or 6 runs armel's qemu\n"
	"flags (-cpu arm926), 7 or unset armhf's (-cpu cortex-a15); GOARM set by\n"
	"`go env -w` is not seen here, export it. PROFTORTURE_ARCH overrides.\n"
	"\n"
	"Settings, from the environment (a bad value: one line naming the variable,\n"
	"exit status 2, nothing run):\n"
	"  PROFTORTURE_COUNT=N         run the binary N times (default 1). The output of\n"
	"                              the first failing run, else of the last run, is\n"
	"                              then printed verbatim, followed on stderr by\n"
	"                              \"proftorture: K of N runs failed ...\" with the 95%\n"
	"                              interval and the failures grouped by signature\n"
	"                              (docs/stress.md); exit status that run's, so\n"
	"                              non-zero when any run failed. go test kills the\n"
	"                              wrapper at its -timeout + 1m: give -timeout room\n"
	"                              for N runs (or 0)\n"
	"  PROFTORTURE_PARALLEL=N      runs at once (default 1)\n"
	"  PROFTORTURE_SIGNAL_RATE=N   the signal cannon: N signals per second at each\n"
	"                              run, round-robin over its threads (default 0: off,\n"
	"                              so a plain go test behaves as on hardware); under\n"
	"                              qemu it fires only while the program's profiling\n"
	"                              timer is armed, as the kernel would (docs/stress.md,\n"
	"                              the gate). A test comparing sample counts with CPU\n"
	"                              time fails under any cannon: see\n"
	"                              PROFTORTURE_SKIP_BY_DESIGN\n"
	"  PROFTORTURE_SIGNAL=SIG      the cannon's signal (default PROF; any other needs\n"
	"                              PROFTORTURE_SIGNAL_ANYTIME=1: timers send SIGPROF)\n"
	"  PROFTORTURE_SIGNAL_ANYTIME=1\n"
	"                              the cannon fires also while no timer is armed,\n"
	"                              where a late delivery would land (Go's\n"
	"                              cpuProfile.add livelock); hangs then mix with the\n"
	"                              bug under test (default 0; needs\n"
	"                              PROFTORTURE_SIGNAL_RATE)\n"
	"  PROFTORTURE_SKIP_BY_DESIGN=1\n"
	"                              leave out the tests any cannon fails by design\n"
	"                              (they compare sample counts with CPU time), named\n"
	"                              on stderr: the binary lists the tests its\n"
	"                              -test.run selects (-test.list, under the same\n"
	"                              qemu), then runs the rest by -test.run. Not with\n"
	"                              a subtest pattern (a / in -test.run); -test.bench\n"
	"                              runs as asked (default 0)\n"
	"  PROFTORTURE_SIGNAL_AFTER=D  fire from D after the start (default: once the\n"
	"                              program has set its action for the signal)\n"
	"  PROFTORTURE_TIMEOUT=D       a run alive after D gets SIGQUIT (a Go program\n"
	"                              prints every goroutine), SIGKILL 5s later; the\n"
	"                              dump is printed, where each thread was goes to\n"
	"                              stderr, and the status is non-zero (default: the\n"
	"                              binary's -test.timeout + 30s, else 10m)\n"
	"  PROFTORTURE_OUT=DIR         keep DIR/<binary>-<pid>/run-<k> (each failing run's\n"
	"                              output, its end and its threads) and summary.json\n"
	"                              (`proftorture stress --json`'s report); without\n"
	"                              it, a single run keeps no file, and several keep\n"
	"                              their failures under $TMPDIR as stress does\n"
	"  PROFTORTURE_ARCH=A          run under arch A's row of ci/arches.tsv instead\n"
	"D is a duration: 1.5, 90s, 500ms, 2m, 1h30m. Known limit: go test's own kill\n"
	"(SIGQUIT at -timeout + 1m) reaches the wrapper, not the binary: no dump then.\n"
	"Recipe and measurements: docs/go-exec.md.\n";

/* ---- the arch table's Go names ---- */

static bool is_goarch(const struct arch *a, const char *goarch)
{
	char *g = strcmp(a->name, "native") ? arch_go_word(a, "GOARCH") : NULL;
	bool yes = g && (!goarch || strcmp(g, goarch) == 0);
	free(g);
	return yes;
}

static void load_arches(struct arch_table *t)
{
	char err[512];
	char *path = root_path("ci/arches.tsv");
	if (arches_load(path, t, err, sizeof err))
		cli_die("go-exec", "%s", err);
	free(path);
}

/* ---- install ---- */

/* DIR/name -> target, replacing an older symlink atomically; refuses to
 * replace anything that is not a symlink (a file of someone else's). */
static void install_one(const char *dir, const char *name, const char *target)
{
	struct sbuf path = { 0 }, tmp = { 0 };
	sb_printf(&path, "%s/%s", dir, name);
	sb_printf(&tmp, "%s/.%s.tmp.%d", dir, name, (int)getpid());
	struct stat st;
	if (lstat(path.s, &st) == 0 && !S_ISLNK(st.st_mode))
		cli_die("go-exec", "install: %s exists and is not a symlink; not replacing it", path.s);
	unlink(tmp.s);
	if (symlink(target, tmp.s) < 0 || rename(tmp.s, path.s) < 0) {
		int e = errno;
		unlink(tmp.s);
		cli_die("go-exec", "install: cannot create %s: %s", path.s, strerror(e));
	}
	sb_free(&path);
	sb_free(&tmp);
}

/* Which rows a wrapper picks from, for install's listing. */
static void describe(const struct arch_table *t, const char *goarch, struct sbuf *b)
{
	for (size_t i = 0, k = 0; i < t->n; i++) {
		if (!is_goarch(&t->v[i], goarch))
			continue;
		char *goarm = arch_go_word(&t->v[i], "GOARM");
		sb_printf(b, "%s%s", k++ ? ", " : "", t->v[i].name);
		if (goarm)
			sb_printf(b, " when GOARM=%s", strcmp(goarm, "5") == 0 ? "5 or 6"
						      : strcmp(goarm, "7") == 0 ? "7 or unset"
										: goarm);
		free(goarm);
	}
}

static int install(const char *dir)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		cli_die("go-exec", "install: cannot find this runner's own path: %s", strerror(errno));
	self[n] = 0;
	if (ut_mkdir_p(dir) < 0)
		cli_die("go-exec", "install: cannot create DIR %s: %s", dir, strerror(errno));
	struct arch_table t = { 0 };
	load_arches(&t);
	char **done = xmalloc((t.n + 1) * sizeof *done);
	size_t ndone = 0;
	done[0] = NULL;
	for (size_t i = 0; i < t.n; i++) {
		char *goarch = is_goarch(&t.v[i], NULL) ? arch_go_word(&t.v[i], "GOARCH") : NULL;
		if (!goarch || ut_list_has(done, goarch)) {
			free(goarch);
			continue;
		}
		done[ndone++] = goarch;
		done[ndone] = NULL;
		struct sbuf name = { 0 }, rows = { 0 };
		sb_printf(&name, "go_linux_%s_exec", goarch);
		install_one(dir, name.s, self);
		describe(&t, goarch, &rows);
		printf("%s/%s -> %s (%s)\n", dir, name.s, self, rows.s);
		sb_free(&name);
		sb_free(&rows);
	}
	ut_free_list(done);
	arches_free(&t);
	return ledger_finish(PROTOCOL_RUNNER_EXIT_MATCHED);
}

/* ---- a wrapper's settings ---- */

static const struct opts_program wrapper_program = {
	.name = "proftorture",
	.usage = go_exec_help,
	.usage_exit = PROTOCOL_EXIT_USAGE,
};

_Noreturn static void bad_env(const char *var, const char *value, const char *allowed)
{
	fprintf(stderr, TAG "%s: '%s' is not %s (see proftorture go-exec --help)\n", var, value,
		allowed);
	exit(PROTOCOL_EXIT_USAGE);
}

static const char *env(const char *var)
{
	const char *v = getenv(var);
	return v && *v ? v : NULL;
}

static void env_uint(const char *var, uint64_t *out, uint64_t max)
{
	const char *v = env(var);
	char allowed[64];
	snprintf(allowed, sizeof allowed, "a whole number from 1 to %llu", (unsigned long long)max);
	if (v && (opts_parse_u64(v, out) < 0 || *out < 1 || *out > max))
		bad_env(var, v, allowed);
}

static void env_seconds(const char *var, double *out, bool *given)
{
	const char *v = env(var);
	if (v && (opts_parse_seconds(v, out) < 0 || *out <= 0))
		bad_env(var, v, "a duration above 0 (e.g. 1.5, 90s, 500ms, 2m, 1h30m)");
	if (given)
		*given = v != NULL;
}

/* 0 or 1, as *out; unset is 0. */
static void env_bool(const char *var, bool *out)
{
	const char *v = env(var);
	if (v && strcmp(v, "0") && strcmp(v, "1"))
		bad_env(var, v, "0 or 1");
	*out = v && strcmp(v, "1") == 0;
}

/* The value of the binary's flag `name` at args[i], as Go's flag package
 * takes it: name=V, or name then V. NULL when args[i] is not that flag. */
static const char *flag_at(char **args, size_t i, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(args[i], name, n) != 0)
		return NULL;
	if (args[i][n] == '=')
		return args[i] + n + 1;
	return args[i][n] == 0 ? args[i + 1] : NULL;
}

/* -test.timeout=D or -test.timeout D among the binary's arguments, in
 * seconds, or -1. Go spells it as a Go duration, "10m0s". */
static double test_timeout(char **args)
{
	for (size_t i = 0; args[i]; i++) {
		const char *v = flag_at(args, i, "-test.timeout");
		double d;
		if (v && opts_parse_seconds(v, &d) == 0)
			return d;
	}
	return -1;
}

/* The row: PROFTORTURE_ARCH, else the one whose go_analogue has GOARCH=
 * goarch (and GOARM= as $GOARM says, where there are several). */
static const struct arch *pick_arch(const struct arch_table *t, const char *wrapper,
				    const char *goarch)
{
	const char *forced = env("PROFTORTURE_ARCH");
	if (forced) {
		const struct arch *a = arch_find(t, forced);
		if (a)
			return a;
		struct sbuf b = { 0 };
		for (size_t i = 0; i < t->n; i++)
			sb_printf(&b, "%s%s", i ? ", " : "an arch of ci/arches.tsv: ", t->v[i].name);
		bad_env("PROFTORTURE_ARCH", forced, b.s);
	}
	const char *goarm = env("GOARM");
	const char *want = !goarm			  ? "7"
			   : !strcmp(goarm, "5") || !strcmp(goarm, "6") ? "5"
			   : !strcmp(goarm, "7")			  ? "7"
									  : NULL;
	const struct arch *found = NULL;
	for (size_t i = 0; i < t->n; i++) {
		if (!is_goarch(&t->v[i], goarch))
			continue;
		char *arm = arch_go_word(&t->v[i], "GOARM");
		bool match = !arm || (want && strcmp(arm, want) == 0);
		if (arm && !want) {
			free(arm);
			bad_env("GOARM", goarm, "5, 6 or 7");
		}
		free(arm);
		if (match && !found)
			found = &t->v[i];
	}
	if (!found)
		cli_die("go-exec", "%s: no row of ci/arches.tsv has GOARCH=%s; set PROFTORTURE_ARCH",
			wrapper, goarch);
	return found;
}

/* ---- the runs' output ---- */

/* Several runs: each run's output goes to spill files, kept while it may
 * be the one printed (the first failing run, else the last). */
struct spill {
	uint64_t run;
	int fd[2];
	int status; /* the run's exit status as the wrapper's */
};

struct wrapper {
	struct stress_state s;
	bool several, merged;
	struct spill active[256]; /* at most PROFTORTURE_PARALLEL at once */
	struct spill kept;        /* run 0: none yet */
	bool kept_failed;
	int status;               /* the first failing run's to end (0: none failed) */
	uint64_t status_run;
	const char *dir;          /* PROFTORTURE_OUT's per-binary directory, or NULL */
	bool skip_by_design;      /* PROFTORTURE_SKIP_BY_DESIGN=1 */
};

static int spill_file(void)
{
	const char *tmp = env("TMPDIR") ? env("TMPDIR") : "/tmp";
	int fd = open(tmp, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) { /* a file system without O_TMPFILE */
		struct sbuf p = { 0 };
		sb_printf(&p, "%s/proftorture-go-exec-XXXXXX", tmp);
		fd = mkostemp(p.s, O_CLOEXEC);
		if (fd >= 0)
			unlink(p.s);
		sb_free(&p);
	}
	return fd;
}

static void spill_close(struct spill *sp)
{
	for (int i = 0; i < 2; i++)
		if (sp->fd[i] >= 0)
			close(sp->fd[i]);
	memset(sp, 0, sizeof *sp);
	sp->fd[0] = sp->fd[1] = -1;
}

static void configure(void *ctx, uint64_t run, struct proc_opts *po)
{
	struct wrapper *w = ctx;
	po->echo = true;
	if (!w->several) { /* live, to where the wrapper's own output goes */
		po->echo_fd[0] = STDOUT_FILENO;
		po->echo_fd[1] = w->merged ? -1 : STDERR_FILENO;
		return;
	}
	struct spill *sp = NULL;
	for (size_t i = 0; i < sizeof w->active / sizeof w->active[0] && !sp; i++)
		if (!w->active[i].run)
			sp = &w->active[i];
	sp->run = run;
	sp->fd[0] = spill_file();
	sp->fd[1] = w->merged ? -1 : spill_file();
	if (sp->fd[0] < 0 || (!w->merged && sp->fd[1] < 0))
		ledger_lost(LEDGER_ARTIFACT, "a spill file under $TMPDIR", errno);
	po->echo_fd[0] = sp->fd[0];
	po->echo_fd[1] = sp->fd[1];
}

static int status_of(const struct proc *p)
{
	if (p->spawn_failed)
		return PROTOCOL_RUNNER_EXIT_MISMATCH;
	if (WIFSIGNALED(p->wait_status))
		return 128 + WTERMSIG(p->wait_status);
	int st = WEXITSTATUS(p->wait_status);
	return st == 0 && p->timed_out ? PROTOCOL_RUNNER_EXIT_MISMATCH : st;
}

/* A timed-out single run: where its threads were, on stderr (several
 * runs keep it in their failure files). */
static void say_threads(const struct proc *p)
{
	struct sbuf table = { 0 };
	char where[96] = "";
	threads_watch_report(p->watch, &table, where, sizeof where);
	const char *sig = sigabbrev_np(p->kill_signal ? p->kill_signal : SIGKILL);
	fprintf(stderr, TAG "timeout after %.3gs: SIG%s sent%s%s; where every thread was, from "
			"then to the end:\n",
		p->deadline - p->start, sig ? sig : "?", *where ? ", " : "", where);
	for (char *line = table.s, *nl; line && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		fprintf(stderr, TAG "  %.*s\n", nl ? (int)(nl - line) : (int)strlen(line), line);
		if (!nl)
			break;
	}
	sb_free(&table);
}

static void ended(void *ctx, uint64_t run, struct proc *p, bool failed)
{
	struct wrapper *w = ctx;
	if (p->echo_errno)
		ledger_lost(w->several ? LEDGER_ARTIFACT : LEDGER_DOCUMENT,
			    w->several ? "a spill file" : "the program's output", p->echo_errno);
	int st = failed ? status_of(p) : 0;
	if (failed && !w->status_run) { /* the first to end failing: the run printed */
		w->status = st ? st : PROTOCOL_RUNNER_EXIT_MISMATCH;
		w->status_run = run;
	}
	if (!w->several) {
		if (p->watch && p->timed_out)
			say_threads(p);
		return;
	}
	struct spill *sp = NULL;
	for (size_t i = 0; i < sizeof w->active / sizeof w->active[0] && !sp; i++)
		if (w->active[i].run == run)
			sp = &w->active[i];
	if (!sp)
		return;
	sp->status = st;
	bool keep = !w->kept_failed && (failed || run > w->kept.run);
	if (keep) {
		if (w->kept.run)
			spill_close(&w->kept);
		w->kept = *sp;
		w->kept_failed = failed;
		memset(sp, 0, sizeof *sp);
	} else {
		spill_close(sp);
	}
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The kept run's output, verbatim, to where the wrapper's own goes. */
static void replay(struct wrapper *w)
{
	int to[2] = { STDOUT_FILENO, STDERR_FILENO };
	char buf[65536];
	for (int i = 0; i < 2 && w->kept.run; i++) {
		int fd = w->kept.fd[i];
		if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0)
			continue;
		ssize_t r;
		while ((r = read(fd, buf, sizeof buf)) > 0)
			if (write_all(to[i], buf, (size_t)r) < 0) {
				ledger_lost(LEDGER_DOCUMENT, "the program's output", errno);
				break;
			}
	}
}

/* stress's closing summary, every line prefixed, after one line that says
 * what the output above was. */
static void say_summary(struct wrapper *w)
{
	struct stress_state *s = &w->s;
	struct stress_set *set = &s->sets[0]; /* a wrapper's session has one */
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return;
	stress_print_summary(s, set, f);
	fclose(f);
	fprintf(stderr, TAG "%llu of %llu runs failed under %s (%s",
		(unsigned long long)set->failures, (unsigned long long)set->finished,
		stress_set_cross(set) ? set->arch->qemu : "the host kernel",
		set->arch_name);
	if (s->o.signal_rate > 0)
		fprintf(stderr, ", cannon SIG%s at %.6g/s", sigabbrev_np(s->o.signal), s->o.signal_rate);
	if (w->several && w->kept.run)
		fprintf(stderr, "); the output above is run %llu's, %s\n",
			(unsigned long long)w->kept.run,
			w->kept_failed ? "the first that failed" : "the last");
	else
		fprintf(stderr, ")\n");
	for (char *line = text, *nl; line && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		fprintf(stderr, TAG "%.*s\n", nl ? (int)(nl - line) : (int)strlen(line), line);
		if (!nl)
			break;
	}
	if (w->dir)
		fprintf(stderr, TAG "failures and summary.json in %s\n", w->dir);
	free(text);
}

/* Same open file on both: under go test (one buffer) and on a terminal. */
static bool same_output(void)
{
	struct stat a, b;
	return fstat(STDOUT_FILENO, &a) == 0 && fstat(STDERR_FILENO, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* PROFTORTURE_OUT/<binary>-<pid>, made and proved writable. */
static char *out_dir(const char *binary)
{
	const char *out = env("PROFTORTURE_OUT");
	if (!out)
		return NULL;
	struct sbuf d = { 0 };
	const char *base = strrchr(binary, '/');
	sb_printf(&d, "%s/%s-%d", out, base ? base + 1 : binary, (int)getpid());
	char err[512];
	if (ut_dir_writable(d.s, err, sizeof err) < 0)
		bad_env("PROFTORTURE_OUT", out, "a directory this user can write");
	return d.s;
}

static void settings(struct wrapper *w, const struct arch *arch, char **cmd)
{
	struct stress_opts *o = &w->s.o;
	o->arch = arch->name;
	o->count = 1; /* stress's default is until Ctrl-C */
	env_uint("PROFTORTURE_COUNT", &o->count, (uint64_t)1e15);
	env_uint("PROFTORTURE_PARALLEL", &o->p, sizeof w->active / sizeof w->active[0]);
	const char *v = env("PROFTORTURE_SIGNAL_RATE");
	if (v && (opts_parse_double(v, &o->signal_rate) < 0 || o->signal_rate < 0 ||
		  o->signal_rate > 1e6))
		bad_env("PROFTORTURE_SIGNAL_RATE", v, "a number of signals per second from 0 (off) to 1000000");
	if ((v = env("PROFTORTURE_SIGNAL"))) {
		o->signal = cannon_signal_number(v);
		if (!o->signal || o->signal == SIGKILL || o->signal == SIGSTOP)
			bad_env("PROFTORTURE_SIGNAL", v, "a signal a program can handle (e.g. PROF, SIGUSR1, 27)");
	}
	env_bool("PROFTORTURE_SIGNAL_ANYTIME", &o->signal_anytime);
	/* stress would refuse these naming its own options, which a go test
	 * user never gives */
	if (o->signal_anytime && o->signal_rate <= 0)
		bad_env("PROFTORTURE_SIGNAL_ANYTIME", "1",
			"allowed without a cannon: set PROFTORTURE_SIGNAL_RATE above 0");
	if (o->signal_rate > 0 && !o->signal_anytime && o->signal != SIGPROF)
		bad_env("PROFTORTURE_SIGNAL", env("PROFTORTURE_SIGNAL"),
			"allowed without PROFTORTURE_SIGNAL_ANYTIME=1: the cannon's gate "
			"follows the program's profiling timers, which send SIGPROF");
	env_bool("PROFTORTURE_SKIP_BY_DESIGN", &w->skip_by_design);
	env_seconds("PROFTORTURE_SIGNAL_AFTER", &o->signal_after, &o->signal_after_given);
	double t = test_timeout(cmd + 1);
	o->timeout = t > 0 ? t + TIMEOUT_MARGIN_S : DEFAULT_TIMEOUT_S;
	env_seconds("PROFTORTURE_TIMEOUT", &o->timeout, NULL);
	w->several = o->count > 1;
	w->merged = same_output();
	w->dir = out_dir(cmd[0]);
	if (w->dir) {
		struct sbuf pre = { 0 }, json = { 0 };
		sb_printf(&pre, "%s/run-", w->dir);
		sb_printf(&json, "%s/summary.json", w->dir);
		o->prefix = pre.s;
		o->json = json.s;
	}
	o->status_interval = w->several ? PROGRESS_S : 0;
	w->s.hooks = (struct stress_hooks){ .quiet = true,
					    .no_files = !w->dir && !w->several,
					    .separate_streams = !w->merged,
					    .tag = TAG,
					    .program = &wrapper_program,
					    .configure = configure,
					    .ended = ended,
					    .ctx = w };
}

/* ---- PROFTORTURE_SKIP_BY_DESIGN ---- */

/* Tests that fail under any signal cannon however correct the profiler
 * is, each with why; PROFTORTURE_SKIP_BY_DESIGN=1 leaves them out. */
static const char *const cannon_breaks_by_design[] = {
	/* Go's runtime/pprof: compares its profile's samples with the CPU
	 * time the process used, and every signal of the cannon is a sample
	 * that time did not earn ("got CPU usage reports are too different") */
	"TestCPUProfileMultithreadMagnitude",
};

static bool breaks_by_design(const char *test)
{
	for (size_t i = 0; i < sizeof cannon_breaks_by_design / sizeof cannon_breaks_by_design[0]; i++)
		if (strcmp(test, cannon_breaks_by_design[i]) == 0)
			return true;
	return false;
}

_Noreturn static void skip_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn static void skip_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs(TAG "PROFTORTURE_SKIP_BY_DESIGN: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(PROTOCOL_EXIT_USAGE);
}

/* A line of -test.list that names a test: an identifier (a TestMain may
 * print other lines). */
static bool is_test_name(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && c != '_' && c < 0x80) /* 0x80 on: UTF-8, Go's letters too */
			return false;
	}
	return n > 0;
}

/* What `BINARY -test.list REGEX` prints, run as the session will run the
 * binary (under the arch's qemu), one name a line; dies when it cannot. */
static char *list_tests(const struct arch *arch, const char *binary, const char *regex)
{
	size_t n;
	char **argv = arch_argv(arch, binary, 2, &n);
	argv[n++] = xstrdup("-test.list");
	argv[n++] = xstrdup(regex);
	argv[n] = NULL;
	struct sbuf line = { 0 };
	for (size_t i = 0; argv[i]; i++)
		sb_printf(&line, "%s%s", i ? " " : "", argv[i]);
	struct proc p;
	proc_run_sync(&p, argv, false, LIST_TIMEOUT_S);
	argv_free(argv);
	size_t len, elen;
	char *out = capture_text(&p.cap[0], &len), *err = capture_text(&p.cap[1], &elen);
	bool ok = !p.spawn_failed && !p.timed_out && WIFEXITED(p.wait_status) &&
		  WEXITSTATUS(p.wait_status) == 0 && !capture_dropped(&p.cap[0]);
	if (!ok) /* why, in the binary's own words */
		fwrite(err, 1, elen, stderr);
	if (p.spawn_failed)
		skip_die("cannot list the tests: cannot run %s: %s", line.s, strerror(p.spawn_errno));
	if (p.timed_out)
		skip_die("cannot list the tests: %s did not finish in %.0f s", line.s, LIST_TIMEOUT_S);
	if (!ok && capture_dropped(&p.cap[0]))
		skip_die("cannot list the tests: %s printed more than %d bytes", line.s,
			 CAPTURE_HEAD + CAPTURE_TAIL);
	if (!ok)
		skip_die("cannot list the tests: %s ended with %s %d", line.s,
			 WIFSIGNALED(p.wait_status) ? "signal" : "exit status",
			 WIFSIGNALED(p.wait_status) ? WTERMSIG(p.wait_status) : WEXITSTATUS(p.wait_status));
	proc_release(&p);
	sb_free(&line);
	free(err);
	return out;
}

/* cmd with every -test.run dropped and `-test.run=pattern` first, so it
 * comes before any argument of the test's own. */
static char **with_test_run(char **cmd, const char *pattern)
{
	size_t n = 0;
	while (cmd[n])
		n++;
	char **v = xcalloc(n + 2, sizeof *v), *run;
	if (asprintf(&run, "-test.run=%s", pattern) < 0)
		abort();
	size_t k = 0;
	v[k++] = xstrdup(cmd[0]);
	v[k++] = run;
	for (size_t i = 1; cmd[i]; i++) {
		if (flag_at(cmd, i, "-test.run")) {
			i += strchr(cmd[i], '=') == NULL; /* and its value */
			continue;
		}
		v[k++] = xstrdup(cmd[i]);
	}
	return v;
}

/* The command to run with PROFTORTURE_SKIP_BY_DESIGN=1: cmd itself when
 * it is no Go test binary's or leaves out nothing; else a copy that runs
 * the rest by name; NULL when nothing is left to run. */
static char **leave_out_by_design(const struct arch *arch, char **cmd)
{
	const char *user_run = NULL, *bench = NULL;
	bool go_test = false;
	for (size_t i = 1; cmd[i]; i++) {
		go_test |= strncmp(cmd[i], "-test.", 6) == 0;
		const char *v = flag_at(cmd, i, "-test.run");
		user_run = v ? v : user_run; /* the last wins, as in Go's flag package */
		v = flag_at(cmd, i, "-test.bench");
		bench = v ? v : bench;
	}
	if (!go_test || (strchr(cmd[0], '/') && access(cmd[0], R_OK) != 0))
		return cmd; /* a missing binary: stress's setup says so */
	if (user_run && strchr(user_run, '/'))
		skip_die("cannot be combined with a subtest pattern in -test.run ('%s'): "
			 "-test.list names top-level tests only; unset it, or leave the tests out with "
			 "-test.run",
			 user_run);
	char *listed = list_tests(arch, cmd[0], user_run && *user_run ? user_run : ".");
	struct sbuf kept = { 0 }, left_out = { 0 };
	for (char *line = listed, *nl; line; line = nl ? nl + 1 : NULL) {
		if ((nl = strchr(line, '\n')))
			*nl = 0;
		if (!is_test_name(line, strlen(line)))
			continue;
		struct sbuf *to = breaks_by_design(line) ? &left_out : &kept;
		sb_printf(to, "%s%s", to->len ? (to == &kept ? "|" : ", ") : "", line);
	}
	free(listed);
	if (!left_out.len) { /* as without the variable */
		sb_free(&kept);
		return cmd;
	}
	fprintf(stderr, TAG "left out by design: %s\n", left_out.s);
	sb_free(&left_out);
	if (!kept.len)
		fprintf(stderr, TAG "PROFTORTURE_SKIP_BY_DESIGN left no test to run\n");
	if (!kept.len && !(bench && *bench))
		return NULL;
	struct sbuf pattern = { 0 };
	/* no test is called "": the benchmarks -test.bench asks for still run */
	sb_printf(&pattern, "^(%s)$", kept.len ? kept.s : "");
	char **v = with_test_run(cmd, pattern.s);
	sb_free(&kept);
	sb_free(&pattern);
	return v;
}

/* go_<goos>_<goarch>_exec BINARY ARGS... */
int go_exec_wrapper(const char *name, int argc, char **argv)
{
	char goos[32], goarch[32];
	if (sscanf(name, "go_%31[^_]_%31[^_]_exec", goos, goarch) != 2)
		cli_die("go-exec", "%s: not a wrapper name (go_<goos>_<goarch>_exec)", name);
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(go_exec_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? PROTOCOL_EXIT_USAGE : 0;
	}
	if (strcmp(goos, "linux"))
		cli_die("go-exec", "%s: GOOS=%s: only linux programs run under qemu-user", name, goos);
	struct arch_table t = { 0 };
	load_arches(&t);
	const struct arch *arch = pick_arch(&t, name, goarch);
	static struct wrapper w; /* the spills are large; one per process */
	stress_defaults(&w.s, argv + 1);
	for (size_t i = 0; i < sizeof w.active / sizeof w.active[0]; i++)
		spill_close(&w.active[i]);
	spill_close(&w.kept);
	settings(&w, arch, argv + 1);
	char **cmd = w.skip_by_design ? leave_out_by_design(arch, argv + 1) : argv + 1;
	if (!cmd) { /* go test's "no tests to run" is a pass too */
		if (w.dir)
			rmdir(w.dir);
		arches_free(&t);
		return 0;
	}
	w.s.cmds[0] = cmd;
	ledger_start("go-exec", NULL);
	struct arch_table session_arches = { 0 };
	int sig = stress_session(&w.s, &session_arches);
	if (w.several)
		replay(&w);
	const struct stress_set *set = &w.s.sets[0];
	if (w.several || set->failures || sig)
		say_summary(&w);
	if (w.s.o.json)
		stress_write_json(&w.s);
	int rc = sig ? 128 + sig : w.status;
	if (set->cannot_start && !rc)
		rc = PROTOCOL_RUNNER_EXIT_MISMATCH;
	rc = ledger_finish(rc);
	spill_close(&w.kept);
	stress_free(&w.s);
	arches_free(&session_arches);
	arches_free(&t);
	if (cmd != argv + 1)
		argv_free(cmd);
	return rc;
}

/* `go-exec` itself: no option but --help; parsed by options.h, so
 * PROFTORTURE_ARGS_ONLY=1 (the docs' example test) is honoured too. */
static const struct opts_program go_exec_program = {
	.name = "proftorture go-exec",
	.usage = go_exec_help,
	.usage_exit = PROTOCOL_EXIT_USAGE,
	.stop_at_operand = true,
};

int cmd_go_exec(int argc, char **argv)
{
	int first = opts_parse(&go_exec_program, argc, argv, NULL);
	if (argc - first == 2 && !strcmp(argv[first], "install"))
		return install(argv[first + 1]);
	opts_die(&go_exec_program, "give install DIR");
}
