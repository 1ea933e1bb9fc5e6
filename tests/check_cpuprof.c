/*
 * Check tests for cpuprof: the records Go's cpuProfile writes, when it
 * flushes what it queued or counted, and the addCPUData parser.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpuprof.h"
#include "profbuf.h"
#include "support/suite_run.h"

static struct cpuprof prof;
static int tag_a, tag_b;

static void setup(void)
{
	memset(&prof, 0, sizeof prof);
	ck_assert_int_eq(cpuprof_start(&prof, 100, 1 << 12, 512), 0);
}

static void teardown(void)
{
	if (prof.on)
		cpuprof_stop(&prof);
	profbuf_free(cpuprof_detach_log(&prof));
}

/* Reads everything up to eof into one flat copy, checking every read. */
struct dump {
	uint64_t words[4096];
	void *tags[512];
	size_t nwords, ntags;
};

static void drain(struct dump *d)
{
	memset(d, 0, sizeof *d);
	for (;;) {
		struct profbuf_batch b;
		ck_assert_int_eq(profbuf_read(prof.log, PROFBUF_NONBLOCKING, &b), 0);
		ck_assert_uint_le(d->nwords + b.ndata, 4096);
		if (b.ndata) /* an empty batch may carry NULL: memcpy(x, NULL, 0) is UB */
			memcpy(d->words + d->nwords, b.data, b.ndata * sizeof *b.data);
		if (b.ntags)
			memcpy(d->tags + d->ntags, b.tags, b.ntags * sizeof *b.tags);
		d->nwords += b.ndata;
		d->ntags += b.ntags;
		if (b.eof || (b.ndata == 0 && b.ntags == 0))
			return;
	}
}

START_TEST(test_start_writes_the_header_before_anything)
{
	const uintptr_t stk[2] = { 0x1000, 0x2000 };
	ck_assert(cpuprof_add(&prof, &tag_a, stk, 2));
	cpuprof_stop(&prof);
	struct dump d;
	drain(&d);
	ck_assert_uint_eq(d.nwords, 3 + 5);
	ck_assert_uint_eq(d.words[0], 3);
	ck_assert_uint_eq(d.words[2], 100);
	ck_assert_ptr_null(d.tags[0]);
	ck_assert_uint_eq(d.words[3], 5);
	ck_assert_uint_eq(d.words[5], 1); /* count */
	ck_assert_uint_eq(d.words[6], 0x1000);
	ck_assert_uint_eq(d.words[7], 0x2000);
	ck_assert_ptr_eq(d.tags[1], &tag_a);
}
END_TEST

START_TEST(test_second_start_is_refused)
{
	ck_assert_int_eq(cpuprof_start(&prof, 100, 0, 0), -1);
	ck_assert_int_eq(errno, EBUSY);
	cpuprof_stop(&prof);
	/* stopped but the reader has not released the log: still refused */
	ck_assert_int_eq(cpuprof_start(&prof, 100, 0, 0), -1);
}
END_TEST

START_TEST(test_add_after_stop_writes_nothing)
{
	cpuprof_stop(&prof);
	ck_assert(!cpuprof_enabled(&prof));
	const uintptr_t stk[1] = { 0x1 };
	ck_assert(!cpuprof_add(&prof, &tag_a, stk, 1));
	struct dump d;
	drain(&d);
	ck_assert_uint_eq(d.nwords, 3);
}
END_TEST

START_TEST(test_racy_lost_count_is_flushed_by_the_next_add)
{
	cpuprof_count_lost_atomic_racy(&prof);
	cpuprof_count_lost_atomic_racy(&prof);
	const uintptr_t stk[1] = { 0x42 };
	ck_assert(cpuprof_add(&prof, &tag_b, stk, 1));
	ck_assert_uint_eq(prof.lost_atomic, 0);
	cpuprof_stop(&prof);
	struct dump d;
	drain(&d);
	/* header, then the lost record, then the sample: Go's order */
	ck_assert_uint_eq(d.nwords, 3 + 5 + 4);
	const uint64_t lost[5] = { 5, 0, 2, cpuprof_pc_lost_atomic64(), cpuprof_pc_system() };
	ck_assert_mem_eq(&d.words[3], lost, sizeof lost);
	ck_assert_ptr_null(d.tags[1]);
	ck_assert_uint_eq(d.words[8], 4);
	ck_assert_uint_eq(d.words[11], 0x42);
	ck_assert_ptr_eq(d.tags[2], &tag_b);
}
END_TEST

START_TEST(test_exact_lost_count_is_flushed_by_stop)
{
	for (int i = 0; i < 7; i++)
		cpuprof_count_lost_atomic_exact(&prof);
	cpuprof_stop(&prof);
	struct dump d;
	drain(&d);
	ck_assert_uint_eq(d.nwords, 3 + 5);
	ck_assert_uint_eq(d.words[5], 7);
	ck_assert_uint_eq(d.words[6], cpuprof_pc_lost_atomic64());
}
END_TEST

/* A count made after stop's final flush (a handler that saw hz != 0 just
 * before stop) must reach the next profile, not vanish at the next start. */
START_TEST(test_late_lost_count_survives_into_the_next_profile)
{
	cpuprof_stop(&prof);
	cpuprof_count_lost_atomic_exact(&prof);
	profbuf_free(cpuprof_detach_log(&prof));
	ck_assert_int_eq(cpuprof_start(&prof, 100, 1 << 12, 512), 0);
	cpuprof_stop(&prof);
	struct dump d;
	drain(&d);
	ck_assert_uint_eq(d.nwords, 3 + 5);
	ck_assert_uint_eq(d.words[5], 1);
	ck_assert_uint_eq(d.words[6], cpuprof_pc_lost_atomic64());
}
END_TEST

/* What was counted after the final flush is in no profile: the end of a run
 * takes it for its ledger, once. */
START_TEST(test_unflushed_lost_counts_are_taken_once)
{
	cpuprof_count_lost_atomic_racy(&prof);
	cpuprof_stop(&prof); /* flushes the 1 */
	cpuprof_count_lost_atomic_racy(&prof);
	cpuprof_count_lost_atomic_racy(&prof);
	for (int i = 0; i < 3; i++)
		cpuprof_count_lost_atomic_exact(&prof);
	ck_assert_uint_eq(cpuprof_take_unflushed_lost_atomic(&prof), 5);
	ck_assert_uint_eq(cpuprof_take_unflushed_lost_atomic(&prof), 0);
	struct dump d;
	drain(&d);
	ck_assert_uint_eq(d.nwords, 3 + 5);
	ck_assert_uint_eq(d.words[5], 1);
}
END_TEST

START_TEST(test_unlocked_flush_writes_at_once)
{
	cpuprof_add_lost_atomic64(&prof, 9);
	cpuprof_stop(&prof);
	struct dump d;
	drain(&d);
	ck_assert_uint_eq(d.nwords, 3 + 5);
	ck_assert_uint_eq(d.words[5], 9);
}
END_TEST

START_TEST(test_non_go_stacks_queue_then_overflow_to_lost_extra)
{
	const uintptr_t stk[3] = { 7, 8, 9 };
	int queued = 0;
	for (int i = 0; i < 300; i++) { /* 4 words each: 250 fit in extra[1000] */
		cpuprof_add_non_go(&prof, stk, 3);
		if (prof.lost_extra == 0)
			queued++;
	}
	ck_assert_int_eq(queued, 249);
	ck_assert_uint_eq(prof.lost_extra, 51);
	cpuprof_stop(&prof);
	struct dump d;
	drain(&d);
	ck_assert_uint_eq(d.nwords, 3 + 249 * 6 + 5);
	ck_assert_uint_eq(d.words[3], 6);
	ck_assert_uint_eq(d.words[4], 0); /* time 0: queued records carry no time */
	ck_assert_uint_eq(d.words[6], 7);
	size_t last = 3 + 249 * 6;
	ck_assert_uint_eq(d.words[last + 2], 51);
	ck_assert_uint_eq(d.words[last + 3], cpuprof_pc_lost_external());
}
END_TEST

START_TEST(test_sentinel_pcs_are_distinct)
{
	uintptr_t pcs[4] = { cpuprof_pc_lost_atomic64(), cpuprof_pc_system(),
			     cpuprof_pc_lost_external(), cpuprof_pc_external() };
	for (int i = 0; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			ck_assert_uint_ne(pcs[i], pcs[j]);
}
END_TEST

/* ---- the parser (Go's addCPUData) ---- */

static int visits;
static int count_visit(void *arg, const struct cpuprof_record *rec)
{
	(void)arg;
	(void)rec;
	visits++;
	return 0;
}

START_TEST(test_parser_classifies_and_totals)
{
	uint64_t data[] = {
		3, 10, 100,                                                   /* header */
		5, 11, 1, 0xa, 0xb,                                           /* sample */
		5, 0, 4, cpuprof_pc_lost_atomic64(), cpuprof_pc_system(),     /* lost atomic */
		4, 12, 0, 6,                                                  /* overflow: 6 dropped */
	};
	void *tags[4] = { NULL, &tag_a, NULL, NULL };
	struct cpuprof_parser ps = { 0 };
	visits = 0;
	ck_assert_int_eq(cpuprof_parse_batch(&ps, data, sizeof data / 8, tags, 4, count_visit, NULL), 0);
	ck_assert_int_eq(visits, 3);
	ck_assert_uint_eq(ps.hz, 100);
	ck_assert_uint_eq(ps.totals.samples, 1);
	ck_assert_uint_eq(ps.totals.lost_atomic, 4);
	ck_assert_uint_eq(ps.totals.overflow, 6);
	ck_assert_uint_eq(ps.totals.records, 3);
}
END_TEST

START_TEST(test_parser_rejects_what_go_rejects)
{
	struct cpuprof_parser ps;
	void *tags[4] = { 0 };
	/* header too short, then a bad header */
	uint64_t h1[] = { 3, 0 };
	memset(&ps, 0, sizeof ps);
	ck_assert_int_eq(cpuprof_parse_batch(&ps, h1, 2, tags, 1, NULL, NULL), CPUPROF_ERR_TRUNCATED);
	uint64_t h2[] = { 4, 0, 100 };
	memset(&ps, 0, sizeof ps);
	ck_assert_int_eq(cpuprof_parse_batch(&ps, h2, 3, tags, 1, NULL, NULL), CPUPROF_ERR_MALFORMED);
	uint64_t h3[] = { 3, 0, 0 };
	memset(&ps, 0, sizeof ps);
	ck_assert_int_eq(cpuprof_parse_batch(&ps, h3, 3, tags, 1, NULL, NULL), CPUPROF_ERR_MALFORMED);
	/* a record longer than the batch */
	uint64_t r1[] = { 3, 0, 100, 9, 0, 1, 2 };
	memset(&ps, 0, sizeof ps);
	ck_assert_int_eq(cpuprof_parse_batch(&ps, r1, 7, tags, 2, NULL, NULL), CPUPROF_ERR_TRUNCATED);
	/* a record shorter than 3 (Go checks "truncated" first, so give it room) */
	uint64_t r2[] = { 3, 0, 100, 2, 0, 0 };
	memset(&ps, 0, sizeof ps);
	ck_assert_int_eq(cpuprof_parse_batch(&ps, r2, 6, tags, 2, NULL, NULL), CPUPROF_ERR_MALFORMED);
	/* fewer tags than records, and more */
	uint64_t r3[] = { 3, 0, 100, 3, 0, 1 };
	memset(&ps, 0, sizeof ps);
	ck_assert_int_eq(cpuprof_parse_batch(&ps, r3, 6, tags, 1, NULL, NULL), CPUPROF_ERR_MALFORMED);
	memset(&ps, 0, sizeof ps);
	ck_assert_int_eq(cpuprof_parse_batch(&ps, r3, 6, tags, 3, NULL, NULL), CPUPROF_ERR_MALFORMED);
	ck_assert_str_eq(cpuprof_strerror(CPUPROF_ERR_TRUNCATED), "truncated profile");
	ck_assert_str_eq(cpuprof_strerror(CPUPROF_ERR_MALFORMED), "malformed profile");
}
END_TEST

static Suite *cpuprof_suite(void)
{
	Suite *s = suite_create("cpuprof");
	TCase *tc = tcase_create("records");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_start_writes_the_header_before_anything);
	tcase_add_test(tc, test_second_start_is_refused);
	tcase_add_test(tc, test_add_after_stop_writes_nothing);
	tcase_add_test(tc, test_racy_lost_count_is_flushed_by_the_next_add);
	tcase_add_test(tc, test_exact_lost_count_is_flushed_by_stop);
	tcase_add_test(tc, test_unlocked_flush_writes_at_once);
	tcase_add_test(tc, test_unflushed_lost_counts_are_taken_once);
	tcase_add_test(tc, test_late_lost_count_survives_into_the_next_profile);
	tcase_add_test(tc, test_non_go_stacks_queue_then_overflow_to_lost_extra);
	suite_add_tcase(s, tc);
	tc = tcase_create("parser");
	tcase_add_test(tc, test_sentinel_pcs_are_distinct);
	tcase_add_test(tc, test_parser_classifies_and_totals);
	tcase_add_test(tc, test_parser_rejects_what_go_rejects);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return suite_run(cpuprof_suite());
}
