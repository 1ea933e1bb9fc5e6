/*
 * The expected-outcome table, cases/expected.tsv, compiled in: the first row
 * whose four fnmatch(3) patterns match wins.
 */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "stress.h"

static const char table[] =
#include "expected_tsv.inc"
	;

const char *expected_outcome(const char *arch, const char *kase, const char *variant,
			     const char *atomics)
{
	static char result[32];
	const char *line = table;
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char row[256];
		if (len < sizeof row && line[0] != '#' && len > 0) {
			memcpy(row, line, len);
			row[len] = 0;
			char *field[5] = { 0 };
			char *save = NULL, *tok = strtok_r(row, "\t", &save);
			for (int i = 0; i < 5 && tok; i++, tok = strtok_r(NULL, "\t", &save))
				field[i] = tok;
			if (field[4] && fnmatch(field[0], arch, 0) == 0 && fnmatch(field[1], kase, 0) == 0 &&
			    fnmatch(field[2], variant, 0) == 0 && fnmatch(field[3], atomics, 0) == 0) {
				snprintf(result, sizeof result, "%s", field[4]);
				return result;
			}
		}
		if (!end)
			break;
		line = end + 1;
	}
	return "pass";
}
