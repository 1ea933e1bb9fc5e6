/*
 * torture — the cases that make golang/go#20146 and #24991 happen: the
 * interfaces between the files of cases/. The program's own contract (its
 * options, result line and exit statuses) is protocol/protocol.h and
 * `torture --help`; the design is docs/DESIGN.md, "The torture cases".
 *
 * Files, and who calls whom (an arrow is "calls"; nothing calls back up):
 *
 *   main.c      reads the options, runs the sessions, has the run judged and
 *               reported
 *     -> options.c    the option table, cross-option checks, --list, --protocol
 *          -> expected.c   cases/expected.tsv compiled in, for --list
 *     -> workers.c    the profiled threads and their SIGPROF handler
 *     -> sources.c    the signal sources
 *     -> oracle.c     the reader thread: every record checked as it is read
 *          -> workers.c    sample_checksum: the sample format the handler writes
 *     -> watchdog.c   the watchdog thread: a stall is a deadlock
 *          -> result.c
 *     -> judge.c      conservation and the outcome, once the threads are done
 *     -> result.c     the one JSON result line
 *   run.c       the run state: the clock, the main thread's progress, the
 *               first failure, the one result line's claim, the tally.
 *               Called by every file above; calls none of them.
 *
 * Threads of one run
 * ------------------
 *   main        parses options, runs sessions (cpuprof_start/stop), joins,
 *               judges, prints the result line. SIGPROF blocked.
 *   workers[N]  the profiled threads: hammer emulated 64-bit atomics and run
 *               plain code; the only threads with SIGPROF unblocked. Each has
 *               its own alternate signal stack.
 *   source      the cannon (tgkill round-robin), or nothing for itimer /
 *               thread-timer (the kernel sends those).
 *   reader      Go's profileWriter: reads the log, validates every record.
 *   watchdog    sees a thread's progress stop; dumps state; reports deadlock.
 *
 * Counters
 * --------
 * Every per-worker counter has exactly one writer, the worker itself (in its
 * loop or in its own signal handler, which cannot nest), and is read by the
 * others with relaxed loads: exact at the end, approximate while running.
 * They are 32-bit so they stay plain loads and stores on every arch (a 64-bit
 * atomic would be emulated, i.e. take the very spinlocks under test).
 * libatomic-deadlock writes no profile: its result line's samples is the
 * handlers' C11 counter (struct run's c11, read once at the end) and its
 * lost_atomic_read their 32-bit count of skipped signals (run_tally).
 *
 * The first failure and the result line
 * -------------------------------------
 * Three threads can find that a run failed: the reader (a corrupt record),
 * main (a write after close) and the watchdog (a stall). They share one
 * discipline, in run.c, that never waits: the first to claim the failure
 * (one CAS) writes its time and text and then publishes it (a release
 * store); nobody else writes them, and they are read only once published.
 * The watchdog must work while every other thread spins on a spinlock, so
 * it takes no lock and waits for nothing it cannot time out. Likewise main
 * and the watchdog claim the one result line before printing it; the loser
 * prints nothing. Each result line is formatted in a buffer on its writer's
 * own stack.
 */
#ifndef PROFTORTURE_TORTURE_H
#define PROFTORTURE_TORTURE_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "atomic_emul.h"
#include "cpuprof.h"
#include "protocol.h"
#include "sigprof.h"

#define MAX_WORKERS PROTOCOL_MAX_THREADS /* the bound is protocol.h's: the runner checks it too */
#define MAX_SESSIONS 4096
#define MAX_TARGETS 8  /* hot words a worker hammers (workers.c) */
#define PROFILE_HZ 100 /* Go's runtime/pprof rate; only the header carries it */

struct options {
	enum case_id kase;
	enum sigprof_variant variant;
	int threads;
	double duration;   /* seconds */
	enum source_id source;
	long rate;         /* signals per second; 0 = max */
	struct atomic_emul_config atomics;
	uint64_t seed;
	double watchdog;   /* seconds without progress = deadlock */
	int atomic_ops;    /* per worker iteration: emulated atomic operations */
	int plain_ops;     /* per worker iteration: plain arithmetic steps */
	bool keep_going;   /* do not stop at the first failure */
	bool probe;        /* the handler only counts: the signal-rate ceiling */
	int force_outcome; /* an enum outcome to report instead of the judged one, or -1 */
};

struct worker {
	int index;
	pid_t tid;
	pthread_t thread;
	void *altstack;
	timer_t timer;
	bool has_timer;
	uint64_t rng;
	uint32_t seq;          /* next sample sequence number (handler only) */
	int start_error;       /* 0, or the errno of the worker's own setup (sigaltstack) */
	/* single-writer counters (see above) */
	uint32_t iterations;   /* progress ticks: one per atomic op, one per 16 plain steps */
	uint32_t handled;
	uint32_t in_atomic;    /* signals whose PC was in atomic code: near misses */
	uint32_t lost_atomic;  /* fate LOST_ATOMIC */
	uint32_t recorded;     /* fate RECORDED */
	uint32_t too_late;
	uint32_t ignored;
	uint32_t flushes;      /* unlocked flushes run by this thread's handler */
	uint32_t in_libatomic; /* signals whose PC class was libatomic (inside a locking libatomic call) */
	uint32_t in_handler;
	uint32_t in_c11_count; /* libatomic-deadlock: the handler is in sigprof_count_c11 */
	uint32_t in_rate_change; /* rate-change, the controller's slot: main is in cpuprof_start/stop */
	uint32_t exited;       /* set when the worker leaves its loop for good */
	uint32_t last_pc_class;
	uintptr_t last_pc;
	/* reader-owned */
	uint32_t last_seq_read;
	bool seen;
} __attribute__((aligned(64)));

/* The run's first failure (see above; run.c). */
struct first_failure {
	uint32_t claimed;      /* 0 -> 1, once, by one CAS: the claimer writes the rest */
	uint32_t published;    /* release-stored 1 by the claimer once written */
	double when;           /* run_clock() seconds */
	char detail[1024];
};

struct run {
	struct options opt;            /* immutable once the run starts */
	double t0;                     /* monotonic start, immutable */
	struct cpuprof prof;
	/* workers[threads] is the controller's (main's) slot in rate-change,
	 * where main is a SIGPROF target too (run_targets) */
	struct worker workers[MAX_WORKERS + 1];
	uint64_t *hot;                 /* the words workers hammer */
	uint64_t *targets[MAX_TARGETS]; /* hot words sharing a spinlock with the log's index words, or not */
	int ntargets;

	/* control: written by main, read everywhere (relaxed is enough: the
	 * readers poll, and act only on a value they are allowed to see late) */
	uint32_t stop_workers;
	uint32_t stop_source;
	uint32_t session;              /* generation of the current log */
	uint32_t main_progress;        /* main's progress ticks (run_note_progress) */

	/* source */
	uint32_t sent;

	/* reader */
	pthread_t reader;
	uint32_t reader_records;       /* progress for the watchdog */
	uint32_t reader_done_session;  /* last session whose eof the reader saw */
	uint32_t reader_exit;
	struct cpuprof_totals totals;  /* summed over sessions, by the reader */

	/* failures: any thread, through run.c only */
	uint32_t corruptions[NKINDS];  /* atomic counts */
	struct first_failure failure;
	uint32_t reported;             /* the result line is claimed (run_claim_report) */

	/* libatomic-deadlock: the handlers' C11 counter (sigprof.h), alone in its
	 * 64-byte granule, so libatomic's mutex for it is the one the workers'
	 * targets share (workers_choose_targets) and guards nothing else here.
	 * Only handlers touch it while the run lasts; main reads it once they are
	 * done (run_finish). The watchdog never does: where libatomic locks,
	 * reading it takes the very mutex a deadlocked worker holds. */
	struct sigprof_c11_count c11 __attribute__((aligned(64)));

	/* the end, written by main once only the watchdog still runs (run_finish) */
	uint32_t finished;
	uint64_t residue;              /* lost-atomic counts never flushed */
	uint64_t c11_samples;          /* libatomic-deadlock: c11.samples at the end */

	/* profile-stop: every log of the run, kept until the end so a write after
	 * close lands in memory we still own and can be seen */
	struct profbuf *logs[MAX_SESSIONS];
	uint64_t w_at_eof[MAX_SESSIONS]; /* profbuf_write_position when the reader saw eof */
	bool eof_seen[MAX_SESSIONS];    /* the reader got eof (not a failure) */
	int nlogs;
};

/* The counters of the result line, gathered at one moment. */
struct tally {
	uint64_t c[CTR_COUNT];         /* protocol.h's counters, by enum counter */
	int64_t racy_delta;            /* lost-atomic counts read + residue - lost in atomics;
					* 0 until run_finish */
};

/* What a run comes to: the outcome and what the result line says of it. */
struct verdict {
	enum outcome outcome;
	double first_failure;          /* run_clock() seconds, or < 0: none (null) */
	char detail[1024];
};

/* ---- run.c: the run state; calls nothing else in cases/ ---- */

extern struct run *the_run; /* for the signal handler */

/* The run of this process, with its options, its clock started. Once. */
struct run *run_init(const struct options *o);
/* Seconds since the run started (monotonic); any thread. */
double run_clock(void);
/* Main thread: "I am making progress" (the watchdog watches main too). */
void run_note_progress(struct run *r);
uint32_t run_main_progress(const struct run *r);

/* The first failure. run_fail claims it for the caller: true once per run,
 * for the first caller, whose `when` and text then become it; false for
 * everyone after (their text is dropped). Never waits; not for signal
 * context (vsnprintf). */
bool run_fail(struct run *r, double when, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A failure has been claimed (maybe not yet published): stop early. */
bool run_failed(const struct run *r);
/* The published first failure, or NULL (not claimed, or being written). */
const struct first_failure *run_failure(const struct run *r);
/* run_failure, polling up to `seconds` for a claimed one to be published. */
const struct first_failure *run_failure_wait(const struct run *r, double seconds);
/* One corruption of kind: counted, the run's first failure if it is one,
 * said on stderr ("torture: !!! kind: text"). Reader and main threads. */
void run_corruption(struct run *r, enum corruption kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The one result line: true for the first caller, who must then print it;
 * false for everyone after, who must not. */
bool run_claim_report(struct run *r);

/* Main thread, once every thread but the watchdog has stopped: the
 * lost-atomic counts no flush wrote, and (libatomic-deadlock) the C11
 * counter's total; the tally then has racy_delta. */
void run_finish(struct run *r, uint64_t residue);
/* Every counter of the result line. Any thread: exact once the threads
 * are done, a snapshot before (the watchdog's). */
void run_tally(const struct run *r, struct tally *t);

/* ---- options.c (called by main.c) ---- */

/* Parses argv into o, defaults included, and makes every cross-option check.
 * Usage errors: one line on stderr, exit PROTOCOL_EXIT_USAGE. --help,
 * --list and --protocol print and exit 0. Before anything starts. */
void options_parse(int argc, char **argv, struct options *o);

/* ---- expected.c (called by options.c) ---- */

/* The expected outcome set of one cell, from cases/expected.tsv as built in;
 * exits with the error status if the table has no row for it. */
const char *expected_outcome(const char *arch, const char *kase, const char *variant,
			     const char *atomics);

/* ---- workers.c (called by main.c; oracle.c for sample_checksum) ---- */

/* The SIGPROF handler; global only so ci/check-handler-safety can root its
 * reachability analysis here. */
void torture_sigprof_handler(int sig, siginfo_t *si, void *uc);
uintptr_t sample_checksum(uintptr_t tid, uintptr_t seq, uintptr_t pc);
/* Installs the handler, starts every worker and waits until each runs with
 * its alternate stack. 0, or -1 with the reason in why. */
int workers_start(struct run *r, char *why, size_t cap);
void workers_stop(struct run *r);
/* rate-change: makes the calling thread (main) the controller, a SIGPROF
 * target in slot workers[threads] with the workers' handler, and unblocks
 * SIGPROF for it. After workers_start, before source_start. */
void workers_adopt_controller(struct run *r);
/* The controller stops taking SIGPROF (blocks it again). */
void workers_release_controller(void);
void workers_choose_targets(struct run *r, struct profbuf *log);
bool log_shares_a_lock_with_targets(const struct run *r, struct profbuf *log);

/* ---- sources.c (called by main.c) ---- */

int source_start(struct run *r, char *why, size_t cap); /* 0, or -1 with the reason */
void source_stop(struct run *r);

/* ---- oracle.c (called by main.c) ---- */

int reader_start(struct run *r, char *why, size_t cap); /* 0, or -1 with the reason */
void reader_join(struct run *r);

/* ---- watchdog.c (called by main.c) ---- */

int watchdog_start(struct run *r, char *why, size_t cap); /* 0, or -1 with the reason */

/* ---- judge.c (called by main.c) ---- */

/* The verdict of a run whose threads are done: the first failure if one
 * was published; else conservation (drift), then evidence that something
 * was exercised (vacuous), else pass; then --force-outcome. */
void judge(const struct run *r, const struct tally *t, struct verdict *v);

/* ---- result.c (called by main.c and watchdog.c) ---- */

/* Formats the run's result line for v into a buffer on the caller's stack
 * and write(2)s it to fd. Any thread; no lock, no allocation, no state
 * shared with another caller. The caller holds run_claim_report. */
void result_line_write(const struct run *r, const struct verdict *v, int fd);

/* The threads SIGPROF is aimed at, workers[0 .. run_targets): the workers,
 * and in rate-change also main, the controller that starts and stops the
 * profile (workers[threads]): as in Go, where setcpuprofilerate runs on a
 * thread the process's SIGPROF can reach. Their handlers' counters all count. */
static inline int run_targets(const struct run *r)
{
	return r->opt.threads + (r->opt.kase == CASE_RATE_CHANGE);
}

/* 32-bit single-writer counters: plain loads and stores on every arch. */
static inline void bump(uint32_t *c)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
}
static inline uint32_t peek(const uint32_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

#endif
