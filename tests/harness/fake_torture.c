/*
 * A stand-in for build/<arch>/torture that misbehaves on request, for the
 * runner's fault tests. It speaks the torture protocol (--list, --case,
 * --variant, --atomics, --seed, --duration; one JSON result line) and takes
 * its behaviour from the environment:
 *
 *   FAKE_TORTURE="key=mode,key=mode,..."  key: a variant, a case, or '*'
 *     (variant first, then case, then '*'); mode, optionally "mode@SECONDS"
 *     to sleep first:
 *   pass corrupt drift deadlock vacuous unsupported usage
 *                the protocol's own outcomes, line + matching exit status
 *   flaky        corrupt when seed is even, pass when odd
 *   late         pass for seeds 1 to 5, corrupt from seed 6 on (a negative
 *                control that needs more runs than --runs gives it)
 *   hang         print nothing, sleep forever
 *   hangkids     fork a grandchild (same process group, holding stdout)
 *                and both sleep forever
 *   orphan       fork a grandchild that sleeps holding stdout; print a pass
 *                line and exit 0 at once
 *   crash        print half a line, then SIGSEGV
 *   uncaught     print qemu's "uncaught target signal 11" message, SIGSEGV
 *   emu          print "QEMU internal SIGSEGV {...}", then SIGSEGV
 *   noline       exit 0 printing nothing
 *   badjson      a truncated result line, exit 0
 *   mismatch     a line saying corrupt, exit 0
 *   twolines     two valid pass lines, exit 0
 *   wrongseed    a pass line for another seed
 *   garbage      1 MiB of random bytes (NULs, '{', newlines) on both
 *                streams, then a newline and a valid pass line
 *   spew         64 MiB on stdout, then a valid pass line
 *   evildetail   a corrupt line whose detail holds control bytes and XML
 *                metacharacters
 *   loud         16 KiB of text on stderr, then a corrupt line (a failing
 *                run whose log is larger than a small file size limit)
 *   FAKE_PIDDIR=dir: every run (not --list) creates dir/<pid>, and
 *     grandchildren dir/<pid>, so a test can prove they are all gone.
 *   FAKE_DEFAULT: the default-atomics line of --list (default: native for
 *     native, global for any other arch).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"

static const char *opt(int argc, char **argv, const char *name, const char *def)
{
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return def;
}

static void note_pid(void)
{
	const char *dir = getenv("FAKE_PIDDIR");
	if (!dir)
		return;
	char path[4096];
	snprintf(path, sizeof path, "%s/%ld", dir, (long)getpid());
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* The mode for this run: variant, then case, then '*'. */
static char *pick_mode(const char *spec, const char *variant, const char *case_name)
{
	const char *keys[] = { variant, case_name, "*" };
	for (int k = 0; k < 3; k++) {
		char *copy = strdup(spec), *save = copy;
		for (char *item; (item = strsep(&save, ","));) {
			char *eq = strchr(item, '=');
			if (eq && (size_t)(eq - item) == strlen(keys[k]) &&
			    strncmp(item, keys[k], (size_t)(eq - item)) == 0) {
				char *m = strdup(eq + 1);
				free(copy);
				return m;
			}
		}
		free(copy);
	}
	return strdup("pass");
}

static void line(const char *c, const char *v, const char *arch, const char *at,
		 unsigned long long seed, const char *outcome, const char *detail)
{
	printf("{\"result\":\"%s\",\"version\":%d,\"case\":\"%s\",\"variant\":\"%s\","
	       "\"arch\":\"%s\",\"atomics\":\"%s\",\"seed\":%llu,\"threads\":4,\"source\":\"cannon\","
	       "\"rate\":\"max\",\"duration_s\":1.000,\"elapsed_s\":0.100,\"outcome\":\"%s\","
	       "\"first_failure_s\":%s,\"counters\":{\"sent\":100,\"handled\":100,\"in_atomic\":40,"
	       "\"samples\":60,\"flushes\":3,\"overflow\":0,\"records\":60,\"lost_atomic_read\":40,"
	       "\"lost_extra_read\":0,\"unknown_future_counter\":7},\"corruptions\":{%s},"
	       "\"detail\":\"%s\"}\n",
	       PROTOCOL_RESULT_NAME, PROTOCOL_RESULT_VERSION, c, v, arch, at, seed, outcome,
	       strcmp(outcome, "pass") && strcmp(outcome, "vacuous") && strcmp(outcome, "unsupported")
		       ? "0.050" : "null",
	       strcmp(outcome, "corrupt") == 0 ? "\"invalid-size\":1" : "", detail);
	fflush(stdout);
}

static void garbage(FILE *f, size_t n, unsigned seed)
{
	char buf[4096];
	for (size_t done = 0; done < n; done += sizeof buf) {
		for (size_t i = 0; i < sizeof buf; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (char)(seed >> 16);
		}
		fwrite(buf, 1, sizeof buf, f);
	}
	fputc('\n', f);
	fflush(f);
}

int main(int argc, char **argv)
{
	/* the arch is the name of the directory we live in: build/<arch>/torture */
	char arch[64] = "native";
	const char *slash = strrchr(argv[0], '/');
	if (slash && slash > argv[0]) {
		const char *p = slash - 1;
		while (p > argv[0] && p[-1] != '/')
			p--;
		snprintf(arch, sizeof arch, "%.*s", (int)(slash - p), p);
	}
	if (argc > 1 && strcmp(argv[1], "--list") == 0) {
		const char *def = getenv("FAKE_DEFAULT") ? getenv("FAKE_DEFAULT")
				  : strcmp(arch, "native") ? "global" : "native";
		printf("arch %s\ncases lost-atomic atomic-deadlock profile-stop overflow\n"
		       "variants unchecked unlocked-flush locked-flush locked-flush-kuser exact\n"
		       "sources cannon itimer thread-timer\nstrategies native global\n"
		       "default-atomics %s\n",
		       arch, def);
		return 0;
	}
	const char *c = opt(argc, argv, "--case", "lost-atomic");
	const char *v = opt(argc, argv, "--variant", "exact");
	const char *at = opt(argc, argv, "--atomics", "native");
	unsigned long long seed = strtoull(opt(argc, argv, "--seed", "1"), NULL, 10);
	note_pid();
	char *mode = pick_mode(getenv("FAKE_TORTURE") ? getenv("FAKE_TORTURE") : "*=pass", v, c);
	char *at_sign = strchr(mode, '@');
	if (at_sign) {
		*at_sign = 0;
		sleep_s(atof(at_sign + 1));
	}
	/* an outcome torture may report: its line and its exit status */
	int o = outcome_parse(mode);
	if (o >= 0 && outcome_child_may_report((enum outcome)o) && o != OUT_ERROR) {
		line(c, v, arch, at, seed, mode, "fake");
		return outcome_exit_status((enum outcome)o);
	}
	if (!strcmp(mode, "usage")) { /* a line it must not print, and usage's status */
		line(c, v, arch, at, seed, outcome_name(OUT_ERROR), "fake");
		return PROTOCOL_EXIT_USAGE;
	}
	if (!strcmp(mode, "flaky") || !strcmp(mode, "late")) {
		bool fails = !strcmp(mode, "flaky") ? seed % 2 == 0 : seed >= 6;
		enum outcome r = fails ? OUT_CORRUPT : OUT_PASS;
		line(c, v, arch, at, seed, outcome_name(r), mode);
		return outcome_exit_status(r);
	}
	if (!strcmp(mode, "hang") || !strcmp(mode, "hangkids")) {
		if (!strcmp(mode, "hangkids") && fork() == 0) {
			note_pid();
			for (;;)
				pause();
		}
		for (;;)
			pause();
	}
	if (!strcmp(mode, "orphan")) {
		if (fork() == 0) {
			note_pid();
			sleep_s(1000);
			_exit(0);
		}
		line(c, v, arch, at, seed, "pass", "orphan");
		return 0;
	}
	if (!strcmp(mode, "crash")) {
		printf("{\"result\":\"proftorture-st");
		fflush(stdout);
		raise(SIGSEGV);
	}
	if (!strcmp(mode, "uncaught")) {
		fprintf(stderr, "qemu: uncaught target signal 11 (Segmentation fault) - core dumped\n");
		signal(SIGSEGV, SIG_DFL);
		raise(SIGSEGV);
	}
	if (!strcmp(mode, "emu")) {
		fprintf(stderr, "QEMU internal SIGSEGV {code=MAPERR, addr=0x20}\n");
		raise(SIGSEGV);
	}
	if (!strcmp(mode, "noline"))
		return 0;
	if (!strcmp(mode, "badjson")) {
		printf("{\"result\":\"proftorture-stress\",\"version\":2,\"outcome\":\"pass\"\n");
		return 0;
	}
	if (!strcmp(mode, "mismatch")) {
		line(c, v, arch, at, seed, "corrupt", "says corrupt, exits 0");
		return 0;
	}
	if (!strcmp(mode, "twolines")) {
		line(c, v, arch, at, seed, "pass", "one");
		line(c, v, arch, at, seed, "pass", "two");
		return 0;
	}
	if (!strcmp(mode, "wrongseed")) {
		line(c, v, arch, at, seed + 1, "pass", "another seed");
		return 0;
	}
	if (!strcmp(mode, "garbage")) {
		garbage(stderr, 1 << 20, 7);
		garbage(stdout, 1 << 20, (unsigned)seed);
		line(c, v, arch, at, seed, "pass", "after garbage");
		return 0;
	}
	if (!strcmp(mode, "spew")) {
		static char mb[1 << 20];
		memset(mb, 'x', sizeof mb);
		for (int i = 0; i < 64; i++)
			fwrite(mb, 1, sizeof mb, stdout);
		putchar('\n');
		line(c, v, arch, at, seed, "pass", "after 64 MiB");
		return 0;
	}
	if (!strcmp(mode, "loud")) {
		for (int i = 0; i < 256; i++)
			fprintf(stderr, "fake_torture: loud line %03d, sixty-four bytes of it all told..\n", i);
		line(c, v, arch, at, seed, "corrupt", "after 16 KiB on stderr");
		return outcome_exit_status(OUT_CORRUPT);
	}
	if (!strcmp(mode, "evildetail")) {
		line(c, v, arch, at, seed, "corrupt",
		     "evil \\u0001\\u001b[31m <tag attr=\\\"x\\\"> & 'q' ]]> \\u00ff\\ud83d\\ude00 end");
		return outcome_exit_status(OUT_CORRUPT);
	}
	fprintf(stderr, "fake_torture: unknown mode '%s'\n", mode);
	return PROTOCOL_EXIT_USAGE;
}
