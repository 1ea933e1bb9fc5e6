/*
 * litmus — what the litmus programs (mp.c, tear64.c) share: two threads on
 * CPUs of their own, so that they really run at the same time. Best effort:
 * unpinned, the two may share a CPU and never race, which each program's
 * evidence thresholds then report. Their clock is tests/support/child.h's
 * now_seconds().
 */
#ifndef LITMUS_H
#define LITMUS_H

/* The first two CPUs this process may use, into cpus[0] and cpus[1]; both
 * -1 when it may use fewer than two. Call once, before the threads start. */
void litmus_choose_cpus(int cpus[2]);

/* Pins the calling thread to cpu; nothing when cpu is -1. */
void litmus_pin(int cpu);

#endif
