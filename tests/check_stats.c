/*
 * Check tests for harness/stats: every statistic a verdict prints, against
 * published or independently computed values (Python's exact rationals for
 * Fisher; the closed forms 1-(alpha/2)^(1/n) for the Clopper-Pearson ends at
 * k = 0 and k = n). Pure arithmetic, so it runs on every arch, natively and
 * under qemu.
 */
#define _GNU_SOURCE
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "../harness/judge/stats.h"
#include "support/suite_run.h"

#define ck_near(x, want, tol)                                                                 \
	do {                                                                                  \
		double x_ = (x), w_ = (want);                                                 \
		ck_assert_msg(fabs(x_ - w_) <= (tol), "%s = %.10g, want %.10g (+-%g)", #x, x_, \
			      w_, (double)(tol));                                             \
	} while (0)

START_TEST(test_beta_inc_known_values)
{
	/* I_x(1,1) = x; I_x(a,1) = x^a; I_x(1,b) = 1-(1-x)^b; I_.5(a,a) = .5 */
	ck_near(stats_beta_inc(1, 1, 0.3), 0.3, 1e-12);
	ck_near(stats_beta_inc(3, 1, 0.5), 0.125, 1e-12);
	ck_near(stats_beta_inc(1, 4, 0.2), 1 - pow(0.8, 4), 1e-12);
	ck_near(stats_beta_inc(7.5, 7.5, 0.5), 0.5, 1e-12);
	ck_near(stats_beta_inc(2, 3, 0.0), 0.0, 0);
	ck_near(stats_beta_inc(2, 3, 1.0), 1.0, 0);
	/* I_x(2,3) = 6x^2/2 - 8x^3/3... closed form: x^2 (6 - 8x + 3x^2) */
	ck_near(stats_beta_inc(2, 3, 0.4), 0.16 * (6 - 3.2 + 0.48), 1e-12);
	ck_assert(isnan(stats_beta_inc(0, 1, 0.5)));
	ck_assert(isnan(stats_beta_inc(1, 1, 1.5)));
}
END_TEST

START_TEST(test_beta_quantile_inverts_beta_inc)
{
	const double ab[][2] = { { 1, 1 }, { 0.5, 0.5 }, { 5, 6 }, { 1, 20 }, { 20, 1 }, { 50, 3 } };
	for (size_t i = 0; i < sizeof ab / sizeof ab[0]; i++)
		for (double p = 0.025; p < 1; p += 0.1)
			ck_near(stats_beta_inc(ab[i][0], ab[i][1],
					       stats_beta_quantile(ab[i][0], ab[i][1], p)),
				p, 1e-9);
}
END_TEST

/* The accuracy stats.h states, against values computed with mpmath at 50
 * digits (the regularized betainc, and its inverse by bisection to 2^-170),
 * over the shapes the verdicts use: Clopper-Pearson ends for k of n up to a
 * few hundred, and the tails. */
START_TEST(test_beta_accuracy_is_what_the_header_states)
{
	static const struct { double a, b, x, want; } inc[] = {
		{ 1, 20, 0.05, 0.64151407759145779 },     { 20, 1, 0.9, 0.12157665459056935 },
		{ 0.5, 0.5, 0.3, 0.36901011956554538 },   { 3, 18, 0.1, 0.323073194810534 },
		{ 18, 3, 0.9, 0.67692680518946616 },      { 21, 300, 0.07, 0.6516549366765525 },
		{ 200, 2, 0.99, 0.40193902457388537 },    { 1000, 1, 0.999, 0.36769542477096372 },
		{ 50, 50, 0.45, 0.15865219893709885 },    { 1, 320, 0.001, 0.27396721497965923 },
		{ 2, 40, 0.01, 0.063439538002447283 },    { 21, 300, 0.02, 2.786446050927411e-6 },
		{ 1000, 1, 0.99, 4.3171247410657864e-5 }, { 3, 18, 0.9, 0.99999999999999984 },
	};
	for (size_t i = 0; i < sizeof inc / sizeof inc[0]; i++) {
		double got = stats_beta_inc(inc[i].a, inc[i].b, inc[i].x);
		ck_assert_msg(fabs(got - inc[i].want) <= STATS_BETA_INC_REL_ERROR * inc[i].want,
			      "I_%g(%g, %g) = %.17g, want %.17g (rel %.2g)", inc[i].x, inc[i].a,
			      inc[i].b, got, inc[i].want, fabs(got - inc[i].want) / inc[i].want);
	}
	static const struct { double a, b, p, want; } quant[] = {
		{ 1, 20, 0.025, 0.0012650894979498038 },  { 20, 1, 0.975, 0.9987349105020502 },
		{ 3, 18, 0.5, 0.13147368058426618 },      { 21, 300, 0.025, 0.041078496367206115 },
		{ 21, 300, 0.975, 0.094878111891533969 }, { 1, 320, 0.975, 0.011461558388074886 },
		{ 50, 50, 0.025, 0.40269791659005755 },   { 2, 40, 0.95, 0.11055312897984333 },
	};
	for (size_t i = 0; i < sizeof quant / sizeof quant[0]; i++)
		ck_near(stats_beta_quantile(quant[i].a, quant[i].b, quant[i].p), quant[i].want,
			STATS_BETA_QUANTILE_ABS_ERROR);
}
END_TEST

START_TEST(test_clopper_pearson_known_values)
{
	struct stats_interval r = stats_clopper_pearson(0, 10, 0.95);
	ck_near(r.lo, 0, 0);
	ck_near(r.hi, 0.3085, 5e-5);
	ck_near(r.hi, 1 - pow(0.025, 0.1), 1e-9);
	r = stats_clopper_pearson(5, 10, 0.95);
	ck_near(r.lo, 0.1871, 5e-5);
	ck_near(r.hi, 0.8129, 5e-5);
	r = stats_clopper_pearson(10, 10, 0.95);
	ck_near(r.lo, 0.6915, 5e-5);
	ck_near(r.hi, 1, 0);
	r = stats_clopper_pearson(1, 10, 0.95); /* textbook: [0.0025, 0.4450] */
	ck_near(r.lo, 0.0025, 5e-5);
	ck_near(r.hi, 0.4450, 5e-5);
	r = stats_clopper_pearson(0, 20, 0.95);
	ck_near(r.hi, 1 - pow(0.025, 1.0 / 20), 1e-9); /* 0.1684 */
	r = stats_clopper_pearson(0, 0, 0.95);
	ck_near(r.lo, 0, 0);
	ck_near(r.hi, 1, 0);
}
END_TEST

START_TEST(test_clopper_pearson_is_symmetric_and_ordered)
{
	for (unsigned long n = 1; n <= 60; n += 7)
		for (unsigned long k = 0; k <= n; k++) {
			struct stats_interval a = stats_clopper_pearson(k, n, 0.95);
			struct stats_interval b = stats_clopper_pearson(n - k, n, 0.95);
			ck_near(a.lo, 1 - b.hi, 1e-9);
			ck_assert(a.lo <= (double)k / n && (double)k / n <= a.hi);
			ck_assert(a.lo >= 0 && a.hi <= 1);
		}
}
END_TEST

START_TEST(test_clopper_pearson_rejects_bad_arguments)
{
	ck_assert(isnan(stats_clopper_pearson(11, 10, 0.95).lo));
	ck_assert(isnan(stats_clopper_pearson(1, 10, 1.0).hi));
	ck_assert(isnan(stats_clopper_pearson(1, 10, 0).hi));
}
END_TEST

START_TEST(test_wilson_known_values)
{
	struct stats_interval r = stats_wilson(5, 10, 0.95);
	ck_near(r.lo, 0.236593, 1e-6);
	ck_near(r.hi, 0.763407, 1e-6);
	r = stats_wilson(0, 10, 0.95);
	ck_near(r.lo, 0, 1e-12);
	ck_near(r.hi, 0.277533, 1e-6);
	ck_near(stats_norm_quantile(0.975), 1.959963985, 1e-8);
	ck_near(stats_norm_quantile(0.5), 0, 1e-12);
}
END_TEST

START_TEST(test_zero_failure_bound_is_the_rule_of_three)
{
	ck_near(stats_zero_failure_upper(10, 0.95), 0.2588655509, 1e-9);
	ck_near(stats_zero_failure_upper(20, 0.95), 0.1391083407, 1e-9);
	/* the table in harness-anchors.md section 4.3 */
	ck_near(stats_zero_failure_upper(100, 0.95), 0.0295, 5e-5);
	ck_near(stats_zero_failure_upper(300, 0.95), 0.0099, 5e-5);
	ck_near(stats_zero_failure_upper(1000, 0.95), 0.0030, 5e-5);
	ck_near(stats_zero_failure_upper(3000, 0.95), 0.0010, 5e-5);
	/* per exposure unit: a billion near misses, ~3e-9, keeps its digits */
	ck_near(stats_zero_failure_upper(1e9, 0.95) * 1e9, 2.9957322736, 1e-6);
	ck_near(stats_zero_failure_upper(0, 0.95), 1, 0);
	/* ~3/n for large n */
	ck_near(stats_zero_failure_upper(1e6, 0.95) * 1e6, -log(0.05), 1e-4);
}
END_TEST

START_TEST(test_runs_needed_matches_perfbook)
{
	/* perfbook: f = 10% at 99% -> 44 runs; f = 1% -> 459 (458.2 rounded up);
	 * f = 30% -> 13 */
	ck_near(stats_runs_needed(0.10, 0.99), 44, 0);
	ck_near(stats_runs_needed(0.01, 0.99), 459, 0);
	ck_near(stats_runs_needed(0.30, 0.99), 13, 0);
	ck_near(stats_runs_needed(0.50, 0.95), 5, 0);
}
END_TEST

START_TEST(test_quantiles_interpolate)
{
	double x[] = { 5, 1, 3, 2, 4 };
	ck_near(stats_quantile(x, 5, 0.5), 3, 0);
	ck_near(x[0], 1, 0); /* sorted in place */
	ck_near(x[4], 5, 0);
	ck_near(stats_quantile(x, 5, 0.9), 4.6, 1e-12);
	double y[] = { 0.4, 0.1, 0.3, 0.2 };
	ck_near(stats_quantile(y, 4, 0.5), 0.25, 1e-12);
	ck_near(stats_quantile(y, 4, 0.9), 0.37, 1e-12);
	double z[] = { 7 };
	ck_near(stats_quantile(z, 1, 0.9), 7, 0);
	ck_assert(isnan(stats_quantile(z, 0, 0.5)));
	double ten[10];
	for (int i = 0; i < 10; i++)
		ten[i] = 10 - i; /* 10..1 */
	ck_near(stats_quantile(ten, 10, 0.5), 5.5, 1e-12);
	ck_near(stats_quantile(ten, 10, 0.9), 9.1, 1e-12);
}
END_TEST

START_TEST(test_fisher_known_values)
{
	ck_near(stats_fisher_two_sided(10, 0, 0, 10), 1.0825e-05, 5e-10);
	ck_near(stats_fisher_two_sided(10, 0, 0, 10), 2.0 / 184756, 1e-12);
	ck_near(stats_fisher_two_sided(3, 1, 1, 3), 0.4857142857, 1e-9);
	ck_near(stats_fisher_two_sided(20, 0, 0, 20), 1.4508889104e-11, 1e-19);
	ck_near(stats_fisher_two_sided(7, 13, 0, 20), 0.0083160083, 1e-9);
	ck_near(stats_fisher_two_sided(1, 9, 11, 3), 0.0027594562, 1e-9);
	/* symmetric in rows and columns */
	ck_near(stats_fisher_two_sided(1, 9, 11, 3), stats_fisher_two_sided(11, 3, 1, 9), 1e-12);
	ck_near(stats_fisher_two_sided(1, 9, 11, 3), stats_fisher_two_sided(9, 1, 3, 11), 1e-12);
	/* nothing failed anywhere: no evidence either way */
	ck_near(stats_fisher_two_sided(0, 5, 0, 5), 1, 0);
	ck_near(stats_fisher_two_sided(0, 0, 3, 4), 1, 0);
}
END_TEST

static Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("beta");
	tcase_add_test(tc, test_beta_inc_known_values);
	tcase_add_test(tc, test_beta_quantile_inverts_beta_inc);
	tcase_add_test(tc, test_beta_accuracy_is_what_the_header_states);
	suite_add_tcase(s, tc);

	tc = tcase_create("intervals");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_clopper_pearson_known_values);
	tcase_add_test(tc, test_clopper_pearson_is_symmetric_and_ordered);
	tcase_add_test(tc, test_clopper_pearson_rejects_bad_arguments);
	tcase_add_test(tc, test_wilson_known_values);
	tcase_add_test(tc, test_zero_failure_bound_is_the_rule_of_three);
	tcase_add_test(tc, test_runs_needed_matches_perfbook);
	suite_add_tcase(s, tc);

	tc = tcase_create("summaries");
	tcase_add_test(tc, test_quantiles_interpolate);
	tcase_add_test(tc, test_fisher_known_values);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return suite_run(stats_suite());
}
