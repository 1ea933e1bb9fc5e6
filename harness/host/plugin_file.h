/*
 * plugin_file — the shared file between the runner and one of its qemu-user
 * plugins (qemu_plugin/), and the command line that loads the plugin on it.
 *
 * The file is a memfd of a fixed size (the plugin's layout), mapped shared
 * by the runner; qemu opens it as /proc/<runner>/fd/<n>, so nothing is left
 * on disk whatever happens to the runner and the guest inherits no
 * descriptor (close-on-exec). Used by guest_pcs.c and timer_gate.c.
 */
#ifndef HARNESS_PLUGIN_FILE_H
#define HARNESS_PLUGIN_FILE_H

#include <stddef.h>

/* A zeroed memfd of size bytes named name, mapped shared into *map; its fd,
 * or -1 (nothing left open). */
int plugin_file_new(const char *name, size_t size, void **map);
void plugin_file_free(int fd, void *map, size_t size);

/* argv (qemu first) with `-plugin <plugin>,out=/proc/<self>/fd/<fd>` right
 * after argv[0]: a malloc'd, NULL-terminated copy; free with
 * plugin_argv_free. */
char **plugin_argv(const char *plugin, int fd, char *const *argv);
/* Frees argv unless it is orig (callers that add no plugin pass it back). */
void plugin_argv_free(char **argv, char *const *orig);

#endif
