/* tls_pin: each thread's TLS on an LDT entry of its own under qemu-i386.
 * Contract and the emulator's bug: tls_pin.h. */
#define _GNU_SOURCE
#include "tls_pin.h"

#if defined(__i386__)

#include <asm/ldt.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#define LDT_ENTRIES 8192
#define MODIFY_LDT_WRITE 0x11 /* modify_ldt's "write one entry", new format */

static bool pinning;
static unsigned short gdt_selector; /* glibc's, read before the first pin */
/* Relaxed: only uniqueness of the entries handed out matters. */
static atomic_uint next_entry, pinned, unpinned;
/* Orders creators' rewrites of the shared GDT entry (see pthread_create). */
static atomic_flag gdt_lock = ATOMIC_FLAG_INIT;

static void *tcb_self(void)
{
	void *tcb;
	__asm__ volatile("movl %%gs:0, %0" : "=r"(tcb));
	return tcb;
}

static unsigned short gs_selector(void)
{
	unsigned short s;
	__asm__ volatile("movw %%gs, %0" : "=r"(s));
	return s;
}

static void load_gs(unsigned short s)
{
	__asm__ volatile("movw %0, %%gs" : : "r"(s) : "memory");
}

/* The descriptor glibc writes for a TLS block (TLS_INIT_TP): 4 GiB limit,
 * so the negative offsets of the TLS block below the TCB wrap around. */
static void tls_descriptor(struct user_desc *d, unsigned entry, void *base)
{
	memset(d, 0, sizeof *d);
	d->entry_number = entry;
	d->base_addr = (unsigned long)base;
	d->limit = 0xfffff;
	d->seg_32bit = 1;
	d->limit_in_pages = 1;
	d->useable = 1;
}

/* The calling thread onto an LDT entry of its own holding its TLS base. */
static void pin_this_thread(void)
{
	unsigned entry = atomic_fetch_add_explicit(&next_entry, 1, memory_order_relaxed);
	struct user_desc d;
	tls_descriptor(&d, entry, tcb_self());
	if (entry >= LDT_ENTRIES || syscall(SYS_modify_ldt, MODIFY_LDT_WRITE, &d, sizeof d) != 0) {
		atomic_fetch_add_explicit(&unpinned, 1, memory_order_relaxed);
		return;
	}
	load_gs((unsigned short)(entry << 3 | 4 | 3)); /* index, TI = LDT, RPL 3 */
	atomic_fetch_add_explicit(&pinned, 1, memory_order_relaxed);
}

__attribute__((constructor)) static void tls_pin_main_thread(void)
{
	struct utsname u;
	gdt_selector = gs_selector();
	if (uname(&u) != 0 || strcmp(u.machine, "x86_64") == 0)
		return;
	pinning = true;
	pin_this_thread();
}

struct thread_start {
	void *(*fn)(void *);
	void *arg;
	sigset_t mask; /* the creator's, restored once pinned */
	bool pin;      /* false: the negative control's thread */
};

static void *start_pinned(void *p)
{
	struct thread_start s = *(struct thread_start *)p;
	free(p);
	if (s.pin)
		pin_this_thread();
	pthread_sigmask(SIG_SETMASK, &s.mask, NULL);
	return s.fn(s.arg);
}

int __real_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
			  void *arg);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
			  void *arg);

/* pthread_create on glibc's GDT selector (see tls_pin.h), the new thread
 * pinned at its start or, for the negative control, not. */
static int create_from_gdt(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
			   void *arg, bool pin)
{
	struct thread_start *s = malloc(sizeof *s);
	if (!s)
		return EAGAIN;
	s->fn = fn;
	s->arg = arg;
	s->pin = pin;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	s->mask = old;
	unsigned short mine = gs_selector();

	/* No signal can reach this thread until its LDT selector is back, so
	 * nothing reloads %gs in between; the lock keeps another creator from
	 * rewriting the GDT entry between our write and our load. */
	while (atomic_flag_test_and_set_explicit(&gdt_lock, memory_order_acquire))
		sched_yield();
	struct user_desc d;
	tls_descriptor(&d, gdt_selector >> 3, tcb_self());
	int rc = syscall(SYS_set_thread_area, &d) == 0 ? 0 : errno;
	if (rc == 0) {
		load_gs(gdt_selector);
		rc = __real_pthread_create(t, attr, start_pinned, s);
		load_gs(mine);
	}
	atomic_flag_clear_explicit(&gdt_lock, memory_order_release);

	if (rc != 0)
		free(s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	if (!pinning)
		return __real_pthread_create(t, attr, fn, arg);
	return create_from_gdt(t, attr, fn, arg, true);
}

int tls_pin_create_unpinned(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
			    void *arg)
{
	if (!pinning)
		return __real_pthread_create(t, attr, fn, arg);
	return create_from_gdt(t, attr, fn, arg, false);
}

bool tls_pin_active(void)
{
	return pinning;
}

unsigned tls_pin_pinned(void)
{
	return atomic_load_explicit(&pinned, memory_order_relaxed);
}

unsigned tls_pin_unpinned(void)
{
	return atomic_load_explicit(&unpinned, memory_order_relaxed);
}

#else /* every other arch: TLS survives signals; nothing to pin */

bool tls_pin_active(void)
{
	return false;
}

unsigned tls_pin_pinned(void)
{
	return 0;
}

unsigned tls_pin_unpinned(void)
{
	return 0;
}

int tls_pin_create_unpinned(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
			    void *arg)
{
	return pthread_create(t, attr, fn, arg);
}

#endif
