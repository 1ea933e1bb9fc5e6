/*
 * The result line: one JSON object on one line, the contract of
 * protocol/protocol.h ("The contract between torture and the runner"), its
 * counters named by PROTOCOL_COUNTERS and its corruptions by
 * PROTOCOL_CORRUPTIONS.
 *
 * Main writes it when the run is judged, the watchdog when it saw a stall;
 * whichever claimed the line (run_claim_report) is the only writer. Each
 * formats into a buffer on its own stack and write(2)s it whole: no shared
 * buffer, no lock, no allocation, no stdio stream.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "torture.h"

#define LINE_MAX_BYTES 4096

struct line {
	char buf[LINE_MAX_BYTES];
	size_t n; /* bytes used; never more than sizeof buf - 1 */
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct line *l, const char *fmt, ...)
{
	size_t room = sizeof l->buf - l->n;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(l->buf + l->n, room, fmt, ap);
	va_end(ap);
	if (k > 0)
		l->n += (size_t)k < room ? (size_t)k : room - 1;
}

static void add_configuration(struct line *l, const struct options *o)
{
	add(l, "{\"result\":\"%s\",\"version\":%d,\"case\":\"%s\",\"variant\":\"%s\",\"arch\":\"%s\","
	       "\"atomics\":\"%s\",\"seed\":%llu,\"threads\":%d,\"source\":\"%s\",",
	    PROTOCOL_RESULT_NAME, PROTOCOL_RESULT_VERSION, protocol_case_names[o->kase],
	    sigprof_variant_name(o->variant), PROFTORTURE_ARCH, atomic_emul_config_name(o->atomics),
	    (unsigned long long)o->seed, o->threads, protocol_source_names[o->source]);
	if (o->rate)
		add(l, "\"rate\":%ld,", o->rate);
	else
		add(l, "\"rate\":\"max\",");
	if (o->probe)
		add(l, "\"probe\":true,");
	add(l, "\"mix\":\"%d:%d\",\"duration_s\":%.3f,", o->atomic_ops, o->plain_ops, o->duration);
}

static void add_counters(struct line *l, const struct run *r)
{
	struct tally t;
	run_tally(r, &t);
	add(l, "\"counters\":{");
	for (int k = 0; k < CTR_COUNT; k++)
		add(l, "%s\"%s\":%llu", k ? "," : "", protocol_counter_names[k],
		    (unsigned long long)t.c[k]);
	add(l, "},\"racy_delta\":%lld,\"corruptions\":{", (long long)t.racy_delta);
	bool first = true;
	for (int k = 0; k < NKINDS; k++) {
		uint32_t n = __atomic_load_n(&r->corruptions[k], __ATOMIC_RELAXED);
		if (!n)
			continue;
		add(l, "%s\"%s\":%u", first ? "" : ",", protocol_corruption_names[k], n);
		first = false;
	}
	add(l, "},");
}

/* The detail as a JSON string, cut to what fits before the closing bytes. */
static void add_detail(struct line *l, const char *detail)
{
	static const char tail[] = "\"}\n";
	add(l, "\"detail\":\"");
	for (const char *d = detail; *d && l->n + sizeof tail + 6 < sizeof l->buf; d++) {
		unsigned char c = (unsigned char)*d;
		if (c == '"' || c == '\\')
			add(l, "\\%c", c);
		else if (c < 0x20)
			add(l, "\\u%04x", c);
		else
			l->buf[l->n++] = (char)c;
	}
	add(l, "%s", tail);
}

void result_line_write(const struct run *r, const struct verdict *v, int fd)
{
	struct line l = { .n = 0 };
	add_configuration(&l, &r->opt);
	add(&l, "\"elapsed_s\":%.3f,\"outcome\":\"%s\",", run_clock(), outcome_name(v->outcome));
	if (v->first_failure >= 0)
		add(&l, "\"first_failure_s\":%.3f,", v->first_failure);
	else
		add(&l, "\"first_failure_s\":null,");
	add_counters(&l, r);
	add_detail(&l, v->detail);
	for (size_t off = 0; off < l.n;) {
		ssize_t k = write(fd, l.buf + off, l.n - off);
		if (k <= 0)
			break;
		off += (size_t)k;
	}
}
