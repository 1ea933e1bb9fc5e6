#include "stats.h"

#include <math.h>

/* Continued fraction for I_x(a,b) (modified Lentz), valid and fast for
 * x < (a+1)/(a+b+2); the caller uses the symmetry otherwise. */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-15;
	double qab = a + b, qap = a + 1, qam = a - 1;
	double c = 1, d = 1 - qab * x / qap;
	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	double h = d;
	for (int m = 1; m <= 10000; m++) {
		int m2 = 2 * m;
		double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		double del = d * c;
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

double stats_beta_inc(double a, double b, double x)
{
	if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1))
		return NAN;
	if (x == 0)
		return 0;
	if (x == 1)
		return 1;
	/* ln of x^a (1-x)^b / B(a,b) */
	double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
	double bt = exp(lbt);
	if (x < (a + 1) / (a + b + 2))
		return bt * beta_cf(a, b, x) / a;
	return 1 - bt * beta_cf(b, a, 1 - x) / b;
}

double stats_beta_quantile(double a, double b, double p)
{
	if (!(p >= 0) || !(p <= 1) || !(a > 0) || !(b > 0))
		return NAN;
	double lo = 0, hi = 1;
	/* I_x is monotone increasing in x: plain bisection; about 50 halvings
	 * put the bracket under 1e-15 (stats.h states what that gives). */
	for (int i = 0; i < 200 && hi - lo > 1e-15; i++) {
		double mid = (lo + hi) / 2;
		if (stats_beta_inc(a, b, mid) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

double stats_norm_quantile(double p)
{
	if (!(p > 0) || !(p < 1))
		return NAN;
	double lo = -40, hi = 40;
	for (int i = 0; i < 200 && hi - lo > 1e-13; i++) {
		double mid = (lo + hi) / 2;
		if (0.5 * erfc(-mid / sqrt(2.0)) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

static int bad_conf(double conf)
{
	return !(conf > 0) || !(conf < 1);
}

struct stats_interval stats_clopper_pearson(unsigned long k, unsigned long n, double conf)
{
	struct stats_interval r = { NAN, NAN };
	if (k > n || bad_conf(conf))
		return r;
	if (n == 0) {
		r.lo = 0;
		r.hi = 1;
		return r;
	}
	double alpha = 1 - conf;
	double dk = (double)k, dn = (double)n;
	r.lo = k == 0 ? 0 : stats_beta_quantile(dk, dn - dk + 1, alpha / 2);
	r.hi = k == n ? 1 : stats_beta_quantile(dk + 1, dn - dk, 1 - alpha / 2);
	return r;
}

struct stats_interval stats_wilson(unsigned long k, unsigned long n, double conf)
{
	struct stats_interval r = { NAN, NAN };
	if (k > n || bad_conf(conf))
		return r;
	if (n == 0) {
		r.lo = 0;
		r.hi = 1;
		return r;
	}
	double z = stats_norm_quantile(1 - (1 - conf) / 2);
	double dn = (double)n, ph = (double)k / dn, z2 = z * z;
	double centre = (ph + z2 / (2 * dn)) / (1 + z2 / dn);
	double half = z / (1 + z2 / dn) * sqrt(ph * (1 - ph) / dn + z2 / (4 * dn * dn));
	r.lo = fmax(0, centre - half);
	r.hi = fmin(1, centre + half);
	return r;
}

double stats_zero_failure_upper(double n, double conf)
{
	if (bad_conf(conf) || isnan(n))
		return NAN;
	if (n <= 0)
		return 1;
	/* 1 - (1-conf)^(1/n), written with expm1 so huge exposures
	 * (n ~ 1e9 near misses) keep their precision. */
	return -expm1(log1p(-conf) / n);
}

double stats_runs_needed(double f, double conf)
{
	if (bad_conf(conf) || !(f > 0) || !(f < 1))
		return NAN;
	return ceil(log1p(-conf) / log1p(-f) - 1e-9);
}

static void sort_doubles(double *x, size_t n)
{
	/* insertion sort: n is a cell's run count (tens to thousands) */
	for (size_t i = 1; i < n; i++) {
		double v = x[i];
		size_t j = i;
		while (j > 0 && x[j - 1] > v) {
			x[j] = x[j - 1];
			j--;
		}
		x[j] = v;
	}
}

double stats_quantile(double *x, size_t n, double q)
{
	if (n == 0 || !(q >= 0) || !(q <= 1))
		return NAN;
	sort_doubles(x, n);
	double h = (double)(n - 1) * q;
	size_t i = (size_t)floor(h);
	if (i + 1 >= n)
		return x[n - 1];
	return x[i] + (h - (double)i) * (x[i + 1] - x[i]);
}

/* ln P(top-left cell = a) for the hypergeometric with the given margins:
 * C(r1, a) C(r2, c1 - a) / C(N, c1). */
static double lchoose(double n, double k)
{
	return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
}

double stats_fisher_two_sided(unsigned long a, unsigned long b, unsigned long c, unsigned long d)
{
	double r1 = (double)a + (double)b, r2 = (double)c + (double)d;
	double c1 = (double)a + (double)c, N = r1 + r2;
	if (r1 == 0 || r2 == 0 || c1 == 0 || c1 == N)
		return 1;
	double lden = lchoose(N, c1);
	double lobs = lchoose(r1, (double)a) + lchoose(r2, c1 - (double)a) - lden;
	double lo = fmax(0, c1 - r2), hi = fmin(r1, c1);
	double p = 0;
	for (double x = lo; x <= hi; x++) {
		double lp = lchoose(r1, x) + lchoose(r2, c1 - x) - lden;
		if (lp <= lobs + 1e-7 * fabs(lobs) + 1e-12)
			p += exp(lp);
	}
	return p > 1 ? 1 : p;
}
