/*
 * guest_pcs — where each guest thread of a run under qemu-user is, in the
 * guest program: the runner's side of the guest-PC plugin
 * (qemu_plugin/guestpc_slots.h, build/native/guestpc.so).
 *
 * Under qemu-user each guest thread is a host thread of qemu, so /proc
 * (threads.h) shows where qemu is, not where the guest is. For a run that
 * can end in a silent timeout (a kill signal before SIGKILL), spawn.c
 * makes one of these for the guest binary: guest_pcs_new creates the slot
 * file (a memfd, reached by the plugin as /proc/<runner>/fd/<n>, so
 * nothing is left on disk whatever happens to the runner) and
 * guest_pcs_argv puts `-plugin <so>,out=<file>` right after qemu in the
 * command line. While the run hangs, threads.c asks guest_pcs_where for
 * each host thread it samples: the guest function the thread last started
 * a block in, from the binary's symbols (elf_symbols.h), loaded on the
 * first question.
 *
 * When the plugin is not built (make builds it with the runner, from the
 * header ci/install-deps fetches) or the file cannot be made, the object
 * is still made but off: the command line is left alone and every answer
 * is GUEST_UNKNOWN, which the table shows as `guest ?`. Single-threaded,
 * as the runner is.
 */
#ifndef HARNESS_GUEST_PCS_H
#define HARNESS_GUEST_PCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct guest_pcs;

/* For one run of the guest program at binary, with the plugin at plugin
 * (arches.h's guestpc_plugin_path); never NULL (off when plugin is NULL or
 * the slot file cannot be made). */
struct guest_pcs *guest_pcs_new(const char *binary, const char *plugin);
/* Whether the plugin watches the run (the slot file exists, the plugin is built). */
bool guest_pcs_on(const struct guest_pcs *g);
/* argv (qemu first) with the plugin's two arguments after argv[0]; a copy,
 * malloc'd, NULL-terminated; argv itself when g is off (free with
 * guest_pcs_argv_free, which knows which). */
char **guest_pcs_argv(const struct guest_pcs *g, char *const *argv);
void guest_pcs_argv_free(const struct guest_pcs *g, char **argv, char *const *orig);

enum guest_where {
	GUEST_UNKNOWN,  /* no plugin, or no slot for the thread: `?` */
	GUEST_NONE,     /* the plugin is on and this host thread runs no guest code (qemu's own) */
	GUEST_FUNCTION, /* fn and *off say where */
	GUEST_ADDRESS,  /* a guest address in no function of the binary (fn says it in hex) */
};

/* Where host thread tid of the run is in the guest now. fn gets the
 * function's name (printable ASCII, cut to cap) or the address; caller
 * (when not NULL) the function of the block before, "name+0xoff", when it
 * is another function ("" otherwise: one frame up for a thread in a
 * system call's wrapper, guestpc_slots.h). */
enum guest_where guest_pcs_where(struct guest_pcs *g, pid_t tid, char *fn, size_t cap,
				 uint64_t *off, char *caller, size_t caller_cap);
/* Why the binary's functions are not known ("" when they are, or not yet
 * asked): e.g. "stripped", said once under the table. */
const char *guest_pcs_symbols_problem(const struct guest_pcs *g);
void guest_pcs_free(struct guest_pcs *g);

#endif
