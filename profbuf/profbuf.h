/*
 * profbuf — Go's runtime profBuf (src/runtime/profbuf.go, go1.12) in C: a
 * lock-free ring of profiling records for exactly one reader and one writer.
 *
 * Contract
 * --------
 * A profbuf is safe for concurrent use by ONE reader and ONE writer. The writer
 * (profbuf_write, profbuf_close) may be a signal handler: it allocates nothing,
 * takes no mutex, uses no stdio and preserves errno. The reader (profbuf_read,
 * profbuf_describe) is an ordinary thread. Two concurrent writers are a misuse
 * that nothing prevents — that misuse is golang/go#24991, and this unit keeps it
 * observable: the reader validates what it reads and reports corruption
 * instead of crashing.
 *
 * Every access to the index words r and w, and to overflow and overflowTime,
 * goes through atomic_emul_load64/store64/cas64, and eof and the wait word use
 * the 32-bit operations, exactly where Go used runtime/internal/atomic. Under an
 * emulated strategy (Go's arm and mips) those take spinlocks; a signal landing
 * inside one whose handler writes to the same profbuf deadlocks (#20146). The
 * data words of the ring are plain loads and stores, as in Go.
 *
 * Layout
 * ------
 * Each record takes 2+hdrsize+nstk consecutive 64-bit words of the data ring:
 *
 *     [2+hdrsize+nstk][time][hdr 0 .. hdrsize-1][stk 0 .. nstk-1]
 *
 * and exactly one slot of the tag ring, which runs in parallel (a tag is an
 * opaque pointer; NULL when the writer passes none). A record never wraps: if
 * it does not fit before the end of the ring, the writer stores a single 0 (the
 * wraparound marker) at the write position and starts the record at word 0.
 * The skipped tail is charged to the record that follows it.
 *
 * r and w pack two counts and two flags into one 64-bit word:
 *
 *     bits 63..34  tag count   (total tags read/written, wraps at 2^30)
 *     bit  33      WRITE_EXTRA     (w only) overflow or eof is waiting
 *     bit  32      READER_SLEEPING (w only) the reader sleeps, wake it
 *     bits 31..0   data count  (total words read/written, wraps at 2^32)
 *
 * The counts are totals, not positions; the slot is count mod ring size. For
 * that to survive the wrap of the count, both ring sizes are powers of two.
 * Two counts are compared with countSub, which sign-extends their 30-bit
 * difference; they are never more than a ring size (< 2^28) apart.
 *
 * Overflow
 * --------
 * When the ring is full, a write is dropped and counted instead. The pending
 * count lives in the low 32 bits of `overflow`, the time of the first dropped
 * write in `overflow_time`. The high 32 bits of `overflow` are a generation,
 * bumped on every transition of the count between zero and non-zero, so that a
 * compare-and-swap cannot mistake a new pending entry for an old one (ABA). The
 * count sticks at 2^32-1 instead of wrapping. Only the writer creates or adds
 * to a pending entry; either side may take it: the writer, when it has room
 * for the overflow record and its own record, writes the overflow record first
 * (a recursive write); the reader, when the ring is empty, returns a record it
 * synthesizes in a private buffer. Both have the same shape,
 *
 *     [2+hdrsize+1][time of first drop][0 x hdrsize][drop count]   tag NULL
 *
 * The writer sets overflow_time only while the count is zero, i.e. before the
 * entry exists, and then the count; a taker loads both and clears the count
 * with one CAS on `overflow`, so it never pairs a count with a stale time.
 * Every drop is counted exactly once, and the drops of one entry are
 * consecutive writes. As in Go, a reader-synthesized overflow record can come
 * out ahead of records committed after the reader found the ring empty (the
 * writer flushed the old entry itself and started a new one meanwhile); the
 * counts still add up.
 *
 * Who owns what
 * -------------
 *   r        stored by the reader only (release of consumed space); loaded by
 *            the writer to find free space.
 *   w        counts advanced by the writer's commit CAS; flag bits set by the
 *            reader (READER_SLEEPING) and the writer (WRITE_EXTRA), cleared by
 *            the writer's commit and the reader. Every change is a CAS.
 *   overflow, overflow_time   see Overflow.
 *   eof      set once by profbuf_close.
 *   ring words and tag slots  written by the writer beyond w, read and (tags)
 *            cleared by the reader between r and w. Plain accesses; ordered by
 *            the atomic operations on w (publish) and r (release).
 *   rNext, the overflow record buffer, the corruption report   reader only.
 *
 * Validation (the reader's checks, in place of Go's throws)
 * ---------------------------------------------------------
 * Go's reader throws on two malformed states and indexes out of bounds on a
 * third. profbuf_read returns a negative code for each of those and for the
 * other states a writer can never produce, and never reads outside the ring,
 * whatever the ring and the index words hold: see enum profbuf_error. After a
 * code is returned the buffer is POISONED: every later read returns the same
 * code and an empty batch (the reader position is no longer trustworthy).
 * profbuf_describe then explains what was found, and where.
 *
 * One deviation from Go, on purpose: Go's read, having found the ring empty,
 * returns eof as soon as close has been called, which drops a record
 * committed between its load of w and close. profbuf_read looks at w once
 * more after seeing eof (see docs/DESIGN.md, "A race in Go's profBuf").
 */
#ifndef PROFTORTURE_PROFBUF_H
#define PROFTORTURE_PROFBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct profbuf;

/* Codes returned by profbuf_read. Go's message for each is profbuf_strerror's. */
enum profbuf_error {
	/* A record length reaches past the readable window (Go's throw). */
	PROFBUF_ERR_INVALID_SIZE = -1,
	/* Unread data but no unread tag, or unread tags but no data (Go throws
	 * on the first; the second is impossible for a writer). */
	PROFBUF_ERR_OUT_OF_SYNC = -2,
	/* The read position is past the write position, numData < 0 (Go indexed
	 * data[:numData] and died with "slice bounds out of range", #27950). */
	PROFBUF_ERR_READ_PAST_WRITE = -3,
	/* A non-zero record length below 2+hdrsize (Go would misparse it). */
	PROFBUF_ERR_SHORT_RECORD = -4,
	/* More unread data or tags than the ring holds: the writer overran the
	 * reader (Go would return overwritten data without noticing). */
	PROFBUF_ERR_OVERRUN = -5,
	/* A 0 (wraparound marker) where no writer can have put one: inside a
	 * window that does not reach the end of the ring, or right after a
	 * wraparound (Go would skip to word 0 and move rNext past w). */
	PROFBUF_ERR_STRAY_ZERO = -6,
};
#define PROFBUF_ERR_MIN PROFBUF_ERR_STRAY_ZERO

/* Limit on either size, as Go's newProfBuf ("buffer too large"). */
#define PROFBUF_MAX_SIZE ((size_t)1 << 28)

/* Returns a buffer with room for records of hdrsize header words in a ring of
 * at least bufwords words and tags tag slots: bufwords is raised to at least
 * 2+hdrsize+1 and tags to at least 1, then both are rounded up to powers of
 * two. Returns NULL with errno = EINVAL if either (raised) size is >=
 * PROFBUF_MAX_SIZE (Go throws), or ENOMEM. The only function that allocates.
 * Needs no prior initialisation (atomic_emul's default strategy is in force). */
struct profbuf *profbuf_new(size_t hdrsize, size_t bufwords, size_t tags);

/* Frees b (NULL is fine). No reader or writer may be using it. */
void profbuf_free(struct profbuf *b);

/* Go's write, for the single writer; async-signal-safe, errno preserved.
 * Appends the record [2+hdrsize+nstk][now][hdr, zero-padded to hdrsize][stk]
 * with tag *tagp (NULL tag when tagp is NULL), or, when the ring is full,
 * counts it as dropped. A pending overflow record is written first when both
 * fit. Wakes a sleeping reader. Returns 0, or -1 if nhdr > hdrsize (Go throws
 * "misuse of profBuf.write"; nothing is written). b == NULL does nothing and
 * returns 0, as in Go. */
int profbuf_write(struct profbuf *b, void *const *tagp, int64_t now,
		  const uint64_t *hdr, size_t nhdr, const uintptr_t *stk, size_t nstk);

enum profbuf_mode { PROFBUF_BLOCKING, PROFBUF_NONBLOCKING };

/* One read's result: whole records (data) and their tags, one tag per record.
 * Both point into the buffer and stay valid until the next profbuf_read, which
 * releases them to the writer (and clears the consumed tag slots). */
struct profbuf_batch {
	const uint64_t *data;
	size_t ndata;
	void *const *tags;
	size_t ntags;
	bool eof;
};

/* Go's read, for the single reader (not async-signal-safe when blocking).
 * Releases the previous batch, then returns the next run of whole records, or
 * a synthesized overflow record, or eof (ring drained, no overflow pending and
 * profbuf_close called), or — non-blocking — an empty batch. A blocking read
 * sleeps on a futex until a write or profbuf_close. Returns 0, or a negative
 * enum profbuf_error (out then describes nothing, and b is poisoned: every
 * later read returns the same code). b == NULL reads as eof. */
int profbuf_read(struct profbuf *b, enum profbuf_mode mode, struct profbuf_batch *out);

/* Go's close, for the writer side; async-signal-safe. After the remaining data
 * and any pending overflow are read, reads return eof. Wakes a sleeping
 * reader. Closing twice is a misuse (Go throws "profBuf already closed"); here
 * the second call does nothing. */
void profbuf_close(struct profbuf *b);

/* Go's message for a code from profbuf_read ("unknown" codes are named so). */
const char *profbuf_strerror(int code);

/* Describes code for a human: its kind and Go message, the ring offset where
 * it was found, the raw r and w words at detection (and now), and a hex window
 * of ring words around the offset. Writes at most len bytes including the NUL
 * and returns the length of the text written. For the reader's thread, after
 * profbuf_read returned code; not for signal context. */
size_t profbuf_describe(const struct profbuf *b, int code, char *buf, size_t len);

/* Sizes after raising and rounding. */
size_t profbuf_data_words(const struct profbuf *b);
size_t profbuf_tag_slots(const struct profbuf *b);
size_t profbuf_hdrsize(const struct profbuf *b);

/* How many times a wakeup found the reader's wait word already set. Go's
 * notewakeup throws "double wakeup" there (its go1.12 wakeupExtra leaves
 * READER_SLEEPING set, fixed in later Go); here it is harmless and counted. */
uint32_t profbuf_double_wakeups(const struct profbuf *b);

/* The writer's position: w's two counts (tag slots and data words committed,
 * as tag count << 34 | data count) with its flag bits cleared. It changes
 * exactly when a record or an overflow record is committed, never when only
 * a flag changes (the reader going to sleep, the writer announcing overflow
 * or eof), so two readings that differ prove a commit between them: e.g. a
 * write after the reader saw eof (golang/go#24991). One atomic_emul load;
 * any thread, not for signal context. */
uint64_t profbuf_write_position(const struct profbuf *b);

/* The 64-bit words every profbuf operation does atomic_emul operations on:
 * r, w, overflow and overflow_time, in that order. Under an emulated
 * strategy each is guarded by the spinlock atomic_emul_lock_index() names;
 * a caller that wants its own words on (or off) those spinlocks compares
 * with these. Addresses only: never read or write through them. */
#define PROFBUF_INDEX_WORDS 4
void profbuf_index_words(const struct profbuf *b, const uint64_t *out[PROFBUF_INDEX_WORDS]);

/* FOR TESTS AND FUZZERS ONLY: the raw state, to inspect or to scribble on.
 * Writing through these pointers while a reader or writer runs is a data race
 * by design; the reader must still never read outside the ring. */
struct profbuf_raw {
	uint64_t *data;         /* ndata words */
	size_t ndata;
	void **tags;            /* ntags slots */
	size_t ntags;
	uint64_t *overflow_buf; /* the reader's synthesized record, novf words */
	size_t novf;
	uint64_t *r, *w, *overflow, *overflow_time;
	uint64_t *r_next;       /* the reader's private position */
	uint32_t *eof;
};
void profbuf_raw(struct profbuf *b, struct profbuf_raw *out);

#endif
