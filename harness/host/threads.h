/*
 * threads — where every thread of a hung process is, read from /proc while
 * it hangs, so that a run that stays silent on its kill signal still says
 * something.
 *
 * Between the kill signal (SIGQUIT by default) and the SIGKILL that
 * follows it, spawn.c samples the run's leader every time it looks at its
 * procs (at most every THREADS_SAMPLE_EVERY_S): for each thread its name,
 * state, user and system CPU time, and what it is doing, read from
 * /proc/<pid>/task/<tid>/: the system call it is in (syscall), else
 * "running" in user space, else the kernel function it sleeps in (wchan).
 * The table then says per thread how much of the watch it spent on a CPU
 * (user, system) and its most frequent activity, and one phrase sums it
 * up for the failure's signature: "4 threads spinning" (runnable in most
 * samples: a livelock such as a sched_yield loop, whose table then shows
 * mostly system time), "2 threads blocked in futex" (asleep in that call
 * in nearly every sample), "1 of 3 threads busy now and then". The state,
 * not the CPU share, decides, so four spinners on two loaded cores are
 * still spinners and the words do not change with the load. The kernel
 * names the call only of a sleeping thread (/proc/<tid>/syscall reads
 * "running" otherwise), so a spinner's calls are not named.
 *
 * Under qemu-user every guest thread is a host thread of the emulator, so
 * the table shows the guest's threads as the host sees them; the guest's
 * own program counters are not here. The system-call numbers are the
 * host's (the runner runs natively).
 *
 * Reading another process's syscall and wchan files needs ptrace access:
 * the runs are the runner's children, which Yama's default allows; what
 * cannot be read shows as "?". Single-threaded, as the runner is.
 */
#ifndef HARNESS_THREADS_H
#define HARNESS_THREADS_H

#include <stddef.h>
#include <sys/types.h>

#include "util.h"

#define THREADS_SAMPLE_EVERY_S 0.05

struct threads_watch;

/* Starts watching pid's threads with a first sample; NULL when /proc has
 * no such process. */
struct threads_watch *threads_watch_begin(pid_t pid, double now);
/* Another sample, when THREADS_SAMPLE_EVERY_S has passed since the last. */
void threads_watch_sample(struct threads_watch *w, double now);
/* The table (lines ending in '\n') into table, the summary phrase into
 * summary ("" when no thread was seen twice). */
void threads_watch_report(const struct threads_watch *w, struct sbuf *table, char *summary,
			  size_t cap);
void threads_watch_free(struct threads_watch *w);

#endif
