/*
 * util — small helpers every harness file uses: a growable string buffer,
 * checked allocation, shard parsing, text sanitising for reports, shell
 * quoting for replay scripts, string vectors and files.
 *
 * Contract: nothing here does I/O except the file helpers below and the
 * x*alloc family, which exit(2) with a message when memory runs out (the
 * runner cannot do anything useful without memory). All functions are
 * single-threaded; the runner is single-threaded.
 */
#ifndef HARNESS_UTIL_H
#define HARNESS_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "proftorture: out of memory" on stderr, exit 2. */
_Noreturn void ut_out_of_memory(void);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* A NUL-terminated, growable byte string. Zero-initialise to start. */
struct sbuf {
	char *s;
	size_t len, cap;
};
void sb_add(struct sbuf *b, const char *data, size_t n);
void sb_puts(struct sbuf *b, const char *s);
void sb_putc(struct sbuf *b, char c);
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(struct sbuf *b, const char *fmt, va_list ap);
const char *sb_str(const struct sbuf *b); /* "" when empty, never NULL */
void sb_free(struct sbuf *b);

/* "I/N" with 1 <= I <= N <= 100000, strictly. 0 or -1. (Numbers and
 * durations: options.h's opts_parse_*.) */
int ut_parse_shard(const char *s, unsigned *index, unsigned *count);

/* Seconds: monotonic (for deadlines) and wall clock (for timestamps). */
double ut_now(void);

/* Replace every byte that is not printable ASCII, '\n' or '\t' with '?'.
 * Report writers (JSON, JUnit, TAP) only ever see sanitised text, so a
 * child that prints binary garbage cannot produce an invalid document. */
void ut_sanitize(char *s);
/* Copy at most cap-1 bytes, sanitised, always terminated. */
void ut_copy_clean(char *dst, size_t cap, const char *src);

/* Append s to b quoted for a POSIX shell ('...' with '\'' escapes). */
void sb_shell_quote(struct sbuf *b, const char *s);

/* Frees a NULL-terminated vector of strings and the strings. */
void ut_free_list(char **v);
bool ut_list_has(char *const *v, const char *s);

/* mkdir -p; 0 or -1 with errno. */
int ut_mkdir_p(const char *path);
/* Creates (mkdir -p) dir and proves it writable by creating and removing a
 * probe file. 0, or -1 with a message in err. */
int ut_dir_writable(const char *dir, char *err, size_t errlen);
/* Proves that ut_write_file(path) can create its file, without creating
 * or touching path: a temporary made and removed in path's directory, or,
 * for an existing file that is not a regular one (/dev/stdout), write
 * permission. A directory is refused. 0, or -1 with a message in err. */
int ut_output_writable(const char *path, char *err, size_t errlen);

/* Writes data to path, atomically: a temporary in the same directory
 * (.<name>.tmp.<pid>), every write checked, fsync'd (unless
 * UT_FILE_NOSYNC), closed with its result checked, then renamed over path
 * and the directory fsync'd. On any failure the temporary is removed and
 * path is untouched: the previous file, or none; never an empty or torn
 * one. Through a symlink the file it points to is replaced; an existing
 * file that is not a regular one (/dev/stdout, a FIFO) is written in
 * place. Mode 0644, or 0755 with UT_FILE_EXEC. 0, or -1 with errno. */
enum { UT_FILE_EXEC = 1, UT_FILE_NOSYNC = 2 };
int ut_write_file(const char *path, const char *data, size_t n, unsigned flags);
/* Reads a whole file (at most max bytes). NULL with errno on failure. */
char *ut_read_file(const char *path, size_t max, size_t *len);

/* Looks a command up in PATH (or takes it as a path when it has a '/').
 * Returns a malloc'd path or NULL. */
char *ut_which(const char *cmd);

/* "12.3s", "4m05s", "1h02m" */
void ut_format_duration(char *buf, size_t cap, double s);

#endif
