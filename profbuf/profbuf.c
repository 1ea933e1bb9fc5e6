/*
 * profbuf: Go's profBuf in C. The contract, layout and ownership rules are in
 * profbuf.h; this file says why each step is ordered the way it is.
 *
 * Memory ordering, once for the whole file. Every atomic_emul operation is
 * sequentially consistent (natively) or done under a spinlock whose acquire is
 * an acquire CAS and whose release is a release store (emulated). Either way:
 *  - PUBLISH: the writer's plain stores of a record (ring words, tag slot) are
 *    sequenced before its commit CAS on w; the reader's load of w that sees
 *    the new counts is sequenced before its plain loads of those words. The
 *    CAS (release side) synchronizes with that load (acquire side), so the
 *    reader sees the whole record.
 *  - RELEASE: the reader's last plain loads of a batch, and its plain stores
 *    clearing the batch's tag slots, are sequenced before its store of r; the
 *    writer's load of r that sees the new value is sequenced before its plain
 *    stores into that space. So the writer never overwrites words the reader
 *    may still read, and every tag slot it fills was cleared first.
 * atomic_emul's operations are out-of-line functions in another translation
 * unit, which also keeps the compiler from moving plain accesses across them.
 * Nothing else orders the ring: two writers, which nothing excludes, race on
 * it with plain stores (golang/go#24991), which is what the reader detects.
 */
#define _GNU_SOURCE
#include "profbuf.h"

#include <errno.h>
#include <linux/futex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "atomic_emul.h"
#include "testpoint.h"

/* ---- the packed index (Go's profIndex) ---- */

#define READER_SLEEPING ((uint64_t)1 << 32) /* reader sleeps; wake it */
#define WRITE_EXTRA     ((uint64_t)1 << 33) /* overflow or eof waiting */

static inline uint32_t data_count(uint64_t x)
{
	return (uint32_t)x;
}

static inline uint32_t tag_count(uint64_t x)
{
	return (uint32_t)(x >> 34);
}

/* x - y for two counts at most 2^29 apart; tag counts wrap at 2^30 and data
 * counts at 2^32, so keep the low 30 bits of the difference and sign-extend. */
static inline int32_t count_sub(uint32_t x, uint32_t y)
{
	return (int32_t)((x - y) << 2) >> 2;
}

/* x advanced by data words and tag slots, flag bits cleared. */
static inline uint64_t add_counts_and_clear_flags(uint64_t x, uint32_t data, uint32_t tag)
{
	uint64_t tags = (x >> 34) + (uint64_t)((tag << 2) >> 2);
	return tags << 34 | (uint64_t)(uint32_t)((uint32_t)x + data);
}

/* ---- the buffer ---- */

struct profbuf {
	/* Accessed atomically (atomic_emul only), by both sides. */
	uint64_t r;             /* stored by the reader only */
	uint64_t w;             /* counts: writer's CAS; flags: both, by CAS */
	uint64_t overflow;      /* generation << 32 | pending drop count */
	uint64_t overflow_time; /* time of the first pending drop */
	uint32_t eof;           /* set once by close */
	uint32_t wait;          /* the reader's note: futex word, 1 = woken */
	uint32_t double_wakeups;

	/* Immutable after profbuf_new (array contents excepted). */
	size_t hdrsize;
	size_t ndata;           /* power of two, <= 2^28 */
	size_t ntags;           /* power of two, <= 2^28 */
	uint64_t *data;         /* the ring: plain words, see the file comment */
	void **tags;            /* the tag ring: plain slots */

	/* Owned by the reader. */
	uint64_t r_next;        /* r after the batch last returned */
	uint64_t *overflow_buf; /* 2+hdrsize+1 words: synthesized overflow record */
	int poison;             /* 0, or the code every read now returns */
	struct {
		size_t offset;  /* ring word where the corruption was found */
		uint64_t r, w;  /* r (= the read position used) and w at detection */
		uint64_t word;  /* the ring word at offset then */
	} bad;
};

/* The tag of a synthesized overflow record (Go's overflowTag). */
static void *const overflow_tag[1] = { NULL };

struct profbuf *profbuf_new(size_t hdrsize, size_t bufwords, size_t tags)
{
	/* A header that large would make 2+hdrsize+1 >= 2^28 anyway: Go throws. */
	if (hdrsize >= PROFBUF_MAX_SIZE) {
		errno = EINVAL;
		return NULL;
	}
	if (bufwords < 2 + hdrsize + 1)
		bufwords = 2 + hdrsize + 1;
	if (bufwords >= PROFBUF_MAX_SIZE || tags >= PROFBUF_MAX_SIZE) {
		errno = EINVAL;
		return NULL;
	}
	size_t nd = 1, nt = 1;
	while (nd < bufwords)
		nd <<= 1;
	while (nt < tags)
		nt <<= 1;

	struct profbuf *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	b->hdrsize = hdrsize;
	b->ndata = nd;
	b->ntags = nt;
	b->data = calloc(nd, sizeof *b->data);
	b->tags = calloc(nt, sizeof *b->tags);
	b->overflow_buf = calloc(2 + hdrsize + 1, sizeof *b->overflow_buf);
	if (!b->data || !b->tags || !b->overflow_buf) {
		profbuf_free(b);
		errno = ENOMEM;
		return NULL;
	}
	return b;
}

void profbuf_free(struct profbuf *b)
{
	if (!b)
		return;
	free(b->data);
	free(b->tags);
	free(b->overflow_buf);
	free(b);
}

/* ---- the note (Go's note on Linux: a futex word) ---- */

/* Writer side, async-signal-safe: set the word, wake the sleeper. The caller
 * saved errno. */
static void note_wakeup(struct profbuf *b)
{
	if (atomic_emul_xchg32(&b->wait, 1) != 0)
		atomic_emul_xadd32(&b->double_wakeups, 1);
	syscall(SYS_futex, &b->wait, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Reader: sleep until the word is set. A wakeup that came before the futex
 * wait makes the kernel's compare fail (EAGAIN): no lost wakeup. */
static void note_sleep(struct profbuf *b)
{
	while (atomic_emul_load32(&b->wait) == 0)
		syscall(SYS_futex, &b->wait, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}

static void note_clear(struct profbuf *b)
{
	atomic_emul_store32(&b->wait, 0);
}

/* ---- overflow accounting ---- */

static bool has_overflow(struct profbuf *b)
{
	return (uint32_t)atomic_emul_load64(&b->overflow) > 0;
}

/* Takes the pending entry: returns its count (0 if none, or if the other side
 * took it first) and the time of its first drop. Races with
 * count_overflow_in_writer; the CAS on the generation-tagged word decides. */
static uint32_t take_overflow(struct profbuf *b, uint64_t *time)
{
	uint64_t overflow = atomic_emul_load64(&b->overflow);
	*time = atomic_emul_load64(&b->overflow_time);
	for (;;) {
		if ((uint32_t)overflow == 0) {
			*time = 0;
			return 0;
		}
		/* Clear the count and bump the generation. If overflow_time was
		 * loaded for an older generation, this CAS fails. */
		if (atomic_emul_cas64(&b->overflow, overflow, ((overflow >> 32) + 1) << 32))
			return (uint32_t)overflow;
		overflow = atomic_emul_load64(&b->overflow);
		*time = atomic_emul_load64(&b->overflow_time);
	}
}

/* Writer only: count one dropped write at time now. */
static void count_overflow_in_writer(struct profbuf *b, int64_t now)
{
	for (;;) {
		uint64_t overflow = atomic_emul_load64(&b->overflow);
		if ((uint32_t)overflow == 0) {
			/* No entry: nobody else changes the word now (only the
			 * writer creates entries), so plain stores suffice. The
			 * time goes first so that it is there once the count is. */
			atomic_emul_store64(&b->overflow_time, (uint64_t)now);
			atomic_emul_store64(&b->overflow, (((overflow >> 32) + 1) << 32) + 1);
			return;
		}
		if ((uint32_t)overflow == UINT32_MAX)
			return; /* sticky: never wrap the count to zero */
		/* Racing with a taker that wants the count at zero. */
		if (atomic_emul_cas64(&b->overflow, overflow, overflow + 1))
			return;
	}
}

/* Writer side: announce overflow or eof in w, waking a sleeping reader. */
static void announce_extra(struct profbuf *b)
{
	for (;;) {
		uint64_t old = atomic_emul_load64(&b->w);
		if (!atomic_emul_cas64(&b->w, old, old | WRITE_EXTRA))
			continue;
		if (old & READER_SLEEPING)
			note_wakeup(b);
		return;
	}
}

/* ---- the writer ---- */

/* Whether a record of 2+hdrsize+nstk words fits contiguously (with one tag),
 * as Go's canWriteRecord. want > ndata never fits: Go needs no such test with
 * sane indices (free space <= ndata); here it also keeps a writer fed corrupt
 * indices inside the ring. */
static bool room_for_record(struct profbuf *b, size_t nstk)
{
	uint64_t br = atomic_emul_load64(&b->r);
	uint64_t bw = atomic_emul_load64(&b->w);

	if (count_sub(tag_count(br), tag_count(bw)) + (int64_t)b->ntags < 1)
		return false;
	if (nstk > b->ndata)
		return false;
	int64_t want = 2 + (int64_t)b->hdrsize + (int64_t)nstk;
	if (want > (int64_t)b->ndata)
		return false;
	int64_t nd = count_sub(data_count(br), data_count(bw)) + (int64_t)b->ndata;
	int64_t i = data_count(bw) & (b->ndata - 1);
	if (i + want > (int64_t)b->ndata)
		nd -= (int64_t)b->ndata - i; /* the tail is skipped */
	return nd >= want;
}

/* Whether two records with stacks of nstk1 and nstk2 words fit, each
 * contiguous on its own (Go's canWriteTwoRecords). */
static bool room_for_two_records(struct profbuf *b, size_t nstk1, size_t nstk2)
{
	uint64_t br = atomic_emul_load64(&b->r);
	uint64_t bw = atomic_emul_load64(&b->w);

	if (count_sub(tag_count(br), tag_count(bw)) + (int64_t)b->ntags < 2)
		return false;
	if (nstk1 > b->ndata || nstk2 > b->ndata)
		return false;
	int64_t n = (int64_t)b->ndata;
	int64_t nd = count_sub(data_count(br), data_count(bw)) + n;

	int64_t want = 2 + (int64_t)b->hdrsize + (int64_t)nstk1;
	int64_t i = data_count(bw) & (b->ndata - 1);
	if (want > n)
		return false;
	if (i + want > n) {
		nd -= n - i;
		i = 0;
	}
	i += want;
	nd -= want;

	want = 2 + (int64_t)b->hdrsize + (int64_t)nstk2;
	if (want > n)
		return false;
	if (i + want > n) {
		nd -= n - i;
		i = 0;
	}
	return nd >= want;
}

/* Go's write, minus the argument checks of profbuf_write. Recursive once:
 * to emit a pending overflow record before this one. */
static void write_record(struct profbuf *b, void *const *tagp, int64_t now,
			 const uint64_t *hdr, size_t nhdr, const uintptr_t *stk, size_t nstk)
{
	bool overflowing = has_overflow(b);
	if (overflowing && room_for_two_records(b, 1, nstk)) {
		/* Room for the overflow record and this one. The reader may
		 * take the entry first; then count is 0 and there is nothing to
		 * emit. (Racing with the reader only, never another writer.) */
		uint64_t time;
		uint32_t count = take_overflow(b, &time);
		if (count > 0) {
			uintptr_t ostk[1] = { (uintptr_t)count };
			write_record(b, NULL, (int64_t)time, NULL, 0, ostk, 1);
		}
	} else if (overflowing || !room_for_record(b, nstk)) {
		count_overflow_in_writer(b, now);
		announce_extra(b);
		return;
	}

	/* There is room. The position comes from w loaded here and is not
	 * reserved: the commit below only adds the record's length. A second
	 * writer between here and the commit writes to the same place. */
	uint64_t br = atomic_emul_load64(&b->r);
	uint64_t bw = atomic_emul_load64(&b->w);
	TESTPOINT(TESTPOINT_PROFBUF_WRITE_LOADED);

	/* The slot was cleared by the reader before it released it (RELEASE). */
	size_t wt = tag_count(bw) & (b->ntags - 1);
	if (tagp)
		b->tags[wt] = *tagp;

	/* The record must be contiguous: if it does not fit before the end,
	 * leave the wraparound marker and start at word 0. room_for_record
	 * checked len <= ndata, so both cases stay inside the ring. */
	size_t len = 2 + b->hdrsize + nstk;
	size_t wd = data_count(bw) & (b->ndata - 1);
	size_t skip = 0;
	(void)br; /* Go computes the free space here again but never uses it */
	if (wd + len > b->ndata) {
		b->data[wd] = 0;
		skip = b->ndata - wd;
		wd = 0;
	}
	uint64_t *rec = b->data + wd;
	rec[0] = (uint64_t)len;
	rec[1] = (uint64_t)now;
	for (size_t i = 0; i < b->hdrsize; i++)
		rec[2 + i] = i < nhdr ? hdr[i] : 0;
	for (size_t i = 0; i < nstk; i++)
		rec[2 + b->hdrsize + i] = (uint64_t)stk[i];

	TESTPOINT(TESTPOINT_PROFBUF_WRITE_BEFORE_COMMIT);
	/* Commit (PUBLISH). The loop races only with the reader's flag bits,
	 * which it clears; a reader that set READER_SLEEPING is woken. */
	for (;;) {
		uint64_t old = atomic_emul_load64(&b->w);
		uint64_t new = add_counts_and_clear_flags(old, (uint32_t)(skip + len), 1);
		if (!atomic_emul_cas64(&b->w, old, new))
			continue;
		if (old & READER_SLEEPING)
			note_wakeup(b);
		return;
	}
}

int profbuf_write(struct profbuf *b, void *const *tagp, int64_t now,
		  const uint64_t *hdr, size_t nhdr, const uintptr_t *stk, size_t nstk)
{
	if (!b)
		return 0;
	if (nhdr > b->hdrsize)
		return -1;
	int saved_errno = errno;
	write_record(b, tagp, now, hdr, nhdr, stk, nstk);
	errno = saved_errno;
	return 0;
}

void profbuf_close(struct profbuf *b)
{
	if (!b)
		return;
	int saved_errno = errno;
	if (atomic_emul_load32(&b->eof) == 0) {
		atomic_emul_store32(&b->eof, 1);
		announce_extra(b);
	}
	errno = saved_errno;
}

/* ---- the reader ---- */

/* One plain load of a ring word, done exactly once: the reader checks a length
 * and then uses it, and a racing (buggy) second writer must not be able to
 * change it in between. volatile forbids a re-load; it is still an ordinary
 * access to ThreadSanitizer, so the race stays visible. */
static inline uint64_t ring_word(const struct profbuf *b, size_t i)
{
	return ((const volatile uint64_t *)b->data)[i & (b->ndata - 1)];
}

/* Records a corruption, poisons b, and returns code. */
static int report_corruption(struct profbuf *b, int code, size_t offset, uint64_t br, uint64_t bw)
{
	offset &= b->ndata - 1;
	b->poison = code;
	b->bad.offset = offset;
	b->bad.r = br;
	b->bad.w = bw;
	b->bad.word = ring_word(b, offset);
	return code;
}

/* Gives the previous batch back to the writer: clear its tag slots, then
 * store r (RELEASE). r differs from rNext only after a batch of records. */
static void release_previous_batch(struct profbuf *b, uint64_t br)
{
	uint64_t r_prev = atomic_emul_load64(&b->r);
	if (r_prev == br)
		return;
	/* Clamped, in case r was scribbled on: never more than the ring. */
	int64_t ntag = count_sub(tag_count(br), tag_count(r_prev));
	if (ntag < 0)
		ntag = 0;
	if (ntag > (int64_t)b->ntags)
		ntag = (int64_t)b->ntags;
	size_t ti = tag_count(r_prev) & (b->ntags - 1);
	for (int64_t i = 0; i < ntag; i++) {
		b->tags[ti] = NULL;
		ti = (ti + 1) & (b->ntags - 1);
	}
	atomic_emul_store64(&b->r, br);
}

/* The synthesized overflow record, in the reader's private buffer. */
static void return_overflow_record(struct profbuf *b, uint32_t count, uint64_t time,
				   struct profbuf_batch *out)
{
	uint64_t *dst = b->overflow_buf;
	dst[0] = 2 + b->hdrsize + 1;
	dst[1] = time;
	for (size_t i = 0; i < b->hdrsize; i++)
		dst[2 + i] = 0;
	dst[2 + b->hdrsize] = count;
	out->data = dst;
	out->ndata = 2 + b->hdrsize + 1;
	out->tags = overflow_tag;
	out->ntags = 1;
}

/* Returns the whole records in [br, bw): num_data words and ntag tags are
 * unread, both checked to be in 1..ring size. Every index below is reduced
 * modulo the ring and every length checked against the window before it is
 * followed. */
static int return_records(struct profbuf *b, uint64_t br, uint64_t bw,
			  size_t num_data, size_t ntag, struct profbuf_batch *out)
{
	size_t rd = data_count(br) & (b->ndata - 1);

	/* The window: from rd up to the end of the ring or of the data. */
	size_t start = rd;
	size_t len = b->ndata - rd;
	bool reaches_end = true;
	if (len > num_data) {
		len = num_data;
		reaches_end = false;
	} else {
		num_data -= len; /* what lies beyond the wraparound */
	}

	size_t skip = 0;
	if (ring_word(b, start) == 0) {
		/* The wraparound marker: the record starts at word 0. A writer
		 * leaves one only where the committed data covers the whole
		 * tail, and always commits a record after it. */
		if (!reaches_end)
			return report_corruption(b, PROFBUF_ERR_STRAY_ZERO, start, br, bw);
		skip = len;
		start = 0;
		len = b->ndata;
		if (len > num_data)
			len = num_data;
		reaches_end = false;
		if (len == 0)
			return report_corruption(b, PROFBUF_ERR_STRAY_ZERO, rd, br, bw);
	}

	size_t rt = tag_count(br) & (b->ntags - 1);
	size_t tlen = b->ntags - rt;
	if (tlen > ntag)
		tlen = ntag;

	/* Whole records, until the data or the tags run out; the rest (after a
	 * wraparound of either ring) is for the next read. */
	size_t di = 0, ti = 0;
	while (di < len && ti < tlen) {
		uint64_t n = ring_word(b, start + di);
		if (n == 0) {
			if (reaches_end)
				break; /* the marker; next read wraps */
			return report_corruption(b, PROFBUF_ERR_STRAY_ZERO, start + di, br, bw);
		}
		if (n < 2 + (uint64_t)b->hdrsize)
			return report_corruption(b, PROFBUF_ERR_SHORT_RECORD, start + di, br, bw);
		if (n > (uint64_t)(len - di))
			return report_corruption(b, PROFBUF_ERR_INVALID_SIZE, start + di, br, bw);
		di += (size_t)n;
		ti++;
	}

	/* Committed by the next read (release_previous_batch). */
	b->r_next = add_counts_and_clear_flags(br, (uint32_t)(skip + di), (uint32_t)ti);
	out->data = b->data + start;
	out->ndata = di;
	out->tags = b->tags + rt;
	out->ntags = ti;
	return 0;
}

int profbuf_read(struct profbuf *b, enum profbuf_mode mode, struct profbuf_batch *out)
{
	memset(out, 0, sizeof *out);
	if (!b) {
		out->eof = true;
		return 0;
	}
	if (b->poison)
		return b->poison;

	uint64_t br = b->r_next;
	release_previous_batch(b, br);

	for (;;) {
		uint64_t bw = atomic_emul_load64(&b->w); /* PUBLISH, acquire side */
		int32_t num_data = count_sub(data_count(bw), data_count(br));
		int32_t ntag = count_sub(tag_count(bw), tag_count(br));
		size_t rd = data_count(br);

		if (num_data < 0 || ntag < 0)
			return report_corruption(b, PROFBUF_ERR_READ_PAST_WRITE, rd, br, bw);
		if ((size_t)num_data > b->ndata || (size_t)ntag > b->ntags)
			return report_corruption(b, PROFBUF_ERR_OVERRUN, rd, br, bw);
		if (num_data > 0 && ntag == 0)
			return report_corruption(b, PROFBUF_ERR_OUT_OF_SYNC, rd, br, bw);
		if (num_data > 0)
			return return_records(b, br, bw, (size_t)num_data, (size_t)ntag, out);
		if (ntag > 0)
			return report_corruption(b, PROFBUF_ERR_OUT_OF_SYNC, rd, br, bw);

		/* Nothing unread in the ring. */
		TESTPOINT(TESTPOINT_PROFBUF_READ_FOUND_EMPTY);
		if (has_overflow(b)) {
			/* Racing with the writer turning it into a real record. */
			uint64_t time;
			uint32_t count = take_overflow(b, &time);
			if (count == 0)
				continue; /* lost the race */
			return_overflow_record(b, count, time, out);
			return 0;
		}
		if (atomic_emul_load32(&b->eof) > 0) {
			/* Deviation from Go (runtime/profbuf.go still returns eof
			 * here): a record committed after we loaded w, followed by
			 * close, would be dropped unread. close comes after the
			 * last commit, so once eof is seen, one more look at w
			 * settles it. Test: check_profbuf, "eof race". */
			uint64_t flags = READER_SLEEPING | WRITE_EXTRA;
			if ((atomic_emul_load64(&b->w) & ~flags) != (bw & ~flags))
				continue;
			out->eof = true;
			return 0;
		}
		if (bw & WRITE_EXTRA) {
			/* The writer announced overflow or eof. Clear the
			 * announcement and look again; if the CAS fails, w
			 * changed and we must look again anyway. */
			atomic_emul_cas64(&b->w, bw, bw & ~WRITE_EXTRA);
			continue;
		}
		if (mode == PROFBUF_NONBLOCKING)
			return 0;
		/* Announce that we sleep. If w changed since we looked, the
		 * CAS fails and we look again: a commit or announcement after
		 * a successful CAS sees READER_SLEEPING and wakes us. */
		if (!atomic_emul_cas64(&b->w, bw, bw | READER_SLEEPING))
			continue;
		note_sleep(b);
		note_clear(b);
	}
}

/* ---- reports ---- */

const char *profbuf_strerror(int code)
{
	switch (code) {
	case 0:
		return "no error";
	case PROFBUF_ERR_INVALID_SIZE:
		return "runtime: malformed profBuf buffer - invalid size";
	case PROFBUF_ERR_OUT_OF_SYNC:
		return "runtime: malformed profBuf buffer - tag and data out of sync";
	case PROFBUF_ERR_READ_PAST_WRITE:
		return "runtime: malformed profBuf buffer - read position past write position"
		       " (Go: slice bounds out of range)";
	case PROFBUF_ERR_SHORT_RECORD:
		return "runtime: malformed profBuf buffer - record shorter than its header";
	case PROFBUF_ERR_OVERRUN:
		return "runtime: malformed profBuf buffer - writer overran the reader";
	case PROFBUF_ERR_STRAY_ZERO:
		return "runtime: malformed profBuf buffer - wraparound marker inside the data";
	default:
		return "runtime: malformed profBuf buffer - unknown error code";
	}
}

static const char *error_kind(int code)
{
	switch (code) {
	case 0: return "none";
	case PROFBUF_ERR_INVALID_SIZE: return "invalid-size";
	case PROFBUF_ERR_OUT_OF_SYNC: return "out-of-sync";
	case PROFBUF_ERR_READ_PAST_WRITE: return "read-past-write";
	case PROFBUF_ERR_SHORT_RECORD: return "short-record";
	case PROFBUF_ERR_OVERRUN: return "overrun";
	case PROFBUF_ERR_STRAY_ZERO: return "stray-zero";
	default: return "unknown";
	}
}

/* Appends to buf[*used..len), keeping *used <= len-1 and the text terminated. */
__attribute__((format(printf, 4, 5)))
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	if (len == 0 || *used >= len - 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*used += (size_t)n;
	if (*used > len - 1)
		*used = len - 1;
}

static void append_index(char *buf, size_t len, size_t *used, const char *name, uint64_t x)
{
	append(buf, len, used, "%s=0x%016llx (tags %u, data %u%s%s)", name,
	       (unsigned long long)x, tag_count(x), data_count(x),
	       (x & READER_SLEEPING) ? ", sleeping" : "", (x & WRITE_EXTRA) ? ", extra" : "");
}

size_t profbuf_describe(const struct profbuf *b, int code, char *buf, size_t len)
{
	size_t used = 0;
	if (len > 0)
		buf[0] = '\0';
	if (!b) {
		append(buf, len, &used, "profbuf (null): %s", profbuf_strerror(code));
		return used;
	}
	bool detected = code != 0 && b->poison == code;
	append(buf, len, &used, "profbuf %s: %s\n", error_kind(code), profbuf_strerror(code));
	append(buf, len, &used, "  ring %zu words, %zu tags, hdrsize %zu\n",
	       b->ndata, b->ntags, b->hdrsize);
	size_t at;
	if (detected) {
		at = b->bad.offset;
		append(buf, len, &used, "  found at ring offset %zu (word then 0x%llx)\n  at detection: ",
		       at, (unsigned long long)b->bad.word);
		append_index(buf, len, &used, "r", b->bad.r);
		append(buf, len, &used, " ");
		append_index(buf, len, &used, "w", b->bad.w);
		append(buf, len, &used, "\n");
	} else {
		at = data_count(b->r_next) & (b->ndata - 1);
		append(buf, len, &used, "  (not the code this buffer reported: %s)\n",
		       error_kind(b->poison));
	}
	append(buf, len, &used, "  now: ");
	append_index(buf, len, &used, "r", atomic_emul_load64(&b->r));
	append(buf, len, &used, " ");
	append_index(buf, len, &used, "w", atomic_emul_load64(&b->w));
	append(buf, len, &used, " ");
	append_index(buf, len, &used, "rNext", b->r_next);
	append(buf, len, &used, "\n");

	/* Up to 8 words either side of the offset, inside the ring. */
	size_t lo = at >= 8 ? at - 8 : 0;
	size_t hi = at + 9 <= b->ndata ? at + 9 : b->ndata;
	for (size_t i = lo; i < hi; i++) {
		if ((i - lo) % 4 == 0)
			append(buf, len, &used, "%s  [%5zu]", i == lo ? "" : "\n", i);
		append(buf, len, &used, i == at ? " >%016llx<" : "  %016llx ",
		       (unsigned long long)ring_word(b, i));
	}
	append(buf, len, &used, "\n");
	return used;
}

/* ---- accessors ---- */

size_t profbuf_data_words(const struct profbuf *b)
{
	return b->ndata;
}

size_t profbuf_tag_slots(const struct profbuf *b)
{
	return b->ntags;
}

size_t profbuf_hdrsize(const struct profbuf *b)
{
	return b->hdrsize;
}

uint32_t profbuf_double_wakeups(const struct profbuf *b)
{
	return atomic_emul_load32(&b->double_wakeups);
}

uint64_t profbuf_write_position(const struct profbuf *b)
{
	return atomic_emul_load64(&b->w) & ~(READER_SLEEPING | WRITE_EXTRA);
}

void profbuf_index_words(const struct profbuf *b, const uint64_t *out[PROFBUF_INDEX_WORDS])
{
	out[0] = &b->r;
	out[1] = &b->w;
	out[2] = &b->overflow;
	out[3] = &b->overflow_time;
}

void profbuf_raw(struct profbuf *b, struct profbuf_raw *out)
{
	out->data = b->data;
	out->ndata = b->ndata;
	out->tags = b->tags;
	out->ntags = b->ntags;
	out->overflow_buf = b->overflow_buf;
	out->novf = 2 + b->hdrsize + 1;
	out->r = &b->r;
	out->w = &b->w;
	out->overflow = &b->overflow;
	out->overflow_time = &b->overflow_time;
	out->r_next = &b->r_next;
	out->eof = &b->eof;
}
