/*
 * Check tests for atomic_emul: semantics under every strategy this build
 * supports, linearizability under contention, the PC classifier, and the
 * #20146 deadlock shown on purpose and observed with a bounded wait.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_emul.h"
#include "support/child.h"
#include "ucontext_pc.h"

static const char *const all_names[] = {
	"native", "global", "striped", "global-kuser", "striped-kuser",
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
		(uintptr_t)atomic_emul_hold_lock_until, (uintptr_t)atomic_emul_classify_pc,
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

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = sigprof_handler;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	sigaction(SIGPROF, &sa, NULL);

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
	if (!wait_for_flag(&report->handler_returned, 0.3 * slowdown())) {
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

static bool emulating_supported(int i)
{
	struct atomic_emul_config cfg;
	atomic_emul_parse(all_names[i], &cfg);
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
	SRunner *sr = srunner_create(atomic_emul_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
