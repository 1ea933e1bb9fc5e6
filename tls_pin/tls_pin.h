/*
 * tls_pin — i686 programs keep their own thread-local storage under
 * qemu-i386 user-mode.
 *
 * The emulator's bug
 * ------------------
 * On 32-bit x86 a thread finds its TLS through %gs. glibc points %gs at a
 * GDT descriptor (set_thread_area; pthread_create's CLONE_SETTLS), and the
 * kernel keeps the GDT's TLS entries per thread, swapping them at each
 * context switch. qemu-i386 7.2 keeps ONE guest GDT for all guest threads.
 * That is harmless while the base cached in each vCPU's %gs is never
 * reloaded, but sigreturn reloads every segment register from the signal
 * frame (restore_sigcontext), and the reload reads the shared GDT entry,
 * whose base is that of whichever thread last wrote it. From its second
 * signal on, a thread's __thread variables, errno and glibc's own per-thread
 * state belong to another thread (a torture run handled 2 of 43 signals: one
 * per worker).
 *
 * The fix
 * -------
 * The LDT is shared by all threads too, but it has 8192 entries: each
 * thread gets an entry of its own, holding its own TLS base (the TCB, which
 * glibc keeps at %gs:0), and loads %gs with that entry's selector. A reload
 * at sigreturn then reads the thread's own entry. Every thread is pinned
 * before it can take a signal:
 *   - the main thread by a constructor, before any other thread exists;
 *   - every other thread at its start, through pthread_create, which the
 *     arch's link flags wrap (ci/arches.tsv's ldflags column:
 *     -Wl,--wrap=pthread_create); the new thread starts with every signal
 *     blocked and restores its creator's mask only once pinned.
 * pthread_create itself must run on the GDT selector: glibc derives the new
 * thread's descriptor number from %gs. The creator blocks its signals,
 * rewrites the shared GDT entry with its own base, loads the GDT selector,
 * creates, and goes back to its LDT selector; a lock orders these rewrites
 * between creators (the only other GDT writer is the clone inside).
 *
 * Pinning is on only where it is needed: an i686 program whose uname says
 * the machine is not x86_64 (qemu-i386 says i686; an x86-64 kernel running
 * the program natively says x86_64, and keeps TLS right by itself). A real
 * 32-bit kernel would also be pinned, which is harmless. Elsewhere, and on
 * every other arch, this unit does nothing and pthread_create is not
 * wrapped.
 *
 * Limits: LDT entries are never reused (a thread's glibc teardown still
 * runs on its selector after its start routine returns), so a process pins
 * at most 8191 threads; later ones run unpinned and are counted. Threads
 * glibc creates for itself (SIGEV_THREAD timers) do not go through the
 * wrapper.
 */
#ifndef TLS_PIN_H
#define TLS_PIN_H

#include <stdbool.h>

#include <pthread.h>

/* Whether this process pins its threads (i686 under qemu-i386). */
bool tls_pin_active(void);

/* Threads pinned so far in this process, the main thread included, and
 * threads that could not be pinned (no LDT entry left, or modify_ldt
 * refused). Both 0 when pinning is off. */
unsigned tls_pin_pinned(void);
unsigned tls_pin_unpinned(void);

/* The negative control's thread: created as pthread_create would be, but
 * left on glibc's GDT selector, unpinned, as every thread was before this
 * unit. Under qemu-i386 its TLS is another thread's after its first signal
 * (tests/check_tls_pin.c shows it); elsewhere this is pthread_create. */
int tls_pin_create_unpinned(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
			    void *arg);

#endif
