/*
 * Test support: run a shell command line and read back what it printed, the
 * one way the runner's tests drive a process through sh (redirections,
 * `timeout`, environment assignments in the line).
 */
#ifndef TEST_SHELL_H
#define TEST_SHELL_H

/* Runs `cmd >DIR/stdout 2>DIR/stderr` through sh and returns its exit
 * status: 128 + N when it died of signal N, -1 when sh could not run. *out
 * and *err (each may be NULL: not wanted) get the files' contents, malloc'd,
 * or NULL when a file cannot be read (slurp.h). */
int shell_capture(const char *cmd, const char *dir, char **out, char **err);

#endif
