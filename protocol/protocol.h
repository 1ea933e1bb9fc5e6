/*
 * protocol — the words build/<arch>/torture and the runner share, written
 * once.
 *
 * Every name a case, a variant, a signal source, an atomics strategy, an
 * outcome or a result-line counter goes by, every exit status of `torture`
 * and the version of its result line is a row of one table below. The
 * torture program, the runner, the tests and the scripts derive from these
 * tables (the scripts through `torture --protocol`, which prints them as
 * JSON); nothing else spells them. Adding a case or an outcome is one row
 * here and the code that gives it meaning.
 *
 * The contract between torture and the runner
 * -------------------------------------------
 * One run of `torture` prints exactly one result line on stdout: a JSON
 * object with
 *     "result": PROTOCOL_RESULT_NAME, "version": PROTOCOL_RESULT_VERSION,
 *     the run's configuration (case, variant, arch, atomics, seed, threads,
 *     source, rate, mix, duration_s), "elapsed_s", "outcome" (a name from
 *     PROTOCOL_OUTCOMES that a child may report), "first_failure_s"
 *     (seconds or null), "counters" {PROTOCOL_COUNTERS: non-negative
 *     integers}, "racy_delta" (an integer), "corruptions"
 *     {PROTOCOL_CORRUPTIONS: counts, only the non-zero ones}, "detail" (a
 *     human sentence),
 * and exits with the status its outcome's row gives. Diagnostics go to
 * stderr. A usage error prints no result line, one line on stderr, and
 * exits PROTOCOL_EXIT_USAGE. The runner checks all of it (harness/judge/classify.h)
 * and calls a run that breaks any part an `error`, never a pass.
 *
 * Outcomes (the one vocabulary of docs/DESIGN.md)
 * -----------------------------------------------
 * A row: X(ID, "name", exit status, who may report it, class).
 *   exit status  what torture exits with for it; PROTOCOL_NO_EXIT for the
 *                outcomes only the runner can see (a child that crashed or
 *                hung cannot say so itself).
 *   reporter     PROTOCOL_BY_CHILD: torture may put it in its result line;
 *                PROTOCOL_BY_RUNNER: only the runner concludes it.
 *                error is both (torture: setup failed; runner: protocol
 *                violated or exec failed).
 *   class        PROTOCOL_CLEAN: the run tested something and found
 *                nothing; PROTOCOL_FAILURE: the system under test
 *                misbehaved; PROTOCOL_VOID: the run says nothing either way
 *                (vacuous, unsupported, emulator-error, error), so it never
 *                counts as a pass and never enters a rate.
 * Two outcomes may share an exit status (corrupt and drift are both 1:
 * either is the same unlocked flush caught another way); a status never
 * maps to two classes.
 */
#ifndef PROFTORTURE_PROTOCOL_H
#define PROFTORTURE_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>

/* The result line's name stays "proftorture-stress" although the program
 * is torture now (it was stress): it names the line's format, which the
 * runner, the recorded corpora and older binaries share, not the program,
 * and renaming it would cost a version bump for no change in meaning. */
#define PROTOCOL_RESULT_NAME "proftorture-stress"
#define PROTOCOL_RESULT_VERSION 2 /* 2: setup errors exit 99 and say "error" */

/* The closing line of the real Go runtime's workload (cases/go/workload),
 * which the runner's go kind reads (harness/kinds/kind_go.c); the workload takes
 * these and the outcome, counter and corruption names from `torture
 * --protocol` (ci/gen-go-protocol writes its protocol_gen.go: after a
 * change here, `make go-protocol`; make check fails until then). */
#define PROTOCOL_GO_RESULT_NAME "proftorture-go-workload"
#define PROTOCOL_GO_RESULT_VERSION 1

#define PROTOCOL_NO_EXIT (-1)
#define PROTOCOL_EXIT_USAGE 2 /* bad option: no result line, one stderr line */

/* The runner's exit statuses (every `proftorture` command; a verdict on
 * the whole, not one run's outcome); usage and setup errors are
 * PROTOCOL_EXIT_USAGE, as torture's:
 *   MATCHED   every tested cell matched the expected table (stress: no
 *             failure counted; report: the page written)
 *   MISMATCH  some cell did not match, was inconclusive or did not run
 *             (stress: failures counted)
 *   LOST      a file or stream that should hold a result could not be
 *             written, whatever the verdicts (the LOST line on stderr
 *             says what); it replaces MATCHED and MISMATCH, never a usage
 *             error or an interruption
 *   SIGNAL(N) interrupted by signal N after printing what finished
 *             (stress: interruption is its normal end, so one of the
 *             above) */
#define PROTOCOL_RUNNER_EXIT_MATCHED 0
#define PROTOCOL_RUNNER_EXIT_MISMATCH 1
#define PROTOCOL_RUNNER_EXIT_LOST 3
#define PROTOCOL_RUNNER_EXIT_SIGNAL(n) (128 + (n))

/* The ranges of the options the runner passes on to torture, so that the
 * runner refuses a value before the first run instead of every run refusing
 * it. */
#define PROTOCOL_MAX_THREADS 32        /* QEMU allows 32 POSIX timers: thread-timer's bound */
#define PROTOCOL_MAX_SEED 2147483647   /* 2^31 - 1: a seed is a positive C long everywhere */
#define PROTOCOL_MAX_RATE 10000000     /* signals per second */

enum protocol_reporter { PROTOCOL_BY_CHILD = 1, PROTOCOL_BY_RUNNER = 2 };
enum protocol_class { PROTOCOL_CLEAN, PROTOCOL_FAILURE, PROTOCOL_VOID };

#define PROTOCOL_OUTCOMES(X)                                                                      \
	X(PASS, "pass", 0, PROTOCOL_BY_CHILD, PROTOCOL_CLEAN)                                     \
	X(CORRUPT, "corrupt", 1, PROTOCOL_BY_CHILD, PROTOCOL_FAILURE)                             \
	X(DRIFT, "drift", 1, PROTOCOL_BY_CHILD, PROTOCOL_FAILURE)                                 \
	X(DEADLOCK, "deadlock", 3, PROTOCOL_BY_CHILD, PROTOCOL_FAILURE)                           \
	X(CRASH, "crash", PROTOCOL_NO_EXIT, PROTOCOL_BY_RUNNER, PROTOCOL_FAILURE)                  \
	X(TIMEOUT, "timeout", PROTOCOL_NO_EXIT, PROTOCOL_BY_RUNNER, PROTOCOL_FAILURE)              \
	X(VACUOUS, "vacuous", 4, PROTOCOL_BY_CHILD, PROTOCOL_VOID)                                \
	X(UNSUPPORTED, "unsupported", 77, PROTOCOL_BY_CHILD, PROTOCOL_VOID)                       \
	X(EMULATOR_ERROR, "emulator-error", PROTOCOL_NO_EXIT, PROTOCOL_BY_RUNNER, PROTOCOL_VOID)   \
	X(ERROR, "error", 99, PROTOCOL_BY_CHILD | PROTOCOL_BY_RUNNER, PROTOCOL_VOID)

/* The torture cases (cases/; what each is: `torture --help`). */
#define PROTOCOL_CASES(X)                                                                         \
	X(LOST_ATOMIC, "lost-atomic")                                                             \
	X(ATOMIC_DEADLOCK, "atomic-deadlock")                                                     \
	X(PROFILE_STOP, "profile-stop")                                                           \
	X(OVERFLOW, "overflow")                                                                   \
	X(LIBATOMIC_DEADLOCK, "libatomic-deadlock")                                               \
	X(RATE_CHANGE, "rate-change")

/* The historical shapes of Go's SIGPROF handler (sigprof/sigprof.h). */
#define PROTOCOL_VARIANTS(X)                                                                      \
	X(UNCHECKED, "unchecked")                                                                 \
	X(UNLOCKED_FLUSH, "unlocked-flush")                                                       \
	X(LOCKED_FLUSH, "locked-flush")                                                           \
	X(LOCKED_FLUSH_KUSER, "locked-flush-kuser")                                               \
	X(EXACT, "exact")

/* Where the profiling signals come from (cases/sources.c). */
#define PROTOCOL_SOURCES(X)                                                                       \
	X(CANNON, "cannon")                                                                       \
	X(ITIMER, "itimer")                                                                       \
	X(THREAD_TIMER, "thread-timer")

/* How 64-bit atomics are done (atomic_emul/atomic_emul.h). */
#define PROTOCOL_STRATEGIES(X)                                                                    \
	X(NATIVE, "native")                                                                       \
	X(GLOBAL, "global")                                                                       \
	X(STRIPED, "striped")                                                                     \
	X(GLOBAL_KUSER, "global-kuser")                                                           \
	X(STRIPED_KUSER, "striped-kuser")                                                         \
	X(LIBATOMIC, "libatomic")

/* The result line's "counters" (what each counts: cases/torture.h). */
#define PROTOCOL_COUNTERS(X)                                                                      \
	X(SENT, "sent")                                                                           \
	X(HANDLED, "handled")                                                                     \
	X(IN_ATOMIC, "in_atomic")                                                                 \
	X(LOST_ATOMIC, "lost_atomic")                                                             \
	X(RECORDED, "recorded")                                                                   \
	X(TOO_LATE, "too_late")                                                                   \
	X(IGNORED, "ignored")                                                                     \
	X(FLUSHES, "flushes")                                                                     \
	X(ITERATIONS, "iterations")                                                               \
	X(SAMPLES, "samples")                                                                     \
	X(RECORDS, "records")                                                                     \
	X(OVERFLOW, "overflow")                                                                   \
	X(LOST_ATOMIC_READ, "lost_atomic_read")                                                   \
	X(LOST_EXTRA_READ, "lost_extra_read")                                                     \
	X(RESIDUE, "residue")                                                                     \
	X(SESSIONS, "sessions")

/* The result line's "corruptions": what the oracle found (cases/oracle.c). */
#define PROTOCOL_CORRUPTIONS(X)                                                                   \
	X(INVALID_SIZE, "invalid-size")                                                           \
	X(OUT_OF_SYNC, "out-of-sync")                                                             \
	X(READ_PAST_WRITE, "read-past-write")                                                     \
	X(SHORT_RECORD, "short-record")                                                           \
	X(OVERRUN, "overrun")                                                                     \
	X(STRAY_ZERO, "stray-zero")                                                               \
	X(TRUNCATED, "truncated-profile")                                                         \
	X(MALFORMED, "malformed-profile")                                                         \
	X(BAD_CHECKSUM, "bad-sample")                                                             \
	X(BAD_TAG, "bad-tag")                                                                     \
	X(SEQ_REGRESS, "seq-regress")                                                             \
	X(BAD_COUNT, "bad-count")                                                                 \
	X(BAD_HEADER, "bad-header")                                                               \
	X(WRITE_AFTER_CLOSE, "write-after-close")                                                 \
	X(OTHER, "other")

/* ---- the enums, one per table, in table order ---- */

#define PROTOCOL_ENUM_OUTCOME(id, name, exit, by, cls) OUT_##id,
enum outcome { PROTOCOL_OUTCOMES(PROTOCOL_ENUM_OUTCOME) OUT_COUNT };
#undef PROTOCOL_ENUM_OUTCOME

#define PROTOCOL_ENUM_CASE(id, name) CASE_##id,
#define PROTOCOL_ENUM_VARIANT(id, name) VARIANT_##id,
#define PROTOCOL_ENUM_SOURCE(id, name) SOURCE_##id,
#define PROTOCOL_ENUM_STRATEGY(id, name) STRATEGY_##id,
#define PROTOCOL_ENUM_COUNTER(id, name) CTR_##id,
#define PROTOCOL_ENUM_CORRUPTION(id, name) K_##id,
enum case_id { PROTOCOL_CASES(PROTOCOL_ENUM_CASE) NCASES };
enum variant_id { PROTOCOL_VARIANTS(PROTOCOL_ENUM_VARIANT) NVARIANTS };
enum source_id { PROTOCOL_SOURCES(PROTOCOL_ENUM_SOURCE) NSOURCES };
enum strategy_id { PROTOCOL_STRATEGIES(PROTOCOL_ENUM_STRATEGY) NSTRATEGIES };
enum counter { PROTOCOL_COUNTERS(PROTOCOL_ENUM_COUNTER) CTR_COUNT };
enum corruption { PROTOCOL_CORRUPTIONS(PROTOCOL_ENUM_CORRUPTION) NKINDS };
#undef PROTOCOL_ENUM_CASE
#undef PROTOCOL_ENUM_VARIANT
#undef PROTOCOL_ENUM_SOURCE
#undef PROTOCOL_ENUM_STRATEGY
#undef PROTOCOL_ENUM_COUNTER
#undef PROTOCOL_ENUM_CORRUPTION

/* ---- names (protocol.c); the arrays end with NULL ---- */

extern const char *const protocol_outcome_names[OUT_COUNT + 1];
extern const char *const protocol_case_names[NCASES + 1];
extern const char *const protocol_variant_names[NVARIANTS + 1];
extern const char *const protocol_source_names[NSOURCES + 1];
extern const char *const protocol_strategy_names[NSTRATEGIES + 1];
extern const char *const protocol_counter_names[CTR_COUNT + 1];
extern const char *const protocol_corruption_names[NKINDS + 1];

/* The index of name in a NULL-terminated name array, or -1. */
int protocol_lookup(const char *const *names, const char *name);
/* names joined by sep into buf (truncated to cap); returns buf. */
const char *protocol_join(const char *const *names, const char *sep, char *buf, size_t cap);

/* Outcomes. Out-of-range values get "?" / PROTOCOL_NO_EXIT / false. */
const char *outcome_name(enum outcome o);
int outcome_parse(const char *name); /* -1 when unknown */
int outcome_exit_status(enum outcome o);
bool outcome_child_may_report(enum outcome o);
/* The system under test misbehaved: corrupt, drift, deadlock, crash, timeout. */
bool outcome_is_failure(enum outcome o);
/* The run tested something: a pass or a failure. */
bool outcome_is_informative(enum outcome o);
/* The outcomes a child's exit status stands for, as a bit set (bit o for
 * outcome o); 0 for a status that is not in the protocol. */
unsigned outcomes_of_exit_status(int status);

/* The whole protocol as one JSON document (what `torture --protocol`
 * prints), into buf; returns the length it needed (snprintf's rule). */
size_t protocol_to_json(char *buf, size_t cap);

#endif
