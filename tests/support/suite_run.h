/*
 * Test support: the one way a Check test program ends. Runs the suite in
 * Check's default mode (fork per test, CK_VERBOSITY and CK_RUN_CASE from the
 * environment), prints Check's summary line, and turns the result into the
 * program's exit status, so every test binary reports the same way to make.
 */
#ifndef TEST_SUITE_RUN_H
#define TEST_SUITE_RUN_H

#include <check.h>

/* Runs s and frees it: EXIT_SUCCESS when every test passed, else EXIT_FAILURE. */
int suite_run(Suite *s);

#endif
