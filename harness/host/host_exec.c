/* host_exec: one tiny i686 program, run once. Contract: host_exec.h. */
#define _GNU_SOURCE
#include "host_exec.h"

#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"

#define PROBE_EXIT 42
#define PROBE_BASE 0x08048000u /* where i386 executables traditionally load */

/* mov $1, %eax (exit); mov $42, %ebx; int $0x80 */
static const unsigned char probe_code[] = { 0xb8, 0x01, 0x00, 0x00, 0x00, 0xbb, PROBE_EXIT,
					    0x00, 0x00, 0x00, 0xcd, 0x80 };

struct probe_image {
	Elf32_Ehdr eh;
	Elf32_Phdr ph;
	unsigned char code[sizeof probe_code];
};

/* The whole file is one read-and-execute segment loaded at PROBE_BASE;
 * the entry point is the code right after the two headers. The x86-64
 * host is little-endian like i386, so the fields need no swapping. */
static void probe_build(struct probe_image *im)
{
	memset(im, 0, sizeof *im);
	memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
	im->eh.e_ident[EI_CLASS] = ELFCLASS32;
	im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh.e_ident[EI_VERSION] = EV_CURRENT;
	im->eh.e_type = ET_EXEC;
	im->eh.e_machine = EM_386;
	im->eh.e_version = EV_CURRENT;
	im->eh.e_entry = PROBE_BASE + offsetof(struct probe_image, code);
	im->eh.e_phoff = offsetof(struct probe_image, ph);
	im->eh.e_ehsize = sizeof im->eh;
	im->eh.e_phentsize = sizeof im->ph;
	im->eh.e_phnum = 1;
	im->ph.p_type = PT_LOAD;
	im->ph.p_vaddr = im->ph.p_paddr = PROBE_BASE;
	im->ph.p_filesz = im->ph.p_memsz = sizeof *im;
	im->ph.p_flags = PF_R | PF_X;
	im->ph.p_align = 0x1000;
	memcpy(im->code, probe_code, sizeof probe_code);
}

/* One run of the probe from a memory file, through spawn.h like every
 * other program the runner starts (a 10-s deadline, exec's errno): nothing
 * on disk, so a noexec /tmp cannot give a wrong "no". The kernel opens
 * /proc/self/fd/N during execve, before close-on-exec applies, and the
 * probe is an ELF file, not a script, so the descriptor may be
 * close-on-exec. */
static bool probe_run(char *why, size_t cap)
{
	struct probe_image im;
	probe_build(&im);
	int fd = memfd_create("proftorture-i386-probe", MFD_CLOEXEC);
	if (fd < 0 || write(fd, &im, sizeof im) != (ssize_t)sizeof im) {
		snprintf(why, cap, "cannot make the probe: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	char *const argv[] = { path, NULL };
	struct proc p;
	proc_run_sync(&p, argv, true, 10);
	close(fd);
	int st = p.wait_status;
	bool ran = !p.spawn_failed && !p.timed_out && WIFEXITED(st) && WEXITSTATUS(st) == PROBE_EXIT;
	if (p.spawn_failed)
		snprintf(why, cap, "%s", strerror(p.spawn_errno));
	else if (p.timed_out)
		snprintf(why, cap, "the probe did not exit within 10 s");
	else if (WIFSIGNALED(st))
		snprintf(why, cap, "the probe died of signal %d", WTERMSIG(st));
	else if (!ran)
		snprintf(why, cap, "the probe exited %d, not %d", WEXITSTATUS(st), PROBE_EXIT);
	proc_release(&p);
	return ran;
}

bool host_exec_runs_i386(char *why, size_t cap)
{
	static int known = -1;
	static char reason[160];
	if (known < 0)
		known = probe_run(reason, sizeof reason);
	snprintf(why, cap, "%s", known ? "" : reason);
	return known;
}
