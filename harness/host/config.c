/* config: what a reader needs to rerun a matrix. Contract: config.h. */
#define _GNU_SOURCE
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "spawn.h"
#include "util.h"

#define CONFIG_MAX_LEN 1000 /* a merged field stops growing here */

char *config_command_line(int argc, char *const *argv)
{
	struct sbuf b = { 0 };
	sb_puts(&b, "proftorture");
	for (int i = 0; i < argc; i++) {
		sb_putc(&b, ' ');
		sb_shell_quote(&b, argv[i]);
	}
	ut_sanitize(b.s);
	return b.s;
}

static char *dup_clean(const char *s)
{
	if (!s)
		return NULL;
	char *d = xstrdup(s);
	ut_sanitize(d);
	return d;
}

/* The first non-empty line a tool printed on stdout when it exited 0, or
 * NULL: a missing or failing tool is "unknown", not an error. */
static char *tool_first_line(char *const *argv)
{
	struct proc p;
	proc_run_sync(&p, argv, false, CONFIG_TOOL_TIMEOUT_S);
	char *line = NULL;
	if (!p.spawn_failed && !p.timed_out && !p.interrupted && WIFEXITED(p.wait_status) &&
	    WEXITSTATUS(p.wait_status) == 0) {
		size_t len;
		char *out = capture_text(&p.cap[0], &len);
		ut_sanitize(out);
		char *s = out + strspn(out, "\n\t ");
		size_t n = strcspn(s, "\n");
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n)
			line = xstrndup(s, n > CONFIG_MAX_LEN ? CONFIG_MAX_LEN : n);
		free(out);
	}
	proc_release(&p);
	return line;
}

/* The commit, and whether tracked files differ from it. */
static void collect_tree(struct run_config *c)
{
	char *rev[] = { "git", "-C", (char *)harness_root(), "rev-parse", "HEAD", NULL };
	c->commit = tool_first_line(rev);
	if (!c->commit) {
		/* GitHub's checkout without git in the container: no .git, but the commit is known */
		const char *sha = getenv("GITHUB_SHA");
		if (sha && strlen(sha) == 40 && strspn(sha, "0123456789abcdef") == 40)
			c->commit = xstrdup(sha);
		return;
	}
	char *status[] = { "git", "-C", (char *)harness_root(), "status", "--porcelain", "-uno", NULL };
	struct proc p;
	proc_run_sync(&p, status, false, CONFIG_TOOL_TIMEOUT_S);
	if (!p.spawn_failed && !p.timed_out && WIFEXITED(p.wait_status) &&
	    WEXITSTATUS(p.wait_status) == 0)
		c->tree = xstrdup(p.cap[0].total ? "modified" : "clean");
	proc_release(&p);
}

static void collect_host(struct run_config *c)
{
	struct utsname u;
	if (uname(&u) == 0) {
		struct sbuf b = { 0 };
		sb_printf(&b, "%s %s %s", u.sysname, u.release, u.machine);
		ut_sanitize(b.s);
		c->host = b.s;
	}
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	c->started = xstrdup(ts);
}

static void collect_arch(struct run_config *c, const struct arch *a)
{
	char *emulator = NULL;
	if (arch_is_cross(a)) {
		char *qemu[] = { a->qemu, "--version", NULL };
		emulator = tool_first_line(qemu);
	}
	struct sbuf gcc = { 0 };
	if (a->triple[0])
		sb_printf(&gcc, "%s-gcc", a->triple);
	else
		sb_puts(&gcc, "cc");
	char *cc[] = { gcc.s, "--version", NULL };
	char *compiler = tool_first_line(cc);
	config_add_arch(c, a->name, emulator, compiler);
	free(emulator);
	free(compiler);
	sb_free(&gcc);
}

void config_collect(struct run_config *c, const struct arch_table *t, char *const *arches,
		    const char *command_line)
{
	memset(c, 0, sizeof *c);
	c->inputs = 1;
	c->command_line = dup_clean(command_line);
	collect_host(c);
	collect_tree(c);
	for (size_t i = 0; arches && arches[i]; i++) {
		const struct arch *a = arch_find(t, arches[i]);
		bool seen = false;
		for (size_t k = 0; k < c->narches; k++)
			seen |= strcmp(c->arches[k].arch, arches[i]) == 0;
		if (a && !seen)
			collect_arch(c, a);
	}
}

void config_add_arch(struct run_config *c, const char *arch, const char *emulator,
		     const char *compiler)
{
	c->arches = xrealloc(c->arches, (c->narches + 1) * sizeof *c->arches);
	struct config_arch *a = &c->arches[c->narches++];
	a->arch = dup_clean(arch ? arch : "");
	a->emulator = dup_clean(emulator);
	a->compiler = dup_clean(compiler);
}

/* True when `part` is one of the " | "-separated values of `joined`. */
static bool has_part(const char *joined, const char *part)
{
	size_t n = strlen(part);
	for (const char *p = joined; p; p = strstr(p, " | ")) {
		if (p != joined)
			p += 3;
		if (strncmp(p, part, n) == 0 && (p[n] == 0 || strncmp(p + n, " | ", 3) == 0))
			return true;
	}
	return false;
}

/* One field of a merge; `first` when dst has no input yet. */
static void merge_field(char **dst, const char *src, bool first)
{
	if (first) {
		*dst = dup_clean(src);
		return;
	}
	const char *have = *dst ? *dst : "unknown", *add = src ? src : "unknown";
	if (has_part(have, add) || strlen(have) > CONFIG_MAX_LEN)
		return;
	struct sbuf b = { 0 };
	sb_printf(&b, "%s | %s", have, add);
	ut_sanitize(b.s);
	free(*dst);
	*dst = b.s;
}

static struct config_arch *find_arch(struct run_config *c, const char *name)
{
	for (size_t i = 0; i < c->narches; i++)
		if (strcmp(c->arches[i].arch, name) == 0)
			return &c->arches[i];
	return NULL;
}

void config_merge(struct run_config *dst, const struct run_config *src)
{
	bool first = dst->inputs == 0;
	merge_field(&dst->commit, src->commit, first);
	merge_field(&dst->tree, src->tree, first);
	merge_field(&dst->command_line, src->command_line, first);
	merge_field(&dst->started, src->started, first);
	merge_field(&dst->host, src->host, first);
	for (size_t i = 0; i < src->narches; i++) {
		const struct config_arch *s = &src->arches[i];
		struct config_arch *d = find_arch(dst, s->arch);
		if (!d) {
			config_add_arch(dst, s->arch, s->emulator, s->compiler);
			continue;
		}
		merge_field(&d->emulator, s->emulator, false);
		merge_field(&d->compiler, s->compiler, false);
	}
	dst->inputs += src->inputs ? src->inputs : 1;
}

void config_free(struct run_config *c)
{
	free(c->commit);
	free(c->tree);
	free(c->command_line);
	free(c->started);
	free(c->host);
	for (size_t i = 0; i < c->narches; i++) {
		free(c->arches[i].arch);
		free(c->arches[i].emulator);
		free(c->arches[i].compiler);
	}
	free(c->arches);
	memset(c, 0, sizeof *c);
}
