/*
 * Out-of-line helpers the compiler calls on the unit's behalf (internal).
 *
 * On ARMv5 gcc cannot inline a 32-bit CAS or a barrier; it calls libgcc's
 * __sync_val_compare_and_swap_4 and __sync_synchronize instead. That code runs
 * while a spinlock is being taken or released, yet lies outside
 * atomic_emul_text: the hole of golang/go#47505. The build lists which such
 * helpers atomic_emul.o really calls (nm -u) with their sizes from libgcc
 * (nm -S) in $(B)/gen/outline_helpers.inc; outline.c turns the list into the
 * table below, which the classifier scans. The table is empty where the
 * compiler inlines everything (x86-64, ARMv7, mips).
 */
#ifndef ATOMIC_EMUL_OUTLINE_H
#define ATOMIC_EMUL_OUTLINE_H

#include <stdint.h>

struct outline_helper {
	const char *start; /* NULL ends the table */
	uintptr_t size;
	const char *name;
};

extern const struct outline_helper outline_helpers[];

#endif
