/*
 * Deterministic reproductions (docs/DESIGN.md, "Two ways to reproduce"):
 *
 * 1. #24991 in one run: a locked cpuprof_add is parked between loading w and
 *    copying its record (TESTPOINT_PROFBUF_WRITE_LOADED); the unlocked flush
 *    runs to completion on another thread; the parked writer resumes. The
 *    reader must report the corruption. With the fix (the lost count flushed
 *    by add, under signalLock) the second writer cannot get past the lock
 *    while the first is parked, so the schedule cannot happen.
 *
 * 2. #20146 at the handler level: a thread holds the spinlock guarding the
 *    log's w word (spinning inside atomic_emul) and takes SIGPROF; the
 *    handler runs sigprof_handle with each variant. unchecked self-deadlocks
 *    (proved by the lock holder being the handler's own thread); every
 *    checked variant returns and counts a lost sample.
 *
 * 3. The same in plain C (sigprof_count_c11, the libatomic-deadlock case):
 *    the handler counts in a C11 _Atomic uint64_t while its own thread holds
 *    the libatomic mutex that counter needs, held either inside the unit
 *    (Go's check sees it) or inside libatomic itself (it does not): there a
 *    thread faults on a protected word of the counter's lock in the middle
 *    of a libatomic call, with the mutex taken, and the fault's handler is
 *    the C twin. Which variants wait for ever is the expected table's
 *    libatomic-deadlock rows, one place at a time.
 *
 * 4. golang/go#25785: SIGPROF reaches the controller itself inside
 *    cpuprof_stop's rate-change section, signal_lock held
 *    (TESTPOINT_CPUPROF_SET_RATE_LOCKED raises it there). A variant that
 *    checks the thread's profiling (Go 1.19's mp.profilehz check) returns at
 *    once; the others spin in cpuprof_add on their own thread's lock.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdatomic.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "atomic_emul.h"
#include "cpuprof.h"
#include "profbuf.h"
#include "sigprof.h"
#include "support/child.h"
#include "testpoint.h"
#include "ucontext_pc.h"
#include "support/suite_run.h"

static struct cpuprof prof;
static int tag_a;

/* ---- parking a thread at a test point ---- */

static int32_t park_tid;           /* only this thread parks */
static enum testpoint park_point;
static uint32_t parked, unpark;

static void park_hook(enum testpoint pt)
{
	if (pt != park_point || gettid() != __atomic_load_n(&park_tid, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&park_tid, 0, __ATOMIC_RELEASE); /* park once */
	__atomic_store_n(&parked, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&unpark, __ATOMIC_ACQUIRE))
		;
}

static void *parked_locked_add(void *arg)
{
	(void)arg;
	__atomic_store_n(&park_tid, gettid(), __ATOMIC_RELEASE);
	const uintptr_t stk[4] = { 0x11, 0x22, 0x33, 0x44 };
	cpuprof_add(&prof, &tag_a, stk, 4);
	return NULL;
}

static uint32_t second_done;

/* The fixed path: a handler that found lost counts flushes them in add. */
static void *locked_flush_writer(void *arg)
{
	(void)arg;
	cpuprof_count_lost_atomic_racy(&prof);
	const uintptr_t stk[1] = { 0x55 };
	cpuprof_add(&prof, &tag_a, stk, 1);
	__atomic_store_n(&second_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void wait_flag(const uint32_t *f)
{
	double end = now_seconds() + 10 * slowdown();
	while (!__atomic_load_n(f, __ATOMIC_ACQUIRE))
		ck_assert_msg(now_seconds() < end, "timed out waiting for a parked thread");
}

/* Reads to eof; returns 0 or the first error code (read or parse). */
static int read_and_validate(struct cpuprof_totals *totals)
{
	struct cpuprof_parser ps;
	memset(&ps, 0, sizeof ps);
	for (int guard = 0; guard < 1000; guard++) {
		struct profbuf_batch b;
		int rc = profbuf_read(prof.log, PROFBUF_NONBLOCKING, &b);
		if (rc < 0)
			return rc;
		rc = cpuprof_parse_batch(&ps, b.data, b.ndata, b.tags, b.ntags, NULL, NULL);
		if (rc < 0)
			return rc;
		if (b.eof) {
			*totals = ps.totals;
			return 0;
		}
	}
	ck_abort_msg("no eof after 1000 reads");
	return 0;
}

static void start_profile(void)
{
	memset(&prof, 0, sizeof prof);
	ck_assert_int_eq(cpuprof_start(&prof, 100, 1 << 8, 16), 0);
	parked = unpark = second_done = 0;
	park_point = TESTPOINT_PROFBUF_WRITE_LOADED;
	testpoint_hook = park_hook;
}

static void end_profile(void)
{
	testpoint_hook = NULL;
	profbuf_free(cpuprof_detach_log(&prof));
}

START_TEST(test_unlocked_flush_against_parked_add_corrupts)
{
	start_profile();
	pthread_t a;
	pthread_create(&a, NULL, parked_locked_add, NULL);
	wait_flag(&parked);
	cpuprof_add_lost_atomic64(&prof, 7); /* go1.12's addLostAtomic64: no lock */
	__atomic_store_n(&unpark, 1, __ATOMIC_RELEASE);
	pthread_join(a, NULL);
	cpuprof_stop(&prof);

	struct cpuprof_totals t;
	memset(&t, 0, sizeof t);
	int rc = read_and_validate(&t);
	/* Both writers copied to the same offset and both committed: the
	 * sample overwrote the lost record and w moved past words nobody
	 * wrote. Either the ring reports it or the records do not add up. */
	bool corrupt = rc < 0 || t.lost_atomic != 7 || t.samples != 1;
	ck_assert_msg(corrupt, "two writers at one offset went unnoticed (rc %d, samples %llu, lost %llu)",
		      rc, (unsigned long long)t.samples, (unsigned long long)t.lost_atomic);
	fprintf(stderr, "unlocked flush vs parked add: %s\n",
		rc < 0 ? cpuprof_strerror(rc) : "records do not add up");
	end_profile();
}
END_TEST

START_TEST(test_locked_flush_cannot_interleave_with_parked_add)
{
	start_profile();
	pthread_t a, b;
	pthread_create(&a, NULL, parked_locked_add, NULL);
	wait_flag(&parked);
	pthread_create(&b, NULL, locked_flush_writer, NULL);
	/* The second writer must be stuck on signalLock while the first is
	 * parked inside profbuf_write: the interleaving is impossible. */
	double end = now_seconds() + 0.2 * slowdown();
	while (now_seconds() < end)
		ck_assert_msg(!__atomic_load_n(&second_done, __ATOMIC_ACQUIRE),
			      "a second writer got past signalLock while the first was mid-write");
	ck_assert_uint_eq(atomic_emul_load32(&prof.signal_lock), 1);
	__atomic_store_n(&unpark, 1, __ATOMIC_RELEASE);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	cpuprof_stop(&prof);

	struct cpuprof_totals t;
	memset(&t, 0, sizeof t);
	ck_assert_int_eq(read_and_validate(&t), 0);
	ck_assert_uint_eq(t.samples, 2);
	ck_assert_uint_eq(t.lost_atomic, 1);
	end_profile();
}
END_TEST

/* ---- #20146 through the real handler body ---- */

/* Every strategy that can hold a lock; libatomic only where it locks (the
 * child exits 77 when the configured strategy has no lock to hold). */
static const char *const strategies[] = { "global", "striped", "global-kuser", "striped-kuser",
					  "libatomic" };
#define NLOCKING_STRATEGIES ((int)(sizeof strategies / sizeof strategies[0]))

struct handler_report {
	uint32_t entered, returned, holder_finished;
	int32_t handler_tid, holder_seen;
	int32_t fate, pc_class;
};

static struct handler_report *rep;
static enum sigprof_variant variant_under_test;
static uint32_t holder_holding, release_holder;
static const uint64_t *guarded_word; /* the log's w: what writing a sample needs */

static size_t one_frame(void *arg, uintptr_t pc, uintptr_t *stk, size_t max)
{
	(void)arg;
	if (max < 1)
		return 0;
	stk[0] = pc;
	return 1;
}

static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	int saved = errno;
	rep->handler_tid = (int32_t)gettid();
	__atomic_store_n(&rep->entered, 1, __ATOMIC_SEQ_CST);
	struct sigprof_result r =
		sigprof_handle(&prof, variant_under_test, ucontext_pc(uc), &tag_a, one_frame, NULL);
	rep->fate = (int32_t)r.fate;
	__atomic_store_n(&rep->returned, 1, __ATOMIC_SEQ_CST);
	errno = saved;
}

/* After SIGPROF reached a thread whose lock idx the holder t keeps: the
 * scenario's exit status. 10 the handler never ran; 3 it did not return
 * (it waits for the lock; rep->holder_seen says who holds it); 0 it
 * returned, and the holder was released and joined. */
static int await_handler_then_release(int idx, pthread_t t)
{
	if (!wait_for_flag(&rep->entered, 5 * slowdown()))
		return 10;
	bool expect_stuck = variant_under_test == SIGPROF_UNCHECKED;
	if (!wait_for_flag(&rep->returned, handler_return_wait(expect_stuck))) {
		rep->holder_seen = atomic_emul_lock_owner(idx);
		return 3;
	}
	__atomic_store_n(&release_holder, 1, __ATOMIC_SEQ_CST);
	pthread_join(t, NULL);
	return 0;
}

static void *holder(void *arg)
{
	(void)arg;
	atomic_emul_hold_lock_until(guarded_word, &holder_holding, &release_holder);
	__atomic_store_n(&rep->holder_finished, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void handler_scenario(void *arg)
{
	struct atomic_emul_config cfg;
	if (atomic_emul_parse(arg, &cfg) || atomic_emul_configure(cfg) || atomic_emul_lock_count() == 0)
		_exit(77);
	memset(&prof, 0, sizeof prof);
	if (cpuprof_start(&prof, 100, 1 << 8, 16))
		_exit(12);
	const uint64_t *index_words[PROFBUF_INDEX_WORDS];
	profbuf_index_words(prof.log, index_words);
	guarded_word = index_words[1]; /* w */

	on_signal(SIGPROF, handler, 0);

	pthread_t t;
	pthread_create(&t, NULL, holder, NULL);
	int idx = atomic_emul_lock_index(guarded_word);
	if (!wait_for_flag(&holder_holding, 5 * slowdown())) /* in its loop, lock held */
		_exit(11);
	pthread_kill(t, SIGPROF);
	_exit(await_handler_then_release(idx, t));
}

static bool strategy_supported(const char *name)
{
	struct atomic_emul_config cfg;
	return atomic_emul_parse(name, &cfg) == 0 && atomic_emul_supported(cfg);
}

START_TEST(test_handler_variants_inside_emulated_atomic)
{
	if (!strategy_supported(strategies[_i]))
		return;
	for (int v = 0; v < SIGPROF_NVARIANTS; v++) {
		rep = shared_alloc(sizeof *rep);
		variant_under_test = (enum sigprof_variant)v;
		struct child_result r = run_in_child(handler_scenario, (void *)strategies[_i], 20 * slowdown());
		if (r.outcome == CHILD_EXITED && r.code == 77) {
			/* lock-free here: nothing to deadlock on. Only libatomic may be. */
			ck_assert_str_eq(strategies[_i], "libatomic");
			return;
		}
		if (v == SIGPROF_UNCHECKED) {
			ck_assert_msg(r.outcome == CHILD_EXITED && r.code == 3,
				      "%s/unchecked: want a stuck handler, got outcome %d code %d",
				      strategies[_i], r.outcome, r.code);
			ck_assert(!rep->returned && !rep->holder_finished);
			ck_assert_int_ne(rep->handler_tid, 0);
			ck_assert_int_eq(rep->holder_seen, rep->handler_tid);
		} else {
			ck_assert_msg(r.outcome == CHILD_EXITED && r.code == 0,
				      "%s/%s: handler did not return (outcome %d code %d)", strategies[_i],
				      sigprof_variant_name((enum sigprof_variant)v), r.outcome, r.code);
			ck_assert_int_eq(rep->fate, SIGPROF_LOST_ATOMIC);
			ck_assert(rep->holder_finished);
		}
	}
}
END_TEST

/* ---- #20146 in plain C: the C11 counter's handler (sigprof_count_c11) ---- */

enum c11_place {
	C11_HELD_IN_UNIT,      /* atomic_emul_hold_lock_until: spinning in the section */
	C11_HELD_IN_LIBATOMIC, /* faulted inside a libatomic call, its mutex taken */
	C11_NPLACES
};
static const char *const c11_place_names[C11_NPLACES] = { "in the unit", "inside libatomic" };

static struct sigprof_c11_count c11 __attribute__((aligned(64)));
static char *fault_page;   /* PROT_NONE until the fault's handler is done */
static uint64_t *fault_word; /* on fault_page, guarded by the counter's lock */

/* The handler under test for SIGPROF (held in the unit) and SIGSEGV (held
 * inside libatomic). On return from a fault, libatomic's access is retried:
 * the page is made accessible first. */
static void c11_handler(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	int saved = errno;
	uintptr_t pc = ucontext_pc(uc);
	rep->handler_tid = (int32_t)gettid();
	rep->pc_class = (int32_t)atomic_emul_classify_pc(pc);
	__atomic_store_n(&rep->entered, 1, __ATOMIC_SEQ_CST);
	rep->fate = (int32_t)sigprof_count_c11(&c11, variant_under_test, pc);
	if (sig == SIGSEGV)
		mprotect(fault_page, (size_t)sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE);
	__atomic_store_n(&rep->returned, 1, __ATOMIC_SEQ_CST);
	errno = saved;
}

static void *faulting_adder(void *arg)
{
	(void)arg;
	atomic_emul_xadd64(fault_word, 1); /* libatomic: lock, load (fault), add, unlock */
	__atomic_store_n(&rep->holder_finished, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Starts the thread that will hold the counter's lock at place; 0 or an exit code. */
static int start_c11_holder(enum c11_place place, int idx, pthread_t *t)
{
	if (place == C11_HELD_IN_UNIT) {
		guarded_word = (const uint64_t *)&c11.samples;
		pthread_create(t, NULL, holder, NULL);
		if (!wait_for_flag(&holder_holding, 5 * slowdown())) /* in its loop, lock held */
			return 11;
		pthread_kill(*t, SIGPROF);
		return 0;
	}
	fault_page = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	if (fault_page == MAP_FAILED)
		return 12;
	fault_word = (uint64_t *)(fault_page + idx * ATOMIC_EMUL_LIBATOMIC_GRANULE);
	if (atomic_emul_lock_index(fault_word) != idx)
		return 14;
	pthread_create(t, NULL, faulting_adder, NULL);
	return 0;
}

static void c11_scenario(void *arg)
{
	struct atomic_emul_config cfg;
	if (atomic_emul_parse("libatomic", &cfg) || atomic_emul_configure(cfg) ||
	    atomic_emul_lock_count() == 0)
		_exit(77); /* lock-free here: no lock for the counter to wait on */
	on_signal(SIGPROF, c11_handler, 0);
	on_signal(SIGSEGV, c11_handler, 0);

	int idx = atomic_emul_lock_index((const uint64_t *)&c11.samples);
	pthread_t t;
	int rc = start_c11_holder((enum c11_place)(uintptr_t)arg, idx, &t);
	if (rc)
		_exit(rc);
	rc = await_handler_then_release(idx, t);
	if (rc)
		_exit(rc);
	/* the skipped signal is counted once, and the counter never touched */
	_exit(c11.lost == 1 && atomic_load(&c11.samples) == 0 ? 0 : 15);
}

/* cases/expected.tsv's libatomic-deadlock rows where libatomic locks, one
 * place at a time: no check waits wherever the lock is held; Go's check
 * (the section) waits only when it is held inside libatomic; the complete
 * check never. */
static bool c11_handler_waits_for_ever(enum c11_place place, enum sigprof_variant v)
{
	switch (v) {
	case SIGPROF_UNCHECKED: return true;
	case SIGPROF_UNLOCKED_FLUSH:
	case SIGPROF_LOCKED_FLUSH: return place == C11_HELD_IN_LIBATOMIC;
	default: return false;
	}
}

START_TEST(test_c11_counter_handler_with_its_lock_held)
{
	enum c11_place place = (enum c11_place)_i;
	const int32_t want_class[C11_NPLACES] = { ATOMIC_PC_UNIT, ATOMIC_PC_LIBATOMIC };
	for (int v = 0; v < SIGPROF_NVARIANTS; v++) {
		rep = shared_alloc(sizeof *rep);
		variant_under_test = (enum sigprof_variant)v;
		const char *vn = sigprof_variant_name(variant_under_test);
		struct child_result r =
			run_in_child(c11_scenario, (void *)(uintptr_t)place, 20 * slowdown());
		if (r.outcome == CHILD_EXITED && r.code == 77)
			return; /* lock-free here: the quick matrix's pass rows say the rest */
		ck_assert_msg(rep->entered, "%s, %s: no signal reached the handler (outcome %d code %d)",
			      c11_place_names[place], vn, r.outcome, r.code);
		ck_assert_int_eq(rep->pc_class, want_class[place]);
		if (c11_handler_waits_for_ever(place, variant_under_test)) {
			ck_assert_msg(r.outcome == CHILD_EXITED && r.code == 3,
				      "%s, %s: want a stuck handler, got outcome %d code %d",
				      c11_place_names[place], vn, r.outcome, r.code);
			ck_assert(!rep->returned && !rep->holder_finished);
			ck_assert_int_ne(rep->handler_tid, 0);
			ck_assert_int_eq(rep->holder_seen, rep->handler_tid); /* waits for itself */
		} else {
			ck_assert_msg(r.outcome == CHILD_EXITED && r.code == 0,
				      "%s, %s: handler did not return, or miscounted (outcome %d code %d)",
				      c11_place_names[place], vn, r.outcome, r.code);
			ck_assert_int_eq(rep->fate, SIGPROF_LOST_ATOMIC);
			ck_assert(rep->holder_finished);
		}
	}
}
END_TEST

/* ---- golang/go#25785: a signal inside the rate-change section ---- */

struct section_report {
	uint32_t entered, returned, stop_returned;
	uint32_t lock_in_section, off_in_section, lock_in_timer, timer_calls;
	uint32_t off_before, off_after, lock_while_stuck;
	int32_t controller_tid, handler_tid, fate;
};
static struct section_report *srep;

static void section_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	int saved = errno;
	srep->handler_tid = (int32_t)gettid();
	__atomic_store_n(&srep->entered, 1, __ATOMIC_SEQ_CST);
	struct sigprof_result r =
		sigprof_handle(&prof, variant_under_test, ucontext_pc(uc), &tag_a, one_frame, NULL);
	srep->fate = (int32_t)r.fate;
	__atomic_store_n(&srep->returned, 1, __ATOMIC_SEQ_CST);
	errno = saved;
}

/* At the section's test point, on the controller: what the section looks
 * like from inside, then a SIGPROF to this very thread, handled before raise
 * returns. */
static void raise_in_section(enum testpoint pt)
{
	if (pt != TESTPOINT_CPUPROF_SET_RATE_LOCKED)
		return;
	srep->lock_in_section = atomic_emul_load32(&prof.signal_lock);
	srep->off_in_section = cpuprof_thread_profiling_off();
	testpoint_hook = NULL; /* once */
	raise(SIGPROF);
}

/* Go's setProcessCPUProfiler, seen from the test: called under the lock. */
static void note_process_timer(int32_t hz)
{
	(void)hz;
	srep->lock_in_timer = atomic_emul_load32(&prof.signal_lock);
	srep->timer_calls++;
}

static void *controller_stops_profile(void *arg)
{
	(void)arg;
	srep->controller_tid = (int32_t)gettid();
	srep->off_before = cpuprof_thread_profiling_off();
	testpoint_hook = raise_in_section;
	cpuprof_stop(&prof);
	srep->off_after = cpuprof_thread_profiling_off();
	__atomic_store_n(&srep->stop_returned, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Exit status: 10 the handler never ran; 3 it did not return (it waits for
 * signal_lock, held by the section it interrupted); 0 it returned and the
 * stop completed. */
static void section_scenario(void *arg)
{
	(void)arg;
	memset(&prof, 0, sizeof prof);
	if (cpuprof_start(&prof, 100, 1 << 8, 16))
		_exit(12);
	prof.set_process_timer = note_process_timer;
	on_signal(SIGPROF, section_handler, 0);
	pthread_t t;
	pthread_create(&t, NULL, controller_stops_profile, NULL);
	if (!wait_for_flag(&srep->entered, 5 * slowdown()))
		_exit(10);
	bool expect_stuck = !sigprof_ops(variant_under_test)->checks_thread_profiling;
	if (!wait_for_flag(&srep->stop_returned, handler_return_wait(expect_stuck))) {
		srep->lock_while_stuck = atomic_emul_load32(&prof.signal_lock);
		_exit(3);
	}
	pthread_join(t, NULL);
	_exit(0);
}

START_TEST(test_signal_inside_rate_change_section)
{
	enum sigprof_variant v = (enum sigprof_variant)_i;
	const char *vn = sigprof_variant_name(v);
	srep = shared_alloc(sizeof *srep);
	variant_under_test = v;
	struct child_result r = run_in_child(section_scenario, NULL, 20 * slowdown());
	ck_assert_msg(srep->entered, "%s: no signal reached the handler (outcome %d code %d)", vn,
		      r.outcome, r.code);
	/* The section as Go's: the lock held, this thread's profiling off,
	 * the process timer changed under the lock; and the handler ran on the
	 * thread that holds it. */
	ck_assert_uint_eq(srep->lock_in_section, 1);
	ck_assert_uint_eq(srep->off_in_section, 1);
	ck_assert_uint_eq(srep->off_before, 0);
	ck_assert_int_eq(srep->handler_tid, srep->controller_tid);
	if (sigprof_ops(v)->checks_thread_profiling) {
		ck_assert_msg(r.outcome == CHILD_EXITED && r.code == 0,
			      "%s: the handler or the stop did not return (outcome %d code %d)", vn,
			      r.outcome, r.code);
		ck_assert_int_eq(srep->fate, SIGPROF_IGNORED);
		ck_assert_uint_eq(srep->timer_calls, 1);
		ck_assert_uint_eq(srep->lock_in_timer, 1);
		ck_assert_uint_eq(srep->off_after, 0);
	} else {
		ck_assert_msg(r.outcome == CHILD_EXITED && r.code == 3,
			      "%s: want a handler stuck on its own thread's lock, got outcome %d code %d",
			      vn, r.outcome, r.code);
		ck_assert(!srep->returned && !srep->stop_returned);
		ck_assert_uint_eq(srep->lock_while_stuck, 1);
		ck_assert_uint_eq(srep->timer_calls, 0); /* the section never got that far */
	}
}
END_TEST

/* ---- the table of operations ---- */

START_TEST(test_ops_table_is_consistent)
{
	int exact = 0, unlocked = 0;
	for (int v = 0; v < SIGPROF_NVARIANTS; v++) {
		const struct sigprof_ops *ops = sigprof_ops((enum sigprof_variant)v);
		ck_assert_int_eq(ops->variant, v);
		ck_assert_msg((ops->atomic_pcs == 0) == (ops->count_lost == NULL),
			      "%s: a check without a counter, or a counter without a check",
			      sigprof_variant_name((enum sigprof_variant)v));
		ck_assert_ptr_nonnull(ops->take_unflushed);
		ck_assert_msg(!(ops->atomic_pcs & SIGPROF_PC(ATOMIC_PC_ELSEWHERE)),
			      "%s takes ordinary code for an atomic", sigprof_variant_name((enum sigprof_variant)v));
		exact += ops->lost_count_exact;
		unlocked += ops->flush_unlocked != NULL;
	}
	ck_assert_int_eq(exact, 1);
	ck_assert_int_eq(unlocked, 1);
	ck_assert(sigprof_ops(SIGPROF_EXACT)->lost_count_exact);
	ck_assert_ptr_nonnull(sigprof_ops(SIGPROF_UNLOCKED_FLUSH)->flush_unlocked);
	ck_assert_uint_eq(sigprof_ops(SIGPROF_UNCHECKED)->atomic_pcs, 0);
	/* Go's check sees the section only; the complete one every helper too. */
	ck_assert_uint_eq(sigprof_ops(SIGPROF_LOCKED_FLUSH)->atomic_pcs, SIGPROF_PC(ATOMIC_PC_UNIT));
	/* Go 1.19's mp.profilehz check: its shape and ours; not Go's older ones. */
	ck_assert(!sigprof_ops(SIGPROF_UNCHECKED)->checks_thread_profiling);
	ck_assert(!sigprof_ops(SIGPROF_UNLOCKED_FLUSH)->checks_thread_profiling);
	ck_assert(!sigprof_ops(SIGPROF_LOCKED_FLUSH)->checks_thread_profiling);
	ck_assert(sigprof_ops(SIGPROF_LOCKED_FLUSH_KUSER)->checks_thread_profiling);
	ck_assert(sigprof_ops(SIGPROF_EXACT)->checks_thread_profiling);
	for (int c = ATOMIC_PC_UNIT; c <= ATOMIC_PC_OUTLINE; c++) {
		ck_assert(sigprof_ops(SIGPROF_LOCKED_FLUSH_KUSER)->atomic_pcs & SIGPROF_PC(c));
		ck_assert(sigprof_ops(SIGPROF_EXACT)->atomic_pcs & SIGPROF_PC(c));
	}
}
END_TEST

/* One signal inside the unit's section, then one in ordinary code, through
 * the handler body on this thread: where each variant counts the first and
 * whether the second flushes it without the lock. */
START_TEST(test_each_variant_counts_and_flushes_where_its_row_says)
{
	enum sigprof_variant v = (enum sigprof_variant)_i;
	const struct sigprof_ops *ops = sigprof_ops(v);
	memset(&prof, 0, sizeof prof);
	ck_assert_int_eq(cpuprof_start(&prof, 100, 1 << 8, 16), 0);
	uintptr_t in_atomic = atomic_emul_text_start(), ordinary = (uintptr_t)one_frame;
	ck_assert_int_eq(atomic_emul_classify_pc(in_atomic), ATOMIC_PC_UNIT);
	ck_assert_int_eq(atomic_emul_classify_pc(ordinary), ATOMIC_PC_ELSEWHERE);

	struct sigprof_result r = sigprof_handle(&prof, v, in_atomic, &tag_a, one_frame, NULL);
	ck_assert_int_eq(r.fate, ops->atomic_pcs ? SIGPROF_LOST_ATOMIC : SIGPROF_RECORDED);
	r = sigprof_handle(&prof, v, ordinary, &tag_a, one_frame, NULL);
	ck_assert_int_eq(r.fate, SIGPROF_RECORDED);
	ck_assert_uint_eq(r.flushed, ops->flush_unlocked != NULL);
	ck_assert_uint_eq(r.flushed_count, ops->flush_unlocked != NULL);
	ck_assert_uint_eq(ops->take_unflushed(&prof), 0); /* flushed by one path or the other */
	cpuprof_stop(&prof);

	struct cpuprof_totals t;
	memset(&t, 0, sizeof t);
	ck_assert_int_eq(read_and_validate(&t), 0);
	ck_assert_uint_eq(t.samples, ops->atomic_pcs ? 1 : 2);
	ck_assert_uint_eq(t.lost_atomic, ops->atomic_pcs ? 1 : 0);
	profbuf_free(cpuprof_detach_log(&prof));
}
END_TEST

START_TEST(test_variant_names_round_trip)
{
	for (int v = 0; v < SIGPROF_NVARIANTS; v++)
		ck_assert_int_eq(sigprof_variant_parse(sigprof_variant_name((enum sigprof_variant)v)), v);
	ck_assert_int_eq(sigprof_variant_parse("locked"), -1);
}
END_TEST

static Suite *sigprof_suite(void)
{
	Suite *s = suite_create("sigprof");
	TCase *tc = tcase_create("interleavings");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_unlocked_flush_against_parked_add_corrupts);
	tcase_add_test(tc, test_locked_flush_cannot_interleave_with_parked_add);
	tcase_add_test(tc, test_variant_names_round_trip);
	tcase_add_test(tc, test_ops_table_is_consistent);
	tcase_add_loop_test(tc, test_each_variant_counts_and_flushes_where_its_row_says, 0, SIGPROF_NVARIANTS);
	suite_add_tcase(s, tc);
	if (UNDER_TSAN) {
		fprintf(stderr, "sigprof: handler-deadlock tests not registered under ThreadSanitizer: "
				"it runs handlers with the interrupted PC inside its runtime\n");
	} else {
		tc = tcase_create("handler-deadlock");
		tcase_set_timeout(tc, 300);
		tcase_add_loop_test(tc, test_handler_variants_inside_emulated_atomic, 0, NLOCKING_STRATEGIES);
		tcase_add_loop_test(tc, test_c11_counter_handler_with_its_lock_held, 0, C11_NPLACES);
		tcase_add_loop_test(tc, test_signal_inside_rate_change_section, 0, SIGPROF_NVARIANTS);
		suite_add_tcase(s, tc);
	}
	return s;
}

int main(void)
{
	return suite_run(sigprof_suite());
}
