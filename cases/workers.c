/*
 * The profiled threads and their SIGPROF handler.
 *
 * A worker alternates a burst of emulated 64-bit atomics on words that share
 * a spinlock with the log's index words (so a signal landing there, with a
 * handler that then writes the log, meets its own lock) and a burst of plain
 * arithmetic (so ordinary samples, and with them the unlocked flush, are hot
 * at the same time).
 *
 * In libatomic-deadlock the handler is the C twin instead (sigprof.h,
 * sigprof_count_c11): it writes no log, only counts in a C11 `_Atomic
 * uint64_t`, and the workers' words share libatomic's mutex with that
 * counter, so a signal inside one of their libatomic calls meets its own
 * lock when the handler counts.
 *
 * The handler's "stack" is four self-checking words instead of a traceback:
 *   [tid][seq][pc][checksum(tid, seq, pc)]
 * and its tag is the worker itself, so the reader can tell a sample that went
 * through the ring intact from one that was torn or overwritten.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "profbuf.h"
#include "torture.h"
#include "ucontext_pc.h"

#define ALTSTACK_SIZE (64 * 1024)
/* Enough words to cover every stripe four times, and every one of
 * libatomic's 64 locks (64-byte granules mod 4096 bytes) twice; a multiple
 * of 8 words (one 64-byte line), as aligned_alloc requires of its size. */
#define HOT_WORDS 1024

static __thread struct worker *self;

uintptr_t sample_checksum(uintptr_t tid, uintptr_t seq, uintptr_t pc)
{
	uintptr_t h = (uintptr_t)0x9e3779b97f4a7c15ull;
	h ^= tid * (uintptr_t)0x85ebca77u;
	h = (h << 13) | (h >> (8 * sizeof h - 13));
	h ^= seq * (uintptr_t)0xc2b2ae3du;
	h = (h << 7) | (h >> (8 * sizeof h - 7));
	return h ^ pc ^ (uintptr_t)0x27d4eb2fu;
}

/* Go walks the stack only once the sample will be recorded: so do we. */
static size_t self_checking_stack(void *arg, uintptr_t pc, uintptr_t *stk, size_t max)
{
	struct worker *w = arg;
	if (max < 4)
		return 0;
	uintptr_t seq = ++w->seq;
	stk[0] = (uintptr_t)w->tid;
	stk[1] = seq;
	stk[2] = pc;
	stk[3] = sample_checksum((uintptr_t)w->tid, seq, pc);
	return 4;
}

static void count_fate(struct worker *w, enum sigprof_fate fate)
{
	switch (fate) {
	case SIGPROF_IGNORED: bump(&w->ignored); break;
	case SIGPROF_LOST_ATOMIC: bump(&w->lost_atomic); break;
	case SIGPROF_RECORDED: bump(&w->recorded); break;
	case SIGPROF_TOO_LATE: bump(&w->too_late); break;
	}
}

/* The handler body of the run's case: Go's profiler writing the log, or in
 * libatomic-deadlock the C twin counting in the C11 counter (whose
 * in_c11_count tells the watchdog's dump what a stuck handler waits for). */
static void handle(struct run *r, struct worker *w, uintptr_t pc)
{
	if (r->opt.kase == CASE_LIBATOMIC_DEADLOCK) {
		__atomic_store_n(&w->in_c11_count, 1, __ATOMIC_RELAXED);
		count_fate(w, sigprof_count_c11(&r->c11, r->opt.variant, pc));
		__atomic_store_n(&w->in_c11_count, 0, __ATOMIC_RELAXED);
		return;
	}
	struct sigprof_result res =
		sigprof_handle(&r->prof, r->opt.variant, pc, w, self_checking_stack, w);
	count_fate(w, res.fate);
	if (res.flushed)
		bump(&w->flushes);
}

/* Async-signal-safe: touches only this thread's worker, the profile (through
 * sigprof_handle) or the C11 counter (sigprof_count_c11), and errno, which it
 * restores. */
void torture_sigprof_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	struct worker *w = self;
	if (!w)
		return;
	int saved = errno;
	struct run *r = the_run;
	uintptr_t pc = ucontext_pc(uc);

	__atomic_store_n(&w->in_handler, 1, __ATOMIC_RELAXED);
	w->last_pc = pc;
	enum atomic_emul_pc_class cls = atomic_emul_classify_pc(pc);
	__atomic_store_n(&w->last_pc_class, (uint32_t)cls, __ATOMIC_RELAXED);
	bump(&w->handled);
	if (cls != ATOMIC_PC_ELSEWHERE)
		bump(&w->in_atomic);
	if (cls == ATOMIC_PC_LIBATOMIC)
		bump(&w->in_libatomic);
	if (!r->opt.probe) /* the bare probe: same signals, no profiler */
		handle(r, w, pc);
	__atomic_store_n(&w->in_handler, 0, __ATOMIC_RELAXED);
	errno = saved;
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* Whether word shares a spinlock with one of log's index words. */
static bool shares_a_lock_with_log(const uint64_t *word, struct profbuf *log)
{
	const uint64_t *index_words[PROFBUF_INDEX_WORDS];
	profbuf_index_words(log, index_words);
	int lock = atomic_emul_lock_index(word);
	for (int j = 0; j < PROFBUF_INDEX_WORDS; j++)
		if (lock == atomic_emul_lock_index(index_words[j]))
			return true;
	return false;
}

/* Whether any of log's index words shares a spinlock with a worker target. */
bool log_shares_a_lock_with_targets(const struct run *r, struct profbuf *log)
{
	if (atomic_emul_lock_count() <= 1)
		return atomic_emul_lock_count() == 1; /* global: always; native: never */
	for (int t = 0; t < r->ntargets; t++)
		if (shares_a_lock_with_log(r->targets[t], log))
			return true;
	return false;
}

/* Whether word shares a lock with the C11 counter of libatomic-deadlock:
 * the same lock index, from the counter's address alone (no access). */
static bool shares_the_c11_counters_lock(const struct run *r, const uint64_t *word)
{
	return atomic_emul_lock_index(word) ==
	       atomic_emul_lock_index((const uint64_t *)&r->c11.samples);
}

/* Whether word belongs among the targets of the run's case. */
static bool is_target(const struct run *r, const uint64_t *word, struct profbuf *log)
{
	if (atomic_emul_lock_count() <= 1)
		return true; /* global: one lock for everything; native: none */
	if (r->opt.kase == CASE_LIBATOMIC_DEADLOCK)
		return shares_the_c11_counters_lock(r, word);
	return shares_a_lock_with_log(word, log) == (r->opt.kase == CASE_ATOMIC_DEADLOCK);
}

/* The words to hammer. In atomic-deadlock they share a spinlock with one of
 * the log's r, w, overflow, overflowTime, so a handler that writes the log
 * can meet the lock its own thread holds (#20146, and the #47505 hole). In
 * libatomic-deadlock they share libatomic's mutex with the handler's C11
 * counter, for the same meeting in C. In every other case they share none,
 * so lost-atomic isolates #24991: a handler can never wait for its own
 * thread. Under global there is only one lock, shared by everything, and
 * under native (or a lock-free libatomic) there are none. */
void workers_choose_targets(struct run *r, struct profbuf *log)
{
	if (!r->hot) {
		r->hot = aligned_alloc(64, HOT_WORDS * sizeof(uint64_t));
		if (!r->hot)
			abort();
		memset(r->hot, 0, HOT_WORDS * sizeof(uint64_t));
	}
	int n = 0;
	for (int k = 0; k < HOT_WORDS && n < MAX_TARGETS; k++)
		if (is_target(r, &r->hot[k], log))
			r->targets[n++] = &r->hot[k];
	r->ntargets = n;
}

static void atomic_burst(struct run *r, struct worker *w, int ops)
{
	for (int k = 0; k < ops; k++) {
		uint64_t *t = r->targets[(w->index + k) % MAX_TARGETS];
		switch (k & 3) {
		case 0: atomic_emul_xadd64(t, 1); break;
		case 1: (void)atomic_emul_load64(t); break;
		case 2: {
			uint64_t old = atomic_emul_load64(t);
			atomic_emul_cas64(t, old, old + 1);
			break;
		}
		case 3: atomic_emul_store64(t, xorshift(&w->rng)); break;
		}
		bump(&w->iterations);
	}
}

static uint64_t plain_burst(struct worker *w, int ops)
{
	volatile uint64_t x = w->rng;
	for (int k = 0; k < ops; k++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		if ((k & 15) == 15)
			bump(&w->iterations);
	}
	return x;
}

/* The worker's own setup: its alternate signal stack, as Go's gsignal (the
 * previous one, the C library's or a sanitizer's, goes into *old). 0 or an
 * errno; published with the tid, which workers_start waits for. */
static int enter_worker(struct worker *w, stack_t *old)
{
	stack_t ss = { .ss_sp = w->altstack, .ss_size = ALTSTACK_SIZE, .ss_flags = 0 };
	if (sigaltstack(&ss, old) != 0)
		return errno;
	sigset_t prof;
	sigemptyset(&prof);
	sigaddset(&prof, SIGPROF);
	pthread_sigmask(SIG_UNBLOCK, &prof, NULL); /* cannot fail: SIG_UNBLOCK, a valid set */
	return 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = the_run;
	self = w;
	stack_t old_ss;
	w->start_error = enter_worker(w, &old_ss);
	__atomic_store_n(&w->tid, gettid(), __ATOMIC_RELEASE); /* publishes start_error too */
	if (w->start_error) {
		__atomic_store_n(&w->exited, 1, __ATOMIC_RELAXED);
		return NULL; /* SIGPROF stays blocked: no handler runs here */
	}

	bool plain_only = r->opt.kase == CASE_OVERFLOW;
	while (!__atomic_load_n(&r->stop_workers, __ATOMIC_RELAXED)) {
		if (!plain_only)
			atomic_burst(r, w, r->opt.atomic_ops);
		plain_burst(w, r->opt.plain_ops);
	}
	/* No handler may run once we are gone: block, then the timer (if any)
	 * goes with the source. A pending signal dies with the thread, unhandled
	 * and therefore uncounted on both sides of the ledger. */
	sigset_t prof;
	sigemptyset(&prof);
	sigaddset(&prof, SIGPROF);
	pthread_sigmask(SIG_BLOCK, &prof, NULL);
	sigaltstack(&old_ss, NULL); /* the stack we replaced: valid, so this cannot fail */
	__atomic_store_n(&w->exited, 1, __ATOMIC_RELAXED);
	return NULL;
}

static int install_handler(char *why, size_t cap)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = torture_sigprof_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigfillset(&sa.sa_mask); /* as Go's handlers: nothing nests */
	if (sigaction(SIGPROF, &sa, NULL) != 0) {
		snprintf(why, cap, "sigaction(SIGPROF): %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Waits until every worker has published its tid (sources need them all)
 * and checks that each set itself up. */
static int wait_for_workers(struct run *r, char *why, size_t cap)
{
	for (int i = 0; i < r->opt.threads; i++) {
		struct worker *w = &r->workers[i];
		while (__atomic_load_n(&w->tid, __ATOMIC_ACQUIRE) == 0)
			sched_yield();
		if (w->start_error) {
			snprintf(why, cap, "worker %d: sigaltstack: %s", i, strerror(w->start_error));
			return -1;
		}
	}
	return 0;
}

int workers_start(struct run *r, char *why, size_t cap)
{
	if (install_handler(why, cap) != 0)
		return -1;
	for (int i = 0; i < r->opt.threads; i++) {
		struct worker *w = &r->workers[i];
		w->index = i;
		w->rng = r->opt.seed * 0x9e3779b97f4a7c15ull + (uint64_t)i + 1;
		w->altstack = malloc(ALTSTACK_SIZE);
		if (!w->altstack) {
			snprintf(why, cap, "worker %d: no memory for its signal stack", i);
			return -1;
		}
		int rc = pthread_create(&w->thread, NULL, worker_main, w);
		if (rc != 0) {
			snprintf(why, cap, "cannot start worker %d: %s", i, strerror(rc));
			return -1;
		}
	}
	return wait_for_workers(r, why, cap);
}

void workers_adopt_controller(struct run *r)
{
	struct worker *w = &r->workers[r->opt.threads];
	w->index = r->opt.threads;
	w->rng = r->opt.seed * 0x9e3779b97f4a7c15ull;
	self = w;
	__atomic_store_n(&w->tid, gettid(), __ATOMIC_RELEASE);
	sigset_t prof;
	sigemptyset(&prof);
	sigaddset(&prof, SIGPROF);
	pthread_sigmask(SIG_UNBLOCK, &prof, NULL);
}

void workers_release_controller(void)
{
	sigset_t prof;
	sigemptyset(&prof);
	sigaddset(&prof, SIGPROF);
	pthread_sigmask(SIG_BLOCK, &prof, NULL);
}

void workers_stop(struct run *r)
{
	__atomic_store_n(&r->stop_workers, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < r->opt.threads; i++) {
		pthread_join(r->workers[i].thread, NULL);
		run_note_progress(r);
	}
}
