/*
 * bench_profbuf — records per second through profbuf (one writer thread, one
 * blocking reader thread) against a plain mutex-and-condvar ring of the same
 * size and record format, in the same run. Prints one line for a human and one
 * JSON line. Each side runs for a fixed wall time, so the run is bounded
 * (about 2 s) natively and under qemu alike.
 *
 *   bench_profbuf [seconds-per-side]      default 1.0
 *
 * "delivered" = records the reader got; "attempted" = writes the writer made
 * (the rest were dropped for lack of room and, for profbuf, reported in
 * overflow records). The headline is delivered records per second.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atomic_emul.h"
#include "profbuf.h"

#define RING_WORDS (1u << 12)
#define TAGS       (1u << 9)
#define HDR        1
#define NSTK       8

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct result {
	uint64_t attempted, delivered, lost;
	double seconds;
};

/* ---- profbuf ---- */

struct pb_run {
	struct profbuf *b;
	double seconds;
	struct result res;
};

static void *pb_writer(void *arg)
{
	struct pb_run *r = arg;
	uint64_t hdr[HDR] = { 1 };
	uintptr_t stk[NSTK] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static char tagobj;
	void *tag = &tagobj;
	double end = now_s() + r->seconds;
	uint64_t n = 0;
	do {
		for (int i = 0; i < 256; i++, n++) {
			stk[0] = (uintptr_t)n;
			profbuf_write(r->b, &tag, (int64_t)n, hdr, HDR, stk, NSTK);
		}
	} while (now_s() < end);
	r->res.attempted = n;
	profbuf_close(r->b);
	return NULL;
}

static void *pb_reader(void *arg)
{
	struct pb_run *r = arg;
	for (;;) {
		struct profbuf_batch g;
		if (profbuf_read(r->b, PROFBUF_BLOCKING, &g) != 0) {
			fprintf(stderr, "bench_profbuf: profbuf reported corruption\n");
			exit(2);
		}
		if (g.eof)
			return NULL;
		for (size_t di = 0, ti = 0; di < g.ndata; di += g.data[di], ti++) {
			if (g.tags[ti] == NULL) /* overflow record */
				r->res.lost += g.data[di + 2 + HDR];
			else
				r->res.delivered++;
		}
	}
}

static struct result run_profbuf(double seconds)
{
	struct pb_run r = { profbuf_new(HDR, RING_WORDS, TAGS), seconds, { 0, 0, 0, 0 } };
	pthread_t w, rd;
	double t0 = now_s();
	pthread_create(&rd, NULL, pb_reader, &r);
	pthread_create(&w, NULL, pb_writer, &r);
	pthread_join(w, NULL);
	pthread_join(rd, NULL);
	r.res.seconds = now_s() - t0;
	profbuf_free(r.b);
	return r.res;
}

/* ---- the mutex ring: same words, same record format, same drop policy ---- */

struct mx_ring {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t data[RING_WORDS];
	uint64_t r, w; /* word counts; a record never wraps (0 = marker) */
	uint64_t dropped;
	bool eof, sleeping;
	double seconds;
	struct result res;
};

static void *mx_writer(void *arg)
{
	struct mx_ring *m = arg;
	double end = now_s() + m->seconds;
	uint64_t n = 0;
	const size_t len = 2 + HDR + NSTK;
	do {
		for (int i = 0; i < 256; i++, n++) {
			pthread_mutex_lock(&m->mu);
			size_t wd = m->w % RING_WORDS, skip = wd + len > RING_WORDS ? RING_WORDS - wd : 0;
			if (RING_WORDS - (m->w - m->r) < skip + len) {
				m->dropped++;
			} else {
				if (skip) {
					m->data[wd] = 0;
					wd = 0;
				}
				uint64_t *rec = m->data + wd;
				rec[0] = len;
				rec[1] = n;
				rec[2] = 1;
				rec[3] = n;
				for (size_t k = 1; k < NSTK; k++)
					rec[3 + k] = k + 1;
				m->w += skip + len;
				if (m->sleeping)
					pthread_cond_signal(&m->cv);
			}
			pthread_mutex_unlock(&m->mu);
		}
	} while (now_s() < end);
	pthread_mutex_lock(&m->mu);
	m->eof = true;
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
	m->res.attempted = n;
	return NULL;
}

static void *mx_reader(void *arg)
{
	struct mx_ring *m = arg;
	pthread_mutex_lock(&m->mu);
	for (;;) {
		while (m->r == m->w && !m->eof) {
			m->sleeping = true;
			pthread_cond_wait(&m->cv, &m->mu);
			m->sleeping = false;
		}
		if (m->r == m->w && m->eof)
			break;
		/* Consume everything available under the lock, as a profbuf
		 * read returns a batch. */
		while (m->r != m->w) {
			size_t rd = m->r % RING_WORDS;
			if (m->data[rd] == 0) {
				m->r += RING_WORDS - rd;
				continue;
			}
			m->r += m->data[rd];
			m->res.delivered++;
		}
	}
	m->res.lost = m->dropped;
	pthread_mutex_unlock(&m->mu);
	return NULL;
}

static struct result run_mutex(double seconds)
{
	struct mx_ring *m = calloc(1, sizeof *m);
	pthread_mutex_init(&m->mu, NULL);
	pthread_cond_init(&m->cv, NULL);
	m->seconds = seconds;
	pthread_t w, rd;
	double t0 = now_s();
	pthread_create(&rd, NULL, mx_reader, m);
	pthread_create(&w, NULL, mx_writer, m);
	pthread_join(w, NULL);
	pthread_join(rd, NULL);
	m->res.seconds = now_s() - t0;
	struct result res = m->res;
	free(m);
	return res;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 1.0;
	if (seconds <= 0)
		seconds = 1.0;
	const char *arch =
#ifdef PROFTORTURE_ARCH
		PROFTORTURE_ARCH;
#else
		"unknown";
#endif
	const char *atomics = atomic_emul_config_name(atomic_emul_current());
	struct result p = run_profbuf(seconds);
	struct result m = run_mutex(seconds);
	double prate = (double)p.delivered / p.seconds, mrate = (double)m.delivered / m.seconds;
	double pat = (double)p.attempted / p.seconds, mat = (double)m.attempted / m.seconds;
	bool conserved = p.attempted == p.delivered + p.lost;
	printf("bench-profbuf %s (%s atomics, %u words, %d-word records): profbuf %.0f rec/s delivered "
	       "(%.0f attempted/s), mutex ring %.0f rec/s delivered (%.0f attempted/s), ratio %.2f%s\n",
	       arch, atomics, RING_WORDS, 2 + HDR + NSTK, prate, pat, mrate, mat, prate / mrate,
	       conserved ? "" : " !!! profbuf lost records uncounted");
	printf("{\"bench\":\"profbuf\",\"arch\":\"%s\",\"atomics\":\"%s\",\"ring_words\":%u,"
	       "\"record_words\":%d,\"profbuf\":{\"seconds\":%.3f,\"attempted\":%llu,\"delivered\":%llu,"
	       "\"lost\":%llu,\"delivered_per_s\":%.0f},\"mutex\":{\"seconds\":%.3f,\"attempted\":%llu,"
	       "\"delivered\":%llu,\"lost\":%llu,\"delivered_per_s\":%.0f},\"ratio\":%.3f,"
	       "\"conserved\":%s}\n",
	       arch, atomics, RING_WORDS, 2 + HDR + NSTK, p.seconds, (unsigned long long)p.attempted,
	       (unsigned long long)p.delivered, (unsigned long long)p.lost, prate, m.seconds,
	       (unsigned long long)m.attempted, (unsigned long long)m.delivered,
	       (unsigned long long)m.lost, mrate, prate / mrate, conserved ? "true" : "false");
	return conserved ? 0 : 1;
}
