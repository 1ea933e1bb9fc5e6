#define _GNU_SOURCE
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena: every allocation of a document, freed at once ---- */

struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct json_doc {
	struct chunk *chunks;
	struct json_value *root;
};

static void *arena_alloc(struct json_doc *d, size_t n)
{
	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	struct chunk *c = d->chunks;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > 16384 ? n : 16384;
		c = xmalloc(sizeof *c + cap);
		c->used = 0;
		c->cap = cap;
		c->next = d->chunks;
		d->chunks = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

/* ---- parser ---- */

struct parser {
	const char *s, *end, *start;
	struct json_doc *doc;
	const struct json_limits *lim;
	size_t nodes;
	char *err;
	size_t errlen;
	bool failed;
};

static void fail(struct parser *p, const char *what)
{
	if (!p->failed)
		snprintf(p->err, p->errlen, "%s at byte %zu", what, (size_t)(p->s - p->start));
	p->failed = true;
}

static void skip_ws(struct parser *p)
{
	while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r'))
		p->s++;
}

static struct json_value *new_value(struct parser *p, enum json_type t)
{
	if (++p->nodes > p->lim->max_nodes) {
		fail(p, "too many values");
		return NULL;
	}
	struct json_value *v = arena_alloc(p->doc, sizeof *v);
	memset(v, 0, sizeof *v);
	v->type = t;
	return v;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool read_hex4(struct parser *p, unsigned *out)
{
	if (p->end - p->s < 4) {
		fail(p, "truncated \\u escape");
		return false;
	}
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(p->s[i]);
		if (h < 0) {
			fail(p, "bad \\u escape");
			return false;
		}
		v = v << 4 | (unsigned)h;
	}
	p->s += 4;
	*out = v;
	return true;
}

static void put_utf8(struct sbuf *b, unsigned cp)
{
	char u[4];
	if (cp < 0x80) {
		u[0] = (char)cp;
		sb_add(b, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		sb_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		sb_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		sb_add(b, u, 4);
	}
}

/* p->s is at the opening quote. Returns an arena copy or NULL. */
static const char *parse_string_raw(struct parser *p)
{
	p->s++;
	struct sbuf b = { 0 };
	for (;;) {
		if (p->s >= p->end) {
			fail(p, "unterminated string");
			break;
		}
		unsigned char c = (unsigned char)*p->s;
		if (c == '"') {
			p->s++;
			char *out = arena_alloc(p->doc, b.len + 1);
			memcpy(out, sb_str(&b), b.len + 1);
			sb_free(&b);
			return out;
		}
		if (c < 0x20) {
			fail(p, "control byte in string");
			break;
		}
		if (c != '\\') {
			sb_add(&b, p->s++, 1);
			continue;
		}
		p->s++;
		if (p->s >= p->end) {
			fail(p, "unterminated escape");
			break;
		}
		char e = *p->s++;
		const char *simple = strchr("\"\\/bfnrt", e);
		if (e && simple) {
			static const char map[] = "\"\\/\b\f\n\r\t";
			sb_putc(&b, map[simple - "\"\\/bfnrt"]);
			continue;
		}
		if (e != 'u') {
			fail(p, "bad escape");
			break;
		}
		unsigned cp;
		if (!read_hex4(p, &cp))
			break;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			unsigned lo;
			if (p->end - p->s < 2 || p->s[0] != '\\' || p->s[1] != 'u') {
				fail(p, "lone surrogate");
				break;
			}
			p->s += 2;
			if (!read_hex4(p, &lo))
				break;
			if (lo < 0xdc00 || lo > 0xdfff) {
				fail(p, "bad surrogate pair");
				break;
			}
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		} else if (cp >= 0xdc00 && cp <= 0xdfff) {
			fail(p, "lone surrogate");
			break;
		}
		if (cp == 0) {
			fail(p, "\\u0000 in string");
			break;
		}
		put_utf8(&b, cp);
	}
	sb_free(&b);
	return NULL;
}

static bool is_digit(const struct parser *p)
{
	return p->s < p->end && *p->s >= '0' && *p->s <= '9';
}

static struct json_value *parse_number(struct parser *p)
{
	const char *begin = p->s;
	if (p->s < p->end && *p->s == '-')
		p->s++;
	if (!is_digit(p)) {
		fail(p, "bad number");
		return NULL;
	}
	if (*p->s == '0')
		p->s++;
	else
		while (is_digit(p))
			p->s++;
	if (p->s < p->end && *p->s == '.') {
		p->s++;
		if (!is_digit(p)) {
			fail(p, "bad fraction");
			return NULL;
		}
		while (is_digit(p))
			p->s++;
	}
	if (p->s < p->end && (*p->s == 'e' || *p->s == 'E')) {
		p->s++;
		if (p->s < p->end && (*p->s == '+' || *p->s == '-'))
			p->s++;
		if (!is_digit(p)) {
			fail(p, "bad exponent");
			return NULL;
		}
		while (is_digit(p))
			p->s++;
	}
	size_t n = (size_t)(p->s - begin);
	if (n > 64) {
		fail(p, "number too long");
		return NULL;
	}
	struct json_value *v = new_value(p, JSON_NUMBER);
	if (!v)
		return NULL;
	char *raw = arena_alloc(p->doc, n + 1);
	memcpy(raw, begin, n);
	raw[n] = 0;
	v->raw = raw;
	v->num = strtod(raw, NULL); /* grammar checked above; may be +-inf */
	return v;
}

static bool literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(p->end - p->s) < n || memcmp(p->s, word, n) != 0) {
		fail(p, "unexpected character");
		return false;
	}
	p->s += n;
	return true;
}

static struct json_value *parse_value(struct parser *p, int depth);

static struct json_value *parse_container(struct parser *p, int depth, bool object)
{
	if (depth >= p->lim->max_depth) {
		fail(p, "nested too deeply");
		return NULL;
	}
	struct json_value *v = new_value(p, object ? JSON_OBJECT : JSON_ARRAY);
	if (!v)
		return NULL;
	p->s++; /* '{' or '[' */
	size_t cap = 0;
	char close = object ? '}' : ']';
	skip_ws(p);
	if (p->s < p->end && *p->s == close) {
		p->s++;
		return v;
	}
	for (;;) {
		const char *key = NULL;
		skip_ws(p);
		if (object) {
			if (p->s >= p->end || *p->s != '"') {
				fail(p, "expected key");
				return NULL;
			}
			key = parse_string_raw(p);
			if (!key)
				return NULL;
			for (size_t i = 0; i < v->n; i++)
				if (strcmp(v->keys[i], key) == 0) {
					fail(p, "duplicate key");
					return NULL;
				}
			skip_ws(p);
			if (p->s >= p->end || *p->s != ':') {
				fail(p, "expected ':'");
				return NULL;
			}
			p->s++;
		}
		struct json_value *item = parse_value(p, depth + 1);
		if (!item)
			return NULL;
		if (v->n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct json_value **items = arena_alloc(p->doc, ncap * sizeof *items);
			if (v->n)
				memcpy(items, v->items, v->n * sizeof *items);
			v->items = items;
			if (object) {
				const char **keys = arena_alloc(p->doc, ncap * sizeof *keys);
				if (v->n)
					memcpy(keys, v->keys, v->n * sizeof *keys);
				v->keys = keys;
			}
			cap = ncap;
		}
		v->items[v->n] = item;
		if (object)
			v->keys[v->n] = key;
		v->n++;
		skip_ws(p);
		if (p->s < p->end && *p->s == ',') {
			p->s++;
			continue;
		}
		if (p->s < p->end && *p->s == close) {
			p->s++;
			return v;
		}
		fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
		return NULL;
	}
}

static struct json_value *parse_value(struct parser *p, int depth)
{
	skip_ws(p);
	if (p->s >= p->end) {
		fail(p, "unexpected end of input");
		return NULL;
	}
	struct json_value *v;
	switch (*p->s) {
	case '{':
		return parse_container(p, depth, true);
	case '[':
		return parse_container(p, depth, false);
	case '"': {
		v = new_value(p, JSON_STRING);
		if (!v)
			return NULL;
		v->str = parse_string_raw(p);
		return v->str ? v : NULL;
	}
	case 't':
	case 'f':
		v = new_value(p, JSON_BOOL);
		if (!v)
			return NULL;
		v->b = *p->s == 't';
		return literal(p, v->b ? "true" : "false") ? v : NULL;
	case 'n':
		v = new_value(p, JSON_NULL);
		if (!v)
			return NULL;
		return literal(p, "null") ? v : NULL;
	default:
		return parse_number(p);
	}
}

struct json_doc *json_parse(const char *text, size_t len, const struct json_limits *lim,
			    char *err, size_t errlen)
{
	static const struct json_limits defaults = { 8, 100000 };
	struct json_doc *d = xcalloc(1, sizeof *d);
	char dummy[8];
	struct parser p = {
		.s = text, .end = text + len, .start = text, .doc = d,
		.lim = lim ? lim : &defaults,
		.err = err ? err : dummy, .errlen = err ? errlen : sizeof dummy,
	};
	d->root = parse_value(&p, 0);
	if (d->root) {
		skip_ws(&p);
		if (p.s != p.end)
			fail(&p, "trailing bytes after the value");
	}
	if (p.failed || !d->root) {
		if (!p.failed)
			fail(&p, "parse error");
		json_free(d);
		return NULL;
	}
	return d;
}

const struct json_value *json_root(const struct json_doc *d)
{
	return d->root;
}

void json_free(struct json_doc *d)
{
	if (!d)
		return;
	while (d->chunks) {
		struct chunk *next = d->chunks->next;
		free(d->chunks);
		d->chunks = next;
	}
	free(d);
}

const struct json_value *json_get(const struct json_value *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return obj->items[i];
	return NULL;
}

bool json_get_str(const struct json_value *obj, const char *key, const char **out)
{
	const struct json_value *v = json_get(obj, key);
	if (!v || v->type != JSON_STRING)
		return false;
	*out = v->str;
	return true;
}

bool json_get_num(const struct json_value *obj, const char *key, double *out)
{
	const struct json_value *v = json_get(obj, key);
	if (!v || v->type != JSON_NUMBER || !isfinite(v->num))
		return false;
	*out = v->num;
	return true;
}

bool json_u64(const struct json_value *v, uint64_t *out)
{
	if (!v || v->type != JSON_NUMBER || v->raw[0] == '-')
		return false;
	for (const char *c = v->raw; *c; c++)
		if (*c < '0' || *c > '9')
			return false;
	if (strlen(v->raw) > 20)
		return false;
	errno = 0;
	unsigned long long x = strtoull(v->raw, NULL, 10);
	if (errno)
		return false;
	*out = x;
	return true;
}

bool json_get_u64(const struct json_value *obj, const char *key, uint64_t *out)
{
	return json_u64(json_get(obj, key), out);
}

void json_put_str(struct sbuf *b, const char *s)
{
	sb_putc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			sb_putc(b, '\\');
			sb_putc(b, (char)c);
		} else if (c == '\n') {
			sb_puts(b, "\\n");
		} else if (c == '\t') {
			sb_puts(b, "\\t");
		} else if (c < 0x20 || c >= 0x7f) {
			sb_printf(b, "\\u%04x", c);
		} else {
			sb_putc(b, (char)c);
		}
	}
	sb_putc(b, '"');
}

void json_put_num(struct sbuf *b, double v)
{
	if (!isfinite(v)) {
		sb_puts(b, "null");
		return;
	}
	if (v == floor(v) && fabs(v) < 9e15)
		sb_printf(b, "%.0f", v);
	else
		sb_printf(b, "%.6g", v);
}
