/*
 * Test support: run a function in a forked child under a deadline, so a test
 * can watch something hang or crash without hanging or crashing itself.
 *
 * The child gets its own process group and is killed with SIGKILL (the whole
 * group) when the deadline passes. Results travel back through shared memory
 * from shared_alloc(), which survives the child's death.
 */
#ifndef TEST_CHILD_H
#define TEST_CHILD_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum child_outcome { CHILD_EXITED, CHILD_SIGNALED, CHILD_TIMED_OUT };

struct child_result {
	enum child_outcome outcome;
	int code;       /* exit status, or the signal number */
	double seconds; /* wall time until it ended or was killed */
};

/* Runs fn(arg) in a child; the child exits 0 when fn returns. */
struct child_result run_in_child(void (*fn)(void *), void *arg, double timeout_s);

/* Zeroed memory shared with children forked later. Never freed. */
void *shared_alloc(size_t size);

/* Installs fn as the SA_SIGINFO handler of sig, every signal blocked while
 * it runs, with extra_flags (SA_RESTART, or 0) added. */
void on_signal(int sig, void (*fn)(int, siginfo_t *, void *), int extra_flags);

/* Seconds on the monotonic clock. */
double now_seconds(void);

/* Spins until *flag is non-zero (seq_cst load); false if seconds pass first. */
bool wait_for_flag(const uint32_t *flag, double seconds);

/* How much slower than native this process runs: 1 natively, more under
 * qemu (from PROFTORTURE_SLOWDOWN, default 1; make check-units sets it). Tests
 * scale their deadlines, never their assertions, by it. */
double slowdown(void);

/* How long a signal handler gets to return before the test calls it stuck.
 * One the test expects to be stuck on its own thread's lock gets 0.3 s, not
 * scaled by slowdown(): the wait is a trigger, not the evidence (the lock's
 * owner being the interrupted thread is), and a handler that returns does so
 * long before (a whole checked-handler test, fork to join, took 11 to 46 ms
 * under qemu-arm, armel, 2026-12-08). One the test expects to return gets
 * 0.3 s x slowdown(): that wait ends when it returns. */
double handler_return_wait(bool expect_stuck);

/* ThreadSanitizer runs signal handlers at its own interception points, with
 * the interrupted PC inside the TSan runtime: a test whose meaning is "the
 * handler saw a PC inside atomic_emul" cannot run there (the five real
 * builds run it). */
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif

#endif
