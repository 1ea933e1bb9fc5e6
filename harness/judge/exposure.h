/*
 * exposure — how many signals a run's program says it handled: its
 * exposure line, `proftorture: signals handled N` (N a whole number), which
 * a program under test may print on stdout or stderr. A run whose signal
 * cannon fired but whose program handled none tested nothing: the file
 * kind (kind_file.c) calls it unexercised, never clean.
 *
 * The line must start a line (after optional blanks) and N is read up to
 * the end of the number; anything after it is allowed. When a program
 * prints several, the LAST one wins (a program may report as it goes).
 *
 * Pure; safe on text with NUL bytes.
 */
#ifndef HARNESS_EXPOSURE_H
#define HARNESS_EXPOSURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXPOSURE_PREFIX "proftorture: signals handled "

/* The last exposure line in text[0..len): true with its N in *handled;
 * false (and *handled untouched) when there is none. */
bool exposure_parse(const char *text, size_t len, uint64_t *handled);

#endif
