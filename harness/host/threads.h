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
 * in nearly every sample), "1 of 3 threads busy now and then": the phrase
 * most threads share, except that spinning threads, when any spin, are
 * named however many sleep beside them ("4 of 11 threads spinning": the
 * other seven, a Go runtime's idle threads, are bystanders). The state,
 * not the CPU share, decides, so four spinners on two loaded cores are
 * still spinners and the words do not change with the load. The kernel
 * names the call only of a sleeping thread (/proc/<tid>/syscall reads
 * "running" otherwise), so a spinner's calls are not named.
 *
 * Under qemu-user every guest thread is a host thread of the emulator, so
 * the table shows the guest's threads as the host sees them, and the
 * system-call numbers are the host's (the runner runs natively). Where the
 * guest is comes from the guest-PC plugin (guest_pcs.h): each sample also
 * asks it for the thread's guest function, the table gets a guest column
 * ("; guest sched_yield+0x0 20/20 (from spin+0x18)": the function, the
 * samples that found it, the block before it when in another function;
 * "?" without the plugin, "-" for
 * qemu's own threads) and the summary names the function more than half
 * of its threads were in, by each thread's most frequent one: "4 threads
 * spinning in runtime.osyield", "2 threads blocked in futex at
 * runtime.futex" (threads_summary, pure). Only function names count, not
 * offsets or bare addresses: the words group failures.
 *
 * Reading another process's syscall and wchan files needs ptrace access:
 * the runs are the runner's children, which Yama's default allows; what
 * cannot be read shows as "?". Single-threaded, as the runner is.
 */
#ifndef HARNESS_THREADS_H
#define HARNESS_THREADS_H

#include <stddef.h>
#include <sys/types.h>

#include "guest_pcs.h"
#include "util.h"

#define THREADS_SAMPLE_EVERY_S 0.05
/* The summary phrase, with a guest function's name (cut to 63 bytes) */
#define THREADS_SUMMARY_MAX 128

struct threads_watch;

/* Starts watching pid's threads with a first sample; NULL when /proc has
 * no such process. guest: the run's guest-PC plugin under qemu (used, not
 * owned), NULL for a native run (no guest column). */
struct threads_watch *threads_watch_begin(pid_t pid, double now, struct guest_pcs *guest);
/* Another sample, when THREADS_SAMPLE_EVERY_S has passed since the last. */
void threads_watch_sample(struct threads_watch *w, double now);
/* The table (lines ending in '\n') into table, the summary phrase into
 * summary ("" when no thread was seen twice). */
void threads_watch_report(const struct threads_watch *w, struct sbuf *table, char *summary,
			  size_t cap);
void threads_watch_free(struct threads_watch *w);

/* The summary of the seen threads (each sampled at least twice) with
 * their phrases ("spinning", "blocked in futex", ...) and their most
 * frequent guest functions (fns[i] "" or NULL: none known; fns NULL: a
 * native run): the phrase most of them share, or "spinning" when any
 * spins, as "<n>[ of <seen>] thread[s] <phrase>", then " in <fn>" (" at
 * <fn>" when the phrase already says "in") when more than half of those n
 * have fn, then " from <caller>" when callers (NULL: none known) gives
 * every one of those threads the same caller of fn (the function of its
 * block before, guest_pcs.h: "runtime.osyield from
 * runtime.(*cpuProfile).add" names the loop, not just the wrapper it
 * spins through), then " (<k> in <g>)" for the function most of the
 * other threads of that phrase are in, when some are in another known one
 * (the odd one out: often the thread holding what the others wait for).
 * "" when seen is 0. Pure. */
void threads_summary(size_t seen, const char *const *phrases, const char *const *fns,
		     const char *const *callers, char *out, size_t cap);

#endif
