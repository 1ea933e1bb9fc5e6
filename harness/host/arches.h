/*
 * arches — where things are, and what each arch can run.
 *
 * Paths. The repository root is $PROFTORTURE_ROOT when set, else derived
 * from the runner's own location (<root>/build/native/proftorture), else
 * the working directory. Below the root:
 *   ci/arches.tsv          the arch table (tab-separated, header row,
 *                          "-" = empty): arch triple qemu qemu_flags cflags
 *                          atomics go_analogue elf (what `readelf -h` says of
 *                          the arch's binaries: "<Machine number> ELF32|ELF64
 *                          LSB|MSB"; "-" for native: the runner's own)
 *                          debian_arch ldflags (for install-deps and make)
 *                          host_kernel ("try": run on the host kernel when
 *                          this host can, decided once by host_exec.h's
 *                          probe, else under the qemu column; "-": always
 *                          the qemu column) repro ("yes": one of the
 *                          arches `make repro`, `proftorture repro` and
 *                          `repro-go` run by default; the one place that
 *                          set is written)
 *   cases/expected.tsv     the expected-outcome table (expected.h)
 *   build/<arch>/torture   each arch's torture binary
 * Tests point PROFTORTURE_ROOT at a scratch tree with a fake torture and a
 * fake qemu on PATH; nothing else about discovery is configurable.
 *
 * Running. A cross arch's torture runs as `<qemu> <qemu_flags...>
 * <root>/build/<arch>/torture ...`; native runs it directly. arch_argv()
 * builds that prefix for any command, which `proftorture stress --arch`
 * reuses for arbitrary binaries.
 *
 * Capabilities come from `torture --list` (arch_probe): supported
 * strategies, the default strategy, cases, variants, sources and the
 * compiled-in expect lines. When the binary is missing the probe fails and
 * the caller reports it before any run starts.
 */
#ifndef HARNESS_ARCHES_H
#define HARNESS_ARCHES_H

#include <stdbool.h>
#include <stddef.h>

struct arch {
	char *name, *triple, *qemu, *default_atomics, *go;
	char *elf; /* "" when the table has none */
	/* The host_kernel column says "try": the host kernel runs the arch's
	 * programs when it can (qemu then ""), else qemu does, and qemu_reason
	 * says why ("" or NULL for every other row). */
	bool host_kernel_first;
	char *qemu_reason;
	bool repro; /* in the repro set (the repro column) */
	char **qemu_flags; /* NULL-terminated */
	char **cflags;
};

struct arch_table {
	struct arch *v;
	size_t n;
};

/* What `torture --list` said. */
struct arch_caps {
	bool ok;
	char *error;     /* why the probe failed (when !ok) */
	char *arch;      /* the "arch" line */
	char **cases, **variants, **sources, **strategies; /* NULL-terminated */
	char *default_atomics;
	struct {
		char *case_name, *variant, *atomics, *outcome;
	} *expect;
	size_t nexpect;
};

const char *harness_root(void);
/* <root>/<rel>, malloc'd. */
char *root_path(const char *rel);
/* <root>/build/<arch>/torture, malloc'd. */
char *torture_path(const char *arch);
/* <root>/build/native/guestpc.so, qemu's guest-PC plugin (guest_pcs.h),
 * malloc'd; NULL when it is not built. */
char *guestpc_plugin_path(void);
/* <root>/build/native/timergate.so, qemu's timer-gate plugin (timer_gate.h),
 * or NULL when it is not built. */
char *timergate_plugin_path(void);

int arches_load(const char *path, struct arch_table *t, char *err, size_t errlen);
void arches_free(struct arch_table *t);
const struct arch *arch_find(const struct arch_table *t, const char *name);
/* The repro set, "armel,armhf,..." in the table's order, malloc'd. */
char *arches_repro_list(const struct arch_table *t);
bool arch_is_cross(const struct arch *a);

/* Go's names for the arch, from its go_analogue column ("GOARCH=arm GOARM=5",
 * "GOARCH=amd64 (the host)"): arch_goarch is the GOARCH ("arm"), arch_go_env
 * every GO*= word, plus GOMIPS=softfloat for mips and mipsle (Debian's qemu
 * 7.2 gets hard-float int64->float64 conversions wrong), space-separated.
 * Both malloc'd; NULL when the row has no Go port. */
char *arch_goarch(const struct arch *a);
char *arch_go_env(const struct arch *a);
/* The value of one KEY=value word of the go_analogue column ("GOARM" ->
 * "5"), malloc'd, or NULL. */
char *arch_go_word(const struct arch *a, const char *key);

/* argv prefix to run `cmd` for this arch (qemu + flags + cmd, or cmd),
 * malloc'd, NULL-terminated, with room for `extra` more entries. *n is the
 * number of entries used. */
char **arch_argv(const struct arch *a, const char *cmd, size_t extra, size_t *n);
void argv_free(char **argv);

/* Whether the arch's qemu lists trace event `event` (`qemu -d trace:help`,
 * 30 s limit): the cannon's readiness rule under qemu needs one (cannon.h). */
bool arch_qemu_has_event(const struct arch *a, const char *event);

/* Runs `torture --list` for the arch (under qemu when cross), 60 s limit. */
void arch_probe(const struct arch *a, struct arch_caps *caps);
/* Parses --list output (exposed for tests). */
void arch_caps_parse(const char *text, struct arch_caps *caps);
void arch_caps_free(struct arch_caps *caps);

#endif
