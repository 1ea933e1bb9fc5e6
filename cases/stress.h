/*
 * stress — the cases that make golang/go#20146 and #24991 happen, internal
 * interfaces between the files of cases/ (the program's own contract, its
 * options, result line and exit codes, is in main.c's usage text and the
 * README).
 *
 * Threads of one run
 * ------------------
 *   main        parses options, runs sessions (cpuprof_start/stop), joins,
 *               judges, prints the one result line. SIGPROF blocked.
 *   workers[N]  the profiled threads: hammer emulated 64-bit atomics and run
 *               plain code; the only threads with SIGPROF unblocked. Each has
 *               its own alternate signal stack.
 *   source      the cannon (tgkill round-robin), or nothing for itimer /
 *               thread-timer (the kernel sends those).
 *   reader      Go's profileWriter: reads the log, validates every record.
 *   watchdog    sees per-worker progress stop; dumps state; exits 3.
 *
 * Counters
 * --------
 * Every per-worker counter has exactly one writer, the worker itself (in its
 * loop or in its own signal handler, which cannot nest), and is read by the
 * others with relaxed loads: exact at the end, approximate while running.
 * They are 32-bit so they stay plain loads and stores on every arch (a 64-bit
 * atomic would be emulated, i.e. take the very spinlocks under test).
 */
#ifndef PROFTORTURE_STRESS_H
#define PROFTORTURE_STRESS_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "atomic_emul.h"
#include "cpuprof.h"
#include "protocol.h"
#include "sigprof.h"

#define MAX_WORKERS 32 /* QEMU allows 32 POSIX timers: thread-timer's bound */
#define MAX_SESSIONS 4096

/* Cases, sources, outcomes (and their exit statuses) and corruption kinds
 * are protocol.h's. */

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
	/* single-writer counters (see above) */
	uint32_t iterations;   /* progress ticks: one per atomic op, one per 16 plain steps */
	uint32_t handled;
	uint32_t in_atomic;    /* signals whose PC was in atomic code: near misses */
	uint32_t lost_atomic;  /* fate LOST_ATOMIC */
	uint32_t recorded;     /* fate RECORDED */
	uint32_t too_late;
	uint32_t ignored;
	uint32_t flushes;      /* unlocked flushes run by this thread's handler */
	uint32_t in_handler;
	uint32_t exited;       /* set when the worker leaves its loop for good */
	uint32_t last_pc_class;
	uintptr_t last_pc;
	/* reader-owned */
	uint32_t last_seq_read;
	bool seen;
} __attribute__((aligned(64)));

struct run {
	struct options opt;
	double t0;                     /* monotonic start */
	struct cpuprof prof;
	struct worker workers[MAX_WORKERS];
	uint64_t *hot;                 /* the words workers hammer */
	uint64_t *targets[8];          /* hot words sharing a spinlock with the log's index words */
	int ntargets;

	/* control: written by main, read everywhere (relaxed is enough: the
	 * readers poll, and act only on a value they are allowed to see late) */
	uint32_t stop_workers;
	uint32_t stop_source;
	uint32_t session;              /* generation of the current log */

	/* source */
	uint32_t sent;

	/* reader */
	pthread_t reader;
	uint32_t reader_records;       /* progress for the watchdog */
	uint32_t reader_done_session;  /* last session whose eof the reader saw */
	uint32_t reader_exit;
	struct cpuprof_totals totals;  /* summed over sessions */
	uint32_t corruptions[NKINDS];
	uint32_t failed;               /* set once, by the first failure */
	double first_failure;
	char detail[1024];             /* description of the first failure */

	/* profile-stop: every log of the run, kept until the end so a write after
	 * close lands in memory we still own and can be seen */
	struct profbuf *logs[MAX_SESSIONS];
	uint64_t w_at_eof[MAX_SESSIONS];
	bool eof_seen[MAX_SESSIONS];    /* the reader got eof (not a failure) */
	int nlogs;
};

extern struct run *the_run; /* for the signal handler and the watchdog */

/* workers.c */
/* The SIGPROF handler; global only so ci/check-handler-safety can root its
 * reachability analysis here. */
void stress_sigprof_handler(int sig, siginfo_t *si, void *uc);
uintptr_t sample_checksum(uintptr_t tid, uintptr_t seq, uintptr_t pc);
int workers_start(struct run *r);
void workers_stop(struct run *r);
void workers_choose_targets(struct run *r, struct profbuf *log);
bool log_shares_a_lock_with_targets(const struct run *r, struct profbuf *log);

/* sources.c */
int source_start(struct run *r);  /* 0, or -1 with a message on stderr */
void source_stop(struct run *r);

/* oracle.c */
int reader_start(struct run *r);
void reader_join(struct run *r);
void record_failure(struct run *r, enum corruption kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum corruption corruption_from_code(int code);

/* watchdog.c */
int watchdog_start(struct run *r);
void watchdog_progress_note(void);   /* main thread: "I am making progress" */

/* expected.c */
const char *expected_outcome(const char *arch, const char *kase, const char *variant,
			     const char *atomics);

/* main.c */
double run_clock(void);
void print_result_line(struct run *r, enum outcome o, int fd);

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
