/*
 * atomic_emul: spinlock-emulated 64-bit atomics (Go's atomic_mipsx.go and
 * atomic_arm.go in C), libatomic's, and the classifier. Contract:
 * atomic_emul.h; how the files divide the unit: internal.h.
 *
 * Every function below carries AE_TEXT and so lives in the section
 * "atomic_emul_text"; ci/check-section fails the build if the compiler moved
 * any code of this file elsewhere (a hot/cold split, say), because the
 * classifier would then miss it exactly like Go's check misses the kernel page.
 *
 * Memory orders. Spinlock acquire is an acquire CAS and release is a release
 * store: everything done under the lock (the plain two-word access) is ordered
 * after the previous holder's accesses, which is what makes each emulated
 * operation linearizable. The public 32-bit operations and the native 64-bit
 * ones are seq_cst, as Go's are. The only relaxed accesses are spin-waits that
 * re-check with an ordered operation before acting, and the owner read of a
 * libatomic mutex (a report, not a decision). The libatomic depth counter is
 * written and read by one thread and its own signal handler only: signal
 * fences (compiler barriers) order it around the call, no CPU fence needed.
 */
#define _GNU_SOURCE
#include "atomic_emul.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "outline.h"

#define AE_TEXT __attribute__((section("atomic_emul_text")))
#define AE_API  __attribute__((section("atomic_emul_text"), noinline))

#define CACHE_LINE 64

#if HAVE_KUSER
/* Linux's ARM kernel user helpers (Documentation/arm/kernel_user_helpers).
 * __kuser_cmpxchg returns 0 when *ptr was oldval and is now newval. */
typedef int (*kuser_cmpxchg_fn)(uint32_t oldval, uint32_t newval, volatile uint32_t *ptr);
typedef void (*kuser_barrier_fn)(void);
#define kuser_cmpxchg ((kuser_cmpxchg_fn)0xffff0fc0)
#define kuser_memory_barrier ((kuser_barrier_fn)0xffff0fa0)
#endif

#ifndef ATOMIC_EMUL_DEFAULT_STRATEGY
#define ATOMIC_EMUL_DEFAULT_STRATEGY ATOMIC_EMUL_NATIVE
#endif
#ifndef ATOMIC_EMUL_DEFAULT_CAS32
#define ATOMIC_EMUL_DEFAULT_CAS32 ATOMIC_EMUL_CAS32_BUILTIN
#endif

/* The lock word holds the holder's kernel tid (0 = free) instead of Go's 1:
 * the same lock, but a watchdog can say who holds it. */
struct spinlock {
	uint32_t holder;
	char pad[CACHE_LINE - sizeof(uint32_t)];
} __attribute__((aligned(CACHE_LINE)));

/* Global uses locktab[0]; striped uses all 57. Never both at once: the
 * strategy is fixed before other threads start. */
static struct spinlock locktab[ATOMIC_EMUL_STRIPES];

/* Written only by atomic_emul_configure, before other threads exist. */
struct atomic_emul_config ae_config = {
	ATOMIC_EMUL_DEFAULT_STRATEGY, ATOMIC_EMUL_DEFAULT_CAS32,
};

/* Until configure has probed: libatomic may lock wherever gcc cannot promise
 * lock-free 64-bit atomics; the table is unknown. */
struct ae_libatomic ae_libatomic = { __GCC_ATOMIC_LLONG_LOCK_FREE < 2, NULL, 0 };

static __thread uint32_t self_tid;

/* Calls into a locking libatomic in progress on this thread (its own signal
 * handler may add one and take it away again before the interrupted call
 * resumes). The classifier's evidence for ATOMIC_PC_LIBATOMIC. */
static __thread uint32_t libatomic_depth;

extern const char __start_atomic_emul_text[];
extern const char __stop_atomic_emul_text[];

/* ---- error path ---- */

AE_TEXT static void write_all(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t k = write(2, s, n);
		if (k <= 0)
			return;
		s += k;
		n -= (size_t)k;
	}
}

__attribute__((noreturn)) AE_API static void misaligned(const volatile void *addr)
{
	static const char msg[] = "atomic_emul: misaligned or NULL 64-bit atomic at 0x";
	char hex[2 * sizeof(uintptr_t) + 1];
	uintptr_t a = (uintptr_t)addr;
	for (int i = (int)(2 * sizeof(uintptr_t)) - 1; i >= 0; i--, a >>= 4)
		hex[i] = "0123456789abcdef"[a & 15];
	hex[2 * sizeof(uintptr_t)] = '\n';
	write_all(msg, sizeof msg - 1);
	write_all(hex, sizeof hex);
	abort();
}

/* Go: "crash on unaligned uint64", then "_ = *addr // if nil, fault before
 * taking the lock". We test for NULL instead of touching the word: a read
 * outside the lock would race with the plain two-word accesses made under
 * it (ThreadSanitizer says so), and NULL is the case the probe was for. */
AE_TEXT static inline void check_aligned(const volatile uint64_t *addr)
{
	if (((uintptr_t)addr & 7) || addr == NULL)
		misaligned(addr);
}

/* ---- the 32-bit primitives every spinlock is made of ---- */

AE_TEXT static inline uint32_t current_tid(void)
{
	if (self_tid == 0) {
		int saved = errno;
		self_tid = (uint32_t)gettid();
		errno = saved;
	}
	return self_tid;
}

#if HAVE_KUSER
/* Go's kernelcas: the helper may report failure spuriously ("Kernel lies;
 * double-check"), so retry while the word still holds old. The helper is a
 * full barrier on both success and failure. */
AE_TEXT static bool kuser_cas(uint32_t *addr, uint32_t old, uint32_t new_val)
{
	for (;;) {
		if (kuser_cmpxchg(old, new_val, addr) == 0)
			return true;
		if (*(volatile uint32_t *)addr != old)
			return false;
	}
}
#endif

#if HAVE_KUSER
AE_TEXT static inline bool use_kuser(void)
{
	return ae_config.cas32 == ATOMIC_EMUL_CAS32_KUSER;
}
#endif

AE_TEXT static inline bool cas32_acquire(uint32_t *addr, uint32_t old, uint32_t new_val)
{
#if HAVE_KUSER
	if (use_kuser())
		return kuser_cas(addr, old, new_val);
#endif
	/* acquire: the critical section may not float above the lock. */
	return __atomic_compare_exchange_n(addr, &old, new_val, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

AE_TEXT static inline void store32_release(uint32_t *addr, uint32_t val)
{
#if HAVE_KUSER
	if (use_kuser()) {
		/* Go's Store on GOARM<7: barrier, store, barrier. */
		kuser_memory_barrier();
		*(volatile uint32_t *)addr = val;
		kuser_memory_barrier();
		return;
	}
#endif
	/* release: the critical section may not sink below the unlock. */
	__atomic_store_n(addr, val, __ATOMIC_RELEASE);
}

/* ---- spinlocks ---- */

AE_TEXT static inline struct spinlock *lock_for(const volatile uint64_t *addr)
{
	switch (ae_config.strategy) {
	case ATOMIC_EMUL_GLOBAL:
		return &locktab[0];
	case ATOMIC_EMUL_STRIPED:
		return &locktab[((uintptr_t)addr >> 3) % ATOMIC_EMUL_STRIPES];
	default:
		return NULL;
	}
}

AE_TEXT static inline void spin_lock(struct spinlock *l)
{
	uint32_t me = current_tid();
	for (;;) {
		if (cas32_acquire(&l->holder, 0, me))
			return;
		/* relaxed: only a hint to retry; the CAS above orders. */
		while (__atomic_load_n(&l->holder, __ATOMIC_RELAXED) != 0)
			;
	}
}

AE_TEXT static inline void spin_unlock(struct spinlock *l)
{
	store32_release(&l->holder, 0);
}

/* Go's lockAndCheck. NULL under native: no lock to take. */
AE_TEXT static inline struct spinlock *lock_and_check(const volatile uint64_t *addr)
{
	check_aligned(addr);
	struct spinlock *l = lock_for(addr);
	if (l)
		spin_lock(l);
	return l;
}

/* ---- libatomic ---- */

AE_TEXT static inline bool use_libatomic(void)
{
	return ae_config.strategy == ATOMIC_EMUL_LIBATOMIC;
}

/* Around each call into libatomic: the counter is up before the call's
 * first instruction and down after its last. seq_cst signal fences are
 * compiler barriers: the only other reader is this thread's own handler. */
AE_TEXT static inline void libatomic_enter(void)
{
	if (ae_libatomic.locks)
		libatomic_depth++;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

AE_TEXT static inline void libatomic_leave(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (ae_libatomic.locks)
		libatomic_depth--;
}

/* gcc's own code for a 64-bit __atomic operation, bracketed. Where the
 * target has 64-bit atomics this is the same inline code as native. */
#define LIBATOMIC64(expr)                                     \
	do {                                                  \
		if (use_libatomic()) {                        \
			check_aligned(addr);                  \
			libatomic_enter();                    \
			__typeof__(expr) result_ = (expr);    \
			libatomic_leave();                    \
			return result_;                       \
		}                                             \
	} while (0)

AE_API int ae_libatomic_index(const void *addr)
{
	return (int)(((uintptr_t)addr / ATOMIC_EMUL_LIBATOMIC_GRANULE) % ATOMIC_EMUL_LIBATOMIC_LOCKS);
}

/* ---- 64-bit operations ---- */

#if HAVE_NATIVE64
#define NATIVE64(expr)                                        \
	do {                                                  \
		if (ae_config.strategy == ATOMIC_EMUL_NATIVE) {  \
			check_aligned(addr);                  \
			return (expr);                        \
		}                                             \
	} while (0)
#else
#define NATIVE64(expr) do { } while (0)
#endif

AE_API uint64_t atomic_emul_load64(const uint64_t *addr)
{
	NATIVE64(__atomic_load_n(addr, __ATOMIC_SEQ_CST));
	LIBATOMIC64(__atomic_load_n(addr, __ATOMIC_SEQ_CST));
	struct spinlock *l = lock_and_check(addr);
	uint64_t v = *(const volatile uint64_t *)addr;
	spin_unlock(l);
	return v;
}

AE_API void atomic_emul_store64(uint64_t *addr, uint64_t val)
{
#if HAVE_NATIVE64
	if (ae_config.strategy == ATOMIC_EMUL_NATIVE) {
		check_aligned(addr);
		__atomic_store_n(addr, val, __ATOMIC_SEQ_CST);
		return;
	}
#endif
	if (use_libatomic()) {
		check_aligned(addr);
		libatomic_enter();
		__atomic_store_n(addr, val, __ATOMIC_SEQ_CST);
		libatomic_leave();
		return;
	}
	struct spinlock *l = lock_and_check(addr);
	*(volatile uint64_t *)addr = val;
	spin_unlock(l);
}

AE_API uint64_t atomic_emul_xadd64(uint64_t *addr, int64_t delta)
{
	NATIVE64(__atomic_add_fetch(addr, (uint64_t)delta, __ATOMIC_SEQ_CST));
	LIBATOMIC64(__atomic_add_fetch(addr, (uint64_t)delta, __ATOMIC_SEQ_CST));
	struct spinlock *l = lock_and_check(addr);
	uint64_t v = *(volatile uint64_t *)addr + (uint64_t)delta;
	*(volatile uint64_t *)addr = v;
	spin_unlock(l);
	return v;
}

AE_API uint64_t atomic_emul_xchg64(uint64_t *addr, uint64_t val)
{
	NATIVE64(__atomic_exchange_n(addr, val, __ATOMIC_SEQ_CST));
	LIBATOMIC64(__atomic_exchange_n(addr, val, __ATOMIC_SEQ_CST));
	struct spinlock *l = lock_and_check(addr);
	uint64_t old = *(volatile uint64_t *)addr;
	*(volatile uint64_t *)addr = val;
	spin_unlock(l);
	return old;
}

AE_API bool atomic_emul_cas64(uint64_t *addr, uint64_t old, uint64_t new_val)
{
	NATIVE64(__atomic_compare_exchange_n(addr, &old, new_val, false,
					     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	LIBATOMIC64(__atomic_compare_exchange_n(addr, &old, new_val, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
	struct spinlock *l = lock_and_check(addr);
	bool ok = *(volatile uint64_t *)addr == old;
	if (ok)
		*(volatile uint64_t *)addr = new_val;
	spin_unlock(l);
	return ok;
}

AE_API uint64_t atomic_emul_and64(uint64_t *addr, uint64_t mask)
{
	NATIVE64(__atomic_and_fetch(addr, mask, __ATOMIC_SEQ_CST));
	LIBATOMIC64(__atomic_and_fetch(addr, mask, __ATOMIC_SEQ_CST));
	struct spinlock *l = lock_and_check(addr);
	uint64_t v = *(volatile uint64_t *)addr & mask;
	*(volatile uint64_t *)addr = v;
	spin_unlock(l);
	return v;
}

AE_API uint64_t atomic_emul_or64(uint64_t *addr, uint64_t mask)
{
	NATIVE64(__atomic_or_fetch(addr, mask, __ATOMIC_SEQ_CST));
	LIBATOMIC64(__atomic_or_fetch(addr, mask, __ATOMIC_SEQ_CST));
	struct spinlock *l = lock_and_check(addr);
	uint64_t v = *(volatile uint64_t *)addr | mask;
	*(volatile uint64_t *)addr = v;
	spin_unlock(l);
	return v;
}

/* ---- 32-bit operations ---- */

AE_API bool atomic_emul_cas32(uint32_t *addr, uint32_t old, uint32_t new_val)
{
#if HAVE_KUSER
	if (use_kuser())
		return kuser_cas(addr, old, new_val);
#endif
	return __atomic_compare_exchange_n(addr, &old, new_val, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

AE_API uint32_t atomic_emul_load32(const uint32_t *addr)
{
#if HAVE_KUSER
	if (use_kuser()) {
		/* Go's Load on GOARM<7: load, then barrier. */
		uint32_t v = *(const volatile uint32_t *)addr;
		kuser_memory_barrier();
		return v;
	}
#endif
	return __atomic_load_n(addr, __ATOMIC_SEQ_CST);
}

AE_API void atomic_emul_store32(uint32_t *addr, uint32_t val)
{
#if HAVE_KUSER
	if (use_kuser()) {
		store32_release(addr, val); /* barrier, store, barrier: seq_cst */
		return;
	}
#endif
	__atomic_store_n(addr, val, __ATOMIC_SEQ_CST);
}

AE_API uint32_t atomic_emul_xadd32(uint32_t *addr, int32_t delta)
{
#if HAVE_KUSER
	if (use_kuser()) {
		for (;;) {
			uint32_t old = *(volatile uint32_t *)addr;
			if (kuser_cas(addr, old, old + (uint32_t)delta))
				return old + (uint32_t)delta;
		}
	}
#endif
	return __atomic_add_fetch(addr, (uint32_t)delta, __ATOMIC_SEQ_CST);
}

AE_API uint32_t atomic_emul_xchg32(uint32_t *addr, uint32_t val)
{
#if HAVE_KUSER
	if (use_kuser()) {
		for (;;) {
			uint32_t old = *(volatile uint32_t *)addr;
			if (kuser_cas(addr, old, val))
				return old;
		}
	}
#endif
	return __atomic_exchange_n(addr, val, __ATOMIC_SEQ_CST);
}

/* ---- classifier ---- */

AE_API enum atomic_emul_pc_class atomic_emul_classify_pc(uintptr_t pc)
{
	if (pc >= (uintptr_t)__start_atomic_emul_text && pc < (uintptr_t)__stop_atomic_emul_text)
		return ATOMIC_PC_UNIT;
#if HAVE_KUSER
	if ((pc & 0xffff0000u) == 0xffff0000u)
		return ATOMIC_PC_KUSER;
#endif
#if HAVE_GATEWAY
	/* hppa's gateway page: every 32-bit CAS and atomic store of the unit is a
	 * light-weight syscall at 0xb0 (libgcc's __sync_* helpers branch there),
	 * and qemu-hppa, which fakes the page, can deliver a signal with the PC
	 * at 0xb0 before the syscall runs: mid-unlock, with the lock held. */
	if (pc >= HPPA_LWS_ENTRY && pc < HPPA_SYSCALL_ENTRY)
		return ATOMIC_PC_KUSER;
#endif
	for (const struct outline_helper *h = outline_helpers; h->start; h++)
		if (pc >= (uintptr_t)h->start && pc < (uintptr_t)h->start + h->size)
			return ATOMIC_PC_OUTLINE;
	/* Code we cannot name by address, but this thread is inside a call into
	 * a locking libatomic: its lock path (libatomic, the C library, the
	 * futex syscall) may hold one of libatomic's mutexes. */
	if (libatomic_depth != 0)
		return ATOMIC_PC_LIBATOMIC;
	return ATOMIC_PC_ELSEWHERE;
}

AE_API const char *atomic_emul_pc_class_name(enum atomic_emul_pc_class c)
{
	switch (c) {
	case ATOMIC_PC_UNIT: return "atomic";
	case ATOMIC_PC_KUSER: return HAVE_GATEWAY ? "gateway" : "kuser";
	case ATOMIC_PC_OUTLINE: return "outline";
	case ATOMIC_PC_LIBATOMIC: return "libatomic";
	default: return "elsewhere";
	}
}

AE_API uintptr_t atomic_emul_text_start(void)
{
	return (uintptr_t)__start_atomic_emul_text;
}

AE_API uintptr_t atomic_emul_text_end(void)
{
	return (uintptr_t)__stop_atomic_emul_text;
}

/* ---- introspection ---- */

AE_TEXT static inline bool libatomic_locks(void)
{
	return use_libatomic() && ae_libatomic.locks;
}

AE_API int atomic_emul_lock_index(const uint64_t *addr)
{
	if (libatomic_locks())
		return ae_libatomic_index(addr);
	struct spinlock *l = lock_for(addr);
	return l ? (int)(l - locktab) : -1;
}

AE_API int atomic_emul_lock_count(void)
{
	switch (ae_config.strategy) {
	case ATOMIC_EMUL_GLOBAL: return 1;
	case ATOMIC_EMUL_STRIPED: return ATOMIC_EMUL_STRIPES;
	case ATOMIC_EMUL_LIBATOMIC: return ae_libatomic.locks ? ATOMIC_EMUL_LIBATOMIC_LOCKS : 0;
	default: return 0;
	}
}

AE_API pthread_mutex_t *ae_libatomic_mutex(const void *addr)
{
	if (!libatomic_locks() || !ae_libatomic.table)
		return NULL;
	return (pthread_mutex_t *)((char *)ae_libatomic.table +
				   (size_t)ae_libatomic_index(addr) * ae_libatomic.stride);
}

AE_API int32_t atomic_emul_lock_owner(int idx)
{
	if (idx < 0 || idx >= atomic_emul_lock_count())
		return 0;
	if (use_libatomic()) {
		if (!ae_libatomic.table)
			return 0;
		const pthread_mutex_t *m = (const pthread_mutex_t *)((const char *)ae_libatomic.table +
								       (size_t)idx * ae_libatomic.stride);
		/* relaxed: a report of who held it at some instant, never acted on */
		return __atomic_load_n(&m->__data.__owner, __ATOMIC_RELAXED);
	}
	return (int32_t)__atomic_load_n(&locktab[idx].holder, __ATOMIC_RELAXED);
}

AE_API void ae_hold_spinlock_until(const uint64_t *addr, uint32_t *holding,
				   const uint32_t *release)
{
	struct spinlock *l = lock_and_check(addr);
	/* A release fence, then one plain store of the flag: whoever sees
	 * *holding (an atomic load, in the tests) also sees the lock taken, and
	 * from the moment it is visible the PC stays in this section until
	 * *release. The fence may be a libgcc call (ARMv5, hppa), made before
	 * the store. No C11 atomic store will do: on hppa gcc makes even a
	 * relaxed 32-bit one a call to libgcc's __sync_lock_test_and_set_4,
	 * which writes *holding from inside the helper, so a test that signalled
	 * on seeing it could land there (class outline, not unit: seen in CI's
	 * check_atomic_emul on hppa). The volatile store is one aligned 32-bit
	 * store instruction on every arch of ci/arches.tsv; the flag is written
	 * once and never read-modify-written, so the formal race with the
	 * readers' atomic loads tears nothing. (Tests that hold a lock are not
	 * run under ThreadSanitizer, which would name that race.) */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	*(volatile uint32_t *)holding = 1;
	/* relaxed: a plain inline load, so the spinning PC stays in this section
	 * even on ARMv5, where an acquire load would call libgcc. */
	while (__atomic_load_n(release, __ATOMIC_RELAXED) == 0)
		;
	if (l)
		spin_unlock(l);
}

/* ---- configuration in force ---- */

AE_API struct atomic_emul_config atomic_emul_current(void)
{
	return ae_config;
}

AE_API struct atomic_emul_config atomic_emul_default(void)
{
	struct atomic_emul_config d = { ATOMIC_EMUL_DEFAULT_STRATEGY, ATOMIC_EMUL_DEFAULT_CAS32 };
	return d;
}
