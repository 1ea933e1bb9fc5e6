/*
 * timergate_file — the file through which qemu-user's timer-gate plugin
 * (timergate.c, loaded as `qemu-<arch> -plugin timergate.so,out=FILE`) tells
 * the runner's signal cannon which threads the kernel would send SIGPROF to
 * right now: the threads of a process whose ITIMER_PROF (setitimer) or
 * process-directed POSIX timer (timer_create, SIGEV_SIGNAL) is armed, and
 * each thread whose own POSIX timer (SIGEV_THREAD_ID) is armed. The cannon
 * fires only there (harness/host/timer_gate.h, cannon.h "Gate").
 *
 * The runner creates FILE, exactly sizeof(struct timergate_file) bytes with
 * magic, version and size filled in and the rest zero, and maps it shared.
 * The plugin checks the header, maps it and sets status: TIMERGATE_WATCHING
 * once it follows the guest's timer calls, TIMERGATE_CANNOT (with why) when
 * it cannot (a target whose system calls it has no table for); until then
 * the status is TIMERGATE_STARTING and the gate is closed.
 *
 * Opening and closing. A timer call that arms a timer opens the gate when
 * it has returned 0 (from then on the kernel may send its signal). A call
 * that disarms (a zero it_value, or timer_delete) closes the gate BEFORE
 * it runs, in two steps, so that no signal leaves the cannon after the
 * call has taken effect:
 *   1. the plugin clears the armed state (process_armed, or the thread's
 *      entry in armed_tid);
 *   2. it waits until `firing` is 0.
 * The cannon, for each signal: sets firing = 1, reads the gate, sends the
 * signal if the gate is open for that thread, sets firing = 0. All four
 * accesses of that pattern (the plugin's store then load, the cannon's
 * store then load) are sequentially consistent: in their single total
 * order either the cannon's `firing = 1` comes before the plugin's clear
 * (then the plugin's load of firing sees 1 until the signal has been sent)
 * or after it (then the cannon's read of the gate sees it closed). The
 * wait is bounded (TIMERGATE_WAIT_S, in case the runner died mid-signal);
 * a wait that timed out is counted in wait_timeouts.
 *
 * The edge. A signal the cannon sent before step 1 is already pending on
 * its thread (in the host kernel, or in qemu's queue for the guest) and is
 * delivered when the disarming call returns, before the program's next
 * instruction: what the kernel does with a timer signal generated just
 * before a disarm. It counts as sent while the gate was open. What the
 * gate excludes is a signal that arrives later than that: one the real
 * kernel sends only when its delivery is late (the case --signal-anytime
 * keeps, docs/stress.md).
 *
 * Counters (relaxed, for the report): opens and closes of the gate,
 * waits (a close that found firing set) and wait_timeouts.
 *
 * Both sides are the same host: the layout is the host's, and the version
 * changes with any change to it.
 */
#ifndef TIMERGATE_FILE_H
#define TIMERGATE_FILE_H

#include <stdint.h>

#define TIMERGATE_MAGIC 0x45544754u /* "TGTE", little-endian */
#define TIMERGATE_VERSION 1u
#define TIMERGATE_THREADS 256u /* thread timers armed at once that the gate tracks */
#define TIMERGATE_WAIT_S 1.0

enum timergate_status {
	TIMERGATE_STARTING = 0,
	TIMERGATE_WATCHING = 1,
	TIMERGATE_CANNOT = 2,
};

struct timergate_file {
	uint32_t magic, version, size;
	/* the plugin's; enum timergate_status */
	uint32_t status;
	char why[112];           /* TIMERGATE_CANNOT: why, NUL-terminated */
	char target[16];         /* qemu's target name, e.g. "mipsel" */
	/* the gate: written by the plugin, read by the cannon */
	uint32_t process_armed;  /* process-directed profiling timers armed now */
	int32_t armed_tid[TIMERGATE_THREADS]; /* threads whose own timer is armed; 0: free */
	/* the cannon's: 1 from before its look at the gate until after its signal */
	uint32_t firing;
	uint32_t pad;
	uint64_t opens, closes, waits, wait_timeouts;
};

#endif
