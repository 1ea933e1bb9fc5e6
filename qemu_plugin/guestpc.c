/*
 * guestpc: a qemu-user TCG plugin that keeps, per guest thread, the guest
 * address of the last translated block it started, in a file the runner
 * reads when a run hangs. Contract and file layout: guestpc_slots.h.
 *
 *   qemu-mipsel -plugin build/native/guestpc.so,out=FILE ./program
 *
 * Cost: one call per block executed (QEMU_PLUGIN_CB_NO_REGS: qemu need not
 * sync the guest's registers for it), two compares and up to four stores; measured in
 * docs/measurements/stress.md. A file that is missing or not the runner's
 * (wrong size or header) is said once on stderr and the guest runs without
 * the plugin's callbacks: a diagnostic must not fail the run it watches.
 * A guest that forks: the child's qemu writes into a private buffer
 * (pthread_atfork), as the runner watches only the process it started.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <qemu-plugin.h>

#include "guestpc_slots.h"
#include "plugin_out.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static struct guestpc_file *slots;
/* Where a forked child of the guest writes: not the runner's file, whose
 * slots its threads (numbered from 0 again) would overwrite. */
static struct guestpc_file discard;

static void in_forked_child(void)
{
	slots = &discard;
}

/* Relaxed everywhere: each slot has one writer (its vCPU's thread, or the
 * thread creating that vCPU before it runs), and the reader wants a recent
 * value of each field, not an order between them (guestpc_slots.h). */
static void on_block(unsigned int vcpu, void *pc)
{
	if (vcpu >= GUESTPC_SLOTS)
		return;
	struct guestpc_slot *s = &slots->slot[vcpu];
	if (__atomic_load_n(&s->tid, __ATOMIC_RELAXED) == 0)
		__atomic_store_n(&s->tid, (int32_t)syscall(SYS_gettid), __ATOMIC_RELAXED);
	uint64_t last = __atomic_load_n(&s->pc, __ATOMIC_RELAXED);
	if (last != (uint64_t)(uintptr_t)pc) { /* a block looping on itself keeps its caller */
		__atomic_store_n(&s->prev, last, __ATOMIC_RELAXED);
		__atomic_store_n(&s->pc, (uint64_t)(uintptr_t)pc, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&s->count, __atomic_load_n(&s->count, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELAXED);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
	qemu_plugin_register_vcpu_tb_exec_cb(tb, on_block, QEMU_PLUGIN_CB_NO_REGS,
					     (void *)(uintptr_t)qemu_plugin_tb_vaddr(tb));
}

/* A new vCPU (a new guest thread) starts with an empty slot, so the first
 * block it runs records its own thread id, not a previous owner's. Runs on
 * the creating thread, before the new one runs a block. */
static void on_vcpu_init(qemu_plugin_id_t id, unsigned int vcpu)
{
	(void)id;
	if (vcpu >= GUESTPC_SLOTS)
		return;
	struct guestpc_slot *s = &slots->slot[vcpu];
	__atomic_store_n(&s->tid, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->count, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->pc, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->prev, 0, __ATOMIC_RELAXED);
}

static bool slots_header_ok(const void *file)
{
	const struct guestpc_file *f = file;
	return f->magic == GUESTPC_MAGIC && f->version == GUESTPC_VERSION &&
	       f->nslots == GUESTPC_SLOTS && f->slot_size == sizeof(struct guestpc_slot);
}

static const struct plugin_out_kind slots_file = {
	"guestpc", "guest-PC", "guest PCs off", GUESTPC_VERSION, sizeof(struct guestpc_file),
	slots_header_ok,
};

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	(void)info;
	const char *out = plugin_out_arg("guestpc", "guestpc_slots.h", argc, argv);
	if (!out)
		return -1;
	slots = plugin_out_map(&slots_file, out);
	if (!slots)
		return 0;
	pthread_atfork(NULL, NULL, in_forked_child);
	qemu_plugin_register_vcpu_init_cb(id, on_vcpu_init);
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	return 0;
}
