/* host_exec: one tiny i686 program, run once. Contract: host_exec.h. */
#define _GNU_SOURCE
#include "host_exec.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

/* Waits up to 10 s for the probe (it exits at once wherever it runs at
 * all); a probe still running then is killed and counts as "cannot". */
static int probe_wait(pid_t pid, char *why, size_t cap)
{
	int st;
	for (int i = 0; i < 1000; i++) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid) {
			if (WIFEXITED(st) && WEXITSTATUS(st) == PROBE_EXIT)
				return 0;
			if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
				return -1; /* the child's exec failed: why is already set */
			if (WIFEXITED(st))
				snprintf(why, cap, "the probe exited %d, not %d", WEXITSTATUS(st),
					 PROBE_EXIT);
			else
				snprintf(why, cap, "the probe died of signal %d", WTERMSIG(st));
			return -1;
		}
		if (r < 0 && errno != EINTR) {
			snprintf(why, cap, "waitpid: %s", strerror(errno));
			return -1;
		}
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	snprintf(why, cap, "the probe did not exit within 10 s");
	return -1;
}

/* One run of the probe from a memory file: nothing on disk, so a noexec
 * /tmp cannot give a wrong "no". The exec's errno comes back through a
 * pipe. */
static bool probe_run(char *why, size_t cap)
{
	struct probe_image im;
	probe_build(&im);
	int fd = memfd_create("proftorture-i386-probe", MFD_CLOEXEC), pfd[2];
	if (fd < 0 || write(fd, &im, sizeof im) != (ssize_t)sizeof im || pipe2(pfd, O_CLOEXEC)) {
		snprintf(why, cap, "cannot make the probe: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	pid_t pid = fork();
	if (pid == 0) {
		char *const argv[] = { "proftorture-i386-probe", NULL }, *const envp[] = { NULL };
		fexecve(fd, argv, envp);
		int e = errno;
		if (write(pfd[1], &e, sizeof e) < 0)
			_exit(126);
		_exit(127);
	}
	close(fd);
	close(pfd[1]);
	int e = 0;
	bool exec_failed = pid > 0 && read(pfd[0], &e, sizeof e) == (ssize_t)sizeof e;
	close(pfd[0]);
	if (pid < 0) {
		snprintf(why, cap, "fork: %s", strerror(errno));
		return false;
	}
	if (exec_failed)
		snprintf(why, cap, "%s", strerror(e));
	return probe_wait(pid, why, cap) == 0;
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
