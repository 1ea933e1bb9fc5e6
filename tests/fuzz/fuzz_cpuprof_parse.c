/*
 * libFuzzer target: cpuprof_parse_batch (Go's addCPUData checks) over
 * arbitrary words and tag counts. It must return 0 or CPUPROF_ERR_*, never
 * read outside the batch (ASan watches), and visit only records that lie
 * inside it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpuprof.h"

static const uint64_t *batch_start, *batch_end;

static int visit(void *arg, const struct cpuprof_record *rec)
{
	(void)arg;
	if (rec->stk < batch_start || rec->stk + rec->nstk > batch_end)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	if (n < 2)
		return 0;
	size_t ntags = in[0] % 64;
	bool have_period = in[1] & 1;
	in += 2;
	n -= 2;
	size_t nwords = n / 8;
	uint64_t *words = malloc((nwords ? nwords : 1) * sizeof *words);
	void **tags = calloc(ntags ? ntags : 1, sizeof *tags);
	if (!words || !tags)
		abort();
	memcpy(words, in, nwords * 8);
	for (size_t i = 0; i < nwords; i++)
		if (i % 3 == 0)
			words[i] %= 16; /* plausible lengths now and then */
	batch_start = words;
	batch_end = words + nwords;
	struct cpuprof_parser ps;
	memset(&ps, 0, sizeof ps);
	ps.have_period = have_period;
	int rc = cpuprof_parse_batch(&ps, words, nwords, tags, ntags, visit, NULL);
	if (rc != 0 && rc != CPUPROF_ERR_TRUNCATED && rc != CPUPROF_ERR_MALFORMED)
		abort();
	free(words);
	free(tags);
	return 0;
}
