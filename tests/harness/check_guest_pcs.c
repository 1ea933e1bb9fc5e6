/*
 * Where a hung guest's threads are under qemu-user (make check-harness):
 * - the ELF reader (harness/host/elf_symbols.c) against binutils' readelf
 *   on real static binaries of five arches: 32- and 64-bit, little- and
 *   big-endian, Thumb's odd addresses (armhf), and a Go binary: every
 *   function readelf lists, looked up at its middle, is named (or an alias
 *   at the same address) with the right offset; what it must refuse (a
 *   truncated file, not an ELF file, a position-independent executable);
 * - the summary's rule (threads_summary, pure): spinning threads named
 *   over the sleeping ones beside them (a Go runtime's idle threads), and
 *   the guest function more than half of them are in;
 * - the guest-PC plugin under qemu-mipsel on a program whose four threads
 *   spin in sched_yield (tests/programs/c/trap_quit.c "spin"): every one
 *   of them is named in sched_yield and the signature says so; and the
 *   negative control, the same runner without the plugin (a root that has
 *   none): `guest ?` and the signature of before; --no-guest-pcs: no
 *   guest column at all.
 */
#define _GNU_SOURCE
#include <check.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../harness/host/elf_symbols.h"
#include "../../harness/host/threads.h"
#include "../support/shell.h"
#include "../support/slurp.h"
#include "../support/suite_run.h"
#include "../support/tree.h"

static char top[PATH_MAX], runner[PATH_MAX + 32], scratch[PATH_MAX];

static void find_tree(void)
{
	tree_top(top, sizeof top, 5); /* <top>/build/native/tests/harness/check_guest_pcs */
	snprintf(runner, sizeof runner, "%s/build/native/proftorture", top);
	scratch_make(scratch, sizeof scratch, "check-guest-pcs");
}

static void remove_tree(void)
{
	scratch_remove(scratch);
}

/* ---- the ELF reader against readelf ---- */

/* Every defined function with a size that `readelf -sW` lists in path
 * must be found at its middle: its name or another at its address, and
 * the offset from it. Returns how many were checked. */
static int agree_with_readelf(const char *path, bool thumb)
{
	char why[160];
	struct elf_symbols *s = elf_symbols_load(path, why, sizeof why);
	ck_assert_msg(s, "%s: %s", path, why);
	char *cmd;
	ck_assert(asprintf(&cmd, "readelf -sW '%s'", path) > 0);
	FILE *f = popen(cmd, "r");
	ck_assert(f);
	char line[1024];
	int checked = 0, odd = 0;
	while (fgets(line, sizeof line, f)) {
		unsigned long long value, size;
		char type[16], bind[16], vis[16], ndx[16], name[512];
		if (sscanf(line, " %*[0-9]: %llx %llu %15s %15s %15s %15s %511s", &value, &size, type,
			   bind, vis, ndx, name) != 7 ||
		    strcmp(type, "FUNC") != 0 || strcmp(ndx, "UND") == 0 || size < 2 ||
		    strchr(name, '@'))
			continue;
		odd += (value & 1) != 0;
		if (thumb)
			value &= ~1ull;
		/* the function found at the middle is the one that starts at
		 * value (named name or an alias: several static functions may
		 * share a name, so the name alone proves nothing) */
		uint64_t off, off0;
		const char *start = elf_symbols_lookup(s, value, &off0);
		const char *got = elf_symbols_lookup(s, value + size / 2, &off);
		ck_assert_msg(start && off0 == 0, "%s: %s does not start a function", path, name);
		ck_assert_msg(got == start && off == size / 2, "%s: %s+0x%llx named %s+0x%llx", path,
			      name, size / 2, got ? got : "nothing", (unsigned long long)off);
		checked++;
	}
	ck_assert_int_eq(pclose(f), 0);
	free(cmd);
	if (thumb) /* the test of the Thumb rule must have met Thumb code */
		ck_assert_msg(odd > 100, "%s: only %d Thumb functions", path, odd);
	uint64_t main_at, off;
	ck_assert_msg(elf_symbols_address(s, "main", &main_at) ||
			      elf_symbols_address(s, "main.main", &main_at),
		      "%s has no main", path);
	const char *got = elf_symbols_lookup(s, main_at + 4, &off);
	ck_assert_msg(got && strstr(got, "main") && off == 4, "%s: main+4 is %s", path, got);
	elf_symbols_free(s);
	return checked;
}

START_TEST(test_the_reader_agrees_with_readelf)
{
	static const struct {
		const char *file;
		bool thumb;
		const char *what;
	} bins[] = {
		{ "build/mipsel/programs/trap_quit", false, "ELF32 LSB" },
		{ "build/mips/programs/trap_quit", false, "ELF32 MSB" },
		{ "build/armhf/programs/trap_quit", true, "ELF32 LSB, Thumb-2" },
		{ "build/s390x/programs/trap_quit", false, "ELF64 MSB" },
		{ "build/aarch64/programs/trap_quit", false, "ELF64 LSB" },
		{ "build/native/programs/hang", false, "a Go binary" },
	};
	for (size_t i = 0; i < sizeof bins / sizeof bins[0]; i++) {
		char path[PATH_MAX + 64];
		snprintf(path, sizeof path, "%s/%s", top, bins[i].file);
		int n = agree_with_readelf(path, bins[i].thumb);
		ck_assert_msg(n >= 300, "%s (%s): only %d functions", bins[i].file, bins[i].what, n);
	}
}
END_TEST

START_TEST(test_the_reader_refuses_what_it_cannot_read)
{
	char path[PATH_MAX + 64], why[160];
	snprintf(path, sizeof path, "%s/build/mipsel/programs/trap_quit", top);
	size_t len;
	char *elf = slurp(path, &len);
	ck_assert(elf && len > 4096);
	/* the section headers are at the end: a file cut short has none */
	ck_assert(elf_symbols_parse((unsigned char *)elf, len / 2, why, sizeof why) == NULL);
	ck_assert_msg(strstr(why, "out of the file"), "%s", why);
	ck_assert(elf_symbols_parse((unsigned char *)elf, 30, why, sizeof why) == NULL);
	ck_assert_str_eq(why, "not an ELF file");
	ck_assert(elf_symbols_parse((const unsigned char *)"#!/bin/sh\n", 10, why, sizeof why) == NULL);
	ck_assert_str_eq(why, "not an ELF file");
	free(elf);
	/* Debian's own programs are position-independent */
	ck_assert(elf_symbols_load("/bin/true", why, sizeof why) == NULL);
	ck_assert_msg(strstr(why, "position-independent"), "%s", why);
	ck_assert(elf_symbols_load("/nonexistent/x", why, sizeof why) == NULL);
	ck_assert_msg(strstr(why, "cannot read /nonexistent/x"), "%s", why);
}
END_TEST

/* ---- the summary's rule ---- */

START_TEST(test_the_summary_names_the_function_most_threads_are_in)
{
	char out[THREADS_SUMMARY_MAX];
	const char *spin4[] = { "spinning", "spinning", "spinning", "spinning" };
	const char *four[] = { "sched_yield", "sched_yield", "sched_yield", "sched_yield" };
	threads_summary(4, spin4, four, NULL, out, sizeof out);
	ck_assert_str_eq(out, "4 threads spinning in sched_yield");
	/* natively: no guest, the words of before */
	threads_summary(4, spin4, NULL, NULL, out, sizeof out);
	ck_assert_str_eq(out, "4 threads spinning");
	/* half is not more than half: no function */
	const char *split[] = { "a", "a", "b", "b" };
	threads_summary(4, spin4, split, NULL, out, sizeof out);
	ck_assert_str_eq(out, "4 threads spinning");
	/* unknown ones never agree with each other */
	const char *unknown[] = { "", "", NULL, "a" };
	threads_summary(4, spin4, unknown, NULL, out, sizeof out);
	ck_assert_str_eq(out, "4 threads spinning");
	/* a Go livelock under qemu: four spin, six idle threads sleep in
	 * futex; the spinners are named, by the function three of them are in
	 * (only theirs count: the sleepers' runtime.futex is not theirs) */
	const char *go[] = { "spinning", "blocked in futex", "spinning", "blocked in futex",
			     "spinning", "blocked in futex", "blocked in futex", "spinning",
			     "blocked in futex", "blocked in futex" };
	const char *go_fns[] = { "runtime/internal/syscall.Syscall6", "runtime.futex",
				 "runtime/internal/syscall.Syscall6", "runtime.futex",
				 "runtime/internal/syscall.Syscall6", "runtime.futex", "runtime.futex",
				 "runtime.usleep", "runtime.futex", "runtime.futex" };
	threads_summary(10, go, go_fns, NULL, out, sizeof out);
	ck_assert_str_eq(out, "4 of 10 threads spinning in runtime/internal/syscall.Syscall6 "
			      "(1 in runtime.usleep)");
	/* two spinners of six: still theirs */
	threads_summary(6, go + 1, go_fns + 1, NULL, out, sizeof out);
	ck_assert_str_eq(out, "2 of 6 threads spinning in runtime/internal/syscall.Syscall6");
	/* without a spinner: the most frequent words, "at" after "in" */
	const char *blocked[] = { "blocked in futex", "blocked in futex", "busy now and then" };
	const char *futex[] = { "runtime.futex", "runtime.futex", "runtime.usleep" };
	threads_summary(3, blocked, futex, NULL, out, sizeof out);
	ck_assert_str_eq(out, "2 of 3 threads blocked in futex at runtime.futex");
	const char *pause1[] = { "blocked in pause" };
	threads_summary(1, pause1, NULL, NULL, out, sizeof out);
	ck_assert_str_eq(out, "1 thread blocked in pause");
	threads_summary(0, NULL, NULL, NULL, out, sizeof out);
	ck_assert_str_eq(out, "");
	/* the loop the spinners share, when every one of them names it: the
	 * go1.12.9 livelock's threads all yield from cpuProfile.add */
	const char *yield[] = { "runtime.osyield", "runtime.osyield", "runtime.osyield",
				"runtime.osyield" };
	const char *add[] = { "runtime.(*cpuProfile).add", "runtime.(*cpuProfile).add",
			      "runtime.(*cpuProfile).add", "runtime.(*cpuProfile).add" };
	threads_summary(4, spin4, yield, add, out, sizeof out);
	ck_assert_str_eq(out, "4 threads spinning in runtime.osyield from runtime.(*cpuProfile).add");
	/* one thread with no caller known, or another one: the function alone */
	const char *one_unknown[] = { "runtime.(*cpuProfile).add", "", "runtime.(*cpuProfile).add",
				      "runtime.(*cpuProfile).add" };
	threads_summary(4, spin4, yield, one_unknown, out, sizeof out);
	ck_assert_str_eq(out, "4 threads spinning in runtime.osyield");
	const char *one_other[] = { "runtime.(*cpuProfile).add", "runtime.lock",
				    "runtime.(*cpuProfile).add", "runtime.(*cpuProfile).add" };
	threads_summary(4, spin4, yield, one_other, out, sizeof out);
	ck_assert_str_eq(out, "4 threads spinning in runtime.osyield");
	/* the odd one out is named: armel's go1.12.9 deadlock, four threads
	 * waiting in cpuProfile.add for the one stuck in the atomics' spinlock */
	const char *odd[] = { "runtime.osyield", "runtime/internal/atomic.kernelcas",
			      "runtime.osyield", "runtime.osyield", "runtime.osyield" };
	const char *spin5[] = { "spinning", "spinning", "spinning", "spinning", "spinning" };
	const char *add5[] = { "runtime.(*cpuProfile).add", "", "runtime.(*cpuProfile).add",
			       "runtime.(*cpuProfile).add", "runtime.(*cpuProfile).add" };
	threads_summary(5, spin5, odd, add5, out, sizeof out);
	ck_assert_str_eq(out, "5 threads spinning in runtime.osyield from runtime.(*cpuProfile).add "
			      "(1 in runtime/internal/atomic.kernelcas)");
	/* a long name is cut, the phrase still ends */
	char name[200];
	memset(name, 'x', sizeof name - 1);
	name[sizeof name - 1] = 0;
	const char *longer[] = { name };
	const char *spin1[] = { "spinning" };
	threads_summary(1, spin1, longer, NULL, out, sizeof out);
	ck_assert_msg(strlen(out) < 100 && strstr(out, "1 thread spinning in xxx"), "%s", out);
}
END_TEST

/* ---- under qemu-mipsel ---- */

/* `proftorture stress ARGS` with PROFTORTURE_ROOT=root ("" for the tree's),
 * stdout into *out; its exit status. */
static int stress(const char *root, char **out, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int stress(const char *root, char **out, const char *fmt, ...)
{
	char *args, *cmd;
	va_list ap;
	va_start(ap, fmt);
	ck_assert(vasprintf(&args, fmt, ap) > 0);
	va_end(ap);
	ck_assert(asprintf(&cmd, "%s%s timeout -s KILL 120 %s stress --status-interval 0 %s",
			   *root ? "PROFTORTURE_ROOT=" : "", root, runner, args) > 0);
	int rc = shell_capture(cmd, scratch, out, NULL);
	free(args);
	free(cmd);
	ck_assert_msg(*out, "cannot read %s/stdout", scratch);
	return rc;
}

static int count(const char *text, const char *what)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, what)); p++)
		n++;
	return n;
}

/* The callers named for samples caught in sched_yield ("sched_yield+0xN
 * K/M (from F+0x"): how many, -1 when one names anything but the loop
 * (spin, or main where it is inlined). A sample caught elsewhere (main,
 * just back from the call) may name sched_yield as its block before: that
 * is not a caller of the wrapper and is not counted. */
static int yield_callers(const char *text)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, "sched_yield+0x")); p++) {
		const char *end = strchr(p, '\n'), *from = strstr(p, " (from ");
		const char *next = strchr(p, ',');
		if (!from || (end && from > end) || (next && next < from))
			continue; /* this sample has no caller named */
		if (strncmp(from, " (from spin+0x", 14) && strncmp(from, " (from main+0x", 14))
			return -1;
		n++;
	}
	return n;
}

/* The spinning program under qemu-mipsel: a timeout long enough for qemu to
 * start it on a loaded machine, a grace of a second of samples. */
#define SPIN "--arch mipsel --count 1 --timeout 5 --kill-grace 1 -o %s/%s- -- " \
	     "%s/build/mipsel/programs/trap_quit spin"

START_TEST(test_the_plugin_names_every_spinning_thread)
{
	char *out, path[PATH_MAX + 32];
	int rc = stress("", &out, SPIN, scratch, "with", top);
	ck_assert_msg(rc == 1, "exit %d: %s", rc, out);
	ck_assert_msg(strstr(out, "threads spinning in sched_yield): trap_quit: waiting for ever"),
		      "%s", out);
	snprintf(path, sizeof path, "%s/with-1", scratch);
	char *file = slurp(path, NULL);
	ck_assert_msg(file, "cannot read %s", path);
	/* main and its three threads, each in the libc wrapper of the call
	 * (glibc's __sched_yield, named by its alias) */
	ck_assert_msg(count(file, "; guest sched_yield+0x") == 4, "%s", file);
	/* The caller is the block before the last, a hint: a thread caught
	 * past the wrapper's first block (sched_yield+0x14, after the system
	 * call) has its previous block in the wrapper too, and no caller is
	 * named. Every caller named is the loop (spin, inlined into main for
	 * the main thread), and at least one is. */
	ck_assert_msg(yield_callers(file) >= 1, "%s", file);
	/* qemu's own thread runs no guest code */
	ck_assert_msg(count(file, "; guest - (no guest code") >= 1, "%s", file);
	ck_assert_msg(!strstr(file, "guest ?"), "%s", file);
	free(file);
	free(out);
}
END_TEST

START_TEST(test_without_the_plugin_the_table_says_guest_unknown)
{
	/* the same runner with a root that has the arch table and no plugin */
	char root[PATH_MAX + 16], cmd[4 * PATH_MAX], *out, path[PATH_MAX + 32];
	snprintf(root, sizeof root, "%s/root", scratch);
	snprintf(cmd, sizeof cmd, "mkdir -p '%s/ci' && ln -s '%s/ci/arches.tsv' '%s/ci/'", root, top,
		 root);
	ck_assert_int_eq(system(cmd), 0);
	int rc = stress(root, &out, SPIN, scratch, "without", top);
	ck_assert_msg(rc == 1, "exit %d: %s", rc, out);
	ck_assert_msg(strstr(out, "threads spinning): trap_quit: waiting for ever"), "%s", out);
	ck_assert_msg(!strstr(out, "spinning in"), "%s", out);
	snprintf(path, sizeof path, "%s/without-1", scratch);
	char *file = slurp(path, NULL);
	ck_assert_msg(file, "cannot read %s", path);
	ck_assert_msg(count(file, "; guest ?\n") >= 4, "%s", file);
	ck_assert_msg(strstr(file, "qemu ran without the guest-PC plugin"), "%s", file);
	free(file);
	free(out);
	/* --no-guest-pcs: the plugin is there, the run goes without: no column */
	rc = stress("", &out, "--no-guest-pcs " SPIN, scratch, "off", top);
	ck_assert_msg(rc == 1 && strstr(out, "threads spinning): trap_quit"), "exit %d: %s", rc, out);
	snprintf(path, sizeof path, "%s/off-1", scratch);
	file = slurp(path, NULL);
	ck_assert_msg(file && strstr(file, "where every thread was") && !strstr(file, "; guest"),
		      "%s", file ? file : path);
	free(file);
	free(out);
}
END_TEST

static Suite *guest_pcs_suite(void)
{
	Suite *s = suite_create("guest_pcs");
	TCase *elf = tcase_create("elf");
	tcase_add_unchecked_fixture(elf, find_tree, remove_tree);
	tcase_set_timeout(elf, 60);
	tcase_add_test(elf, test_the_reader_agrees_with_readelf);
	tcase_add_test(elf, test_the_reader_refuses_what_it_cannot_read);
	tcase_add_test(elf, test_the_summary_names_the_function_most_threads_are_in);
	suite_add_tcase(s, elf);
	TCase *qemu = tcase_create("qemu");
	tcase_add_unchecked_fixture(qemu, find_tree, remove_tree);
	tcase_set_timeout(qemu, 240);
	tcase_add_test(qemu, test_the_plugin_names_every_spinning_thread);
	tcase_add_test(qemu, test_without_the_plugin_the_table_says_guest_unknown);
	suite_add_tcase(s, qemu);
	return s;
}

int main(void)
{
	return suite_run(guest_pcs_suite());
}
