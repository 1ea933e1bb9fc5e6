/*
 * kind_go — the "go" cell kind: the real Go runtime. Each run is
 * cases/go/workload built for one runtime flavour by ci/go-build
 * (build/<arch>/go/<flavour>/workload), one process under the arch's qemu,
 * judged by how it ended, Go's own failure lines and the workload's
 * closing line. The seam it plugs into: cell_kind.h; the commands that
 * plan with it: `proftorture run --kind go` and `proftorture repro-go`.
 *
 * A go cell's four names, in matrix.h's slots:
 *   arch     (arch)     the arch (ci/arches.tsv; ci/go-build builds with
 *                       the GO* words of its go_analogue column)
 *   program  (case)     "workload": the workload for the run's duration;
 *                       "floor": the same binary with -duration 0, one
 *                       profiling cycle stopped at once (kind_go.h)
 *   flavour  (variant)  a row of cases/go/flavours.tsv, or "own": the tree
 *                       of --goroot DIR, built by ci/go-build --goroot DIR
 *   source   (atomics)  protocol.h's signal sources: "thread-timer", the
 *                       runtime's own profiling timers only (Go 1.18+ on
 *                       Linux: a per-thread CPU timer, timer_create, on
 *                       every thread, beside the process's ITIMER_PROF);
 *                       "cannon", the same plus the runner's SIGPROF cannon
 *                       (cannon.h) from the moment the runtime has set its
 *                       SIGPROF action, the workload told -outside-signals
 * Expected outcomes: cases/go/expected.tsv (expected.h's format), looked
 * up with these names.
 *
 * Planning checks, per arch, before anything runs: the arch has a Go port
 * (GOARCH= in go_analogue; otherwise it is skipped with a note), every
 * binary exists (else one message naming the ci/go-build command that
 * builds it), a --goroot build really came from that tree (its
 * build-info.txt), and qemu has the trace event the cannon's readiness rule
 * reads. Each run: the binary, -duration, the tuned workload flags
 * (go_tuned_flags), -watchdog and -goroutines when given; at the deadline
 * SIGQUIT (the runtime dumps every goroutine) and SIGKILL GO_KILL_GRACE_S
 * later. The workload has no seed: Go's scheduler is not seedable, so the
 * seed only numbers the run.
 *
 * The outcome of a run, first match wins (docs/go-runtime.md, "The real Go
 * runtime in the runner", has the same table):
 *   how it ended (classify_ending)                  error, emulator-error,
 *                                                   crash (killed by a signal)
 *   killed at the runner's deadline                 deadlock (a hang: SIGQUIT,
 *                                                   the dump, then SIGKILL)
 *   Go's first failure line in stderr (signature.c's list), go_failures[]:
 *     fatal error: runtime: malformed profBuf ...   corrupt (#24991)
 *     fatal error: slice bounds out of range, thrown
 *       in runtime.(*profBuf).read                  corrupt (#24991)
 *     workload: CORRUPT !!! (its profile check)     corrupt
 *     workload: DEADLOCK !!! (its watchdog)          deadlock
 *     SIGQUIT: quit with sigcode=-2 (SI_TIMER: the
 *       workload's dead man's switch)               deadlock
 *     SIGQUIT: quit from elsewhere                  error (not the runtime's doing)
 *     any other fatal error:, panic:, fatal signal  crash
 *   the closing line, when the exit status agrees   pass, vacuous, error
 *   anything else (exit 2 without a failure line:
 *     a usage error; no closing line)               error
 * Numbers: signals handled = the samples the profiles held; near misses =
 * the lost-atomic samples they held (SIGPROFs the runtime saw inside
 * runtime/internal/atomic, the event #24991's flush is about); the time to
 * the first failure is the workload's own when its closing line says
 * (watchdog, profile check: from main's start), else the process's wall
 * time (a runtime crash: qemu's start-up included).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cannon.h"
#include "cell_kind.h"
#include "cli.h"
#include "kind_go.h"
#include "matrix_file.h"
#include "plan.h"
#include "signature.h"
#include "stats.h"

/* The workload flags every run gets, from ci/go-tune's search (docs/go-runtime.md,
 * "Tuning the real runtime"): one worker on eight Ps (idle threads the
 * cannon wakes into the handler beside the busy one) and a profile
 * restarted every 2 s crashed the regressed runtime most often under the
 * cannon, on a loaded machine too. */
static const char *const go_tuned_flags[] = { "-goroutines", "1", "-procs", "8", "-cycle", "2s",
					      NULL };

/* ---- names and paths ---- */

static const char *source_own(void)
{
	return protocol_source_names[SOURCE_THREAD_TIMER];
}

static const char *source_cannon(void)
{
	return protocol_source_names[SOURCE_CANNON];
}

/* build/<arch>/go/<flavour>/<file>, relative to the root. */
static char *go_rel(const char *arch, const char *flavour, const char *file)
{
	struct sbuf b = { 0 };
	sb_printf(&b, "build/%s/go/%s/%s", arch, flavour, file);
	return b.s;
}

static char *go_abs(const char *arch, const char *flavour, const char *file)
{
	char *rel = go_rel(arch, flavour, file), *abs = root_path(rel);
	free(rel);
	return abs;
}

char *const *go_flavour_names(void)
{
	static char **names;
	static bool read;
	if (read)
		return names;
	read = true;
	char *path = root_path("cases/go/flavours.tsv");
	size_t len, n = 0;
	char *text = ut_read_file(path, 1 << 20, &len);
	free(path);
	if (!text)
		return NULL;
	names = xcalloc(1, sizeof *names);
	char *save = text;
	for (char *line = strsep(&save, "\n"); line; line = strsep(&save, "\n")) {
		size_t w = strcspn(line, "\t");
		if (!w || line[0] == '#' || strncmp(line, "flavour\t", 8) == 0)
			continue; /* blank, comment, header */
		char *builds = strchr(line + w + 1, '\t'); /* the third column */
		if (!builds || !strstr(builds, "workload"))
			continue; /* a flavour of runtime tests only (eof-fixed) */
		names = xrealloc(names, (n + 2) * sizeof *names);
		names[n++] = xstrndup(line, w);
		names[n] = NULL;
	}
	free(text);
	return names;
}

/* A build-info.txt field (ci/go-build's write_info), malloc'd, or NULL. */
static char *build_info(const char *arch, const char *flavour, const char *key)
{
	char *path = go_abs(arch, flavour, "build-info.txt");
	size_t len, klen = strlen(key);
	char *text = ut_read_file(path, 1 << 16, &len), *value = NULL;
	free(path);
	for (char *save = text, *line; text && (line = strsep(&save, "\n"));)
		if (strncmp(line, key, klen) == 0 && line[klen] == '\t' && !value)
			value = xstrdup(line + klen + 1);
	free(text);
	return value;
}

/* ---- plan ---- */

/* repro-go's matrix: cases/go/matrix.tsv, a matrix file (matrix_file.h)
 * with two columns of the kind's own, read once when the matrix is
 * selected: before anything is planned, so that a bad line stops
 * everything. `-` there is the kind's own argv, run duration and expected
 * table; `on` its cannon rate. */
#define GO_MATRIX_PATH "cases/go/matrix.tsv"

static const char *const go_matrix_columns[] = { "program", "flavour", NULL };
enum { GO_COL_PROGRAM, GO_COL_FLAVOUR };

static struct {
	bool loaded;
	struct arch_table arches;
	struct matrix_file f;
} go_matrix;

/* The kind's own columns, and argv: the workload is the kind's. */
static int check_go_rows(const struct matrix_file *f, struct sbuf *why)
{
	char *const *flavours = go_flavour_names();
	for (size_t i = 0; i < f->n; i++) {
		const struct mf_row *r = &f->rows[i];
		const char *program = r->extra[GO_COL_PROGRAM], *flavour = r->extra[GO_COL_FLAVOUR];
		if (protocol_lookup(go_program_names, program) < 0)
			sb_printf(why, "%s:%u: program: '%s' is not %s or %s", f->path, r->line, program,
				  GO_PROGRAM_WORKLOAD, GO_PROGRAM_FLOOR);
		else if (!flavours || !ut_list_has(flavours, flavour))
			sb_printf(why, "%s:%u: flavour: '%s' is not a workload flavour of "
				  "cases/go/flavours.tsv", f->path, r->line, flavour);
		else if (r->argv)
			sb_printf(why, "%s:%u: argv: the go kind runs its own workload (want -)",
				  f->path, r->line);
		if (why->len)
			return -1;
	}
	return 0;
}

static int load_go_matrix(struct sbuf *why)
{
	if (go_matrix.loaded)
		return 0;
	const struct mf_rules rules = { go_matrix_columns, true };
	char err[1024], *apath = root_path("ci/arches.tsv"), *path = root_path(GO_MATRIX_PATH);
	int rc = arches_load(apath, &go_matrix.arches, err, sizeof err);
	if (rc == 0 && (rc = mf_load(path, GO_MATRIX_PATH, &go_matrix.arches, &rules,
				     &go_matrix.f, err, sizeof err)) != 0)
		arches_free(&go_matrix.arches);
	free(apath);
	free(path);
	if (rc) {
		sb_puts(why, err);
		return -1;
	}
	go_matrix.loaded = true;
	return check_go_rows(&go_matrix.f, why);
}

/* Whether the arch has a Go port: GOARCH= in its go_analogue column. */
static bool has_go_port(const struct arch *a)
{
	return a->go && strstr(a->go, "GOARCH=") != NULL;
}

/* The problems of one cell's binary, appended to problem. */
static void check_binary(const struct arch *a, const char *flavour, const char *goroot,
			 struct sbuf *problem)
{
	char *bin = go_abs(a->name, flavour, "workload"), *rel = go_rel(a->name, flavour, "workload");
	bool own = strcmp(flavour, GO_OWN_FLAVOUR) == 0;
	if (strstr(sb_str(problem), rel)) {
		/* said already (two programs, one binary) */
	} else if (access(bin, X_OK) != 0) {
		sb_printf(problem, "%s%s: %s (build it: ci/go-build --arch %s ",
			  problem->len ? "; " : "", rel, strerror(errno), a->name);
		if (own)
			sb_printf(problem, "--goroot %s)", goroot ? goroot : "DIR");
		else
			sb_printf(problem, "--flavour %s --what workload, or make repro-go)", flavour);
	} else if (own && goroot) {
		char *from = build_info(a->name, flavour, "GOROOT"), *want = realpath(goroot, NULL);
		if (!from || !want || strcmp(from, want) != 0)
			sb_printf(problem, "%s%s was built from %s, not --goroot %s (rebuild it: "
					   "ci/go-build --arch %s --goroot %s)",
				  problem->len ? "; " : "", rel, from ? from : "an unknown tree", goroot,
				  a->name, goroot);
		free(from);
		free(want);
	}
	free(bin);
	free(rel);
}

/* One cell, its binary checked; without a row, the matrix's runs. */
static void add_cell(struct plan *p, const struct arch *a, const char *program,
		     const char *flavour, bool cannon, const struct mf_row *row,
		     const struct selection *sel, struct sbuf *problem)
{
	if (!selection_includes(sel->flavours, flavour) ||
	    !selection_includes(sel->sources, cannon ? source_cannon() : source_own()))
		return;
	check_binary(a, flavour, sel->goroot, problem);
	if (problem->len) /* the arch cannot run: plan_arch says so */
		return;
	struct cell_id id = { &go_kind, a->name, program, flavour,
			      cannon ? source_cannon() : source_own() };
	const struct mf_expect *e = row ? mf_expect_for(row, a->name) : NULL;
	size_t ci = e ? plan_add_cell_expecting(p, &id, a, e->outcomes, row->note)
		      : plan_add_cell(p, &id, a);
	struct cell *c = &p->m.cells[ci];
	c->runs = row ? row->runs : 0;
	c->measured = row && row->measured;
	c->duration = row ? row->duration : 0;
	c->cannon_rate = row && row->cannon_rate > 0 ? row->cannon_rate : 0;
	c->cannon_anytime = row && row->cannon_anytime;
}

/* With --goroot, the user's tree stands in for stock (it is built as stock). */
static const char *flavour_of(const char *flavour, const struct selection *sel)
{
	return sel->goroot && strcmp(flavour, "stock") == 0 ? GO_OWN_FLAVOUR : flavour;
}

const char *const go_program_names[] = { GO_PROGRAM_WORKLOAD, GO_PROGRAM_FLOOR, NULL };

/* repro-go: the matrix's rows, only the programs --case names when it names
 * any of ours. */
static void plan_matrix(struct plan *p, const struct arch *a, const struct selection *sel,
			struct sbuf *problem)
{
	char **programs = selection_own(sel->cases, go_program_names);
	if (load_go_matrix(problem))
		return;
	for (size_t i = 0; i < go_matrix.f.n; i++) {
		const struct mf_row *r = &go_matrix.f.rows[i];
		const char *program = r->extra[GO_COL_PROGRAM], *flavour = r->extra[GO_COL_FLAVOUR];
		if (mf_row_has_arch(r, a->name) && (r->quick || !sel->go_quick) &&
		    (!programs || ut_list_has(programs, program)))
			add_cell(p, a, program, flavour_of(flavour, sel), r->cannon_rate != 0, r, sel,
				 problem);
	}
	free(programs);
}

/* `run --kind go`: the programs --case names (default the workload; all:
 * the floor too) for every selected flavour x source. */
static void plan_product(struct plan *p, const struct arch *a, const struct selection *sel,
			 struct sbuf *problem)
{
	char *const defaults[] = { "stock", "regressed", "unchecked", NULL };
	char *const *flavours = !sel->flavours ? defaults
				: ut_list_has(sel->flavours, "all") ? go_flavour_names()
								     : sel->flavours;
	char *const workload_only[] = { GO_PROGRAM_WORKLOAD, NULL };
	char *const both[] = { GO_PROGRAM_WORKLOAD, GO_PROGRAM_FLOOR, NULL };
	char **own = selection_own(sel->cases, go_program_names);
	char *const *programs = own ? own
				: sel->cases && ut_list_has(sel->cases, "all") ? both
									       : workload_only;
	for (size_t g = 0; programs[g]; g++)
		for (size_t f = 0; flavours[f]; f++)
			for (int cannon = 0; cannon < 2; cannon++)
				add_cell(p, a, programs[g], flavour_of(flavours[f], sel), cannon,
					 NULL, sel, problem);
	free(own);
}

static bool planned_cannon(const struct plan *p, const struct arch *a)
{
	for (size_t i = 0; i < p->m.ncells; i++)
		if (p->m.cells[i].kind == &go_kind && p->cell_arch[i] == a &&
		    strcmp(p->m.cells[i].atomics, source_cannon()) == 0)
			return true;
	return false;
}

static int go_plan_arch(struct plan *p, const struct arch *a, const struct selection *sel,
			struct sbuf *problem)
{
	if (!has_go_port(a)) {
		sb_printf(&p->skipped, " %s/go", a->name);
		return 0;
	}
	if (a->host_kernel_first && arch_is_cross(a)) {
		/* i686 on a host without the 32-bit ABI: the C programs pin
		 * their TLS (tls_pin.h), but Go's 386 runtime finds g through
		 * %gs on glibc's kind of GDT entry, which qemu-i386 reloads
		 * from one shared table at each sigreturn (seen: "fatal
		 * error: runtime·unlock: lock count", "morestack on g0"). */
		sb_printf(&p->skipped,
			  " %s/go (under %s Go's runtime loses its g at the first signal return)",
			  a->name, a->qemu);
		return 0;
	}
	if (arch_is_cross(a)) {
		char *q = ut_which(a->qemu);
		if (!q) {
			sb_printf(problem, "%s not found in PATH (ci/install-deps installs qemu-user)",
				  a->qemu);
			return -1;
		}
		free(q);
	}
	if (sel->go_matrix)
		plan_matrix(p, a, sel, problem);
	else
		plan_product(p, a, sel, problem);
	if (problem->len)
		return -1;
	if (arch_is_cross(a) && planned_cannon(p, a) && !arch_qemu_has_event(a, CANNON_QEMU_EVENT)) {
		sb_printf(problem, "%s has no trace event %s, which the cannon's readiness rule reads",
			  a->qemu, CANNON_QEMU_EVENT);
		return -1;
	}
	return 0;
}

/* ---- execute ---- */

static char **go_argv(const struct cell *c, const struct run_settings *s, uint64_t seed)
{
	(void)seed; /* the workload has none (above) */
	bool floor = strcmp(c->case_name, GO_PROGRAM_FLOOR) == 0;
	char num[3][32];
	snprintf(num[0], sizeof num[0], "%.9gs", floor ? 0 : s->duration);
	snprintf(num[1], sizeof num[1], "%.9gs", s->watchdog);
	snprintf(num[2], sizeof num[2], "%llu", (unsigned long long)s->threads);
	char **v = xcalloc(16 + sizeof go_tuned_flags / sizeof go_tuned_flags[0], sizeof *v);
	size_t n = 0;
	v[n++] = go_abs(c->arch, c->variant, "workload");
	v[n++] = xstrdup("-duration");
	v[n++] = xstrdup(num[0]);
	for (size_t i = 0; go_tuned_flags[i]; i++)
		v[n++] = xstrdup(go_tuned_flags[i]);
	if (s->threads) { /* after the tuned flags: the flag package keeps the last */
		v[n++] = xstrdup("-goroutines");
		v[n++] = xstrdup(num[2]);
	}
	if (s->watchdog > 0) {
		v[n++] = xstrdup("-watchdog");
		v[n++] = xstrdup(num[1]);
	}
	if (strcmp(c->atomics, source_cannon()) == 0)
		v[n++] = xstrdup("-outside-signals");
	return v;
}

static void go_launch(const struct cell *c, const struct run_settings *s, struct run_launch *l)
{
	l->kill_signal = SIGQUIT;
	l->kill_grace_s = GO_KILL_GRACE_S;
	if (strcmp(c->atomics, source_cannon()) != 0)
		return;
	/* --rate, else the matrix row's own rate, else the kind's */
	const char *rate = s->rate ? s->rate : GO_CANNON_RATE;
	l->cannon_signal = SIGPROF;
	l->cannon_rate = strcmp(rate, "max") == 0 ? MF_CANNON_MAX : strtod(rate, NULL);
	if (!s->rate && c->cannon_rate > 0)
		l->cannon_rate = c->cannon_rate;
	l->cannon_anytime = c->cannon_anytime;
}

/* ---- classify ---- */

/* What Go's first failure line means, first match wins. `stack`: a frame
 * the throwing goroutine's dump must show for the row to apply. */
struct go_failure {
	const char *line; /* the start of the normalised line (signature.h) */
	const char *stack;
	enum outcome outcome;
	int corruption; /* protocol.h's kind, or -1 */
	const char *means;
};

static const struct go_failure go_failures[] = {
	{ "fatal error: runtime: malformed profBuf buffer - invalid size", NULL, OUT_CORRUPT,
	  K_INVALID_SIZE, "#24991: profBuf.read met a torn record (two writers at once)" },
	{ "fatal error: runtime: malformed profBuf buffer - tag and data out of sync", NULL,
	  OUT_CORRUPT, K_OUT_OF_SYNC, "#24991: profBuf's tags and data disagree" },
	{ "fatal error: slice bounds out of range", "runtime.(*profBuf).read", OUT_CORRUPT,
	  K_READ_PAST_WRITE, "#24991: profBuf.read ran past the write index over a torn record" },
	{ "workload: CORRUPT !!!", NULL, OUT_CORRUPT, -1, "the workload's check of a profile" },
	{ "workload: DEADLOCK !!!", NULL, OUT_DEADLOCK, -1, "the workload's watchdog goroutine" },
	{ "fatal error: ", NULL, OUT_CRASH, -1, "a runtime failure #24991 does not explain" },
	{ "panic: ", NULL, OUT_CRASH, -1, "a panic" },
	{ "SIG", NULL, OUT_CRASH, -1, "a fatal signal" },
};

/* The closing line's fields the kind reads. */
struct closing {
	bool found;
	enum outcome outcome;
	double elapsed_s, first_failure_s;
	double samples, lost_atomic;
	char detail[160];
};

static double json_count(const json_t *counters, const char *name)
{
	const json_t *v = json_object_get(counters, name);
	return json_is_integer(v) && json_integer_value(v) >= 0 ? (double)json_integer_value(v) : 0;
}

/* One stdout line; true when it is a closing line of the right name and
 * version with a known outcome. */
static bool parse_closing(const char *line, size_t len, struct closing *cl)
{
	json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	const json_t *ff = json_object_get(root, "first_failure_s");
	const char *res = json_string_value(json_object_get(root, "result"));
	const char *oc = json_string_value(json_object_get(root, "outcome"));
	const char *detail = json_string_value(json_object_get(root, "detail"));
	const json_t *version = json_object_get(root, "version"), *counters;
	bool ok = res && strcmp(res, PROTOCOL_GO_RESULT_NAME) == 0 && json_is_integer(version) &&
		  json_integer_value(version) == PROTOCOL_GO_RESULT_VERSION && oc && outcome_parse(oc) >= 0;
	if (ok) {
		counters = json_object_get(root, "counters");
		cl->found = true;
		cl->outcome = (enum outcome)outcome_parse(oc);
		cl->elapsed_s = json_number_value(json_object_get(root, "elapsed_s"));
		cl->first_failure_s = json_is_number(ff) ? json_number_value(ff) : NAN;
		cl->samples = json_count(counters, protocol_counter_names[CTR_SAMPLES]);
		cl->lost_atomic = json_count(counters, protocol_counter_names[CTR_LOST_ATOMIC_READ]);
		ut_copy_clean(cl->detail, sizeof cl->detail, detail ? detail : "");
	}
	json_decref(root);
	return ok;
}

static void find_closing(const char *s, size_t n, struct closing *cl)
{
	for (size_t i = 0; s && i < n && !cl->found;) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - s) : n;
		if (s[i] == '{')
			parse_closing(s + i, end - i, cl);
		i = end + 1;
	}
}

/* Go's first failure line in stderr (head, then tail), normalised; its
 * raw place in *at, for the rows that look further. 0 when there is none. */
static int failure_line(const struct run_output *o, char *line, size_t cap, const char **seg,
			size_t *seglen)
{
	const char *segs[2] = { o->err_head, o->err_tail };
	size_t lens[2] = { o->err_head_len, o->err_tail_len };
	for (int i = 0; i < 2; i++)
		if (segs[i] && sig_pick_failure_line(segs[i], lens[i], line, cap) == 1) {
			*seg = segs[i];
			*seglen = lens[i];
			return 1;
		}
	return 0;
}

/* The sigcode of the runtime's "SIGQUIT: quit" dump: SI_TIMER (-2, which
 * the runtime prints unsigned on 32- and 64-bit arches) is the
 * workload's dead man's switch. */
static bool quit_by_deadman(const char *seg, size_t len)
{
	const char *q = memmem(seg, len, "SIGQUIT: quit", 13);
	const char *sc = q ? memmem(q, len - (size_t)(q - seg), "sigcode=", 8) : NULL;
	if (!sc || sc - q > 400)
		return false;
	sc += 8;
	return strncmp(sc, "-2", 2) == 0 || strncmp(sc, "4294967294", 10) == 0 ||
	       strncmp(sc, "18446744073709551614", 20) == 0;
}

static const struct go_failure *match_failure(const char *line, const char *seg, size_t len)
{
	for (size_t i = 0; i < sizeof go_failures / sizeof go_failures[0]; i++) {
		const struct go_failure *f = &go_failures[i];
		if (strncmp(line, f->line, strlen(f->line)) == 0 &&
		    (!f->stack || memmem(seg, len, f->stack, strlen(f->stack))))
			return f;
	}
	return NULL;
}

/* Rules on Go's failure line; false when there is none. */
static bool by_failure_line(const struct ended_run *e, struct run_record *r)
{
	char line[SIG_MAX];
	const char *seg = NULL;
	size_t len = 0;
	if (!failure_line(&e->output, line, sizeof line, &seg, &len))
		return false;
	if (strncmp(line, "SIGQUIT: quit", 13) == 0) {
		bool deadman = quit_by_deadman(seg, len);
		r->outcome = deadman ? OUT_DEADLOCK : OUT_ERROR;
		const char *hung = "hung: the workload's dead man's switch sent SIGQUIT (sigcode=-2); "
				   "the runtime dumped every goroutine",
			   *other = "SIGQUIT from outside the runner (not sigcode=-2): says nothing "
				    "of the runtime";
		snprintf(r->why, sizeof r->why, "%s (exit %d)", deadman ? hung : other, e->end.code);
		return true;
	}
	const struct go_failure *f = match_failure(line, seg, len);
	if (!f)
		return false;
	r->outcome = f->outcome;
	snprintf(r->why, sizeof r->why, "%s (exit %d: %s)", line, e->end.code, f->means);
	if (f->corruption >= 0)
		snprintf(r->corruptions, sizeof r->corruptions, "%s:1",
			 protocol_corruption_names[f->corruption]);
	return true;
}

/* The closing line's outcome, when the exit status agrees. */
static void by_closing_line(const struct ended_run *e, const struct closing *cl,
			    struct run_record *r)
{
	r->outcome = OUT_ERROR;
	if (!cl->found) {
		snprintf(r->why, sizeof r->why, "exit %d with neither a closing line nor a failure "
			 "line%s", e->end.code, e->end.code == 2 ? " (a usage error? see stderr)" : "");
	} else if (!(outcomes_of_exit_status(e->end.code) & OUTCOME_BIT(cl->outcome))) {
		snprintf(r->why, sizeof r->why, "closing line says %s but the exit status is %d",
			 outcome_name(cl->outcome), e->end.code);
	} else {
		r->outcome = cl->outcome;
		snprintf(r->why, sizeof r->why, "%s: %s", outcome_name(cl->outcome), cl->detail);
	}
}

/* Whether stderr holds the runtime's answer to a SIGQUIT: its dump. */
static bool dumped(const struct run_output *o)
{
	const char *segs[2] = { o->err_head, o->err_tail };
	size_t lens[2] = { o->err_head_len, o->err_tail_len };
	for (int i = 0; i < 2; i++)
		if (segs[i] && memmem(segs[i], lens[i], "SIGQUIT: quit", 13) &&
		    memmem(segs[i], lens[i], "\ngoroutine ", 11))
			return true;
	return false;
}

/* A corruption the workload's own check names ("kind: detail"). */
static void closing_corruption(const struct closing *cl, struct run_record *r)
{
	size_t k = strcspn(cl->detail, ":");
	char kind[40];
	snprintf(kind, sizeof kind, "%.*s", (int)(k < sizeof kind ? k : sizeof kind - 1), cl->detail);
	if (!r->corruptions[0] && protocol_lookup(protocol_corruption_names, kind) >= 0)
		snprintf(r->corruptions, sizeof r->corruptions, "%s:1", kind);
}

static void go_classify(const struct cell *c, const struct ended_run *e, struct run_record *r)
{
	(void)c;
	struct closing cl = { .first_failure_s = NAN };
	find_closing(e->output.out_head, e->output.out_head_len, &cl);
	find_closing(e->output.out_tail, e->output.out_tail_len, &cl);
	struct classification ending = { 0 };
	if (classify_ending(&e->end, &e->output, &ending) && ending.outcome == OUT_TIMEOUT) {
		r->outcome = OUT_DEADLOCK;
		snprintf(r->why, sizeof r->why, "hung: killed at the runner's deadline after SIGQUIT "
			 "(%s)", dumped(&e->output) ? "the runtime dumped every goroutine"
						 : "no goroutine dump; SIGKILL after the grace");
	} else if (ending.why[0]) {
		r->outcome = ending.outcome;
		snprintf(r->why, sizeof r->why, "%.300s", ending.why);
	} else if (!by_failure_line(e, r)) {
		by_closing_line(e, &cl, r);
	}
	if (cl.found) {
		r->elapsed_s = cl.elapsed_s;
		r->handled = cl.samples;
		r->in_atomic = cl.lost_atomic;
		if (cl.outcome == OUT_CORRUPT)
			closing_corruption(&cl, r);
	}
	if (outcome_is_failure(r->outcome))
		r->first_failure_s = cl.found && !isnan(cl.first_failure_s) ? cl.first_failure_s
									   : e->wall_s;
}

/* ---- the configuration: which Go built it ---- */

static char *go_compiler(const struct cell *c)
{
	char *version = build_info(c->arch, c->variant, "go_version");
	char *goroot = build_info(c->arch, c->variant, "GOROOT");
	char *env = build_info(c->arch, c->variant, "go_env");
	char *line = NULL;
	if (version) {
		struct sbuf b = { 0 };
		sb_printf(&b, "%s (GOROOT %s; %s)", version, goroot ? goroot : "unknown",
			  env ? env : "unknown env");
		line = b.s;
	}
	free(version);
	free(goroot);
	free(env);
	return line;
}

/* --flavour against cases/go/flavours.tsv (and own, with --goroot). */
static int go_check_selection(const struct selection *sel, struct sbuf *why)
{
	if (sel->go_matrix && load_go_matrix(why))
		return CELL_KIND_BAD_FILE;
	if (!sel->flavours)
		return 0;
	char *const *known = go_flavour_names();
	if (!known) {
		sb_puts(why, "--flavour: cannot read cases/go/flavours.tsv");
		return -1;
	}
	for (size_t i = 0; sel->flavours[i]; i++) {
		const char *f = sel->flavours[i];
		if (strcmp(f, "all") == 0 || ut_list_has(known, f) ||
		    (sel->goroot && strcmp(f, GO_OWN_FLAVOUR) == 0))
			continue;
		sb_printf(why, "--flavour: '%s' is not one of: all", f);
		for (size_t k = 0; known[k]; k++)
			sb_printf(why, " %s", known[k]);
		sb_puts(why, sel->goroot ? " " GO_OWN_FLAVOUR : " (own, with --goroot)");
		return -1;
	}
	return 0;
}

const struct cell_kind go_kind = {
	.name = "go",
	.plan_arch = go_plan_arch,
	.argv = go_argv,
	.classify = go_classify,
	.expected_path = "cases/go/expected.tsv",
	.slot_names = { "program", "flavour", "source" },
	.launch = go_launch,
	.compiler = go_compiler,
	.case_names = go_program_names,
	.check_selection = go_check_selection,
	.footer = go_side_by_side,
	.rate_help = "the cannon's; default " GO_CANNON_RATE,
};

/* ---- the side-by-side lines ---- */

/* The cell of this kind and arch whose names match (a glob for the
 * flavour), expected to fail with exactly `expected`; NULL when none. */
static const struct cell *find(const struct matrix *m, const struct cell_kind *k, const char *arch,
			       const char *program, const char *flavour, const char *source,
			       outcome_set expected)
{
	for (size_t i = 0; i < m->ncells; i++) {
		const struct cell *c = &m->cells[i];
		if (c->kind == k && !strcmp(c->arch, arch) && !strcmp(c->case_name, program) &&
		    !fnmatch(flavour, c->variant, 0) && (!source || !strcmp(c->atomics, source)) &&
		    (!expected || c->expected == expected))
			return c;
	}
	return NULL;
}

/* "0.62 s (9 of 10 failed)", or "- (not run)". */
static void median_text(struct sbuf *b, const struct cell *c)
{
	const struct cell_verdict *v = c ? &c->verdict : NULL;
	if (!c)
		sb_puts(b, "- (not run)");
	else if (v->failures && !isnan(v->ttff_median))
		sb_printf(b, "%.3g s (%lu of %lu failed)", v->ttff_median, v->failures, v->n);
	else
		sb_printf(b, "none (%lu of %lu failed)", v->failures, v->n);
}

/* The floor: the median wall time of the floor cell's clean runs. */
static void floor_text(struct sbuf *b, const struct matrix *m, const struct cell *c)
{
	double *w = xcalloc(m->nruns + 1, sizeof *w);
	size_t n = 0;
	for (size_t i = 0; c && i < m->nruns; i++)
		if (&m->cells[m->runs[i].cell] == c && m->runs[i].outcome == OUT_PASS)
			w[n++] = m->runs[i].wall_s;
	if (n)
		sb_printf(b, "%.3g s (median of %zu clean runs)", stats_quantile(w, n, 0.5), n);
	else
		sb_puts(b, c ? "- (no clean run)" : "- (not run)");
	free(w);
}

/* Whether an earlier go cell has this cell's arch. */
static bool arch_seen(const struct matrix *m, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (m->cells[j].kind == &go_kind && !strcmp(m->cells[j].arch, m->cells[i].arch))
			return true;
	return false;
}

void go_side_by_side(const struct matrix *m, struct sbuf *b)
{
	outcome_set corrupt = OUTCOME_BIT(OUT_CORRUPT);
	bool any = false;
	for (size_t i = 0; i < m->ncells; i++) {
		if (m->cells[i].kind != &go_kind || arch_seen(m, i))
			continue;
		const char *arch = m->cells[i].arch;
		if (!any)
			sb_puts(b, "side by side, median time to the first failure (the Go runtime's: "
				   "wall time from the process's start, qemu's start-up included; "
				   "the C rebuild's: torture's own clock):\n");
		any = true;
		const struct cell *own = find(m, &go_kind, arch, GO_PROGRAM_WORKLOAD, "regressed*",
					      source_own(), corrupt);
		const struct cell *can = find(m, &go_kind, arch, GO_PROGRAM_WORKLOAD, "regressed*",
					      source_cannon(), corrupt);
		const struct cell *cre = find(m, &torture_kind, arch,
					      protocol_case_names[CASE_LOST_ATOMIC],
					      protocol_variant_names[VARIANT_UNLOCKED_FLUSH], NULL, 0);
		const struct cell *flo = find(m, &go_kind, arch, GO_PROGRAM_FLOOR, "*", NULL, 0);
		const struct cell *named = can ? can : own;
		sb_printf(b, "  %-7s Go %s: own timers ", arch, named ? named->variant : "regressed");
		median_text(b, own);
		sb_puts(b, ", cannon ");
		median_text(b, can);
		sb_puts(b, " | C rebuild unlocked-flush ");
		median_text(b, cre);
		sb_puts(b, " | workload floor ");
		floor_text(b, m, flo);
		sb_putc(b, '\n');
	}
}
