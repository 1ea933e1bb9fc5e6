/* signature: a failing run's output reduced to a line that names the
 * failure. Contract and rules: signature.h. */
#define _GNU_SOURCE
#include "signature.h"

#include <ctype.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "util.h"

static bool is_hex(char c)
{
	return isxdigit((unsigned char)c) != 0;
}

static bool is_alnum(char c)
{
	return isalnum((unsigned char)c) != 0 || c == '_';
}

void sig_normalize(const char *s, size_t len, char *out, size_t cap)
{
	struct sbuf b = { 0 };
	size_t i = 0;
	while (i < len) {
		char c = s[i];
		bool boundary = i == 0 || !is_alnum(s[i - 1]);
		if (c == '0' && i + 2 < len && (s[i + 1] == 'x' || s[i + 1] == 'X') && is_hex(s[i + 2])) {
			i += 2;
			while (i < len && is_hex(s[i]))
				i++;
			sb_puts(&b, "0x?");
			continue;
		}
		if (boundary && is_hex(c)) {
			size_t j = i;
			bool digit = false;
			while (j < len && is_hex(s[j])) {
				digit |= isdigit((unsigned char)s[j]) != 0;
				j++;
			}
			if (j - i >= 8 && digit && (j == len || !is_alnum(s[j]))) {
				sb_puts(&b, "ID");
				i = j;
				continue;
			}
		}
		if (isdigit((unsigned char)c)) {
			while (i < len && isdigit((unsigned char)s[i]))
				i++;
			if (i + 1 < len && s[i] == '.' && isdigit((unsigned char)s[i + 1])) {
				i++;
				while (i < len && isdigit((unsigned char)s[i]))
					i++;
			}
			sb_putc(&b, 'N');
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
				i++;
			if (b.len && i < len)
				sb_putc(&b, ' ');
			continue;
		}
		sb_putc(&b, (unsigned char)c < 0x20 || (unsigned char)c >= 0x7f ? '?' : c);
		i++;
	}
	ut_copy_clean(out, cap < SIG_MAX ? cap : SIG_MAX, sb_str(&b));
	sb_free(&b);
}

/* The documented list (docs/stress.md, "Signatures"): what a failure's own line
 * looks like, per kind of program. Order does not matter within a tier: the
 * first LINE of the output that matches any entry wins. */
static const struct sig_failure_line failure_lines[] = {
	{ "proftorture's own failure marker (rcutorture's)", "!!!", 1 },
	{ "Go: a runtime fatal error", "^fatal error: ", 1 },
	{ "Go: a panic", "^panic: ", 1 },
	{ "Go: a fatal signal",
	  "^SIG(SEGV|BUS|ILL|FPE|ABRT|TRAP|QUIT|SYS|EMT): |^\\[signal SIG[A-Z]+", 1 },
	{ "C: a failed assert (glibc, Check)", "Assertion .* failed", 1 },
	{ "C: a failed assert (musl)", "^Assertion failed: ", 1 },
	{ "C: the stack protector or fortify", "\\*\\*\\* (stack smashing|buffer overflow) detected", 1 },
	{ "C: glibc's heap checks", "double free|^(free|malloc|realloc|malloc_consolidate)\\(\\): ", 1 },
	{ "a sanitizer's report (ASan, LSan, MSan, TSan)", "(ERROR|WARNING): [A-Za-z]+Sanitizer", 1 },
	{ "UBSan", ": runtime error: ", 1 },
	{ "Check: a failed or erroring test", "^[^:]+:[0-9]+:[EF]:[^:]*:[^:]*:[0-9]+: ", 1 },
	{ "QEMU: the guest died of a signal", "^qemu: uncaught target signal [0-9]+", 1 },
	{ "QEMU: the emulator gave up", "^qemu: fatal: ", 1 },
	{ "Go test: the verdict on a test", "^ *--- FAIL: ", 2 },
};
#define NLINES (sizeof failure_lines / sizeof failure_lines[0])

const struct sig_failure_line *sig_failure_lines(size_t *n)
{
	*n = NLINES;
	return failure_lines;
}

static regex_t compiled[NLINES];

static void compile_list(void)
{
	static bool done;
	if (done)
		return;
	for (size_t i = 0; i < NLINES; i++)
		if (regcomp(&compiled[i], failure_lines[i].pattern, REG_EXTENDED | REG_NOSUB) != 0) {
			fprintf(stderr, "signature: bad pattern '%s': a bug in the list\n",
				failure_lines[i].pattern);
			abort();
		}
	done = true;
}

/* Iterates lines of text[0..len), NULs included. */
static const char *next_line(const char *text, size_t len, size_t *pos, size_t *llen)
{
	if (*pos >= len)
		return NULL;
	const char *start = text + *pos;
	const char *nl = memchr(start, '\n', len - *pos);
	*llen = nl ? (size_t)(nl - start) : len - *pos;
	*pos += *llen + 1;
	return start;
}

/* A NUL-terminated copy of the line with NULs read as '?'. */
static char *line_copy(const char *line, size_t len)
{
	char *copy = xstrndup(line, len);
	for (size_t i = 0; i < len; i++)
		if (!copy[i])
			copy[i] = '?';
	return copy;
}

int sig_regex_matches(const regex_t *re, const char *text, size_t len)
{
	size_t pos = 0, ll;
	const char *l;
	while ((l = next_line(text, len, &pos, &ll))) {
		char *copy = line_copy(l, ll);
		int m = regexec(re, copy, 0, NULL, 0) == 0;
		free(copy);
		if (m)
			return 1;
	}
	return 0;
}

/* 0 when the line is no failure line, else its tier. */
static int failure_tier(const char *line)
{
	int best = 0;
	for (size_t i = 0; i < NLINES; i++)
		if ((!best || failure_lines[i].tier < best) &&
		    regexec(&compiled[i], line, 0, NULL, 0) == 0)
			best = failure_lines[i].tier;
	return best;
}

static bool blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

struct picked {
	const char *line;
	size_t len;
};

/* One pass: the user's first match ends it; else the first line of the best
 * tier (*tier_found: 1 or 2); else the last non-empty line (*tier_found 0). */
static struct picked pick(const char *text, size_t len, const regex_t *user, int *tier_found)
{
	struct picked tier[3] = { { 0 } }, last = { 0 };
	size_t pos = 0, ll;
	const char *l;
	*tier_found = 0;
	compile_list();
	while ((l = next_line(text, len, &pos, &ll))) {
		if (blank(l, ll))
			continue;
		last = (struct picked){ l, ll };
		char *copy = line_copy(l, ll);
		bool mine = user && regexec(user, copy, 0, NULL, 0) == 0;
		int t = mine || tier[1].line ? 0 : failure_tier(copy);
		free(copy);
		if (mine)
			return last;
		if (t && !tier[t].line)
			tier[t] = last;
		if (tier[1].line && !user)
			break;
	}
	*tier_found = tier[1].line ? 1 : tier[2].line ? 2 : 0;
	return tier[1].line ? tier[1] : tier[2].line ? tier[2] : last;
}

int sig_pick_failure_line(const char *text, size_t len, char *out, size_t cap)
{
	int tier;
	struct picked p = pick(text, len, NULL, &tier);
	if (cap)
		out[0] = 0;
	if (tier)
		sig_normalize(p.line, p.len, out, cap);
	return tier;
}

void sig_pick_line(const char *text, size_t len, const regex_t *user, char *out, size_t cap)
{
	int tier;
	struct picked p = pick(text, len, user, &tier);
	if (!p.line) {
		if (cap)
			out[0] = 0;
		return;
	}
	sig_normalize(p.line, p.len, out, cap);
}

void sig_from_output(const char *text, size_t len, const regex_t *failure, char *out, size_t cap)
{
	sig_pick_line(text, len, failure, out, cap);
}

/* A hang's thread summary with its counts as N ("4 of 11 threads
 * spinning in F (1 in G)" -> "N of N threads spinning in F (N in G)"):
 * how many threads a runtime had at the kill varies from run to run, and
 * one hang must group as one signature. Only the counts change, never a
 * digit in a function's name. */
static void where_without_counts(const char *w, struct sbuf *b)
{
	for (size_t i = 0; w[i];) {
		bool count_at = i == 0 || (i >= 4 && strncmp(w + i - 4, " of ", 4) == 0) ||
				w[i - 1] == '(';
		if (count_at && isdigit((unsigned char)w[i])) {
			while (isdigit((unsigned char)w[i]))
				i++;
			sb_putc(b, 'N');
			continue;
		}
		sb_putc(b, w[i++]);
	}
}

static void end_text(const char *text, size_t len, const struct sig_end *e, char *buf, size_t cap)
{
	switch (e->kind) {
	case SIG_END_EXIT: snprintf(buf, cap, "exit status %d", e->code); return;
	case SIG_END_SIGNAL: snprintf(buf, cap, "signal %d", e->code); return;
	case SIG_END_NOT_STARTED: snprintf(buf, cap, "could not start"); return;
	case SIG_END_TIMEOUT: break;
	}
	const char *timeout = outcome_name(OUT_TIMEOUT); /* the runner's word for it */
	if (!e->kill_signal) {
		snprintf(buf, cap, "%s", timeout);
		return;
	}
	size_t at = e->kill_at < len ? e->kill_at : len;
	const char *name = sigabbrev_np(e->kill_signal);
	bool silent = blank(text + at, len - at);
	bool where = silent && e->where && *e->where;
	struct sbuf b = { 0 };
	sb_printf(&b, "%s (%s on SIG%s", timeout, silent ? "silent" : "printed", name ? name : "?");
	if (where) {
		sb_puts(&b, "; ");
		where_without_counts(e->where, &b);
	}
	sb_putc(&b, ')');
	snprintf(buf, cap, "%s", sb_str(&b));
	sb_free(&b);
}

void sig_of_run(const char *text, size_t len, const struct sig_end *end, const regex_t *user,
		char *out, size_t cap)
{
	char how[SIG_FULL_MAX - SIG_MAX], line[SIG_MAX];
	end_text(text, len, end, how, sizeof how);
	size_t searched = end->kind == SIG_END_TIMEOUT && end->kill_signal && end->kill_at < len
				  ? end->kill_at
				  : len;
	sig_pick_line(text, searched, user, line, sizeof line);
	snprintf(out, cap, "%s%s%s", how, line[0] ? ": " : "", line);
}
