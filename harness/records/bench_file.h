/*
 * bench_file — reads the bench.json that `make bench` (ci/bench) writes,
 * for the report's rate bars. Only what the report shows is taken: per
 * arch, the strategy, the ceiling (signals handled per second by the bare
 * probe), the stress rate (lost-atomic/exact) and their ratio.
 *
 * The file: {"bench": "proftorture", "quick": bool, "results": [ {"arch",
 * "atomics", "ceiling_per_s", "stress_per_s", "stress_to_ceiling", ...} ]}.
 * Python's json module writes an unknown number as the bare token NaN
 * (or Infinity), which is not JSON; outside strings those tokens are read
 * as null (unknown) before jansson parses the text strictly. Anything else
 * malformed is refused with the reason.
 */
#ifndef HARNESS_BENCH_FILE_H
#define HARNESS_BENCH_FILE_H

#include <stddef.h>

struct bench_row {
	char *arch, *atomics;          /* sanitised */
	double ceiling, stress, ratio; /* per second; NaN when unknown */
};

struct bench {
	struct bench_row *v;
	size_t n;
	int quick; /* ci/bench --quick: fewer runs */
};

/* 0, or -1 with a message naming the file in err. */
int bench_parse(const char *text, size_t len, const char *name, struct bench *b, char *err,
		size_t errlen);
int bench_load(const char *path, struct bench *b, char *err, size_t errlen);
void bench_free(struct bench *b);

#endif
