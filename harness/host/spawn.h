/*
 * spawn — child processes with a hard deadline, their own process group,
 * and bounded output capture; a pool that runs many of them in parallel
 * and stops cleanly on SIGINT/SIGTERM/SIGHUP.
 *
 * Guarantees (what the rest of the harness relies on)
 * - fork/exec, never system(). In the child, before exec: setpgid(0,0),
 *   PR_SET_PDEATHSIG=SIGKILL (a runner killed with SIGKILL still takes its
 *   direct children down), default dispositions and an empty signal mask,
 *   stdin from /dev/null, RLIMIT_CORE = 0 (qemu-user would otherwise dump
 *   guest cores into the working directory). The parent also calls
 *   setpgid(pid, pid), so the group exists before anyone may signal it.
 * - An exec failure is reported through a close-on-exec pipe, so "could
 *   not start" is told apart from "started and exited 127".
 * - Every kill is SIGKILL to the whole group (-pgid). When the group
 *   leader exits, the group is killed BEFORE the leader is reaped (waitid
 *   with WNOWAIT), while the zombie still pins the pid, so no stray
 *   grandchild (a forked helper, a qemu thread group) outlives its run and
 *   a recycled pid can never be hit.
 * - Under qemu (proc_opts.guest_binary) a run with a kill signal is watched
 *   by qemu's guest-PC plugin (guest_pcs.h), so that its thread table says
 *   where each guest thread is in the program.
 * - A dump before the kill (proc_opts.kill_signal, e.g. SIGQUIT, which makes
 *   a Go program print every goroutine): at the deadline that signal goes
 *   to the group first, the bytes captured so far are noted (out_at_kill),
 *   and SIGKILL follows kill_grace_s later unless the leader has exited by
 *   then (a guest deadlocked under qemu-user may ignore every catchable
 *   signal). The default, and proc_start's, is SIGKILL at once.
 * - The signal cannon (proc_opts.cannon, cannon.h) runs on a thread of its
 *   own, created by the pool when a job asks for it; everything else here
 *   stays on the caller's thread. A proc's cannon stops before its kill
 *   signal is sent and before the leader is reaped.
 * - Output: stdout and stderr through pipes (close-on-exec, so parallel
 *   children never hold each other's pipes), or both into one pipe for
 *   "combined output". Each stream keeps its first CAPTURE_HEAD bytes and
 *   its last CAPTURE_TAIL bytes and counts the rest: memory per run is
 *   bounded whatever the child prints. After the leader exits the pipes are
 *   drained for at most DRAIN_GRACE_S seconds.
 * - Pass-through (proc_opts.echo): each stream's bytes are also written,
 *   as they arrive and in full, to a descriptor of the caller's (the
 *   runner's own stdout, or a spill file), so a wrapper can hand a
 *   program's output on unchanged while the capture still classifies it.
 *   A failed write stops the echo of that stream and is kept in
 *   echo_errno; it never stops the run.
 * - The pool is single-threaded (the cannon's thread aside): poll() on all pipes with a short timeout,
 *   waitid() for exits, deadlines checked every iteration. SIGINT, SIGTERM
 *   and SIGHUP set a flag (handlers installed without SA_RESTART so poll
 *   wakes up): no new job starts, every running group gets SIGKILL, the pool
 *   reaps them all and returns the signal number. Interrupted jobs are
 *   handed back with `interrupted` set so callers can leave them out.
 */
#ifndef HARNESS_SPAWN_H
#define HARNESS_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cannon.h"
#include "timer_gate.h"
#include "threads.h"

#define CAPTURE_HEAD (64 * 1024)
#define CAPTURE_TAIL (64 * 1024)
#define DRAIN_GRACE_S 2.0

struct capture {
	char *head;
	size_t head_len;
	char *tail; /* ring of CAPTURE_TAIL bytes once the head is full */
	size_t tail_start, tail_len;
	uint64_t total; /* bytes the child wrote to this stream */
};

void capture_init(struct capture *c);
void capture_add(struct capture *c, const char *data, size_t n);
/* Bytes counted but not kept (0 unless the stream exceeded head+tail). */
uint64_t capture_dropped(const struct capture *c);
/* The kept tail, linearised into a malloc'd buffer (NULL when nothing
 * went past the head). */
char *capture_tail_copy(const struct capture *c, size_t *len);
/* head + "[... N bytes dropped ...]" + tail, malloc'd, NUL-terminated
 * (the bytes themselves may contain NULs; *len is exact). */
char *capture_text(const struct capture *c, size_t *len);
/* Where byte `at` of the stream (counted as in total) lands in
 * capture_text's result: a byte that was dropped maps to the end of the
 * drop marker. */
size_t capture_text_offset(const struct capture *c, uint64_t at);
void capture_free(struct capture *c);

enum proc_state { PROC_IDLE, PROC_RUNNING, PROC_DRAINING, PROC_DONE };

struct proc {
	enum proc_state state;
	pid_t pid;
	int fd[2];            /* stdout, stderr pipes (-1 when closed) */
	struct capture cap[2]; /* [0] stdout (or combined), [1] stderr */
	bool merged;
	double start, deadline, end, drain_until;
	bool timed_out, interrupted;
	bool spawn_failed;
	int spawn_errno;
	int wait_status; /* as from waitpid */
	/* Since the dump before the kill and the cannon (zero/-1 after
	 * proc_start): */
	int kill_signal;         /* sent first at the deadline (0: SIGKILL at once) */
	double kill_grace_s;
	double kill_sent_at;     /* when it was sent (0: never) */
	uint64_t out_at_kill[2]; /* cap[i].total when it was sent */
	bool grace_expired;      /* the leader outlived the grace: SIGKILL followed */
	/* Where the leader's threads were from the kill signal to the end
	 * (threads.h); NULL unless a kill signal was sent. Freed by
	 * proc_release. */
	struct threads_watch *watch;
	/* The guest-PC plugin's file for a run under qemu with a kill signal
	 * (guest_pcs.h); NULL otherwise. Freed by proc_release. */
	struct guest_pcs *guest;
	/* The timer gate of a run with a gated cannon (timer_gate.h); NULL
	 * otherwise. gate_counts: what it did, valid once the proc is DONE. */
	struct timer_gate *gate;
	struct timer_gate_counts gate_counts;
	bool cannon_on;          /* a cannon target is live for this proc */
	int cannon_id;
	struct cannon *cannon_owner;
	struct cannon_result cannon_result; /* valid once the proc is DONE */
	bool echo;        /* proc_opts.echo, below */
	int echo_fd[2];
	int echo_errno;   /* the first failed echo write's errno, or 0 */
};

/* How to run one proc: proc_start's arguments and the settings since. A
 * zeroed struct plus merge_output/timeout_s is proc_start's behaviour. */
struct proc_opts {
	bool merge_output;
	double timeout_s; /* <= 0: none */
	const char *cwd;  /* NULL: the runner's */
	/* At the deadline: kill_signal to the group first (0 or SIGKILL:
	 * SIGKILL at once), then SIGKILL kill_grace_s later. */
	int kill_signal;
	double kill_grace_s;
	/* The signal cannon; cannon.signal 0: none. Only pool jobs get one. */
	struct cannon_aim cannon;
	/* When echo is set, stream i (0: stdout, or the combined output)
	 * is also written to echo_fd[i] as it arrives (-1: that stream not).
	 * The descriptors stay the caller's: never closed here. */
	bool echo;
	int echo_fd[2];
	/* Non-NULL: argv runs this guest program under qemu (argv[0]). With a
	 * kill signal, the run gets the guest-PC plugin (guest_pcs.h: its two
	 * arguments after argv[0]) and the thread table at the kill signal
	 * names each thread's guest function. guest_plugin: the plugin
	 * (arches.h's guestpc_plugin_path; NULL: not built, the table then
	 * says "guest ?"). */
	const char *guest_binary, *guest_plugin;
	/* With cannon.gated (argv[0] is qemu): the timer-gate plugin
	 * (arches.h's timergate_plugin_path; NULL: not built, and the gate
	 * never opens). */
	const char *gate_plugin;
};

/* Starts argv (argv[0] searched in PATH) with a deadline timeout_s seconds
 * from now (<= 0: none). cwd may be NULL. On exec failure the proc is
 * returned already DONE with spawn_failed set. */
void proc_start(struct proc *p, char *const argv[], bool merge_output, double timeout_s,
		const char *cwd);
/* The same with every setting (the cannon is ignored: pool only). */
void proc_start_opts(struct proc *p, char *const argv[], const struct proc_opts *o);
/* SIGKILL to the proc's process group (no-op unless RUNNING). */
void proc_kill(struct proc *p);
/* Frees captures and closes fds; the proc may be reused. */
void proc_release(struct proc *p);
/* Runs one proc to completion (used for `torture --list`); returns its
 * final state in *p. Honours the interrupt flag. */
void proc_run_sync(struct proc *p, char *const argv[], bool merge_output, double timeout_s);

/* ---- signals ---- */

/* Installs the SIGINT/SIGTERM/SIGHUP handlers and ignores SIGPIPE. */
void spawn_install_signal_handlers(void);
/* The first interrupting signal received, or 0. */
int spawn_interrupted(void);

/* ---- pool ---- */

struct pool_ops {
	/* Called when a slot is free; return true after filling argv (the
	 * job owns it) and *job, false when there is nothing to start now. */
	bool (*next)(void *ctx, char ***argv, bool *merge, double *timeout_s, void **job);
	/* Called once per job when its proc is DONE (also for interrupted jobs). */
	void (*done)(void *ctx, void *job, struct proc *p);
	/* Called every status_interval seconds with the running jobs. */
	void (*status)(void *ctx, double elapsed, void *const *running, size_t nrunning);
	/* Optional: true stops starting new jobs (e.g. --max-failures). */
	bool (*stop)(void *ctx);
};

/* Each job's settings beyond next()'s: called right after next() with *o
 * holding next()'s merge and timeout; may set the rest (kill signal,
 * cannon, ...). */
typedef void (*pool_configure_fn)(void *ctx, void *job, struct proc_opts *o);

/* Runs jobs from ops->next with at most `parallel` alive at once until
 * next() returns false with nothing running, or stop() turns true and the
 * running ones end, or a signal arrives. Returns the signal number (after
 * killing and reaping everything) or 0. */
int pool_run(size_t parallel, const struct pool_ops *ops, void *ctx, double status_interval);
/* pool_run with configure (NULL: every job as pool_run starts it). */
int pool_run_configured(size_t parallel, const struct pool_ops *ops, pool_configure_fn configure,
			void *ctx, double status_interval);

#endif
