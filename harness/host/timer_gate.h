/*
 * timer_gate — the runner's side of qemu-user's timer-gate plugin
 * (qemu_plugin/timergate_file.h, build/native/timergate.so): for a run under
 * qemu with a gated cannon (the default of every cannon under qemu), which
 * threads the kernel would send SIGPROF to now.
 *
 * spawn.c makes one per such run: timer_gate_new creates the gate's file
 * (plugin_file.h) and timer_gate_argv loads the plugin on it; the cannon
 * (cannon.h, "Gate") reads timer_gate_file before each signal. Natively
 * there is no gate: the kernel's own view of the program's timers is not
 * readable from outside, so a native cannon fires at any time (docs/stress.md).
 *
 * When the plugin is not built, or the file cannot be made, the gate is
 * made but off (timer_gate_problem says why) and never opens: the run gets
 * no signal and is unexercised, never clean. Single-threaded, as the
 * runner is; the cannon's thread only reads the file.
 */
#ifndef HARNESS_TIMER_GATE_H
#define HARNESS_TIMER_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "timergate_file.h"

struct timer_gate;

/* With the plugin at plugin (arches.h's timergate_plugin_path; NULL: not built). */
struct timer_gate *timer_gate_new(const char *plugin);
/* argv (qemu first) with the plugin loaded; argv itself when off. */
char **timer_gate_argv(const struct timer_gate *g, char *const *argv);
void timer_gate_argv_free(char **argv, char *const *orig);
/* The file the cannon reads; NULL when off (the gate never opens). */
const struct timergate_file *timer_gate_file(const struct timer_gate *g);
void timer_gate_free(struct timer_gate *g);

/* The gate now, for the cannon (cannon.h "Gate"), in one read of the file: true when the process's timer is
 * armed (every thread is open); else the threads whose own timer is armed,
 * at most cap of them, into tids, their number into *n. */
bool timer_gate_read(const struct timergate_file *f, int32_t *tids, size_t cap, size_t *n);

/* What the gate did in a run, for reports. */
struct timer_gate_counts {
	bool watching;      /* the plugin followed the program's timer calls */
	uint64_t opens, closes, waits, wait_timeouts;
	char problem[128];  /* why not watching ("" when it was) */
};
struct timer_gate_counts timer_gate_counts(const struct timer_gate *g);

#endif
