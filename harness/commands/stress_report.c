/* stress_report: the closing summary of `proftorture stress` and its --json
 * report (jansson). What the numbers are: docs/stress.md. */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ledger.h"
#include "stats.h"
#include "stress.h"
#include "util.h"

void stress_series_add(struct stress_series *s, double x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = x;
}

/* stats_quantile sorts in place: the series is only read as a set here. */
static double quantile(struct stress_series *s, double q)
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

/* Groups by count, descending (stable: the first seen first on ties). */
static void sort_groups(struct stress_state *s)
{
	for (size_t i = 1; i < s->ngroups; i++)
		for (size_t j = i; j > 0 && s->groups[j - 1].count < s->groups[j].count; j--) {
			struct stress_group tmp = s->groups[j];
			s->groups[j] = s->groups[j - 1];
			s->groups[j - 1] = tmp;
		}
}

static void print_rate(const struct stress_state *s, FILE *f)
{
	char el[32];
	ut_format_duration(el, sizeof el, s->elapsed);
	fprintf(f, "%s%llu runs in %s, %llu failures", s->interrupted ? "(interrupted) " : "",
		(unsigned long long)s->finished, el, (unsigned long long)s->failures);
	if (s->finished && s->failures) {
		struct stats_interval ci = stats_clopper_pearson(s->failures, s->finished, 0.95);
		fprintf(f, " (%.2f%%), 95%% CI %.2f%%-%.2f%% (Clopper-Pearson)",
			100.0 * (double)s->failures / (double)s->finished, 100 * ci.lo,
			100 * ci.hi);
	} else if (s->finished) {
		fprintf(f, " (0%%), < %.2f%% per run at 95%% (rule of three)",
			100 * stats_zero_failure_upper((double)s->finished, 0.95));
	}
	fputc('\n', f);
}

static void print_times(struct stress_state *s, FILE *f)
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

static void print_cannon(struct stress_state *s, FILE *f)
{
	if (s->o.signal_rate <= 0 || !s->sent.n)
		return;
	const char *name = sigabbrev_np(s->o.signal);
	fprintf(f, "cannon: SIG%s at %.6g/s per run: %.0f sent per run (median; %.0f in all)",
		name ? name : "?", s->o.signal_rate, quantile(&s->sent, 0.5), total(&s->sent));
	if (s->ready.n)
		fprintf(f, ", first signal %.3gs after the start (median)",
			quantile(&s->ready, 0.5));
	fprintf(f, "; %llu runs never ready, %llu killed by SIG%s\n",
		(unsigned long long)s->never_ready, (unsigned long long)s->killed_by_cannon_signal,
		name ? name : "?");
}

void stress_print_summary(struct stress_state *s, FILE *f)
{
	print_rate(s, f);
	print_times(s, f);
	print_cannon(s, f);
	if (s->ignored)
		fprintf(f, "%llu failing runs ignored (matched --ignore)\n",
			(unsigned long long)s->ignored);
	sort_groups(s);
	if (s->ngroups)
		fprintf(f,
			"failures by signature (count, share of the failures, signature, a failure "
			"file):\n");
	for (size_t i = 0; i < s->ngroups; i++)
		fprintf(f, "  %6lu  %5.1f%%  %s\n                 e.g. %s\n", s->groups[i].count,
			100.0 * (double)s->groups[i].count / (double)s->failures, s->groups[i].sig,
			s->groups[i].example);
	if (s->o.max_failures && s->failures >= s->o.max_failures)
		fprintf(f, "stopped after %llu failure(s) (--max-failures)\n",
			(unsigned long long)s->failures);
	if (f == stdout) /* the summary is a result: a failed write is a loss */
		ledger_check_stream(f, "stdout");
	else
		fflush(f);
}

/* ---- JSON ---- */

static json_t *number_or_null(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *spread(struct stress_series *s)
{
	return json_pack("{s:I, s:o, s:o}", "n", (json_int_t)s->n, "median",
			 number_or_null(quantile(s, 0.5)), "p90", number_or_null(quantile(s, 0.9)));
}

static json_t *rate_json(const struct stress_state *s)
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

static json_t *cannon_json(struct stress_state *s)
{
	if (s->o.signal_rate <= 0)
		return json_null();
	const char *name = sigabbrev_np(s->o.signal);
	json_t *sent = spread(&s->sent);
	json_object_set_new(sent, "total", json_real(total(&s->sent)));
	return json_pack("{s:s, s:i, s:f, s:o, s:o, s:o, s:I, s:I}", "signal", name ? name : "?",
			 "signal_number", s->o.signal, "rate", s->o.signal_rate, "after_s",
			 s->o.signal_after_given ? json_real(s->o.signal_after) : json_null(),
			 "sent_per_run", sent, "ready_s", spread(&s->ready), "never_ready",
			 (json_int_t)s->never_ready, "killed_by_signal",
			 (json_int_t)s->killed_by_cannon_signal);
}

static json_t *groups_json(const struct stress_state *s)
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

static json_t *command_json(const struct stress_state *s)
{
	json_t *a = json_array();
	for (size_t i = 0; s->cmd[i]; i++)
		json_array_append_new(a, json_string(s->cmd[i]));
	return a;
}

void stress_write_json(struct stress_state *s)
{
	json_t *root = json_pack(
		"{s:i, s:o, s:s, s:I, s:I, s:I, s:I, s:b, s:f, s:o, s:{s:o, s:o}, s:o, s:o}",
		"version", 1, "command", command_json(s), "arch", s->o.arch, "runs",
		(json_int_t)s->finished, "failures", (json_int_t)s->failures, "ignored",
		(json_int_t)s->ignored, "timeouts", (json_int_t)s->timeouts, "interrupted",
		s->interrupted != 0, "elapsed_s", s->elapsed, "failure_rate", rate_json(s),
		"wall_s", "all", spread(&s->wall_all), "failing", spread(&s->wall_failed), "cannon",
		cannon_json(s), "signatures", groups_json(s));
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
