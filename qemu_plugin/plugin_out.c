/* plugin_out: a plugin's out=FILE, taken and mapped. Contract: plugin_out.h. */
#define _GNU_SOURCE
#include "plugin_out.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

const char *plugin_out_arg(const char *plugin, const char *layout, int argc, char **argv)
{
	const char *out = NULL;
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "out=", 4) == 0 && argv[i][4]) {
			out = argv[i] + 4;
			continue;
		}
		fprintf(stderr, "%s: unknown argument '%s' (allowed: out=FILE)\n", plugin, argv[i]);
		return NULL;
	}
	if (!out)
		fprintf(stderr, "%s: no out=FILE argument (the file %s describes)\n", plugin, layout);
	return out;
}

void *plugin_out_map(const struct plugin_out_kind *k, const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: cannot open %s: %s; %s\n", k->plugin, path, strerror(errno),
			k->off);
		return NULL;
	}
	struct stat st;
	void *m = MAP_FAILED;
	if (fstat(fd, &st) == 0 && st.st_size == (off_t)k->size)
		m = mmap(NULL, k->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m != MAP_FAILED && k->header_ok(m))
		return m;
	fprintf(stderr, "%s: %s is not a %s file of version %u; %s\n", k->plugin, path, k->what,
		k->version, k->off);
	if (m != MAP_FAILED)
		munmap(m, k->size);
	return NULL;
}
