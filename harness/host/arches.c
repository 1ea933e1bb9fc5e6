#define _GNU_SOURCE
#include "arches.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host_exec.h"
#include "spawn.h"
#include "util.h"

static char *root;

const char *harness_root(void)
{
	if (root)
		return root;
	const char *env = getenv("PROFTORTURE_ROOT");
	if (env && *env) {
		root = xstrdup(env);
		return root;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = 0;
		/* <root>/build/<arch>/proftorture: strip three components */
		char *p = exe;
		for (int i = 0; i < 3 && p; i++) {
			p = strrchr(exe, '/');
			if (p)
				*p = 0;
		}
		if (p && *exe) {
			struct sbuf b = { 0 };
			sb_printf(&b, "%s/ci/arches.tsv", exe);
			bool ok = access(b.s, R_OK) == 0;
			sb_free(&b);
			if (ok) {
				root = xstrdup(exe);
				return root;
			}
		}
	}
	char cwd[PATH_MAX];
	root = xstrdup(getcwd(cwd, sizeof cwd) ? cwd : ".");
	return root;
}

char *root_path(const char *rel)
{
	struct sbuf b = { 0 };
	sb_printf(&b, "%s/%s", harness_root(), rel);
	return b.s;
}

char *torture_path(const char *arch)
{
	struct sbuf b = { 0 };
	sb_printf(&b, "%s/build/%s/torture", harness_root(), arch);
	return b.s;
}

static char *built_plugin(const char *rel)
{
	char *so = root_path(rel);
	if (access(so, R_OK) == 0)
		return so;
	free(so);
	return NULL;
}

char *guestpc_plugin_path(void)
{
	return built_plugin("build/native/guestpc.so");
}

char *timergate_plugin_path(void)
{
	return built_plugin("build/native/timergate.so");
}

static char *field(const char *s)
{
	return xstrdup(strcmp(s, "-") == 0 ? "" : s);
}

static char **words(const char *s)
{
	size_t cap = 4, n = 0;
	char **v = xmalloc(cap * sizeof *v);
	char *copy = xstrdup(strcmp(s, "-") == 0 ? "" : s), *save = copy;
	for (char *w; (w = strsep(&save, " "));) {
		if (!*w)
			continue;
		if (n + 2 > cap)
			v = xrealloc(v, (cap *= 2) * sizeof *v);
		v[n++] = xstrdup(w);
	}
	v[n] = NULL;
	free(copy);
	return v;
}

#define I386_ELF "3 ELF32 LSB"

/* A row that tries the host kernel first: it keeps its qemu only when this
 * host cannot run the arch's programs itself (host_exec.h), or when
 * PROFTORTURE_HOST_KERNEL=never asks for the emulator (how the tests play a
 * host without the 32-bit ABI). */
static void choose_exec(struct arch *a)
{
	char why[160];
	const char *force = getenv("PROFTORTURE_HOST_KERNEL");
	struct sbuf b = { 0 };
	if (force && strcmp(force, "never") == 0) {
		sb_puts(&b, "PROFTORTURE_HOST_KERNEL=never asks for the emulator");
	} else if (host_exec_runs_i386(why, sizeof why)) {
		free(a->qemu);
		a->qemu = xstrdup("");
		argv_free(a->qemu_flags);
		a->qemu_flags = words("-");
		return;
	} else {
		sb_printf(&b, "this host's kernel cannot run %s programs (%s)", a->name, why);
	}
	free(a->qemu_reason);
	a->qemu_reason = b.s;
}

int arches_load(const char *path, struct arch_table *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof *t);
	char *text = ut_read_file(path, 1 << 20, NULL);
	if (!text) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	unsigned lineno = 0;
	char *save = text;
	for (char *line; (line = strsep(&save, "\n"));) {
		lineno++;
		if (lineno == 1 || !*line || *line == '#')
			continue; /* header row */
		char *f[12] = { 0 };
		size_t nf = 0;
		for (char *s = line, *tok; nf < 12 && (tok = strsep(&s, "\t"));)
			f[nf++] = tok;
		if (nf < 6) {
			snprintf(err, errlen, "%s:%u: want at least 6 tab-separated fields", path,
				 lineno);
			free(text);
			arches_free(t);
			return -1;
		}
		t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
		struct arch *a = &t->v[t->n++];
		a->name = field(f[0]);
		a->triple = field(f[1]);
		a->qemu = field(f[2]);
		a->qemu_flags = words(f[3]);
		a->cflags = words(f[4]);
		a->default_atomics = field(f[5]);
		a->go = field(nf > 6 ? f[6] : "-");
		a->elf = field(nf > 7 ? f[7] : "-");
		a->host_kernel_first = nf > 10 && strcmp(f[10], "try") == 0;
		a->repro = nf > 11 && strcmp(f[11], "yes") == 0;
		a->qemu_reason = xstrdup("");
		if (a->host_kernel_first && strcmp(a->elf, I386_ELF) != 0) {
			snprintf(err, errlen,
				 "%s:%u: host_kernel \"try\" needs elf \"%s\" (the probe is i686 code)",
				 path, lineno, I386_ELF);
			free(text);
			arches_free(t);
			return -1;
		}
		if (a->host_kernel_first)
			choose_exec(a);
	}
	free(text);
	if (!t->n) {
		snprintf(err, errlen, "%s: no arches", path);
		return -1;
	}
	return 0;
}

void argv_free(char **argv)
{
	ut_free_list(argv);
}

void arches_free(struct arch_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct arch *a = &t->v[i];
		free(a->name);
		free(a->triple);
		free(a->qemu);
		free(a->default_atomics);
		free(a->go);
		free(a->elf);
		free(a->qemu_reason);
		argv_free(a->qemu_flags);
		argv_free(a->cflags);
	}
	free(t->v);
	memset(t, 0, sizeof *t);
}

const struct arch *arch_find(const struct arch_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0)
			return &t->v[i];
	return NULL;
}

char *arches_repro_list(const struct arch_table *t)
{
	struct sbuf b = { 0 };
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].repro)
			sb_printf(&b, "%s%s", b.len ? "," : "", t->v[i].name);
	return b.s ? b.s : xstrdup("");
}

bool arch_is_cross(const struct arch *a)
{
	return a->qemu[0] != 0;
}

char **arch_argv(const struct arch *a, const char *cmd, size_t extra, size_t *n)
{
	size_t nflags = 0;
	while (a && a->qemu_flags[nflags])
		nflags++;
	char **v = xcalloc(nflags + extra + 3, sizeof *v);
	size_t k = 0;
	if (a && arch_is_cross(a)) {
		v[k++] = xstrdup(a->qemu);
		for (size_t i = 0; i < nflags; i++)
			v[k++] = xstrdup(a->qemu_flags[i]);
	}
	v[k++] = xstrdup(cmd);
	v[k] = NULL;
	*n = k;
	return v;
}

static char **list_push(char **v, const char *s)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	v = xrealloc(v, (n + 2) * sizeof *v);
	v[n] = xstrdup(s);
	v[n + 1] = NULL;
	return v;
}

void arch_caps_parse(const char *text, struct arch_caps *caps)
{
	char *copy = xstrdup(text), *save = copy;
	for (char *line; (line = strsep(&save, "\n"));) {
		char *w[8];
		size_t nw = 0;
		for (char *s = line, *tok; nw < 8 && (tok = strsep(&s, " \t"));)
			if (*tok)
				w[nw++] = tok;
		if (!nw)
			continue;
		char ***list = strcmp(w[0], "cases") == 0	 ? &caps->cases
			       : strcmp(w[0], "variants") == 0	 ? &caps->variants
			       : strcmp(w[0], "sources") == 0	 ? &caps->sources
			       : strcmp(w[0], "strategies") == 0 ? &caps->strategies
								 : NULL;
		if (list) {
			for (size_t i = 1; i < nw; i++)
				*list = list_push(*list, w[i]);
		} else if (strcmp(w[0], "arch") == 0 && nw > 1) {
			free(caps->arch);
			caps->arch = xstrdup(w[1]);
		} else if (strcmp(w[0], "default-atomics") == 0 && nw > 1) {
			free(caps->default_atomics);
			caps->default_atomics = xstrdup(w[1]);
		} else if (strcmp(w[0], "expect") == 0 && nw == 5) {
			caps->expect = xrealloc(caps->expect, (caps->nexpect + 1) * sizeof *caps->expect);
			caps->expect[caps->nexpect].case_name = xstrdup(w[1]);
			caps->expect[caps->nexpect].variant = xstrdup(w[2]);
			caps->expect[caps->nexpect].atomics = xstrdup(w[3]);
			caps->expect[caps->nexpect].outcome = xstrdup(w[4]);
			caps->nexpect++;
		}
	}
	free(copy);
}

bool arch_qemu_has_event(const struct arch *a, const char *event)
{
	size_t n;
	char **argv = arch_argv(a, "-d", 1, &n);
	argv[n++] = xstrdup("trace:help");
	argv[n] = NULL;
	struct proc p;
	proc_run_sync(&p, argv, true, 30);
	size_t len;
	char *text = capture_text(&p.cap[0], &len);
	bool has = memmem(text, len, event, strlen(event)) != NULL;
	free(text);
	proc_release(&p);
	argv_free(argv);
	return has;
}

void arch_probe(const struct arch *a, struct arch_caps *caps)
{
	memset(caps, 0, sizeof *caps);
	char *path = torture_path(a->name);
	struct sbuf why = { 0 };
	if (access(path, X_OK) != 0) {
		sb_printf(&why, "%s: %s (build it with: make ARCH=%s)", path, strerror(errno), a->name);
		goto out;
	}
	if (arch_is_cross(a)) {
		char *q = ut_which(a->qemu);
		if (!q) {
			sb_printf(&why, "%s not found in PATH (ci/install-deps installs qemu-user)",
				  a->qemu);
			goto out;
		}
		free(q);
	}
	size_t n;
	char **argv = arch_argv(a, path, 1, &n);
	argv[n] = xstrdup("--list");
	struct proc p;
	proc_run_sync(&p, argv, false, 60);
	argv_free(argv);
	size_t len;
	char *out = capture_text(&p.cap[0], &len);
	if (p.spawn_failed)
		sb_printf(&why, "cannot run %s: %s", path, strerror(p.spawn_errno));
	else if (p.interrupted)
		sb_printf(&why, "interrupted");
	else if (p.timed_out)
		sb_printf(&why, "%s --list did not finish in 60 s", path);
	else if (!WIFEXITED(p.wait_status) || WEXITSTATUS(p.wait_status) != 0)
		sb_printf(&why, "%s --list failed (status 0x%x)", path, p.wait_status);
	else {
		ut_sanitize(out);
		arch_caps_parse(out, caps);
		if (!caps->strategies || !caps->cases || !caps->variants)
			sb_printf(&why, "%s --list printed no cases/variants/strategies lines", path);
		else
			caps->ok = true;
	}
	free(out);
	proc_release(&p);
out:
	if (!caps->ok)
		caps->error = xstrdup(why.s ? why.s : "probe failed");
	sb_free(&why);
	free(path);
}

void arch_caps_free(struct arch_caps *caps)
{
	free(caps->error);
	free(caps->arch);
	free(caps->default_atomics);
	ut_free_list(caps->cases);
	ut_free_list(caps->variants);
	ut_free_list(caps->sources);
	ut_free_list(caps->strategies);
	for (size_t i = 0; i < caps->nexpect; i++) {
		free(caps->expect[i].case_name);
		free(caps->expect[i].variant);
		free(caps->expect[i].atomics);
		free(caps->expect[i].outcome);
	}
	free(caps->expect);
	memset(caps, 0, sizeof *caps);
}

char *arch_go_word(const struct arch *a, const char *key)
{
	size_t klen = strlen(key);
	for (const char *w = a ? a->go : NULL; w && *w;) {
		w += strspn(w, " \t");
		size_t n = strcspn(w, " \t");
		if (n > klen && strncmp(w, key, klen) == 0 && w[klen] == '=')
			return xstrndup(w + klen + 1, n - klen - 1);
		w += n;
	}
	return NULL;
}

char *arch_goarch(const struct arch *a)
{
	return arch_go_word(a, "GOARCH");
}

char *arch_go_env(const struct arch *a)
{
	char *goarch = arch_goarch(a);
	if (!goarch)
		return NULL;
	struct sbuf b = { 0 };
	char *copy = xstrdup(a->go), *save = NULL;
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		if (strncmp(w, "GO", 2) == 0 && strchr(w, '='))
			sb_printf(&b, "%s%s", b.len ? " " : "", w);
	if (strcmp(goarch, "mips") == 0 || strcmp(goarch, "mipsle") == 0)
		sb_puts(&b, " GOMIPS=softfloat");
	free(copy);
	free(goarch);
	return b.s; /* the buffer, handed over */
}
