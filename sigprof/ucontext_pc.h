/*
 * ucontext_pc — the interrupted program counter from a signal's ucontext.
 * The only per-arch fact the signal side needs; one line per arch.
 */
#ifndef PROFTORTURE_UCONTEXT_PC_H
#define PROFTORTURE_UCONTEXT_PC_H

#include <signal.h>
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
#elif defined(__aarch64__) || defined(__mips__)
	return (uintptr_t)uc->uc_mcontext.pc;
#elif defined(__riscv)
	return (uintptr_t)uc->uc_mcontext.__gregs[REG_PC];
#elif defined(__powerpc64__)
	return (uintptr_t)uc->uc_mcontext.gp_regs[32]; /* PT_NIP */
#elif defined(__powerpc__)
	return (uintptr_t)uc->uc_mcontext.uc_regs->gregs[32]; /* PT_NIP */
#elif defined(__m68k__)
	return (uintptr_t)uc->uc_mcontext.gregs[R_PC];
#elif defined(__hppa__)
	return (uintptr_t)uc->uc_mcontext.sc_iaoq[0] & ~(uintptr_t)3; /* low bits: privilege level */
#elif defined(__s390x__)
	return (uintptr_t)uc->uc_mcontext.psw.addr;
#elif defined(__sparc__) && defined(__arch64__)
	/* sparc64 Linux hands SA_SIGINFO handlers a struct sigcontext (the
	 * siginfo copy, then the registers), not a ucontext_t */
	(void)uc;
	return (uintptr_t)((const struct sigcontext *)ucv)->sigc_regs.tpc;
#else
#error "ucontext_pc: add this arch (one line)"
#endif
}

#endif
