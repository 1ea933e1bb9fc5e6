/*
 * stats — the statistics behind every verdict. Pure functions: no I/O, no
 * globals, no allocation; only <math.h>. Built and tested on every arch
 * (tests/check_stats.c runs natively and under qemu).
 *
 * Conventions
 * - `conf` is a confidence level in (0, 1), e.g. 0.95.
 * - Intervals are two-sided and closed: [lo, hi] with 0 <= lo <= hi <= 1.
 * - Bounds for "zero failures seen" are ONE-sided (the rule of three):
 *   the largest rate p with (1-p)^n >= 1-conf, i.e. p = 1 - (1-conf)^(1/n),
 *   about 3/n at 95%. A two-sided Clopper-Pearson interval of 0/n has upper
 *   end 1 - ((1-conf)/2)^(1/n) instead (0.3085 for 0/10 at 95%); the report
 *   states which one it prints.
 * - Invalid arguments (k > n, conf outside (0,1), negative counts) give NaN
 *   (or an interval of NaNs); callers never pass them on purpose.
 *
 * Accuracy (tests/check_stats.c holds both against mpmath, on every arch):
 * the incomplete beta function, by Lentz's continued fraction (stopping
 * when a step changes the value by less than 1e-15) and lgamma for the
 * prefactor, is within STATS_BETA_INC_REL_ERROR relative error for the a, b
 * of up to a few thousand runs that verdicts use; the prefactor's lgamma
 * differences, not the fraction, set that bound (2.5e-13 measured at
 * a=200, b=2). Quantiles are found by bisection until the bracket is under
 * 1e-15, so they are within STATS_BETA_QUANTILE_ABS_ERROR of the true
 * quantile. Reports print four digits.
 */
#ifndef HARNESS_STATS_H
#define HARNESS_STATS_H

#include <stddef.h>

#define STATS_BETA_INC_REL_ERROR 1e-12
#define STATS_BETA_QUANTILE_ABS_ERROR 1e-13

struct stats_interval {
	double lo, hi;
};

/* Regularized incomplete beta function I_x(a, b), a > 0, b > 0, x in [0,1]. */
double stats_beta_inc(double a, double b, double x);

/* The x with I_x(a, b) = p (the Beta(a, b) quantile), by bisection. */
double stats_beta_quantile(double a, double b, double p);

/* Standard normal quantile (inverse CDF), p in (0, 1). */
double stats_norm_quantile(double p);

/* Clopper-Pearson ("exact") two-sided interval for k failures in n runs.
 * n == 0 gives [0, 1]. */
struct stats_interval stats_clopper_pearson(unsigned long k, unsigned long n, double conf);

/* Wilson score interval (two-sided). n == 0 gives [0, 1]. */
struct stats_interval stats_wilson(unsigned long k, unsigned long n, double conf);

/* One-sided upper bound on a per-trial failure rate after n clean trials:
 * 1 - (1-conf)^(1/n). n is a double so it also takes exposure counts
 * (near misses, signals) that exceed 2^32. n <= 0 gives 1. */
double stats_zero_failure_upper(double n, double conf);

/* Trials needed to see at least one failure with probability conf when the
 * per-trial rate is f: ceil(ln(1-conf) / ln(1-f)). f in (0,1). */
double stats_runs_needed(double f, double conf);

/* Quantile q in [0,1] of x[0..n-1] by linear interpolation between order
 * statistics (R type 7; the median of an even count is the mean of the two
 * middle values). SORTS x IN PLACE. n == 0 gives NaN. */
double stats_quantile(double *x, size_t n, double q);

/* Two-sided Fisher exact test of the 2x2 table
 *          failed  passed
 *   buggy    a       b
 *   fixed    c       d
 * p = sum of P(table) over all tables with the same margins whose
 * probability is <= P(observed) (with a 1e-7 relative tolerance, as R's
 * fisher.test). Returns 1 when a margin is empty. */
double stats_fisher_two_sided(unsigned long a, unsigned long b, unsigned long c, unsigned long d);

#endif
