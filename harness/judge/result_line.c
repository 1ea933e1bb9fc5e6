/* result_line: a torture child's result line, read with jansson. What is
 * accepted and why: classify.h. */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "classify.h"
#include "util.h"

/* The largest integer jansson reads (json_int_t is long long). */
#define JSON_INT_LIMIT_TEXT "2^63-1"

struct line_reader {
	json_t *root;
	char *err;
	size_t errlen;
};

static bool refuse(const struct line_reader *lr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool refuse(const struct line_reader *lr, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(lr->err, lr->errlen, fmt, ap);
	va_end(ap);
	return false;
}

/* A whole number in [0, 2^63-1]. */
static bool as_count(const json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

/* A string key into dst (truncated, sanitised). Absent: false when
 * required, else true with *present false. */
static bool read_str(const struct line_reader *lr, const char *key, char *dst, size_t cap,
		     bool required, bool *present)
{
	const json_t *v = json_object_get(lr->root, key);
	if (present)
		*present = v != NULL;
	if (!v)
		return required ? refuse(lr, "result line has no \"%s\"", key) : true;
	if (!json_is_string(v))
		return refuse(lr, "result line \"%s\" is not a string", key);
	ut_copy_clean(dst, cap, json_string_value(v));
	return true;
}

/* Seconds: a non-negative finite number; NaN when absent (or null when
 * nullable). */
static bool read_seconds(const struct line_reader *lr, const char *key, double *out, bool nullable)
{
	const json_t *v = json_object_get(lr->root, key);
	*out = NAN;
	if (!v || (nullable && json_is_null(v)))
		return true;
	if (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) < 0)
		return refuse(lr, "result line \"%s\" is not a non-negative number", key);
	*out = json_number_value(v);
	return true;
}

static bool read_count(const struct line_reader *lr, const char *key, uint64_t *out, bool *present)
{
	const json_t *v = json_object_get(lr->root, key);
	if (present)
		*present = v != NULL;
	if (v && !as_count(v, out))
		return refuse(lr, "result line \"%s\" is not a whole number in [0, %s]", key,
			      JSON_INT_LIMIT_TEXT);
	return true;
}

static bool read_header(const struct line_reader *lr)
{
	const json_t *name = json_object_get(lr->root, "result");
	const json_t *version = json_object_get(lr->root, "version");
	if (!json_is_string(name) || strcmp(json_string_value(name), PROTOCOL_RESULT_NAME) != 0)
		return refuse(lr, "result line lacks \"result\":\"%s\"", PROTOCOL_RESULT_NAME);
	if (!json_is_integer(version) || json_integer_value(version) != PROTOCOL_RESULT_VERSION)
		return refuse(lr, "result line version is not %d (a stale torture binary?)",
			      PROTOCOL_RESULT_VERSION);
	return true;
}

/* The child reports only what it can know: crash, timeout and
 * emulator-error are the runner's words. */
static bool read_outcome(const struct line_reader *lr, struct result_line *r)
{
	char name[32];
	if (!read_str(lr, "outcome", name, sizeof name, true, NULL))
		return false;
	int o = outcome_parse(name);
	if (o < 0 || !outcome_child_may_report((enum outcome)o))
		return refuse(lr, "result line outcome \"%s\" is not one a child may report", name);
	r->outcome = (enum outcome)o;
	return true;
}

static bool read_identity(const struct line_reader *lr, struct result_line *r)
{
	return read_str(lr, "case", r->case_name, sizeof r->case_name, true, NULL) &&
	       read_str(lr, "variant", r->variant, sizeof r->variant, true, NULL) &&
	       read_str(lr, "arch", r->arch, sizeof r->arch, false, &r->has_arch) &&
	       read_str(lr, "atomics", r->atomics, sizeof r->atomics, false, &r->has_atomics) &&
	       read_str(lr, "source", r->source, sizeof r->source, false, NULL) &&
	       read_str(lr, "detail", r->detail, sizeof r->detail, false, NULL) &&
	       read_count(lr, "seed", &r->seed, &r->has_seed) &&
	       read_count(lr, "threads", &r->threads, NULL);
}

/* "rate" is a number of signals per second or the string "max". */
static bool read_rate(const struct line_reader *lr, struct result_line *r)
{
	const json_t *v = json_object_get(lr->root, "rate");
	if (!v)
		return true;
	if (json_is_string(v))
		ut_copy_clean(r->rate, sizeof r->rate, json_string_value(v));
	else if (json_is_integer(v))
		snprintf(r->rate, sizeof r->rate, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(r->rate, sizeof r->rate, "%g", json_real_value(v));
	else
		return refuse(lr, "result line \"rate\" is neither a number nor a string");
	return true;
}

/* obj[key]: absent (*obj NULL), or an object whose every value is a whole
 * number in [0, 2^63-1]; anything else is refused, naming the member. */
static bool count_object(const struct line_reader *lr, const char *key, const char *what,
			 const json_t **obj)
{
	*obj = json_object_get(lr->root, key);
	if (!*obj)
		return true;
	if (!json_is_object(*obj))
		return refuse(lr, "result line \"%s\" is not an object", key);
	const char *k;
	const json_t *v;
	uint64_t x;
	json_object_foreach((json_t *)*obj, k, v)
		if (!as_count(v, &x))
			return refuse(lr, "%s \"%.40s\" is not a whole number in [0, %s]", what, k,
				      JSON_INT_LIMIT_TEXT);
	return true;
}

/* "counters": protocol.h's names are kept; others (a newer torture) ignored. */
static bool read_counters(const struct line_reader *lr, struct result_line *r)
{
	const json_t *obj, *v;
	const char *key;
	if (!count_object(lr, "counters", "counter", &obj))
		return false;
	json_object_foreach((json_t *)obj, key, v) {
		int c = protocol_lookup(protocol_counter_names, key);
		if (c >= 0) {
			r->counters[c] = (uint64_t)json_integer_value(v);
			r->has_counter[c] = true;
		}
	}
	return true;
}

/* "corruptions" {kind: count}, kept as text "kind:n,kind:n" for reports. */
static bool read_corruptions(const struct line_reader *lr, struct result_line *r)
{
	const json_t *obj, *v;
	const char *key;
	if (!count_object(lr, "corruptions", "corruption count", &obj))
		return false;
	struct sbuf text = { 0 };
	json_object_foreach((json_t *)obj, key, v) {
		uint64_t x = (uint64_t)json_integer_value(v);
		r->corruptions_total += x;
		sb_printf(&text, "%s%s:%llu", text.len ? "," : "", key, (unsigned long long)x);
	}
	ut_copy_clean(r->corruptions, sizeof r->corruptions, sb_str(&text));
	sb_free(&text);
	return true;
}

int result_line_parse(const char *line, size_t len, struct result_line *r, char *err,
		      size_t errlen)
{
	memset(r, 0, sizeof *r);
	r->first_failure_s = r->duration_s = r->elapsed_s = NAN;
	json_error_t je;
	/* jansson (>= 2.8) keeps an object's keys in their order, so the
	 * corruptions read back in the order the child wrote them. */
	struct line_reader lr = { json_loadb(line, len, JSON_REJECT_DUPLICATES, &je), err, errlen };
	if (!lr.root) {
		snprintf(err, errlen, "result line is not JSON: %s (byte %d)", je.text, je.position);
		return -1;
	}
	bool ok = (json_is_object(lr.root) || refuse(&lr, "result line is not a JSON object")) &&
		  read_header(&lr) && read_outcome(&lr, r) && read_identity(&lr, r) &&
		  read_rate(&lr, r) && read_seconds(&lr, "duration_s", &r->duration_s, false) &&
		  read_seconds(&lr, "elapsed_s", &r->elapsed_s, false) &&
		  read_seconds(&lr, "first_failure_s", &r->first_failure_s, true) &&
		  read_counters(&lr, r) && read_corruptions(&lr, r);
	json_decref(lr.root);
	return ok ? 0 : -1;
}
