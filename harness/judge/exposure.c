/* exposure: a program's `proftorture: signals handled N`. Contract: exposure.h. */
#include "exposure.h"

#include <string.h>

/* One line [s, s+n): true with N when it is an exposure line. */
static bool exposure_line(const char *s, size_t n, uint64_t *handled)
{
	size_t plen = strlen(EXPOSURE_PREFIX), i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (n - i <= plen || memcmp(s + i, EXPOSURE_PREFIX, plen) != 0)
		return false;
	i += plen;
	uint64_t v = 0;
	size_t digits = 0;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false; /* too large to be a count */
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (!digits)
		return false;
	*handled = v;
	return true;
}

bool exposure_parse(const char *text, size_t len, uint64_t *handled)
{
	bool found = false;
	for (size_t i = 0; text && i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;
		found |= exposure_line(text + i, end - i, handled);
		i = end + 1;
	}
	return found;
}
