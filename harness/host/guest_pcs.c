/* guest_pcs: the runner's side of qemu-user's guest-PC plugin. Contract:
 * guest_pcs.h; the file: qemu_plugin/guestpc_slots.h. */
#define _GNU_SOURCE
#include "guest_pcs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elf_symbols.h"
#include "guestpc_slots.h"
#include "plugin_file.h"
#include "util.h"

struct guest_pcs {
	char *binary;
	char *plugin; /* NULL: off */
	int fd;
	struct guestpc_file *file;
	struct elf_symbols *symbols;
	bool symbols_tried;
	char problem[160];
};

/* The slot file with its header (guestpc_slots.h). */
static int make_file(struct guest_pcs *g)
{
	void *m;
	g->fd = plugin_file_new("proftorture-guestpc", sizeof(struct guestpc_file), &m);
	if (g->fd < 0)
		return -1;
	g->file = m;
	g->file->magic = GUESTPC_MAGIC;
	g->file->version = GUESTPC_VERSION;
	g->file->nslots = GUESTPC_SLOTS;
	g->file->slot_size = sizeof(struct guestpc_slot);
	return 0;
}

struct guest_pcs *guest_pcs_new(const char *binary, const char *plugin)
{
	struct guest_pcs *g = xcalloc(1, sizeof *g);
	g->binary = xstrdup(binary);
	g->fd = -1;
	g->plugin = plugin ? xstrdup(plugin) : NULL;
	if (g->plugin && make_file(g) != 0) {
		free(g->plugin);
		g->plugin = NULL;
	}
	return g;
}

bool guest_pcs_on(const struct guest_pcs *g)
{
	return g && g->plugin && g->file;
}

char **guest_pcs_argv(const struct guest_pcs *g, char *const *argv)
{
	return guest_pcs_on(g) ? plugin_argv(g->plugin, g->fd, argv) : (char **)argv;
}

void guest_pcs_argv_free(const struct guest_pcs *g, char **argv, char *const *orig)
{
	(void)g;
	plugin_argv_free(argv, orig);
}

static void load_symbols(struct guest_pcs *g)
{
	if (g->symbols_tried)
		return;
	g->symbols_tried = true;
	char why[128];
	g->symbols = elf_symbols_load(g->binary, why, sizeof why);
	if (!g->symbols)
		snprintf(g->problem, sizeof g->problem, "%s: %s", g->binary, why);
}

/* "name+0xoff" of the block before pc's when it is in another function. */
static void caller_of(const struct guest_pcs *g, uint64_t prev, const char *fn, char *caller,
		      size_t cap)
{
	uint64_t off;
	const char *name = prev ? elf_symbols_lookup(g->symbols, prev, &off) : NULL;
	if (!name || strcmp(name, fn) == 0)
		return;
	char clean[128];
	ut_copy_clean(clean, sizeof clean, name);
	snprintf(caller, cap, "%s+0x%llx", clean, (unsigned long long)off);
}

enum guest_where guest_pcs_where(struct guest_pcs *g, pid_t tid, char *fn, size_t cap,
				 uint64_t *off, char *caller, size_t caller_cap)
{
	snprintf(fn, cap, "?");
	*off = 0;
	if (caller && caller_cap)
		caller[0] = 0;
	if (!guest_pcs_on(g))
		return GUEST_UNKNOWN;
	const struct guestpc_slot *hit = NULL;
	for (unsigned i = 0; i < GUESTPC_SLOTS && !hit; i++)
		if (__atomic_load_n(&g->file->slot[i].tid, __ATOMIC_RELAXED) == (int32_t)tid)
			hit = &g->file->slot[i];
	if (!hit)
		return GUEST_NONE;
	uint64_t pc = __atomic_load_n(&hit->pc, __ATOMIC_RELAXED);
	uint64_t prev = __atomic_load_n(&hit->prev, __ATOMIC_RELAXED);
	load_symbols(g);
	const char *name = elf_symbols_lookup(g->symbols, pc, off);
	if (!name) {
		snprintf(fn, cap, "0x%llx", (unsigned long long)pc);
		return GUEST_ADDRESS;
	}
	ut_copy_clean(fn, cap, name);
	if (caller && caller_cap)
		caller_of(g, prev, name, caller, caller_cap);
	return GUEST_FUNCTION;
}

const char *guest_pcs_symbols_problem(const struct guest_pcs *g)
{
	return g ? g->problem : "";
}

void guest_pcs_free(struct guest_pcs *g)
{
	if (!g)
		return;
	plugin_file_free(g->fd, g->file, sizeof(struct guestpc_file));
	elf_symbols_free(g->symbols);
	free(g->plugin);
	free(g->binary);
	free(g);
}
