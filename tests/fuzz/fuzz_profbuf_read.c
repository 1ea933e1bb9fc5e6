/*
 * libFuzzer target: profbuf's validating reader over arbitrary ring contents
 * and index words. Whatever the input, profbuf_read must return 0 or one of
 * its negative codes, never read outside the ring (ASan watches), and any
 * batch it returns must lie inside the ring or the overflow buffer and be
 * whole records. Blocking mode is never used: a garbage ring may claim to be
 * empty for ever.
 *
 * Input: [hdrsize][log2 words][log2 tags][eof] then the index words r, w,
 * overflow, overflowTime, rNext (8 bytes each), then ring words.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profbuf.h"

static uint64_t take64(const uint8_t **p, size_t *n)
{
	uint64_t v = 0;
	size_t k = *n < 8 ? *n : 8;
	memcpy(&v, *p, k);
	*p += k;
	*n -= k;
	return v;
}

static int inside(const uint64_t *p, size_t n, const uint64_t *base, size_t len)
{
	return p >= base && p + n <= base + len;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	if (n < 4)
		return 0;
	size_t hdrsize = in[0] % 4, words = (size_t)1 << (in[1] % 9), tags = (size_t)1 << (in[2] % 6);
	uint32_t eof = in[3] & 1;
	in += 4;
	n -= 4;
	struct profbuf *b = profbuf_new(hdrsize, words, tags);
	if (!b)
		abort();
	struct profbuf_raw raw;
	profbuf_raw(b, &raw);
	*raw.r = take64(&in, &n);
	*raw.w = take64(&in, &n);
	*raw.overflow = take64(&in, &n);
	*raw.overflow_time = take64(&in, &n);
	*raw.r_next = take64(&in, &n);
	*raw.eof = eof;
	for (size_t i = 0; i < raw.ndata && n > 0; i++)
		raw.data[i] = take64(&in, &n) % (raw.ndata + 4); /* small lengths are the interesting ones */
	for (size_t i = 0; i < raw.ntags; i++)
		raw.tags[i] = (void *)(uintptr_t)(i & 1);

	for (int round = 0; round < 4; round++) {
		struct profbuf_batch batch;
		int rc = profbuf_read(b, PROFBUF_NONBLOCKING, &batch);
		if (rc < 0) {
			if (rc < PROFBUF_ERR_MIN || profbuf_strerror(rc) == NULL)
				abort();
			char desc[512];
			profbuf_describe(b, rc, desc, sizeof desc);
			break;
		}
		if (rc != 0)
			abort();
		if (batch.ndata == 0)
			continue;
		if (!inside(batch.data, batch.ndata, raw.data, raw.ndata) &&
		    !inside(batch.data, batch.ndata, raw.overflow_buf, raw.novf))
			abort();
		/* whole records, each at least 2 + hdrsize words */
		size_t i = 0, records = 0;
		while (i < batch.ndata) {
			uint64_t len = batch.data[i];
			if (len < 2 + hdrsize || len > batch.ndata - i)
				abort();
			i += (size_t)len;
			records++;
		}
		if (records != batch.ntags)
			abort();
	}
	profbuf_free(b);
	return 0;
}
