/*
 * The run state: the one struct run of this process, its clock, the main
 * thread's progress, the first failure, the claim on the result line, and
 * the tally of every counter. Everything in cases/ uses this file; it uses
 * nothing else in cases/ (torture.h, "Files").
 *
 * Memory orders. A failure is claimed with a relaxed CAS on `claimed`: the
 * CAS only decides who writes; it publishes nothing. The claimer writes
 * `when` and `detail` with plain stores, then release-stores `published`; a
 * reader acquire-loads `published` before reading them, so it sees what the
 * claimer wrote. Nobody writes them after publication. `reported` and
 * `finished` follow the same pattern (acq_rel CAS, release store / acquire
 * load): the winner of `reported` is the only writer of the result line,
 * and run_finish's residue and C11 total are seen by whoever sees `finished`.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "torture.h"

struct run *the_run;
static struct run run_storage;

static double monotonic_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct run *run_init(const struct options *o)
{
	run_storage.opt = *o;
	run_storage.t0 = monotonic_seconds();
	the_run = &run_storage; /* before any thread is created: pthread_create orders it */
	return the_run;
}

double run_clock(void)
{
	return the_run ? monotonic_seconds() - the_run->t0 : monotonic_seconds();
}

void run_note_progress(struct run *r)
{
	bump(&r->main_progress);
}

uint32_t run_main_progress(const struct run *r)
{
	return peek(&r->main_progress);
}

/* ---- the first failure ---- */

bool run_fail(struct run *r, double when, const char *fmt, ...)
{
	uint32_t unclaimed = 0;
	if (!__atomic_compare_exchange_n(&r->failure.claimed, &unclaimed, 1, false, __ATOMIC_RELAXED,
					 __ATOMIC_RELAXED))
		return false;
	r->failure.when = when;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->failure.detail, sizeof r->failure.detail, fmt, ap);
	va_end(ap);
	__atomic_store_n(&r->failure.published, 1, __ATOMIC_RELEASE);
	return true;
}

bool run_failed(const struct run *r)
{
	return __atomic_load_n(&r->failure.claimed, __ATOMIC_RELAXED) != 0;
}

const struct first_failure *run_failure(const struct run *r)
{
	return __atomic_load_n(&r->failure.published, __ATOMIC_ACQUIRE) ? &r->failure : NULL;
}

const struct first_failure *run_failure_wait(const struct run *r, double seconds)
{
	double end = run_clock() + seconds;
	while (run_failed(r) && !run_failure(r) && run_clock() < end) {
		struct timespec ms = { 0, 1000 * 1000 };
		nanosleep(&ms, NULL);
	}
	return run_failure(r);
}

void run_corruption(struct run *r, enum corruption kind, const char *fmt, ...)
{
	__atomic_fetch_add(&r->corruptions[kind], 1, __ATOMIC_RELAXED);
	char text[sizeof r->failure.detail];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (run_fail(r, run_clock(), "%s: %s", protocol_corruption_names[kind], text))
		fprintf(stderr, "torture: !!! %s\n", r->failure.detail);
}

/* ---- the end ---- */

bool run_claim_report(struct run *r)
{
	uint32_t unclaimed = 0;
	return __atomic_compare_exchange_n(&r->reported, &unclaimed, 1, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

void run_finish(struct run *r, uint64_t residue)
{
	r->residue = residue;
	r->c11_samples = atomic_load(&r->c11.samples); /* no handler runs any more: free */
	__atomic_store_n(&r->finished, 1, __ATOMIC_RELEASE);
}

static void tally_workers(const struct run *r, uint64_t *c)
{
	for (int i = 0; i < run_targets(r); i++) {
		const struct worker *w = &r->workers[i];
		c[CTR_HANDLED] += peek(&w->handled);
		c[CTR_IN_ATOMIC] += peek(&w->in_atomic);
		c[CTR_LOST_ATOMIC] += peek(&w->lost_atomic);
		c[CTR_RECORDED] += peek(&w->recorded);
		c[CTR_TOO_LATE] += peek(&w->too_late);
		c[CTR_IGNORED] += peek(&w->ignored);
		c[CTR_FLUSHES] += peek(&w->flushes);
		c[CTR_ITERATIONS] += peek(&w->iterations);
	}
}

/* The reader's totals are plain fields it adds to after each session: exact
 * once it is joined; the watchdog reads them as it finds them. */
void run_tally(const struct run *r, struct tally *t)
{
	memset(t, 0, sizeof *t);
	uint64_t *c = t->c;
	tally_workers(r, c);
	c[CTR_SENT] = r->opt.source == SOURCE_CANNON ? peek(&r->sent) : 0;
	c[CTR_SAMPLES] = r->totals.samples;
	c[CTR_RECORDS] = r->totals.records;
	c[CTR_OVERFLOW] = r->totals.overflow;
	c[CTR_LOST_ATOMIC_READ] = r->totals.lost_atomic;
	c[CTR_LOST_EXTRA_READ] = r->totals.lost_external;
	c[CTR_SESSIONS] = peek(&r->session);
	bool finished = __atomic_load_n(&r->finished, __ATOMIC_ACQUIRE);
	if (r->opt.kase == CASE_LIBATOMIC_DEADLOCK) {
		/* No log gets samples here: the C11 counter is what was read, and
		 * the 32-bit count of skipped signals the lost counts read. The
		 * counter only once main read it (run_finish): before, reading it
		 * may take a deadlocked worker's libatomic mutex. */
		c[CTR_SAMPLES] = finished ? r->c11_samples : 0;
		c[CTR_LOST_ATOMIC_READ] = peek(&r->c11.lost);
	}
	if (finished) {
		c[CTR_RESIDUE] = r->residue;
		t->racy_delta = (int64_t)(c[CTR_LOST_ATOMIC_READ] + c[CTR_RESIDUE]) -
				(int64_t)c[CTR_LOST_ATOMIC];
	}
}
