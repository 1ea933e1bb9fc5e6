#define _GNU_SOURCE
#include "signature.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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

static int line_matches(const regex_t *re, const char *line, size_t len)
{
	char *copy = xstrndup(line, len);
	for (size_t i = 0; i < len; i++)
		if (!copy[i])
			copy[i] = '?';
	int m = regexec(re, copy, 0, NULL, 0) == 0;
	free(copy);
	return m;
}

int sig_regex_matches(const regex_t *re, const char *text, size_t len)
{
	size_t pos = 0, ll;
	const char *l;
	while ((l = next_line(text, len, &pos, &ll)))
		if (line_matches(re, l, ll))
			return 1;
	return 0;
}

void sig_from_output(const char *text, size_t len, const regex_t *failure, char *out, size_t cap)
{
	size_t pos = 0, ll, best_len = 0;
	const char *l, *best = NULL;
	while ((l = next_line(text, len, &pos, &ll))) {
		if (!failure && memmem(l, ll, "!!!", 3)) {
			best = l;
			best_len = ll;
			break;
		}
		if (failure) {
			if (line_matches(failure, l, ll)) {
				best = l;
				best_len = ll;
				break;
			}
			continue;
		}
		size_t k = 0;
		while (k < ll && isspace((unsigned char)l[k]))
			k++;
		if (k < ll) {
			best = l;
			best_len = ll;
		}
	}
	if (failure && !best) { /* no line matched: fall back to the last one */
		sig_from_output(text, len, NULL, out, cap);
		return;
	}
	if (!best) {
		if (cap)
			out[0] = 0;
		return;
	}
	sig_normalize(best, best_len, out, cap);
}
