/*
 * testpoint — named places in profbuf and cpuprof where a test can park a
 * thread, to force one interleaving deterministically (docs/DESIGN.md, "Two
 * ways to reproduce").
 *
 * Contract: testpoint_hook is NULL except inside a test that installs it
 * before starting its threads and removes it after joining them. The hook is
 * called from whatever context reaches the point, signal handlers included,
 * so a hook must itself be async-signal-safe (spin on an atomic flag; no
 * mutex, no stdio). Cost when unused: one load and one predictable branch.
 */
#ifndef PROFTORTURE_TESTPOINT_H
#define PROFTORTURE_TESTPOINT_H

enum testpoint {
	/* profbuf_write: r and w loaded, record not yet copied into the ring. */
	TESTPOINT_PROFBUF_WRITE_LOADED,
	/* profbuf_write: record copied, commit CAS on w not yet attempted. */
	TESTPOINT_PROFBUF_WRITE_BEFORE_COMMIT,
	/* profbuf_read: the ring looked empty (w loaded), eof not yet looked at. */
	TESTPOINT_PROFBUF_READ_FOUND_EMPTY,
	/* cpuprof: signalLock held, before the log is written. */
	TESTPOINT_CPUPROF_ADD_LOCKED,
	/* cpuprof_start/stop: signalLock held by the controller, hz not yet
	 * changed (Go's setcpuprofilerate section). */
	TESTPOINT_CPUPROF_SET_RATE_LOCKED,
	TESTPOINT_COUNT
};

extern void (*volatile testpoint_hook)(enum testpoint point);

#define TESTPOINT(point)                                   \
	do {                                               \
		void (*hook_)(enum testpoint) = testpoint_hook; \
		if (hook_)                                 \
			hook_(point);                      \
	} while (0)

#endif
