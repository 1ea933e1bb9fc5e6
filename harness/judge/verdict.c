#include "verdict.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

const char *verdict_name(enum verdict_kind k)
{
	switch (k) {
	case V_REPRODUCED: return "reproduced";
	case V_CLEAN: return "clean";
	case V_INCONCLUSIVE: return "inconclusive";
	case V_UNSUPPORTED: return outcome_name(OUT_UNSUPPORTED); /* every run was */
	}
	return "?";
}

bool verdict_kind_allowed(outcome_set expected, enum outcome got)
{
	if (expected & OUTCOME_BIT(got))
		return true;
	if (got == OUT_DRIFT && (expected & OUTCOME_BIT(OUT_CORRUPT)))
		return true;
	return got == OUT_TIMEOUT && (expected & OUTCOME_BIT(OUT_DEADLOCK));
}

static void append_kinds(struct sbuf *b, const struct cell_tally *t, bool failures)
{
	bool first = true;
	for (int o = 0; o < OUT_COUNT; o++) {
		bool want = failures ? outcome_is_failure((enum outcome)o)
				     : !outcome_is_informative((enum outcome)o);
		if (!want || !t->count[o])
			continue;
		sb_printf(b, "%s%s %lu", first ? "" : " + ", outcome_name((enum outcome)o), t->count[o]);
		first = false;
	}
}

static void fmt_pct(char *buf, size_t cap, double p)
{
	if (p >= 0.001 || p == 0)
		snprintf(buf, cap, "%.1f%%", 100 * p);
	else
		snprintf(buf, cap, "%.2g%%", 100 * p);
}

/* The counts every verdict starts from; returns the runs that are neither
 * passes nor failures. */
static unsigned long count_runs(const struct cell_tally *t, struct cell_verdict *v)
{
	unsigned long other = 0;
	for (int o = 0; o < OUT_COUNT; o++) {
		v->total += t->count[o];
		if (outcome_is_failure((enum outcome)o))
			v->failures += t->count[o];
		if (outcome_is_informative((enum outcome)o))
			v->n += t->count[o];
		else
			other += t->count[o];
	}
	return other;
}

static void describe_reproduced(struct cell_tally *t, struct cell_verdict *v, struct sbuf *txt)
{
	char a[32], b[32], c[32];
	v->kind = V_REPRODUCED;
	v->rate = (double)v->failures / (double)v->n;
	v->ci = stats_clopper_pearson(v->failures, v->n, VERDICT_CONFIDENCE);
	if (t->nttff) {
		v->ttff_median = stats_quantile(t->ttff, t->nttff, 0.5);
		v->ttff_p90 = stats_quantile(t->ttff, t->nttff, 0.9);
	}
	append_kinds(txt, t, true);
	fmt_pct(a, sizeof a, v->rate);
	fmt_pct(b, sizeof b, v->ci.lo);
	fmt_pct(c, sizeof c, v->ci.hi);
	sb_printf(txt, " of %lu (%s, 95%% CI %s-%s)", v->n, a, b, c);
	if (t->nttff)
		sb_printf(txt, "; first failure median %.3gs p90 %.3gs", v->ttff_median, v->ttff_p90);
}

static void describe_clean(const struct cell_tally *t, struct cell_verdict *v, struct sbuf *txt)
{
	char a[32];
	v->kind = V_CLEAN;
	v->rate = 0;
	v->bound_run = stats_zero_failure_upper((double)v->n, VERDICT_CONFIDENCE);
	fmt_pct(a, sizeof a, v->bound_run);
	sb_printf(txt, "0/%lu failed: < %s per run", v->n, a);
	if (t->near_misses > 0) {
		v->bound_near = stats_zero_failure_upper(t->near_misses, VERDICT_CONFIDENCE);
		sb_printf(txt, ", < %.2g per near miss (%.0f near misses)", v->bound_near,
			  t->near_misses);
	} else if (t->signals > 0) {
		/* a program without near misses: its exposure is what it handled */
		sb_printf(txt, " (95%%); %.0f signals handled", t->signals);
		return;
	} else {
		sb_puts(txt, ", no near misses counted");
	}
	sb_puts(txt, " (95%)");
}

/* Expected pass: clean, and no run in error (an error run has no
 * trustworthy result line, and can hide a failure). */
static void judge_expected_pass(const struct cell_tally *t, struct cell_verdict *v)
{
	v->matches = v->kind == V_CLEAN && t->count[OUT_ERROR] == 0;
	if (v->matches)
		snprintf(v->reason, sizeof v->reason, "expected pass: clean");
	else if (v->kind == V_CLEAN)
		snprintf(v->reason, sizeof v->reason,
			 "expected pass, but %lu run(s) ended in error (no trustworthy result)",
			 t->count[OUT_ERROR]);
	else if (v->kind == V_REPRODUCED)
		snprintf(v->reason, sizeof v->reason, "expected pass, but %lu run(s) failed",
			 v->failures);
	else
		snprintf(v->reason, sizeof v->reason, "expected pass, but inconclusive");
}

/* Expected to fail (a negative control): enough failures of an expected
 * kind, and none of another. */
static void judge_negative_control(const struct cell_tally *t, outcome_set expected,
				   struct cell_verdict *v)
{
	char en[64];
	outcome_set_name(expected, en, sizeof en);
	unsigned long unexpected = 0, hits = 0;
	for (int o = 0; o < OUT_COUNT; o++) {
		if (outcome_is_failure((enum outcome)o) && !verdict_kind_allowed(expected, (enum outcome)o))
			unexpected += t->count[o];
		if (expected & OUTCOME_BIT(o))
			hits += t->count[o];
	}
	v->matches = v->kind == V_REPRODUCED && hits >= VERDICT_MIN_REPRODUCED && !unexpected;
	if (v->matches)
		snprintf(v->reason, sizeof v->reason, "expected %s: reproduced in %lu of %lu runs", en,
			 hits, v->n);
	else if (unexpected)
		snprintf(v->reason, sizeof v->reason,
			 "expected %s, but %lu failing run(s) were of another kind", en, unexpected);
	else if (v->kind == V_CLEAN || v->kind == V_REPRODUCED)
		snprintf(v->reason, sizeof v->reason,
			 "expected %s, but it did not reproduce (%lu of %lu runs): the negative "
			 "control lost its teeth",
			 en, hits, v->n);
	else
		snprintf(v->reason, sizeof v->reason, "expected %s, but inconclusive", en);
}

void verdict_compute(struct cell_tally *t, outcome_set expected, struct cell_verdict *v)
{
	memset(v, 0, sizeof *v);
	v->ttff_median = v->ttff_p90 = NAN;
	v->rate = v->bound_run = v->bound_near = NAN;
	v->ci.lo = v->ci.hi = NAN;
	unsigned long other = count_runs(t, v);
	if (v->total > 0 && t->count[OUT_UNSUPPORTED] == v->total) {
		v->kind = V_UNSUPPORTED;
		v->skipped = true;
		snprintf(v->text, sizeof v->text, "unsupported here (%lu runs said %d)", v->total,
			 outcome_exit_status(OUT_UNSUPPORTED));
		snprintf(v->reason, sizeof v->reason, "skipped: not supported on this arch");
		return;
	}
	struct sbuf txt = { 0 };
	if (v->failures > 0) {
		describe_reproduced(t, v, &txt);
	} else if (v->n == 0 || other > v->n) {
		v->kind = V_INCONCLUSIVE;
		sb_printf(&txt, "%lu informative of %lu runs (", v->n, v->total);
		append_kinds(&txt, t, false);
		sb_puts(&txt, ")");
	} else {
		describe_clean(t, v, &txt);
	}
	if (other && v->kind != V_INCONCLUSIVE) {
		sb_puts(&txt, "; not counted: ");
		append_kinds(&txt, t, false);
	}
	ut_copy_clean(v->text, sizeof v->text, sb_str(&txt));
	sb_free(&txt);
	if (expected == OUTCOME_BIT(OUT_PASS))
		judge_expected_pass(t, v);
	else
		judge_negative_control(t, expected, v);
}
