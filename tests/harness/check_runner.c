/*
 * Fault tests for build/native/proftorture: the runner is driven as a
 * black box against tests/harness/fake_torture in a scratch tree
 * (PROFTORTURE_ROOT) with a fake arch run through a fake qemu on PATH.
 * Each test pins one promise: hangs are killed with their whole process
 * group, garbage and megabytes of output cost bounded memory, a missing or
 * inconsistent result line is never a pass, QEMU's failures are told apart
 * from the program's, Ctrl-C leaves no process behind, bad options exit 2
 * with one line, the out dir is checked before any run, shards merge
 * exactly, and the reports parse. Native only (make check-harness).
 *
 * "lost writes" (docs/stress.md, "Nothing lost, nothing passed that was
 * not recorded"): run, stress and merge against a file size
 * limit (RLIMIT_FSIZE, SIGXFSZ ignored: no root needed), stdout on
 * /dev/full, the results directory removed mid-run, made read-only
 * mid-run (as root a tmpfs remounted read-only, since chmod does not stop
 * root; else chmod 0555) or from the start, and, as root, a 64 KiB tmpfs
 * filled up. Each must exit 3 with one LOST line naming what was lost, and
 * leave summary.json (or the --json file) absent or the previous one
 * byte-identical, and no empty file or temporary. Mounts happen in a
 * private mount namespace entered by main, so they vanish with this
 * process whatever a test does; the root-only tests print SKIPPED without
 * root. `report`: its page over a file size limit, its Markdown on
 * /dev/full. Negative control, done by hand on 2026-11-30: with
 * ledger_finish (harness/base/ledger.c) returning the status unchanged, i.e. a
 * lost summary exiting 0 again, 13 of these 15 checks fail (all but the
 * two that expect exit 2 before any run); restored, all pass.
 *
 * "lost writes, unprivileged": each test above that needs root and a mount
 * namespace (which a CI job in a container lacks, even as root) has a
 * twin that needs neither and asserts the same figure, its fault injected:
 * libfiu (fiu-run, fiu-ctrl) fails the runner's write() with ENOSPC from a
 * point mid-run (a disk filling up), once (one log, one failure file
 * lost), or its fsync() or rename() from the start (merge's output);
 * tests/harness/fault_open.so fails its opens for writing under the
 * results directory with EROFS (a read-only file system), mid-run or from
 * the start. A missing libfiu is a failure naming the install line, never
 * a skip. Negative control, done by hand on 2026-12-07, as above: 9 of
 * these 11 checks fail (all but the two that expect exit 2 before any
 * run); restored, all pass, also as user nobody.
 */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "protocol.h"

#include "../support/child.h"
#include "../support/slurp.h"
#include "../support/suite_run.h"

static char root[256], selfdir[2048], runner[PATH_MAX], fake[PATH_MAX];

static void write_text(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static void in_root(char *buf, size_t cap, const char *rel)
{
	snprintf(buf, cap, "%s/%s", root, rel);
}

static void setup_tree(void)
{
	char exe[1024];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	ck_assert(n > 0);
	exe[n] = 0;
	*strrchr(exe, '/') = 0; /* build/native/tests/harness */
	snprintf(selfdir, sizeof selfdir, "%s", exe);
	snprintf(fake, sizeof fake, "%s/fake_torture", selfdir);
	snprintf(runner, sizeof runner, "%s/../../proftorture", selfdir);
	ck_assert_msg(access(runner, X_OK) == 0, "%s missing (make ARCH=native)", runner);
	ck_assert_msg(access(fake, X_OK) == 0, "%s missing", fake);

	snprintf(root, sizeof root, "/tmp/proftorture-check-runner-XXXXXX");
	ck_assert(mkdtemp(root) != NULL);
	const char *dirs[] = { "ci",  "cases", "build", "build/native", "build/fakearm", "build/fake386",
			       "bin" };
	char p[PATH_MAX];
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		in_root(p, sizeof p, dirs[i]);
		ck_assert(mkdir(p, 0755) == 0);
	}
	in_root(p, sizeof p, "ci/arches.tsv");
	write_text(p,
		   "arch\ttriple\tqemu\tqemu_flags\tcflags\tatomics\tgo_analogue\telf\t"
		   "debian_arch\tldflags\thost_kernel\trepro\n"
		   "native\t-\t-\t-\t-\tnative\thost\n"
		   "fakearm\tfake-linux-gnu\tqemu-fake\t-cpu any\t-\tglobal\tnone\t-\t-\t-\t-\tyes\n"
		   /* i686's shape: the host kernel first, its qemu where the host
		    * has no 32-bit ABI (PROFTORTURE_HOST_KERNEL=never plays that) */
		   "fake386\tfake-i386\tqemu-fake386\t-\t-\tnative\tnone\t3 ELF32 LSB\t-\t-\ttry\n",
		   0644);
	in_root(p, sizeof p, "cases/expected.tsv");
	write_text(p,
		   "# test table\n"
		   "*\tlost-atomic\tunlocked-flush\t*\tcorrupt\t#24991\n"
		   "*\t*\tunchecked\tglobal\tdeadlock\t#20146\n"
		   "*\t*\t*\t*\tpass\n",
		   0644);
	in_root(p, sizeof p, "bin/qemu-fake");
	write_text(p,
		   "#!/bin/sh\n# a 'qemu' that drops its own flags and runs the program\n"
		   "while [ $# -gt 0 ]; do case \"$1\" in -cpu) shift 2;; -*) shift;; *) break;; esac; done\n"
		   "exec \"$@\"\n",
		   0755);
	in_root(p, sizeof p, "bin/qemu-fake386");
	write_text(p,
		   "#!/bin/sh\n# a 'qemu' that leaves a mark, then runs the program\n"
		   "echo used >> \"$PROFTORTURE_ROOT/qemu-fake386.used\"\n"
		   "exec \"$@\"\n",
		   0755);
	in_root(p, sizeof p, "build/fake386/torture");
	ck_assert(symlink(fake, p) == 0);
	in_root(p, sizeof p, "build/native/torture");
	ck_assert(symlink(fake, p) == 0);
	in_root(p, sizeof p, "build/fakearm/torture");
	ck_assert(symlink(fake, p) == 0);
}

static void unmount_all_under_root(void);

static void teardown_tree(void)
{
	unmount_all_under_root();
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
}

struct res {
	int rc; /* exit status, or 128+signal */
	bool timed_out;
	bool mid_done; /* pt_opts.mid was called */
	double secs;
	char out[1 << 16], err[1 << 16];
};

static char piddir[512];

static void new_piddir(void)
{
	snprintf(piddir, sizeof piddir, "%s/pids-XXXXXX", root);
	ck_assert(mkdtemp(piddir) != NULL);
}

/* How to run proftorture: the fake's mode, a time limit, and the faults. */
struct pt_opts {
	const char *mode;
	double timeout;
	double interrupt_after; /* SIGINT after this many seconds, when > 0 */
	rlim_t mem_limit;       /* RLIMIT_AS, bytes, when > 0 */
	rlim_t fsize;           /* RLIMIT_FSIZE, bytes, when > 0, SIGXFSZ ignored */
	const char *stdout_to;  /* instead of a file in root (e.g. /dev/full) */
	const char *mid_when;   /* once this file exists ... */
	void (*mid)(void);      /* ... this is called, once */
	/* libfiu: run under `fiu-run -x` with remote control (fiu_ctrl), and
	 * this -c command from the start ("" for none); NULL: no libfiu */
	const char *fiu;
	/* tests/harness/fault_open.so preloaded: opens for writing under this
	 * directory fail with EROFS (while fault_open_arm exists, when set) */
	const char *fault_open_dir, *fault_open_arm;
};

static pid_t runner_pid;            /* the last pt_run's, for fiu_ctrl */
static char fiu_prefix[PATH_MAX];   /* fiu-run's -f: its control FIFOs */

/* The child: environment, limits, streams, then exec. */
static void exec_runner(const struct pt_opts *o, const char *outp, const char *errp,
			const char *const *args)
{
	char path[PATH_MAX * 2];
	snprintf(path, sizeof path, "%s/bin:%s", root, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", path, 1);
	setenv("PROFTORTURE_ROOT", root, 1);
	setenv("FAKE_TORTURE", o->mode, 1);
	setenv("FAKE_PIDDIR", piddir, 1);
	setenv("NO_COLOR", "1", 1);
	int out = open(o->stdout_to ? o->stdout_to : outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(out, 1);
	dup2(e, 2);
	if (o->mem_limit) {
		struct rlimit rl = { o->mem_limit, o->mem_limit };
		setrlimit(RLIMIT_AS, &rl);
	}
	if (o->fsize) { /* a write past it fails with EFBIG instead of killing */
		signal(SIGXFSZ, SIG_IGN);
		struct rlimit rl = { o->fsize, o->fsize };
		setrlimit(RLIMIT_FSIZE, &rl);
	}
	if (o->fault_open_dir) {
		char so[PATH_MAX + 32];
		snprintf(so, sizeof so, "%s/fault_open.so", selfdir);
		setenv("LD_PRELOAD", so, 1);
		setenv("PT_FAULT_OPEN_DIR", o->fault_open_dir, 1);
		setenv("PT_FAULT_OPEN_ARM", o->fault_open_arm ? o->fault_open_arm : "", 1);
	}
	const char *argv[72];
	size_t n = 0;
	if (o->fiu) { /* fiu-run execs the runner: the pid stays the runner's */
		argv[n++] = "fiu-run";
		argv[n++] = "-x";
		argv[n++] = "-f";
		argv[n++] = fiu_prefix;
		if (*o->fiu) {
			argv[n++] = "-c";
			argv[n++] = o->fiu;
		}
	}
	argv[n++] = runner;
	for (size_t i = 0; args[i] && n < 71; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	execvp(argv[0], (char **)argv);
	_exit(127);
}

static struct res *pt_run(const struct pt_opts *o, const char *const *args)
{
	static struct res r;
	memset(&r, 0, sizeof r);
	char outp[PATH_MAX], errp[PATH_MAX];
	snprintf(outp, sizeof outp, "%s/stdout.%ld", root, (long)getpid());
	snprintf(errp, sizeof errp, "%s/stderr.%ld", root, (long)getpid());
	double start = now_seconds();
	pid_t pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0)
		exec_runner(o, outp, errp, args);
	runner_pid = pid;
	bool sent = false;
	int st;
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		double el = now_seconds() - start;
		if (o->interrupt_after > 0 && !sent && el >= o->interrupt_after) {
			kill(pid, SIGINT);
			sent = true;
		}
		if (o->mid && !r.mid_done && access(o->mid_when, F_OK) == 0) {
			o->mid();
			r.mid_done = true;
		}
		if (el > o->timeout) {
			r.timed_out = true;
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		usleep(10000);
	}
	r.secs = now_seconds() - start;
	r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	slurp_into(outp, r.out, sizeof r.out, NULL);
	slurp_into(errp, r.err, sizeof r.err, NULL);
	return &r;
}

/* Runs proftorture args... with the fake's mode; SIGINT after
 * interrupt_after seconds when > 0; memory limit (bytes) when > 0. */
static struct res *pt_full(const char *mode, double timeout, double interrupt_after,
			   rlim_t mem_limit, const char *const *args)
{
	struct pt_opts o = { .mode = mode, .timeout = timeout, .interrupt_after = interrupt_after,
			     .mem_limit = mem_limit };
	return pt_run(&o, args);
}

static struct res *pt(const char *mode, double timeout, const char *const *args)
{
	return pt_full(mode, timeout, 0, 0, args);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void read_summary(const char *outdir, char *buf, size_t cap)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/summary.json", outdir);
	slurp_into(p, buf, cap, NULL);
	ck_assert_msg(buf[0] == '{', "no summary.json in %s", outdir);
}

static void outdir(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/out-%s-%ld", root, name, (long)getpid());
}

/* Every pid the fakes recorded is gone (retrying while init reaps). */
static void assert_no_survivors(void)
{
	DIR *d = opendir(piddir);
	ck_assert(d != NULL);
	int seen = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		pid_t pid = (pid_t)atol(e->d_name);
		seen++;
		double t0 = now_seconds();
		while (kill(pid, 0) == 0 && now_seconds() - t0 < 3)
			usleep(20000);
		ck_assert_msg(kill(pid, 0) < 0 && errno == ESRCH, "pid %d survived the runner", pid);
	}
	closedir(d);
	ck_assert_msg(seen > 0, "the fake never ran");
}

static int count_pids(void)
{
	DIR *d = opendir(piddir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* ---- run: verdicts ---- */

START_TEST(test_matching_matrix_exits_0_with_stated_numbers)
{
	new_piddir();
	char out[PATH_MAX], sum[1 << 16];
	outdir(out, sizeof out, "match");
	struct res *r = pt("unlocked-flush=corrupt,*=pass", 30,
			   ARGS("run", "--arch", "native", "--case", "lost-atomic", "--variant",
				"unlocked-flush,exact", "--runs", "4", "--out", out));
	ck_assert_msg(r->rc == 0, "rc %d\n%s\n%s", r->rc, r->out, r->err);
	ck_assert_ptr_nonnull(strstr(r->out, "SUCCESS: 2 of 2 cells"));
	ck_assert_ptr_nonnull(strstr(r->out, "corrupt 4 of 4 (100.0%, 95% CI 39.8%-100.0%)"));
	ck_assert_ptr_nonnull(strstr(r->out, "0/4 failed: < 52.7% per run, < 0.019 per near miss"));
	ck_assert_ptr_nonnull(strstr(r->out, "p = 0.0286"));
	read_summary(out, sum, sizeof sum);
	ck_assert_ptr_nonnull(strstr(sum, "\"counts\":{\"corrupt\":4}"));
	ck_assert_ptr_nonnull(strstr(sum, "\"seed\":4,"));
	/* failing runs leave a log and a replay script that reruns the same seed */
	char p[PATH_MAX + 64];
	snprintf(p, sizeof p, "%s/runs/native-lost-atomic-unlocked-flush-native-k2.sh", out);
	char sh[4096];
	slurp_into(p, sh, sizeof sh, NULL);
	ck_assert_ptr_nonnull(strstr(sh, "--seed 3 "));
	ck_assert(access(p, X_OK) == 0);
	snprintf(p, sizeof p, "%s/runs/native-lost-atomic-exact-native-k0.log", out);
	ck_assert_msg(access(p, F_OK) != 0, "a passing run left a log");
}
END_TEST

START_TEST(test_negative_control_that_stops_failing_is_a_mismatch)
{
	new_piddir();
	char out[PATH_MAX];
	outdir(out, sizeof out, "teeth");
	struct res *r = pt("*=pass", 30,
			   ARGS("run", "--arch", "native", "--case", "lost-atomic", "--variant",
				"unlocked-flush", "--runs", "3", "--out", out));
	ck_assert_int_eq(r->rc, 1);
	ck_assert_ptr_nonnull(strstr(r->out, "MISMATCH"));
	ck_assert_ptr_nonnull(strstr(r->out, "lost its teeth"));
	ck_assert_ptr_nonnull(strstr(r->out, "FAILURE: 1 of 1 cells"));
}
END_TEST

/* --max-runs: a negative control that has not failed within --runs keeps
 * running until its first failure (here run k=5, seed 6), and no further;
 * a cell expected to pass runs exactly --runs. -j 1 so no run is in flight
 * when the first failure lands. */
START_TEST(test_negative_control_runs_on_until_it_fails)
{
	new_piddir();
	char out[PATH_MAX], sum[1 << 16];
	outdir(out, sizeof out, "maxruns");
	struct res *r = pt("unlocked-flush=late,*=pass", 30,
			   ARGS("run", "--arch", "native", "--case", "lost-atomic", "--variant",
				"unlocked-flush,exact", "--runs", "3", "--max-runs", "10", "-j", "1",
				"--out", out));
	ck_assert_msg(r->rc == 0, "rc %d\n%s\n%s", r->rc, r->out, r->err);
	ck_assert_ptr_nonnull(strstr(r->err, "(negative controls up to 10 until they fail)"));
	ck_assert_ptr_nonnull(strstr(r->out, "corrupt 1 of 6"));
	ck_assert_ptr_nonnull(strstr(r->out, "3 runs past --runs 3, until the first failure"));
	ck_assert_ptr_nonnull(strstr(r->out, "0/3 failed"));
	ck_assert_int_eq(count_pids(), 9);
	read_summary(out, sum, sizeof sum);
	ck_assert_ptr_nonnull(strstr(sum, "\"runs_per_cell\":3,"));

	/* not enough runs allowed: the control lost its teeth, after exactly 5 */
	new_piddir();
	outdir(out, sizeof out, "maxruns5");
	r = pt("unlocked-flush=late,*=pass", 30,
	       ARGS("run", "--arch", "native", "--case", "lost-atomic", "--variant", "unlocked-flush",
		    "--runs", "3", "--max-runs", "5", "-j", "2", "--out", out));
	ck_assert_int_eq(r->rc, 1);
	ck_assert_ptr_nonnull(strstr(r->out, "did not reproduce (0 of 5 runs)"));
	ck_assert_int_eq(count_pids(), 5);
}
END_TEST

START_TEST(test_unexpected_failure_kind_is_a_mismatch)
{
	new_piddir();
	char out[PATH_MAX];
	outdir(out, sizeof out, "kind");
	struct res *r = pt("unlocked-flush=deadlock", 30,
			   ARGS("run", "--arch", "native", "--case", "lost-atomic", "--variant",
				"unlocked-flush", "--runs", "2", "--out", out));
	ck_assert_int_eq(r->rc, 1);
	ck_assert_ptr_nonnull(strstr(r->out, "were of another kind"));
	ck_assert_ptr_nonnull(strstr(r->err, "!!! native lost-atomic/unlocked-flush/native run 0"));
}
END_TEST

/* Unsupported is the program's "cannot run this here", told once per cell
 * in the table; not a "!!!" surprise per run (before, every quick matrix's
 * log carried such lines for libatomic-deadlock's cells). */
START_TEST(test_unsupported_runs_are_not_surprises)
{
	new_piddir();
	char out[PATH_MAX];
	outdir(out, sizeof out, "unsupported");
	struct res *r = pt("exact=unsupported", 30,
			   ARGS("run", "--arch", "native", "--case", "lost-atomic", "--variant",
				"exact,locked-flush", "--runs", "2", "--out", out));
	ck_assert_ptr_nonnull(strstr(r->out, "unsupported here (2 runs said 77)"));
	ck_assert_msg(strstr(r->err, "!!!") == NULL, "stderr:\n%s", r->err);
	ck_assert_int_eq(r->rc, 0);
}
END_TEST

/* ---- run: faults ---- */

START_TEST(test_hang_is_killed_at_the_deadline_with_its_process_group)
{
	new_piddir();
	char out[PATH_MAX], sum[1 << 16];
	outdir(out, sizeof out, "hang");
	struct res *r = pt("*=hangkids", 20,
			   ARGS("run", "--arch", "native", "--case", "lost-atomic", "--variant", "exact",
				"--runs", "2", "--run-duration", "0.2", "--timeout-factor", "1",
				"--timeout-slack", "0.5", "--out", out));
	ck_assert_msg(!r->timed_out, "the runner hung");
	ck_assert_int_eq(r->rc, 1);
	ck_assert_msg(r->secs < 8, "took %.1fs", r->secs);
	read_summary(out, sum, sizeof sum);
	ck_assert_ptr_nonnull(strstr(sum, "\"counts\":{\"timeout\":2}"));
	ck_assert_int_eq(count_pids(), 4); /* two fakes, two grandchildren */
	assert_no_survivors();
}
END_TEST

START_TEST(test_orphaned_grandchild_neither_holds_the_runner_nor_survives)
{
	new_piddir();
	char out[PATH_MAX];
	outdir(out, sizeof out, "orphan");
	struct res *r = pt("*=orphan", 30,
			   ARGS("run", "--arch", "native", "--case", "lost-atomic", "--variant", "exact",
				"--runs", "2", "--out", out));
	ck_assert_msg(r->rc == 0, "rc %d\n%s\n%s", r->rc, r->out, r->err);
	ck_assert_msg(r->secs < 10, "took %.1fs: waited on the grandchild's pipe", r->secs);
	assert_no_survivors();
}
END_TEST

START_TEST(test_garbage_and_megabytes_of_output_cost_bounded_memory)
{
	new_piddir();
	char out[PATH_MAX], sum[1 << 16];
	outdir(out, sizeof out, "spew");
	/* 64 MiB per run through a runner limited to 96 MiB of address space */
	struct res *r = pt_full("unlocked-flush=spew,exact=garbage", 60, 0, 96u << 20,
				ARGS("run", "--arch", "native", "--case", "lost-atomic", "--variant",
				     "unlocked-flush,exact", "--runs", "2", "-j", "2", "--out", out));
	ck_assert_msg(!r->timed_out, "hung");
	/* both passed (so unlocked-flush mismatches): the result line after
	 * the garbage and after 64 MiB was still found */
	read_summary(out, sum, sizeof sum);
	ck_assert_msg(strstr(sum, "\"counts\":{\"pass\":2}") != NULL, "%s\n%s", sum, r->err);
	ck_assert_int_eq(r->rc, 1);
	char *second = strstr(strstr(sum, "\"counts\":{\"pass\":2}") + 1, "\"counts\":{\"pass\":2}");
	ck_assert_ptr_nonnull(second);
}
END_TEST

START_TEST(test_bad_result_lines_are_never_a_pass)
{
	static const char *const modes[] = { "noline", "badjson", "mismatch", "twolines",
					     "wrongseed", "usage", "crash" };
	static const char *const want[] = { "no result line", "unparsable result line",
					    "result line says corrupt but exit status 0",
					    "2 result lines", "asked for 1",
					    "\"counts\":{\"error\":1}", "\"counts\":{\"crash\":1}" };
	new_piddir();
	char out[PATH_MAX], sum[1 << 16], mode[64];
	outdir(out, sizeof out, modes[_i]);
	snprintf(mode, sizeof mode, "*=%s", modes[_i]);
	struct res *r = pt(mode, 30,
			   ARGS("run", "--arch", "native", "--case", "lost-atomic", "--variant", "exact",
				"--runs", "1", "--out", out));
	ck_assert_msg(r->rc == 1, "%s: rc %d", modes[_i], r->rc);
	read_summary(out, sum, sizeof sum);
	ck_assert_ptr_null(strstr(sum, "\"pass\":"));
	ck_assert_msg(strstr(sum, want[_i]) != NULL, "%s: want '%s' in\n%s", modes[_i], want[_i], sum);
}
END_TEST

START_TEST(test_emulator_failures_are_told_apart_from_crashes)
{
	new_piddir();
	char out[PATH_MAX], sum[1 << 16];
	outdir(out, sizeof out, "emu");
	/* through the fake qemu: exact dies with QEMU's own message, locked-flush
	 * with qemu's report of the guest's SIGSEGV, locked-flush-kuser plainly */
	struct res *r = pt("exact=emu,locked-flush=uncaught,locked-flush-kuser=crash", 30,
			   ARGS("run", "--arch", "fakearm", "--case", "lost-atomic", "--variant",
				"exact,locked-flush,locked-flush-kuser", "--runs", "1", "--out", out));
	ck_assert_int_eq(r->rc, 1);
	read_summary(out, sum, sizeof sum);
	ck_assert_msg(strstr(sum, "\"counts\":{\"emulator-error\":1}") != NULL, "%s", sum);
	ck_assert_ptr_nonnull(strstr(sum, "QEMU failed: \\\"QEMU internal SIGSEGV\\\""));
	ck_assert_ptr_nonnull(strstr(sum, "qemu: uncaught target signal 11"));
	ck_assert_ptr_nonnull(strstr(sum, "killed by signal 11"));
	/* the emulator error alone leaves its cell inconclusive, not failed */
	ck_assert_ptr_nonnull(strstr(r->out, "inconclusive"));
	ck_assert_ptr_nonnull(strstr(sum, "\"atomics\":\"global\""));
}
END_TEST

START_TEST(test_ctrl_c_kills_every_run_and_prints_what_finished)
{
	new_piddir();
	char out[PATH_MAX], sum[1 << 16];
	outdir(out, sizeof out, "sigint");
	/* exact passes at once, so some runs finish before the interrupt; the
	 * unlocked-flush runs hang with grandchildren under the fake qemu */
	struct res *r = pt_full("unlocked-flush=hangkids,exact=pass", 30, 1.5, 0,
				ARGS("run", "--arch", "fakearm,native", "--case", "lost-atomic",
				     "--variant", "unlocked-flush,exact", "--runs", "50", "-j", "3",
				     "--out", out));
	ck_assert_msg(!r->timed_out, "the runner did not stop on SIGINT");
	ck_assert_int_eq(r->rc, 128 + SIGINT);
	ck_assert_msg(r->secs < 6, "took %.1fs to stop", r->secs);
	ck_assert_ptr_nonnull(strstr(r->err, "interrupted by signal 2"));
	ck_assert_ptr_nonnull(strstr(r->out, "runs in"));
	read_summary(out, sum, sizeof sum);
	ck_assert_ptr_nonnull(strstr(sum, "\"interrupted\":true"));
	ck_assert_ptr_null(strstr(sum, "\"timeout\":")); /* killed runs are not counted */
	assert_no_survivors();
}
END_TEST

/* ---- setup errors ---- */

/* Bad options and their one-line messages, in the same order. */
static const char *const *const bad_options[] = {
	ARGS("run", "--arch", "vax"),
	ARGS("run", "--variant", "bogus"),
	ARGS("run", "--runs", "0"),
	ARGS("run", "--frobnicate"),
	ARGS("run", "--shard", "3/2"),
	ARGS("run", "--run-duration", "fast"),
	ARGS("run", "--runs", "5", "--max-runs", "4"),
	ARGS("stress"),
	ARGS("stress", "--failure", "(", "--", "true"),
	ARGS("merge"),
	ARGS("list", "--bogus"),
	ARGS("nosuchcommand"),
	/* combinations: refused before anything runs, not after */
	ARGS("run", "--arch", "native", "--runs", "1", "--tap", "--json", "-"),
	ARGS("run", "--arch", "native", "--for", "1s", "--max-runs", "3"),
	ARGS("merge", "--tap", "--json", "-", "somewhere"),
	ARGS("run", "--atomics", "mutex"),
	ARGS("repro", "--source", "laser"),
	ARGS("run", "--rate", "0"),
	ARGS("run", "extra"),
	/* an option no selected kind reads is refused, not ignored */
	ARGS("run", "--kind", "go", "--variant", "exact"),
	ARGS("run", "--flavour", "stock"),
	ARGS("run", "--case", "floor"),
	ARGS("run", "--kind", "go", "--case", "lost-atomic"),
};
static const char *const bad_options_message[] = {
	"--arch: 'vax' is not one of: all native fakearm fake386",
	"--variant: 'bogus' has 'bogus', which is not one of: all unchecked unlocked-flush",
	"--runs: '0' is not a whole number in [1,",
	"unknown option '--frobnicate'",
	"--shard: '3/2' is not I/N",
	"--run-duration: 'fast' is not a duration",
	"--max-runs: 4 is less than --runs 5",
	"no command given",
	"--failure: bad regular expression",
	"no summary given",
	"unknown option '--bogus'",
	"unknown command 'nosuchcommand'; allowed: list run repro repro-go stress merge",
	"--tap and --json - both want stdout",
	"--max-runs: needs --runs",
	"--tap and --json - both want stdout",
	"--atomics: 'mutex' has 'mutex', which is not one of: default all native global striped",
	"--source: 'laser' is not one of: cannon itimer thread-timer",
	"--rate: '0' is not max or a whole number",
	"unexpected argument 'extra'",
	"--variant: needs --kind torture (it is read by that kind only)",
	"--flavour: needs --kind go (it is read by that kind only)",
	"--case: 'floor' is a program of kind go; add --kind go",
	"--case: 'lost-atomic' is a case of kind torture; kind go's programs are: workload floor",
};

START_TEST(test_bad_options_exit_2_with_one_line_naming_them)
{
	ck_assert_int_eq(sizeof bad_options / sizeof bad_options[0],
			  sizeof bad_options_message / sizeof bad_options_message[0]);
	new_piddir();
	struct res *r = pt("*=pass", 20, bad_options[_i]);
	ck_assert_msg(r->rc == 2, "case %d: rc %d", _i, r->rc);
	ck_assert_msg(strstr(r->err, bad_options_message[_i]) != NULL, "case %d: stderr is\n%s", _i, r->err);
	char *nl = strchr(r->err, '\n');
	ck_assert_msg(nl && nl[1] == 0, "case %d: not one line:\n%s", _i, r->err);
	ck_assert_int_eq(count_pids(), 0);
}
END_TEST

START_TEST(test_help_on_every_subcommand)
{
	static const char *const cmds[] = { "list", "run", "repro", "stress", "merge" };
	new_piddir();
	struct res *r = pt("*=pass", 20, ARGS(cmds[_i], "--help"));
	ck_assert_int_eq(r->rc, 0);
	ck_assert_ptr_nonnull(strstr(r->out, "usage: proftorture"));
}
END_TEST

/* The exit statuses --help states are protocol.h's, the one place they
 * are written: a changed constant fails here until the text follows. */
START_TEST(test_help_states_the_protocols_exit_statuses)
{
	char run[160], stress[160], lost[32], signal[64];
	snprintf(run, sizeof run, "exit status: %d every cell matched; %d some did not; %d usage/setup error;",
		 PROTOCOL_RUNNER_EXIT_MATCHED, PROTOCOL_RUNNER_EXIT_MISMATCH, PROTOCOL_EXIT_USAGE);
	snprintf(stress, sizeof stress, "exit status: %d no failures, %d failures, %d usage error",
		 PROTOCOL_RUNNER_EXIT_MATCHED, PROTOCOL_RUNNER_EXIT_MISMATCH, PROTOCOL_EXIT_USAGE);
	snprintf(lost, sizeof lost, "%d results lost", PROTOCOL_RUNNER_EXIT_LOST);
	snprintf(signal, sizeof signal, "%d+N interrupted by signal N", PROTOCOL_RUNNER_EXIT_SIGNAL(0));
	new_piddir();
	struct res *r = pt("*=pass", 20, ARGS("run", "--help"));
	ck_assert_msg(strstr(r->out, run) && strstr(r->out, lost) && strstr(r->out, signal), "%s",
		      r->out);
	r = pt("*=pass", 20, ARGS("stress", "--help"));
	ck_assert_msg(strstr(r->out, stress) && strstr(r->out, lost), "%s", r->out);
}
END_TEST

START_TEST(test_unwritable_out_dir_fails_before_any_run)
{
	new_piddir();
	struct res *r = pt("*=pass", 20,
			   ARGS("run", "--arch", "native", "--runs", "1", "--out", "/proc/no/such/dir"));
	ck_assert_int_eq(r->rc, 2);
	ck_assert_ptr_nonnull(strstr(r->err, "cannot create output directory /proc/no/such/dir"));
	ck_assert_int_eq(count_pids(), 0);
}
END_TEST

START_TEST(test_missing_torture_binary_is_a_setup_error)
{
	new_piddir();
	char p[PATH_MAX], q[PATH_MAX], out[PATH_MAX];
	in_root(p, sizeof p, "build/fakearm/torture");
	in_root(q, sizeof q, "build/fakearm/torture.moved");
	outdir(out, sizeof out, "missing");
	ck_assert(rename(p, q) == 0);
	struct res *r = pt("*=pass", 20, ARGS("run", "--arch", "fakearm", "--out", out));
	ck_assert(rename(q, p) == 0);
	ck_assert_int_eq(r->rc, 2);
	ck_assert_ptr_nonnull(strstr(r->err, "build/fakearm/torture"));
	ck_assert_ptr_nonnull(strstr(r->err, "make ARCH=fakearm"));
	ck_assert_int_eq(count_pids(), 0);
}
END_TEST

/* A host without the 32-bit ABI, played by PROFTORTURE_HOST_KERNEL=never:
 * the row that tries the host kernel runs under its qemu, and says so. */
START_TEST(test_host_without_the_abi_runs_the_arch_under_its_qemu)
{
	new_piddir();
	char out[PATH_MAX], sum[1 << 16], mark[PATH_MAX];
	outdir(out, sizeof out, "noabi");
	in_root(mark, sizeof mark, "qemu-fake386.used");
	unlink(mark);
	setenv("PROFTORTURE_HOST_KERNEL", "never", 1);
	struct res *r = pt("*=pass", 30,
			   ARGS("run", "--arch", "native,fake386", "--case", "lost-atomic", "--variant",
				"exact", "--runs", "2", "--out", out));
	unsetenv("PROFTORTURE_HOST_KERNEL");
	ck_assert_msg(r->rc == 0, "rc %d\n%s\n%s", r->rc, r->out, r->err);
	ck_assert_ptr_nonnull(strstr(r->err, "fake386: PROFTORTURE_HOST_KERNEL=never asks for the "
					     "emulator; its programs run under qemu-fake386"));
	ck_assert_msg(access(mark, F_OK) == 0, "fake386 did not run under its qemu");
	ck_assert_ptr_nonnull(strstr(r->out, "SUCCESS: 2 of 2 cells"));
	read_summary(out, sum, sizeof sum);
	ck_assert_ptr_nonnull(strstr(sum, "\"unplanned\":[]"));
}
END_TEST

/* One arch that cannot run here (its qemu is missing on a host without
 * the ABI) loses nothing of the others: they run, summary.json holds them
 * and names the arch with its reason, and the matrix fails. Before, the
 * whole matrix stopped at planning with exit 2 and no summary. */
START_TEST(test_an_arch_that_cannot_run_leaves_every_other_result)
{
	new_piddir();
	char out[PATH_MAX], sum[1 << 16], q[PATH_MAX], moved[PATH_MAX];
	outdir(out, sizeof out, "unplanned");
	in_root(q, sizeof q, "bin/qemu-fake386");
	in_root(moved, sizeof moved, "bin/qemu-fake386.moved");
	ck_assert(rename(q, moved) == 0);
	setenv("PROFTORTURE_HOST_KERNEL", "never", 1);
	struct res *r = pt("*=pass", 30,
			   ARGS("run", "--arch", "native,fake386,fakearm", "--case", "lost-atomic",
				"--variant", "exact,locked-flush", "--runs", "2", "--out", out));
	unsetenv("PROFTORTURE_HOST_KERNEL");
	ck_assert(rename(moved, q) == 0);
	ck_assert_msg(r->rc == 1, "rc %d\n%s\n%s", r->rc, r->out, r->err);
	ck_assert_ptr_nonnull(strstr(r->err, "fake386: qemu-fake386 not found in PATH"));
	ck_assert_ptr_nonnull(strstr(r->out, "!!! fake386 NOT RUN: torture cells: qemu-fake386 not found"));
	ck_assert_msg(strstr(r->out, "FAILURE: 4 of 4 cells matched, but 1 selected arch(es) "
				     "did not run"),
		      "%s", r->out);
	read_summary(out, sum, sizeof sum);
	ck_assert_ptr_nonnull(strstr(sum, "\"matched\":false"));
	ck_assert_ptr_nonnull(strstr(sum, "\"unplanned\":[{\"arch\":\"fake386\",\"reason\":\"torture "
					  "cells: qemu-fake386 not found in PATH"));
	/* every cell and run of the two arches that could run */
	const char *cells[] = { "\"arch\":\"native\",\"case\":\"lost-atomic\",\"variant\":\"exact\"",
				"\"arch\":\"native\",\"case\":\"lost-atomic\",\"variant\":\"locked-flush\"",
				"\"arch\":\"fakearm\",\"case\":\"lost-atomic\",\"variant\":\"exact\"",
				"\"arch\":\"fakearm\",\"case\":\"lost-atomic\",\"variant\":\"locked-flush\"" };
	for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++)
		ck_assert_msg(strstr(sum, cells[i]), "summary.json lacks %s", cells[i]);
	ck_assert_ptr_null(strstr(sum, "\"arch\":\"fake386\",\"case\""));
	size_t runs = 0;
	for (const char *s = sum; (s = strstr(s, "\"seed\":")); s++)
		runs++;
	ck_assert_uint_eq(runs, 8);
}
END_TEST

/* ---- shards, merge, reports ---- */

START_TEST(test_shards_merge_into_the_whole_matrix)
{
	new_piddir();
	char a[PATH_MAX], b[PATH_MAX], sa[1 << 16];
	outdir(a, sizeof a, "shard1");
	outdir(b, sizeof b, "shard2");
	const char *mode = "unlocked-flush=flaky,*=pass";
	struct res *r = pt(mode, 30,
			   ARGS("run", "--arch", "native", "--case", "lost-atomic", "--variant",
				"unlocked-flush,exact", "--runs", "4", "--shard", "1/2", "--out", a));
	ck_assert_msg(r->rc == 1, "shard 1 alone: only odd seeds (all pass): rc %d", r->rc);
	read_summary(a, sa, sizeof sa);
	ck_assert_ptr_nonnull(strstr(sa, "\"shard\":\"1/2\""));
	ck_assert_ptr_nonnull(strstr(sa, "\"seed\":3,"));
	ck_assert_ptr_null(strstr(sa, "\"seed\":2,"));
	r = pt(mode, 30,
	       ARGS("run", "--arch", "native", "--case", "lost-atomic", "--variant",
		    "unlocked-flush,exact", "--runs", "4", "--shard", "2/2", "--out", b));
	ck_assert_int_eq(r->rc, 0); /* even seeds: corrupt every time */
	r = pt(mode, 30, ARGS("merge", a, b));
	ck_assert_msg(r->rc == 0, "merge rc %d\n%s%s", r->rc, r->out, r->err);
	ck_assert_ptr_nonnull(strstr(r->out, "corrupt 2 of 4 (50.0%, 95% CI 6.8%-93.2%)"));
	ck_assert_ptr_nonnull(strstr(r->out, "8 runs from 2 summaries"));
	r = pt(mode, 30, ARGS("merge", a, a));
	ck_assert_int_eq(r->rc, 2);
	ck_assert_ptr_nonnull(strstr(r->err, "appears twice"));
	r = pt(mode, 30, ARGS("merge", a));
	ck_assert_ptr_nonnull(strstr(r->err, "shards of 2 missing: 2"));
}
END_TEST

/* "stress", the torture kind's name before the C cases' program became
 * torture: `run --kind stress` still runs it, with a note naming the new
 * name, and writes "torture"; merge and report still read a summary.json
 * whose cells say "stress". Negative control: a kind never had is refused. */
START_TEST(test_the_torture_kinds_old_name_still_works)
{
	new_piddir();
	char out[PATH_MAX], sum[1 << 16];
	outdir(out, sizeof out, "oldkind");
	struct res *r = pt("unlocked-flush=corrupt,*=pass", 30,
			   ARGS("run", "--kind", "stress", "--arch", "native", "--case", "lost-atomic",
				"--variant", "unlocked-flush,exact", "--runs", "2", "--out", out));
	ck_assert_msg(r->rc == 0, "rc %d\n%s\n%s", r->rc, r->out, r->err);
	ck_assert_msg(strstr(r->err, "proftorture run: note: --kind stress is now --kind torture"),
		      "%s", r->err);
	read_summary(out, sum, sizeof sum);
	ck_assert_ptr_nonnull(strstr(sum, "\"kind\":\"torture\""));
	ck_assert_ptr_null(strstr(sum, "\"kind\":\"stress\""));

	/* the same summary as an older runner wrote it */
	char old[PATH_MAX + 32], *at;
	while ((at = strstr(sum, "\"kind\":\"torture\""))) {
		char *name = at + strlen("\"kind\":\"");
		memmove(name + strlen("stress"), name + strlen("torture"),
			strlen(name + strlen("torture")) + 1);
		memcpy(name, "stress", strlen("stress"));
	}
	ck_assert_ptr_nonnull(strstr(sum, "\"kind\":\"stress\""));
	snprintf(old, sizeof old, "%s/old-summary.json", out);
	write_text(old, sum, 0644);
	r = pt("*=pass", 30, ARGS("merge", old));
	ck_assert_msg(r->rc == 0, "merge rc %d\n%s%s", r->rc, r->out, r->err);
	ck_assert_ptr_nonnull(strstr(r->out, "SUCCESS: 2 of 2 cells"));
	char page[PATH_MAX + 32];
	snprintf(page, sizeof page, "%s/old.html", out);
	r = pt("*=pass", 30, ARGS("report", "-o", page, old));
	ck_assert_msg(r->rc == 0 && access(page, F_OK) == 0, "report rc %d\n%s%s", r->rc, r->out,
		      r->err);

	r = pt("*=pass", 30, ARGS("run", "--kind", "toaster", "--arch", "native", "--out", out));
	ck_assert_int_eq(r->rc, PROTOCOL_EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(r->err, "--kind: 'toaster' has 'toaster', which is not one of"));
}
END_TEST

START_TEST(test_junit_parses_and_tap_is_well_formed)
{
	new_piddir();
	char out[PATH_MAX], xml[PATH_MAX + 16], json[PATH_MAX + 16];
	outdir(out, sizeof out, "reports");
	snprintf(xml, sizeof xml, "%s.xml", out);
	snprintf(json, sizeof json, "%s.json", out);
	/* evil detail (control bytes, XML metacharacters, non-ASCII) in a cell
	 * that mismatches, so it lands in <failure> */
	struct res *r = pt("exact=evildetail,locked-flush=garbage", 30,
			   ARGS("run", "--arch", "native", "--case", "lost-atomic", "--variant",
				"exact,locked-flush", "--runs", "2", "--out", out, "--junit", xml,
				"--json", json, "--tap"));
	ck_assert_int_eq(r->rc, 1);
	ck_assert_msg(strncmp(r->out, "TAP version 13\n1..2\n", 20) == 0, "%s", r->out);
	ck_assert_ptr_nonnull(strstr(r->out, "not ok 1 - native lost-atomic/exact/native"));
	ck_assert_ptr_nonnull(strstr(r->out, "ok 2 - native lost-atomic/locked-flush/native"));
	ck_assert_ptr_nonnull(strstr(r->err, "ARCH")); /* the table went to stderr */
	char cmd[3 * PATH_MAX];
	snprintf(cmd, sizeof cmd,
		 "python3 -c 'import xml.dom.minidom,sys; d=xml.dom.minidom.parse(sys.argv[1]); "
		 "assert len(d.getElementsByTagName(\"testcase\"))==2; "
		 "assert len(d.getElementsByTagName(\"failure\"))==1' '%s' && "
		 "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
		 "assert len(d[\"runs\"])==4' '%s'",
		 xml, json);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ---- the stress subcommand ---- */

static const char counter_script[] =
	"n=$(cat \"$1\" 2>/dev/null || echo 0); echo $((n+1)) > \"$1\"; "
	"case $((n % 4)) in "
	"0) echo starting; echo \"panic: bad thing at 0x7f00abcd in thread $n\"; exit 1;; "
	"1) echo \"fatal: corrupt at offset $((n*100))\" >&2; exit 2;; "
	"*) echo fine;; esac";

START_TEST(test_stress_counts_saves_and_groups_failures)
{
	new_piddir();
	char counter[PATH_MAX], prefix[PATH_MAX];
	outdir(counter, sizeof counter, "counter");
	outdir(prefix, sizeof prefix, "stressfail-");
	struct res *r = pt("*=pass", 60,
			   ARGS("stress", "-p", "1", "--count", "20", "-o", prefix, "--", "sh", "-c",
				counter_script, "sh", counter));
	ck_assert_int_eq(r->rc, 1);
	ck_assert_msg(strstr(r->out, "20 runs in") != NULL, "%s", r->out);
	ck_assert_ptr_nonnull(strstr(r->out, "10 failures (50.00%), 95% CI 27.20%-72.80%"));
	ck_assert_ptr_nonnull(strstr(r->out, "5   50.0%  exit status 1: panic: bad thing at 0x? in thread N"));
	ck_assert_ptr_nonnull(strstr(r->out, "5   50.0%  exit status 2: fatal: corrupt at offset N"));
	char p[PATH_MAX + 16], text[4096];
	snprintf(p, sizeof p, "%s1", prefix); /* run 1 failed (n = 0) */
	slurp_into(p, text, sizeof text, NULL);
	ck_assert_ptr_nonnull(strstr(text, "panic: bad thing"));
	ck_assert_ptr_nonnull(strstr(text, "ERROR: exit status 1"));
	snprintf(p, sizeof p, "%s3", prefix); /* run 3 passed: no file */
	ck_assert(access(p, F_OK) != 0);
}
END_TEST

START_TEST(test_stress_failure_and_ignore_filters)
{
	new_piddir();
	char counter[PATH_MAX], prefix[PATH_MAX];
	outdir(counter, sizeof counter, "counter2");
	outdir(prefix, sizeof prefix, "filtered-");
	struct res *r = pt("*=pass", 60,
			   ARGS("stress", "-p", "1", "--count", "8", "--ignore", "^fatal", "-o", prefix,
				"--", "sh", "-c", counter_script, "sh", counter));
	ck_assert_ptr_nonnull(strstr(r->out, "8 runs in"));
	ck_assert_ptr_nonnull(strstr(r->out, "2 failures"));
	ck_assert_ptr_nonnull(strstr(r->out, "2 failing runs ignored"));
	unlink(counter);
	r = pt("*=pass", 60,
	       ARGS("stress", "-p", "1", "--count", "8", "--failure", "panic: .*thread", "-o", prefix,
		    "--", "sh", "-c", counter_script, "sh", counter));
	ck_assert_ptr_nonnull(strstr(r->out, "2 failures"));
	ck_assert_ptr_nonnull(strstr(r->out, "exit status 1: panic: bad thing"));
	ck_assert_ptr_null(strstr(r->out, "fatal"));
}
END_TEST

START_TEST(test_stress_timeouts_and_max_failures_bound_the_run)
{
	new_piddir();
	char prefix[PATH_MAX];
	outdir(prefix, sizeof prefix, "slow-");
	struct res *r = pt("*=pass", 30,
			   ARGS("stress", "-p", "2", "--timeout", "0.3", "--max-failures", "3",
				"--failure", "never-printed", "-o", prefix, "--", "sleep", "100"));
	ck_assert_msg(!r->timed_out, "hung");
	ck_assert_int_eq(r->rc, 1);
	ck_assert_msg(r->secs < 5, "took %.1fs", r->secs);
	ck_assert_ptr_nonnull(strstr(r->out, "timeout"));
	ck_assert_ptr_nonnull(strstr(r->out, "(--max-failures)"));
}
END_TEST

START_TEST(test_stress_runs_under_an_arch_emulator_and_stops_on_ctrl_c)
{
	new_piddir();
	char prefix[PATH_MAX];
	outdir(prefix, sizeof prefix, "emu-");
	struct res *r = pt("*=pass", 30,
			   ARGS("stress", "--arch", "fakearm", "--count", "3", "-o", prefix, "--", fake,
				"--case", "lost-atomic"));
	ck_assert_msg(r->rc == 0, "%s%s", r->out, r->err);
	ck_assert_ptr_nonnull(strstr(r->out, "3 runs in"));
	ck_assert_ptr_nonnull(strstr(r->out, "0 failures (0%), < 63.16% per run"));
	/* unbounded stress of hanging commands: Ctrl-C ends it with a summary */
	r = pt_full("*=hangkids", 30, 1.0, 0,
		    ARGS("stress", "--arch", "fakearm", "-p", "2", "-o", prefix, "--", fake));
	ck_assert_msg(!r->timed_out, "did not stop on SIGINT");
	ck_assert_ptr_nonnull(strstr(r->out, "(interrupted) 0 runs"));
	assert_no_survivors();
}
END_TEST

START_TEST(test_stress_stops_when_the_command_cannot_start)
{
	new_piddir();
	char prefix[PATH_MAX];
	outdir(prefix, sizeof prefix, "nostart-");
	/* a missing command is a usage error before any run */
	struct res *r = pt("*=pass", 20,
			   ARGS("stress", "-o", prefix, "--", "/nonexistent/command"));
	ck_assert_int_eq(r->rc, 2);
	ck_assert_msg(strstr(r->err, "'/nonexistent/command' does not exist") != NULL, "%s", r->err);
	ck_assert_int_eq(count_pids(), 0);
	/* one that passes the check and still cannot exec (a directory):
	 * unbounded, so without the stop this would spin forever */
	r = pt("*=pass", 20, ARGS("stress", "-o", prefix, "--", root));
	ck_assert_msg(!r->timed_out, "spun on a command that cannot start");
	ck_assert_int_eq(r->rc, 1);
	ck_assert_msg(strstr(r->err, "cannot start") != NULL, "%s", r->err);
}
END_TEST

/* ---- lost writes: nothing lost, nothing passed that was not recorded ----
 *
 * run, stress and merge against a file size limit, a full stdout, a full
 * tmpfs, a results directory made read-only or removed mid-run. Each must
 * exit 3 (cli.h: results lost) with one LOST line naming what was lost,
 * and leave no file that claims results it does not hold: summary.json
 * (or the --json file) is the previous one byte-identical, or absent with
 * its directory; no empty file and no temporary anywhere. The tmpfs tests
 * and the read-only mount need root (main enters a private mount
 * namespace, so every mount vanishes with this process even if a test
 * dies, and teardown unmounts what a failed test left); without root a
 * chmod 0555 stands in for the read-only mount and the tmpfs tests print
 * SKIPPED. CI runs them as root. Each test that can be SKIPPED has an
 * unprivileged twin below, which runs everywhere. */

static bool can_mount;        /* root, in a private mount namespace (main) */
static char no_mount_why[200];
static char fault_dir[PATH_MAX]; /* what the mid-run faults act on */

static bool root_only(const char *test)
{
	if (can_mount)
		return true;
	fprintf(stderr, "check_runner: %s: SKIPPED, needs root and a mount namespace (%s)\n", test,
		no_mount_why);
	return false;
}

/* path holds exactly prev (prev_len bytes), or is absent when prev is NULL. */
static void assert_same_file(const char *path, const char *prev, size_t prev_len)
{
	size_t len = 0;
	char *now = slurp(path, &len);
	if (!prev) {
		ck_assert_msg(now == NULL, "%s exists (%zu bytes), but nothing was written", path, len);
		return;
	}
	ck_assert_msg(now != NULL, "%s is gone: the previous one was removed", path);
	ck_assert_msg(len == prev_len && memcmp(now, prev, len) == 0,
		      "%s changed (%zu bytes, was %zu): a lost write touched it", path, len, prev_len);
	free(now);
}

static char torn[PATH_MAX + 64];

static int find_torn(const char *p, const struct stat *st, int type, struct FTW *f)
{
	if (type == FTW_F && st->st_size == 0)
		snprintf(torn, sizeof torn, "empty file %s", p);
	else if (type == FTW_F && strstr(p + f->base, ".tmp."))
		snprintf(torn, sizeof torn, "temporary %s left behind", p);
	return torn[0] != 0;
}

/* No empty file and no temporary anywhere under dir. */
static void assert_no_torn_files(const char *dir)
{
	torn[0] = 0;
	nftw(dir, find_torn, 16, FTW_PHYS);
	ck_assert_msg(torn[0] == 0, "%s", torn);
}

/* Exactly one LOST line on stderr, ending as documented, holding each of
 * want (NULL-terminated). */
static void assert_lost_line(const char *err, const char *const *want)
{
	const char *l = strstr(err, "LOST: ");
	ck_assert_msg(l && (l == err || l[-1] == '\n'), "no LOST line in\n%.1500s", err);
	ck_assert_msg(!strstr(l + 1, "LOST: "), "two LOST lines in\n%.1500s", err);
	const char *nl = strchr(l, '\n');
	ck_assert(nl != NULL);
	char line[4096];
	snprintf(line, sizeof line, "%.*s", (int)(nl - l), l);
	const char *end = "); results incomplete";
	ck_assert_msg(strlen(line) > strlen(end) && !strcmp(line + strlen(line) - strlen(end), end),
		      "LOST line does not end as documented: %s", line);
	for (; *want; want++)
		ck_assert_msg(strstr(line, *want) != NULL, "LOST line lacks '%s': %s", *want, line);
}

static void mount_tmpfs(const char *dir, const char *size)
{
	ck_assert(mkdir(dir, 0755) == 0 || errno == EEXIST);
	char opts[64];
	snprintf(opts, sizeof opts, "size=%s", size);
	ck_assert_msg(mount("tmpfs", dir, "tmpfs", 0, opts) == 0, "mount tmpfs on %s: %s", dir,
		      strerror(errno));
}

/* Every mount under root, lazily (what a failed test left mounted). */
static void unmount_all_under_root(void)
{
	FILE *f = fopen("/proc/self/mounts", "r");
	char dev[256], dir[PATH_MAX];
	while (f && fscanf(f, "%255s %4095s %*[^\n]", dev, dir) == 2)
		if (!strncmp(dir, root, strlen(root)))
			umount2(dir, MNT_DETACH);
	if (f)
		fclose(f);
}

/* Fills dir's file system, then frees `leave` bytes: the next small files
 * fit, and after them every write fails with ENOSPC. */
static void fill_leaving(const char *dir, off_t leave)
{
	char p[PATH_MAX + 16], buf[4096];
	memset(buf, 'f', sizeof buf);
	snprintf(p, sizeof p, "%s/.filler", dir);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert(fd >= 0);
	off_t size = 0;
	while (write(fd, buf, sizeof buf) == (ssize_t)sizeof buf)
		size += (off_t)sizeof buf;
	ck_assert_int_eq(ftruncate(fd, size > leave ? size - leave : 0), 0);
	close(fd);
}

/* Mid-run: fault_dir read-only. As root a remount (chmod does not stop
 * root), retried while a file is open for writing on it (EBUSY); without
 * root, chmod 0555 on it and on its runs/. */
static void make_read_only(void)
{
	if (geteuid() == 0) {
		for (int i = 0; i < 400; i++) {
			if (mount(NULL, fault_dir, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0)
				return;
			usleep(5000);
		}
		ck_abort_msg("remount %s read-only: %s", fault_dir, strerror(errno));
	}
	char p[PATH_MAX + 8];
	snprintf(p, sizeof p, "%s/runs", fault_dir);
	chmod(p, 0555);
	ck_assert(chmod(fault_dir, 0555) == 0);
}

static void undo_read_only(void)
{
	if (geteuid() == 0) {
		umount2(fault_dir, MNT_DETACH);
		return;
	}
	char p[PATH_MAX + 8];
	snprintf(p, sizeof p, "%s/runs", fault_dir);
	chmod(fault_dir, 0755);
	chmod(p, 0755);
}

/* The results directory, ready to be made read-only: a tmpfs as root. */
static bool read_only_capable_dir(const char *dir, const char *test)
{
	if (geteuid() != 0) {
		ck_assert(mkdir(dir, 0755) == 0);
		return true;
	}
	if (!root_only(test))
		return false;
	mount_tmpfs(dir, "8m");
	return true;
}

static void remove_fault_dir(void)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fault_dir);
	ck_assert_int_eq(system(cmd), 0);
}

#define RUN_CELLS "run", "--arch", "native", "--case", "lost-atomic", "--variant", \
		  "unlocked-flush,exact", "--status-interval", "0"

/* A good run into out (runs 2): its summary.json, malloc'd. */
static char *good_summary(const char *out, size_t *len)
{
	struct res *r = pt("unlocked-flush=corrupt,*=pass", 30,
			   ARGS(RUN_CELLS, "--runs", "2", "--out", out));
	ck_assert_msg(r->rc == 0, "the good run: rc %d\n%.1500s", r->rc, r->err);
	char p[PATH_MAX + 16];
	snprintf(p, sizeof p, "%s/summary.json", out);
	char *s = slurp(p, len);
	ck_assert_msg(s && *len > 100, "no summary.json from the good run");
	return s;
}

START_TEST(test_run_lost_writes_under_a_file_size_limit_exit_3)
{
	/* RLIMIT_FSIZE 8 KiB: every log (16 KiB of stderr) and the summary of 60
	 * runs fail with EFBIG; the table still says SUCCESS. Needs no root. */
	new_piddir();
	char out[PATH_MAX], json[PATH_MAX + 8], sum[PATH_MAX + 16];
	outdir(out, sizeof out, "fsize");
	snprintf(json, sizeof json, "%s.json", out);
	snprintf(sum, sizeof sum, "%s/summary.json", out);
	const char *mode = "unlocked-flush=loud,*=pass";
	struct res *r = pt(mode, 30, ARGS(RUN_CELLS, "--runs", "2", "--out", out, "--json", json));
	ck_assert_msg(r->rc == 0, "rc %d\n%.1500s", r->rc, r->err);
	size_t prev_len, prev_json_len;
	char *prev = slurp(sum, &prev_len), *prev_json = slurp(json, &prev_json_len);
	struct pt_opts o = { .mode = mode, .timeout = 60, .fsize = 8192 };
	r = pt_run(&o, ARGS(RUN_CELLS, "--runs", "30", "--out", out, "--json", json));
	ck_assert_msg(r->rc == 3, "rc %d with summary.json lost (must be 3)\n%.1500s", r->rc, r->err);
	ck_assert_ptr_nonnull(strstr(r->out, "SUCCESS: 2 of 2 cells"));
	ck_assert_ptr_nonnull(strstr(r->out, "/summary.json NOT WRITTEN"));
	assert_lost_line(r->err, ARGS("30 artifacts not written", "summary.json not written",
				      strrchr(json, '/') + 1, "(File too large)"));
	assert_same_file(sum, prev, prev_len);
	assert_same_file(json, prev_json, prev_json_len);
	assert_no_torn_files(out);
	free(prev);
	free(prev_json);
}
END_TEST

START_TEST(test_run_tap_or_json_to_a_full_stdout_exit_3)
{
	static const char *const what[] = { "--tap", "--json" };
	new_piddir();
	char out[PATH_MAX], sum[1 << 16];
	outdir(out, sizeof out, what[_i] + 2);
	struct pt_opts o = { .mode = "unlocked-flush=corrupt,*=pass", .timeout = 30,
			     .stdout_to = "/dev/full" };
	struct res *r = _i == 0 ? pt_run(&o, ARGS(RUN_CELLS, "--runs", "2", "--out", out, "--tap"))
				: pt_run(&o, ARGS(RUN_CELLS, "--runs", "2", "--out", out, "--json", "-"));
	ck_assert_msg(r->rc == 3, "%s to /dev/full: rc %d\n%.1500s", what[_i], r->rc, r->err);
	assert_lost_line(r->err, ARGS("stdout not written (No space left on device)"));
	read_summary(out, sum, sizeof sum); /* the files were written */
	assert_no_torn_files(out);
}
END_TEST

START_TEST(test_run_results_dir_removed_mid_run_exit_3)
{
	new_piddir();
	char out[PATH_MAX], first[PATH_MAX + 64];
	outdir(out, sizeof out, "removed");
	snprintf(fault_dir, sizeof fault_dir, "%s", out);
	snprintf(first, sizeof first, "%s/runs/native-lost-atomic-unlocked-flush-native-k0.log", out);
	struct pt_opts o = { .mode = "unlocked-flush=corrupt@0.2,*=pass@0.2", .timeout = 60,
			     .mid_when = first, .mid = remove_fault_dir };
	struct res *r = pt_run(&o, ARGS(RUN_CELLS, "--runs", "6", "-j", "2", "--out", out));
	ck_assert_msg(r->mid_done, "the first log never appeared\n%.1500s", r->err);
	ck_assert_msg(r->rc == 3, "rc %d\n%.1500s", r->rc, r->err);
	assert_lost_line(r->err, ARGS("artifacts not written", "summary.json not written",
				      "report.html not written", "(No such file or directory)"));
	ck_assert_msg(access(out, F_OK) != 0, "%s came back", out);
}
END_TEST

START_TEST(test_run_results_dir_made_read_only_mid_run_exit_3)
{
	new_piddir();
	char out[PATH_MAX], k2[PATH_MAX + 64], sum[PATH_MAX + 16];
	outdir(out, sizeof out, "readonly");
	if (!read_only_capable_dir(out, "run, read-only mid-run"))
		return;
	snprintf(fault_dir, sizeof fault_dir, "%s", out);
	size_t prev_len;
	char *prev = good_summary(out, &prev_len);
	snprintf(sum, sizeof sum, "%s/summary.json", out);
	snprintf(k2, sizeof k2, "%s/runs/native-lost-atomic-unlocked-flush-native-k2.log", out);
	struct pt_opts o = { .mode = "unlocked-flush=corrupt@0.2,*=pass@0.2", .timeout = 60,
			     .mid_when = k2, .mid = make_read_only };
	struct res *r = pt_run(&o, ARGS(RUN_CELLS, "--runs", "6", "-j", "2", "--out", out));
	ck_assert_msg(r->mid_done, "run k2's log never appeared\n%.1500s", r->err);
	ck_assert_msg(r->rc == 3, "rc %d\n%.1500s", r->rc, r->err);
	assert_lost_line(r->err, ARGS("artifacts not written", "summary.json not written",
				      geteuid() == 0 ? "Read-only file system" : "Permission denied"));
	assert_same_file(sum, prev, prev_len);
	assert_no_torn_files(out);
	undo_read_only();
	free(prev);
}
END_TEST

START_TEST(test_run_read_only_results_dir_is_refused_before_any_run)
{
	new_piddir();
	char out[PATH_MAX], sum[PATH_MAX + 16];
	outdir(out, sizeof out, "readonly-start");
	if (!read_only_capable_dir(out, "run, read-only from the start"))
		return;
	snprintf(fault_dir, sizeof fault_dir, "%s", out);
	snprintf(sum, sizeof sum, "%s/summary.json", out);
	static const char prev[] = "{\"previous\":true}\n";
	FILE *f = fopen(sum, "w");
	ck_assert_ptr_nonnull(f);
	fputs(prev, f);
	fclose(f);
	make_read_only();
	struct res *r = pt("*=pass", 30, ARGS(RUN_CELLS, "--runs", "2", "--out", out));
	ck_assert_msg(r->rc == 2, "rc %d\n%.1500s", r->rc, r->err);
	ck_assert_msg(strstr(r->err, "is not writable") != NULL, "%s", r->err);
	ck_assert_int_eq(count_pids(), 0);
	assert_same_file(sum, prev, strlen(prev));
	undo_read_only();
}
END_TEST

START_TEST(test_run_on_a_full_tmpfs_exit_3)
{
	/* a disk that really fills up: the results on a 64 KiB tmpfs */
	if (!root_only("run on a full 64 KiB tmpfs"))
		return;
	new_piddir();
	char good[PATH_MAX], out[PATH_MAX], sum[PATH_MAX + 16];
	outdir(good, sizeof good, "tmpfs-good");
	outdir(out, sizeof out, "tmpfs");
	size_t prev_len;
	char *prev = good_summary(good, &prev_len);
	mount_tmpfs(out, "64k");
	snprintf(sum, sizeof sum, "%s/summary.json", out);
	FILE *f = fopen(sum, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert(fwrite(prev, 1, prev_len, f) == prev_len && fclose(f) == 0);
	fill_leaving(out, 8192);
	struct res *r = pt("unlocked-flush=corrupt,*=pass", 60,
			   ARGS(RUN_CELLS, "--runs", "30", "--out", out));
	ck_assert_msg(r->rc == 3, "rc %d with summary.json lost (must be 3)\n%.1500s", r->rc, r->err);
	ck_assert_ptr_nonnull(strstr(r->out, "SUCCESS: 2 of 2 cells"));
	assert_lost_line(r->err, ARGS("artifacts not written", "summary.json not written",
				      "report.html not written", "(No space left on device)"));
	assert_same_file(sum, prev, prev_len);
	assert_no_torn_files(out);
	umount2(out, MNT_DETACH);
	free(prev);
}
END_TEST

/* ---- stress ---- */

/* Fails after printing about 10 KiB (more than the 8 KiB limit below). */
static const char loud_failure[] =
	"i=0; while [ $i -lt 400 ]; do echo \"line $i of a failing run\"; i=$((i+1)); done; exit 1";

START_TEST(test_stress_lost_failure_files_json_and_stdout_exit_3)
{
	new_piddir();
	char dir[PATH_MAX], prefix[PATH_MAX + 8], json[PATH_MAX + 16], text[1 << 14];
	outdir(dir, sizeof dir, "stress-fsize");
	ck_assert(mkdir(dir, 0755) == 0);
	snprintf(prefix, sizeof prefix, "%s/fail-", dir);
	snprintf(json, sizeof json, "%s/stress.json", dir);
	/* the failure files (10 KiB each) are over the limit; the JSON is not */
	struct pt_opts o = { .mode = "*=pass", .timeout = 60, .fsize = 8192 };
	struct res *r = pt_run(&o, ARGS("stress", "-p", "1", "--count", "2", "-o", prefix, "--json",
					json, "--status-interval", "0", "--", "sh", "-c", loud_failure));
	ck_assert_msg(r->rc == 3, "rc %d\n%.1500s", r->rc, r->err);
	assert_lost_line(r->err, ARGS("2 artifacts not written (File too large)"));
	slurp_into(json, text, sizeof text, NULL);
	ck_assert_msg(strstr(text, "\"failures\": 2") != NULL, "%s", text);
	ck_assert_ptr_nonnull(strstr(r->out, "(not saved)"));
	assert_no_torn_files(dir);
	/* the JSON and the summary on a full device */
	o = (struct pt_opts){ .mode = "*=pass", .timeout = 60, .stdout_to = "/dev/full" };
	r = pt_run(&o, ARGS("stress", "--count", "2", "-o", prefix, "--json", "/dev/full", "--",
			    "true"));
	ck_assert_msg(r->rc == 3, "no failures, but lost: rc %d\n%.1500s", r->rc, r->err);
	assert_lost_line(r->err, ARGS("/dev/full not written", "stdout not written",
				      "(No space left on device)"));
}
END_TEST

static const char slow_failure[] = "sleep 0.2; echo failing; exit 1";

START_TEST(test_stress_dir_removed_mid_run_exit_3)
{
	new_piddir();
	char dir[PATH_MAX], prefix[PATH_MAX + 8], json[PATH_MAX + 16], first[PATH_MAX + 16];
	outdir(dir, sizeof dir, "stress-removed");
	ck_assert(mkdir(dir, 0755) == 0);
	snprintf(fault_dir, sizeof fault_dir, "%s", dir);
	snprintf(prefix, sizeof prefix, "%s/fail-", dir);
	snprintf(json, sizeof json, "%s/stress.json", dir);
	snprintf(first, sizeof first, "%s1", prefix);
	struct pt_opts o = { .mode = "*=pass", .timeout = 60, .mid_when = first,
			     .mid = remove_fault_dir };
	struct res *r = pt_run(&o, ARGS("stress", "-p", "1", "--count", "6", "-o", prefix, "--json",
					json, "--", "sh", "-c", slow_failure));
	ck_assert_msg(r->mid_done, "the first failure file never appeared\n%.1500s", r->err);
	ck_assert_msg(r->rc == 3, "rc %d\n%.1500s", r->rc, r->err);
	assert_lost_line(r->err, ARGS("artifacts not written", "stress.json not written",
				      "(No such file or directory)"));
	ck_assert_msg(access(dir, F_OK) != 0, "%s came back", dir);
}
END_TEST

START_TEST(test_stress_dir_made_read_only_mid_run_exit_3)
{
	new_piddir();
	char dir[PATH_MAX], prefix[PATH_MAX + 8], json[PATH_MAX + 16], first[PATH_MAX + 16];
	outdir(dir, sizeof dir, "stress-readonly");
	if (!read_only_capable_dir(dir, "stress, read-only mid-run"))
		return;
	snprintf(fault_dir, sizeof fault_dir, "%s", dir);
	snprintf(prefix, sizeof prefix, "%s/fail-", dir);
	snprintf(json, sizeof json, "%s/stress.json", dir);
	snprintf(first, sizeof first, "%s1", prefix);
	static const char prev[] = "{\"previous\":true}\n";
	FILE *f = fopen(json, "w");
	ck_assert_ptr_nonnull(f);
	fputs(prev, f);
	fclose(f);
	struct pt_opts o = { .mode = "*=pass", .timeout = 60, .mid_when = first,
			     .mid = make_read_only };
	struct res *r = pt_run(&o, ARGS("stress", "-p", "1", "--count", "6", "-o", prefix, "--json",
					json, "--", "sh", "-c", slow_failure));
	ck_assert_msg(r->mid_done, "the first failure file never appeared\n%.1500s", r->err);
	ck_assert_msg(r->rc == 3, "rc %d\n%.1500s", r->rc, r->err);
	assert_lost_line(r->err, ARGS("artifacts not written", "stress.json not written"));
	assert_same_file(json, prev, strlen(prev));
	assert_no_torn_files(dir);
	undo_read_only();
}
END_TEST

START_TEST(test_stress_on_a_full_tmpfs_exit_3)
{
	if (!root_only("stress on a full 64 KiB tmpfs"))
		return;
	new_piddir();
	char dir[PATH_MAX], prefix[PATH_MAX + 8], json[PATH_MAX + 16];
	outdir(dir, sizeof dir, "stress-tmpfs");
	mount_tmpfs(dir, "64k");
	snprintf(prefix, sizeof prefix, "%s/fail-", dir);
	snprintf(json, sizeof json, "%s/stress.json", dir);
	static const char prev[] = "{\"previous\":true}\n";
	FILE *f = fopen(json, "w");
	ck_assert_ptr_nonnull(f);
	fputs(prev, f);
	fclose(f);
	fill_leaving(dir, 8192);
	struct res *r = pt("*=pass", 60,
			   ARGS("stress", "-p", "1", "--count", "8", "-o", prefix, "--json", json,
				"--", "sh", "-c", "echo failing; exit 1"));
	ck_assert_msg(r->rc == 3, "rc %d\n%.1500s", r->rc, r->err);
	assert_lost_line(r->err, ARGS("artifacts not written", "stress.json not written",
				      "(No space left on device)"));
	assert_same_file(json, prev, strlen(prev));
	assert_no_torn_files(dir);
	umount2(dir, MNT_DETACH);
}
END_TEST

/* ---- merge ---- */

/* Two summaries of 20 runs each, another seed each, so they merge. */
static void two_shards(char *a, char *b, size_t cap)
{
	outdir(a, cap, "merge-a");
	outdir(b, cap, "merge-b");
	const char *mode = "unlocked-flush=corrupt,*=pass";
	struct res *r = pt(mode, 60, ARGS(RUN_CELLS, "--runs", "10", "--out", a));
	ck_assert_int_eq(r->rc, 0);
	r = pt(mode, 60, ARGS(RUN_CELLS, "--runs", "10", "--seed", "1000", "--out", b));
	ck_assert_int_eq(r->rc, 0);
}

START_TEST(test_merge_outputs_lost_exit_3)
{
	new_piddir();
	char a[PATH_MAX], b[PATH_MAX], json[PATH_MAX + 16], xml[PATH_MAX + 16];
	two_shards(a, b, sizeof a);
	snprintf(json, sizeof json, "%s.merged.json", a);
	snprintf(xml, sizeof xml, "%s.merged.xml", a);
	/* a previous merged record (of a alone), then both under a limit just
	 * above its size, which the merged record of twice the runs is over */
	struct res *r = pt("*=pass", 30, ARGS("merge", "--json", json, a));
	ck_assert_int_eq(r->rc, 0);
	size_t prev_len;
	char *prev = slurp(json, &prev_len);
	ck_assert(prev != NULL);
	struct pt_opts o = { .mode = "*=pass", .timeout = 30, .fsize = prev_len + 2048 };
	r = pt_run(&o, ARGS("merge", "--json", json, "--junit", xml, a, b));
	ck_assert_msg(r->rc == 3, "rc %d\n%.1500s", r->rc, r->err);
	ck_assert_ptr_nonnull(strstr(r->out, "SUCCESS: 2 of 2 cells"));
	assert_lost_line(r->err, ARGS("merged.json not written (File too large)"));
	assert_same_file(json, prev, prev_len);
	free(prev);
	/* the merged record on a full stdout */
	o = (struct pt_opts){ .mode = "*=pass", .timeout = 30, .stdout_to = "/dev/full" };
	r = pt_run(&o, ARGS("merge", "--json", "-", a, b));
	ck_assert_msg(r->rc == 3, "rc %d\n%.1500s", r->rc, r->err);
	assert_lost_line(r->err, ARGS("stdout not written (No space left on device)"));
}
END_TEST

START_TEST(test_merge_output_on_a_full_tmpfs_exit_3)
{
	if (!root_only("merge to a full 64 KiB tmpfs"))
		return;
	new_piddir();
	char a[PATH_MAX], b[PATH_MAX], dir[PATH_MAX], json[PATH_MAX + 16];
	two_shards(a, b, sizeof a);
	outdir(dir, sizeof dir, "merge-tmpfs");
	mount_tmpfs(dir, "64k");
	snprintf(json, sizeof json, "%s/merged.json", dir);
	static const char prev[] = "{\"previous\":true}\n";
	FILE *f = fopen(json, "w");
	ck_assert_ptr_nonnull(f);
	fputs(prev, f);
	fclose(f);
	fill_leaving(dir, 4096); /* room for the probe, not for 80 runs */
	struct res *r = pt("*=pass", 30, ARGS("merge", "--json", json, a, b));
	ck_assert_msg(r->rc == 3, "rc %d\n%.1500s", r->rc, r->err);
	assert_lost_line(r->err, ARGS("merged.json not written (No space left on device)"));
	assert_same_file(json, prev, strlen(prev));
	assert_no_torn_files(dir);
	umount2(dir, MNT_DETACH);
}
END_TEST

/* merge takes no time to run: a read-only or missing output directory is
 * found before anything is read, exit 2, and nothing is written. */
START_TEST(test_merge_refuses_a_read_only_or_missing_output_dir)
{
	new_piddir();
	char a[PATH_MAX], dir[PATH_MAX], json[PATH_MAX + 16];
	outdir(a, sizeof a, "merge-in");
	struct res *r = pt("unlocked-flush=corrupt,*=pass", 30,
			   ARGS(RUN_CELLS, "--runs", "1", "--out", a));
	ck_assert_int_eq(r->rc, 0);
	outdir(dir, sizeof dir, "merge-gone");
	snprintf(json, sizeof json, "%s/merged.json", dir);
	r = pt("*=pass", 30, ARGS("merge", "--json", json, a));
	ck_assert_msg(r->rc == 2, "rc %d\n%.1500s", r->rc, r->err);
	ck_assert_ptr_nonnull(strstr(r->err, "No such file or directory"));
	ck_assert_msg(access(dir, F_OK) != 0, "%s was made", dir);
	outdir(dir, sizeof dir, "merge-readonly");
	if (!read_only_capable_dir(dir, "merge, read-only output"))
		return;
	snprintf(fault_dir, sizeof fault_dir, "%s", dir);
	snprintf(json, sizeof json, "%s/merged.json", dir);
	make_read_only();
	r = pt("*=pass", 30, ARGS("merge", "--json", json, a));
	ck_assert_msg(r->rc == 2, "rc %d\n%.1500s", r->rc, r->err);
	assert_same_file(json, NULL, 0);
	undo_read_only();
}
END_TEST

/* ---- lost writes without privileges: libfiu, and one shim ----
 *
 * The tests above that need root and a mount namespace (a full tmpfs, a
 * read-only remount) print SKIPPED where there is neither, as in a CI job
 * in a container: root, but no CAP_SYS_ADMIN. Each has a twin here that
 * needs no privilege and asserts the same figure, the fault injected
 * instead of provoked:
 *   - libfiu (fiu-run -x, fiu-ctrl; Debian's fiu-utils and libfiu0) fails
 *     write() with ENOSPC, fsync() with EIO or ENOSPC, rename() with
 *     ENOSPC. Its remote control enables a failure point mid-run and in
 *     the runner alone: the runner's children load libfiu too, but with
 *     every point off, where fiu-run's -c would turn it on in each of
 *     them (so -c is used only for fsync and rename, which no child calls).
 *     The runner's only write() calls are ut_write_file's and its
 *     writability probe, so "every write() of the runner" is "every file
 *     it writes"; its stderr and stdout go through stdio, which glibc
 *     writes with an internal call that libfiu does not wrap, so the LOST
 *     line still gets out, as it would on a full disk.
 *   - tests/harness/fault_open.so: open() for writing under the results
 *     directory fails with EROFS, a read-only file system. libfiu's open
 *     failure point cannot be limited to a directory or to writing
 *     (fault_open.c says why that matters).
 * Without libfiu these tests FAIL, naming the install line: a fault test
 * that cannot inject its fault is not a pass.
 */

#define FIU_INSTALL "apt-get install fiu-utils libfiu0 libfiu-dev (ci/install-deps installs them)"

/* libfiu is there and injects: a shell whose write() fails with ENOSPC
 * cannot echo. Also names the control FIFOs' prefix for this test. */
static void require_fiu(void)
{
	snprintf(fiu_prefix, sizeof fiu_prefix, "%s/fiu-ctl", root);
	ck_assert_msg(system("command -v fiu-run >/dev/null && command -v fiu-ctrl >/dev/null") == 0,
		      "libfiu's fiu-run or fiu-ctrl is not on PATH; this fault test needs them: "
		      FIU_INSTALL);
	int rc = system("fiu-run -x -f '' -c 'enable name=posix/io/rw/write,failinfo=28' "
			"sh -c 'echo probe' >/dev/null 2>&1");
	ck_assert_msg(rc != 0, "fiu-run ran, but injected no fault (libfiu's preload libraries "
			       "missing?); this fault test needs them: " FIU_INSTALL);
}

static void require_fault_open(void)
{
	char so[PATH_MAX + 32];
	snprintf(so, sizeof so, "%s/fault_open.so", selfdir);
	ck_assert_msg(access(so, R_OK) == 0, "%s missing (make ARCH=native check-harness builds it)",
		      so);
}

/* cmd, a libfiu remote control command, to the running runner alone. */
static void fiu_ctrl(const char *cmd)
{
	char line[PATH_MAX + 512], reply[512] = "";
	snprintf(line, sizeof line, "fiu-ctrl -f '%s' -c '%s' %ld 2>&1", fiu_prefix, cmd,
		 (long)runner_pid);
	FILE *p = popen(line, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(reply, 1, sizeof reply - 1, p);
	reply[n] = 0;
	int rc = pclose(p);
	/* fiu-ctrl exits 0 even when the command failed; it says so instead */
	ck_assert_msg(rc == 0 && n == 0, "%s: exit %d, said: %s", line, rc, reply);
}

static const char *fiu_mid_cmd; /* what fiu_mid sends */

static void fiu_mid(void)
{
	fiu_ctrl(fiu_mid_cmd);
}

#define FIU_WRITE_ENOSPC "enable name=posix/io/rw/write,failinfo=28"
#define FIU_WRITE_ENOSPC_ONCE "enable name=posix/io/rw/write,failinfo=28,onetime"

static char arm_path[PATH_MAX]; /* fault_open.so's PT_FAULT_OPEN_ARM */

static void arm_fault_open(void)
{
	write_text(arm_path, "armed\n", 0644);
}

/* A log from the run below exists only once it reached run k of the
 * failing cell (the good run before it has k0 and k1). */
static void cell_log(char *buf, size_t cap, const char *out, int k)
{
	snprintf(buf, cap, "%s/runs/native-lost-atomic-unlocked-flush-native-k%d.log", out, k);
}

#define SLOW_CELLS "unlocked-flush=corrupt@0.2,*=pass@0.2"

START_TEST(test_run_disk_fills_mid_run_fiu_exit_3)
{
	/* test_run_on_a_full_tmpfs_exit_3 without root: every write() of the
	 * runner fails with ENOSPC from run k2 on */
	require_fiu();
	new_piddir();
	char out[PATH_MAX], k2[PATH_MAX + 64], sum[PATH_MAX + 16];
	outdir(out, sizeof out, "fiu-full");
	size_t prev_len;
	char *prev = good_summary(out, &prev_len);
	snprintf(sum, sizeof sum, "%s/summary.json", out);
	cell_log(k2, sizeof k2, out, 2);
	fiu_mid_cmd = FIU_WRITE_ENOSPC;
	struct pt_opts o = { .mode = SLOW_CELLS, .timeout = 60, .fiu = "", .mid_when = k2,
			     .mid = fiu_mid };
	struct res *r = pt_run(&o, ARGS(RUN_CELLS, "--runs", "8", "-j", "2", "--out", out));
	ck_assert_msg(r->mid_done, "run k2's log never appeared\n%.1500s", r->err);
	ck_assert_msg(r->rc == 3, "rc %d with summary.json lost (must be 3)\n%.1500s", r->rc, r->err);
	ck_assert_ptr_nonnull(strstr(r->out, "SUCCESS: 2 of 2 cells"));
	assert_lost_line(r->err, ARGS("artifacts not written", "summary.json not written",
				      "report.html not written", "(No space left on device)"));
	assert_same_file(sum, prev, prev_len);
	assert_no_torn_files(out);
	free(prev);
}
END_TEST

START_TEST(test_run_one_log_lost_fiu_exit_3)
{
	/* one write() fails (libfiu's onetime), after run k0's log: one log is
	 * lost and named, the summary is written, and still exit 3 */
	require_fiu();
	new_piddir();
	char out[PATH_MAX], k0[PATH_MAX + 64], sum[1 << 16];
	outdir(out, sizeof out, "fiu-onelog");
	cell_log(k0, sizeof k0, out, 0);
	fiu_mid_cmd = FIU_WRITE_ENOSPC_ONCE;
	struct pt_opts o = { .mode = SLOW_CELLS, .timeout = 60, .fiu = "", .mid_when = k0,
			     .mid = fiu_mid };
	struct res *r = pt_run(&o, ARGS(RUN_CELLS, "--runs", "8", "-j", "2", "--out", out));
	ck_assert_msg(r->mid_done, "run k0's log never appeared\n%.1500s", r->err);
	ck_assert_msg(r->rc == 3, "rc %d with a log lost (must be 3)\n%.1500s", r->rc, r->err);
	assert_lost_line(r->err, ARGS("LOST: 1 artifact not written (No space left on device)"));
	ck_assert_msg(strstr(r->err, "warning: cannot write ") && strstr(r->err, "/runs/native-"),
		      "the lost log is not named\n%.1500s", r->err);
	ck_assert_msg(!strstr(r->err, "summary.json not written"), "%s", r->err);
	read_summary(out, sum, sizeof sum);
	assert_no_torn_files(out);
}
END_TEST

START_TEST(test_run_documents_lost_at_fsync_or_rename_fiu_exit_3)
{
	/* the last steps of ut_write_file failing from the start: fsync (EIO,
	 * as a disk reports a failed write-back; the logs are not synced, so
	 * only the documents are lost) and rename (ENOSPC: a directory that
	 * cannot grow; everything is lost, and every temporary removed) */
	static const char *const cmd[] = { "enable name=posix/io/sync/fsync,failinfo=5",
					   "enable name=posix/io/dir/rename,failinfo=28" };
	require_fiu();
	new_piddir();
	char out[PATH_MAX], sum[PATH_MAX + 16], k0[PATH_MAX + 64];
	outdir(out, sizeof out, _i == 0 ? "fiu-fsync" : "fiu-rename");
	size_t prev_len;
	char *prev = good_summary(out, &prev_len);
	snprintf(sum, sizeof sum, "%s/summary.json", out);
	cell_log(k0, sizeof k0, out, 0);
	ck_assert_int_eq(unlink(k0), 0);
	struct pt_opts o = { .mode = "unlocked-flush=corrupt,*=pass", .timeout = 60, .fiu = cmd[_i] };
	struct res *r = pt_run(&o, ARGS(RUN_CELLS, "--runs", "4", "--out", out));
	ck_assert_msg(r->rc == 3, "%s: rc %d (must be 3)\n%.1500s", cmd[_i], r->rc, r->err);
	ck_assert_ptr_nonnull(strstr(r->out, "SUCCESS: 2 of 2 cells"));
	if (_i == 0) {
		assert_lost_line(r->err, ARGS("LOST: summary.json not written", "report.html not written",
					      "(Input/output error)"));
		ck_assert_msg(access(k0, F_OK) == 0, "%s: the log was not written", cmd[_i]);
	} else {
		assert_lost_line(r->err, ARGS("artifacts not written", "summary.json not written",
					      "report.html not written", "(No space left on device)"));
		ck_assert_msg(access(k0, F_OK) != 0, "%s: the log was written", cmd[_i]);
	}
	assert_same_file(sum, prev, prev_len);
	assert_no_torn_files(out);
	free(prev);
}
END_TEST

START_TEST(test_run_read_only_mid_run_shim_exit_3)
{
	/* test_run_results_dir_made_read_only_mid_run_exit_3 without a mount */
	require_fault_open();
	new_piddir();
	char out[PATH_MAX], k2[PATH_MAX + 64], sum[PATH_MAX + 16];
	outdir(out, sizeof out, "shim-readonly");
	size_t prev_len;
	char *prev = good_summary(out, &prev_len);
	snprintf(sum, sizeof sum, "%s/summary.json", out);
	snprintf(arm_path, sizeof arm_path, "%s/armed-%ld", root, (long)getpid());
	cell_log(k2, sizeof k2, out, 2);
	struct pt_opts o = { .mode = SLOW_CELLS, .timeout = 60, .mid_when = k2,
			     .mid = arm_fault_open, .fault_open_dir = out, .fault_open_arm = arm_path };
	struct res *r = pt_run(&o, ARGS(RUN_CELLS, "--runs", "8", "-j", "2", "--out", out));
	ck_assert_msg(r->mid_done, "run k2's log never appeared\n%.1500s", r->err);
	ck_assert_msg(r->rc == 3, "rc %d\n%.1500s", r->rc, r->err);
	assert_lost_line(r->err, ARGS("artifacts not written", "summary.json not written",
				      "(Read-only file system)"));
	assert_same_file(sum, prev, prev_len);
	assert_no_torn_files(out);
	unlink(arm_path);
	free(prev);
}
END_TEST

START_TEST(test_run_read_only_from_the_start_shim_is_refused)
{
	/* test_run_read_only_results_dir_is_refused_before_any_run without a
	 * mount */
	require_fault_open();
	new_piddir();
	char out[PATH_MAX], sum[PATH_MAX + 16];
	outdir(out, sizeof out, "shim-readonly-start");
	ck_assert(mkdir(out, 0755) == 0);
	snprintf(sum, sizeof sum, "%s/summary.json", out);
	static const char prev[] = "{\"previous\":true}\n";
	write_text(sum, prev, 0644);
	struct pt_opts o = { .mode = "*=pass", .timeout = 30, .fault_open_dir = out };
	struct res *r = pt_run(&o, ARGS(RUN_CELLS, "--runs", "2", "--out", out));
	ck_assert_msg(r->rc == 2, "rc %d\n%.1500s", r->rc, r->err);
	ck_assert_msg(strstr(r->err, "is not writable: Read-only file system") != NULL, "%s", r->err);
	ck_assert_int_eq(count_pids(), 0);
	assert_same_file(sum, prev, strlen(prev));
}
END_TEST

/* stress with a previous stress.json in dir, failing slowly --count 6
 * times; the fault comes once fail-1 exists. */
static struct res *stress_faulted(const char *dir, struct pt_opts *o)
{
	char prefix[PATH_MAX + 8], json[PATH_MAX + 16], first[PATH_MAX + 16];
	snprintf(prefix, sizeof prefix, "%s/fail-", dir);
	snprintf(json, sizeof json, "%s/stress.json", dir);
	snprintf(first, sizeof first, "%s1", prefix);
	o->mode = "*=pass";
	o->timeout = 60;
	o->mid_when = first;
	struct res *r = pt_run(o, ARGS("stress", "-p", "1", "--count", "6", "-o", prefix, "--json",
				       json, "--", "sh", "-c", slow_failure));
	ck_assert_msg(r->mid_done, "the first failure file never appeared\n%.1500s", r->err);
	return r;
}

static const char prev_stress[] = "{\"previous\":true}\n";

static void stress_dir(char *dir, size_t cap, char *json, size_t jcap, const char *name)
{
	outdir(dir, cap, name);
	ck_assert(mkdir(dir, 0755) == 0);
	snprintf(json, jcap, "%s/stress.json", dir);
	write_text(json, prev_stress, 0644);
}

START_TEST(test_stress_disk_fills_mid_run_fiu_exit_3)
{
	/* test_stress_on_a_full_tmpfs_exit_3 without root */
	require_fiu();
	new_piddir();
	char dir[PATH_MAX], json[PATH_MAX + 16];
	stress_dir(dir, sizeof dir, json, sizeof json, "fiu-stress-full");
	fiu_mid_cmd = FIU_WRITE_ENOSPC;
	struct pt_opts o = { .fiu = "", .mid = fiu_mid };
	struct res *r = stress_faulted(dir, &o);
	ck_assert_msg(r->rc == 3, "rc %d\n%.1500s", r->rc, r->err);
	assert_lost_line(r->err, ARGS("artifacts not written", "stress.json not written",
				      "(No space left on device)"));
	assert_same_file(json, prev_stress, strlen(prev_stress));
	assert_no_torn_files(dir);
}
END_TEST

START_TEST(test_stress_one_failure_file_lost_fiu_exit_3)
{
	/* one write() fails after fail-1: one failure file lost and named,
	 * stress.json written with every failure counted, exit 3 */
	require_fiu();
	new_piddir();
	char dir[PATH_MAX], json[PATH_MAX + 16], text[1 << 14];
	stress_dir(dir, sizeof dir, json, sizeof json, "fiu-stress-one");
	fiu_mid_cmd = FIU_WRITE_ENOSPC_ONCE;
	struct pt_opts o = { .fiu = "", .mid = fiu_mid };
	struct res *r = stress_faulted(dir, &o);
	ck_assert_msg(r->rc == 3, "rc %d\n%.1500s", r->rc, r->err);
	assert_lost_line(r->err, ARGS("LOST: 1 artifact not written (No space left on device)"));
	ck_assert_msg(strstr(r->err, "warning: cannot write ") && strstr(r->err, "/fail-"),
		      "the lost failure file is not named\n%.1500s", r->err);
	slurp_into(json, text, sizeof text, NULL);
	ck_assert_msg(strstr(text, "\"failures\": 6") != NULL, "%s", text);
	assert_no_torn_files(dir);
}
END_TEST

START_TEST(test_stress_read_only_mid_run_shim_exit_3)
{
	/* test_stress_dir_made_read_only_mid_run_exit_3 without a mount */
	require_fault_open();
	new_piddir();
	char dir[PATH_MAX], json[PATH_MAX + 16];
	stress_dir(dir, sizeof dir, json, sizeof json, "shim-stress-readonly");
	snprintf(arm_path, sizeof arm_path, "%s/armed-%ld", root, (long)getpid());
	struct pt_opts o = { .mid = arm_fault_open, .fault_open_dir = dir,
			     .fault_open_arm = arm_path };
	struct res *r = stress_faulted(dir, &o);
	ck_assert_msg(r->rc == 3, "rc %d\n%.1500s", r->rc, r->err);
	assert_lost_line(r->err, ARGS("artifacts not written", "stress.json not written",
				      "(Read-only file system)"));
	assert_same_file(json, prev_stress, strlen(prev_stress));
	assert_no_torn_files(dir);
	unlink(arm_path);
}
END_TEST

START_TEST(test_merge_output_lost_fiu_exit_3)
{
	/* test_merge_output_on_a_full_tmpfs_exit_3 without root: merge takes
	 * no time, so the fault is on from the start, at fsync (ENOSPC, as
	 * a file system that allocates at write-back reports a full disk);
	 * a write() failing from the start would fail the probe, exit 2 */
	require_fiu();
	new_piddir();
	char a[PATH_MAX], b[PATH_MAX], dir[PATH_MAX], json[PATH_MAX + 16];
	two_shards(a, b, sizeof a);
	outdir(dir, sizeof dir, "fiu-merge");
	ck_assert(mkdir(dir, 0755) == 0);
	snprintf(json, sizeof json, "%s/merged.json", dir);
	static const char prev[] = "{\"previous\":true}\n";
	write_text(json, prev, 0644);
	struct pt_opts o = { .mode = "*=pass", .timeout = 30,
			     .fiu = "enable name=posix/io/sync/fsync,failinfo=28" };
	struct res *r = pt_run(&o, ARGS("merge", "--json", json, a, b));
	ck_assert_msg(r->rc == 3, "rc %d\n%.1500s", r->rc, r->err);
	ck_assert_ptr_nonnull(strstr(r->out, "SUCCESS: 2 of 2 cells"));
	assert_lost_line(r->err, ARGS("merged.json not written (No space left on device)"));
	assert_same_file(json, prev, strlen(prev));
	assert_no_torn_files(dir);
}
END_TEST

START_TEST(test_merge_refuses_a_read_only_output_dir_shim)
{
	/* the read-only half of test_merge_refuses_a_read_only_or_missing_output_dir
	 * without a mount: the inputs are read, the output refused, exit 2 */
	require_fault_open();
	new_piddir();
	char a[PATH_MAX], dir[PATH_MAX], json[PATH_MAX + 16];
	outdir(a, sizeof a, "shim-merge-in");
	struct res *r = pt("unlocked-flush=corrupt,*=pass", 30,
			   ARGS(RUN_CELLS, "--runs", "1", "--out", a));
	ck_assert_int_eq(r->rc, 0);
	outdir(dir, sizeof dir, "shim-merge-readonly");
	ck_assert(mkdir(dir, 0755) == 0);
	snprintf(json, sizeof json, "%s/merged.json", dir);
	struct pt_opts o = { .mode = "*=pass", .timeout = 30, .fault_open_dir = dir };
	r = pt_run(&o, ARGS("merge", "--json", json, a));
	ck_assert_msg(r->rc == 2, "rc %d\n%.1500s", r->rc, r->err);
	ck_assert_msg(strstr(r->err, "Read-only file system") != NULL, "%s", r->err);
	assert_same_file(json, NULL, 0);
}
END_TEST

/* ---- report ---- */

START_TEST(test_report_page_and_markdown_lost_exit_3)
{
	new_piddir();
	char a[PATH_MAX], page[PATH_MAX + 16];
	outdir(a, sizeof a, "report-in");
	struct res *r = pt("unlocked-flush=corrupt,*=pass", 30,
			   ARGS(RUN_CELLS, "--runs", "2", "--out", a));
	ck_assert_int_eq(r->rc, 0);
	snprintf(page, sizeof page, "%s.page.html", a);
	r = pt("*=pass", 30, ARGS("report", "-o", page, a));
	ck_assert_msg(r->rc == 0, "rc %d\n%.1500s", r->rc, r->err);
	size_t prev_len;
	char *prev = slurp(page, &prev_len);
	ck_assert(prev && prev_len > 1024);
	/* the page (some KiB) over a 1 KiB file size limit; the Markdown on a
	 * full device */
	struct pt_opts o = { .mode = "*=pass", .timeout = 30, .fsize = 1024 };
	r = pt_run(&o, ARGS("report", "-o", page, "--markdown", "/dev/full", a));
	ck_assert_msg(r->rc == 3, "rc %d\n%.1500s", r->rc, r->err);
	assert_lost_line(r->err, ARGS("page.html not written", "/dev/full not written",
				      "File too large", "No space left on device"));
	ck_assert_msg(!strstr(r->out, "report: "), "names a page it did not write: %s", r->out);
	assert_same_file(page, prev, prev_len);
	free(prev);
}
END_TEST

static Suite *runner_suite(void)
{
	Suite *s = suite_create("runner");
	TCase *tc = tcase_create("verdicts");
	tcase_add_unchecked_fixture(tc, setup_tree, teardown_tree);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_matching_matrix_exits_0_with_stated_numbers);
	tcase_add_test(tc, test_negative_control_that_stops_failing_is_a_mismatch);
	tcase_add_test(tc, test_negative_control_runs_on_until_it_fails);
	tcase_add_test(tc, test_unexpected_failure_kind_is_a_mismatch);
	tcase_add_test(tc, test_unsupported_runs_are_not_surprises);
	tcase_add_test(tc, test_hang_is_killed_at_the_deadline_with_its_process_group);
	tcase_add_test(tc, test_orphaned_grandchild_neither_holds_the_runner_nor_survives);
	tcase_add_test(tc, test_garbage_and_megabytes_of_output_cost_bounded_memory);
	tcase_add_loop_test(tc, test_bad_result_lines_are_never_a_pass, 0, 7);
	tcase_add_test(tc, test_emulator_failures_are_told_apart_from_crashes);
	tcase_add_test(tc, test_ctrl_c_kills_every_run_and_prints_what_finished);
	tcase_add_loop_test(tc, test_bad_options_exit_2_with_one_line_naming_them, 0,
			    (int)(sizeof bad_options / sizeof bad_options[0]));
	tcase_add_test(tc, test_help_states_the_protocols_exit_statuses);
	tcase_add_loop_test(tc, test_help_on_every_subcommand, 0, 5);
	tcase_add_test(tc, test_unwritable_out_dir_fails_before_any_run);
	tcase_add_test(tc, test_missing_torture_binary_is_a_setup_error);
	tcase_add_test(tc, test_the_torture_kinds_old_name_still_works);
	tcase_add_test(tc, test_host_without_the_abi_runs_the_arch_under_its_qemu);
	tcase_add_test(tc, test_an_arch_that_cannot_run_leaves_every_other_result);
	tcase_add_test(tc, test_shards_merge_into_the_whole_matrix);
	tcase_add_test(tc, test_junit_parses_and_tap_is_well_formed);
	tcase_add_test(tc, test_stress_counts_saves_and_groups_failures);
	tcase_add_test(tc, test_stress_failure_and_ignore_filters);
	tcase_add_test(tc, test_stress_timeouts_and_max_failures_bound_the_run);
	tcase_add_test(tc, test_stress_runs_under_an_arch_emulator_and_stops_on_ctrl_c);
	tcase_add_test(tc, test_stress_stops_when_the_command_cannot_start);
	suite_add_tcase(s, tc);

	tc = tcase_create("lost writes");
	tcase_add_unchecked_fixture(tc, setup_tree, teardown_tree);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_run_lost_writes_under_a_file_size_limit_exit_3);
	tcase_add_loop_test(tc, test_run_tap_or_json_to_a_full_stdout_exit_3, 0, 2);
	tcase_add_test(tc, test_run_results_dir_removed_mid_run_exit_3);
	tcase_add_test(tc, test_run_results_dir_made_read_only_mid_run_exit_3);
	tcase_add_test(tc, test_run_read_only_results_dir_is_refused_before_any_run);
	tcase_add_test(tc, test_run_on_a_full_tmpfs_exit_3);
	tcase_add_test(tc, test_stress_lost_failure_files_json_and_stdout_exit_3);
	tcase_add_test(tc, test_stress_dir_removed_mid_run_exit_3);
	tcase_add_test(tc, test_stress_dir_made_read_only_mid_run_exit_3);
	tcase_add_test(tc, test_stress_on_a_full_tmpfs_exit_3);
	tcase_add_test(tc, test_merge_outputs_lost_exit_3);
	tcase_add_test(tc, test_merge_output_on_a_full_tmpfs_exit_3);
	tcase_add_test(tc, test_merge_refuses_a_read_only_or_missing_output_dir);
	tcase_add_test(tc, test_report_page_and_markdown_lost_exit_3);
	suite_add_tcase(s, tc);

	tc = tcase_create("lost writes, unprivileged");
	tcase_add_unchecked_fixture(tc, setup_tree, teardown_tree);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_run_disk_fills_mid_run_fiu_exit_3);
	tcase_add_test(tc, test_run_one_log_lost_fiu_exit_3);
	tcase_add_loop_test(tc, test_run_documents_lost_at_fsync_or_rename_fiu_exit_3, 0, 2);
	tcase_add_test(tc, test_run_read_only_mid_run_shim_exit_3);
	tcase_add_test(tc, test_run_read_only_from_the_start_shim_is_refused);
	tcase_add_test(tc, test_stress_disk_fills_mid_run_fiu_exit_3);
	tcase_add_test(tc, test_stress_one_failure_file_lost_fiu_exit_3);
	tcase_add_test(tc, test_stress_read_only_mid_run_shim_exit_3);
	tcase_add_test(tc, test_merge_output_lost_fiu_exit_3);
	tcase_add_test(tc, test_merge_refuses_a_read_only_output_dir_shim);
	suite_add_tcase(s, tc);
	return s;
}

/* As root, a mount namespace of our own whose mounts are private: the
 * tmpfs mounts of the lost-writes tests are seen by no one else and vanish
 * with this process, whatever happens to a test. */
static void enter_private_mounts(void)
{
	if (geteuid() != 0)
		snprintf(no_mount_why, sizeof no_mount_why, "not root");
	else if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		snprintf(no_mount_why, sizeof no_mount_why, "no private mount namespace: %s",
			 strerror(errno));
	else
		can_mount = true;
	if (!can_mount)
		fprintf(stderr, "check_runner: the root-only lost-writes tests (a full tmpfs, a "
				"read-only mount) are SKIPPED: %s; without root chmod stands in for the "
				"read-only mount, and their twins in \"lost writes, unprivileged\" "
				"(libfiu, fault_open.so) run everywhere\n", no_mount_why);
}

int main(void)
{
	enter_private_mounts();
	return suite_run(runner_suite());
}
