/* litmus_tear64: is a 64-bit atomic load single-copy atomic here? Run on
 * every arch to make one limit of the emulator a checked fact
 * (docs/limits.md, "64-bit loads that tear").
 *
 *   writer: word = (g << 32) | g, g = 1, 2, 3, ...     (atomic stores)
 *   reader: v = word; torn if v's halves differ        (atomic loads)
 *
 * C11 promises that an atomic load returns some value that was stored, so
 * "torn" must be 0 on every arch. Under qemu 7.2 it is not on armel:
 * Debian's armel libatomic does a 64-bit load with the kernel's cmpxchg64
 * helper and, when the word is not 0, a plain LDRD, safe on a uniprocessor
 * ARMv5 (nothing runs between its halves) and on ARMv7 with LPAE (single-
 * copy atomic). qemu runs the threads in parallel and translates LDRD as
 * two 32-bit loads, so another thread's store lands between them, with
 * -cpu arm926 as with its default CPU. --expect-torn states that
 * defect for the arches the build knows have it (mk/units.mk): the run then
 * passes only if it sees a torn load, so the day the emulator is fixed this
 * fails and the cells that depend on it (cases/expected.tsv, "measured")
 * can be judged again.
 *
 * The control, --busted, stores the two halves as two 32-bit atomic stores:
 * a torn 64-bit value is then there to see on every arch, and the same
 * detector must count it.
 *
 * Evidence that the threads raced: "changes", the loads that saw a value
 * other than the previous load's. Output: one line of key=value words;
 * exit 0 when the verdict holds, 1 when not (a second line says why), 2 on
 * bad usage. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "litmus.h"

#ifndef PROFTORTURE_ARCH
#define PROFTORTURE_ARCH "unknown"
#endif

#define DEFAULT_LOADS 2000000ul
#define DEFAULT_SECONDS 2.0
#define HARD_FACTOR 4
/* A quiet machine sees hundreds of thousands of changes per 2,000,000
 * loads on every arch; a loaded one still thousands. */
#define MIN_CHANGES 1000

/* The word under test, and its two halves for the control's stores. The
 * union is only ever accessed through the atomic members. */
static union {
	_Alignas(8) _Atomic uint64_t whole;
	_Atomic uint32_t half[2];
} word;

/* Not under test: seq_cst. */
static atomic_int stop;

static int cpus[2]; /* the writer's and the reader's, or -1 (litmus.h) */

static struct {
	int busted, expect_torn;
	unsigned long loads;
	double seconds;
} cfg;

struct tally {
	unsigned long long loads, changes, torn;
};


/* The halves are equal in every value stored whole; the control stores the
 * high half first, so between its two stores the halves differ. */
static void *writer(void *arg)
{
	(void)arg;
	litmus_pin(cpus[0]);
	for (uint32_t g = 1; !atomic_load(&stop); g++) {
		if (cfg.busted) {
			atomic_store(&word.half[0], g);
			atomic_store(&word.half[1], g);
		} else {
			atomic_store(&word.whole, ((uint64_t)g << 32) | g);
		}
	}
	return NULL;
}

static int enough(const struct tally *t)
{
	if (cfg.busted || cfg.expect_torn)
		return t->torn > 0;
	return t->changes >= MIN_CHANGES;
}

static void count(struct tally *t, double start)
{
	uint64_t last = 0;

	litmus_pin(cpus[1]);
	for (;;) {
		for (int i = 0; i < 1024; i++) {
			uint64_t v = atomic_load(&word.whole);
			t->changes += v != last;
			t->torn += (uint32_t)(v >> 32) != (uint32_t)v;
			last = v;
		}
		t->loads += 1024;
		double took = now_seconds() - start;
		if (enough(t) ? t->loads >= cfg.loads || took >= cfg.seconds
			      : took >= HARD_FACTOR * cfg.seconds)
			return;
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: litmus_tear64 [--busted] [--expect-torn] [--loads N] [--seconds S]\n"
		   "  is a 64-bit atomic load single-copy atomic? (docs/limits.md)\n"
		   "  --busted       the negative control: the writer stores the two halves\n"
		   "                 one at a time; passes only if a torn load is counted\n"
		   "  --expect-torn  this arch's emulator is known to split the load: pass\n"
		   "                 only if a torn load is counted (mk/units.mk says where)\n"
		   "  --loads N      at least N loads (default %lu), then on until the\n"
		   "                 evidence is in\n"
		   "  --seconds S    with the evidence in, stop at S seconds whatever the\n"
		   "                 loads (default %.0f); without, go on to %d x S\n",
		DEFAULT_LOADS, DEFAULT_SECONDS, HARD_FACTOR);
}

static void parse(int argc, char **argv)
{
	char *end;

	cfg.loads = DEFAULT_LOADS;
	cfg.seconds = DEFAULT_SECONDS;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--busted")) {
			cfg.busted = 1;
		} else if (!strcmp(a, "--expect-torn")) {
			cfg.expect_torn = 1;
		} else if (!strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--loads") && i + 1 < argc) {
			errno = 0;
			cfg.loads = strtoul(argv[++i], &end, 10);
			if (errno || *end || cfg.loads == 0 || cfg.loads > 1000000000ul) {
				fprintf(stderr, "litmus_tear64: --loads: '%s' is not a count from 1 "
						"to 1000000000\n", argv[i]);
				usage(stderr);
				exit(2);
			}
		} else if (!strcmp(a, "--seconds") && i + 1 < argc) {
			cfg.seconds = strtod(argv[++i], &end);
			if (*end || !(cfg.seconds > 0 && cfg.seconds <= 3600)) {
				fprintf(stderr, "litmus_tear64: --seconds: '%s' is not a number of "
						"seconds above 0 and at most 3600\n", argv[i]);
				usage(stderr);
				exit(2);
			}
		} else {
			fprintf(stderr, "litmus_tear64: unknown argument '%s'\n", a);
			usage(stderr);
			exit(2);
		}
	}
}

static int verdict(const struct tally *t, double took)
{
	const char *expect = cfg.busted ? "(expected > 0: the writer stores one half at a time, "
					  "the control)"
			     : cfg.expect_torn ? "(expected > 0 here: the emulator splits this "
						 "arch's 64-bit load, docs/limits.md)"
					       : "(expected 0: C11 atomics)";

	printf("litmus tear64%s: arch=%s loads=%llu changes=%llu torn=%llu seconds=%.2f %s\n",
	       cfg.busted ? " BUSTED" : "", PROFTORTURE_ARCH, t->loads, t->changes, t->torn, took,
	       expect);
	if ((cfg.busted || cfg.expect_torn) && t->torn == 0) {
		printf("litmus tear64%s: FAILED: no torn load in %.0f s (changes=%llu)%s\n",
		       cfg.busted ? " BUSTED" : "", HARD_FACTOR * cfg.seconds, t->changes,
		       cfg.busted ? ": the detector cannot see the outcome it looks for"
				  : ": has the emulator stopped splitting the load? Then "
				    "drop --expect-torn for this arch (mk/units.mk) and judge the "
				    "cells cases/expected.tsv marks measured for it");
		return 1;
	}
	if (!cfg.busted && !cfg.expect_torn && t->torn > 0) {
		printf("litmus tear64: FAILED: torn=%llu: a 64-bit atomic load returned half of "
		       "one store and half of another\n", t->torn);
		return 1;
	}
	if (!enough(t)) {
		printf("litmus tear64: FAILED: too little racing for torn=0 to mean anything: "
		       "need changes >= %d in %g s (a loaded machine, or one CPU?)\n", MIN_CHANGES,
		       HARD_FACTOR * cfg.seconds);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t w;
	struct tally t = { 0 };

	parse(argc, argv);
	litmus_choose_cpus(cpus);
	double start = now_seconds();
	if (pthread_create(&w, NULL, writer, NULL) != 0) {
		fprintf(stderr, "litmus_tear64: cannot start the writer thread\n");
		return 1;
	}
	count(&t, start);
	atomic_store(&stop, 1);
	pthread_join(w, NULL);
	return verdict(&t, now_seconds() - start);
}
