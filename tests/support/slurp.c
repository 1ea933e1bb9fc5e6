#include "slurp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	/* Read until EOF, not to fstat's size: /proc files and files still
	 * being written report a size that is not their length. */
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (cap - n < 2) {
			cap = cap ? 2 * cap : 4096;
			char *grown = realloc(buf, cap);
			if (!grown) {
				fprintf(stderr, "slurp: %s: out of memory at %zu bytes\n", path, cap);
				abort();
			}
			buf = grown;
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	int failed = ferror(f), e = errno;
	fclose(f);
	if (failed) {
		free(buf);
		errno = e ? e : EIO;
		return NULL;
	}
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

bool slurp_into(const char *path, char *buf, size_t cap, size_t *len)
{
	size_t n = 0;
	char *all = slurp(path, &n);
	bool ok = all != NULL;
	if (n > cap - 1)
		n = cap - 1;
	if (ok)
		memcpy(buf, all, n);
	buf[n] = 0;
	free(all);
	if (len)
		*len = n;
	return ok;
}
