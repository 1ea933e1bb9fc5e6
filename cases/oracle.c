/*
 * The reader and the oracle (docs/DESIGN.md, "The oracle").
 *
 * The reader is Go's profileWriter: it reads the current log until eof and
 * feeds each batch to cpuprof_parse_batch (Go's addCPUData checks), whose
 * visitor below checks what Go could not: every sample's self-checking words
 * and its tag, and per-thread sequence numbers strictly increasing. The first
 * failure stops reading that log (the profbuf is poisoned by then, or the
 * parser's framing is), is recorded with its kind and a description
 * (run_corruption), and ends the run unless --keep-going.
 *
 * Conservation (whether nothing was lost that the records do not account
 * for) needs the handlers' counters and is judged by judge.c at the end.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "profbuf.h"
#include "torture.h"

static enum corruption corruption_from_code(int code)
{
	switch (code) {
	case PROFBUF_ERR_INVALID_SIZE: return K_INVALID_SIZE;
	case PROFBUF_ERR_OUT_OF_SYNC: return K_OUT_OF_SYNC;
	case PROFBUF_ERR_READ_PAST_WRITE: return K_READ_PAST_WRITE;
	case PROFBUF_ERR_SHORT_RECORD: return K_SHORT_RECORD;
	case PROFBUF_ERR_OVERRUN: return K_OVERRUN;
	case PROFBUF_ERR_STRAY_ZERO: return K_STRAY_ZERO;
	case CPUPROF_ERR_TRUNCATED: return K_TRUNCATED;
	case CPUPROF_ERR_MALFORMED: return K_MALFORMED;
	default: return K_OTHER;
	}
}

/* A tag is valid only if it is one of our signal targets' slots, exactly. */
static struct worker *worker_of_tag(struct run *r, void *tag)
{
	uintptr_t t = (uintptr_t)tag, base = (uintptr_t)&r->workers[0];
	if (t < base || t >= base + (uintptr_t)run_targets(r) * sizeof(struct worker))
		return NULL;
	if ((t - base) % sizeof(struct worker) != 0)
		return NULL;
	return tag;
}

static int check_sample(struct run *r, const struct cpuprof_record *rec)
{
	struct worker *w = worker_of_tag(r, rec->tag);
	if (!w) {
		run_corruption(r, K_BAD_TAG, "sample with tag %p, not a worker", rec->tag);
		return -1;
	}
	if (rec->count != 1) {
		run_corruption(r, K_BAD_COUNT, "sample count %llu, want 1 (worker %d)",
			       (unsigned long long)rec->count, w->index);
		return -1;
	}
	if (rec->nstk != 4 || rec->stk[0] != (uint64_t)(uintptr_t)w->tid ||
	    rec->stk[3] != (uint64_t)sample_checksum((uintptr_t)rec->stk[0], (uintptr_t)rec->stk[1],
						     (uintptr_t)rec->stk[2])) {
		run_corruption(r, K_BAD_CHECKSUM,
			       "sample of worker %d (tid %d) with %zu stack words [%#llx %#llx %#llx %#llx]",
			       w->index, (int)w->tid, rec->nstk,
			       (unsigned long long)(rec->nstk > 0 ? rec->stk[0] : 0),
			       (unsigned long long)(rec->nstk > 1 ? rec->stk[1] : 0),
			       (unsigned long long)(rec->nstk > 2 ? rec->stk[2] : 0),
			       (unsigned long long)(rec->nstk > 3 ? rec->stk[3] : 0));
		return -1;
	}
	uint32_t seq = (uint32_t)rec->stk[1];
	if (w->seen && seq <= w->last_seq_read) {
		run_corruption(r, K_SEQ_REGRESS, "worker %d sample %u after %u", w->index, seq,
			       w->last_seq_read);
		return -1;
	}
	w->seen = true;
	w->last_seq_read = seq;
	return 0;
}

static int visit_record(void *arg, const struct cpuprof_record *rec)
{
	struct run *r = arg;
	bump(&r->reader_records);
	switch (rec->kind) {
	case CPUPROF_SAMPLE:
		return check_sample(r, rec);
	case CPUPROF_OVERFLOW:
	case CPUPROF_LOST_ATOMIC:
		if (rec->tag != NULL || rec->count == 0) {
			run_corruption(r, K_BAD_TAG, "%s record with tag %p count %llu",
				       rec->kind == CPUPROF_OVERFLOW ? "overflow" : "lost-atomic",
				       rec->tag, (unsigned long long)rec->count);
			return -1;
		}
		return 0;
	default:
		run_corruption(r, K_OTHER, "lost-external record, but nothing queues non-Go stacks");
		return -1;
	}
}

static void add_totals(struct cpuprof_totals *sum, const struct cpuprof_totals *t)
{
	sum->records += t->records;
	sum->samples += t->samples;
	sum->lost_atomic += t->lost_atomic;
	sum->lost_external += t->lost_external;
	sum->overflow += t->overflow;
	sum->batches += t->batches;
}

/* Reads one session's log until eof or the first failure. */
static void read_session(struct run *r, int k)
{
	struct profbuf *log = r->logs[k];
	struct cpuprof_parser ps;
	memset(&ps, 0, sizeof ps);
	bool slow = r->opt.kase == CASE_OVERFLOW;
	for (;;) {
		struct profbuf_batch b;
		int rc = profbuf_read(log, PROFBUF_BLOCKING, &b);
		if (rc < 0) {
			char desc[768];
			profbuf_describe(log, rc, desc, sizeof desc);
			run_corruption(r, corruption_from_code(rc), "session %d: %s", k + 1, desc);
			break;
		}
		rc = cpuprof_parse_batch(&ps, b.data, b.ndata, b.tags, b.ntags, visit_record, r);
		if (rc < 0) {
			if (rc == CPUPROF_ERR_TRUNCATED || rc == CPUPROF_ERR_MALFORMED)
				run_corruption(r, corruption_from_code(rc),
					       "session %d: %s in a batch of %zu words, %zu tags", k + 1,
					       cpuprof_strerror(rc), b.ndata, b.ntags);
			break; /* the visitor recorded its own failure */
		}
		if (ps.have_period && ps.hz != PROFILE_HZ) {
			run_corruption(r, K_BAD_HEADER, "session %d: header hz %llu, want %d", k + 1,
				       (unsigned long long)ps.hz, PROFILE_HZ);
			break;
		}
		if (b.eof) {
			r->eof_seen[k] = true;
			break;
		}
		if (slow) {
			struct timespec ms = { 0, 5 * 1000 * 1000 };
			nanosleep(&ms, NULL); /* the overflow case's slow reader */
		}
	}
	add_totals(&r->totals, &ps.totals);
	r->w_at_eof[k] = profbuf_write_position(log);
}

static void *reader_main(void *arg)
{
	struct run *r = arg;
	for (;;) {
		uint32_t done = peek(&r->reader_done_session);
		uint32_t current = __atomic_load_n(&r->session, __ATOMIC_ACQUIRE);
		if (current > done) {
			read_session(r, (int)done);
			__atomic_store_n(&r->reader_done_session, done + 1, __ATOMIC_RELEASE);
			continue;
		}
		if (__atomic_load_n(&r->reader_exit, __ATOMIC_ACQUIRE))
			return NULL;
		struct timespec ms = { 0, 1000 * 1000 };
		nanosleep(&ms, NULL);
	}
}

int reader_start(struct run *r, char *why, size_t cap)
{
	int rc = pthread_create(&r->reader, NULL, reader_main, r);
	if (rc != 0) {
		snprintf(why, cap, "cannot start the reader thread: %s", strerror(rc));
		return -1;
	}
	return 0;
}

void reader_join(struct run *r)
{
	__atomic_store_n(&r->reader_exit, 1, __ATOMIC_RELEASE);
	pthread_join(r->reader, NULL);
}
