/*
 * What the unit's files share (internal; the contract is atomic_emul.h).
 *
 *   atomic_emul.c  the section: every atomic operation, the spinlocks, the
 *                  classifier, the lock introspection.
 *   config.c       parsing and configuring, before other threads run.
 *   libatomic.c    libatomic's lock table: finding it, probing whether it is
 *                  used, and holding one of its mutexes for the test helper.
 *   outline.c      the table of out-of-line libgcc helpers (outline.h).
 *
 * The state below is written only by atomic_emul_configure, before any
 * other thread uses the unit, and read everywhere else without ordering.
 */
#ifndef ATOMIC_EMUL_INTERNAL_H
#define ATOMIC_EMUL_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "atomic_emul.h"

/* What the target offers: lock-free 64-bit atomics (native), and the ARM
 * kernel helpers (kuser). */
#if __GCC_ATOMIC_LLONG_LOCK_FREE == 2
#define HAVE_NATIVE64 1
#else
#define HAVE_NATIVE64 0
#endif
#if defined(__arm__) && defined(__linux__)
#define HAVE_KUSER 1
#else
#define HAVE_KUSER 0
#endif
/* hppa Linux's gateway page (page zero): its light-weight syscalls, entered
 * at 0xb0, are the CPU's only compare-and-swap: the kernel's atomic helpers,
 * as ARM's kuser page is ARM's. Ordinary system calls enter at 0x100. */
#if defined(__hppa__) && defined(__linux__)
#define HAVE_GATEWAY 1
#define HPPA_LWS_ENTRY 0xb0u
#define HPPA_SYSCALL_ENTRY 0x100u
#else
#define HAVE_GATEWAY 0
#endif

extern struct atomic_emul_config ae_config;

/* libatomic as this process really has it. */
struct ae_libatomic {
	bool locks;             /* its 8-byte operations take one of its mutexes */
	pthread_mutex_t *table; /* its `locks` array, or NULL when unknown */
	size_t stride;          /* bytes from one mutex to the next */
};
extern struct ae_libatomic ae_libatomic;

/* libatomic's hash: the index of the mutex it takes for addr. */
int ae_libatomic_index(const void *addr);

/* The mutex libatomic takes for addr, or NULL (strategy not libatomic, or
 * lock-free, or the table unknown). */
pthread_mutex_t *ae_libatomic_mutex(const void *addr);

/* libatomic.c: finds and probes the table; fills *out. 0, or -1 with one
 * line on stderr when libatomic locks but cannot be mirrored. */
int ae_libatomic_discover(struct ae_libatomic *out);

/* atomic_emul.c: the part of atomic_emul_hold_lock_until that must run in
 * the section: takes the spinlock guarding addr (if the strategy has
 * spinlocks), sets *holding, spins until *release, releases. */
void ae_hold_spinlock_until(const uint64_t *addr, uint32_t *holding, const uint32_t *release);

#endif
