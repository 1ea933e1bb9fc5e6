/* timer_gate: the runner's side of qemu-user's timer-gate plugin. Contract:
 * timer_gate.h; the file and its protocol: qemu_plugin/timergate_file.h. */
#define _GNU_SOURCE
#include "timer_gate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_file.h"
#include "util.h"

struct timer_gate {
	char *plugin; /* NULL: off */
	int fd;
	struct timergate_file *file;
	char problem[128];
};

struct timer_gate *timer_gate_new(const char *plugin)
{
	struct timer_gate *g = xcalloc(1, sizeof *g);
	g->fd = -1;
	if (!plugin) {
		snprintf(g->problem, sizeof g->problem,
			 "the timer-gate plugin is not built (make builds build/native/timergate.so)");
		return g;
	}
	void *m;
	g->fd = plugin_file_new("proftorture-timergate", sizeof(struct timergate_file), &m);
	if (g->fd < 0) {
		snprintf(g->problem, sizeof g->problem, "cannot make the gate's file: %m");
		return g;
	}
	g->file = m;
	g->file->magic = TIMERGATE_MAGIC;
	g->file->version = TIMERGATE_VERSION;
	g->file->size = sizeof(struct timergate_file);
	g->plugin = xstrdup(plugin);
	return g;
}

char **timer_gate_argv(const struct timer_gate *g, char *const *argv)
{
	return g && g->plugin ? plugin_argv(g->plugin, g->fd, argv) : (char **)argv;
}

void timer_gate_argv_free(char **argv, char *const *orig)
{
	plugin_argv_free(argv, orig);
}

const struct timergate_file *timer_gate_file(const struct timer_gate *g)
{
	return g ? g->file : NULL;
}

void timer_gate_free(struct timer_gate *g)
{
	if (!g)
		return;
	plugin_file_free(g->fd, g->file, sizeof(struct timergate_file));
	free(g->plugin);
	free(g);
}

/* Sequentially consistent loads: the cannon's half of the close protocol
 * (timergate_file.h) needs its read of the gate ordered after its store
 * of `firing`. */
bool timer_gate_read(const struct timergate_file *f, int32_t *tids, size_t cap, size_t *n)
{
	*n = 0;
	if (!f || __atomic_load_n(&f->status, __ATOMIC_ACQUIRE) != TIMERGATE_WATCHING)
		return false;
	if (__atomic_load_n(&f->process_armed, __ATOMIC_SEQ_CST))
		return true;
	for (unsigned i = 0; i < TIMERGATE_THREADS && *n < cap; i++) {
		int32_t tid = __atomic_load_n(&f->armed_tid[i], __ATOMIC_SEQ_CST);
		if (tid)
			tids[(*n)++] = tid;
	}
	return false;
}

struct timer_gate_counts timer_gate_counts(const struct timer_gate *g)
{
	struct timer_gate_counts c = { 0 };
	if (!g)
		return c;
	const struct timergate_file *f = g->file;
	if (!f) {
		snprintf(c.problem, sizeof c.problem, "%s", g->problem);
		return c;
	}
	uint32_t status = __atomic_load_n(&f->status, __ATOMIC_ACQUIRE);
	c.watching = status == TIMERGATE_WATCHING;
	c.opens = __atomic_load_n(&f->opens, __ATOMIC_RELAXED);
	c.closes = __atomic_load_n(&f->closes, __ATOMIC_RELAXED);
	c.waits = __atomic_load_n(&f->waits, __ATOMIC_RELAXED);
	c.wait_timeouts = __atomic_load_n(&f->wait_timeouts, __ATOMIC_RELAXED);
	if (status == TIMERGATE_CANNOT)
		snprintf(c.problem, sizeof c.problem, "the timer gate cannot watch: %.90s", f->why);
	else if (status != TIMERGATE_WATCHING)
		snprintf(c.problem, sizeof c.problem,
			 "the timer-gate plugin never started (is it qemu-user with -plugin?)");
	return c;
}
