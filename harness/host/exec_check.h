/*
 * exec_check — will this command start, as asked? Checked before the first
 * run of `proftorture stress`, so that a typo, a missing +x or a binary
 * built for another arch is a usage error (exit 2), not N failing runs.
 *
 * Natively the command is looked up like execvp does (PATH unless it has a
 * '/'); an ELF file must have the runner's own class, byte order and
 * machine (from /proc/self/exe's header: with binfmt_misc a foreign binary
 * would otherwise run under some emulator, silently); anything else (a
 * script) is left to the kernel. Under a cross arch qemu-user opens the
 * path as given, and it must be an ELF file of the arch's ci/arches.tsv
 * "elf" column ("<machine> ELF32|ELF64 LSB|MSB"); a row without one is not
 * checked.
 */
#ifndef HARNESS_EXEC_CHECK_H
#define HARNESS_EXEC_CHECK_H

#include <stddef.h>

#include "arches.h"

/* 0 when cmd can run on arch (NULL or native: the host), else -1 with the
 * reason in why ("'x' is not found in PATH", ...). */
int exec_check(const char *cmd, const struct arch *arch, char *why, size_t cap);

#endif
