/*
 * guestpc_slots — the file through which qemu-user's guest-PC plugin
 * (guestpc.c, loaded as `qemu-<arch> -plugin guestpc.so,out=FILE`) tells
 * the runner where each guest thread is, while the guest runs.
 *
 * The runner creates FILE, exactly sizeof(struct guestpc_file) bytes with
 * the header filled in and every slot zero, and reads it whenever it wants
 * (a silent timeout: harness/host/guest_pcs.h). The plugin checks the
 * header, maps the file shared and, every time a translated block starts
 * on vCPU i (i < GUESTPC_SLOTS), stores in slot i the block's guest
 * address (the one it replaces, when different, in prev) and adds one to
 * the slot's count; on the first block a vCPU
 * runs it records the host thread id of the thread running it (under
 * qemu-user, every guest thread is one host thread with one vCPU of its
 * own). A vCPU created anew (a new guest thread, which may reuse the index
 * of one that has exited) clears its slot first. No locks, no protocol:
 * each field is written with a relaxed atomic store by the one thread that
 * owns the slot and read the same way by the runner, which may see a new
 * pc beside the tid of the slot's previous thread for the instant after a
 * reuse (one sample of one thread, attributed to a thread that has gone:
 * its tid is no longer in /proc, so the runner never shows it).
 *
 * Both sides are the same host (x86-64 here): the layout is the host's,
 * and the version changes with any change to it.
 */
#ifndef GUESTPC_SLOTS_H
#define GUESTPC_SLOTS_H

#include <stdint.h>

#define GUESTPC_MAGIC 0x43504754u /* "TGPC", little-endian */
#define GUESTPC_VERSION 2u
#define GUESTPC_SLOTS 256u /* vCPUs (guest threads alive at once) with a slot */

struct guestpc_slot {
	uint64_t pc;    /* guest address of the last translated block started */
	uint64_t prev;  /* the block started before it, at another address: in a
			 * thread blocked in a system call's wrapper, a block of
			 * the function that called it (one frame up, for free) */
	uint64_t count; /* blocks started on this vCPU (wraps) */
	int32_t tid;    /* host thread id running this vCPU; 0: not yet known */
	uint32_t unused;
};

struct guestpc_file {
	uint32_t magic, version, nslots, slot_size;
	struct guestpc_slot slot[GUESTPC_SLOTS];
};

#endif
