/*
 * go-stats — the project's statistics (harness/judge/stats.h) for scripts that
 * count failures themselves: ci/repro-go-eof, until the runner drives the
 * real Go runtime.
 *
 *   go-stats BUGGY_FAILED BUGGY_TRIALS FIXED_FAILED FIXED_TRIALS
 *
 * prints one line of key=value pairs:
 *   buggy_rate buggy_lo buggy_hi   rate and 95% Clopper-Pearson interval
 *   fixed_rate fixed_lo fixed_hi   the same for the fixed side
 *   fixed_bound                    one-sided 95% upper bound when the fixed
 *                                  side saw no failure (1-0.05^(1/n)), else
 *                                  its interval's upper end
 *   rule_of_three                  3/FIXED_TRIALS
 *   fisher_p                       two-sided Fisher exact test, buggy vs fixed
 * Exits 2 on bad arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "stats.h"

static int parse_count(const char *s, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-')
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long v[4];
	if (argc != 5 || parse_count(argv[1], &v[0]) || parse_count(argv[2], &v[1]) ||
	    parse_count(argv[3], &v[2]) || parse_count(argv[4], &v[3]) || v[0] > v[1] || v[2] > v[3] ||
	    v[1] == 0 || v[3] == 0) {
		fprintf(stderr, "usage: go-stats BUGGY_FAILED BUGGY_TRIALS FIXED_FAILED FIXED_TRIALS "
				"(counts, failed <= trials, trials > 0)\n");
		return 2;
	}
	struct stats_interval b = stats_clopper_pearson(v[0], v[1], 0.95);
	struct stats_interval f = stats_clopper_pearson(v[2], v[3], 0.95);
	double bound = v[2] == 0 ? stats_zero_failure_upper((double)v[3], 0.95) : f.hi;
	double fisher = stats_fisher_two_sided(v[0], v[1] - v[0], v[2], v[3] - v[2]);
	printf("buggy_rate=%.6g buggy_lo=%.6g buggy_hi=%.6g fixed_rate=%.6g fixed_lo=%.6g fixed_hi=%.6g "
	       "fixed_bound=%.6g rule_of_three=%.6g fisher_p=%.6g\n",
	       (double)v[0] / (double)v[1], b.lo, b.hi, (double)v[2] / (double)v[3], f.lo, f.hi, bound,
	       3.0 / (double)v[3], fisher);
	return 0;
}
