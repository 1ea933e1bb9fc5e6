/*
 * stress — one run of one case, one result line.
 *
 * See usage() for the options, stress.h for the threads, oracle.c for how
 * records are judged and judge() below for conservation and the outcome.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "profbuf.h"
#include "stress.h"

#define PROFILE_HZ 100 /* Go's runtime/pprof rate; only the header carries it */

struct run *the_run;
static struct run run_storage;

double run_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	return the_run ? now - the_run->t0 : now;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: stress --case NAME --variant NAME [options]\n"
		"       stress --list | --help\n"
		"\n"
		"Runs one case of proftorture against one variant of Go's SIGPROF handler and\n"
		"prints exactly one JSON result line on stdout (diagnostics go to stderr).\n"
		"\n"
		"  --case NAME        lost-atomic | atomic-deadlock | profile-stop | overflow\n"
		"  --variant NAME     unchecked | unlocked-flush | locked-flush |\n"
		"                     locked-flush-kuser | exact\n"
		"  --threads N        workers, 1..%d (default 2)\n"
		"  --duration S       seconds of signals, > 0 (default 1)\n"
		"  --source NAME      cannon | itimer | thread-timer (default cannon)\n"
		"  --rate HZ|max      signals per second in total (default max)\n"
		"  --atomics NAME     %s (default %s)\n"
		"  --seed N           seeds the workers' data and the run (default 1)\n"
		"  --watchdog S       no progress for S seconds = deadlock (default 5)\n"
		"  --mix A:P          per worker loop: A emulated atomics, P plain steps\n"
		"                     (default per case; overflow runs plain code only)\n"
		"  --keep-going       do not end the run at the first corruption\n"
		"  --probe            the handler only counts signals (no profiler): the\n"
		"                     signal-rate ceiling for the same threads and source\n"
		"  --list             cases, variants, sources, strategies and the\n"
		"                     expected outcome of each on this arch\n"
		"  --protocol         the stress<->runner protocol (protocol/protocol.h) as JSON\n"
		"\n"
		"exit: 0 pass, 1 corrupt or drift, 2 usage, 3 deadlock, 4 vacuous,\n"
		"      77 unsupported here, 99 setup error\n",
		MAX_WORKERS, atomic_emul_supported_names(),
		atomic_emul_config_name(atomic_emul_default()));
}

__attribute__((noreturn, format(printf, 1, 2))) static void usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "stress: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see stress --help)\n");
	exit(PROTOCOL_EXIT_USAGE);
}

static double parse_seconds(const char *opt, const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 86400)
		usage_error("%s wants seconds, a number > 0 and <= 86400, not '%s'", opt, s);
	return v;
}

static long parse_long(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		usage_error("%s wants a whole number from %ld to %ld, not '%s'", opt, lo, hi, s);
	return v;
}

static void list(void)
{
	printf("arch %s\n", PROFTORTURE_ARCH);
	printf("cases");
	for (int c = 0; c < NCASES; c++)
		printf(" %s", protocol_case_names[c]);
	printf("\nvariants");
	for (int v = 0; v < SIGPROF_NVARIANTS; v++)
		printf(" %s", sigprof_variant_name((enum sigprof_variant)v));
	printf("\nsources");
	for (int s = 0; s < NSOURCES; s++)
		printf(" %s", protocol_source_names[s]);
	printf("\nstrategies %s\n", atomic_emul_supported_names());
	printf("default-atomics %s\n", atomic_emul_config_name(atomic_emul_default()));
	char names[128];
	snprintf(names, sizeof names, "%s", atomic_emul_supported_names());
	for (int c = 0; c < NCASES; c++)
		for (int v = 0; v < SIGPROF_NVARIANTS; v++) {
			char copy[128], *save = NULL;
			memcpy(copy, names, sizeof copy);
			for (char *s = strtok_r(copy, " ", &save); s; s = strtok_r(NULL, " ", &save))
				printf("expect %s %s %s %s\n", protocol_case_names[c],
				       sigprof_variant_name((enum sigprof_variant)v), s,
				       expected_outcome(PROFTORTURE_ARCH, protocol_case_names[c],
							sigprof_variant_name((enum sigprof_variant)v), s));
		}
}

static void parse_options(int argc, char **argv, struct options *o)
{
	enum { O_CASE = 1000, O_VARIANT, O_THREADS, O_DURATION, O_SOURCE, O_RATE, O_ATOMICS,
	       O_SEED, O_WATCHDOG, O_MIX, O_KEEP_GOING, O_PROBE, O_LIST, O_PROTOCOL, O_HELP };
	static const struct option longopts[] = {
		{ "case", required_argument, 0, O_CASE },
		{ "variant", required_argument, 0, O_VARIANT },
		{ "threads", required_argument, 0, O_THREADS },
		{ "duration", required_argument, 0, O_DURATION },
		{ "source", required_argument, 0, O_SOURCE },
		{ "rate", required_argument, 0, O_RATE },
		{ "atomics", required_argument, 0, O_ATOMICS },
		{ "seed", required_argument, 0, O_SEED },
		{ "watchdog", required_argument, 0, O_WATCHDOG },
		{ "mix", required_argument, 0, O_MIX },
		{ "keep-going", no_argument, 0, O_KEEP_GOING },
		{ "probe", no_argument, 0, O_PROBE },
		{ "list", no_argument, 0, O_LIST },
		{ "protocol", no_argument, 0, O_PROTOCOL },
		{ "help", no_argument, 0, O_HELP },
		{ 0, 0, 0, 0 },
	};
	int kase = -1, variant = -1, mix_a = -1, mix_p = -1;
	o->threads = 2; /* one worker per core of a 2-core machine: ci/tune found 2
			 * faster to corrupt than 4 in 11 of 12 (arch, mix) pairs */
	o->duration = 1.0;
	o->source = SOURCE_CANNON;
	o->rate = 0;
	o->atomics = atomic_emul_default();
	o->seed = 1;
	o->watchdog = 5.0;
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, "", longopts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case O_CASE:
			if ((kase = protocol_lookup(protocol_case_names, optarg)) < 0)
				usage_error("--case '%s' is not one of: lost-atomic atomic-deadlock "
					    "profile-stop overflow", optarg);
			break;
		case O_VARIANT:
			if ((variant = sigprof_variant_parse(optarg)) < 0)
				usage_error("--variant '%s' is not one of: unchecked unlocked-flush "
					    "locked-flush locked-flush-kuser exact", optarg);
			break;
		case O_THREADS: o->threads = (int)parse_long("--threads", optarg, 1, MAX_WORKERS); break;
		case O_DURATION: o->duration = parse_seconds("--duration", optarg); break;
		case O_SOURCE: {
			int s = protocol_lookup(protocol_source_names, optarg);
			if (s < 0)
				usage_error("--source '%s' is not one of: cannon itimer thread-timer", optarg);
			o->source = (enum source_id)s;
			break;
		}
		case O_RATE:
			o->rate = strcmp(optarg, "max") == 0 ? 0 : parse_long("--rate", optarg, 1, 10000000);
			break;
		case O_ATOMICS:
			if (atomic_emul_parse(optarg, &o->atomics) != 0)
				usage_error("--atomics '%s' is not one of: native global striped "
					    "global-kuser striped-kuser", optarg);
			break;
		case O_SEED:
			o->seed = (uint64_t)parse_long("--seed", optarg, 0, 0x7fffffffL);
			break;
		case O_WATCHDOG: o->watchdog = parse_seconds("--watchdog", optarg); break;
		case O_MIX: {
			char tail;
			if (sscanf(optarg, "%d:%d%c", &mix_a, &mix_p, &tail) != 2 || mix_a < 0 ||
			    mix_p < 0 || mix_a > 100000 || mix_p > 100000 || mix_a + mix_p == 0)
				usage_error("--mix wants A:P, two whole numbers 0..100000 not both 0, "
					    "not '%s'", optarg);
			break;
		}
		case O_KEEP_GOING: o->keep_going = true; break;
		case O_PROBE: o->probe = true; break;
		case O_LIST: list(); exit(0);
		case O_PROTOCOL: {
			char buf[4096];
			size_t n = protocol_to_json(buf, sizeof buf);
			fwrite(buf, 1, n < sizeof buf ? n : sizeof buf - 1, stdout);
			exit(n < sizeof buf ? 0 : outcome_exit_status(OUT_ERROR));
		}
		case O_HELP: usage(stdout); exit(0);
		default:
			usage_error("unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (kase < 0 || variant < 0)
		usage_error("--case and --variant are required");
	o->kase = (enum case_id)kase;
	o->variant = (enum sigprof_variant)variant;
	/* Default mixes: mostly atomics where the case is about being inside
	 * one; for lost-atomic, enough plain code that about half the signals
	 * are samples, each flushing the lost count: 8:128 halved the median
	 * time to corruption against 8:32 under qemu (README, "Tuning"). */
	static const int default_mix[NCASES][2] = {
		[CASE_LOST_ATOMIC] = { 8, 128 },
		[CASE_ATOMIC_DEADLOCK] = { 32, 4 },
		[CASE_PROFILE_STOP] = { 8, 128 },
		[CASE_OVERFLOW] = { 0, 64 },
	};
	o->atomic_ops = mix_a >= 0 ? mix_a : default_mix[kase][0];
	o->plain_ops = mix_p >= 0 ? mix_p : default_mix[kase][1];
}

/* ---- the result line ---- */

static size_t append(char *buf, size_t len, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static size_t append(char *buf, size_t len, size_t at, const char *fmt, ...)
{
	if (at >= len)
		return at;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + at, len - at, fmt, ap);
	va_end(ap);
	return n > 0 ? at + (size_t)n : at;
}

struct sums {
	uint64_t handled, in_atomic, lost_atomic, recorded, too_late, ignored, flushes, iterations;
};

static struct sums sum_workers(const struct run *r)
{
	struct sums s = { 0 };
	for (int i = 0; i < r->opt.threads; i++) {
		const struct worker *w = &r->workers[i];
		s.handled += peek(&w->handled);
		s.in_atomic += peek(&w->in_atomic);
		s.lost_atomic += peek(&w->lost_atomic);
		s.recorded += peek(&w->recorded);
		s.too_late += peek(&w->too_late);
		s.ignored += peek(&w->ignored);
		s.flushes += peek(&w->flushes);
		s.iterations += peek(&w->iterations);
	}
	return s;
}

static uint64_t residue_lost_atomic; /* counted but never flushed, read at the end */
static int64_t racy_delta;           /* lost-atomic counts read minus counted */

/* Builds the line in a buffer and write(2)s it: also used by the watchdog. */
void print_result_line(struct run *r, enum outcome o, int fd)
{
	static char buf[4096];
	const struct options *op = &r->opt;
	struct sums s = sum_workers(r);
	size_t n = 0, len = sizeof buf;
	n = append(buf, len, n,
		   "{\"result\":\"%s\",\"version\":%d,\"case\":\"%s\",\"variant\":\"%s\","
		   "\"arch\":\"%s\",\"atomics\":\"%s\",\"seed\":%llu,\"threads\":%d,\"source\":\"%s\",",
		   PROTOCOL_RESULT_NAME, PROTOCOL_RESULT_VERSION, protocol_case_names[op->kase], sigprof_variant_name(op->variant), PROFTORTURE_ARCH,
		   atomic_emul_config_name(op->atomics), (unsigned long long)op->seed, op->threads,
		   protocol_source_names[op->source]);
	if (op->rate)
		n = append(buf, len, n, "\"rate\":%ld,", op->rate);
	else
		n = append(buf, len, n, "\"rate\":\"max\",");
	if (op->probe)
		n = append(buf, len, n, "\"probe\":true,");
	n = append(buf, len, n, "\"mix\":\"%d:%d\",\"duration_s\":%.3f,\"elapsed_s\":%.3f,\"outcome\":\"%s\",",
		   op->atomic_ops, op->plain_ops, op->duration, run_clock(), outcome_name(o));
	if (o != OUT_PASS && o != OUT_VACUOUS && __atomic_load_n(&r->failed, __ATOMIC_ACQUIRE))
		n = append(buf, len, n, "\"first_failure_s\":%.3f,", r->first_failure);
	else
		n = append(buf, len, n, "\"first_failure_s\":null,");
	n = append(buf, len, n,
		   "\"counters\":{\"sent\":%u,\"handled\":%llu,\"in_atomic\":%llu,\"lost_atomic\":%llu,"
		   "\"recorded\":%llu,\"too_late\":%llu,\"ignored\":%llu,\"flushes\":%llu,"
		   "\"iterations\":%llu,\"samples\":%llu,\"records\":%llu,\"overflow\":%llu,"
		   "\"lost_atomic_read\":%llu,\"lost_extra_read\":%llu,\"residue\":%llu,"
		   "\"sessions\":%u},\"racy_delta\":%lld,",
		   op->source == SOURCE_CANNON ? peek(&r->sent) : 0, (unsigned long long)s.handled,
		   (unsigned long long)s.in_atomic, (unsigned long long)s.lost_atomic,
		   (unsigned long long)s.recorded, (unsigned long long)s.too_late,
		   (unsigned long long)s.ignored, (unsigned long long)s.flushes,
		   (unsigned long long)s.iterations, (unsigned long long)r->totals.samples,
		   (unsigned long long)r->totals.records, (unsigned long long)r->totals.overflow,
		   (unsigned long long)r->totals.lost_atomic, (unsigned long long)r->totals.lost_external,
		   (unsigned long long)residue_lost_atomic, peek(&r->session), (long long)racy_delta);
	n = append(buf, len, n, "\"corruptions\":{");
	bool first = true;
	for (int k = 0; k < NKINDS; k++) {
		if (!r->corruptions[k])
			continue;
		n = append(buf, len, n, "%s\"%s\":%u", first ? "" : ",", protocol_corruption_names[k],
			   r->corruptions[k]);
		first = false;
	}
	n = append(buf, len, n, "},\"detail\":\"");
	/* JSON-escape the detail text. */
	for (const char *d = r->detail; *d && n + 8 < len; d++) {
		unsigned char c = (unsigned char)*d;
		if (c == '"' || c == '\\')
			n = append(buf, len, n, "\\%c", c);
		else if (c < 0x20)
			n = append(buf, len, n, "\\u%04x", c);
		else
			buf[n++] = (char)c;
	}
	if (n + 3 >= len)
		n = len - 4;
	n = append(buf, len, n, "\"}\n");
	for (size_t off = 0; off < n;) {
		ssize_t k = write(fd, buf + off, n - off);
		if (k <= 0)
			break;
		off += (size_t)k;
	}
}

/* ---- sessions ---- */

static size_t log_words(enum case_id c)
{
	return c == CASE_OVERFLOW ? 1 << 9 : c == CASE_PROFILE_STOP ? 1 << 12 : CPUPROF_LOG_WORDS;
}

static size_t log_tags(enum case_id c)
{
	return c == CASE_OVERFLOW ? 1 << 5 : c == CASE_PROFILE_STOP ? 1 << 9 : CPUPROF_LOG_TAGS;
}

/* A new log for a session. Outside atomic-deadlock, a later session's log
 * must keep the first one's property: no index word on a spinlock the
 * workers hammer (otherwise profile-stop would turn into atomic-deadlock on
 * its second session). Logs that collide are held until a good one comes,
 * so malloc cannot hand the same address back, then freed. */
static struct profbuf *new_log(struct run *r)
{
	struct profbuf *rejected[64];
	int nrejected = 0;
	struct profbuf *log;
	for (;;) {
		log = profbuf_new(1, log_words(r->opt.kase), log_tags(r->opt.kase));
		if (!log || r->ntargets == 0 || r->opt.kase == CASE_ATOMIC_DEADLOCK ||
		    !log_shares_a_lock_with_targets(r, log) || nrejected == 64 ||
		    atomic_emul_lock_count() == 1)
			break;
		rejected[nrejected++] = log;
	}
	while (nrejected > 0)
		profbuf_free(rejected[--nrejected]);
	return log;
}

static int start_session(struct run *r)
{
	if (r->nlogs >= MAX_SESSIONS)
		return -1;
	struct profbuf *log = new_log(r);
	if (!log || cpuprof_start_log(&r->prof, PROFILE_HZ, log) != 0) {
		fprintf(stderr, "stress: cpuprof_start: %s\n", strerror(errno));
		return -1;
	}
	r->logs[r->nlogs++] = r->prof.log;
	__atomic_store_n(&r->session, (uint32_t)r->nlogs, __ATOMIC_RELEASE);
	return 0;
}

static void sleep_noting_progress(double seconds)
{
	struct timespec ms = { 0, 2 * 1000 * 1000 };
	double end = run_clock() + seconds;
	while (run_clock() < end) {
		nanosleep(&ms, NULL);
		watchdog_progress_note();
	}
}

/* Go's SetCPUProfileRate(0), then wait for profileWriter to see eof, then
 * readProfile's "cpuprof.log = nil". The log itself stays in r->logs. */
static void end_session(struct run *r)
{
	cpuprof_stop(&r->prof);
	while (peek(&r->reader_done_session) < peek(&r->session))
		sleep_noting_progress(0.001);
	(void)cpuprof_detach_log(&r->prof); /* kept in r->logs */
}

/* Writes that reached a log after its reader saw eof: Go's #24991 write
 * after close. Only the unlocked flush can do it. */
static void check_writes_after_close(struct run *r)
{
	for (int k = 0; k < r->nlogs; k++) {
		if (!r->eof_seen[k])
			continue; /* the reader stopped at a failure: w moved on legitimately */
		struct profbuf_raw raw;
		profbuf_raw(r->logs[k], &raw);
		uint64_t w = atomic_emul_load64(raw.w);
		if ((w & ~(3ull << 32)) != (r->w_at_eof[k] & ~(3ull << 32)))
			record_failure(r, K_WRITE_AFTER_CLOSE,
				       "session %d: w moved from %#llx to %#llx after eof", k + 1,
				       (unsigned long long)r->w_at_eof[k], (unsigned long long)w);
	}
}

/* ---- judging ---- */

static bool racy_variant(enum sigprof_variant v)
{
	return v != SIGPROF_EXACT;
}

/*
 * Conservation. Per signal, the handler knows the fate (recorded, lost in an
 * atomic, ...). Per record, the reader knows what arrived. Overflow drops
 * whole records, samples or lost-atomic records alike, and counts them:
 *   dropped_samples      = recorded - samples_read,  0 <= it <= overflow
 *   dropped_lost_records = overflow - dropped_samples
 * Samples are judged for every variant. Lost-atomic counts (read, plus what
 * was never flushed) are judged only for exact: equal to the signals lost in
 * atomics when no lost record was dropped, never more otherwise. Go's
 * variants keep a racy counter ("updated racily"): an increment can be lost,
 * and a stale increment can also overwrite a flush's reset and count the same
 * signals twice, so there the difference is reported (racy_delta), not judged.
 */
static enum outcome judge(struct run *r)
{
	if (__atomic_load_n(&r->failed, __ATOMIC_ACQUIRE))
		return OUT_CORRUPT;
	struct sums s = sum_workers(r);
	if (r->opt.probe) /* nothing was profiled: only whether signals came */
		return s.handled >= 100 ? OUT_PASS : OUT_VACUOUS;
	const struct cpuprof_totals *t = &r->totals;
	uint64_t lost_seen = t->lost_atomic + residue_lost_atomic;
	racy_delta = (int64_t)lost_seen - (int64_t)s.lost_atomic;

	if (t->samples > s.recorded || s.recorded - t->samples > t->overflow) {
		snprintf(r->detail, sizeof r->detail,
			 "conservation: %llu samples recorded, %llu read, %llu records dropped by overflow",
			 (unsigned long long)s.recorded, (unsigned long long)t->samples,
			 (unsigned long long)t->overflow);
		r->first_failure = run_clock();
		return OUT_DRIFT;
	}
	uint64_t dropped_lost_records = t->overflow - (s.recorded - t->samples);
	if (!racy_variant(r->opt.variant) &&
	    (dropped_lost_records == 0 ? lost_seen != s.lost_atomic : lost_seen > s.lost_atomic)) {
		snprintf(r->detail, sizeof r->detail,
			 "conservation: %llu signals lost in atomics, %llu accounted (%llu read, %llu unflushed)",
			 (unsigned long long)s.lost_atomic, (unsigned long long)lost_seen,
			 (unsigned long long)t->lost_atomic, (unsigned long long)residue_lost_atomic);
		r->first_failure = run_clock();
		return OUT_DRIFT;
	}

	/* Evidence that something was exercised (rcutorture's tfle). */
	bool atomic_case = r->opt.kase != CASE_OVERFLOW;
	if (s.handled < 100 || (atomic_case && s.in_atomic < 10) ||
	    (r->opt.variant == SIGPROF_UNLOCKED_FLUSH && atomic_case && s.flushes == 0) ||
	    (r->opt.kase == CASE_OVERFLOW && t->overflow == 0)) {
		snprintf(r->detail, sizeof r->detail,
			 "vacuous: %llu signals handled, %llu inside atomics, %llu unlocked flushes, "
			 "%llu overflowed records",
			 (unsigned long long)s.handled, (unsigned long long)s.in_atomic,
			 (unsigned long long)s.flushes, (unsigned long long)t->overflow);
		return OUT_VACUOUS;
	}
	return OUT_PASS;
}

static int run_case(struct run *r)
{
	sigset_t prof;
	sigemptyset(&prof);
	sigaddset(&prof, SIGPROF);
	pthread_sigmask(SIG_BLOCK, &prof, NULL); /* inherited by every thread but workers */

	if (start_session(r) != 0)
		return -1;
	workers_choose_targets(r, r->prof.log);
	if (reader_start(r) || watchdog_start(r) || workers_start(r))
		return -1;
	if (source_start(r) != 0) {
		fprintf(stderr, "stress: cannot start the %s source: %s\n", protocol_source_names[r->opt.source],
			strerror(errno));
		return -1;
	}

	double session_len = r->opt.kase == CASE_PROFILE_STOP ? r->opt.duration / 25 : r->opt.duration;
	double session_start = run_clock();
	while (run_clock() < r->opt.duration) {
		if (!r->opt.keep_going && __atomic_load_n(&r->failed, __ATOMIC_ACQUIRE))
			break;
		sleep_noting_progress(0.005);
		if (r->opt.kase == CASE_PROFILE_STOP && run_clock() - session_start >= session_len &&
		    r->nlogs < MAX_SESSIONS) {
			end_session(r); /* signals keep flying: that is the case */
			if (start_session(r) != 0)
				return -1;
			session_start = run_clock();
		}
	}
	source_stop(r);
	watchdog_progress_note();
	workers_stop(r);
	end_session(r);
	reader_join(r);
	watchdog_progress_note();

	residue_lost_atomic = r->prof.lost_atomic + r->prof.lost_atomic_exact +
			      sigprof_take_unflushed_lost_atomic64();
	check_writes_after_close(r);
	return 0;
}

int main(int argc, char **argv)
{
	struct run *r = &run_storage;
	parse_options(argc, argv, &r->opt);
	the_run = r;
	r->t0 = 0;
	r->t0 = run_clock();

	if (atomic_emul_configure(r->opt.atomics) != 0) {
		snprintf(r->detail, sizeof r->detail, "--atomics %s is not available on %s (here: %s)",
			 atomic_emul_config_name(r->opt.atomics), PROFTORTURE_ARCH,
			 atomic_emul_supported_names());
		fprintf(stderr, "stress: %s\n", r->detail);
		print_result_line(r, OUT_UNSUPPORTED, 1);
		return outcome_exit_status(OUT_UNSUPPORTED);
	}
	if (run_case(r) != 0) {
		snprintf(r->detail, sizeof r->detail, "setup failed: see stderr");
		print_result_line(r, OUT_ERROR, 1);
		return outcome_exit_status(OUT_ERROR);
	}
	enum outcome o = judge(r);
	print_result_line(r, o, 1);
	for (int k = 0; k < r->nlogs; k++)
		profbuf_free(r->logs[k]);
	return outcome_exit_status(o);
}
