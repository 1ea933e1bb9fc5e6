/*
 * plugin_out — what every plugin of the runner's shares: the file it was
 * handed as `-plugin NAME.so,out=FILE` (the runner's side:
 * harness/host/plugin_file.h). A plugin takes its out=FILE argument with
 * plugin_out_arg and maps FILE with plugin_out_map, which checks the size
 * and, through the plugin's own function, the header. Both say on stderr
 * what went wrong, prefixed with the plugin's name; a file that cannot be
 * opened or is not the plugin's leaves the plugin off (the run goes on), a
 * bad argument refuses it (qemu stops).
 */
#ifndef PLUGIN_OUT_H
#define PLUGIN_OUT_H

#include <stdbool.h>
#include <stddef.h>

/* FILE of the only argument, out=FILE; NULL after saying why. layout
 * names the header that describes FILE, for the message. */
const char *plugin_out_arg(const char *plugin, const char *layout, int argc, char **argv);

/* What a plugin's file is: its size, a check of its header, and words for
 * the messages ("guest-PC" file of version N; "guest PCs off"). */
struct plugin_out_kind {
	const char *plugin, *what, *off;
	unsigned version;
	size_t size;
	bool (*header_ok)(const void *file);
};

/* FILE mapped shared, read-write, when it opens, is exactly k->size bytes
 * and k->header_ok accepts it; NULL after saying why and k->off. */
void *plugin_out_map(const struct plugin_out_kind *k, const char *path);

#endif
