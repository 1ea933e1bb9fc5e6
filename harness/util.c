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

int ut_dir_writable(const char *dir, char *err, size_t errlen)
{
	if (ut_mkdir_p(dir) < 0) {
		snprintf(err, errlen, "cannot create output directory %s: %s", dir, strerror(errno));
		return -1;
	}
	struct sbuf probe = { 0 };
	sb_printf(&probe, "%s/.proftorture-probe.%ld", dir, (long)getpid());
	int fd = open(probe.s, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "x", 1) != 1) {
		snprintf(err, errlen, "output directory %s is not writable: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(probe.s);
		sb_free(&probe);
		return -1;
	}
	close(fd);
	unlink(probe.s);
	sb_free(&probe);
	return 0;
}

int ut_write_file(const char *path, const char *data, size_t n, bool executable)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, executable ? 0755 : 0644);
	if (fd < 0)
		return -1;
	while (n) {
		ssize_t w = write(fd, data, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		data += w;
		n -= (size_t)w;
	}
	return close(fd);
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
