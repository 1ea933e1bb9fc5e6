/*
 * sampler-ring: a small SIGPROF sampler with a reentrancy bug, and its fix.
 *
 * What it does
 * ------------
 * N worker threads burn CPU. Each worker owns a ring of fixed-size records
 * and, every few microseconds, pushes a "marker" record into it (what a
 * real profiler's threads log: an allocation, a lock taken, a phase
 * change). The program samples itself: it arms ITIMER_PROF at the highest
 * rate the kernel gives, and its SIGPROF handler pushes a "sample" record
 * into the ring of the thread it interrupted. It counts a SIGPROF sent from
 * outside (proftorture's cannon, kill, tgkill) like one of its own timer's.
 * One reader thread drains every ring and checks every record: its checksum,
 * that it came from the ring's thread, and that each producer's sequence
 * numbers arrive one after another, none missing and none twice.
 *
 * Each ring is a single-producer, single-consumer ring. Its one consumer is
 * the reader. Its one producer is "the worker's thread", which runs two
 * pieces of code: the worker's own push and, whenever a SIGPROF lands on
 * that thread, the handler's push. They never run at the same time, but the
 * handler can run in the MIDDLE of the worker's push, and that is the bug.
 *
 * The bug (-DSAMPLER_RING_BUGGY=1)
 * --------------------------------
 * The worker pushes like any single-producer ring: read head, write the
 * record into that slot, publish head + 1. A SIGPROF that lands between the
 * read and the publish runs the handler, which reads the same head, writes
 * its sample into the SAME slot and publishes it. When the handler returns,
 * the worker finishes writing over the sample and publishes the same head
 * again. The reader then sees a record that is half marker, half sample
 * (torn: its checksum is wrong), or one of the two records is simply gone
 * (lost: the next record of that producer skips a sequence number). Samplers
 * have shipped this bug: a buffer written both by the thread and by a
 * handler that interrupts that thread.
 *
 * The fix (-DSAMPLER_RING_BUGGY=0)
 * --------------------------------
 * The worker blocks SIGPROF on its own thread for the length of its push
 * (pthread_sigmask). A SIGPROF that arrives meanwhile stays pending and runs
 * the handler right after the unblock, so no sample is lost, and the ring
 * stays the plain single-producer ring it was designed as. Why not an atomic
 * fetch-add on head, shared by the worker and the handler? Then slots would
 * be reserved in one order and published in another (an interrupted worker
 * holds slot k while the handler publishes k + 1), so every slot would need
 * a "ready" flag of its own and the reader would have to wait on a slot
 * whose writer is suspended under a handler: a different, harder ring.
 * Blocking costs two system calls per marker, which is nothing at a marker
 * every few microseconds; a hotter path would set a per-thread "in push"
 * flag that the handler checks, and drop or defer its sample.
 *
 * Output (what proftorture reads): on success, a summary line, then
 * "proftorture: signals handled N" (how many times the handler ran), then
 * last "sampler-ring: ok, N records verified", exit 0. At the first bad
 * record, a line "!!! sampler-ring: ..." naming it, the signals line, exit 1.
 * A bad option: one line on stderr, exit 2. --help says the options.
 *
 * Plain C11 and POSIX threads, nothing else; build it twice:
 *   cc -std=c11 -O2 -pthread -DSAMPLER_RING_BUGGY=1 sampler_ring.c -o sampler-ring-buggy
 *   cc -std=c11 -O2 -pthread -DSAMPLER_RING_BUGGY=0 sampler_ring.c -o sampler-ring-fixed
 */
#define _GNU_SOURCE /* syscall(SYS_gettid) */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#ifndef SAMPLER_RING_BUGGY
#error "build with -DSAMPLER_RING_BUGGY=1 (the reentrancy bug) or -DSAMPLER_RING_BUGGY=0 (the fix)"
#endif
/* The entry point's name: main, unless a test links both builds into one
 * program (proftorture's tests/check_sampler_ring.c does, to run them
 * under an emulator that cannot start a second guest program). */
#ifndef SAMPLER_RING_MAIN
#define SAMPLER_RING_MAIN main
#endif

#define MAX_WORKERS 64
/* The usage status of proftorture's protocol, and of most Unix tools. */
#define EXIT_USAGE 2

/* --- records ------------------------------------------------------------
 * A record is words: who wrote it, its sequence number, the thread it was
 * written on, a variable number of "frames" (stand-ins for a stack trace:
 * a sampler's records are rarely all the same length), and a checksum of
 * all of these. A slot has room for the longest record. */
enum {
	W_PRODUCER,
	W_SEQ,
	W_TID,
	W_NFRAMES,
	W_FRAMES,
	MAX_FRAMES = 8,
	RECORD_WORDS = W_FRAMES + MAX_FRAMES + 1, /* + the checksum */
};

/* The checksum follows the last frame. */
static unsigned checksum_at(const uint32_t *rec)
{
	uint32_t n = rec[W_NFRAMES];
	return W_FRAMES + (n <= MAX_FRAMES ? n : MAX_FRAMES);
}

/* FNV-1a over the words before the checksum: half of one record and half
 * of another do not add up to either's checksum. */
static uint32_t checksum(const uint32_t *rec)
{
	uint32_t h = 2166136261u;
	for (unsigned i = 0; i < checksum_at(rec); i++)
		h = (h ^ rec[i]) * 16777619u;
	return h;
}

static void record_make(uint32_t *rec, uint32_t producer, uint32_t seq, uint32_t tid,
			uint32_t frame_seed)
{
	rec[W_PRODUCER] = producer;
	rec[W_SEQ] = seq;
	rec[W_TID] = tid;
	rec[W_NFRAMES] = 1 + seq % MAX_FRAMES;
	for (uint32_t i = 0; i < rec[W_NFRAMES]; i++)
		rec[W_FRAMES + i] = frame_seed + i * 0x9e3779b9u;
	rec[checksum_at(rec)] = checksum(rec);
}

/* --- the ring: one producer (a worker's thread), one consumer (the reader)
 * head counts records published, tail records consumed; both only grow
 * (mod 2^32), and head - tail is the fill. The slot words are relaxed
 * atomics: the handler may write them, and the reader reads them while a
 * buggy producer may be writing them; what orders them is head and tail. */
enum { RING_SLOTS = 256 }; /* a power of two: an index is a mask away */

struct slot {
	_Atomic uint32_t w[RECORD_WORDS];
};

struct ring {
	_Atomic uint32_t head; /* written by the producer thread only */
	char pad[64];          /* head and tail on different cache lines */
	_Atomic uint32_t tail; /* written by the reader only */
	struct slot slot[RING_SLOTS];
};

/* Called on the ring's own thread, by the worker or by the handler. Returns
 * false, writing nothing, when the ring is full. The window of the bug is
 * from the load of head to the store of head + 1. */
static bool ring_push(struct ring *r, const uint32_t *rec)
{
	/* relaxed: only this thread stores head. acquire on tail: the reader
	 * has finished reading the slot it released (its release store of
	 * tail) before we write that slot again. */
	uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	if (head - tail >= RING_SLOTS)
		return false;

	struct slot *s = &r->slot[head & (RING_SLOTS - 1)];
	for (unsigned i = 0; i <= checksum_at(rec); i++)
		atomic_store_explicit(&s->w[i], rec[i], memory_order_relaxed);
	/* release: the slot's words are visible to a reader that sees the new
	 * head (its acquire load in ring_pop). */
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	return true;
}

enum pop { POP_EMPTY, POP_RECORD, POP_BROKEN };

/* The reader's side: copies the oldest record into rec. POP_BROKEN when
 * head and tail say more than a full ring (a head that went backwards,
 * which two producers on one slot can do). */
static enum pop ring_pop(struct ring *r, uint32_t *rec, uint32_t *head_out, uint32_t *tail_out)
{
	/* relaxed: only the reader stores tail. acquire on head: pairs with
	 * ring_push's release, so the slot's words are the pushed ones. */
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint32_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	*head_out = head;
	*tail_out = tail;
	if (head == tail)
		return POP_EMPTY;
	if (head - tail > RING_SLOTS)
		return POP_BROKEN;

	struct slot *s = &r->slot[tail & (RING_SLOTS - 1)];
	for (unsigned i = 0; i < RECORD_WORDS; i++)
		rec[i] = atomic_load_explicit(&s->w[i], memory_order_relaxed);
	/* release: our reads of the slot happen before the producer, after its
	 * acquire load of tail, writes the slot again. */
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
	return POP_RECORD;
}

/* --- the workers and the handler ---------------------------------------
 * Worker i's ring carries two producers: its markers (producer 2i) and the
 * samples of the handler on its thread (producer 2i + 1). */
enum { MARKERS, SAMPLES };

/* A counter with one writer: a relaxed load and store, no read-modify-write
 * (which some arches emulate in ways a handler should not depend on). The
 * reader reads it after pthread_join, or as an approximate progress figure. */
static void bump(_Atomic uint32_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

struct worker {
	struct ring ring;
	pthread_t thread;
	int index;
	uint32_t tid;                 /* set before the worker unblocks SIGPROF */
	/* written by this worker's thread only: [MARKERS] by the worker code,
	 * [SAMPLES] and signals[] by the handler on it */
	_Atomic uint32_t pushed[2];   /* records pushed = the next sequence number */
	_Atomic uint32_t dropped[2];  /* pushes refused: the ring was full */
	_Atomic uint32_t from_timer;  /* SIGPROFs from its own ITIMER_PROF */
	_Atomic uint32_t from_outside;/* SIGPROFs sent by a process (kill, tgkill) */
	_Atomic uint32_t progress;    /* the work's current value, which samples record */
	/* the reader's own */
	uint32_t next_seq[2];         /* the sequence number expected next */
};

static struct worker workers[MAX_WORKERS];
static int nworkers;
static atomic_bool stop_workers; /* relaxed: a flag polled in a loop; join orders the rest */
/* SIGPROFs that landed on a thread without a ring. Every other thread
 * blocks SIGPROF, so this stays 0; counted to prove it. */
static atomic_ulong stray_signals;

/* Each worker's thread finds its ring here. The program is linked
 * statically, so this is an offset from the thread pointer: reading it
 * in a handler allocates nothing and takes no lock. */
static _Thread_local struct worker *self;

static void push(struct worker *w, int kind, uint32_t frame_seed)
{
	uint32_t rec[RECORD_WORDS];
	uint32_t seq = atomic_load_explicit(&w->pushed[kind], memory_order_relaxed);
	record_make(rec, (uint32_t)(2 * w->index + kind), seq, w->tid, frame_seed);
	if (ring_push(&w->ring, rec))
		bump(&w->pushed[kind]);
	else
		bump(&w->dropped[kind]);
}

/* The SIGPROF handler: async-signal-safe (no allocation, no lock, no stdio;
 * only lock-free atomics and its own thread's ring), errno preserved. */
static void on_sigprof(int sig, siginfo_t *info, void *ucontext)
{
	(void)sig, (void)ucontext;
	int saved_errno = errno;
	struct worker *w = self;
	if (!w) {
		atomic_fetch_add_explicit(&stray_signals, 1, memory_order_relaxed);
	} else {
		/* si_code <= 0: sent by a process (SI_USER, SI_TKILL); the
		 * kernel's timer sends SI_KERNEL. */
		bump(info->si_code <= 0 ? &w->from_outside : &w->from_timer);
		push(w, SAMPLES, atomic_load_explicit(&w->progress, memory_order_relaxed));
	}
	errno = saved_errno;
}

/* The set holding SIGPROF alone, for pthread_sigmask. */
static sigset_t sigprof_set(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGPROF);
	return set;
}

/* The worker's push: the one line that differs between the two builds. */
static void push_marker(struct worker *w, uint32_t value)
{
#if SAMPLER_RING_BUGGY
	push(w, MARKERS, value); /* a SIGPROF here pushes into the same slot */
#else
	sigset_t prof = sigprof_set(), old;
	pthread_sigmask(SIG_BLOCK, &prof, &old);
	push(w, MARKERS, value); /* the handler cannot run until the unblock */
	pthread_sigmask(SIG_SETMASK, &old, NULL);
#endif
}

/* Work between markers: CPU time, for ITIMER_PROF to measure and for most
 * signals to land in, about a hundred times the length of a push. */
enum { WORK_ITERATIONS = 5000 };

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	w->tid = (uint32_t)syscall(SYS_gettid);
	self = w;
	sigset_t prof = sigprof_set();
	pthread_sigmask(SIG_UNBLOCK, &prof, NULL); /* samples from here on */

	uint32_t x = (uint32_t)w->index;
	while (!atomic_load_explicit(&stop_workers, memory_order_relaxed)) {
		for (int i = 0; i < WORK_ITERATIONS; i++)
			x = x * 1664525u + 1013904223u;
		atomic_store_explicit(&w->progress, x, memory_order_relaxed);
		push_marker(w, x);
	}
	/* No sample after this: the reader's final count must be final. */
	pthread_sigmask(SIG_BLOCK, &prof, NULL);
	return NULL;
}

/* --- the reader --------------------------------------------------------- */
static double started;       /* monotonic seconds at the start */
static unsigned long verified;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long signals_handled(void)
{
	unsigned long n = atomic_load_explicit(&stray_signals, memory_order_relaxed);
	for (int i = 0; i < nworkers; i++)
		n += atomic_load_explicit(&workers[i].from_timer, memory_order_relaxed) +
		     atomic_load_explicit(&workers[i].from_outside, memory_order_relaxed);
	return n;
}

/* The first bad record ends the program at once, named on stdout (where
 * proftorture reads a failure's line), with the exposure line after it. */
static _Noreturn void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("!!! sampler-ring: ");
	vprintf(fmt, ap);
	va_end(ap);
	printf("\nsampler-ring: FAILED %.3f s in, after %lu records verified\n",
	       now() - started, verified);
	printf("proftorture: signals handled %lu\n", signals_handled());
	fflush(stdout);
	_exit(EXIT_FAILURE);
}

static const char *producer_name(uint32_t producer)
{
	return producer % 2 == MARKERS ? "markers" : "samples";
}

static void verify(struct worker *w, const uint32_t *rec)
{
	uint32_t producer = rec[W_PRODUCER], seq = rec[W_SEQ];
	if (rec[W_NFRAMES] > MAX_FRAMES || rec[checksum_at(rec)] != checksum(rec))
		fail("record %u of producer %u (worker %d's %s) torn (checksum)", seq, producer,
		     w->index, producer_name(producer));
	if (producer / 2 != (uint32_t)w->index)
		fail("record %u of producer %u in worker %d's ring (wrong ring)", seq, producer, w->index);
	if (rec[W_TID] != w->tid)
		fail("record %u of producer %u written on thread %u, not worker %d's %u", seq, producer,
		     rec[W_TID], w->index, w->tid);
	uint32_t *next = &w->next_seq[producer % 2];
	if (seq > *next)
		fail("record %u of producer %u (worker %d's %s) lost (sequence: the next read was %u)",
		     *next, producer, w->index, producer_name(producer), seq);
	if (seq < *next)
		fail("record %u of producer %u (worker %d's %s) read twice (sequence: expected %u)", seq,
		     producer, w->index, producer_name(producer), *next);
	++*next;
	verified++;
}

/* Drains every ring once; whether it found anything. */
static bool drain(void)
{
	bool any = false;
	for (int i = 0; i < nworkers; i++) {
		struct worker *w = &workers[i];
		uint32_t rec[RECORD_WORDS], head, tail;
		enum pop p;
		while ((p = ring_pop(&w->ring, rec, &head, &tail)) == POP_RECORD) {
			verify(w, rec);
			any = true;
		}
		if (p == POP_BROKEN)
			fail("worker %d's ring broken: head %u is behind tail %u", i, head, tail);
	}
	return any;
}

static atomic_bool workers_joined; /* release/acquire: the workers' last pushes are visible */

static void *reader_main(void *arg)
{
	(void)arg;
	struct timespec nap = { 0, 100 * 1000 }; /* 100 us when every ring was empty */
	while (!atomic_load_explicit(&workers_joined, memory_order_acquire))
		if (!drain())
			nanosleep(&nap, NULL);
	drain();
	/* Every record pushed was read: a producer's pushed count is the
	 * sequence number it would have used next. */
	for (int i = 0; i < nworkers; i++)
		for (int k = MARKERS; k <= SAMPLES; k++) {
			uint32_t pushed = atomic_load_explicit(&workers[i].pushed[k], memory_order_relaxed);
			if (workers[i].next_seq[k] != pushed)
				fail("record %u of producer %d (worker %d's %s) lost (never read; %u pushed)",
				     workers[i].next_seq[k], 2 * i + k, i, producer_name((uint32_t)k), pushed);
		}
	return NULL;
}

/* --- options, and the run ----------------------------------------------- */
static void usage(FILE *f)
{
	fprintf(f,
		"usage: sampler-ring-%s [--seconds S] [--threads N]\n"
		"A SIGPROF sampler whose handler and worker threads push records into per-thread\n"
		"rings that one reader verifies (%s build: %s).\n"
		"  --seconds S   how long to run, in seconds, decimals allowed (default 2)\n"
		"  --threads N   worker threads, 1 to %d (default 2)\n"
		"  --help        this text\n"
		"Exit 0 when every record verified, 1 at the first torn or lost one, 2 on bad usage.\n",
		SAMPLER_RING_BUGGY ? "buggy" : "fixed", SAMPLER_RING_BUGGY ? "buggy" : "fixed",
		SAMPLER_RING_BUGGY ? "the worker's push is not protected from its own thread's handler"
				   : "the worker blocks SIGPROF around its push",
		MAX_WORKERS);
}

static _Noreturn void bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "sampler-ring: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try --help)\n");
	exit(EXIT_USAGE);
}

static void parse_options(int argc, char **argv, double *seconds, int *threads)
{
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		if (strcmp(opt, "--help") == 0) {
			usage(stdout);
			exit(EXIT_SUCCESS);
		}
		if (strcmp(opt, "--seconds") != 0 && strcmp(opt, "--threads") != 0)
			bad_usage("unknown option '%s': allowed are --seconds S, --threads N, --help", opt);
		if (i + 1 == argc)
			bad_usage("%s needs a value", opt);
		const char *val = argv[++i];
		char *end;
		errno = 0;
		if (opt[2] == 's') {
			*seconds = strtod(val, &end);
			if (errno || end == val || *end || !(*seconds > 0 && *seconds <= 86400))
				bad_usage("--seconds '%s': allowed is a number of seconds above 0 and up to 86400, e.g. 2 or 0.5", val);
		} else {
			long n = strtol(val, &end, 10);
			if (errno || end == val || *end || n < 1 || n > MAX_WORKERS)
				bad_usage("--threads '%s': allowed is a whole number from 1 to 64", val);
			*threads = (int)n;
		}
	}
}

static void sleep_until(double deadline)
{
	double left;
	while ((left = deadline - now()) > 0) {
		time_t whole = (time_t)left;
		struct timespec ts = { whole, (long)((left - (double)whole) * 1e9) };
		nanosleep(&ts, NULL);
	}
}

static void start_threads(pthread_t *reader)
{
	/* Every thread starts with SIGPROF blocked (a new thread inherits its
	 * creator's mask): only a worker that knows its ring unblocks it. */
	sigset_t prof = sigprof_set();
	pthread_sigmask(SIG_BLOCK, &prof, NULL);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigprof;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask); /* SIGPROF itself is blocked while it runs */
	sigaction(SIGPROF, &sa, NULL);

	started = now();
	int err = pthread_create(reader, NULL, reader_main, NULL);
	for (int i = 0; i < nworkers && !err; i++) {
		workers[i].index = i;
		err = pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]);
	}
	if (err) {
		fprintf(stderr, "sampler-ring: cannot start a thread: %s\n", strerror(err));
		exit(EXIT_FAILURE);
	}
	/* The highest rate asked of the kernel; it delivers at most about one
	 * per tick of CPU time, which is why proftorture's cannon exists. */
	struct itimerval every_us = { { 0, 1 }, { 0, 1 } };
	setitimer(ITIMER_PROF, &every_us, NULL);
}

static void print_summary(double seconds)
{
	unsigned long markers = 0, samples = 0, drops[2] = { 0, 0 }, timer = 0, outside = 0;
	for (int i = 0; i < nworkers; i++) {
		struct worker *w = &workers[i];
		markers += w->next_seq[MARKERS];
		samples += w->next_seq[SAMPLES];
		drops[MARKERS] += atomic_load(&w->dropped[MARKERS]);
		drops[SAMPLES] += atomic_load(&w->dropped[SAMPLES]);
		timer += atomic_load(&w->from_timer);
		outside += atomic_load(&w->from_outside);
	}
	printf("sampler-ring: %s build, %d workers, %.3f s: %lu markers and %lu samples read "
	       "(dropped on a full ring: %lu markers, %lu samples); SIGPROFs: %lu from its own "
	       "timer, %lu from outside\n",
	       SAMPLER_RING_BUGGY ? "buggy" : "fixed", nworkers, seconds, markers, samples,
	       drops[MARKERS], drops[SAMPLES], timer, outside);
}

int SAMPLER_RING_MAIN(int argc, char **argv)
{
	double seconds = 2;
	nworkers = 2;
	parse_options(argc, argv, &seconds, &nworkers);

	pthread_t reader;
	start_threads(&reader);
	sleep_until(started + seconds);

	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_PROF, &off, NULL);
	atomic_store_explicit(&stop_workers, true, memory_order_relaxed);
	for (int i = 0; i < nworkers; i++)
		pthread_join(workers[i].thread, NULL);
	/* release: pairs with the reader's acquire; the joins already made the
	 * workers' writes ours, this passes them on. */
	atomic_store_explicit(&workers_joined, true, memory_order_release);
	pthread_join(reader, NULL);

	print_summary(now() - started);
	printf("proftorture: signals handled %lu\n", signals_handled());
	printf("sampler-ring: ok, %lu records verified\n", verified);
	fflush(stdout);
	return EXIT_SUCCESS;
}
