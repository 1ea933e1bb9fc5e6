/*
 * Check tests of profbuf: Go's runtime/profbuf_test.go (go1.12) word for word,
 * sizing, overflow bookkeeping, testpoints, one writer against one reader in
 * small rings, garbage in every word, and a negative control — two unlocked
 * writers, golang/go#24991's mistake — that must be caught.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomic_emul.h"
#include "support/child.h"
#include "profbuf.h"
#include "testpoint.h"
#include "support/suite_run.h"

/* ---- helpers for the Go cases ---- */

static char my_tags[100]; /* Go's myTags: tags are addresses of its bytes */
#define TAG(i) ((void *)&my_tags[(i)])

#define WORDS(...) ((const uint64_t[]){ __VA_ARGS__ }), \
	(sizeof((const uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t))
#define STK(...) ((const uintptr_t[]){ __VA_ARGS__ }), \
	(sizeof((const uintptr_t[]){ __VA_ARGS__ }) / sizeof(uintptr_t))
#define TAGS(...) ((void *const[]){ __VA_ARGS__ }), \
	(sizeof((void *const[]){ __VA_ARGS__ }) / sizeof(void *))
#define NONE NULL, 0

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Go's write helper: always passes &tag. */
static void go_write(struct profbuf *b, void *tag, int64_t now, const uint64_t *hdr, size_t nhdr,
		     const uintptr_t *stk, size_t nstk)
{
	ck_assert_int_eq(profbuf_write(b, &tag, now, hdr, nhdr, stk, nstk), 0);
}

static const char *fmt_words(char *buf, size_t len, const uint64_t *w, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	used += (size_t)snprintf(buf, len, "[");
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%llu", i ? " " : "",
					 (unsigned long long)w[i]);
	if (used < len)
		snprintf(buf + used, len - used, "]");
	return buf;
}

static const char *fmt_tags(char *buf, size_t len, void *const *t, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	used += (size_t)snprintf(buf, len, "[");
	for (size_t i = 0; i < n && used < len; i++) {
		long idx = t[i] ? (long)((char *)t[i] - my_tags) : -1;
		used += (size_t)snprintf(buf + used, len - used, "%s%s%ld", i ? " " : "",
					 t[i] ? "&myTags+" : "nil", t[i] ? idx : 0L);
	}
	if (used < len)
		snprintf(buf + used, len - used, "]");
	return buf;
}

static bool batch_equal(const struct profbuf_batch *got, const uint64_t *data, size_t ndata,
			void *const *tags, size_t ntags)
{
	if (got->ndata != ndata || got->ntags != ntags)
		return false;
	for (size_t i = 0; i < ndata; i++)
		if (got->data[i] != data[i])
			return false;
	for (size_t i = 0; i < ntags; i++)
		if (got->tags[i] != tags[i])
			return false;
	return true;
}

/* Go's read helper: a non-blocking read must return exactly data and tags,
 * without eof. */
static void go_read(struct profbuf *b, const uint64_t *data, size_t ndata, void *const *tags,
		    size_t ntags)
{
	struct profbuf_batch got;
	int rc = profbuf_read(b, PROFBUF_NONBLOCKING, &got);
	ck_assert_msg(rc == 0, "read failed: %s", profbuf_strerror(rc));
	char h[512], w[512], ht[256], wt[256];
	ck_assert_msg(batch_equal(&got, data, ndata, tags, ntags),
		      "unexpected profile read:\nhave data %s\nwant data %s\nhave tags %s\nwant tags %s",
		      fmt_words(h, sizeof h, got.data, got.ndata), fmt_words(w, sizeof w, data, ndata),
		      fmt_tags(ht, sizeof ht, got.tags, got.ntags), fmt_tags(wt, sizeof wt, tags, ntags));
	ck_assert_msg(!got.eof, "unexpected eof");
}

/* ---- Go's TestProfBuf ---- */

START_TEST(go_basic_write_read)
{
	struct profbuf *b = profbuf_new(2, 11, 1);
	go_write(b, TAG(0), 1, WORDS(2, 3), STK(4, 5, 6, 7, 8, 9));
	go_read(b, WORDS(10, 1, 2, 3, 4, 5, 6, 7, 8, 9), TAGS(TAG(0)));
	go_read(b, NONE, NONE); /* releases the previous read */
	go_write(b, TAG(2), 99, WORDS(101, 102), STK(201, 202, 203, 204));
	go_read(b, WORDS(8, 99, 101, 102, 201, 202, 203, 204), TAGS(TAG(2)));
	profbuf_free(b);
}
END_TEST

START_TEST(go_read_many)
{
	struct profbuf *b = profbuf_new(2, 50, 50);
	go_write(b, TAG(0), 1, WORDS(2, 3), STK(4, 5, 6, 7, 8, 9));
	go_write(b, TAG(2), 99, WORDS(101, 102), STK(201, 202, 203, 204));
	go_write(b, TAG(1), 500, WORDS(502, 504), STK(506));
	go_read(b, WORDS(10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 8, 99, 101, 102, 201, 202, 203, 204, 5, 500, 502,
			 504, 506),
		TAGS(TAG(0), TAG(2), TAG(1)));
	profbuf_free(b);
}
END_TEST

START_TEST(go_read_many_short_data)
{
	struct profbuf *b = profbuf_new(2, 50, 50);
	go_write(b, TAG(0), 1, WORDS(2, 3), STK(4, 5, 6, 7, 8, 9));
	go_write(b, TAG(2), 99, WORDS(101, 102), STK(201, 202, 203, 204));
	go_read(b, WORDS(10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 8, 99, 101, 102, 201, 202, 203, 204),
		TAGS(TAG(0), TAG(2)));
	profbuf_free(b);
}
END_TEST

START_TEST(go_read_many_short_tags)
{
	struct profbuf *b = profbuf_new(2, 50, 50);
	go_write(b, TAG(0), 1, WORDS(2, 3), STK(4, 5, 6, 7, 8, 9));
	go_write(b, TAG(2), 99, WORDS(101, 102), STK(201, 202, 203, 204));
	go_read(b, WORDS(10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 8, 99, 101, 102, 201, 202, 203, 204),
		TAGS(TAG(0), TAG(2)));
	profbuf_free(b);
}
END_TEST

START_TEST(go_read_after_overflow1_record_synthesized_by_write)
{
	struct profbuf *b = profbuf_new(2, 16, 5);
	go_write(b, TAG(0), 1, WORDS(2, 3), STK(4, 5, 6, 7, 8, 9));   /* uses 10 */
	go_read(b, WORDS(10, 1, 2, 3, 4, 5, 6, 7, 8, 9), TAGS(TAG(0))); /* in use until next read */
	go_write(b, TAG(0), 1, WORDS(2, 3), STK(4, 5));               /* uses 6 */
	go_read(b, WORDS(6, 1, 2, 3, 4, 5), TAGS(TAG(0)));              /* in use until next read */
	/* now 10 available */
	go_write(b, TAG(2), 99, WORDS(101, 102), STK(201, 202, 203, 204, 205, 206, 207, 208, 209)); /* no room */
	for (int i = 0; i < 299; i++) /* no room for overflow + this record */
		go_write(b, TAG(3), 100 + i, WORDS(101, 102), STK(201, 202, 203, 204));
	go_write(b, TAG(1), 500, WORDS(502, 504), STK(506)); /* room for overflow + this record */
	go_read(b, WORDS(5, 99, 0, 0, 300, 5, 500, 502, 504, 506), TAGS(NULL, TAG(1)));
	profbuf_free(b);
}
END_TEST

START_TEST(go_read_after_overflow2_record_synthesized_by_read)
{
	struct profbuf *b = profbuf_new(2, 16, 5);
	go_write(b, TAG(0), 1, WORDS(2, 3), STK(4, 5, 6, 7, 8, 9));
	go_write(b, TAG(2), 99, WORDS(101, 102),
		 STK(201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213));
	for (int i = 0; i < 299; i++)
		go_write(b, TAG(3), 100, WORDS(101, 102), STK(201, 202, 203, 204));
	go_read(b, WORDS(10, 1, 2, 3, 4, 5, 6, 7, 8, 9), TAGS(TAG(0))); /* in use until next read */
	go_write(b, TAG(1), 500, WORDS(502, 504), NONE);                /* still overflow */
	go_read(b, WORDS(5, 99, 0, 0, 301), TAGS(NULL));                /* synthesized by read */
	go_write(b, TAG(1), 500, WORDS(502, 505), STK(506));            /* written */
	go_read(b, WORDS(5, 500, 502, 505, 506), TAGS(TAG(1)));
	profbuf_free(b);
}
END_TEST

START_TEST(go_read_at_end_after_overflow)
{
	struct profbuf *b = profbuf_new(2, 12, 5);
	go_write(b, TAG(0), 1, WORDS(2, 3), STK(4, 5, 6, 7, 8, 9));
	go_write(b, TAG(2), 99, WORDS(101, 102), STK(201, 202, 203, 204));
	for (int i = 0; i < 299; i++)
		go_write(b, TAG(3), 100, WORDS(101, 102), STK(201, 202, 203, 204));
	go_read(b, WORDS(10, 1, 2, 3, 4, 5, 6, 7, 8, 9), TAGS(TAG(0)));
	go_read(b, WORDS(5, 99, 0, 0, 300), TAGS(NULL));
	go_write(b, TAG(1), 500, WORDS(502, 504), STK(506));
	go_read(b, WORDS(5, 500, 502, 504, 506), TAGS(TAG(1)));
	profbuf_free(b);
}
END_TEST

/* Go's readBlock: a blocking read on another thread, checked there. */
struct blocked_read {
	pthread_t thread;
	struct profbuf *b;
	const uint64_t *data;
	size_t ndata;
	void *const *tags;
	size_t ntags;
	bool want_eof;
	atomic_int done;
	int rc;
	bool ok;
	char why[1024];
};

static void *blocked_read_main(void *arg)
{
	struct blocked_read *r = arg;
	struct profbuf_batch got;
	r->rc = profbuf_read(r->b, PROFBUF_BLOCKING, &got);
	r->ok = r->rc == 0 && got.eof == r->want_eof &&
		batch_equal(&got, r->data, r->ndata, r->tags, r->ntags);
	if (!r->ok) {
		char h[256], w[256];
		snprintf(r->why, sizeof r->why, "rc %d, have data %s want %s, have eof %d want %d", r->rc,
			 fmt_words(h, sizeof h, got.data, got.ndata),
			 fmt_words(w, sizeof w, r->data, r->ndata), got.eof, r->want_eof);
	}
	atomic_store(&r->done, 1);
	return NULL;
}

/* Starts the blocking read and waits until it is asleep: READER_SLEEPING
 * (bit 32) set in w. Asserts that it did not return before. */
static void read_block(struct blocked_read *r, struct profbuf *b, const uint64_t *data, size_t ndata,
		       void *const *tags, size_t ntags, bool want_eof)
{
	memset(r, 0, sizeof *r);
	r->b = b;
	r->data = data;
	r->ndata = ndata;
	r->tags = tags;
	r->ntags = ntags;
	r->want_eof = want_eof;
	ck_assert_int_eq(pthread_create(&r->thread, NULL, blocked_read_main, r), 0);
	struct profbuf_raw raw;
	profbuf_raw(b, &raw);
	double deadline = now_seconds() + 5 * slowdown();
	while (!(atomic_emul_load64(raw.w) & ((uint64_t)1 << 32)) && !atomic_load(&r->done) &&
	       now_seconds() < deadline)
		sleep_s(0.001);
	sleep_s(0.010); /* as Go: let it settle in the futex */
	ck_assert_msg(!atomic_load(&r->done), "blocking read returned without data: %s", r->why);
	ck_assert_msg(atomic_emul_load64(raw.w) & ((uint64_t)1 << 32), "reader never went to sleep");
}

static void wait_read(struct blocked_read *r)
{
	pthread_join(r->thread, NULL);
	ck_assert_msg(r->ok, "unexpected blocking read: %s", r->why);
}

START_TEST(go_blocking_write_read_woken_by_write_and_close)
{
	struct profbuf *b = profbuf_new(2, 11, 1);
	static struct blocked_read r;
	read_block(&r, b, WORDS(10, 1, 2, 3, 4, 5, 6, 7, 8, 9), TAGS(TAG(0)), false);
	go_write(b, TAG(0), 1, WORDS(2, 3), STK(4, 5, 6, 7, 8, 9));
	wait_read(&r);
	read_block(&r, b, WORDS(8, 99, 101, 102, 201, 202, 203, 204), TAGS(TAG(2)), false);
	sleep_s(0.010);
	go_write(b, TAG(2), 99, WORDS(101, 102), STK(201, 202, 203, 204));
	wait_read(&r);
	read_block(&r, b, NONE, NONE, true);
	profbuf_close(b);
	wait_read(&r);
	/* Go's second readBlock(nil) after Close: eof at once. */
	memset(&r, 0, sizeof r);
	r.b = b;
	r.want_eof = true;
	pthread_create(&r.thread, NULL, blocked_read_main, &r);
	wait_read(&r);
	/* readEOF: nil, nil, eof in both modes. */
	struct profbuf_batch got;
	ck_assert_int_eq(profbuf_read(b, PROFBUF_BLOCKING, &got), 0);
	ck_assert(got.eof && got.ndata == 0 && got.ntags == 0 && !got.data && !got.tags);
	ck_assert_int_eq(profbuf_read(b, PROFBUF_NONBLOCKING, &got), 0);
	ck_assert(got.eof && got.ndata == 0 && got.ntags == 0 && !got.data && !got.tags);
	profbuf_free(b);
}
END_TEST

static void go_wraparound(size_t bufwords, size_t tags)
{
	struct profbuf *b = profbuf_new(2, bufwords, tags);
	for (int i = 0; i < 10; i++) {
		go_write(b, TAG(0), 1, WORDS(2, 3), STK(4, 5, 6, 7, 8, 9));
		go_read(b, WORDS(10, 1, 2, 3, 4, 5, 6, 7, 8, 9), TAGS(TAG(0)));
		go_read(b, NONE, NONE); /* releases the previous read */
	}
	profbuf_free(b);
}

START_TEST(go_data_wraparound)
{
	go_wraparound(16, 1024);
}
END_TEST

START_TEST(go_tag_wraparound)
{
	go_wraparound(1024, 2);
}
END_TEST

START_TEST(go_both_wraparound)
{
	go_wraparound(16, 2);
}
END_TEST

/* ---- sizing and API edges ---- */

START_TEST(sizes_are_raised_and_rounded_as_go)
{
	static const struct { size_t h, words, tags, want_words, want_tags; } c[] = {
		{ 2, 11, 1, 16, 1 },      { 2, 16, 1024, 16, 1024 }, { 0, 0, 0, 4, 1 },
		{ 1, 0, 0, 4, 1 },        { 5, 0, 3, 8, 4 },         { 6, 1, 5, 16, 8 },
		{ 2, 12, 5, 16, 8 },      { 1, 1000, 1000, 1024, 1024 },
		{ 1, 1 << 17, 1 << 14, 1 << 17, 1 << 14 },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct profbuf *b = profbuf_new(c[i].h, c[i].words, c[i].tags);
		ck_assert_ptr_nonnull(b);
		ck_assert_uint_eq(profbuf_data_words(b), c[i].want_words);
		ck_assert_uint_eq(profbuf_tag_slots(b), c[i].want_tags);
		ck_assert_uint_eq(profbuf_hdrsize(b), c[i].h);
		profbuf_free(b);
	}
}
END_TEST

START_TEST(sizes_of_2_to_the_28_are_einval_as_go_throws)
{
	static const struct { size_t h, words, tags; } c[] = {
		{ 1, (size_t)1 << 28, 1 }, { 1, 16, (size_t)1 << 28 }, { 1, SIZE_MAX, 1 },
		{ 1, 16, SIZE_MAX },       { ((size_t)1 << 28) - 3, 0, 1 }, /* 2+h+1 = 2^28 */
		{ SIZE_MAX - 1, 0, 1 },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		errno = 0;
		ck_assert_ptr_null(profbuf_new(c[i].h, c[i].words, c[i].tags));
		ck_assert_int_eq(errno, EINVAL);
	}
}
END_TEST

START_TEST(write_with_long_header_is_misuse_and_writes_nothing)
{
	struct profbuf *b = profbuf_new(2, 16, 4);
	void *tag = TAG(0);
	uint64_t hdr[3] = { 1, 2, 3 };
	ck_assert_int_eq(profbuf_write(b, &tag, 1, hdr, 3, NULL, 0), -1);
	go_read(b, NONE, NONE);
	ck_assert_int_eq(profbuf_write(NULL, &tag, 1, hdr, 3, NULL, 0), 0);
	struct profbuf_batch got;
	ck_assert_int_eq(profbuf_read(NULL, PROFBUF_NONBLOCKING, &got), 0);
	ck_assert(got.eof);
	profbuf_free(b);
}
END_TEST

START_TEST(short_header_is_zero_padded_and_null_tagp_stores_no_tag)
{
	struct profbuf *b = profbuf_new(3, 32, 4);
	ck_assert_int_eq(profbuf_write(b, NULL, 7, WORDS(42), STK(9)), 0);
	go_read(b, WORDS(6, 7, 42, 0, 0, 9), TAGS(NULL));
	profbuf_free(b);
}
END_TEST

START_TEST(write_preserves_errno)
{
	struct profbuf *b = profbuf_new(1, 16, 2);
	struct blocked_read r;
	read_block(&r, b, WORDS(4, 5, 6, 7), TAGS(TAG(0)), false);
	errno = 12345;
	go_write(b, TAG(0), 5, WORDS(6), STK(7)); /* wakes the reader: a futex call */
	ck_assert_int_eq(errno, 12345);
	wait_read(&r);
	errno = 54321;
	profbuf_close(b);
	profbuf_close(b); /* second close: ignored (Go throws) */
	ck_assert_int_eq(errno, 54321);
	struct profbuf_batch got;
	ck_assert_int_eq(profbuf_read(b, PROFBUF_NONBLOCKING, &got), 0);
	ck_assert(got.eof);
	profbuf_free(b);
}
END_TEST

START_TEST(close_with_pending_overflow_reads_overflow_then_eof)
{
	struct profbuf *b = profbuf_new(1, 8, 2);
	go_write(b, TAG(0), 10, WORDS(1), STK(2, 3, 4)); /* 6 of 8 words */
	for (int i = 0; i < 5; i++)
		go_write(b, TAG(0), 20 + i, WORDS(1), STK(2, 3, 4)); /* dropped */
	profbuf_close(b);
	go_read(b, WORDS(6, 10, 1, 2, 3, 4), TAGS(TAG(0)));
	go_read(b, WORDS(4, 20, 0, 5), TAGS(NULL));
	struct profbuf_batch got;
	ck_assert_int_eq(profbuf_read(b, PROFBUF_BLOCKING, &got), 0);
	ck_assert(got.eof && got.ndata == 0);
	profbuf_free(b);
}
END_TEST

START_TEST(overflow_generation_bumps_on_every_zero_nonzero_transition)
{
	struct profbuf *b = profbuf_new(1, 4, 1);
	struct profbuf_raw raw;
	profbuf_raw(b, &raw);
	go_write(b, TAG(0), 1, WORDS(1), STK(2)); /* fills the ring */
	ck_assert_uint_eq(*raw.overflow, 0);
	go_write(b, TAG(0), 2, WORDS(1), STK(2));
	ck_assert_uint_eq(*raw.overflow, ((uint64_t)1 << 32) | 1);
	ck_assert_uint_eq(*raw.overflow_time, 2);
	go_write(b, TAG(0), 3, WORDS(1), STK(2));
	ck_assert_uint_eq(*raw.overflow, ((uint64_t)1 << 32) | 2);
	ck_assert_uint_eq(*raw.overflow_time, 2); /* time of the FIRST drop */
	go_read(b, WORDS(4, 1, 1, 2), TAGS(TAG(0)));
	go_read(b, WORDS(4, 2, 0, 2), TAGS(NULL)); /* taken by the reader */
	ck_assert_uint_eq(*raw.overflow, (uint64_t)2 << 32);
	go_write(b, TAG(0), 4, WORDS(1), STK(2)); /* fits again */
	go_write(b, TAG(0), 5, WORDS(1), STK(2)); /* dropped: generation 3 */
	ck_assert_uint_eq(*raw.overflow, ((uint64_t)3 << 32) | 1);
	profbuf_free(b);
}
END_TEST

START_TEST(overflow_count_sticks_at_all_ones)
{
	struct profbuf *b = profbuf_new(1, 4, 1);
	struct profbuf_raw raw;
	profbuf_raw(b, &raw);
	go_write(b, TAG(0), 1, WORDS(1), STK(2));
	go_write(b, TAG(0), 2, WORDS(1), STK(2));
	*raw.overflow = ((uint64_t)1 << 32) | 0xfffffffeu;
	go_write(b, TAG(0), 3, WORDS(1), STK(2));
	ck_assert_uint_eq(*raw.overflow, ((uint64_t)1 << 32) | 0xffffffffu);
	go_write(b, TAG(0), 4, WORDS(1), STK(2));
	ck_assert_uint_eq(*raw.overflow, ((uint64_t)1 << 32) | 0xffffffffu);
	profbuf_free(b);
}
END_TEST

/* The position the write-after-close check compares: it moves with every
 * commit (a record, an overflow record) and with nothing else, not with the
 * reader's sleeping flag, close's eof announcement, a dropped write or a read. */
START_TEST(write_position_moves_with_commits_only)
{
	struct profbuf *b = profbuf_new(1, 8, 2);
	struct profbuf_raw raw;
	profbuf_raw(b, &raw);
	ck_assert_uint_eq(profbuf_write_position(b), 0);

	struct blocked_read r;
	read_block(&r, b, WORDS(4, 5, 6, 7), TAGS(TAG(0)), false); /* sets READER_SLEEPING */
	ck_assert_uint_ne(atomic_emul_load64(raw.w), 0);
	ck_assert_uint_eq(profbuf_write_position(b), 0);
	go_write(b, TAG(0), 5, WORDS(6), STK(7)); /* 4 words, 1 tag */
	wait_read(&r);
	uint64_t one = (uint64_t)1 << 34 | 4;
	ck_assert_uint_eq(profbuf_write_position(b), one);

	go_write(b, TAG(0), 8, WORDS(9), STK(10, 11, 12)); /* 6 words: room for 4 only, dropped */
	ck_assert_uint_eq(profbuf_write_position(b), one);
	/* The reader synthesizes the overflow record in its own buffer: no commit. */
	go_read(b, WORDS(4, 8, 0, 1), TAGS(NULL));
	ck_assert_uint_eq(profbuf_write_position(b), one);

	profbuf_close(b); /* announces eof: WRITE_EXTRA, bit 33 of w */
	ck_assert_uint_ne(atomic_emul_load64(raw.w) & ((uint64_t)1 << 33), 0);
	ck_assert_uint_eq(profbuf_write_position(b), one);

	go_write(b, TAG(1), 13, WORDS(14), STK(15)); /* a write after close: what the check is for */
	ck_assert_uint_ne(profbuf_write_position(b), one);
	profbuf_free(b);
}
END_TEST

START_TEST(index_words_are_r_w_overflow_and_overflow_time)
{
	struct profbuf *b = profbuf_new(1, 16, 4);
	struct profbuf_raw raw;
	profbuf_raw(b, &raw);
	const uint64_t *words[PROFBUF_INDEX_WORDS];
	profbuf_index_words(b, words);
	ck_assert_ptr_eq(words[0], raw.r);
	ck_assert_ptr_eq(words[1], raw.w);
	ck_assert_ptr_eq(words[2], raw.overflow);
	ck_assert_ptr_eq(words[3], raw.overflow_time);
	profbuf_free(b);
}
END_TEST

/* ---- testpoints ---- */

static enum testpoint seen_points[16];
static int nseen_points;

static void record_point(enum testpoint p)
{
	if (nseen_points < 16)
		seen_points[nseen_points++] = p;
}

START_TEST(testpoints_fire_after_loading_and_before_commit_of_each_record)
{
	struct profbuf *b = profbuf_new(1, 16, 4);
	testpoint_hook = record_point;
	go_write(b, TAG(0), 1, WORDS(1), STK(2, 3, 4, 5, 6, 7, 8)); /* 10 words at 0 */
	ck_assert_int_eq(nseen_points, 2);
	ck_assert_int_eq(seen_points[0], TESTPOINT_PROFBUF_WRITE_LOADED);
	ck_assert_int_eq(seen_points[1], TESTPOINT_PROFBUF_WRITE_BEFORE_COMMIT);
	go_read(b, WORDS(10, 1, 1, 2, 3, 4, 5, 6, 7, 8), TAGS(TAG(0)));
	go_write(b, TAG(0), 2, WORDS(1), STK(2, 3, 4)); /* 6 words at 10 */
	go_read(b, WORDS(6, 2, 1, 2, 3, 4), TAGS(TAG(0))); /* releases the first */
	nseen_points = 0;
	/* 10 words free at 0..9, but 11 wanted: dropped, no testpoint. */
	go_write(b, TAG(1), 3, WORDS(1), STK(1, 2, 3, 4, 5, 6, 7, 8));
	ck_assert_int_eq(nseen_points, 0);
	/* Room for the overflow record and this one: two writes, four points. */
	go_write(b, TAG(2), 4, WORDS(1), STK(5));
	testpoint_hook = NULL;
	ck_assert_int_eq(nseen_points, 4);
	ck_assert_int_eq(seen_points[0], TESTPOINT_PROFBUF_WRITE_LOADED);
	ck_assert_int_eq(seen_points[1], TESTPOINT_PROFBUF_WRITE_BEFORE_COMMIT);
	ck_assert_int_eq(seen_points[2], TESTPOINT_PROFBUF_WRITE_LOADED);
	ck_assert_int_eq(seen_points[3], TESTPOINT_PROFBUF_WRITE_BEFORE_COMMIT);
	go_read(b, WORDS(4, 3, 0, 1, 4, 4, 1, 5), TAGS(NULL, TAG(2)));
	profbuf_free(b);
}
END_TEST

/* A write nested inside a write at the LOADED point: what a SIGPROF handler
 * writing without the writer lock does to an interrupted writer (#24991). */
static struct profbuf *nested_b;
static int nested_depth;

static void nested_write_hook(enum testpoint p)
{
	if (p != TESTPOINT_PROFBUF_WRITE_LOADED || nested_depth++ > 0)
		return;
	void *tag = TAG(9);
	profbuf_write(nested_b, &tag, 77, (const uint64_t[]){ 7 }, 1,
		      (const uintptr_t[]){ 71, 72, 73, 74, 75, 76, 77 }, 7);
}

START_TEST(nested_unlocked_write_is_detected_as_corruption)
{
	nested_b = profbuf_new(1, 64, 8);
	nested_depth = 0;
	testpoint_hook = nested_write_hook;
	go_write(nested_b, TAG(0), 1, WORDS(1), STK(2, 3));
	testpoint_hook = NULL;
	struct profbuf_batch got;
	int rc = profbuf_read(nested_b, PROFBUF_NONBLOCKING, &got);
	char desc[2048];
	profbuf_describe(nested_b, rc, desc, sizeof desc);
	fprintf(stderr, "nested write: %s", desc);
	/* The outer record (5 words) overwrote the nested one (10 words) at
	 * offset 0; w says 15 words and 2 tags. Word 5 is the nested record's
	 * stack word 72: a length that runs past the window. */
	ck_assert_int_eq(rc, PROFBUF_ERR_INVALID_SIZE);
	ck_assert(strstr(desc, "invalid-size") && strstr(desc, "offset 5"));
	/* Poisoned: the same code again. */
	ck_assert_int_eq(profbuf_read(nested_b, PROFBUF_NONBLOCKING, &got), rc);
	ck_assert_uint_eq(got.ndata, 0);
	profbuf_free(nested_b);
}
END_TEST

/* ---- self-checking records, for the concurrent tests ---- */

#define NTAGOBJ 8
static char tag_objs[2][NTAGOBJ];

#define MAX_STK 64
static unsigned rec_max_stk = 6; /* stack words: 1..rec_max_stk, by seq */

static size_t rec_nstk(uint32_t seq, unsigned wid)
{
	return 1 + (seq * 7u + wid) % rec_max_stk;
}

static uint64_t rec_word(uint32_t seq, unsigned wid, size_t i)
{
	uint64_t x = (uint64_t)seq * 0x9E3779B97F4A7C15ull ^ (uint64_t)(wid + 1) * 0xC2B2AE3D27D4EB4Full ^
		     (uint64_t)(i + 1) * 0x165667B19E3779F9ull;
	x ^= x >> 29;
	return x;
}

/* hdr[0] = (wid+1) << 56 | seq, hdr[1..] and stk[1..] derived; stk[0] = seq.
 * stk words are uintptr_t, so only their low bits survive on 32-bit. */
static size_t make_record(uint32_t seq, unsigned wid, size_t hdrsize, uint64_t *hdr, uintptr_t *stk)
{
	hdr[0] = (uint64_t)(wid + 1) << 56 | seq;
	for (size_t i = 1; i < hdrsize; i++)
		hdr[i] = rec_word(seq, wid, 100 + i);
	size_t n = rec_nstk(seq, wid);
	stk[0] = (uintptr_t)seq;
	for (size_t i = 1; i < n; i++)
		stk[i] = (uintptr_t)rec_word(seq, wid, i);
	return n;
}

/* Checks one data record (not an overflow record) against what its writer
 * wrote. Returns NULL or what is wrong. */
static const char *check_record(const uint64_t *rec, size_t len, size_t hdrsize, void *tag,
				unsigned *wid_out, uint32_t *seq_out)
{
	if (len < 2 + hdrsize + 1)
		return "record too short for a data record";
	uint64_t h0 = rec[2];
	unsigned wid = (unsigned)(h0 >> 56) - 1;
	uint32_t seq = (uint32_t)h0;
	if (wid > 1 || (h0 & 0x00ffffff00000000ull))
		return "bad header word";
	uint64_t hdr[4];
	uintptr_t stk[MAX_STK];
	size_t n = make_record(seq, wid, hdrsize, hdr, stk);
	if (len != 2 + hdrsize + n)
		return "length does not match the writer's";
	if (rec[1] != seq)
		return "time stamp does not match";
	for (size_t i = 0; i < hdrsize; i++)
		if (rec[2 + i] != hdr[i])
			return "header word does not match";
	for (size_t i = 0; i < n; i++)
		if (rec[2 + hdrsize + i] != (uint64_t)stk[i])
			return "stack word does not match";
	if (tag != &tag_objs[wid][seq % NTAGOBJ])
		return "tag does not match";
	*wid_out = wid;
	*seq_out = seq;
	return NULL;
}

/* ---- one writer, one reader ---- */

struct flow_config {
	size_t hdrsize, words, tags;
	enum profbuf_mode mode;
	unsigned nap_every; /* the reader naps after this many batches; 0 = never */
	uint32_t count;     /* writes, natively */
	const char *atomics; /* an atomic_emul strategy, NULL = the arch default */
};

static const struct flow_config flows[] = {
	{ 1, 64, 4, PROFBUF_BLOCKING, 256, 2000000, NULL },
	{ 2, 128, 8, PROFBUF_NONBLOCKING, 256, 2000000, NULL },
	{ 1, 256, 16, PROFBUF_BLOCKING, 0, 2000000, NULL },
	{ 2, 64, 16, PROFBUF_NONBLOCKING, 0, 2000000, NULL },
	/* The same through spinlock-emulated atomics, on every arch. */
	{ 1, 64, 4, PROFBUF_BLOCKING, 256, 2000000, "global" },
	{ 1, 256, 16, PROFBUF_BLOCKING, 0, 2000000, "striped" },
};

struct flow {
	struct profbuf *b;
	const struct flow_config *cfg;
	uint32_t count;
	uint8_t *seen; /* per sequence number: delivered or counted lost */
	/* reader's results */
	uint64_t records, lost, overflow_records, reordered, batches, wraps;
	int64_t last_record;
	uint32_t next; /* the sequence number after the last item read */
	int rc;
	char failure[512];
};

static void *flow_writer(void *arg)
{
	struct flow *f = arg;
	uint64_t hdr[4];
	uintptr_t stk[MAX_STK];
	for (uint32_t seq = 0; seq < f->count; seq++) {
		size_t n = make_record(seq, 0, f->cfg->hdrsize, hdr, stk);
		void *tag = &tag_objs[0][seq % NTAGOBJ];
		profbuf_write(f->b, &tag, seq, hdr, f->cfg->hdrsize, stk, n);
	}
	profbuf_close(f->b);
	return NULL;
}

/* Parses one batch. Every sequence number must be accounted for exactly once:
 * by its record (records strictly increasing) or by the one overflow record
 * whose range [time, time+count) holds it — drops while an overflow entry is
 * pending are consecutive writes. An overflow record may arrive before
 * records written earlier: Go's reader decides the ring is empty, then takes
 * an entry the writer made after committing more records. Counted, allowed. */
static bool flow_take_batch(struct flow *f, const struct profbuf_batch *got)
{
	size_t h = f->cfg->hdrsize, di = 0, ti = 0;
	while (di < got->ndata) {
		const uint64_t *rec = got->data + di;
		size_t len = (size_t)rec[0];
		if (len < 2 + h || len > got->ndata - di || ti >= got->ntags) {
			snprintf(f->failure, sizeof f->failure, "bad record length %zu at %zu of %zu", len,
				 di, got->ndata);
			return false;
		}
		if (got->tags[ti] == NULL) { /* an overflow record */
			bool zero_hdr = true;
			for (size_t i = 0; i < h; i++)
				zero_hdr &= rec[2 + i] == 0;
			uint64_t t = rec[1], n = len == 2 + h + 1 ? rec[2 + h] : 0;
			if (!zero_hdr || n == 0 || t >= f->count || n > f->count - t) {
				snprintf(f->failure, sizeof f->failure,
					 "bad overflow record: len %zu time %llu count %llu", len,
					 (unsigned long long)t, (unsigned long long)n);
				return false;
			}
			for (uint64_t s = t; s < t + n; s++) {
				if (f->seen[s]) {
					snprintf(f->failure, sizeof f->failure,
						 "seq %llu counted twice (overflow %llu+%llu)",
						 (unsigned long long)s, (unsigned long long)t,
						 (unsigned long long)n);
					return false;
				}
				f->seen[s] = 1;
			}
			if (t != f->next)
				f->reordered++;
			f->next = (uint32_t)(t + n);
			f->lost += n;
			f->overflow_records++;
		} else {
			unsigned wid;
			uint32_t seq;
			const char *bad = check_record(rec, len, h, got->tags[ti], &wid, &seq);
			if (!bad && (int64_t)seq <= f->last_record)
				bad = "sequence number not increasing";
			if (!bad && (seq >= f->count || f->seen[seq]))
				bad = "sequence number already accounted for";
			if (bad) {
				snprintf(f->failure, sizeof f->failure, "%s (seq %u, last %lld)", bad,
					 (unsigned)rec[1], (long long)f->last_record);
				return false;
			}
			f->seen[seq] = 1;
			f->last_record = seq;
			f->next = seq + 1;
			f->records++;
		}
		di += len;
		ti++;
	}
	if (ti != got->ntags) {
		snprintf(f->failure, sizeof f->failure, "%zu records but %zu tags", ti, got->ntags);
		return false;
	}
	return true;
}

static void *flow_reader(void *arg)
{
	struct flow *f = arg;
	struct profbuf_raw raw;
	profbuf_raw(f->b, &raw);
	const uint64_t *last = NULL;
	for (;;) {
		struct profbuf_batch got;
		f->rc = profbuf_read(f->b, f->cfg->mode, &got);
		if (f->rc != 0 || got.eof)
			return NULL;
		if (got.ndata == 0) {
			sched_yield(); /* non-blocking and empty */
			continue;
		}
		f->batches++;
		if (got.data >= raw.data && got.data < raw.data + raw.ndata) {
			if (last && got.data < last)
				f->wraps++;
			last = got.data;
		}
		if (!flow_take_batch(f, &got))
			return NULL;
		if (f->cfg->nap_every && f->batches % f->cfg->nap_every == 0)
			sleep_s(0.0002); /* a slow reader: the ring overflows */
	}
}

/* One flow: every corruption or accounting failure aborts the test. Returns
 * whether the flow exercised what it is about: records delivered, the ring
 * wrapped, and (for a napping reader) overflow. */
static bool flow_once(const struct flow_config *cfg, int attempt)
{
	static struct flow f;
	memset(&f, 0, sizeof f);
	f.cfg = cfg;
	f.count = (uint32_t)(cfg->count / slowdown());
	f.seen = calloc(f.count, 1);
	f.last_record = -1;
	f.b = profbuf_new(cfg->hdrsize, cfg->words, cfg->tags);
	ck_assert_ptr_nonnull(f.b);
	double t0 = now_seconds();
	pthread_t w, r;
	ck_assert_int_eq(pthread_create(&r, NULL, flow_reader, &f), 0);
	ck_assert_int_eq(pthread_create(&w, NULL, flow_writer, &f), 0);
	pthread_join(w, NULL);
	pthread_join(r, NULL);
	double dt = now_seconds() - t0;
	fprintf(stderr,
		"flow %s h=%zu words=%zu tags=%zu %s nap/%u (attempt %d): %u writes: %llu records + "
		"%llu lost in %llu overflow records (%llu reordered), %llu batches, %llu ring wraps, "
		"%.2f s, %u double wakeups\n",
		atomic_emul_config_name(atomic_emul_current()), cfg->hdrsize, cfg->words, cfg->tags,
		cfg->mode == PROFBUF_BLOCKING ? "blocking" : "nonblocking", cfg->nap_every, attempt + 1,
		f.count, (unsigned long long)f.records, (unsigned long long)f.lost,
		(unsigned long long)f.overflow_records, (unsigned long long)f.reordered,
		(unsigned long long)f.batches, (unsigned long long)f.wraps, dt,
		profbuf_double_wakeups(f.b));
	if (f.rc != 0) {
		char desc[2048];
		profbuf_describe(f.b, f.rc, desc, sizeof desc);
		ck_abort_msg("read reported corruption: %s", desc);
	}
	ck_assert_msg(f.failure[0] == '\0', "record check failed: %s", f.failure);
	ck_assert_uint_eq(f.records + f.lost, f.count);
	uint32_t missing = 0, first_missing = 0;
	for (uint32_t s = f.count; s-- > 0;)
		if (!f.seen[s]) {
			missing++;
			first_missing = s;
		}
	ck_assert_msg(missing == 0, "%u seqs (first %u) neither delivered nor counted lost", missing,
		      first_missing);
	free(f.seen);
	profbuf_free(f.b);
	return f.records > 0 && f.wraps > 0 && (!cfg->nap_every || f.overflow_records > 0);
}

/* A reader starved by a loaded machine can find the ring full at every read:
 * that flow still proves the accounting, but not the wraps; it is run again,
 * up to FLOW_ATTEMPTS times, until one flow exercised them (one on a quiet
 * machine). Every attempt must be free of corruption and loss. */
#define FLOW_ATTEMPTS 5

START_TEST(one_writer_one_reader_lose_nothing_but_counted_overflow)
{
	const struct flow_config *cfg = &flows[_i];
	if (cfg->atomics) { /* before any thread starts; this process is ours */
		struct atomic_emul_config ac;
		ck_assert_int_eq(atomic_emul_parse(cfg->atomics, &ac), 0);
		ck_assert_int_eq(atomic_emul_configure(ac), 0);
	}
	int attempt = 0;
	while (!flow_once(cfg, attempt))
		ck_assert_msg(++attempt < FLOW_ATTEMPTS,
			      "nothing delivered, the ring never wrapped, or a napping reader saw no "
			      "overflow, in %d flows",
			      FLOW_ATTEMPTS);
}
END_TEST

/* ---- garbage ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* A garbage word that is often a plausible length or a 0. */
static uint64_t garbage_word(size_t ndata)
{
	switch (rnd_below(4)) {
	case 0: return 0;
	case 1: return rnd_below(ndata + 4);
	case 2: return rnd_below(8);
	default: return rnd();
	}
}

/* An index word near ref: counts a little ahead or behind, random flags. */
static uint64_t garbage_index(uint64_t ref, size_t ndata, size_t ntags)
{
	if (rnd_below(4) == 0)
		return rnd();
	uint32_t d = (uint32_t)ref + (uint32_t)rnd_below(ndata + 8) - (uint32_t)rnd_below(6);
	uint64_t t = (ref >> 34) + rnd_below(ntags + 3) - rnd_below(3);
	return t << 34 | (rnd() & ((uint64_t)3 << 32)) | d;
}

/* Checks that a successful batch lies inside the ring (or is the overflow
 * record) and consists of exactly ntags records of sane lengths. */
static void check_batch_inside(const struct profbuf_raw *raw, size_t h, const struct profbuf_batch *g,
			       uint64_t iter)
{
	if (g->ndata == 0) {
		ck_assert_msg(g->ntags == 0, "iter %llu: tags without data", (unsigned long long)iter);
		return;
	}
	if (g->data == raw->overflow_buf) {
		ck_assert_msg(g->ndata == raw->novf && g->ntags == 1 && g->tags[0] == NULL,
			      "iter %llu: bad overflow record", (unsigned long long)iter);
		return;
	}
	ck_assert_msg(g->data >= raw->data && g->data + g->ndata <= raw->data + raw->ndata,
		      "iter %llu: data outside the ring", (unsigned long long)iter);
	ck_assert_msg((void **)g->tags >= raw->tags && (void **)g->tags + g->ntags <= raw->tags + raw->ntags,
		      "iter %llu: tags outside the tag ring", (unsigned long long)iter);
	size_t di = 0, n = 0;
	while (di < g->ndata) {
		uint64_t len = g->data[di];
		ck_assert_msg(len >= 2 + h && len <= g->ndata - di, "iter %llu: bad length %llu in batch",
			      (unsigned long long)iter, (unsigned long long)len);
		di += (size_t)len;
		n++;
	}
	ck_assert_msg(n == g->ntags, "iter %llu: %zu records, %zu tags", (unsigned long long)iter, n,
		      g->ntags);
}

START_TEST(garbage_in_ring_and_indices_is_reported_never_followed)
{
	rng_state = 0x2545F4914F6CDD1Dull;
	unsigned seen[1 - PROFBUF_ERR_MIN] = { 0 }; /* [0] = clean batches */
	const uint64_t iters = 20000;
	for (uint64_t it = 0; it < iters; it++) {
		size_t h = (size_t)rnd_below(4);
		struct profbuf *b = profbuf_new(h, 1 + rnd_below(96), 1 + rnd_below(12));
		struct profbuf_raw raw;
		profbuf_raw(b, &raw);
		uint64_t hdr[4] = { 1, 2, 3, 4 };
		uintptr_t stk[8] = { 5, 6, 7, 8, 9, 10, 11, 12 };
		void *tag = TAG(it % 100);
		struct profbuf_batch g;

		/* Some honest traffic first, so the positions are not at 0. */
		for (int k = (int)rnd_below(20); k > 0; k--) {
			profbuf_write(b, &tag, k, hdr, h, stk, (size_t)rnd_below(8));
			if (rnd_below(2))
				ck_assert_int_eq(profbuf_read(b, PROFBUF_NONBLOCKING, &g), 0);
		}
		/* Scribble. */
		unsigned what = (unsigned)rnd_below(64) | 1u << rnd_below(6);
		if (what & 1)
			for (size_t i = 0; i < raw.ndata; i++)
				if (rnd_below(3) == 0)
					raw.data[i] = garbage_word(raw.ndata);
		if (what & 2)
			*raw.w = garbage_index(*raw.r_next, raw.ndata, raw.ntags);
		if (what & 4)
			*raw.r = garbage_index(*raw.r_next, raw.ndata, raw.ntags);
		if (what & 8)
			*raw.r_next = garbage_index(*raw.w, raw.ndata, raw.ntags);
		if (what & 16) {
			*raw.overflow = rnd_below(2) ? rnd() : rnd_below(3);
			*raw.overflow_time = rnd();
		}
		if (what & 32)
			for (size_t i = 0; i < raw.ntags; i++)
				raw.tags[i] = (void *)(uintptr_t)rnd();
		/* Reads and writes; nothing may escape the ring. */
		int code = 0;
		for (int k = 0; k < 6; k++) {
			int rc = profbuf_read(b, PROFBUF_NONBLOCKING, &g);
			if (code) {
				ck_assert_msg(rc == code, "iter %llu: poisoned buffer returned %d after %d",
					      (unsigned long long)it, rc, code);
				continue;
			}
			ck_assert_msg(rc == 0 || (rc < 0 && rc >= PROFBUF_ERR_MIN),
				      "iter %llu: bad return %d", (unsigned long long)it, rc);
			if (rc < 0) {
				code = rc;
				seen[-rc]++;
				char desc[1024];
				size_t n = profbuf_describe(b, rc, desc, sizeof desc);
				ck_assert(n > 0 && n < sizeof desc && strlen(desc) == n);
				continue;
			}
			if (g.ndata > 0)
				seen[0]++;
			check_batch_inside(&raw, h, &g, it);
			if (rnd_below(2))
				profbuf_write(b, &tag, k, hdr, h, stk, (size_t)rnd_below(8));
		}
		profbuf_free(b);
	}
	fprintf(stderr, "garbage: %llu iterations: %u clean batches", (unsigned long long)iters, seen[0]);
	for (int c = -1; c >= PROFBUF_ERR_MIN; c--)
		fprintf(stderr, ", %u x %d", seen[-c], c);
	fprintf(stderr, "\n");
	/* The garbage must have reached every check, and clean reads too. */
	for (int c = 0; c >= PROFBUF_ERR_MIN; c--)
		ck_assert_msg(seen[-c] > 0, "garbage never produced code %d (%s)", c, profbuf_strerror(c));
}
END_TEST

START_TEST(describe_names_kind_offset_indices_and_ring_window)
{
	struct profbuf *b = profbuf_new(1, 16, 4);
	struct profbuf_raw raw;
	profbuf_raw(b, &raw);
	go_write(b, TAG(0), 1, WORDS(1), STK(2));
	raw.data[0] = 1; /* shorter than 2+hdrsize */
	struct profbuf_batch g;
	int rc = profbuf_read(b, PROFBUF_NONBLOCKING, &g);
	ck_assert_int_eq(rc, PROFBUF_ERR_SHORT_RECORD);
	char desc[2048];
	size_t n = profbuf_describe(b, rc, desc, sizeof desc);
	fprintf(stderr, "%s", desc);
	ck_assert_uint_eq(n, strlen(desc));
	ck_assert(strstr(desc, "short-record"));
	ck_assert(strstr(desc, "offset 0"));
	ck_assert(strstr(desc, "w=0x0000000400000004")); /* 1 tag, 4 words */
	ck_assert(strstr(desc, ">0000000000000001<"));   /* the bad word, marked */
	char small[16];
	n = profbuf_describe(b, rc, small, sizeof small);
	ck_assert_uint_eq(n, strlen(small));
	ck_assert_uint_eq(n, sizeof small - 1);
	ck_assert_str_eq(profbuf_strerror(PROFBUF_ERR_INVALID_SIZE),
			 "runtime: malformed profBuf buffer - invalid size");
	ck_assert_str_eq(profbuf_strerror(PROFBUF_ERR_OUT_OF_SYNC),
			 "runtime: malformed profBuf buffer - tag and data out of sync");
	profbuf_free(b);
}
END_TEST

/* ---- negative control: two writers, no lock ---- */

#define BUSTED_SECONDS 15.0

struct busted {
	/* in shared memory */
	atomic_int stop;
	double first_detection; /* seconds after start, or -1 */
	double seconds;
	uint64_t attempted[2], records, lost, batches;
	unsigned codes[1 - PROFBUF_ERR_MIN];
	unsigned bad_records, seq_regressions, count_mismatch;
	char first[1024];
	int reached_eof;
};

struct busted_writer {
	struct profbuf *b;
	struct busted *res;
	unsigned wid;
	double until;
};

static void *busted_writer_main(void *arg)
{
	struct busted_writer *w = arg;
	/* Each writer on its own CPU when there are two: the scheduler must
	 * not serialise them on one core (then they race only on preemption
	 * inside the window, and a loaded machine hides the bug for seconds). */
	cpu_set_t all, one;
	if (sched_getaffinity(0, sizeof all, &all) == 0 && CPU_COUNT(&all) >= 2) {
		for (int cpu = 0, k = 0; cpu < CPU_SETSIZE; cpu++)
			if (CPU_ISSET(cpu, &all) && k++ == (int)w->wid) {
				CPU_ZERO(&one);
				CPU_SET(cpu, &one);
				pthread_setaffinity_np(pthread_self(), sizeof one, &one);
				break;
			}
	}
	uint64_t hdr[4];
	uintptr_t stk[MAX_STK];
	uint32_t seq = 0;
	while (!atomic_load(&w->res->stop) && ((seq & 255) || now_seconds() < w->until)) {
		size_t n = make_record(seq, w->wid, 1, hdr, stk);
		void *tag = &tag_objs[w->wid][seq % NTAGOBJ];
		profbuf_write(w->b, &tag, seq, hdr, 1, stk, n);
		seq++;
		/* Pace the writes so that a fast reader keeps the ring from
		 * filling and both writers take the racy path (a full ring
		 * sends them down the overflow path, where races are rarer).
		 * The pace varies, since the best one depends on the arch. */
		static const unsigned pause[4] = { 16, 64, 160, 64 };
		for (volatile unsigned k = 0; k < pause[(seq >> 8) & 3]; k++)
			;
	}
	w->res->attempted[w->wid] = seq;
	return NULL;
}

struct busted_closer {
	pthread_t writers[2];
	struct profbuf *b;
};

static void *busted_closer_main(void *arg)
{
	struct busted_closer *c = arg;
	pthread_join(c->writers[0], NULL);
	pthread_join(c->writers[1], NULL);
	profbuf_close(c->b);
	return NULL;
}

static void busted_detected(struct busted *res, double t0, const char *what)
{
	if (res->first_detection < 0) {
		res->first_detection = now_seconds() - t0;
		snprintf(res->first, sizeof res->first, "%s", what);
	}
	atomic_store(&res->stop, 1);
}

static void busted_child(void *arg)
{
	struct busted *res = arg;
	struct profbuf *b = profbuf_new(1, 64, 8);
	double t0 = now_seconds();
	res->first_detection = -1;
	/* The writers stop at the first detection (milliseconds on a quiet
	 * machine) or after BUSTED_SECONDS: a loaded machine that seldom runs
	 * both at once needs seconds, and the control must not lose its teeth
	 * to load. */
	double until = t0 + BUSTED_SECONDS;
	struct busted_writer w[2] = { { b, res, 0, until }, { b, res, 1, until } };
	struct busted_closer c = { .b = b };
	pthread_create(&c.writers[0], NULL, busted_writer_main, &w[0]);
	pthread_create(&c.writers[1], NULL, busted_writer_main, &w[1]);
	pthread_t closer;
	pthread_create(&closer, NULL, busted_closer_main, &c);

	int64_t last_seq[2] = { -1, -1 };
	for (;;) {
		struct profbuf_batch g;
		/* Non-blocking: a corrupt ring must not put the reader to
		 * sleep, and a fast reader keeps the ring from filling. */
		int rc = profbuf_read(b, PROFBUF_NONBLOCKING, &g);
		if (rc == 0 && !g.eof && g.ndata == 0) {
			sched_yield();
			continue;
		}
		if (rc < 0) {
			res->codes[-rc]++;
			char desc[1024];
			profbuf_describe(b, rc, desc, sizeof desc);
			busted_detected(res, t0, desc);
			break;
		}
		if (g.eof) {
			res->reached_eof = 1;
			break;
		}
		res->batches++;
		size_t di = 0, ti = 0;
		while (di < g.ndata) {
			const uint64_t *rec = g.data + di;
			/* Read each word once: the other writer may be changing
			 * them under us. */
			size_t len = (size_t)((const volatile uint64_t *)rec)[0];
			if (len < 3 || len > g.ndata - di || ti >= g.ntags) {
				res->bad_records++;
				busted_detected(res, t0, "record length changed after the read checked it");
				break;
			}
			if (g.tags[ti] == NULL && len == 4 && rec[2] == 0) {
				res->lost += rec[3];
			} else {
				unsigned wid;
				uint32_t seq;
				const char *bad = check_record(rec, len, 1, g.tags[ti], &wid, &seq);
				if (bad) {
					res->bad_records++;
					busted_detected(res, t0, bad);
				} else if ((int64_t)seq <= last_seq[wid]) {
					res->seq_regressions++;
					busted_detected(res, t0, "sequence number went backwards");
				} else {
					last_seq[wid] = seq;
					res->records++;
				}
			}
			di += len;
			ti++;
		}
	}
	atomic_store(&res->stop, 1);
	pthread_join(closer, NULL);
	if (res->reached_eof && res->first_detection < 0 &&
	    res->attempted[0] + res->attempted[1] != res->records + res->lost + res->bad_records) {
		res->count_mismatch = 1;
		busted_detected(res, t0, "writes attempted != records read + overflow counts");
	}
	res->seconds = now_seconds() - t0;
}

START_TEST(two_unlocked_writers_are_detected)
{
	struct busted *res = shared_alloc(sizeof *res);
	struct child_result cr = run_in_child(busted_child, res, BUSTED_SECONDS + 10 + 3 * slowdown());
	unsigned ncodes = 0;
	for (int c = -1; c >= PROFBUF_ERR_MIN; c--)
		ncodes += res->codes[-c];
	fprintf(stderr,
		"BUSTED two writers: child %s after %.2f s; first detection at %.3f s: %s\n"
		"  attempted %llu+%llu, records %llu, lost %llu, batches %llu, bad records %u, "
		"seq regressions %u, count mismatch %u, read codes:",
		cr.outcome == CHILD_EXITED ? "exited" : cr.outcome == CHILD_SIGNALED ? "killed by signal" : "timed out",
		cr.seconds, res->first_detection, res->first[0] ? res->first : "(none)",
		(unsigned long long)res->attempted[0], (unsigned long long)res->attempted[1],
		(unsigned long long)res->records, (unsigned long long)res->lost,
		(unsigned long long)res->batches, res->bad_records, res->seq_regressions,
		res->count_mismatch);
	for (int c = -1; c >= PROFBUF_ERR_MIN; c--)
		if (res->codes[-c])
			fprintf(stderr, " %s x%u", profbuf_strerror(c), res->codes[-c]);
	fprintf(stderr, "\n");
	ck_assert_msg(cr.outcome != CHILD_SIGNALED, "the reader crashed (signal %d)", cr.code);
	ck_assert_msg(ncodes + res->bad_records + res->seq_regressions + res->count_mismatch > 0,
		      "!!! two unlocked writers went undetected (%s)",
		      cr.outcome == CHILD_TIMED_OUT ? "child timed out" : "child finished clean");
}
END_TEST

/* ---- eof race (a deviation from Go, see profbuf_read) ----
 * The reader finds the ring empty (w loaded), is parked there; a record is
 * committed and the buffer closed; the reader resumes. Go's read would now
 * see eof and return it, dropping the record. Ours must return the record,
 * and eof only on the next read. */
static int32_t eof_race_reader_tid;
static uint32_t eof_race_parked, eof_race_go;

static void eof_race_hook(enum testpoint pt)
{
	if (pt != TESTPOINT_PROFBUF_READ_FOUND_EMPTY ||
	    gettid() != __atomic_load_n(&eof_race_reader_tid, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&eof_race_reader_tid, 0, __ATOMIC_RELEASE); /* once */
	__atomic_store_n(&eof_race_parked, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&eof_race_go, __ATOMIC_ACQUIRE))
		;
}

struct eof_race_read {
	struct profbuf *b;
	int rc;
	struct profbuf_batch batch;
	uint64_t first_word;
};

static void *eof_race_reader(void *arg)
{
	struct eof_race_read *rd = arg;
	__atomic_store_n(&eof_race_reader_tid, gettid(), __ATOMIC_RELEASE);
	rd->rc = profbuf_read(rd->b, PROFBUF_NONBLOCKING, &rd->batch);
	rd->first_word = rd->batch.ndata ? rd->batch.data[0] : 0;
	return NULL;
}

START_TEST(test_record_committed_before_close_is_not_lost_to_eof)
{
	struct profbuf *b = profbuf_new(1, 64, 8);
	ck_assert_ptr_nonnull(b);
	eof_race_parked = eof_race_go = 0;
	testpoint_hook = eof_race_hook;
	struct eof_race_read rd = { .b = b };
	pthread_t t;
	pthread_create(&t, NULL, eof_race_reader, &rd);
	while (!__atomic_load_n(&eof_race_parked, __ATOMIC_ACQUIRE))
		;
	const uint64_t hdr[1] = { 1 };
	const uintptr_t stk[2] = { 0xaa, 0xbb };
	ck_assert_int_eq(profbuf_write(b, NULL, 7, hdr, 1, stk, 2), 0);
	profbuf_close(b);
	__atomic_store_n(&eof_race_go, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	testpoint_hook = NULL;

	ck_assert_int_eq(rd.rc, 0);
	ck_assert_msg(!rd.batch.eof && rd.batch.ndata == 5 && rd.first_word == 5,
		      "the record written before close was dropped: eof %d, %zu words", rd.batch.eof,
		      rd.batch.ndata);
	struct profbuf_batch next;
	ck_assert_int_eq(profbuf_read(b, PROFBUF_NONBLOCKING, &next), 0);
	ck_assert(next.eof);
	profbuf_free(b);
}
END_TEST

static Suite *profbuf_suite(void)
{
	Suite *s = suite_create("profbuf");

	TCase *go = tcase_create("go_profbuf_test");
	tcase_set_timeout(go, 30);
	tcase_add_test(go, go_basic_write_read);
	tcase_add_test(go, go_read_many);
	tcase_add_test(go, go_read_many_short_data);
	tcase_add_test(go, go_read_many_short_tags);
	tcase_add_test(go, go_read_after_overflow1_record_synthesized_by_write);
	tcase_add_test(go, go_read_after_overflow2_record_synthesized_by_read);
	tcase_add_test(go, go_read_at_end_after_overflow);
	tcase_add_test(go, go_blocking_write_read_woken_by_write_and_close);
	tcase_add_test(go, go_data_wraparound);
	tcase_add_test(go, go_tag_wraparound);
	tcase_add_test(go, go_both_wraparound);
	suite_add_tcase(s, go);

	TCase *api = tcase_create("api");
	tcase_set_timeout(api, 30);
	tcase_add_test(api, sizes_are_raised_and_rounded_as_go);
	tcase_add_test(api, sizes_of_2_to_the_28_are_einval_as_go_throws);
	tcase_add_test(api, write_with_long_header_is_misuse_and_writes_nothing);
	tcase_add_test(api, short_header_is_zero_padded_and_null_tagp_stores_no_tag);
	tcase_add_test(api, write_preserves_errno);
	tcase_add_test(api, close_with_pending_overflow_reads_overflow_then_eof);
	tcase_add_test(api, overflow_generation_bumps_on_every_zero_nonzero_transition);
	tcase_add_test(api, overflow_count_sticks_at_all_ones);
	tcase_add_test(api, write_position_moves_with_commits_only);
	tcase_add_test(api, index_words_are_r_w_overflow_and_overflow_time);
	tcase_add_test(api, testpoints_fire_after_loading_and_before_commit_of_each_record);
	tcase_add_test(api, nested_unlocked_write_is_detected_as_corruption);
	tcase_add_test(api, describe_names_kind_offset_indices_and_ring_window);
	suite_add_tcase(s, api);

	TCase *eof_race = tcase_create("eof_race");
	tcase_add_test(eof_race, test_record_committed_before_close_is_not_lost_to_eof);
	suite_add_tcase(s, eof_race);

	TCase *conc = tcase_create("concurrency");
	tcase_set_timeout(conc, 60);
	tcase_add_loop_test(conc, one_writer_one_reader_lose_nothing_but_counted_overflow, 0,
			    (int)(sizeof flows / sizeof flows[0]));
	suite_add_tcase(s, conc);

	TCase *neg = tcase_create("negative_control");
	tcase_set_timeout(neg, 60);
	tcase_add_test(neg, two_unlocked_writers_are_detected);
	suite_add_tcase(s, neg);

	TCase *garbage = tcase_create("garbage");
	tcase_set_timeout(garbage, 60);
	tcase_add_test(garbage, garbage_in_ring_and_indices_is_reported_never_followed);
	suite_add_tcase(s, garbage);
	return s;
}

int main(void)
{
	return suite_run(profbuf_suite());
}
