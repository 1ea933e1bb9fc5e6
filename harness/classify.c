#define _GNU_SOURCE
#include "classify.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util.h"

/* ---- the result line ---- */

static bool get_small_str(const struct json_value *root, const char *key, char *dst, size_t cap,
			  bool required, char *err, size_t errlen, bool *present)
{
	const struct json_value *v = json_get(root, key);
	if (present)
		*present = v != NULL;
	if (!v) {
		if (required)
			snprintf(err, errlen, "result line has no \"%s\"", key);
		return !required;
	}
	if (v->type != JSON_STRING) {
		snprintf(err, errlen, "result line \"%s\" is not a string", key);
		return false;
	}
	ut_copy_clean(dst, cap, v->str);
	return true;
}

static bool get_seconds(const struct json_value *root, const char *key, double *out, bool nullable,
			char *err, size_t errlen)
{
	const struct json_value *v = json_get(root, key);
	*out = NAN;
	if (!v || (nullable && v->type == JSON_NULL))
		return true;
	if (v->type != JSON_NUMBER || !isfinite(v->num) || v->num < 0) {
		snprintf(err, errlen, "result line \"%s\" is not a non-negative number", key);
		return false;
	}
	*out = v->num;
	return true;
}

int result_line_parse(const char *line, size_t len, struct result_line *r, char *err,
		      size_t errlen)
{
	static const struct json_limits lim = { 2, 512 };
	memset(r, 0, sizeof *r);
	r->first_failure_s = NAN;
	r->duration_s = NAN;
	r->elapsed_s = NAN;
	char perr[128];
	struct json_doc *doc = json_parse(line, len, &lim, perr, sizeof perr);
	if (!doc) {
		snprintf(err, errlen, "result line is not JSON: %s", perr);
		return -1;
	}
	const struct json_value *root = json_root(doc);
	int rc = -1;
	const char *s;
	char outcome[32];
	uint64_t u;
	if (root->type != JSON_OBJECT) {
		snprintf(err, errlen, "result line is not a JSON object");
		goto out;
	}
	if (!json_get_str(root, "result", &s) || strcmp(s, PROTOCOL_RESULT_NAME) != 0) {
		snprintf(err, errlen, "result line lacks \"result\":\"%s\"", PROTOCOL_RESULT_NAME);
		goto out;
	}
	if (!json_get_u64(root, "version", &u) || u != PROTOCOL_RESULT_VERSION) {
		snprintf(err, errlen, "result line version is not %d (a stale stress binary?)",
			 PROTOCOL_RESULT_VERSION);
		goto out;
	}
	if (!get_small_str(root, "outcome", outcome, sizeof outcome, true, err, errlen, NULL) ||
	    !get_small_str(root, "case", r->case_name, sizeof r->case_name, true, err, errlen, NULL) ||
	    !get_small_str(root, "variant", r->variant, sizeof r->variant, true, err, errlen, NULL) ||
	    !get_small_str(root, "arch", r->arch, sizeof r->arch, false, err, errlen, &r->has_arch) ||
	    !get_small_str(root, "atomics", r->atomics, sizeof r->atomics, false, err, errlen,
			   &r->has_atomics) ||
	    !get_small_str(root, "source", r->source, sizeof r->source, false, err, errlen, NULL) ||
	    !get_small_str(root, "detail", r->detail, sizeof r->detail, false, err, errlen, NULL))
		goto out;
	int o = outcome_parse(outcome);
	/* The child reports only what it can know; crash/timeout/emulator-error
	 * are the harness's words. */
	if (o < 0 || !outcome_child_may_report((enum outcome)o)) {
		snprintf(err, errlen, "result line outcome \"%s\" is not one a child may report",
			 outcome);
		goto out;
	}
	r->outcome = (enum outcome)o;
	const struct json_value *v = json_get(root, "rate");
	if (v && v->type == JSON_STRING)
		ut_copy_clean(r->rate, sizeof r->rate, v->str);
	else if (v && v->type == JSON_NUMBER)
		ut_copy_clean(r->rate, sizeof r->rate, v->raw);
	else if (v) {
		snprintf(err, errlen, "result line \"rate\" is neither a number nor a string");
		goto out;
	}
	if ((v = json_get(root, "seed"))) {
		if (!json_u64(v, &r->seed)) {
			snprintf(err, errlen, "result line \"seed\" is not a non-negative integer");
			goto out;
		}
		r->has_seed = true;
	}
	if ((v = json_get(root, "threads")) && !json_u64(v, &r->threads)) {
		snprintf(err, errlen, "result line \"threads\" is not a non-negative integer");
		goto out;
	}
	if (!get_seconds(root, "duration_s", &r->duration_s, false, err, errlen) ||
	    !get_seconds(root, "elapsed_s", &r->elapsed_s, false, err, errlen) ||
	    !get_seconds(root, "first_failure_s", &r->first_failure_s, true, err, errlen))
		goto out;
	if ((v = json_get(root, "counters"))) {
		if (v->type != JSON_OBJECT) {
			snprintf(err, errlen, "result line \"counters\" is not an object");
			goto out;
		}
		for (size_t i = 0; i < v->n; i++) {
			uint64_t x;
			if (!json_u64(v->items[i], &x)) {
				snprintf(err, errlen, "counter is not a non-negative integer");
				goto out;
			}
			for (int c = 0; c < CTR_COUNT; c++)
				if (strcmp(v->keys[i], protocol_counter_names[c]) == 0) {
					r->counters[c] = x;
					r->has_counter[c] = true;
				}
		}
	}
	if ((v = json_get(root, "corruptions"))) {
		if (v->type != JSON_OBJECT) {
			snprintf(err, errlen, "result line \"corruptions\" is not an object");
			goto out;
		}
		struct sbuf b = { 0 };
		for (size_t i = 0; i < v->n; i++) {
			uint64_t x;
			if (!json_u64(v->items[i], &x)) {
				snprintf(err, errlen, "corruption count is not a non-negative integer");
				sb_free(&b);
				goto out;
			}
			r->corruptions_total += x;
			sb_printf(&b, "%s%s:%llu", i ? "," : "", v->keys[i], (unsigned long long)x);
		}
		ut_copy_clean(r->corruptions, sizeof r->corruptions, sb_str(&b));
		sb_free(&b);
	}
	rc = 0;
out:
	json_free(doc);
	return rc;
}

/* ---- searching output ---- */

static const char *const emulator_failures[] = {
	"QEMU internal SIGSEGV",
	"QEMU internal SIGBUS",
	"QEMU internal SIGILL",
	"qemu: unhandled CPU exception",
	"handle_cpu_signal received signal outside vCPU context",
	"qemu: Unsupported syscall",
};

const char *find_emulator_failure(const char *s, size_t n)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < sizeof emulator_failures / sizeof emulator_failures[0]; i++)
		if (memmem(s, n, emulator_failures[i], strlen(emulator_failures[i])))
			return emulator_failures[i];
	return NULL;
}

int find_uncaught_target_signal(const char *s, size_t n)
{
	static const char pat[] = "qemu: uncaught target signal ";
	const char *p = s ? memmem(s, n, pat, sizeof pat - 1) : NULL;
	if (!p)
		return 0;
	p += sizeof pat - 1;
	int sig = 0;
	while (p < s + n && *p >= '0' && *p <= '9' && sig < 1000)
		sig = sig * 10 + (*p++ - '0');
	return sig > 0 ? sig : -1;
}

struct scan {
	unsigned found, bad, stray;
	char first_bad[200];
};

/* Looks at every line of one segment. `cut_front`/`cut_back` say whether the
 * segment's first/last line may be a fragment (a drop happened there). */
static void scan_segment(const char *s, size_t n, bool cut_front, bool cut_back,
			 struct result_line *r, struct scan *sc)
{
	size_t i = 0;
	bool first = true;
	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - s) : n;
		bool fragment = (first && cut_front) || (!nl && cut_back);
		const char *line = s + i;
		size_t len = end - i;
		first = false;
		i = nl ? end + 1 : n;
		while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
			len--;
		size_t k = 0;
		while (k < len && (line[k] == ' ' || line[k] == '\t'))
			k++;
		if (k == len)
			continue;
		if (fragment || line[k] != '{') {
			sc->stray++;
			continue;
		}
		struct result_line tmp;
		char err[160];
		if (result_line_parse(line + k, len - k, &tmp, err, sizeof err) == 0) {
			if (sc->found++ == 0)
				*r = tmp;
		} else if (sc->bad++ == 0) {
			ut_copy_clean(sc->first_bad, sizeof sc->first_bad, err);
		}
	}
}

static const char *signame(int sig)
{
	const char *d = sigdescr_np(sig);
	return d ? d : "unknown signal";
}

void classify_run(const struct run_end *end, const struct run_output *o,
		  const struct run_request *req, struct classification *c)
{
	memset(c, 0, sizeof *c);
	c->result.first_failure_s = NAN;
	struct scan sc = { 0 };
	scan_segment(o->out_head, o->out_head_len, false, o->out_tail != NULL, &c->result, &sc);
	if (o->out_tail)
		scan_segment(o->out_tail, o->out_tail_len, true, false, &c->result, &sc);
	c->has_result = sc.found == 1;
	c->stray_lines = sc.stray;

	const char *emu = NULL;
	int uncaught = 0;
	if (end->emulated) {
		const char *segs[4] = { o->err_head, o->err_tail, o->out_head, o->out_tail };
		size_t lens[4] = { o->err_head_len, o->err_tail_len, o->out_head_len, o->out_tail_len };
		for (int i = 0; i < 4 && !emu; i++)
			emu = find_emulator_failure(segs[i], lens[i]);
		for (int i = 0; i < 4 && !uncaught; i++)
			uncaught = find_uncaught_target_signal(segs[i], lens[i]);
	}

	if (end->kind == END_TIMED_OUT) {
		c->outcome = OUT_TIMEOUT;
		snprintf(c->why, sizeof c->why, "killed by the harness at its deadline%s",
			 c->has_result ? " (after printing a result line)" : "");
		return;
	}
	if (end->kind == END_SPAWN_FAILED) {
		c->outcome = OUT_ERROR;
		snprintf(c->why, sizeof c->why, "could not start: %s", strerror(end->code));
		return;
	}
	if (emu) {
		c->outcome = OUT_EMULATOR_ERROR;
		snprintf(c->why, sizeof c->why, "QEMU failed: \"%s\"", emu);
		return;
	}
	if (end->kind == END_SIGNALED) {
		c->outcome = OUT_CRASH;
		snprintf(c->why, sizeof c->why, "killed by signal %d (%s)%s", end->code,
			 signame(end->code),
			 uncaught ? "; qemu: uncaught target signal (the program's own crash)" : "");
		if (uncaught > 0)
			snprintf(c->why, sizeof c->why,
				 "killed by signal %d (%s); qemu: uncaught target signal %d",
				 end->code, signame(end->code), uncaught);
		return;
	}
	if (uncaught) {
		c->outcome = OUT_CRASH;
		snprintf(c->why, sizeof c->why, "qemu: uncaught target signal %d (%s), exit status %d",
			 uncaught, uncaught > 0 ? signame(uncaught) : "?", end->code);
		return;
	}
	unsigned implied = outcomes_of_exit_status(end->code);
	c->outcome = OUT_ERROR;
	if (sc.found == 0) {
		if (end->code == PROTOCOL_EXIT_USAGE)
			snprintf(c->why, sizeof c->why, "exit status %d: stress refused its options "
				 "(usage error; see its stderr)", end->code);
		else if (sc.bad)
			snprintf(c->why, sizeof c->why, "exit status %d; unparsable result line: %s",
				 end->code, sc.first_bad);
		else
			snprintf(c->why, sizeof c->why, "exit status %d and no result line on stdout",
				 end->code);
		return;
	}
	if (sc.found > 1) {
		snprintf(c->why, sizeof c->why, "exit status %d and %u result lines (want exactly one)",
			 end->code, sc.found);
		return;
	}
	const struct result_line *r = &c->result;
	if (!implied) {
		snprintf(c->why, sizeof c->why, "exit status %d is not in the protocol (result says %s)",
			 end->code, outcome_name(r->outcome));
		return;
	}
	if (!(implied & OUTCOME_BIT(r->outcome))) {
		char means[64];
		snprintf(c->why, sizeof c->why, "result line says %s but exit status %d means %s",
			 outcome_name(r->outcome), end->code,
			 outcome_set_name(implied, means, sizeof means));
		return;
	}
	if (req) {
		const char *what = NULL, *want = NULL, *got = NULL;
		if (req->case_name && strcmp(req->case_name, r->case_name) != 0)
			what = "case", want = req->case_name, got = r->case_name;
		else if (req->variant && strcmp(req->variant, r->variant) != 0)
			what = "variant", want = req->variant, got = r->variant;
		else if (req->atomics && r->has_atomics && strcmp(req->atomics, r->atomics) != 0)
			what = "atomics", want = req->atomics, got = r->atomics;
		if (what) {
			snprintf(c->why, sizeof c->why, "result line is for %s %s, asked for %s", what,
				 got, want);
			return;
		}
		if (req->check_seed && r->has_seed && r->seed != req->seed) {
			snprintf(c->why, sizeof c->why, "result line is for seed %llu, asked for %llu",
				 (unsigned long long)r->seed, (unsigned long long)req->seed);
			return;
		}
	}
	c->outcome = r->outcome;
	if (r->detail[0]) /* its first line: the rest is a hex window, kept in the log */
		snprintf(c->why, sizeof c->why, "%.*s", (int)strcspn(r->detail, "\n"), r->detail);
	else
		snprintf(c->why, sizeof c->why, "%s (exit status %d)", outcome_name(r->outcome),
			 end->code);
}
