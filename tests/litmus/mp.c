/* litmus_mp: the message-passing litmus test, run on every arch to make one
 * limit of this project a checked fact (docs/limits.md, "Memory order").
 *
 *   writer: data = 1; flag = 1;        reader: r1 = flag; r2 = data;
 *
 * r1 == 1 && r2 == 0 ("reordered") is forbidden on a TSO machine such as
 * x86-64, and allowed on ARM and MIPS hardware when nothing orders the two
 * stores or the two loads. qemu-user runs the guest's loads and stores as the
 * host's, in the host's order, so on an x86-64 host the outcome never shows
 * for any guest arch: a missing-barrier bug passes every run under qemu.
 * This program measures that (reordered must be 0) and, with --busted, runs
 * the negative control: the writer stores flag before data, the one way a
 * TSO machine shows the outcome, and the same detector must count it.
 *
 * Technique (as litmus7's): many short batches of fresh locations, both
 * threads released together by a barrier at the start of each batch, each
 * pinned to its own CPU so that they really run at the same time. Fresh
 * locations cost no clearing: batch b writes the value b, so anything else
 * the reader sees is older. Output: one line of key=value words; exit 0 when
 * the verdict holds, 1 when not (a second line says why), 2 on bad usage. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "litmus.h"

#ifndef PROFTORTURE_ARCH
#define PROFTORTURE_ARCH "unknown"
#endif

/* 256 slots keep a batch in L1 while leaving room for the two threads to
 * meet; 15625 batches are 4,000,000 iterations. */
enum { BATCH = 256, POLLS = 100 };
#define DEFAULT_ITERATIONS 4000000ul
#define DEFAULT_SECONDS 2.0
#define HARD_FACTOR 4

/* The evidence that the threads raced, so that reordered=0 says something.
 * races: the reader saw this batch's flag (at least a tenth of iterations).
 * caught: it saw the flag old, then new, on one iteration's polls: it read
 * the flag while the writer was storing it, the window the outcome needs
 * (at least MIN_CAUGHT: a quiet machine gives thousands per 4,000,000 on
 * every arch, one at load 10 to 14 hundreds to thousands, so the run goes
 * on until it has them: time_to_stop). */
#define MIN_RACE_PERCENT 10
#define MIN_CAUGHT 200

/* flag and data on lines of their own: a store to one can then become
 * visible before a store to the other, which is what the control needs on
 * a TSO host and what weak hardware does with a missing barrier. */
struct slot {
	_Alignas(64) atomic_uint flag;
	_Alignas(64) atomic_uint data;
};

static struct slot slots[BATCH];

/* The barrier and the stop decision are seq_cst: they are not under test,
 * and they must order everything around them. */
static _Alignas(64) atomic_uint arrived;
static _Alignas(64) atomic_uint stop_at = ~0u;

static int cpus[2] = { -1, -1 }; /* the writer's and the reader's, or -1 */

struct config {
	int busted;
	unsigned long min_batches;
	double seconds;
};

/* 64-bit: 32-bit arches do tens of millions of iterations a second. */
struct tally {
	unsigned long long batches, races, caught, reordered;
};

static struct config cfg;
static struct tally tally; /* the reader's alone until it is joined */



/* Two threads: batch b starts when both have arrived b times. The one that
 * arrives second goes at once and the other a cache transfer later, so
 * which leads varies from batch to batch. A partner not there after 10
 * spins is not running, so yield: on a shared CPU it needs this one's turn,
 * and under qemu, spinning without a yield starved the partner (at load 14,
 * mipsel did 1,024 iterations in 2 s). In interleaved runs at load 10, a
 * yield after 10 spins did as well as after 1, and better than after 1000. */
static void barrier(unsigned b)
{
	int spins = 0;

	atomic_fetch_add(&arrived, 1);
	while (atomic_load(&arrived) < 2 * b)
		if (++spins == 10) {
			sched_yield();
			spins = 0;
		}
}


/* Relaxed stores: the test is of the hardware's order, so the language must
 * not order them. atomic_signal_fence is a compiler-only barrier: it keeps
 * gcc from swapping the two stores, and emits no instruction, so the
 * hardware (or qemu) is free to reorder them. */
static void *writer(void *arg)
{
	(void)arg;
	litmus_pin(cpus[0]);
	for (unsigned b = 1;; b++) {
		barrier(b);
		if (b >= atomic_load(&stop_at))
			return NULL;
		for (int i = 0; i < BATCH; i++) {
			atomic_uint *first = cfg.busted ? &slots[i].flag : &slots[i].data;
			atomic_uint *second = cfg.busted ? &slots[i].data : &slots[i].flag;
			atomic_store_explicit(first, b, memory_order_relaxed);
			atomic_signal_fence(memory_order_seq_cst);
			atomic_store_explicit(second, b, memory_order_relaxed);
		}
	}
}

static int enough_evidence(const struct tally *t)
{
	unsigned long long iterations = t->batches * BATCH;

	if (cfg.busted)
		return t->reordered > 0;
	return t->races * 100 >= iterations * MIN_RACE_PERCENT && t->caught >= MIN_CAUGHT;
}

/* With the evidence in, stop after the minimum, or at --seconds however
 * few the iterations. Without it, go on to HARD_FACTOR times that: on this
 * machine at load 12 one mipsel run in about ten did 4 batches in its first
 * 2 s and the next runs millions of iterations, so a burst of load should
 * cost time, not a false failure. The decision is a batch number stored
 * before arriving at that batch, so the writer, reading it after the
 * barrier, sees it for exactly that batch. */
static int time_to_stop(double start)
{
	double t = now_seconds() - start;

	if (enough_evidence(&tally))
		return tally.batches >= cfg.min_batches || t >= cfg.seconds;
	return t >= HARD_FACTOR * cfg.seconds;
}

/* The reader polls the flag up to POLLS times, so that when it leads it
 * reads the flag just as the writer stores it (the last value read is r1);
 * a bound, so that a reader far ahead of a descheduled writer moves on.
 * Relaxed loads and the compiler-only fence, as in the writer. */
static void *reader(void *arg)
{
	double start = *(const double *)arg;

	litmus_pin(cpus[1]);
	for (unsigned b = 1;; b++) {
		if (time_to_stop(start))
			atomic_store(&stop_at, b);
		barrier(b);
		if (b >= atomic_load(&stop_at))
			return NULL;
		for (int i = 0; i < BATCH; i++) {
			unsigned r1, r2;
			int polls = 0;
			while ((r1 = atomic_load_explicit(&slots[i].flag, memory_order_relaxed)) != b &&
			       ++polls < POLLS)
				;
			atomic_signal_fence(memory_order_seq_cst);
			r2 = atomic_load_explicit(&slots[i].data, memory_order_relaxed);
			if (r1 == b) {
				tally.races++;
				tally.caught += polls > 0;
				tally.reordered += r2 != b;
			}
		}
		tally.batches++;
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: litmus_mp [--busted] [--iterations N] [--seconds S]\n"
		   "  the message-passing litmus test (docs/limits.md)\n"
		   "  --busted        the negative control: the writer stores flag first;\n"
		   "                  passes only if the detector counts reordered > 0\n"
		   "  --iterations N  at least N iterations (default %lu), then on until the\n"
		   "                  evidence is in\n"
		   "  --seconds S     with the evidence in, stop at S seconds whatever the\n"
		   "                  iterations (default %.0f); without, go on to %d x S\n",
		DEFAULT_ITERATIONS, DEFAULT_SECONDS, HARD_FACTOR);
}

static void parse(int argc, char **argv)
{
	unsigned long iterations = DEFAULT_ITERATIONS;
	char *end;

	cfg.seconds = DEFAULT_SECONDS;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--busted")) {
			cfg.busted = 1;
		} else if (!strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--iterations") && i + 1 < argc) {
			errno = 0;
			iterations = strtoul(argv[++i], &end, 10);
			if (errno || *end || iterations == 0 || iterations > 1000000000ul)
				goto bad;
		} else if (!strcmp(a, "--seconds") && i + 1 < argc) {
			cfg.seconds = strtod(argv[++i], &end);
			if (*end || !(cfg.seconds > 0 && cfg.seconds <= 3600))
				goto bad;
		} else {
			goto bad;
		}
	}
	cfg.min_batches = (iterations + BATCH - 1) / BATCH;
	return;
bad:
	fprintf(stderr, "litmus_mp: bad arguments\n");
	usage(stderr);
	exit(2);
}

static int verdict(const struct tally *t, double took)
{
	unsigned long long iterations = t->batches * BATCH;

	printf("litmus mp%s: arch=%s iterations=%llu races=%llu caught=%llu reordered=%llu "
	       "seconds=%.2f %s\n",
	       cfg.busted ? " BUSTED" : "", PROFTORTURE_ARCH, iterations, t->races, t->caught,
	       t->reordered, took,
	       cfg.busted ? "(expected > 0: the writer stores flag before data, the control)"
			  : strcmp(PROFTORTURE_ARCH, "native") == 0
				? "(expected 0: x86-64 is TSO)"
				: "(expected 0: qemu-user on x86-64 keeps the host's TSO order)");
	if (cfg.busted && t->reordered == 0) {
		printf("litmus mp BUSTED: FAILED: no reordering seen: the detector cannot show the "
		       "outcome it looks for (caught=%llu: did the threads run at once?)\n", t->caught);
		return 1;
	}
	if (!cfg.busted && t->reordered > 0) {
		printf("litmus mp: FAILED: reordered=%llu: this machine reordered the stores or the "
		       "loads; an x86-64 host cannot (is the host weakly ordered?)\n", t->reordered);
		return 1;
	}
	if (!cfg.busted && !enough_evidence(t)) {
		printf("litmus mp: FAILED: too little racing for reordered=0 to mean anything: need "
		       "races >= %d%% of iterations and caught >= %d in %g s (a loaded machine, "
		       "or one CPU?)\n", MIN_RACE_PERCENT, MIN_CAUGHT, HARD_FACTOR * cfg.seconds);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t w, r;
	double t0;
	int err;

	parse(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	litmus_choose_cpus(cpus);
	t0 = now_seconds();
	if ((err = pthread_create(&w, NULL, writer, NULL)) != 0 ||
	    (err = pthread_create(&r, NULL, reader, &t0)) != 0) {
		fprintf(stderr, "litmus_mp: pthread_create: %s\n", strerror(err));
		return 1;
	}
	pthread_join(w, NULL);
	pthread_join(r, NULL);
	return verdict(&tally, now_seconds() - t0);
}
