#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "options.h"

void ut_out_of_memory(void)
{
	fputs("proftorture: out of memory\n", stderr);
	exit(2);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		ut_out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		ut_out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		ut_out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

static void sb_reserve(struct sbuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
}

void sb_add(struct sbuf *b, const char *data, size_t n)
{
	sb_reserve(b, n);
	memcpy(b->s + b->len, data, n);
	b->len += n;
	b->s[b->len] = 0;
}

void sb_puts(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

void sb_putc(struct sbuf *b, char c)
{
	sb_add(b, &c, 1);
}

void sb_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	sb_reserve(b, (size_t)n);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

const char *sb_str(const struct sbuf *b)
{
	return b->s ? b->s : "";
}

void sb_free(struct sbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

int ut_parse_shard(const char *s, unsigned *index, unsigned *count)
{
	const char *slash = s ? strchr(s, '/') : NULL;
	if (!slash)
		return -1;
	char a[32];
	size_t n = (size_t)(slash - s);
	if (n == 0 || n >= sizeof a)
		return -1;
	memcpy(a, s, n);
	a[n] = 0;
	uint64_t i, c;
	if (opts_parse_u64(a, &i) || opts_parse_u64(slash + 1, &c))
		return -1;
	if (c < 1 || c > 100000 || i < 1 || i > c)
		return -1;
	*index = (unsigned)i;
	*count = (unsigned)c;
	return 0;
}

double ut_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ut_sanitize(char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n' || c == '\t')
			continue;
		if (c < 0x20 || c >= 0x7f)
			*s = '?';
	}
}

void ut_copy_clean(char *dst, size_t cap, const char *src)
{
	if (!cap)
		return;
	size_t n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
	ut_sanitize(dst);
}

void sb_shell_quote(struct sbuf *b, const char *s)
{
	bool plain = *s != 0;
	for (const char *p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%",
			    *p))
			plain = false;
	if (plain) {
		sb_puts(b, s);
		return;
	}
	sb_putc(b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			sb_puts(b, "'\\''");
		else
			sb_putc(b, *p);
	}
	sb_putc(b, '\'');
}

void ut_free_list(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

bool ut_list_has(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

int ut_mkdir_p(const char *path)
{
	char *p = xstrdup(path);
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			int e = errno;
			free(p);
			errno = e;
			return -1;
		}
		*q = '/';
	}
	int rc = mkdir(p, 0755);
	int e = errno;
	free(p);
	if (rc < 0 && e != EEXIST) {
		errno = e;
		return -1;
	}
	struct stat st;
	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/* Creates, writes one byte to, and removes a probe file in dir: proves
 * that a file can be made there (a full disk fails the byte). */
static int probe_dir(const char *dir)
{
	struct sbuf probe = { 0 };
	sb_printf(&probe, "%s/.proftorture-probe.%ld", dir, (long)getpid());
	int fd = open(probe.s, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int rc = fd < 0 || write(fd, "x", 1) != 1 ? -1 : 0;
	int e = errno;
	if (fd >= 0 && close(fd) < 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	if (fd >= 0)
		unlink(probe.s);
	sb_free(&probe);
	errno = e;
	return rc;
}

int ut_dir_writable(const char *dir, char *err, size_t errlen)
{
	if (ut_mkdir_p(dir) < 0) {
		snprintf(err, errlen, "cannot create output directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (probe_dir(dir) < 0) {
		snprintf(err, errlen, "output directory %s is not writable: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* path's directory ("." for a bare name), malloc'd. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	return slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
}

int ut_output_writable(const char *path, char *err, size_t errlen)
{
	struct stat st;
	bool exists = stat(path, &st) == 0;
	const char *why = NULL;
	if (exists && S_ISDIR(st.st_mode))
		why = strerror(EISDIR);
	else if (exists && !S_ISREG(st.st_mode)) /* /dev/stdout, a FIFO: written in place */
		why = access(path, W_OK) == 0 ? NULL : strerror(errno);
	else {
		char *dir = dir_of(path);
		why = probe_dir(dir) == 0 ? NULL : strerror(errno);
		free(dir);
	}
	if (why)
		snprintf(err, errlen, "cannot write %s: %s", path, why);
	return why ? -1 : 0;
}

static int write_all(int fd, const char *data, size_t n)
{
	while (n) {
		ssize_t w = write(fd, data, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		data += w;
		n -= (size_t)w;
	}
	return 0;
}

/* An existing file that is not a regular one (/dev/stdout, /dev/full, a
 * FIFO) cannot be renamed over: it is written where it is. */
static int write_in_place(const char *path, const char *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write_all(fd, data, n) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

/* fsync, where the file system has one (EINVAL: it has none). */
static int sync_fd(int fd)
{
	return fsync(fd) == 0 || errno == EINVAL || errno == ENOTSUP ? 0 : -1;
}

/* The rename is durable once the directory is synced; best effort. */
static void sync_dir(const char *path)
{
	char *dir = dir_of(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)sync_fd(fd);
		close(fd);
	}
	free(dir);
}

/* Opens the temporary beside target (<dir>/.<name>.tmp.<pid>); a stale
 * one of a dead process with the same pid is replaced. */
static int open_temp(struct sbuf *tmp, const char *target, unsigned flags)
{
	const char *slash = strrchr(target, '/');
	if (slash)
		sb_add(tmp, target, (size_t)(slash - target) + 1);
	sb_printf(tmp, ".%s.tmp.%ld", slash ? slash + 1 : target, (long)getpid());
	mode_t mode = flags & UT_FILE_EXEC ? 0755 : 0644;
	int fd = open(tmp->s, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0 && errno == EEXIST && unlink(tmp->s) == 0)
		fd = open(tmp->s, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	return fd;
}

/* The temporary's contents, synced and closed, renamed over target. */
static int write_temp(int fd, const char *tmp, const char *target, const char *data, size_t n,
		      unsigned flags)
{
	int rc = write_all(fd, data, n);
	if (rc == 0 && !(flags & UT_FILE_NOSYNC))
		rc = sync_fd(fd);
	int e = errno;
	if (close(fd) < 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	if (rc == 0 && rename(tmp, target) < 0) {
		rc = -1;
		e = errno;
	}
	errno = e;
	return rc;
}

int ut_write_file(const char *path, const char *data, size_t n, unsigned flags)
{
	struct stat st;
	bool exists = stat(path, &st) == 0;
	if (exists && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	if (exists && !S_ISREG(st.st_mode))
		return write_in_place(path, data, n);
	/* through a symlink: the file it points to is replaced, not the link */
	char *target = exists ? realpath(path, NULL) : NULL;
	if (!target)
		target = xstrdup(path);
	struct sbuf tmp = { 0 };
	int fd = open_temp(&tmp, target, flags);
	int rc = fd < 0 ? -1 : write_temp(fd, tmp.s, target, data, n, flags);
	int e = errno;
	if (rc < 0 && fd >= 0)
		unlink(tmp.s);
	else if (rc == 0 && !(flags & UT_FILE_NOSYNC))
		sync_dir(target);
	sb_free(&tmp);
	free(target);
	errno = e;
	return rc;
}

char *ut_read_file(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct sbuf b = { 0 };
	char chunk[65536];
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			sb_free(&b);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		if (b.len + (size_t)r > max) {
			close(fd);
			sb_free(&b);
			errno = EFBIG;
			return NULL;
		}
		sb_add(&b, chunk, (size_t)r);
	}
	close(fd);
	if (!b.s)
		sb_add(&b, "", 0);
	if (len)
		*len = b.len;
	return b.s;
}

char *ut_which(const char *cmd)
{
	if (!cmd || !*cmd)
		return NULL;
	if (strchr(cmd, '/'))
		return access(cmd, X_OK) == 0 ? xstrdup(cmd) : NULL;
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	char *found = NULL;
	for (const char *p = path; !found;) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		struct sbuf b = { 0 };
		if (len)
			sb_add(&b, p, len);
		else
			sb_puts(&b, "."); /* an empty PATH entry means the cwd */
		sb_printf(&b, "/%s", cmd);
		struct stat st;
		if (stat(b.s, &st) == 0 && S_ISREG(st.st_mode) && access(b.s, X_OK) == 0)
			found = b.s;
		else
			sb_free(&b);
		if (!colon)
			break;
		p = colon + 1;
	}
	return found;
}

void ut_format_duration(char *buf, size_t cap, double s)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, cap, "%.1fs", s);
	else if (s < 3600)
		snprintf(buf, cap, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		snprintf(buf, cap, "%dh%02dm", (int)(s / 3600), ((int)s / 60) % 60);
}
