/*
 * Test support: read a whole file, the one way the tests do it, so that
 * "what does a missing file give?" has one answer everywhere.
 *
 * Every byte is kept (a NUL included: *len, not strlen, is the length),
 * and the result is always NUL-terminated, so a test can strstr() it. A
 * file that cannot be opened or read is reported, never asserted on: one
 * test must see a file absent, another must fail when it is, and only the
 * test knows which. Out of memory aborts: it is no test's outcome.
 */
#ifndef TEST_SLURP_H
#define TEST_SLURP_H

#include <stdbool.h>
#include <stddef.h>

/* path's contents in a malloc'd buffer (free it), *len its length when len
 * is not NULL; NULL, errno set, when it cannot be opened or read. */
char *slurp(const char *path, size_t *len);

/* At most cap - 1 bytes of path into buf (cap > 0), NUL-terminated, *len
 * their count when len is not NULL; false, buf "" and *len 0 when it
 * cannot be opened or read. For the tests that keep output in a fixed
 * buffer: what does not fit is cut off, as their messages expect. */
bool slurp_into(const char *path, char *buf, size_t cap, size_t *len);

#endif
