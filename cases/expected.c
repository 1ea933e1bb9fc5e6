/*
 * The expected-outcome table, cases/expected.tsv, compiled in for
 * `torture --list`, read by protocol/expected.c like the runner reads the file.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "expected.h"
#include "torture.h"

static const char table_text[] =
#include "expected_tsv.inc"
	;

const char *expected_outcome(const char *arch, const char *kase, const char *variant,
			     const char *atomics)
{
	static struct expected_table table;
	static char result[64];
	char err[256];
	if (!table.n && expected_parse(table_text, "cases/expected.tsv", &table, err, sizeof err)) {
		fprintf(stderr, "torture: %s\n", err);
		exit(outcome_exit_status(OUT_ERROR));
	}
	const struct expected_row *row = expected_lookup(&table, arch, kase, variant, atomics);
	if (!row) {
		fprintf(stderr, "torture: cases/expected.tsv has no row for %s %s %s %s\n", arch, kase,
			variant, atomics);
		exit(outcome_exit_status(OUT_ERROR));
	}
	return outcome_set_name(row->expected, result, sizeof result);
}
