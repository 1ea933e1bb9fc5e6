/* plugin_file: a runner-to-qemu-plugin shared file. Contract: plugin_file.h. */
#define _GNU_SOURCE
#include "plugin_file.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"

int plugin_file_new(const char *name, size_t size, void **map)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	void *m = MAP_FAILED;
	if (ftruncate(fd, (off_t)size) == 0)
		m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		close(fd);
		return -1;
	}
	*map = m;
	return fd;
}

void plugin_file_free(int fd, void *map, size_t size)
{
	if (map)
		munmap(map, size);
	if (fd >= 0)
		close(fd);
}

char **plugin_argv(const char *plugin, int fd, char *const *argv)
{
	size_t n = 0;
	while (argv[n])
		n++;
	char **v = xcalloc(n + 3, sizeof *v);
	struct sbuf arg = { 0 };
	sb_printf(&arg, "%s,out=/proc/%d/fd/%d", plugin, (int)getpid(), fd);
	v[0] = xstrdup(argv[0]);
	v[1] = xstrdup("-plugin");
	v[2] = arg.s;
	for (size_t i = 1; i < n; i++)
		v[i + 2] = xstrdup(argv[i]);
	return v;
}

void plugin_argv_free(char **argv, char *const *orig)
{
	if (!argv || argv == (char **)orig)
		return;
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}
