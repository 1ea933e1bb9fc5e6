#define _GNU_SOURCE
#include "tree.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void tree_top(char *top, size_t cap, int up)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0) {
		perror("tree_top: /proc/self/exe");
		abort();
	}
	exe[n] = 0;
	for (int i = 0; i < up; i++) {
		char *slash = strrchr(exe, '/');
		if (!slash) {
			fprintf(stderr, "tree_top: %s has fewer than %d components\n", exe, up);
			abort();
		}
		*slash = 0;
	}
	snprintf(top, cap, "%s", exe);
}

void scratch_make(char *dir, size_t cap, const char *name)
{
	snprintf(dir, cap, "/tmp/proftorture-%s-XXXXXX", name);
	if (!mkdtemp(dir)) {
		perror("scratch_make: mkdtemp");
		abort();
	}
}

void scratch_remove(const char *dir)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}
