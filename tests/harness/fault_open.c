/*
 * fault_open.so — an LD_PRELOAD shim for check_runner's unprivileged
 * "read-only results directory" tests: open() of a path under one
 * directory, for writing or creating, fails with one errno, as on a file
 * system remounted read-only; every other open() is the real one.
 *
 * Why not libfiu (which check_runner uses for write, fsync and rename):
 * its posix/io/oc/open failure point fails every open() of the process,
 * whatever the path and flags. A read-only mount fails only the opens
 * that would write under it; libfiu's would also fail merge's reads of
 * its input summaries, the runner's reads of its config, and the open of
 * /dev/null in each forked child, so the runner would report another
 * fault than the one the test means.
 *
 * Environment (read at each call, so a test can arm the fault mid-run):
 *   PT_FAULT_OPEN_DIR    the directory (absolute, as the runner is given it)
 *   PT_FAULT_OPEN_ERRNO  the errno, a number (default EROFS)
 *   PT_FAULT_OPEN_ARM    optional: the fault acts only while this path exists
 * The runner's children inherit the shim; they open nothing under the
 * directory, so they are unaffected.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool faulted(const char *path, int flags)
{
	const char *dir = getenv("PT_FAULT_OPEN_DIR");
	if (!dir || !*dir || !path)
		return false;
	if ((flags & O_ACCMODE) == O_RDONLY && !(flags & O_CREAT))
		return false;
	size_t n = strlen(dir);
	if (strncmp(path, dir, n) != 0 || (path[n] != '/' && path[n] != 0))
		return false;
	const char *arm = getenv("PT_FAULT_OPEN_ARM");
	struct stat st;
	return !arm || !*arm || stat(arm, &st) == 0;
}

static int fault_errno(void)
{
	const char *e = getenv("PT_FAULT_OPEN_ERRNO");
	return e && atoi(e) > 0 ? atoi(e) : EROFS;
}

/* The runner opens files only with open() (nm -D: no openat, no open64),
 * so that is the one call interposed. */
int open(const char *path, int flags, ...)
{
	static int (*real_open)(const char *, int, ...);
	mode_t mode = 0;
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) {
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (faulted(path, flags)) {
		errno = fault_errno();
		return -1;
	}
	if (!real_open)
		real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	return real_open(path, flags, mode);
}
