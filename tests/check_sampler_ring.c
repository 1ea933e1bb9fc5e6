/*
 * examples/sampler-ring on the arch under test: the fixed build passes under
 * a signal cannon, the buggy build fails under the same cannon, and both
 * keep the command-line contract that matrix files rely on.
 *
 * Both builds are linked into this program (mk/examples.mk renames their
 * mains), because under qemu-user a test cannot start another guest
 * program. Each run is the program's main in a forked child, its stdout
 * and stderr in a file, with a cannon thread of the child's own tgkill-ing
 * SIGPROF at every other thread of the child, round-robin, CANNON_RATE per
 * second (like proftorture stress --signal-rate; the threads that block
 * SIGPROF keep theirs pending, harmlessly).
 *
 * How often may this test fail a correct program? The fixed build never
 * fails a run: it has no race to lose, so its assertion is exact. The
 * buggy build must fail at least once in BUGGY_RUNS runs of RUN_SECONDS,
 * stopping at its first failure. If one run misses the bug with
 * probability q, the test wrongly fails with probability q^BUGGY_RUNS:
 * below 1/1000 for any q up to 0.63 (0.63^15 = 0.00097). Measured
 * (docs/measurements/examples.md): natively, on a 2-core machine at load
 * average 30, 15 of 21 runs failed (q about 0.3); under qemu on armel,
 * armhf, mips and mipsel every test's first run failed.
 *
 * The negative control of "the fixed build passes" is the buggy build
 * failing the same check: the cannon and the reader do catch the bug.
 * The signals line must count a handled SIGPROF in every passing run, so
 * a pass without exposure (no cannon, no handler) cannot slip through.
 */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"
#include "support/child.h"
#include "support/slurp.h"
#include "support/suite_run.h"

/* The two builds of examples/sampler-ring/sampler_ring.c. */
int sampler_ring_buggy_main(int argc, char **argv);
int sampler_ring_fixed_main(int argc, char **argv);
typedef int sampler_main(int argc, char **argv);

enum { CANNON_RATE = 20000, BUGGY_RUNS = 15, RUN_SECONDS = 1 };

struct run {
	sampler_main *entry;
	char **argv;      /* NULL-terminated, argv[0] included */
	int rate;         /* the cannon's signals per second; 0: none */
	const char *out;  /* stdout and stderr go here */
};

/* --- the cannon: a thread of the child's own ---------------------------- */
/* Whether thread tid blocks SIGPROF, from its SigBlk in /proc. Natively
 * that skips the program's main and reader threads, whose SIGPROFs would
 * only wait, pending; under qemu-user it shows the emulator's host mask,
 * not the guest's, so every thread is aimed at there (harmlessly). */
static bool blocks_sigprof(pid_t tid)
{
	char path[64], line[128];
	unsigned long long mask = 0;
	snprintf(path, sizeof path, "/proc/self/task/%d/status", (int)tid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "SigBlk: %llx", &mask) == 1)
			break;
	if (f)
		fclose(f);
	return (mask >> (SIGPROF - 1)) & 1;
}

static int list_targets(pid_t *tids, int cap)
{
	pid_t me = (pid_t)syscall(SYS_gettid);
	DIR *d = opendir("/proc/self/task");
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)) && n < cap) {
		pid_t t = (pid_t)atoi(e->d_name);
		if (t > 0 && t != me && !blocks_sigprof(t))
			tids[n++] = t;
	}
	if (d)
		closedir(d);
	return n;
}

/* From the moment the program has a SIGPROF handler (before, a SIGPROF
 * would kill it), rate signals a second round-robin over the threads that
 * take them, the list re-read every 20 ms, as proftorture's cannon does:
 * paced by the clock, a backlog older than 2 ms dropped (a signal already
 * pending on a thread absorbs the next one anyway). */
static void *cannon(void *arg)
{
	double rate = *(int *)arg;
	pid_t pid = getpid(), tids[256];
	int n = 0, next = 0;
	struct sigaction sa;
	while (sigaction(SIGPROF, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		nanosleep(&(struct timespec){ 0, 100 * 1000 }, NULL);
	double start = now_seconds(), listed = -1, sent = 0;
	for (;;) {
		double t = now_seconds() - start;
		if (t - listed >= 0.020) {
			n = list_targets(tids, 256);
			listed = t;
		}
		if (sent < (t - 0.002) * rate)
			sent = (t - 0.002) * rate;
		for (; sent < t * rate && n > 0; sent++, next++)
			syscall(SYS_tgkill, pid, tids[next % n], SIGPROF);
		nanosleep(&(struct timespec){ 0, 200 * 1000 }, NULL);
	}
	return NULL;
}

static void run_child(void *arg)
{
	struct run *r = arg;
	FILE *out = fopen(r->out, "w");
	if (!out || dup2(fileno(out), STDOUT_FILENO) < 0 || dup2(fileno(out), STDERR_FILENO) < 0)
		_exit(120);
	if (r->rate > 0) {
		/* The cannon never takes a SIGPROF itself: it blocks it before
		 * the program installs its handler, and its thread inherits that. */
		sigset_t prof, old;
		sigemptyset(&prof);
		sigaddset(&prof, SIGPROF);
		pthread_sigmask(SIG_BLOCK, &prof, &old);
		pthread_t t;
		if (pthread_create(&t, NULL, cannon, &r->rate) != 0)
			_exit(121);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	int argc = 0;
	while (r->argv[argc])
		argc++;
	exit(r->entry(argc, r->argv));
}

struct sampler_run {
	struct child_result res;
	char text[8192];
};

/* Runs one program start to end; its output in o->text. */
static void run_sampler(struct sampler_run *o, sampler_main *entry, int rate, char **argv)
{
	char path[] = "/tmp/check_sampler_ring-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_msg(fd >= 0, "mkstemp: %s", strerror(errno));
	close(fd);
	struct run r = { entry, argv, rate, path };
	o->res = run_in_child(run_child, &r, (RUN_SECONDS + 20) * slowdown());
	slurp_into(path, o->text, sizeof o->text, NULL);
	unlink(path);
}

static char *last_line(char *text)
{
	size_t n = strlen(text);
	while (n > 0 && text[n - 1] == '\n')
		text[--n] = '\0';
	char *nl = strrchr(text, '\n');
	return nl ? nl + 1 : text;
}

static unsigned long signals_handled(const char *text)
{
	const char *p = strstr(text, "proftorture: signals handled ");
	ck_assert_msg(p, "no 'proftorture: signals handled N' line in:\n%s", text);
	return strtoul(p + strlen("proftorture: signals handled "), NULL, 10);
}

static char *short_run[] = { "sampler-ring", "--seconds", "1", NULL };

START_TEST(test_fixed_build_passes_under_the_cannon)
{
	static struct sampler_run o;
	run_sampler(&o, sampler_ring_fixed_main, CANNON_RATE, short_run);
	ck_assert_msg(o.res.outcome == CHILD_EXITED && o.res.code == 0,
		      "fixed build: outcome %d, code %d, output:\n%s", o.res.outcome, o.res.code, o.text);
	unsigned long handled = signals_handled(o.text);
	ck_assert_msg(handled > 0, "fixed build passed without handling a SIGPROF:\n%s", o.text);
	ck_assert_msg(strstr(o.text, "!!!") == NULL, "a failure line in a passing run:\n%s", o.text);
	const char *last = last_line(o.text);
	unsigned long verified = 0;
	ck_assert_msg(sscanf(last, "sampler-ring: ok, %lu records verified", &verified) == 1 && verified > 0,
		      "last line is not 'sampler-ring: ok, N records verified': %s", last);
	printf("fixed build: passed, %lu records verified, %lu signals handled\n", verified, handled);
}
END_TEST

START_TEST(test_buggy_build_fails_under_the_cannon)
{
	static struct sampler_run o;
	int run;
	for (run = 1; run <= BUGGY_RUNS; run++) {
		run_sampler(&o, sampler_ring_buggy_main, CANNON_RATE, short_run);
		ck_assert_msg(o.res.outcome == CHILD_EXITED && (o.res.code == 0 || o.res.code == 1),
			      "buggy build: outcome %d, code %d (want exit 0 or 1), output:\n%s",
			      o.res.outcome, o.res.code, o.text);
		signals_handled(o.text); /* printed on either exit */
		if (o.res.code == 1)
			break;
	}
	ck_assert_msg(run <= BUGGY_RUNS, "the buggy build passed %d runs of %d s under %d SIGPROF/s;"
		      " the last one:\n%s", BUGGY_RUNS, RUN_SECONDS, CANNON_RATE, o.text);
	const char *bang = strstr(o.text, "!!! sampler-ring: record ");
	if (!bang)
		bang = strstr(o.text, "!!! sampler-ring: worker ");
	ck_assert_msg(bang, "exit 1 without a '!!! sampler-ring: ' line naming the record:\n%s", o.text);
	const char *end = strchr(bang, '\n');
	printf("buggy build: failed in run %d of at most %d: %.*s\n", run, BUGGY_RUNS,
	       (int)(end ? end - bang : (long)strlen(bang)), bang);
}
END_TEST

/* --- the command line --------------------------------------------------- */
static void expect_usage_error(char **argv, const char *names)
{
	static struct sampler_run o;
	run_sampler(&o, sampler_ring_fixed_main, 0, argv);
	/* the program spells its own 2; proftorture reads it as its usage status */
	ck_assert_msg(o.res.outcome == CHILD_EXITED && o.res.code == PROTOCOL_EXIT_USAGE,
		      "%s: outcome %d, code %d, want exit %d; output:\n%s", argv[1], o.res.outcome,
		      o.res.code, PROTOCOL_EXIT_USAGE, o.text);
	ck_assert_msg(strstr(o.text, names) && strchr(o.text, '\n') == o.text + strlen(o.text) - 1,
		      "%s: want one line naming %s, got:\n%s", argv[1], names, o.text);
}

START_TEST(test_bad_options_are_one_line_and_exit_2)
{
	expect_usage_error((char *[]){ "s", "--bogus", NULL }, "'--bogus'");
	expect_usage_error((char *[]){ "s", "--seconds", "0", NULL }, "--seconds '0'");
	expect_usage_error((char *[]){ "s", "--seconds", "2x", NULL }, "--seconds '2x'");
	expect_usage_error((char *[]){ "s", "--threads", "65", NULL }, "--threads '65'");
	expect_usage_error((char *[]){ "s", "--threads", NULL }, "--threads needs a value");
}
END_TEST

START_TEST(test_help_names_every_option)
{
	static struct sampler_run o;
	run_sampler(&o, sampler_ring_buggy_main, 0, (char *[]){ "s", "--help", NULL });
	ck_assert_msg(o.res.outcome == CHILD_EXITED && o.res.code == 0, "--help: code %d", o.res.code);
	ck_assert_msg(strstr(o.text, "--seconds S") && strstr(o.text, "--threads N") &&
			      strstr(o.text, "--help") && strstr(o.text, "buggy build"),
		      "--help says:\n%s", o.text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sampler_ring");
	TCase *tc = tcase_create("contract");
	tcase_add_test(tc, test_bad_options_are_one_line_and_exit_2);
	tcase_add_test(tc, test_help_names_every_option);
	suite_add_tcase(s, tc);
	tc = tcase_create("cannon");
	/* BUGGY_RUNS runs of 1 s at most, each with 20 s to spare, scaled */
	tcase_set_timeout(tc, (double)BUGGY_RUNS * (RUN_SECONDS + 20) * slowdown());
	tcase_add_test(tc, test_fixed_build_passes_under_the_cannon);
	tcase_add_test(tc, test_buggy_build_fails_under_the_cannon);
	suite_add_tcase(s, tc);
	return suite_run(s);
}
