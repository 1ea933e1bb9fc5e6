/*
 * host_exec — can this host's kernel run 32-bit x86 programs itself?
 *
 * An x86-64 kernel runs i686 programs only when it was built with the
 * 32-bit ABI (CONFIG_IA32_EMULATION) and it is not switched off
 * (ia32_emulation=false); CI machines and laptops come both ways, and
 * nothing in /proc says which. So the question is asked the only way that
 * cannot be wrong: a tiny static i686 program, made in memory (a 52-byte
 * ELF header, one 32-byte program header and 12 bytes of code that call
 * exit(42) through int $0x80), is executed once. Exit status 42 means the
 * kernel ran it; anything else (execve's "Exec format error", a crash
 * under some emulator that binfmt_misc sent it to) means it cannot.
 *
 * The answer is computed once per process and kept: every later call
 * returns it. arches.c asks it for the ci/arches.tsv rows whose
 * host_kernel column says "try".
 */
#ifndef HARNESS_HOST_EXEC_H
#define HARNESS_HOST_EXEC_H

#include <stdbool.h>
#include <stddef.h>

/* True when the host kernel ran the probe; else false with the reason
 * ("Exec format error", "exit status 1", ...) in why. */
bool host_exec_runs_i386(char *why, size_t cap);

#endif
