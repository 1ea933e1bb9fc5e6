/*
 * ucontext_pc — the interrupted program counter from a signal's ucontext.
 * The only per-arch fact the signal side needs; one line per arch.
 */
#ifndef PROFTORTURE_UCONTEXT_PC_H
#define PROFTORTURE_UCONTEXT_PC_H

#include <stdint.h>
#include <ucontext.h>

static inline uintptr_t ucontext_pc(const void *ucv)
{
	const ucontext_t *uc = ucv;
#if defined(__x86_64__)
	return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__i386__)
	return (uintptr_t)uc->uc_mcontext.gregs[REG_EIP];
#elif defined(__arm__)
	return (uintptr_t)uc->uc_mcontext.arm_pc;
#elif defined(__aarch64__) || defined(__mips__) || defined(__riscv)
	return (uintptr_t)uc->uc_mcontext.pc;
#else
#error "ucontext_pc: add this arch (one line)"
#endif
}

#endif
