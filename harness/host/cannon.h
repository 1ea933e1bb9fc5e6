/*
 * cannon — signals fired from outside at the threads of running programs,
 * at a set rate, by one thread of the runner (`proftorture stress
 * --signal-rate`).
 *
 * Why. A program that profiles itself with setitimer or timer_create gets
 * its SIGPROFs at the kernel tick at best (about 250 per CPU-second here,
 * whatever rate it asks for). tgkill from outside has no such cap, and a
 * profiler cannot tell the two apart: Go's runtime.validSIGPROF processes
 * every SIGPROF whose si_code is not one of its own timers'.
 *
 * Aim. A target is one process: the run's direct child (natively the
 * program; under --arch, qemu-user, whose threads are the guest's threads
 * plus qemu's own helper). Its thread list (/proc/PID/task) is re-read every
 * CANNON_REFRESH_S; signals go round-robin to the threads whose SigBlk did
 * not block the signal at the last read. qemu's RCU thread blocks every
 * signal, so it is never aimed at.
 *
 * When. From after_s after the process started when after_s >= 0, else from
 * the moment the readiness rule holds, which is that the program has set
 * its action for the signal:
 *   - natively: /proc/PID/status's SigCgt has the signal;
 *   - under qemu-user SigCgt is useless (qemu catches every default-fatal
 *     signal from its first instruction: a SIGPROF then reaches a guest
 *     whose action is still SIG_DFL, and qemu dies of it), so the rule reads
 *     qemu's own trace: with cannon_qemu_args() on its command line, qemu
 *     writes "signal_do_sigaction_host host signal N (MAX M)" to a memfd of
 *     the runner's (cannon_qemu_log_new; qemu opens it as
 *     /proc/<runner>/fd/<fd>, so the guest inherits no extra descriptor)
 *     after it has stored a guest sigaction that sets signal N's action,
 *     before the guest runs again. It names the host signal, so it needs no
 *     table of guest signal numbers (mips's SIGPROF is 29, the host's 27).
 * The rule cannot tell a handler from SIG_DFL under qemu; a program that
 * sets SIG_DFL explicitly, or treats an unexpected signal as fatal, dies of
 * the cannon all the same (docs/stress.md).
 *
 * Gate. A gated aim (the default under qemu; cannon_aim.gated) fires at a
 * thread only while the kernel would send the signal there: while the
 * program's ITIMER_PROF or a process-directed profiling timer is armed (any
 * thread not blocking it), or while that thread's own timer
 * (SIGEV_THREAD_ID) is armed. qemu's timer-gate plugin keeps that state in
 * a shared file (timer_gate.h); before each signal the cannon sets the
 * file's `firing`, reads the gate, sends, and clears `firing`, which with
 * the plugin's close-then-wait makes a disarm and the signals after it
 * exclusive (the proof: qemu_plugin/timergate_file.h). A signal owed while
 * the gate is closed is not sent; `held` counts those. An ungated aim
 * (--signal-anytime) fires whenever the readiness rule holds.
 *
 * Pacing. Each target is owed one signal every 1/rate s from the moment it
 * is ready; the thread wakes at the next signal owed (at least
 * CANNON_MIN_SLEEP_S apart, with 1 µs timer slack) and fires what is owed.
 * A backlog older than CANNON_BACKLOG_S (the thread was not scheduled) is
 * dropped rather than fired in a burst: a standard signal already pending
 * on a thread absorbs the next one, so a burst would be counted as sent and
 * never seen. `sent` counts tgkill calls that succeeded.
 *
 * Concurrency. cannon_new starts the thread (with every signal blocked, so
 * the runner's SIGINT handling stays on its own thread); cannon_add,
 * cannon_remove and cannon_free are called from ONE other thread, the
 * runner's. A mutex guards the target table; the cannon thread holds it
 * while it fires and releases it while it reads /proc or sleeps, so a slow
 * or dying target delays neither the runner nor the other targets.
 * cannon_remove returns only when the thread will never signal that pid
 * again: the caller may reap the process right after, and a recycled pid is
 * never hit.
 */
#ifndef HARNESS_CANNON_H
#define HARNESS_CANNON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct timergate_file;

#define CANNON_REFRESH_S 0.02
#define CANNON_READY_POLL_S 0.002
#define CANNON_MIN_SLEEP_S 50e-6
#define CANNON_BACKLOG_S 0.002

/* The trace event the readiness rule reads under qemu (for checking that a
 * qemu has it: `qemu -d trace:help` lists it). */
#define CANNON_QEMU_EVENT "signal_do_sigaction_host"
#define CANNON_QEMU_NARGS 4

/* A memfd (close-on-exec) for one run's qemu trace; -1 with errno. The
 * caller closes it once the run is over. */
int cannon_qemu_log_new(void);
/* The CANNON_QEMU_NARGS qemu options (malloc'd strings, into args) that
 * make qemu log CANNON_QEMU_EVENT to log_fd; insert them before the
 * program. */
void cannon_qemu_args(int log_fd, char **args);

struct cannon_aim {
	int signal;      /* 0: no cannon */
	double rate;     /* signals per second at the whole process */
	double after_s;  /* >= 0: fire from start + after_s; < 0: the readiness rule */
	int qemu_log_fd; /* the readiness rule under qemu: the run's log
			  * (cannon_qemu_log_new), which the cannon only reads;
			  * -1 natively */
	bool gated;      /* fire only where the gate is open (see Gate) */
	struct timergate_file *gate; /* the run's gate (timer_gate.h), set by
				      * spawn.c; NULL when gated: never open */
};

struct cannon_result {
	uint64_t sent;    /* successful tgkill calls */
	uint64_t held;    /* signals owed while the gate was closed, not sent */
	double ready_s;   /* seconds from start to the first signal owed; < 0 never ready */
};

struct cannon;

struct cannon *cannon_new(void);
/* Stops and joins the thread; every target must have been removed. */
void cannon_free(struct cannon *c);
/* Aims at pid (started at `start`, ut_now() seconds); keeps its own
 * duplicate of aim->qemu_log_fd. Returns the target's id. */
int cannon_add(struct cannon *c, pid_t pid, double start, const struct cannon_aim *aim);
/* Stops firing at target id; after it returns no signal will reach it. */
struct cannon_result cannon_remove(struct cannon *c, int id);

/* "PROF", "SIGPROF" or "27" -> 27; 0 when it names no signal. */
int cannon_signal_number(const char *name);

#endif
