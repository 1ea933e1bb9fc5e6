/* exec_check: CMD found, executable and of the right arch. Contract:
 * exec_check.h. */
#define _GNU_SOURCE
#include "exec_check.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

struct elf_kind {
	unsigned machine; /* e_machine */
	int bits; /* 32 or 64 */
	bool msb;
};

/* Reads the ELF identification and e_machine; false when not ELF. */
static bool read_elf_kind(const char *path, struct elf_kind *k)
{
	unsigned char h[EI_NIDENT + 4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, h, sizeof h);
	close(fd);
	if (n < (ssize_t)sizeof h || memcmp(h, ELFMAG, SELFMAG) != 0)
		return false;
	k->bits = h[EI_CLASS] == ELFCLASS64 ? 64 : h[EI_CLASS] == ELFCLASS32 ? 32 : 0;
	k->msb = h[EI_DATA] == ELFDATA2MSB;
	/* e_machine follows e_type, right after the identification */
	const unsigned char *m = h + EI_NIDENT + 2;
	k->machine = k->msb ? (unsigned)(m[0] << 8 | m[1]) : (unsigned)(m[1] << 8 | m[0]);
	return k->bits != 0;
}

static void describe(const struct elf_kind *k, char *buf, size_t cap)
{
	snprintf(buf, cap, "%u ELF%d %s", k->machine, k->bits, k->msb ? "MSB" : "LSB");
}

/* The arch table's "elf" column; false when it has none. */
static bool parse_kind(const char *text, struct elf_kind *k)
{
	char order[4];
	if (!text || sscanf(text, "%u ELF%d %3s", &k->machine, &k->bits, order) != 3)
		return false;
	k->msb = strcmp(order, "MSB") == 0;
	return true;
}

/* Where the command lives, as exec (native) or qemu (cross) will find it. */
static char *locate(const char *cmd, bool cross, char *why, size_t cap)
{
	struct stat st;
	if (!cross) {
		char *path = ut_which(cmd);
		if (!path)
			snprintf(why, cap, "'%s' %s", cmd,
				 !strchr(cmd, '/')	  ? "is not found in PATH"
				 : access(cmd, F_OK) != 0 ? "does not exist"
							  : "is not executable");
		return path;
	}
	if (stat(cmd, &st) != 0 || !S_ISREG(st.st_mode) || access(cmd, R_OK) != 0) {
		snprintf(why, cap,
			 "'%s' is not a readable file (qemu-user takes a path, not a PATH search)",
			 cmd);
		return NULL;
	}
	return xstrdup(cmd);
}

int exec_check(const char *cmd, const struct arch *arch, char *why, size_t cap)
{
	bool cross = arch && arch_is_cross(arch);
	char *path = locate(cmd, cross, why, cap);
	if (!path)
		return -1;
	struct elf_kind want, got;
	/* The arch's own ELF kind when the table gives one (i686 runs on the
	 * host kernel without qemu, yet its programs are 32-bit); else, for
	 * native, the runner's own. */
	bool known = arch && arch->elf[0] ? parse_kind(arch->elf, &want)
					  : !cross && read_elf_kind("/proc/self/exe", &want);
	bool elf = read_elf_kind(path, &got);
	int rc = 0;
	if (cross && !elf) {
		snprintf(why, cap,
			 "'%s' is not an ELF program; qemu-user runs %s's ELF binaries only", path,
			 arch->name);
		rc = -1;
	} else if (known && elf &&
		   (got.machine != want.machine || got.bits != want.bits || got.msb != want.msb)) {
		char g[48], w[48];
		describe(&got, g, sizeof g);
		describe(&want, w, sizeof w);
		snprintf(why, cap,
			 "'%s' is a %s binary (machine, class, byte order), but %s runs %s", path,
			 g, arch && arch->elf[0] ? arch->name : "this host", w);
		rc = -1;
	}
	free(path);
	return rc;
}
