/*
 * json — a small, strict, bounded JSON reader plus writer helpers.
 *
 * The reader parses untrusted text (a stress child's result line, which
 * may be garbage; a summary.json from another shard) into a tree. It is
 * written to be fuzzed:
 * - it never reads outside [text, text+len) and never needs a terminator;
 * - nesting deeper than `max_depth`, more than `max_nodes` values or any
 *   grammar error (RFC 8259, no extensions) fails cleanly with a message
 *   naming the byte offset;
 * - strings may not contain raw control bytes or decode to NUL, so every
 *   decoded string is a safe C string; \u escapes become UTF-8 (surrogate
 *   pairs joined, lone surrogates rejected);
 * - duplicate keys in one object are rejected (ambiguous input);
 * - numbers keep their source text (`raw`) so 64-bit integers such as
 *   seeds are read exactly with json_u64(); `num` holds strtod's value.
 * Everything a document owns lives in one arena freed by json_free().
 */
#ifndef HARNESS_JSON_H
#define HARNESS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_value {
	enum json_type type;
	bool b;
	double num;
	const char *raw; /* JSON_NUMBER: the number's text, NUL-terminated */
	const char *str; /* JSON_STRING: decoded, NUL-terminated */
	size_t n;        /* JSON_ARRAY / JSON_OBJECT: item count */
	struct json_value **items;
	const char **keys; /* JSON_OBJECT only */
};

struct json_doc;

struct json_limits {
	int max_depth;    /* 1 = a flat object or array of scalars */
	size_t max_nodes; /* values in the whole document */
};

/* Parses exactly one JSON value (surrounding whitespace allowed). Returns
 * NULL on error with a one-line reason in err. */
struct json_doc *json_parse(const char *text, size_t len, const struct json_limits *lim,
			    char *err, size_t errlen);
const struct json_value *json_root(const struct json_doc *d);
void json_free(struct json_doc *d);

/* Lookups; NULL when absent or not an object. */
const struct json_value *json_get(const struct json_value *obj, const char *key);
/* Typed getters: return false when absent or of another type/range. */
bool json_get_str(const struct json_value *obj, const char *key, const char **out);
bool json_get_num(const struct json_value *obj, const char *key, double *out);
/* A non-negative integer written without fraction or exponent. */
bool json_u64(const struct json_value *v, uint64_t *out);
bool json_get_u64(const struct json_value *obj, const char *key, uint64_t *out);

/* Writer: append s as a JSON string literal (quotes included). Bytes that
 * are not printable ASCII are written as \u00XX of the byte, so the output
 * is always valid ASCII JSON whatever the input. */
void json_put_str(struct sbuf *b, const char *s);
/* A finite double with enough digits; NaN/inf become null. */
void json_put_num(struct sbuf *b, double v);

#endif
