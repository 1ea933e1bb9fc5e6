/*
 * profbuf_go_cases — Go's runtime/profbuf_test.go (go1.12) expected words,
 * checked through nothing but the public header profbuf.h. A standalone
 * program, no test framework: prints each case, then "N passed, M failed",
 * and exits non-zero on any mismatch.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "profbuf.h"

static char my_tags[100];
#define TAG(i) ((void *)&my_tags[(i)])

#define WORDS(...) ((const uint64_t[]){ __VA_ARGS__ }), \
	(sizeof((const uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t))
#define STK(...) ((const uintptr_t[]){ __VA_ARGS__ }), \
	(sizeof((const uintptr_t[]){ __VA_ARGS__ }) / sizeof(uintptr_t))
#define TAGS(...) ((void *const[]){ __VA_ARGS__ }), \
	(sizeof((void *const[]){ __VA_ARGS__ }) / sizeof(void *))
#define NONE NULL, 0

static bool case_ok; /* cleared by the first mismatch of the running case */

static void wr(struct profbuf *b, void *tag, int64_t now, const uint64_t *hdr, size_t nhdr,
	       const uintptr_t *stk, size_t nstk)
{
	if (profbuf_write(b, &tag, now, hdr, nhdr, stk, nstk) != 0) {
		printf("    write at time %lld failed\n", (long long)now);
		case_ok = false;
	}
}

static void print_words(const char *what, const uint64_t *w, size_t n)
{
	printf("    %s [", what);
	for (size_t i = 0; i < n; i++)
		printf("%s%llu", i ? " " : "", (unsigned long long)w[i]);
	printf("]\n");
}

static void rd(struct profbuf *b, const uint64_t *data, size_t ndata, void *const *tags, size_t ntags)
{
	struct profbuf_batch g;
	int rc = profbuf_read(b, PROFBUF_NONBLOCKING, &g);
	bool ok = rc == 0 && !g.eof && g.ndata == ndata && g.ntags == ntags;
	for (size_t i = 0; ok && i < ndata; i++)
		ok = g.data[i] == data[i];
	for (size_t i = 0; ok && i < ntags; i++)
		ok = g.tags[i] == tags[i];
	if (!ok && case_ok) {
		printf("    unexpected read (rc %d: %s, eof %d, %zu tags, want %zu)\n", rc,
		       profbuf_strerror(rc), g.eof, g.ntags, ntags);
		print_words("have", g.data, g.ndata);
		print_words("want", data, ndata);
	}
	if (!ok)
		case_ok = false;
}

static void basic_write_read(void)
{
	struct profbuf *b = profbuf_new(2, 11, 1);
	wr(b, TAG(0), 1, WORDS(2, 3), STK(4, 5, 6, 7, 8, 9));
	rd(b, WORDS(10, 1, 2, 3, 4, 5, 6, 7, 8, 9), TAGS(TAG(0)));
	rd(b, NONE, NONE);
	wr(b, TAG(2), 99, WORDS(101, 102), STK(201, 202, 203, 204));
	rd(b, WORDS(8, 99, 101, 102, 201, 202, 203, 204), TAGS(TAG(2)));
	profbuf_free(b);
}

static void read_many(void)
{
	struct profbuf *b = profbuf_new(2, 50, 50);
	wr(b, TAG(0), 1, WORDS(2, 3), STK(4, 5, 6, 7, 8, 9));
	wr(b, TAG(2), 99, WORDS(101, 102), STK(201, 202, 203, 204));
	wr(b, TAG(1), 500, WORDS(502, 504), STK(506));
	rd(b, WORDS(10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 8, 99, 101, 102, 201, 202, 203, 204, 5, 500, 502, 504, 506),
	   TAGS(TAG(0), TAG(2), TAG(1)));
	profbuf_free(b);
}

static void read_many_short(void)
{
	struct profbuf *b = profbuf_new(2, 50, 50);
	wr(b, TAG(0), 1, WORDS(2, 3), STK(4, 5, 6, 7, 8, 9));
	wr(b, TAG(2), 99, WORDS(101, 102), STK(201, 202, 203, 204));
	rd(b, WORDS(10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 8, 99, 101, 102, 201, 202, 203, 204), TAGS(TAG(0), TAG(2)));
	profbuf_free(b);
}

static void read_after_overflow1(void)
{
	struct profbuf *b = profbuf_new(2, 16, 5);
	wr(b, TAG(0), 1, WORDS(2, 3), STK(4, 5, 6, 7, 8, 9));
	rd(b, WORDS(10, 1, 2, 3, 4, 5, 6, 7, 8, 9), TAGS(TAG(0)));
	wr(b, TAG(0), 1, WORDS(2, 3), STK(4, 5));
	rd(b, WORDS(6, 1, 2, 3, 4, 5), TAGS(TAG(0)));
	wr(b, TAG(2), 99, WORDS(101, 102), STK(201, 202, 203, 204, 205, 206, 207, 208, 209));
	for (int i = 0; i < 299; i++)
		wr(b, TAG(3), 100 + i, WORDS(101, 102), STK(201, 202, 203, 204));
	wr(b, TAG(1), 500, WORDS(502, 504), STK(506));
	rd(b, WORDS(5, 99, 0, 0, 300, 5, 500, 502, 504, 506), TAGS(NULL, TAG(1)));
	profbuf_free(b);
}

static void read_after_overflow2(void)
{
	struct profbuf *b = profbuf_new(2, 16, 5);
	wr(b, TAG(0), 1, WORDS(2, 3), STK(4, 5, 6, 7, 8, 9));
	wr(b, TAG(2), 99, WORDS(101, 102), STK(201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213));
	for (int i = 0; i < 299; i++)
		wr(b, TAG(3), 100, WORDS(101, 102), STK(201, 202, 203, 204));
	rd(b, WORDS(10, 1, 2, 3, 4, 5, 6, 7, 8, 9), TAGS(TAG(0)));
	wr(b, TAG(1), 500, WORDS(502, 504), NONE);
	rd(b, WORDS(5, 99, 0, 0, 301), TAGS(NULL));
	wr(b, TAG(1), 500, WORDS(502, 505), STK(506));
	rd(b, WORDS(5, 500, 502, 505, 506), TAGS(TAG(1)));
	profbuf_free(b);
}

static void read_at_end_after_overflow(void)
{
	struct profbuf *b = profbuf_new(2, 12, 5);
	wr(b, TAG(0), 1, WORDS(2, 3), STK(4, 5, 6, 7, 8, 9));
	wr(b, TAG(2), 99, WORDS(101, 102), STK(201, 202, 203, 204));
	for (int i = 0; i < 299; i++)
		wr(b, TAG(3), 100, WORDS(101, 102), STK(201, 202, 203, 204));
	rd(b, WORDS(10, 1, 2, 3, 4, 5, 6, 7, 8, 9), TAGS(TAG(0)));
	rd(b, WORDS(5, 99, 0, 0, 300), TAGS(NULL));
	wr(b, TAG(1), 500, WORDS(502, 504), STK(506));
	rd(b, WORDS(5, 500, 502, 504, 506), TAGS(TAG(1)));
	profbuf_free(b);
}

static void close_then_eof(void)
{
	struct profbuf *b = profbuf_new(2, 11, 1);
	wr(b, TAG(0), 1, WORDS(2, 3), STK(4, 5, 6, 7, 8, 9));
	profbuf_close(b);
	rd(b, WORDS(10, 1, 2, 3, 4, 5, 6, 7, 8, 9), TAGS(TAG(0)));
	for (int mode = 0; mode < 2; mode++) {
		struct profbuf_batch g;
		int rc = profbuf_read(b, mode ? PROFBUF_NONBLOCKING : PROFBUF_BLOCKING, &g);
		if (rc != 0 || !g.eof || g.ndata || g.ntags) {
			printf("    want eof in %s mode\n", mode ? "non-blocking" : "blocking");
			case_ok = false;
		}
	}
	profbuf_free(b);
}

static void wraparound(size_t bufwords, size_t tags)
{
	struct profbuf *b = profbuf_new(2, bufwords, tags);
	for (int i = 0; i < 10; i++) {
		wr(b, TAG(0), 1, WORDS(2, 3), STK(4, 5, 6, 7, 8, 9));
		rd(b, WORDS(10, 1, 2, 3, 4, 5, 6, 7, 8, 9), TAGS(TAG(0)));
		rd(b, NONE, NONE);
	}
	profbuf_free(b);
}

static void data_wraparound(void) { wraparound(16, 1024); }
static void tag_wraparound(void) { wraparound(1024, 2); }
static void both_wraparound(void) { wraparound(16, 2); }

int main(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} cases[] = {
		{ "BasicWriteRead", basic_write_read },
		{ "ReadMany", read_many },
		{ "ReadManyShortData", read_many_short },
		{ "ReadManyShortTags", read_many_short },
		{ "ReadAfterOverflow1", read_after_overflow1 },
		{ "ReadAfterOverflow2", read_after_overflow2 },
		{ "ReadAtEndAfterOverflow", read_at_end_after_overflow },
		{ "CloseThenEOF", close_then_eof },
		{ "DataWraparound", data_wraparound },
		{ "TagWraparound", tag_wraparound },
		{ "BothWraparound", both_wraparound },
	};
	int passed = 0, failed = 0;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		case_ok = true;
		cases[i].fn();
		printf("%s %s\n", case_ok ? "ok  " : "FAIL", cases[i].name);
		if (case_ok)
			passed++;
		else
			failed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
