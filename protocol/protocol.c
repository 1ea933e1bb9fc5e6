/* protocol: the tables of protocol.h turned into data. Contract: protocol.h. */
#include "protocol.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NAME_OF_OUTCOME(id, name, exit, by, cls) name,
#define EXIT_OF_OUTCOME(id, name, exit, by, cls) exit,
#define REPORTER_OF_OUTCOME(id, name, exit, by, cls) by,
#define CLASS_OF_OUTCOME(id, name, exit, by, cls) cls,
#define NAME_OF(id, name) name,

const char *const protocol_outcome_names[OUT_COUNT + 1] = { PROTOCOL_OUTCOMES(NAME_OF_OUTCOME) NULL };
const char *const protocol_case_names[NCASES + 1] = { PROTOCOL_CASES(NAME_OF) NULL };
const char *const protocol_variant_names[NVARIANTS + 1] = { PROTOCOL_VARIANTS(NAME_OF) NULL };
const char *const protocol_source_names[NSOURCES + 1] = { PROTOCOL_SOURCES(NAME_OF) NULL };
const char *const protocol_strategy_names[NSTRATEGIES + 1] = { PROTOCOL_STRATEGIES(NAME_OF) NULL };
const char *const protocol_counter_names[CTR_COUNT + 1] = { PROTOCOL_COUNTERS(NAME_OF) NULL };
const char *const protocol_corruption_names[NKINDS + 1] = { PROTOCOL_CORRUPTIONS(NAME_OF) NULL };

static const int outcome_exit[OUT_COUNT] = { PROTOCOL_OUTCOMES(EXIT_OF_OUTCOME) };
static const int outcome_reporter[OUT_COUNT] = { PROTOCOL_OUTCOMES(REPORTER_OF_OUTCOME) };
static const enum protocol_class outcome_class[OUT_COUNT] = { PROTOCOL_OUTCOMES(CLASS_OF_OUTCOME) };

int protocol_lookup(const char *const *names, const char *name)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

const char *protocol_join(const char *const *names, const char *sep, char *buf, size_t cap)
{
	size_t used = 0;
	if (cap)
		buf[0] = 0;
	for (int i = 0; names[i]; i++) {
		int n = snprintf(buf + used, cap > used ? cap - used : 0, "%s%s", i ? sep : "", names[i]);
		if (n > 0)
			used += (size_t)n;
	}
	return buf;
}

static bool valid(enum outcome o)
{
	return (unsigned)o < OUT_COUNT;
}

const char *outcome_name(enum outcome o)
{
	return valid(o) ? protocol_outcome_names[o] : "?";
}

int outcome_parse(const char *name)
{
	return protocol_lookup(protocol_outcome_names, name);
}

int outcome_exit_status(enum outcome o)
{
	return valid(o) ? outcome_exit[o] : PROTOCOL_NO_EXIT;
}

bool outcome_child_may_report(enum outcome o)
{
	return valid(o) && (outcome_reporter[o] & PROTOCOL_BY_CHILD);
}

bool outcome_is_failure(enum outcome o)
{
	return valid(o) && outcome_class[o] == PROTOCOL_FAILURE;
}

bool outcome_is_informative(enum outcome o)
{
	return valid(o) && outcome_class[o] != PROTOCOL_VOID;
}

unsigned outcomes_of_exit_status(int status)
{
	unsigned set = 0;
	for (int o = 0; o < OUT_COUNT; o++)
		if (status != PROTOCOL_NO_EXIT && outcome_exit[o] == status &&
		    (outcome_reporter[o] & PROTOCOL_BY_CHILD))
			set |= 1u << o;
	return set;
}

/* ---- `torture --protocol` ---- */

struct out {
	char *buf;
	size_t cap, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->buf + (o->len < o->cap ? o->len : o->cap),
			  o->len < o->cap ? o->cap - o->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

/* The names are plain ASCII words: no JSON escaping is needed (checked by
 * tests/check_protocol.c). */
static void put_names(struct out *o, const char *key, const char *const *names)
{
	put(o, ",\"%s\":[", key);
	for (int i = 0; names[i]; i++)
		put(o, "%s\"%s\"", i ? "," : "", names[i]);
	put(o, "]");
}

static const char *class_name(enum protocol_class c)
{
	return c == PROTOCOL_CLEAN ? "clean" : c == PROTOCOL_FAILURE ? "failure" : "void";
}

size_t protocol_to_json(char *buf, size_t cap)
{
	struct out o = { buf, cap, 0 };
	put(&o, "{\"result\":\"%s\",\"version\":%d,\"usage_exit\":%d,\"outcomes\":[", PROTOCOL_RESULT_NAME,
	    PROTOCOL_RESULT_VERSION, PROTOCOL_EXIT_USAGE);
	for (int i = 0; i < OUT_COUNT; i++) {
		put(&o, "%s{\"name\":\"%s\",\"exit\":", i ? "," : "", protocol_outcome_names[i]);
		if (outcome_exit[i] == PROTOCOL_NO_EXIT)
			put(&o, "null");
		else
			put(&o, "%d", outcome_exit[i]);
		put(&o, ",\"child\":%s,\"runner\":%s,\"class\":\"%s\"}",
		    outcome_reporter[i] & PROTOCOL_BY_CHILD ? "true" : "false",
		    outcome_reporter[i] & PROTOCOL_BY_RUNNER ? "true" : "false",
		    class_name(outcome_class[i]));
	}
	put(&o, "]");
	put_names(&o, "cases", protocol_case_names);
	put_names(&o, "variants", protocol_variant_names);
	put_names(&o, "sources", protocol_source_names);
	put_names(&o, "strategies", protocol_strategy_names);
	put_names(&o, "counters", protocol_counter_names);
	put_names(&o, "corruptions", protocol_corruption_names);
	put(&o, ",\"go_result\":\"%s\",\"go_version\":%d}\n", PROTOCOL_GO_RESULT_NAME,
	    PROTOCOL_GO_RESULT_VERSION);
	return o.len;
}
