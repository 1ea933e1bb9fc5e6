/*
 * Judging a run (docs/DESIGN.md, "The oracle"): what the oracle found while
 * reading, then conservation, then whether anything was exercised at all.
 *
 * Conservation. Per signal, the handler knows the fate (recorded, lost in an
 * atomic, ...). Per record, the reader knows what arrived. Overflow drops
 * whole records, samples or lost-atomic records alike, and counts them:
 *   dropped_samples      = recorded - samples_read,  0 <= it <= overflow
 *   dropped_lost_records = overflow - dropped_samples
 * Samples are judged for every variant. Lost-atomic counts (read, plus what
 * was never flushed) are judged only where the variant's counter is exact
 * (sigprof_ops()->lost_count_exact): equal to the signals lost in atomics
 * when no lost record was dropped, never more otherwise. Go's variants keep
 * a racy counter ("updated racily"): an increment can be lost, and a stale
 * increment can also overwrite a flush's reset and count the same signals
 * twice, so there the difference is reported (racy_delta), not judged.
 *
 * A shortfall is found at the end, not at a moment: drift has no time of
 * first failure (null in the result line).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "stress.h"

/* Evidence that something was exercised (rcutorture's tfle). */
#define MIN_HANDLED 100
#define MIN_IN_ATOMIC 10

/* Drift or not: the samples, then (exact counters only) the lost counts. */
static bool drifted(const struct run *r, const uint64_t *c, char *why, size_t cap)
{
	uint64_t recorded = c[CTR_RECORDED], read = c[CTR_SAMPLES], overflow = c[CTR_OVERFLOW];
	if (read > recorded || recorded - read > overflow) {
		snprintf(why, cap,
			 "conservation: %llu samples recorded, %llu read, %llu records dropped by overflow",
			 (unsigned long long)recorded, (unsigned long long)read,
			 (unsigned long long)overflow);
		return true;
	}
	if (!sigprof_ops(r->opt.variant)->lost_count_exact)
		return false;
	uint64_t dropped_lost_records = overflow - (recorded - read);
	uint64_t lost = c[CTR_LOST_ATOMIC], seen = c[CTR_LOST_ATOMIC_READ] + c[CTR_RESIDUE];
	if (dropped_lost_records == 0 ? seen == lost : seen <= lost)
		return false;
	snprintf(why, cap,
		 "conservation: %llu signals lost in atomics, %llu accounted (%llu read, %llu unflushed)",
		 (unsigned long long)lost, (unsigned long long)seen,
		 (unsigned long long)c[CTR_LOST_ATOMIC_READ], (unsigned long long)c[CTR_RESIDUE]);
	return true;
}

static bool vacuous(const struct run *r, const uint64_t *c, char *why, size_t cap)
{
	bool atomic_case = r->opt.kase != CASE_OVERFLOW;
	bool flushes_unlocked = sigprof_ops(r->opt.variant)->flush_unlocked != NULL;
	if (c[CTR_HANDLED] >= MIN_HANDLED && (!atomic_case || c[CTR_IN_ATOMIC] >= MIN_IN_ATOMIC) &&
	    !(flushes_unlocked && atomic_case && c[CTR_FLUSHES] == 0) &&
	    !(r->opt.kase == CASE_OVERFLOW && c[CTR_OVERFLOW] == 0))
		return false;
	snprintf(why, cap, "%s: %llu signals handled, %llu inside atomics, %llu unlocked flushes, "
			   "%llu overflowed records",
		 outcome_name(OUT_VACUOUS), (unsigned long long)c[CTR_HANDLED],
		 (unsigned long long)c[CTR_IN_ATOMIC], (unsigned long long)c[CTR_FLUSHES],
		 (unsigned long long)c[CTR_OVERFLOW]);
	return true;
}

static void judge_run(const struct run *r, const struct tally *t, struct verdict *v)
{
	const struct first_failure *f = run_failure(r);
	v->outcome = OUT_PASS;
	v->first_failure = -1;
	v->detail[0] = 0;
	if (f) {
		v->outcome = OUT_CORRUPT;
		v->first_failure = f->when;
		snprintf(v->detail, sizeof v->detail, "%s", f->detail);
	} else if (r->opt.probe) { /* nothing was profiled: only whether signals came */
		v->outcome = t->c[CTR_HANDLED] >= MIN_HANDLED ? OUT_PASS : OUT_VACUOUS;
	} else if (drifted(r, t->c, v->detail, sizeof v->detail)) {
		v->outcome = OUT_DRIFT;
	} else if (vacuous(r, t->c, v->detail, sizeof v->detail)) {
		v->outcome = OUT_VACUOUS;
	}
}

/* --force-outcome: the run was judged as usual; report the forced outcome
 * through the same result line and exit status, saying what it replaced. */
static void force(const struct run *r, struct verdict *v)
{
	enum outcome forced = (enum outcome)r->opt.force_outcome;
	char judged[sizeof v->detail];
	snprintf(judged, sizeof judged, "%s", v->detail);
	snprintf(v->detail, sizeof v->detail, "forced by --force-outcome %s (judged %s%s%.900s)",
		 outcome_name(forced), outcome_name(v->outcome), judged[0] ? ": " : "", judged);
	v->outcome = forced;
	if (!outcome_is_failure(forced))
		v->first_failure = -1;
}

void judge(const struct run *r, const struct tally *t, struct verdict *v)
{
	judge_run(r, t, v);
	if (r->opt.force_outcome >= 0)
		force(r, v);
}
