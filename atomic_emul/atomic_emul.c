/*
 * atomic_emul: spinlock-emulated 64-bit atomics (Go's atomic_mipsx.go and
 * atomic_arm.go in C) and the classifier. Contract: atomic_emul.h.
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
 * re-check with an ordered operation before acting.
 */
#define _GNU_SOURCE
#include "atomic_emul.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outline.h"
#include "protocol.h"

#define AE_TEXT __attribute__((section("atomic_emul_text")))
#define AE_API  __attribute__((section("atomic_emul_text"), noinline))

#define CACHE_LINE 64

#if __GCC_ATOMIC_LLONG_LOCK_FREE == 2
#define HAVE_NATIVE64 1
#else
#define HAVE_NATIVE64 0
#endif

#if defined(__arm__) && defined(__linux__)
#define HAVE_KUSER 1
/* Linux's ARM kernel user helpers (Documentation/arm/kernel_user_helpers).
 * __kuser_cmpxchg returns 0 when *ptr was oldval and is now newval. */
typedef int (*kuser_cmpxchg_fn)(uint32_t oldval, uint32_t newval, volatile uint32_t *ptr);
typedef void (*kuser_barrier_fn)(void);
#define kuser_cmpxchg ((kuser_cmpxchg_fn)0xffff0fc0)
#define kuser_memory_barrier ((kuser_barrier_fn)0xffff0fa0)
#else
#define HAVE_KUSER 0
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
static struct atomic_emul_config config = {
	ATOMIC_EMUL_DEFAULT_STRATEGY, ATOMIC_EMUL_DEFAULT_CAS32,
};

static __thread uint32_t self_tid;

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
	return config.cas32 == ATOMIC_EMUL_CAS32_KUSER;
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
	switch (config.strategy) {
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

/* ---- 64-bit operations ---- */

#if HAVE_NATIVE64
#define NATIVE64(expr)                                        \
	do {                                                  \
		if (config.strategy == ATOMIC_EMUL_NATIVE) {  \
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
	struct spinlock *l = lock_and_check(addr);
	uint64_t v = *(const volatile uint64_t *)addr;
	spin_unlock(l);
	return v;
}

AE_API void atomic_emul_store64(uint64_t *addr, uint64_t val)
{
#if HAVE_NATIVE64
	if (config.strategy == ATOMIC_EMUL_NATIVE) {
		check_aligned(addr);
		__atomic_store_n(addr, val, __ATOMIC_SEQ_CST);
		return;
	}
#endif
	struct spinlock *l = lock_and_check(addr);
	*(volatile uint64_t *)addr = val;
	spin_unlock(l);
}

AE_API uint64_t atomic_emul_xadd64(uint64_t *addr, int64_t delta)
{
	NATIVE64(__atomic_add_fetch(addr, (uint64_t)delta, __ATOMIC_SEQ_CST));
	struct spinlock *l = lock_and_check(addr);
	uint64_t v = *(volatile uint64_t *)addr + (uint64_t)delta;
	*(volatile uint64_t *)addr = v;
	spin_unlock(l);
	return v;
}

AE_API uint64_t atomic_emul_xchg64(uint64_t *addr, uint64_t val)
{
	NATIVE64(__atomic_exchange_n(addr, val, __ATOMIC_SEQ_CST));
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
	struct spinlock *l = lock_and_check(addr);
	uint64_t v = *(volatile uint64_t *)addr & mask;
	*(volatile uint64_t *)addr = v;
	spin_unlock(l);
	return v;
}

AE_API uint64_t atomic_emul_or64(uint64_t *addr, uint64_t mask)
{
	NATIVE64(__atomic_or_fetch(addr, mask, __ATOMIC_SEQ_CST));
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
	for (const struct outline_helper *h = outline_helpers; h->start; h++)
		if (pc >= (uintptr_t)h->start && pc < (uintptr_t)h->start + h->size)
			return ATOMIC_PC_OUTLINE;
	return ATOMIC_PC_ELSEWHERE;
}

AE_API const char *atomic_emul_pc_class_name(enum atomic_emul_pc_class c)
{
	switch (c) {
	case ATOMIC_PC_UNIT: return "atomic";
	case ATOMIC_PC_KUSER: return "kuser";
	case ATOMIC_PC_OUTLINE: return "outline";
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

AE_API int atomic_emul_lock_index(const uint64_t *addr)
{
	struct spinlock *l = lock_for(addr);
	return l ? (int)(l - locktab) : -1;
}

AE_API int atomic_emul_lock_count(void)
{
	switch (config.strategy) {
	case ATOMIC_EMUL_GLOBAL: return 1;
	case ATOMIC_EMUL_STRIPED: return ATOMIC_EMUL_STRIPES;
	default: return 0;
	}
}

AE_API int32_t atomic_emul_lock_owner(int idx)
{
	if (idx < 0 || idx >= atomic_emul_lock_count())
		return 0;
	return (int32_t)__atomic_load_n(&locktab[idx].holder, __ATOMIC_RELAXED);
}

AE_API void atomic_emul_hold_lock_until(const uint64_t *addr, uint32_t *holding,
				       const uint32_t *release)
{
	struct spinlock *l = lock_and_check(addr);
	/* release: whoever sees *holding also sees the lock taken. On ARMv5 the
	 * barrier is a libgcc call made before the store; from the store on, the
	 * PC stays in this section until *release. */
	__atomic_store_n(holding, 1, __ATOMIC_RELEASE);
	/* relaxed: a plain inline load, so the spinning PC stays in this section
	 * even on ARMv5, where an acquire load would call libgcc. */
	while (__atomic_load_n(release, __ATOMIC_RELAXED) == 0)
		;
	if (l)
		spin_unlock(l);
}

/* ---- configuration ---- */

/* The configuration behind each strategy name of protocol.h, by its index. */
static const struct atomic_emul_config strategy_config[NSTRATEGIES] = {
	[STRATEGY_NATIVE] = { ATOMIC_EMUL_NATIVE, ATOMIC_EMUL_CAS32_BUILTIN },
	[STRATEGY_GLOBAL] = { ATOMIC_EMUL_GLOBAL, ATOMIC_EMUL_CAS32_BUILTIN },
	[STRATEGY_STRIPED] = { ATOMIC_EMUL_STRIPED, ATOMIC_EMUL_CAS32_BUILTIN },
	[STRATEGY_GLOBAL_KUSER] = { ATOMIC_EMUL_GLOBAL, ATOMIC_EMUL_CAS32_KUSER },
	[STRATEGY_STRIPED_KUSER] = { ATOMIC_EMUL_STRIPED, ATOMIC_EMUL_CAS32_KUSER },
};

AE_API int atomic_emul_parse(const char *name, struct atomic_emul_config *out)
{
	int i = protocol_lookup(protocol_strategy_names, name);
	if (i < 0)
		return -1;
	*out = strategy_config[i];
	return 0;
}

AE_API const char *atomic_emul_config_name(struct atomic_emul_config cfg)
{
	for (int i = 0; i < NSTRATEGIES; i++)
		if (strategy_config[i].strategy == cfg.strategy && strategy_config[i].cas32 == cfg.cas32)
			return protocol_strategy_names[i];
	return "invalid";
}

AE_API bool atomic_emul_supported(struct atomic_emul_config cfg)
{
	if (cfg.strategy == ATOMIC_EMUL_NATIVE)
		return HAVE_NATIVE64 && cfg.cas32 == ATOMIC_EMUL_CAS32_BUILTIN;
	if (cfg.cas32 == ATOMIC_EMUL_CAS32_KUSER)
		return HAVE_KUSER;
	return cfg.strategy == ATOMIC_EMUL_GLOBAL || cfg.strategy == ATOMIC_EMUL_STRIPED;
}

AE_API int atomic_emul_configure(struct atomic_emul_config cfg)
{
	if (!atomic_emul_supported(cfg)) {
		errno = ENOTSUP;
		return -1;
	}
	config = cfg;
	return 0;
}

AE_API struct atomic_emul_config atomic_emul_current(void)
{
	return config;
}

AE_API struct atomic_emul_config atomic_emul_default(void)
{
	struct atomic_emul_config d = { ATOMIC_EMUL_DEFAULT_STRATEGY, ATOMIC_EMUL_DEFAULT_CAS32 };
	return d;
}

AE_API const char *atomic_emul_supported_names(void)
{
	static char buf[96];
	if (buf[0] == 0) {
		for (int i = 0; i < NSTRATEGIES; i++) {
			if (!atomic_emul_supported(strategy_config[i]))
				continue;
			if (buf[0])
				strcat(buf, " ");
			strcat(buf, protocol_strategy_names[i]);
		}
	}
	return buf;
}
