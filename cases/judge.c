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
 * libatomic-deadlock writes no log: its handlers count in a C11 counter
 * (samples: its total at the end, read by run_finish) or, when the check
 * skips the signal, in a 32-bit atomic (lost-atomic counts read). Both are
 * exact under every variant, so there conservation is judged exactly for
 * all of them: counter == signals counted, lost == signals skipped. Its
 * evidence is signals inside libatomic calls where libatomic locks (the
 * event the case is about), else inside the 64-bit atomics it inlines.
 *
 * A shortfall is found at the end, not at a moment: drift has no time of
 * first failure (null in the result line).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "torture.h"

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
	if (!sigprof_ops(r->opt.variant)->lost_count_exact && r->opt.kase != CASE_LIBATOMIC_DEADLOCK)
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

/* Signals whose PC was inside a locking libatomic's call (not a counter of
 * the result line: only libatomic-deadlock's evidence needs it). */
static uint64_t in_libatomic(const struct run *r)
{
	uint64_t n = 0;
	for (int i = 0; i < run_targets(r); i++)
		n += peek(&r->workers[i].in_libatomic);
	return n;
}

static bool vacuous(const struct run *r, const uint64_t *c, char *why, size_t cap)
{
	/* rate-change is about the controller's signals, not atomics: it needs
	 * signals that reached main, the thread that enters the section. */
	bool rate_change = r->opt.kase == CASE_RATE_CHANGE;
	bool atomic_case = r->opt.kase != CASE_OVERFLOW && !rate_change;
	uint64_t by_controller = rate_change ? peek(&r->workers[r->opt.threads].handled) : 0;
	bool c11 = r->opt.kase == CASE_LIBATOMIC_DEADLOCK; /* writes no log, so flushes none */
	bool flushes_unlocked = sigprof_ops(r->opt.variant)->flush_unlocked != NULL && !c11;
	bool libatomic_locks = c11 && atomic_emul_lock_count() > 0;
	if (c[CTR_HANDLED] >= MIN_HANDLED && (!atomic_case || c[CTR_IN_ATOMIC] >= MIN_IN_ATOMIC) &&
	    !(libatomic_locks && in_libatomic(r) < MIN_IN_ATOMIC) &&
	    !(flushes_unlocked && atomic_case && c[CTR_FLUSHES] == 0) &&
	    !(r->opt.kase == CASE_OVERFLOW && c[CTR_OVERFLOW] == 0) &&
	    !(rate_change && by_controller < MIN_IN_ATOMIC))
		return false;
	char controller[64] = "";
	if (rate_change)
		snprintf(controller, sizeof controller, ", %llu by the controller",
			 (unsigned long long)by_controller);
	snprintf(why, cap, "%s: %llu signals handled, %llu inside atomics (%llu inside libatomic "
			   "calls), %llu unlocked flushes, %llu overflowed records%s",
		 outcome_name(OUT_VACUOUS), (unsigned long long)c[CTR_HANDLED],
		 (unsigned long long)c[CTR_IN_ATOMIC], (unsigned long long)in_libatomic(r),
		 (unsigned long long)c[CTR_FLUSHES], (unsigned long long)c[CTR_OVERFLOW], controller);
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
