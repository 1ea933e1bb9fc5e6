/*
 * atomic_emul: libatomic's lock table (contract: atomic_emul.h, "libatomic").
 *
 * gcc 12's libatomic/config/posix/lock.c, which every target here without
 * its own lock code builds:
 *
 *     struct lock { pthread_mutex_t mutex; char pad[64 - sizeof mutex]; };
 *     static struct lock locks[4096 / 64];
 *     addr_hash(ptr) = ((uintptr_t)ptr / 64) % 64
 *     libat_lock_1(ptr)   = pthread_mutex_lock(&locks[addr_hash(ptr)].mutex)
 *
 * `locks` is static: no program can name it. It is found here the way a
 * debugger would, in the executable's own symbol table (/proc/self/exe,
 * which qemu-user maps to the guest binary), by name and size; a local
 * symbol of this file anchors the load address. Then it is probed: with
 * every mutex held, one thread does one 8-byte load, and either finishes
 * (libatomic did not lock) or waits on one mutex, which must be the one the
 * hash names. No timing: glibc marks a waited-on mutex (lock word 2).
 *
 * None of this runs in a signal handler, nor inside the classifier's
 * section: it opens a file, allocates, and locks mutexes.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomic_emul.h"
#include "internal.h"

#define LOCK_STRIDE (sizeof(pthread_mutex_t) < 64 ? 64 : sizeof(pthread_mutex_t))
#define TABLE_BYTES (ATOMIC_EMUL_LIBATOMIC_LOCKS * LOCK_STRIDE)

/* The load-address anchor: a local symbol whose address we know. */
static const char symtab_anchor[8] __attribute__((used)) = "ae-elf";

static void *read_at(int fd, uint64_t off, uint64_t size)
{
	if (size == 0 || size > (64u << 20))
		return NULL;
	char *buf = malloc((size_t)size);
	for (size_t done = 0; buf && done < size;) {
		ssize_t k = pread(fd, buf + done, (size_t)size - done, (off_t)(off + done));
		if (k <= 0) {
			free(buf);
			return NULL;
		}
		done += (size_t)k;
	}
	return buf;
}

/* The run-time address of libatomic's `locks`, or NULL. */
static pthread_mutex_t *find_lock_table(void)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	ElfW(Ehdr) *eh = read_at(fd, 0, sizeof *eh);
	ElfW(Shdr) *sh = NULL;
	ElfW(Sym) *syms = NULL;
	char *names = NULL;
	uintptr_t table = 0, anchor = 0;
	int ntables = 0;
	if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_shentsize != sizeof *sh)
		goto out;
	sh = read_at(fd, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof *sh);
	for (unsigned i = 0; sh && i < eh->e_shnum && !syms; i++) {
		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		const ElfW(Shdr) *str = &sh[sh[i].sh_link];
		syms = read_at(fd, sh[i].sh_offset, sh[i].sh_size);
		names = read_at(fd, str->sh_offset, str->sh_size);
		size_t n = syms && names ? sh[i].sh_size / sizeof *syms : 0;
		for (size_t k = 0; k < n; k++) {
			const ElfW(Sym) *s = &syms[k];
			if (ELF64_ST_TYPE(s->st_info) != STT_OBJECT || s->st_name >= str->sh_size ||
			    !memchr(names + s->st_name, 0, str->sh_size - s->st_name))
				continue;
			const char *nm = names + s->st_name;
			if (strcmp(nm, "locks") == 0 && s->st_size == TABLE_BYTES) {
				table = s->st_value;
				ntables++;
			} else if (strcmp(nm, "symtab_anchor") == 0 && s->st_size == sizeof symtab_anchor) {
				anchor = s->st_value;
			}
		}
	}
out:
	free(names);
	free(syms);
	free(sh);
	free(eh);
	close(fd);
	if (ntables != 1 || !anchor)
		return NULL;
	return (pthread_mutex_t *)(table + ((uintptr_t)symtab_anchor - anchor));
}

static pthread_mutex_t *mutex_at(pthread_mutex_t *table, int idx)
{
	return (pthread_mutex_t *)((char *)table + (size_t)idx * LOCK_STRIDE);
}

/* The probe's word: its hash (46 = 0b101110, 24 bytes into its granule)
 * tells libatomic's hash from one that shifts or masks differently. */
static char probe_area[4096] __attribute__((aligned(4096)));
#define PROBE_WORD ((uint64_t *)(probe_area + 46 * ATOMIC_EMUL_LIBATOMIC_GRANULE + 24))
static uint32_t probe_done;

static void *probe_load(void *arg)
{
	(void)arg;
	(void)__atomic_load_n(PROBE_WORD, __ATOMIC_SEQ_CST); /* libatomic's __atomic_load_8 */
	__atomic_store_n(&probe_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* With every mutex held, which one does an 8-byte load wait on? -1: none
 * (it finished), -2: cannot tell (no thread, or nothing within 60 s). */
static int mutex_a_load_waits_on(pthread_mutex_t *table)
{
	for (int i = 0; i < ATOMIC_EMUL_LIBATOMIC_LOCKS; i++)
		pthread_mutex_lock(mutex_at(table, i));
	__atomic_store_n(&probe_done, 0, __ATOMIC_SEQ_CST);
	pthread_t t;
	int waited = -2;
	bool started = pthread_create(&t, NULL, probe_load, NULL) == 0;
	if (started) {
		for (int tick = 0; tick < 600000 && waited == -2; tick++) {
			if (__atomic_load_n(&probe_done, __ATOMIC_SEQ_CST))
				waited = -1;
			for (int i = 0; i < ATOMIC_EMUL_LIBATOMIC_LOCKS && waited == -2; i++)
				/* glibc's lock word: 0 free, 1 held, 2 held and waited for */
				if (__atomic_load_n(&mutex_at(table, i)->__data.__lock, __ATOMIC_RELAXED) > 1)
					waited = i;
			struct timespec nap = { 0, 100 * 1000 };
			if (waited == -2)
				nanosleep(&nap, NULL);
		}
	}
	for (int i = 0; i < ATOMIC_EMUL_LIBATOMIC_LOCKS; i++)
		pthread_mutex_unlock(mutex_at(table, i));
	if (started)
		pthread_join(t, NULL); /* every mutex is free now: it finishes */
	return waited;
}

static void say(const char *why)
{
	fprintf(stderr, "atomic_emul: libatomic locks 64-bit atomics here, but %s; "
			"libatomic is not supported in this process\n", why);
}

int ae_libatomic_discover(struct ae_libatomic *out)
{
	memset(out, 0, sizeof *out);
	if (__atomic_is_lock_free(sizeof(uint64_t), PROBE_WORD))
		return 0; /* gcc inlines every 64-bit operation: nothing to find */
	pthread_mutex_t *table = find_lock_table();
	if (!table) {
		say("its lock table is not in this executable's symbol table (stripped?)");
		return -1;
	}
	int waited = mutex_a_load_waits_on(table);
	if (waited == -1)
		return 0; /* lock-free after all (armel: the kernel's cmpxchg64 helper) */
	if (waited != ae_libatomic_index(PROBE_WORD)) {
		say(waited < 0 ? "a probe of its lock table did not finish"
			       : "it does not hash addresses as gcc 12's does");
		return -1;
	}
	out->locks = true;
	out->table = table;
	out->stride = LOCK_STRIDE;
	return 0;
}

void atomic_emul_hold_lock_until(const uint64_t *addr, uint32_t *holding, const uint32_t *release)
{
	pthread_mutex_t *m = ae_libatomic_mutex(addr);
	if (m)
		pthread_mutex_lock(m);
	ae_hold_spinlock_until(addr, holding, release);
	if (m)
		pthread_mutex_unlock(m);
}
