/*
 * stress_report: what `proftorture stress` prints and --json writes
 * (contract: stress.h; what the numbers are: docs/stress.md).
 *
 * Per set: the closing summary (rate and interval, wall times, the
 * cannon, the signature groups). With more than one set (or an arch NOT
 * RUN): the pooled table, a row per set. Then every set's verdict line:
 * failing, clean WITH its exposure (the cannon's signals sent, the
 * signals the program says it handled; "exposure unknown" when neither is
 * there), or unexercised (a signal source asked for and nothing sent, or
 * the program's reports add up to 0 handled), which is never clean.
 * --baseline's comparison per arch: both sides' failures, Fisher's exact
 * test, two-sided (stats.h: the same test the run report's contrasts
 * use), and the one-sided 95% bound of a side with no failure.
 * --until-bound's budget per set.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ledger.h"
#include "protocol.h"
#include "stats.h"
#include "stress.h"
#include "util.h"

/* Below this two-sided p a baseline comparison says fixed or regressed. */
#define STRESS_FISHER_ALPHA 0.05

void stress_series_add(struct stress_series *s, double x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = x;
}

/* stats_quantile sorts in place: the series is only read as a set here. */
static double quantile(const struct stress_series *s, double q)
{
	return s->n ? stats_quantile(s->v, s->n, q) : NAN;
}

static double total(const struct stress_series *s)
{
	double t = 0;
	for (size_t i = 0; i < s->n; i++)
		t += s->v[i];
	return t;
}

const char *stress_set_name(const struct stress_set *set, char *buf, size_t cap)
{
	if (set->side)
		snprintf(buf, cap, "%s (%s)", set->arch_name, set->side);
	else
		snprintf(buf, cap, "%s", set->arch_name);
	return buf;
}

enum stress_verdict stress_set_verdict(const struct stress_state *s, const struct stress_set *set)
{
	if (!set->finished)
		return SV_NO_RUNS;
	if (set->failures)
		return SV_FAILING;
	if (s->o.signal_rate > 0 && total(&set->sent) == 0)
		return SV_UNEXERCISED;
	if (set->handled_reports && set->handled == 0)
		return SV_UNEXERCISED;
	return SV_CLEAN;
}

static const char *verdict_word(enum stress_verdict v)
{
	static const char *const words[] = { "no runs", "failing", "UNEXERCISED", "clean" };
	return words[v];
}

/* ---- one set's closing summary ---- */

/* Groups by count, descending (stable: the first seen first on ties). */
static void sort_groups(struct stress_set *s)
{
	for (size_t i = 1; i < s->ngroups; i++)
		for (size_t j = i; j > 0 && s->groups[j - 1].count < s->groups[j].count; j--) {
			struct stress_group tmp = s->groups[j];
			s->groups[j] = s->groups[j - 1];
			s->groups[j - 1] = tmp;
		}
}

static void print_rate(const struct stress_state *s, const struct stress_set *set, FILE *f)
{
	char el[32];
	ut_format_duration(el, sizeof el, s->elapsed);
	fprintf(f, "%s%llu runs in %s, %llu failures", s->interrupted ? "(interrupted) " : "",
		(unsigned long long)set->finished, el, (unsigned long long)set->failures);
	if (set->finished && set->failures) {
		struct stats_interval ci = stats_clopper_pearson(set->failures, set->finished, 0.95);
		fprintf(f, " (%.2f%%), 95%% CI %.2f%%-%.2f%% (Clopper-Pearson)",
			100.0 * (double)set->failures / (double)set->finished, 100 * ci.lo,
			100 * ci.hi);
	} else if (set->finished) {
		fprintf(f, " (0%%), < %.2f%% per run at 95%% (rule of three)",
			100 * stats_zero_failure_upper((double)set->finished, 0.95));
	}
	fputc('\n', f);
}

static void print_times(struct stress_set *s, FILE *f)
{
	if (!s->wall_all.n)
		return;
	fprintf(f, "wall time per run: all %zu runs median %.3gs p90 %.3gs", s->wall_all.n,
		quantile(&s->wall_all, 0.5), quantile(&s->wall_all, 0.9));
	if (s->wall_failed.n)
		fprintf(f, "; failing runs median %.3gs p90 %.3gs", quantile(&s->wall_failed, 0.5),
			quantile(&s->wall_failed, 0.9));
	fputc('\n', f);
}

bool stress_set_cross(const struct stress_set *set)
{
	return set->arch && arch_is_cross(set->arch);
}

bool stress_gated(const struct stress_state *s, const struct stress_set *set)
{
	return stress_set_cross(set) && s->o.signal_rate > 0 && !s->o.signal_anytime;
}

const char *stress_cannon_mode(const struct stress_state *s, const struct stress_set *set)
{
	return stress_gated(s, set) ? "gated" : "anytime";
}

static void print_cannon(const struct stress_state *s, struct stress_set *set, FILE *f)
{
	if (s->o.signal_rate <= 0 || !set->sent.n)
		return;
	const char *name = sigabbrev_np(s->o.signal);
	fprintf(f, "cannon: SIG%s at %.6g/s per run: %.0f sent per run (median; %.0f in all)",
		name ? name : "?", s->o.signal_rate, quantile(&set->sent, 0.5), total(&set->sent));
	if (set->ready.n)
		fprintf(f, ", first signal %.3gs after the start (median)",
			quantile(&set->ready, 0.5));
	fprintf(f, "; %llu runs never ready, %llu killed by SIG%s\n",
		(unsigned long long)set->never_ready, (unsigned long long)set->killed_by_cannon_signal,
		name ? name : "?");
	if (stress_gated(s, set))
		fprintf(f, "cannon gated by the program's profiling timers: opened %llu times in "
			"all, %.0f signals per run held while closed (median)%s%s\n",
			(unsigned long long)set->gate_opens, quantile(&set->held, 0.5),
			set->gate_problem[0] ? "; " : "", set->gate_problem);
	else
		fprintf(f, "cannon fired at any time (%s)\n",
			s->o.signal_anytime ? "--signal-anytime"
					    : "natively no gate can see the program's timers");
}

void stress_print_summary(const struct stress_state *s, struct stress_set *set, FILE *f)
{
	if (s->nsets > 1) {
		char name[96];
		fprintf(f, "=== %s:", stress_set_name(set, name, sizeof name));
		for (size_t i = 0; set->cmd[i]; i++)
			fprintf(f, " %s", set->cmd[i]);
		fputc('\n', f);
	}
	print_rate(s, set, f);
	print_times(set, f);
	print_cannon(s, set, f);
	if (set->handled_reports)
		fprintf(f, "signals handled, as the program reported: %.0f in all (%llu of %llu runs "
			   "reported)\n",
			set->handled, (unsigned long long)set->handled_reports,
			(unsigned long long)set->finished);
	if (set->ignored)
		fprintf(f, "%llu failing runs ignored (matched --ignore)\n",
			(unsigned long long)set->ignored);
	sort_groups(set);
	if (set->ngroups)
		fprintf(f,
			"failures by signature (count, share of the failures, signature, a failure "
			"file):\n");
	for (size_t i = 0; i < set->ngroups; i++)
		fprintf(f, "  %6lu  %5.1f%%  %s\n                 e.g. %s\n", set->groups[i].count,
			100.0 * (double)set->groups[i].count / (double)set->failures,
			set->groups[i].sig, set->groups[i].example);
	if (s->o.max_failures && set->failures >= s->o.max_failures)
		fprintf(f, "stopped after %llu failure(s) (--max-failures)\n",
			(unsigned long long)set->failures);
}

/* ---- the pooled table and the verdicts ---- */

static void pct(char *buf, size_t cap, double x)
{
	if (isnan(x))
		snprintf(buf, cap, "-");
	else
		snprintf(buf, cap, "%.2f%%", 100 * x);
}

static void count_or_dash(char *buf, size_t cap, double x, bool known)
{
	if (known)
		snprintf(buf, cap, "%.0f", x);
	else
		snprintf(buf, cap, "-");
}

static void print_table(const struct stress_state *s, FILE *f)
{
	fprintf(f, "\n%-18s %6s %8s %8s %-17s %10s %6s %10s %10s  %s\n", "set", "runs", "failures",
		"rate", "95% CI", "median ttf", "groups", "sent", "handled", "verdict");
	for (size_t i = 0; i < s->nsets; i++) {
		const struct stress_set *set = &s->sets[i];
		char name[96], rate[32], ci[48] = "-", ttf[32] = "-", sent[32], handled[32];
		double r = set->finished ? (double)set->failures / (double)set->finished : NAN;
		pct(rate, sizeof rate, r);
		if (set->finished && set->failures) {
			struct stats_interval c =
				stats_clopper_pearson(set->failures, set->finished, 0.95);
			snprintf(ci, sizeof ci, "%.2f%%-%.2f%%", 100 * c.lo, 100 * c.hi);
		} else if (set->finished) {
			snprintf(ci, sizeof ci, "< %.2f%%",
				 100 * stats_zero_failure_upper((double)set->finished, 0.95));
		}
		if (set->wall_failed.n)
			snprintf(ttf, sizeof ttf, "%.3gs", quantile(&set->wall_failed, 0.5));
		count_or_dash(sent, sizeof sent, total(&set->sent), s->o.signal_rate > 0);
		count_or_dash(handled, sizeof handled, set->handled, set->handled_reports > 0);
		fprintf(f, "%-18s %6llu %8llu %8s %-17s %10s %6zu %10s %10s  %s\n",
			stress_set_name(set, name, sizeof name), (unsigned long long)set->finished,
			(unsigned long long)set->failures, rate, ci, ttf, set->ngroups, sent, handled,
			verdict_word(stress_set_verdict(s, set)));
	}
	for (size_t i = 0; i < s->nnot_run; i++)
		fprintf(f, "!!! %s NOT RUN: %s\n", s->not_run[i].arch, s->not_run[i].reason);
}

/* "12345 signals sent by the cannon, 12000 handled (reported by 50 of 50
 * runs)", or why there is no exposure to name. */
static void exposure_text(const struct stress_state *s, const struct stress_set *set,
			  struct sbuf *b)
{
	bool cannon = s->o.signal_rate > 0, reported = set->handled_reports > 0;
	if (!cannon && !reported) {
		sb_puts(b, "exposure unknown (no --signal-rate, and no '" STRESS_HANDLED_LINE
			   "N' line from the program)");
		return;
	}
	sb_puts(b, "exposure: ");
	if (cannon)
		sb_printf(b, "%.0f signals sent by the cannon", total(&set->sent));
	if (reported)
		sb_printf(b, "%s%.0f handled (reported by %llu of %llu runs)", cannon ? ", " : "",
			  set->handled, (unsigned long long)set->handled_reports,
			  (unsigned long long)set->finished);
}

static void print_verdict(const struct stress_state *s, const struct stress_set *set, FILE *f)
{
	char name[96];
	struct sbuf b = { 0 };
	sb_printf(&b, "%s: ", stress_set_name(set, name, sizeof name));
	switch (stress_set_verdict(s, set)) {
	case SV_NO_RUNS:
		sb_puts(&b, "no run finished");
		break;
	case SV_FAILING: {
		struct stats_interval ci = stats_clopper_pearson(set->failures, set->finished, 0.95);
		sb_printf(&b, "failing: %llu/%llu runs (%.2f%%, 95%% CI %.2f%%-%.2f%%)",
			  (unsigned long long)set->failures, (unsigned long long)set->finished,
			  100.0 * (double)set->failures / (double)set->finished, 100 * ci.lo,
			  100 * ci.hi);
		if (set->wall_failed.n)
			sb_printf(&b, ", median time to failure %.3gs",
				  quantile(&set->wall_failed, 0.5));
		break;
	}
	case SV_UNEXERCISED:
		sb_printf(&b, "UNEXERCISED, not clean: 0/%llu runs failed, but ",
			  (unsigned long long)set->finished);
		if (s->o.signal_rate > 0 && total(&set->sent) == 0)
			sb_printf(&b, "the cannon (--signal-rate %.6g) delivered no signal",
				  s->o.signal_rate);
		else
			sb_printf(&b, "the program reported 0 signals handled (%llu runs reported)",
				  (unsigned long long)set->handled_reports);
		break;
	case SV_CLEAN:
		sb_printf(&b, "clean: 0/%llu runs, rate < %.2f%% (one-sided 95%%); ",
			  (unsigned long long)set->finished,
			  100 * stats_zero_failure_upper((double)set->finished, 0.95));
		exposure_text(s, set, &b);
		break;
	}
	fprintf(f, "%s\n", b.s);
	sb_free(&b);
}

double stress_fisher(const struct stress_set *base, const struct stress_set *new_set)
{
	return stats_fisher_two_sided(base->failures, base->finished - base->failures,
				      new_set->failures, new_set->finished - new_set->failures);
}

/* The word for a baseline comparison. */
static const char *comparison_word(const struct stress_state *s, const struct stress_set *b,
				   const struct stress_set *n, double p)
{
	enum stress_verdict vb = stress_set_verdict(s, b), vn = stress_set_verdict(s, n);
	if (vb == SV_UNEXERCISED || vn == SV_UNEXERCISED)
		return "unexercised";
	if (!b->finished || !n->finished)
		return "no runs";
	double rb = (double)b->failures / (double)b->finished;
	double rn = (double)n->failures / (double)n->finished;
	bool sig = p < STRESS_FISHER_ALPHA;
	if (!b->failures && !n->failures)
		return "neither failed";
	if (!n->failures)
		return sig ? "fixed" : "not shown fixed (too few runs)";
	if (!b->failures)
		return sig ? "regressed" : "new fails, not shown worse";
	if (sig)
		return rn < rb ? "improved, still failing" : "regressed";
	return "still failing, no difference shown";
}

static void print_comparison(const struct stress_state *s, const struct stress_set *b,
			     const struct stress_set *n, FILE *f)
{
	double p = stress_fisher(b, n);
	fprintf(f, "%s: %s (baseline %llu/%llu, new %llu/%llu, p=%.2g", b->arch_name,
		comparison_word(s, b, n, p), (unsigned long long)b->failures,
		(unsigned long long)b->finished, (unsigned long long)n->failures,
		(unsigned long long)n->finished, p);
	const struct stress_set *sides[2] = { n, b };
	for (int i = 0; i < 2; i++)
		if (sides[i]->finished && !sides[i]->failures)
			fprintf(f, "; %s's rate < %.2g%%", sides[i]->side,
				100 * stats_zero_failure_upper((double)sides[i]->finished, 0.95));
	fprintf(f, ")\n");
}

/* --until-bound: reached, decided by a failure, or not reached. */
static bool bound_reached(const struct stress_state *s, const struct stress_set *set)
{
	return set->needed && stress_set_verdict(s, set) == SV_CLEAN &&
	       set->finished >= set->needed;
}

static void print_budget(const struct stress_state *s, const struct stress_set *set, FILE *f)
{
	char name[96], budget[64] = "no budget but the bound";
	if (s->o.count)
		snprintf(budget, sizeof budget, "of a budget of --count %llu",
			 (unsigned long long)s->o.count);
	else if (s->o.for_s > 0)
		snprintf(budget, sizeof budget, "of a budget of --for %.6gs", s->o.for_s);
	if (set->side && strcmp(set->side, "baseline") == 0)
		return; /* the bound is the new build's; the baseline kept pace */
	fprintf(f, "%s: --until-bound %.4g%%: ", stress_set_name(set, name, sizeof name),
		100 * s->o.until_bound);
	double bound = stats_zero_failure_upper((double)set->finished, 0.95);
	if (bound_reached(s, set))
		fprintf(f, "reached after %llu runs (0 failures, rate < %.4g%%), %s\n",
			(unsigned long long)set->finished, 100 * bound, budget);
	else if (set->failures)
		fprintf(f, "decided by a failure after %llu runs (%llu failure%s), %s\n",
			(unsigned long long)set->finished, (unsigned long long)set->failures,
			set->failures == 1 ? "" : "s", budget);
	else
		fprintf(f, "NOT reached: %llu runs of the %llu it needs%s, %s\n",
			(unsigned long long)set->finished, (unsigned long long)set->needed,
			stress_set_verdict(s, set) == SV_UNEXERCISED ? ", unexercised" : "", budget);
}

void stress_print_verdicts(const struct stress_state *s, FILE *f)
{
	if (s->nsets > 1 || s->nnot_run)
		print_table(s, f);
	if (s->nsets > 1 || s->nnot_run)
		fputc('\n', f);
	for (size_t i = 0; i < s->nsets; i++)
		print_verdict(s, &s->sets[i], f);
	for (size_t i = 0; i + 1 < s->nsets; i++)
		if (s->sets[i].side && strcmp(s->sets[i].side, "baseline") == 0)
			print_comparison(s, &s->sets[i], &s->sets[i + 1], f);
	for (size_t i = 0; s->o.until_bound > 0 && i < s->nsets; i++)
		print_budget(s, &s->sets[i], f);
}

int stress_exit_status(const struct stress_state *s)
{
	bool bad = s->nnot_run > 0;
	for (size_t i = 0; i < s->nsets; i++) {
		const struct stress_set *set = &s->sets[i];
		enum stress_verdict v = stress_set_verdict(s, set);
		bool baseline = set->side && strcmp(set->side, "baseline") == 0;
		bad |= set->cannot_start || v == SV_UNEXERCISED;
		bad |= v == SV_FAILING && !baseline;
		bad |= s->o.until_bound > 0 && !baseline && v != SV_FAILING && !bound_reached(s, set);
	}
	return bad ? PROTOCOL_RUNNER_EXIT_MISMATCH : PROTOCOL_RUNNER_EXIT_MATCHED;
}

/* ---- JSON ---- */

static json_t *number_or_null(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *spread(const struct stress_series *s)
{
	return json_pack("{s:I, s:o, s:o}", "n", (json_int_t)s->n, "median",
			 number_or_null(quantile(s, 0.5)), "p90", number_or_null(quantile(s, 0.9)));
}

static json_t *rate_json(const struct stress_set *s)
{
	if (!s->finished)
		return json_null();
	struct stats_interval ci = stats_clopper_pearson(s->failures, s->finished, 0.95);
	json_t *r =
		json_pack("{s:f, s:[f, f], s:s}", "rate", (double)s->failures / (double)s->finished,
			  "ci95", ci.lo, ci.hi, "method", "clopper-pearson");
	if (!s->failures)
		json_object_set_new(r, "zero_failure_upper95",
				    json_real(stats_zero_failure_upper((double)s->finished, 0.95)));
	return r;
}

static json_t *cannon_json(const struct stress_state *s, const struct stress_set *set)
{
	if (s->o.signal_rate <= 0)
		return json_null();
	const char *name = sigabbrev_np(s->o.signal);
	json_t *sent = spread(&set->sent);
	json_object_set_new(sent, "total", json_real(total(&set->sent)));
	return json_pack("{s:s, s:i, s:f, s:o, s:o, s:o, s:I, s:I, s:s, s:o, s:I}", "signal",
			 name ? name : "?", "signal_number", s->o.signal, "rate", s->o.signal_rate,
			 "after_s", s->o.signal_after_given ? json_real(s->o.signal_after) : json_null(),
			 "sent_per_run", sent, "ready_s", spread(&set->ready), "never_ready",
			 (json_int_t)set->never_ready, "killed_by_signal",
			 (json_int_t)set->killed_by_cannon_signal, "mode", stress_cannon_mode(s, set),
			 "held_per_run", spread(&set->held), "gate_opens", (json_int_t)set->gate_opens);
}

static json_t *groups_json(const struct stress_set *s)
{
	json_t *a = json_array();
	for (size_t i = 0; i < s->ngroups; i++)
		json_array_append_new(a, json_pack("{s:s, s:I, s:f, s:s}", "signature",
						   s->groups[i].sig, "count",
						   (json_int_t)s->groups[i].count, "share",
						   (double)s->groups[i].count / (double)s->failures,
						   "example", s->groups[i].example));
	return a;
}

static json_t *words_json(char *const *v)
{
	json_t *a = json_array();
	for (size_t i = 0; v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *exposure_json(const struct stress_state *s, const struct stress_set *set)
{
	return json_pack("{s:o, s:o, s:I}", "signals_sent",
			 s->o.signal_rate > 0 ? json_real(total(&set->sent)) : json_null(),
			 "handled", set->handled_reports ? json_real(set->handled) : json_null(),
			 "handled_reports", (json_int_t)set->handled_reports);
}

static json_t *bound_json(const struct stress_state *s, const struct stress_set *set)
{
	if (s->o.until_bound <= 0 || (set->side && strcmp(set->side, "baseline") == 0))
		return json_null();
	return json_pack("{s:f, s:I, s:b}", "rate", s->o.until_bound, "needed",
			 (json_int_t)set->needed, "reached", bound_reached(s, set));
}

/* One set: version 1's document, plus its side, verdict, exposure and bound. */
static json_t *set_json(const struct stress_state *s, const struct stress_set *set)
{
	json_t *j = json_pack(
		"{s:i, s:o, s:s, s:I, s:I, s:I, s:I, s:b, s:f, s:o, s:{s:o, s:o}, s:o, s:o}",
		"version", 1, "command", words_json(set->cmd), "arch", set->arch_name, "runs",
		(json_int_t)set->finished, "failures", (json_int_t)set->failures, "ignored",
		(json_int_t)set->ignored, "timeouts", (json_int_t)set->timeouts, "interrupted",
		s->interrupted != 0, "elapsed_s", s->elapsed, "failure_rate", rate_json(set),
		"wall_s", "all", spread(&set->wall_all), "failing", spread(&set->wall_failed),
		"cannon", cannon_json(s, set), "signatures", groups_json(set));
	if (!j)
		return NULL;
	json_object_set_new(j, "side", set->side ? json_string(set->side) : json_null());
	json_object_set_new(j, "verdict", json_string(verdict_word(stress_set_verdict(s, set))));
	json_object_set_new(j, "exposure", exposure_json(s, set));
	json_object_set_new(j, "until_bound", bound_json(s, set));
	return j;
}

static json_t *comparisons_json(const struct stress_state *s)
{
	json_t *a = json_array();
	for (size_t i = 0; i + 1 < s->nsets; i++) {
		const struct stress_set *b = &s->sets[i], *n = &s->sets[i + 1];
		if (!b->side || strcmp(b->side, "baseline") != 0)
			continue;
		double p = stress_fisher(b, n);
		json_array_append_new(
			a, json_pack("{s:s, s:{s:I, s:I}, s:{s:I, s:I}, s:f, s:s, s:s}", "arch",
				     b->arch_name, "baseline", "runs", (json_int_t)b->finished,
				     "failures", (json_int_t)b->failures, "new", "runs",
				     (json_int_t)n->finished, "failures", (json_int_t)n->failures,
				     "fisher_p", p, "test", "fisher-two-sided", "verdict",
				     comparison_word(s, b, n, p)));
	}
	return a;
}

/* Several sets: version 2, the sets' documents under "sets". */
static json_t *session_json(const struct stress_state *s)
{
	json_t *sets = json_array(), *not_run = json_array();
	uint64_t runs = 0, failures = 0;
	for (size_t i = 0; i < s->nsets; i++) {
		json_array_append_new(sets, set_json(s, &s->sets[i]));
		runs += s->sets[i].finished;
		failures += s->sets[i].failures;
	}
	for (size_t i = 0; i < s->nnot_run; i++)
		json_array_append_new(not_run, json_pack("{s:s, s:s}", "arch", s->not_run[i].arch,
							 "reason", s->not_run[i].reason));
	return json_pack("{s:i, s:o, s:o, s:o, s:b, s:f, s:{s:I, s:I, s:I}, s:o, s:o, s:o}",
			 "version", 2, "command", words_json(s->cmds[s->cmds[1] ? 1 : 0]),
			 "baseline_command", s->cmds[1] ? words_json(s->cmds[0]) : json_null(),
			 "until_bound",
			 s->o.until_bound > 0 ? json_real(s->o.until_bound) : json_null(),
			 "interrupted", s->interrupted != 0, "elapsed_s", s->elapsed, "pooled",
			 "sets", (json_int_t)s->nsets, "runs", (json_int_t)runs, "failures",
			 (json_int_t)failures, "sets", sets, "not_run", not_run, "comparisons",
			 comparisons_json(s));
}

void stress_write_json(struct stress_state *s)
{
	bool one = s->nsets == 1 && !s->nnot_run && !s->cmds[1];
	json_t *root = one ? set_json(s, &s->sets[0]) : session_json(s);
	char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII) : NULL;
	if (!text)
		cli_die("stress", "--json: cannot build the report (a bug)");
	struct sbuf b = { 0 };
	sb_printf(&b, "%s\n", text);
	cli_write_output(s->o.json, b.s, b.len);
	sb_free(&b);
	free(text);
	json_decref(root);
}
