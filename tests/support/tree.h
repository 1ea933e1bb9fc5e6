/*
 * Test support: where a test stands. The checkout's top, found from the
 * test binary's own path, and a scratch directory of its own under /tmp,
 * the one way the runner's tests (tests/harness/) find both.
 *
 * Failures to find or make them abort: no test's outcome, a broken host.
 */
#ifndef TEST_TREE_H
#define TEST_TREE_H

#include <stddef.h>

/* The test binary's path (/proc/self/exe) without its last `up`
 * components, into top: 5 for build/native/tests/harness/<test>. */
void tree_top(char *top, size_t cap, int up);
/* A new directory /tmp/proftorture-<name>-XXXXXX, its path into dir. */
void scratch_make(char *dir, size_t cap, const char *name);
/* Removes dir and everything in it; says so on stderr when it cannot. */
void scratch_remove(const char *dir);

#endif
