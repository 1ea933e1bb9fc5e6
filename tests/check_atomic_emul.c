/*
 * Check tests for atomic_emul: semantics under every strategy this build
 * supports, linearizability under contention, the PC classifier, the
 * #20146 deadlock shown on purpose and observed with a bounded wait, and
 * libatomic: whether it locks, that lock_index mirrors its hash, and that
 * the classifier sees a thread inside it.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_emul.h"
#include "support/child.h"
#include "ucontext_pc.h"
#include "support/suite_run.h"

static const char *const all_names[] = {
	"native", "global", "striped", "global-kuser", "striped-kuser", "libatomic",
};
#define NALL ((int)(sizeof all_names / sizeof all_names[0]))

/* Configures strategy _i of all_names; returns false when this build cannot
 * run it (the loop tests then assert only that configure refused it). */
static bool use_strategy(int i)
{
	struct atomic_emul_config cfg;
	ck_assert_int_eq(atomic_emul_parse(all_names[i], &cfg), 0);
	ck_assert_str_eq(atomic_emul_config_name(cfg), all_names[i]);
	if (!atomic_emul_supported(cfg)) {
		ck_assert_int_eq(atomic_emul_configure(cfg), -1);
		return false;
	}
	ck_assert_int_eq(atomic_emul_configure(cfg), 0);
	return true;
}

/* ---- semantics ---- */

static uint64_t word __attribute__((aligned(8)));

START_TEST(test_parse_rejects_unknown_names)
{
	struct atomic_emul_config cfg;
	ck_assert_int_eq(atomic_emul_parse("spinlock", &cfg), -1);
	ck_assert_int_eq(atomic_emul_parse("", &cfg), -1);
	ck_assert_int_eq(atomic_emul_parse("Global", &cfg), -1);
}
END_TEST

START_TEST(test_default_strategy_is_the_arch_table_row)
{
	/* Before any configure call, the compiled-in default is in force and
	 * supported by this build. */
	struct atomic_emul_config cur = atomic_emul_current(), def = atomic_emul_default();
	ck_assert_str_eq(atomic_emul_config_name(cur), atomic_emul_config_name(def));
	ck_assert(atomic_emul_supported(def));
	ck_assert_ptr_nonnull(strstr(atomic_emul_supported_names(), atomic_emul_config_name(def)));
}
END_TEST

START_TEST(test_load_store_roundtrip)
{
	if (!use_strategy(_i))
		return;
	const uint64_t values[] = { 0, 1, 0xffffffffu, 0x100000000ull, 0x8000000000000000ull,
				    0xdeadbeefcafebabeull, ~0ull };
	for (size_t k = 0; k < sizeof values / sizeof values[0]; k++) {
		atomic_emul_store64(&word, values[k]);
		ck_assert_uint_eq(atomic_emul_load64(&word), values[k]);
		ck_assert_uint_eq(word, values[k]);
	}
}
END_TEST

START_TEST(test_xadd_returns_new_value_and_wraps)
{
	if (!use_strategy(_i))
		return;
	atomic_emul_store64(&word, 0xfffffffffffffffeull);
	ck_assert_uint_eq(atomic_emul_xadd64(&word, 1), 0xffffffffffffffffull);
	ck_assert_uint_eq(atomic_emul_xadd64(&word, 1), 0);
	ck_assert_uint_eq(atomic_emul_xadd64(&word, -1), 0xffffffffffffffffull);
	/* carry across the 32-bit halves: the case a torn emulation gets wrong */
	atomic_emul_store64(&word, 0xffffffffull);
	ck_assert_uint_eq(atomic_emul_xadd64(&word, 1), 0x100000000ull);
	ck_assert_uint_eq(atomic_emul_xadd64(&word, -2), 0xfffffffeull);
}
END_TEST

START_TEST(test_xchg_returns_old_value)
{
	if (!use_strategy(_i))
		return;
	atomic_emul_store64(&word, 0x1111222233334444ull);
	ck_assert_uint_eq(atomic_emul_xchg64(&word, 0x5555666677778888ull), 0x1111222233334444ull);
	ck_assert_uint_eq(atomic_emul_load64(&word), 0x5555666677778888ull);
}
END_TEST

START_TEST(test_cas_succeeds_only_on_match)
{
	if (!use_strategy(_i))
		return;
	atomic_emul_store64(&word, 0x0000000100000002ull);
	/* a match in one half only must fail */
	ck_assert(!atomic_emul_cas64(&word, 0x0000000100000003ull, 7));
	ck_assert(!atomic_emul_cas64(&word, 0x0000000200000002ull, 7));
	ck_assert_uint_eq(atomic_emul_load64(&word), 0x0000000100000002ull);
	ck_assert(atomic_emul_cas64(&word, 0x0000000100000002ull, 0xabcdef0123456789ull));
	ck_assert_uint_eq(atomic_emul_load64(&word), 0xabcdef0123456789ull);
}
END_TEST

START_TEST(test_and_or)
{
	if (!use_strategy(_i))
		return;
	atomic_emul_store64(&word, 0xf0f0f0f0f0f0f0f0ull);
	ck_assert_uint_eq(atomic_emul_or64(&word, 0x0f00000000000001ull), 0xfff0f0f0f0f0f0f1ull);
	ck_assert_uint_eq(atomic_emul_and64(&word, 0x00ffffffffffff00ull), 0x00f0f0f0f0f0f000ull);
}
END_TEST

START_TEST(test_32bit_operations)
{
	if (!use_strategy(_i))
		return;
	uint32_t w = 5;
	ck_assert(!atomic_emul_cas32(&w, 4, 9));
	ck_assert(atomic_emul_cas32(&w, 5, 9));
	ck_assert_uint_eq(atomic_emul_load32(&w), 9);
	atomic_emul_store32(&w, 0xffffffffu);
	ck_assert_uint_eq(atomic_emul_xadd32(&w, 1), 0);
	ck_assert_uint_eq(atomic_emul_xchg32(&w, 42), 0);
	ck_assert_uint_eq(w, 42);
}
END_TEST

/* Misaligned addresses abort with a message (Go crashes on purpose too), under
 * every strategy, for every kind of operation. Each attempt runs in a child. */
static uint64_t pair[2];

static void misaligned_op(void *arg)
{
	uint64_t *bad = (uint64_t *)((char *)pair + 4);
	int devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, 2); /* the one-line message is expected; keep the log clean */
	switch ((int)(intptr_t)arg) {
	case 0: (void)atomic_emul_load64(bad); break;
	case 1: atomic_emul_store64(bad, 1); break;
	case 2: (void)atomic_emul_cas64(bad, 0, 1); break;
	case 3: (void)atomic_emul_xadd64(bad, 1); break;
	}
}

START_TEST(test_misaligned_64bit_access_aborts)
{
	if (!use_strategy(_i))
		return;
	for (int op = 0; op < 4; op++) {
		struct child_result r = run_in_child(misaligned_op, (void *)(intptr_t)op, 10 * slowdown());
		ck_assert_msg(r.outcome == CHILD_SIGNALED && r.code == SIGABRT,
			      "%s op %d: outcome %d code %d", all_names[_i], op, r.outcome, r.code);
	}
}
END_TEST

/* ---- linearizability under contention ---- */

#define THREADS 4
static uint64_t counter __attribute__((aligned(8)));
static uint64_t cas_counter __attribute__((aligned(8)));
static long iterations;

static void *hammer(void *arg)
{
	(void)arg;
	for (long k = 0; k < iterations; k++) {
		atomic_emul_xadd64(&counter, 0x100000001ll); /* touches both halves */
		for (;;) {
			uint64_t old = atomic_emul_load64(&cas_counter);
			if (atomic_emul_cas64(&cas_counter, old, old + 0x100000001ull))
				break;
		}
	}
	return NULL;
}

START_TEST(test_contended_increments_are_exact)
{
	if (!use_strategy(_i))
		return;
	iterations = (long)(200000 / slowdown());
	counter = cas_counter = 0;
	pthread_t t[THREADS];
	for (int k = 0; k < THREADS; k++)
		ck_assert_int_eq(pthread_create(&t[k], NULL, hammer, NULL), 0);
	for (int k = 0; k < THREADS; k++)
		pthread_join(t[k], NULL);
	uint64_t want = (uint64_t)THREADS * (uint64_t)iterations * 0x100000001ull;
	ck_assert_uint_eq(atomic_emul_load64(&counter), want);
	ck_assert_uint_eq(atomic_emul_load64(&cas_counter), want);
}
END_TEST

/* ---- classifier ---- */

static void not_atomic(void) { }

START_TEST(test_classifier_sees_every_emulated_function)
{
	const uintptr_t fns[] = {
		(uintptr_t)atomic_emul_load64, (uintptr_t)atomic_emul_store64,
		(uintptr_t)atomic_emul_xadd64, (uintptr_t)atomic_emul_xchg64,
		(uintptr_t)atomic_emul_cas64, (uintptr_t)atomic_emul_and64,
		(uintptr_t)atomic_emul_or64, (uintptr_t)atomic_emul_cas32,
		(uintptr_t)atomic_emul_load32, (uintptr_t)atomic_emul_store32,
		(uintptr_t)atomic_emul_xadd32, (uintptr_t)atomic_emul_xchg32,
		(uintptr_t)atomic_emul_classify_pc, (uintptr_t)atomic_emul_lock_owner,
	};
	ck_assert_uint_lt(atomic_emul_text_start(), atomic_emul_text_end());
	for (size_t k = 0; k < sizeof fns / sizeof fns[0]; k++) {
		uintptr_t pc = fns[k] & ~(uintptr_t)1; /* Thumb bit */
		ck_assert_int_eq(atomic_emul_classify_pc(pc), ATOMIC_PC_UNIT);
		ck_assert_int_eq(atomic_emul_classify_pc(pc + 4), ATOMIC_PC_UNIT);
	}
	ck_assert_int_eq(atomic_emul_classify_pc(atomic_emul_text_end()), ATOMIC_PC_ELSEWHERE);
	ck_assert_int_eq(atomic_emul_classify_pc(atomic_emul_text_start() - 1), ATOMIC_PC_ELSEWHERE);
}
END_TEST

START_TEST(test_classifier_rejects_ordinary_code)
{
	ck_assert_int_eq(atomic_emul_classify_pc((uintptr_t)not_atomic & ~(uintptr_t)1),
			 ATOMIC_PC_ELSEWHERE);
	ck_assert_int_eq(atomic_emul_classify_pc((uintptr_t)malloc), ATOMIC_PC_ELSEWHERE);
	ck_assert_int_eq(atomic_emul_classify_pc(0), ATOMIC_PC_ELSEWHERE);
	ck_assert_str_eq(atomic_emul_pc_class_name(ATOMIC_PC_UNIT), "atomic");
	ck_assert_str_eq(atomic_emul_pc_class_name(ATOMIC_PC_ELSEWHERE), "elsewhere");
	ck_assert_str_eq(atomic_emul_pc_class_name(ATOMIC_PC_LIBATOMIC), "libatomic");
}
END_TEST

#if defined(__arm__)
/* ARM only: the kernel-helper page, and (ARMv5) libgcc's out-of-line CAS. */
extern const char libgcc_cas[] __asm__("__sync_val_compare_and_swap_4");

START_TEST(test_classifier_sees_arm_helpers)
{
	ck_assert_int_eq(atomic_emul_classify_pc(0xffff0fc0), ATOMIC_PC_KUSER);
	ck_assert_int_eq(atomic_emul_classify_pc(0xffff0fa0), ATOMIC_PC_KUSER);
#if !defined(__ARM_ARCH_7A__)
	ck_assert_int_eq(atomic_emul_classify_pc((uintptr_t)libgcc_cas), ATOMIC_PC_OUTLINE);
	ck_assert_int_eq(atomic_emul_classify_pc((uintptr_t)libgcc_cas + 8), ATOMIC_PC_OUTLINE);
#endif
}
END_TEST
#endif

#if defined(__hppa__)
/* hppa only: the gateway page, where libgcc's __sync_* helpers do their
 * light-weight syscalls (0xb0), and those helpers themselves. */
extern const char libgcc_cas[] __asm__("__sync_val_compare_and_swap_4");

START_TEST(test_classifier_sees_hppa_gateway)
{
	ck_assert_int_eq(atomic_emul_classify_pc(0xb0), ATOMIC_PC_KUSER);
	ck_assert_int_eq(atomic_emul_classify_pc(0x100), ATOMIC_PC_ELSEWHERE); /* a system call */
	ck_assert_str_eq(atomic_emul_pc_class_name(ATOMIC_PC_KUSER), "gateway");
	ck_assert_int_eq(atomic_emul_classify_pc((uintptr_t)libgcc_cas), ATOMIC_PC_OUTLINE);
}
END_TEST
#endif

/* ---- #20146 on purpose ----
 *
 * A thread holds the emulated lock guarding x (spinning inside the unit), and
 * gets SIGPROF. The handler either checks the interrupted PC first (Go after
 * CL 42652) or goes straight for a 64-bit atomic on x (Go before it). Each
 * scenario runs in a forked child under a deadline; the parent reads what
 * happened from shared memory.
 */

struct deadlock_report {
	uint32_t handler_entered;
	uint32_t handler_returned;
	int32_t handler_tid;
	int32_t holder_tid_seen; /* lock holder while the handler was stuck */
	int32_t pc_class;
	uint32_t holder_finished;
	uint32_t configured;
};

static struct deadlock_report *report;
static uint64_t guarded __attribute__((aligned(8)));
static uint32_t holding_flag, release_flag;
static bool handler_checks_pc;

static void sigprof_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	int saved = errno;
	report->handler_tid = (int32_t)gettid();
	report->pc_class = (int32_t)atomic_emul_classify_pc(ucontext_pc(uc));
	__atomic_store_n(&report->handler_entered, 1, __ATOMIC_SEQ_CST);
	if (!handler_checks_pc || report->pc_class == ATOMIC_PC_ELSEWHERE)
		(void)atomic_emul_load64(&guarded); /* what writing a sample does */
	__atomic_store_n(&report->handler_returned, 1, __ATOMIC_SEQ_CST);
	errno = saved;
}

static void *holder(void *arg)
{
	(void)arg;
	atomic_emul_hold_lock_until(&guarded, &holding_flag, &release_flag);
	__atomic_store_n(&report->holder_finished, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void deadlock_scenario(void *arg)
{
	const char *strategy = arg;
	struct atomic_emul_config cfg;
	if (atomic_emul_parse(strategy, &cfg) != 0 || atomic_emul_configure(cfg) != 0)
		_exit(77);
	report->configured = 1;

	on_signal(SIGPROF, sigprof_handler, 0);

	pthread_t t;
	pthread_create(&t, NULL, holder, NULL);
	int idx = atomic_emul_lock_index(&guarded);
	if (!wait_for_flag(&holding_flag, 5 * slowdown())) /* in its loop, lock held */
		_exit(11);
	pthread_kill(t, SIGPROF);
	if (!wait_for_flag(&report->handler_entered, 5 * slowdown()))
		_exit(10);
	/* A handler that checks returns within microseconds; this wait is not the
	 * evidence of a deadlock (the lock holder below is), only its trigger. */
	if (!wait_for_flag(&report->handler_returned, handler_return_wait(!handler_checks_pc))) {
		/* Stuck: record who holds the lock it is spinning on. */
		report->holder_tid_seen = atomic_emul_lock_owner(idx);
		_exit(3); /* the process is deadlocked; leave it */
	}
	__atomic_store_n(&release_flag, 1, __ATOMIC_SEQ_CST);
	pthread_join(t, NULL);
	_exit(0);
}

static struct child_result run_deadlock_scenario(int i, bool checked)
{
	report = shared_alloc(sizeof *report);
	handler_checks_pc = checked;
	return run_in_child(deadlock_scenario, (void *)all_names[i], 20 * slowdown());
}

/* Strategy i takes a lock here: an emulating one, or libatomic where it
 * really locks (which only configuring finds out). */
static bool emulating_supported(int i)
{
	struct atomic_emul_config cfg;
	atomic_emul_parse(all_names[i], &cfg);
	if (cfg.strategy == ATOMIC_EMUL_LIBATOMIC)
		return atomic_emul_configure(cfg) == 0 && atomic_emul_lock_count() > 0;
	return cfg.strategy != ATOMIC_EMUL_NATIVE && atomic_emul_supported(cfg);
}

START_TEST(test_unchecked_handler_deadlocks_inside_emulated_atomic)
{
	if (!emulating_supported(_i))
		return;
	struct child_result r = run_deadlock_scenario(_i, false);
	ck_assert_msg(r.outcome == CHILD_EXITED && r.code == 3,
		      "%s: expected the handler to be stuck (exit 3), got outcome %d code %d",
		      all_names[_i], r.outcome, r.code);
	ck_assert(report->handler_entered);
	ck_assert(!report->handler_returned);
	ck_assert(!report->holder_finished);
	/* The proof it is a deadlock and not slowness: the spinlock the handler
	 * waits for is held by the very thread the handler interrupted. */
	ck_assert_int_ne(report->handler_tid, 0);
	ck_assert_int_eq(report->holder_tid_seen, report->handler_tid);
	ck_assert_int_eq(report->pc_class, ATOMIC_PC_UNIT);
	fprintf(stderr, "deadlock observed: %s, handler on tid %d spins on a lock held by tid %d\n",
		all_names[_i], report->handler_tid, report->holder_tid_seen);
}
END_TEST

START_TEST(test_checked_handler_returns_inside_emulated_atomic)
{
	if (!emulating_supported(_i))
		return;
	struct child_result r = run_deadlock_scenario(_i, true);
	ck_assert_msg(r.outcome == CHILD_EXITED && r.code == 0,
		      "%s: checked handler did not return (outcome %d code %d)",
		      all_names[_i], r.outcome, r.code);
	ck_assert(report->handler_returned);
	ck_assert(report->holder_finished);
	ck_assert_int_eq(report->pc_class, ATOMIC_PC_UNIT);
}
END_TEST

/* ---- libatomic ----
 *
 * Where libatomic locks, its lock for a word is one of 64 pthread mutexes
 * chosen by the word's 64-byte granule modulo 4096 bytes. The tests below
 * hold the mutex of one word (atomic_emul_hold_lock_until takes the very
 * mutex libatomic would) and watch what other threads' libatomic calls do.
 */

/* Configures libatomic; true where its 64-bit operations take its lock. */
static bool libatomic_locks_here(void)
{
	struct atomic_emul_config cfg;
	ck_assert_int_eq(atomic_emul_parse("libatomic", &cfg), 0);
	ck_assert_int_eq(atomic_emul_configure(cfg), 0);
	return atomic_emul_lock_count() > 0;
}

START_TEST(test_libatomic_locks_only_where_gcc_cannot_inline)
{
	bool locks = libatomic_locks_here();
	if (__atomic_always_lock_free(sizeof(uint64_t), 0))
		ck_assert(!locks); /* the operations are inline: libatomic is never called */
	if (locks) {
		ck_assert(!__atomic_is_lock_free(sizeof(uint64_t), &word));
		ck_assert_int_eq(atomic_emul_lock_count(), ATOMIC_EMUL_LIBATOMIC_LOCKS);
		ck_assert_int_eq(atomic_emul_lock_index(&word),
				 (int)((uintptr_t)&word / ATOMIC_EMUL_LIBATOMIC_GRANULE %
				       ATOMIC_EMUL_LIBATOMIC_LOCKS));
		ck_assert_int_eq(atomic_emul_lock_owner(atomic_emul_lock_index(&word)), 0);
	} else {
		ck_assert_int_eq(atomic_emul_lock_index(&word), -1);
		ck_assert_int_eq(atomic_emul_lock_owner(0), 0);
	}
	fprintf(stderr, "libatomic: 8-byte operations %s here (__atomic_is_lock_free(8) = %d)\n",
		locks ? "take one of libatomic's 64 mutexes" : "are lock-free",
		(int)__atomic_is_lock_free(sizeof(uint64_t), &word));
}
END_TEST

/* 8 KiB, 4096-aligned: every lock twice. */
static uint64_t lock_area[1024] __attribute__((aligned(4096)));
#define HELD_WORD (&lock_area[46 * 8 + 3])

/* A lock_index that does not mirror libatomic (Go's arm stripes): the
 * negative control of the mirror test. */
static int striped_index(const uint64_t *addr)
{
	return (int)(((uintptr_t)addr >> 3) % ATOMIC_EMUL_STRIPES);
}

struct mirror_report {
	int32_t holder_tid, owner_seen;
	uint32_t other_done, same_done, same_done_while_held;
};
static struct mirror_report *mrep;
static uint32_t mirror_holding, mirror_release;
static int32_t mirror_holder_tid; /* written before mirror_holding is set */

struct adder {
	uint64_t *word;
	uint32_t *done;
};

static void *mirror_holder(void *arg)
{
	(void)arg;
	mirror_holder_tid = (int32_t)gettid();
	atomic_emul_hold_lock_until(HELD_WORD, &mirror_holding, &mirror_release);
	return NULL;
}

static void *add_once(void *arg)
{
	struct adder *a = arg;
	atomic_emul_xadd64(a->word, 1);
	__atomic_store_n(a->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* The word of lock_area nearest to HELD_WORD that index_of puts on the
 * held word's lock (same) or not (!same). Nearest: where two hashes differ,
 * they differ first. */
static uint64_t *word_by(int (*index_of)(const uint64_t *), bool same)
{
	const ptrdiff_t n = (ptrdiff_t)(sizeof lock_area / sizeof lock_area[0]);
	for (ptrdiff_t d = 1; d < n; d++)
		for (int sign = -1; sign <= 1; sign += 2) {
			ptrdiff_t k = (HELD_WORD - lock_area) + sign * d;
			if (k >= 0 && k < n && (index_of(&lock_area[k]) == index_of(HELD_WORD)) == same)
				return &lock_area[k];
		}
	abort();
}

/* Holds the held word's mutex; a word index_of calls "another lock" must be
 * free to use (else exit 4), one it calls "the same lock" must wait until
 * the holder lets go. */
static void mirror_scenario(void *arg)
{
	int (*index_of)(const uint64_t *) = arg ? striped_index : atomic_emul_lock_index;
	if (!libatomic_locks_here())
		_exit(77);
	pthread_t h, other, same;
	pthread_create(&h, NULL, mirror_holder, NULL);
	if (!wait_for_flag(&mirror_holding, 5 * slowdown()))
		_exit(11);
	mrep->holder_tid = mirror_holder_tid;
	mrep->owner_seen = atomic_emul_lock_owner(atomic_emul_lock_index(HELD_WORD));
	struct adder o = { word_by(index_of, false), &mrep->other_done };
	struct adder s = { word_by(index_of, true), &mrep->same_done };
	pthread_create(&other, NULL, add_once, &o);
	/* Where index_of is right this finishes at once (10 s is only a bound);
	 * where it is wrong it can never finish while the lock is held, and the
	 * shorter look is enough. */
	if (!wait_for_flag(&mrep->other_done, (arg ? 0.2 : 10) * slowdown()))
		_exit(4); /* waited for a lock "it does not share" */
	pthread_create(&same, NULL, add_once, &s);
	/* Not the evidence of sharing (it cannot finish while the lock is held,
	 * however long we look), only time for a wrong mirror to show. */
	wait_for_flag(&mrep->same_done, 0.2 * slowdown());
	mrep->same_done_while_held = __atomic_load_n(&mrep->same_done, __ATOMIC_SEQ_CST);
	__atomic_store_n(&mirror_release, 1, __ATOMIC_SEQ_CST);
	if (!wait_for_flag(&mrep->same_done, 10 * slowdown()))
		_exit(5);
	pthread_join(h, NULL);
	pthread_join(other, NULL);
	pthread_join(same, NULL);
	_exit(0);
}

/* wrong_mirror: words chosen by striped_index instead of lock_index. */
static struct child_result run_mirror_scenario(bool wrong_mirror)
{
	mrep = shared_alloc(sizeof *mrep);
	return run_in_child(mirror_scenario, wrong_mirror ? (void *)1 : NULL, 60 * slowdown());
}

START_TEST(test_libatomic_lock_index_mirrors_libatomic)
{
	struct child_result r = run_mirror_scenario(false);
	if (r.outcome == CHILD_EXITED && r.code == 77)
		return; /* lock-free here: nothing to mirror */
	ck_assert_msg(r.outcome == CHILD_EXITED && r.code == 0, "outcome %d code %d", r.outcome,
		      r.code);
	ck_assert_msg(!mrep->same_done_while_held,
		      "a word lock_index puts on the held lock did not wait for it");
	ck_assert_int_ne(mrep->holder_tid, 0);
	ck_assert_int_eq(mrep->owner_seen, mrep->holder_tid);
}
END_TEST

START_TEST(test_libatomic_negative_control_wrong_mirror_is_caught)
{
	struct child_result r = run_mirror_scenario(true);
	if (r.outcome == CHILD_EXITED && r.code == 77)
		return;
	/* Go's stripes put a word of the held granule on "another lock": it waits. */
	ck_assert_msg(r.outcome == CHILD_EXITED && r.code == 4,
		      "the wrong mirror went unnoticed: outcome %d code %d", r.outcome, r.code);
}
END_TEST

/* A thread waits inside a call into libatomic (its lock is held by another
 * thread); SIGPROF it until a signal lands outside the unit's section. The
 * PC is then in libatomic or the C library, where Go's section check sees
 * nothing; the classifier must say ATOMIC_PC_LIBATOMIC. The negative
 * control waits in the very same futex code through a plain
 * pthread_mutex_lock, outside any libatomic call: ATOMIC_PC_ELSEWHERE. */
struct inside_report {
	uint32_t seen; /* signals that landed outside the section */
	int32_t pc_class;
	uint32_t pc_in_section;
};
static struct inside_report *irep;
static pthread_mutex_t plain_mutex = PTHREAD_MUTEX_INITIALIZER;
static uint32_t waiter_calling; /* set just before the waiting call */

/* Records the latest signal that landed outside the section. */
static void inside_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	uintptr_t pc = ucontext_pc(uc);
	enum atomic_emul_pc_class c = atomic_emul_classify_pc(pc);
	if (c == ATOMIC_PC_UNIT)
		return; /* still on the unit's side of the call */
	irep->pc_class = (int32_t)c;
	irep->pc_in_section = pc >= atomic_emul_text_start() && pc < atomic_emul_text_end();
	__atomic_fetch_add(&irep->seen, 1, __ATOMIC_SEQ_CST);
}

static void *libatomic_waiter(void *arg)
{
	struct adder *a = arg;
	__atomic_store_n(&waiter_calling, 1, __ATOMIC_SEQ_CST);
	return add_once(a);
}

static void *plain_waiter(void *done)
{
	__atomic_store_n(&waiter_calling, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&plain_mutex);
	pthread_mutex_unlock(&plain_mutex);
	__atomic_store_n((uint32_t *)done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void inside_scenario(void *arg)
{
	bool through_libatomic = arg != NULL;
	if (!libatomic_locks_here() && through_libatomic)
		_exit(77);
	on_signal(SIGPROF, inside_handler, SA_RESTART);

	uint32_t done = 0;
	struct adder waiter = { HELD_WORD + 512, &done }; /* 4096 bytes on: the same lock */
	pthread_t h = 0, t;
	if (through_libatomic) {
		pthread_create(&h, NULL, mirror_holder, NULL);
		if (!wait_for_flag(&mirror_holding, 5 * slowdown()))
			_exit(11);
		pthread_create(&t, NULL, libatomic_waiter, &waiter);
	} else {
		pthread_mutex_lock(&plain_mutex);
		pthread_create(&t, NULL, plain_waiter, &done);
	}
	if (!wait_for_flag(&waiter_calling, 5 * slowdown()))
		_exit(13);
	/* Time to get from the flag into the futex wait it cannot leave; then
	 * the third signal outside the section is well inside the wait. */
	double settle_until = now_seconds() + 0.2 * slowdown();
	while (now_seconds() < settle_until)
		sched_yield();
	double end = now_seconds() + 10 * slowdown();
	while (__atomic_load_n(&irep->seen, __ATOMIC_SEQ_CST) < 3 && now_seconds() < end) {
		pthread_kill(t, SIGPROF);
		struct timespec nap = { 0, 2 * 1000 * 1000 };
		nanosleep(&nap, NULL);
	}
	if (done)
		_exit(6); /* it never waited */
	if (through_libatomic)
		__atomic_store_n(&mirror_release, 1, __ATOMIC_SEQ_CST);
	else
		pthread_mutex_unlock(&plain_mutex);
	pthread_join(t, NULL);
	if (h)
		pthread_join(h, NULL);
	_exit(irep->seen >= 3 ? 0 : 12);
}

START_TEST(test_classifier_sees_a_thread_inside_libatomic)
{
	irep = shared_alloc(sizeof *irep);
	struct child_result r = run_in_child(inside_scenario, (void *)1, 60 * slowdown());
	if (r.outcome == CHILD_EXITED && r.code == 77)
		return;
	ck_assert_msg(r.outcome == CHILD_EXITED && r.code == 0, "outcome %d code %d", r.outcome,
		      r.code);
	ck_assert(!irep->pc_in_section); /* Go's check: "not in an atomic" */
	ck_assert_int_eq(irep->pc_class, ATOMIC_PC_LIBATOMIC);
}
END_TEST

START_TEST(test_classifier_negative_control_plain_mutex_wait)
{
	irep = shared_alloc(sizeof *irep);
	struct child_result r = run_in_child(inside_scenario, NULL, 60 * slowdown());
	ck_assert_msg(r.outcome == CHILD_EXITED && r.code == 0, "outcome %d code %d", r.outcome,
		      r.code);
	ck_assert_int_eq(irep->pc_class, ATOMIC_PC_ELSEWHERE);
}
END_TEST

static Suite *atomic_emul_suite(void)
{
	Suite *s = suite_create("atomic_emul");
	TCase *tc = tcase_create("semantics");
	tcase_add_test(tc, test_parse_rejects_unknown_names);
	tcase_add_test(tc, test_default_strategy_is_the_arch_table_row);
	tcase_add_loop_test(tc, test_load_store_roundtrip, 0, NALL);
	tcase_add_loop_test(tc, test_xadd_returns_new_value_and_wraps, 0, NALL);
	tcase_add_loop_test(tc, test_xchg_returns_old_value, 0, NALL);
	tcase_add_loop_test(tc, test_cas_succeeds_only_on_match, 0, NALL);
	tcase_add_loop_test(tc, test_and_or, 0, NALL);
	tcase_add_loop_test(tc, test_32bit_operations, 0, NALL);
	tcase_add_loop_test(tc, test_misaligned_64bit_access_aborts, 0, NALL);
	suite_add_tcase(s, tc);

	tc = tcase_create("contention");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_contended_increments_are_exact, 0, NALL);
	suite_add_tcase(s, tc);

	tc = tcase_create("classifier");
	tcase_add_test(tc, test_classifier_sees_every_emulated_function);
	tcase_add_test(tc, test_classifier_rejects_ordinary_code);
#if defined(__arm__)
	tcase_add_test(tc, test_classifier_sees_arm_helpers);
#endif
#if defined(__hppa__)
	tcase_add_test(tc, test_classifier_sees_hppa_gateway);
#endif
	suite_add_tcase(s, tc);

	tc = tcase_create("libatomic");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_libatomic_locks_only_where_gcc_cannot_inline);
	tcase_add_test(tc, test_libatomic_lock_index_mirrors_libatomic);
	tcase_add_test(tc, test_libatomic_negative_control_wrong_mirror_is_caught);
	if (!UNDER_TSAN) { /* signals land at TSan's interception points only */
		tcase_add_test(tc, test_classifier_sees_a_thread_inside_libatomic);
		tcase_add_test(tc, test_classifier_negative_control_plain_mutex_wait);
	}
	suite_add_tcase(s, tc);

	if (UNDER_TSAN) {
		fprintf(stderr, "atomic_emul: deadlock tests not registered under ThreadSanitizer: "
				"it runs handlers with the interrupted PC inside its runtime\n");
	} else {
		tc = tcase_create("deadlock");
		tcase_set_timeout(tc, 300);
		tcase_add_loop_test(tc, test_unchecked_handler_deadlocks_inside_emulated_atomic, 0, NALL);
		tcase_add_loop_test(tc, test_checked_handler_returns_inside_emulated_atomic, 0, NALL);
		suite_add_tcase(s, tc);
	}
	return s;
}

int main(void)
{
	return suite_run(atomic_emul_suite());
}
