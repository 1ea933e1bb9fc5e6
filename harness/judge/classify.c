/* classify: one ended run to one outcome. The rules: classify.h. */
#define _GNU_SOURCE
#include "classify.h"

#include <math.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

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

/* What QEMU said about the run, in any of the four captured segments. */
struct emulator_report {
	const char *failure; /* rule 3's message, or NULL */
	int uncaught;        /* find_uncaught_target_signal's answer */
};

static struct emulator_report read_emulator(const struct run_end *end, const struct run_output *o)
{
	struct emulator_report q = { NULL, 0 };
	if (!end->emulated)
		return q;
	const char *segs[4] = { o->err_head, o->err_tail, o->out_head, o->out_tail };
	size_t lens[4] = { o->err_head_len, o->err_tail_len, o->out_head_len, o->out_tail_len };
	for (int i = 0; i < 4 && !q.failure; i++)
		q.failure = find_emulator_failure(segs[i], lens[i]);
	for (int i = 0; i < 4 && !q.uncaught; i++)
		q.uncaught = find_uncaught_target_signal(segs[i], lens[i]);
	return q;
}

static const char *signame(int sig)
{
	const char *d = sigdescr_np(sig);
	return d ? d : "unknown signal";
}

/* ---- rules 1-4: how it ended ---- */

static void decide(struct classification *c, enum outcome o, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void decide(struct classification *c, enum outcome o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	c->outcome = o;
	vsnprintf(c->why, sizeof c->why, fmt, ap);
	va_end(ap);
}

bool classify_ending(const struct run_end *end, const struct run_output *o,
		     struct classification *c)
{
	struct emulator_report q = read_emulator(end, o);
	if (end->kind == END_TIMED_OUT)
		decide(c, OUT_TIMEOUT, "killed by the harness at its deadline%s",
		       c->has_result ? " (after printing a result line)" : "");
	else if (end->kind == END_SPAWN_FAILED)
		decide(c, OUT_ERROR, "could not start: %s", strerror(end->code));
	else if (q.failure)
		decide(c, OUT_EMULATOR_ERROR, "QEMU failed: \"%s\"", q.failure);
	else if (end->kind == END_SIGNALED && q.uncaught > 0)
		decide(c, OUT_CRASH, "killed by signal %d (%s); qemu: uncaught target signal %d",
		       end->code, signame(end->code), q.uncaught);
	else if (end->kind == END_SIGNALED)
		decide(c, OUT_CRASH, "killed by signal %d (%s)%s", end->code, signame(end->code),
		       q.uncaught ? "; qemu: uncaught target signal (the program's own crash)" : "");
	else if (q.uncaught)
		decide(c, OUT_CRASH, "qemu: uncaught target signal %d (%s), exit status %d",
		       q.uncaught, q.uncaught > 0 ? signame(q.uncaught) : "?", end->code);
	else
		return false;
	return true;
}

/* ---- rules 5-7: the result line ---- */

struct scan {
	unsigned found, bad, stray;
	char first_bad[200];
};

/* One line of stdout: a result line candidate, or a stray line. */
static void scan_line(const char *line, size_t len, bool fragment, struct result_line *r,
		      struct scan *sc)
{
	while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	size_t k = 0;
	while (k < len && (line[k] == ' ' || line[k] == '\t'))
		k++;
	if (k == len)
		return;
	if (fragment || line[k] != '{') {
		sc->stray++;
		return;
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

/* Looks at every line of one segment. `cut_front`/`cut_back` say whether the
 * segment's first/last line may be a fragment (a drop happened there). */
static void scan_segment(const char *s, size_t n, bool cut_front, bool cut_back,
			 struct result_line *r, struct scan *sc)
{
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - s) : n;
		bool fragment = (i == 0 && cut_front) || (!nl && cut_back);
		scan_line(s + i, end - i, fragment, r, sc);
		i = nl ? end + 1 : n;
	}
}

/* Rule 5: exactly one good result line. */
static bool one_result_line(const struct run_end *end, const struct scan *sc,
			    struct classification *c)
{
	if (sc->found == 1)
		return true;
	if (sc->found > 1)
		decide(c, OUT_ERROR, "exit status %d and %u result lines (want exactly one)", end->code,
		       sc->found);
	else if (end->code == PROTOCOL_EXIT_USAGE)
		decide(c, OUT_ERROR, "exit status %d: torture refused its options (usage error; see "
				     "its stderr)", end->code);
	else if (sc->bad)
		decide(c, OUT_ERROR, "exit status %d; unparsable result line: %s", end->code,
		       sc->first_bad);
	else
		decide(c, OUT_ERROR, "exit status %d and no result line on stdout", end->code);
	return false;
}

/* Rule 6: the exit status agrees with the line, and the line is for what
 * was asked. */
static bool line_agrees(const struct run_end *end, const struct run_request *req,
			struct classification *c)
{
	const struct result_line *r = &c->result;
	unsigned implied = outcomes_of_exit_status(end->code);
	char means[64];
	if (!implied) {
		decide(c, OUT_ERROR, "exit status %d is not in the protocol (result says %s)",
		       end->code, outcome_name(r->outcome));
		return false;
	}
	if (!(implied & OUTCOME_BIT(r->outcome))) {
		decide(c, OUT_ERROR, "result line says %s but exit status %d means %s",
		       outcome_name(r->outcome), end->code,
		       outcome_set_name(implied, means, sizeof means));
		return false;
	}
	const char *what = NULL, *want = NULL, *got = NULL;
	if (req && req->case_name && strcmp(req->case_name, r->case_name) != 0)
		what = "case", want = req->case_name, got = r->case_name;
	else if (req && req->variant && strcmp(req->variant, r->variant) != 0)
		what = "variant", want = req->variant, got = r->variant;
	else if (req && req->atomics && r->has_atomics && strcmp(req->atomics, r->atomics) != 0)
		what = "atomics", want = req->atomics, got = r->atomics;
	if (what) {
		decide(c, OUT_ERROR, "result line is for %s %s, asked for %s", what, got, want);
		return false;
	}
	if (req && req->check_seed && r->has_seed && r->seed != req->seed) {
		decide(c, OUT_ERROR, "result line is for seed %llu, asked for %llu",
		       (unsigned long long)r->seed, (unsigned long long)req->seed);
		return false;
	}
	return true;
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
	if (classify_ending(end, o, c) || !one_result_line(end, &sc, c) ||
	    !line_agrees(end, req, c))
		return;
	const struct result_line *r = &c->result;
	c->outcome = r->outcome;
	if (r->detail[0]) /* its first line: the rest is a hex window, kept in the log */
		snprintf(c->why, sizeof c->why, "%.*s", (int)strcspn(r->detail, "\n"), r->detail);
	else
		snprintf(c->why, sizeof c->why, "%s (exit status %d)", outcome_name(r->outcome),
			 end->code);
}
