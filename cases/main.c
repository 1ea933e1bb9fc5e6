/*
 * torture — one run of one case, one result line.
 *
 * main reads the options (options.c), starts the threads (torture.h,
 * "Threads of one run"), runs the profiling sessions, stops everything,
 * has the run judged (judge.c) and prints the result line (result.c).
 * Every exit status is its outcome's, from protocol/protocol.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "profbuf.h"
#include "torture.h"

/* ---- sessions ---- */

static size_t log_words(enum case_id c)
{
	bool sessions = c == CASE_PROFILE_STOP || c == CASE_RATE_CHANGE; /* many short logs */
	return c == CASE_OVERFLOW ? 1 << 9 : sessions ? 1 << 12 : CPUPROF_LOG_WORDS;
}

static size_t log_tags(enum case_id c)
{
	bool sessions = c == CASE_PROFILE_STOP || c == CASE_RATE_CHANGE;
	return c == CASE_OVERFLOW ? 1 << 5 : sessions ? 1 << 9 : CPUPROF_LOG_TAGS;
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

/* rate-change: main, the controller, is inside cpuprof_start/stop (for the
 * watchdog's dump: a handler of main's that waits there waits for itself). */
static void note_rate_change(struct run *r, uint32_t on)
{
	if (r->opt.kase == CASE_RATE_CHANGE)
		__atomic_store_n(&r->workers[r->opt.threads].in_rate_change, on, __ATOMIC_RELAXED);
}

/* rate-change: Go's setProcessCPUProfiler(hz), which setcpuprofilerate calls
 * with prof.signalLock held: a setitimer(2) system call. Here the process
 * timer is re-armed with what it has (nothing under the cannon, the itimer
 * source's period under itimer), so the signals stay the source's; what
 * matters is Go's system call inside the section, on whose return the
 * kernel (or qemu) delivers a signal that arrived meanwhile. */
static void rearm_process_timer(int32_t hz)
{
	(void)hz;
	struct itimerval it;
	if (getitimer(ITIMER_PROF, &it) == 0)
		setitimer(ITIMER_PROF, &it, NULL);
}

/* Go's SetCPUProfileRate(hz) with a new log: 0, or -1 with why. */
static int start_session(struct run *r, char *why, size_t cap)
{
	if (r->nlogs >= MAX_SESSIONS) {
		snprintf(why, cap, "more than %d sessions", MAX_SESSIONS);
		return -1;
	}
	struct profbuf *log = new_log(r);
	note_rate_change(r, 1);
	int rc = log ? cpuprof_start_log(&r->prof, PROFILE_HZ, log) : -1;
	note_rate_change(r, 0);
	if (rc != 0) {
		snprintf(why, cap, "cpuprof_start: %s", strerror(errno));
		return -1;
	}
	r->logs[r->nlogs++] = r->prof.log;
	__atomic_store_n(&r->session, (uint32_t)r->nlogs, __ATOMIC_RELEASE);
	return 0;
}

static void sleep_noting_progress(struct run *r, double seconds)
{
	struct timespec ms = { 0, 2 * 1000 * 1000 };
	double end = run_clock() + seconds;
	while (run_clock() < end) {
		nanosleep(&ms, NULL);
		run_note_progress(r);
	}
}

/* Go's SetCPUProfileRate(0), then wait for profileWriter to see eof, then
 * readProfile's "cpuprof.log = nil". The log itself stays in r->logs. */
static void end_session(struct run *r)
{
	note_rate_change(r, 1);
	cpuprof_stop(&r->prof);
	note_rate_change(r, 0);
	while (peek(&r->reader_done_session) < peek(&r->session))
		sleep_noting_progress(r, 0.001);
	(void)cpuprof_detach_log(&r->prof); /* kept in r->logs */
}

/* Writes that reached a log after its reader saw eof: Go's #24991 write
 * after close. Only the unlocked flush can do it. */
static void check_writes_after_close(struct run *r)
{
	for (int k = 0; k < r->nlogs; k++) {
		if (!r->eof_seen[k])
			continue; /* the reader stopped at a failure: w moved on legitimately */
		uint64_t w = profbuf_write_position(r->logs[k]);
		if (w != r->w_at_eof[k])
			run_corruption(r, K_WRITE_AFTER_CLOSE,
				       "session %d: w moved from %#llx to %#llx after eof", k + 1,
				       (unsigned long long)r->w_at_eof[k], (unsigned long long)w);
	}
}

/* ---- the run ---- */

/* The first session and every thread. 0, or -1 with why. */
static int start(struct run *r, char *why, size_t cap)
{
	sigset_t prof;
	sigemptyset(&prof);
	sigaddset(&prof, SIGPROF);
	pthread_sigmask(SIG_BLOCK, &prof, NULL); /* inherited by every thread but workers */

	if (r->opt.kase == CASE_RATE_CHANGE)
		r->prof.set_process_timer = rearm_process_timer;
	if (start_session(r, why, cap) != 0)
		return -1;
	workers_choose_targets(r, r->prof.log);
	if (reader_start(r, why, cap) || watchdog_start(r, why, cap) || workers_start(r, why, cap))
		return -1;
	if (r->opt.kase == CASE_RATE_CHANGE)
		workers_adopt_controller(r); /* main takes SIGPROF from here on, as a Go thread */
	return source_start(r, why, cap);
}

/* Signals fly for --duration, or until the first failure; profile-stop
 * starts a new session every 1/25 of it, rate-change every 1/100 (each
 * start and stop is one pass through the rate-change section, on a thread
 * the signals reach). The duration counts from here,
 * once every thread runs: setup under a loaded qemu can take longer than a
 * short run, and must not eat the time the run is about. 0, or -1 with why. */
static int run_sessions(struct run *r, char *why, size_t cap)
{
	double session_len = r->opt.kase == CASE_PROFILE_STOP  ? r->opt.duration / 25
			     : r->opt.kase == CASE_RATE_CHANGE ? r->opt.duration / 100
							       : r->opt.duration;
	double session_start = run_clock(), end = session_start + r->opt.duration;
	while (run_clock() < end) {
		if (!r->opt.keep_going && run_failed(r))
			break;
		sleep_noting_progress(r, 0.005);
		if ((r->opt.kase == CASE_PROFILE_STOP || r->opt.kase == CASE_RATE_CHANGE) &&
		    run_clock() - session_start >= session_len &&
		    r->nlogs < MAX_SESSIONS) {
			end_session(r); /* signals keep flying: that is the case */
			if (start_session(r, why, cap) != 0)
				return -1;
			session_start = run_clock();
		}
	}
	return 0;
}

/* Everything stopped, in the order that lets nothing be lost: signals,
 * then workers, then the last session, then the reader; then the ledger's
 * last entries. */
static void stop(struct run *r)
{
	if (r->opt.kase == CASE_RATE_CHANGE)
		workers_release_controller();
	source_stop(r);
	run_note_progress(r);
	workers_stop(r);
	end_session(r);
	reader_join(r);
	run_note_progress(r);
	run_finish(r, sigprof_ops(r->opt.variant)->take_unflushed(&r->prof));
	check_writes_after_close(r);
	for (int k = 0; k < r->nlogs; k++) /* no writer is left to reach them */
		profbuf_free(r->logs[k]);
}

/* libatomic-deadlock is C's own _Atomic uint64_t against libatomic's
 * mutexes: under any other strategy the workers would hold spinlocks (or
 * nothing) the handler's counter never takes, and a pass would test nothing.
 * So it runs under libatomic only (its default) and says so the protocol's
 * way, as a strategy this arch cannot run is said: unsupported. */
static bool case_runs_under(const struct options *o, char *why, size_t cap)
{
	if (o->kase != CASE_LIBATOMIC_DEADLOCK || o->atomics.strategy == ATOMIC_EMUL_LIBATOMIC)
		return true;
	snprintf(why, cap, "--case %s runs only under --atomics %s (C's own _Atomic uint64_t "
			   "against libatomic's locks), not %s",
		 protocol_case_names[o->kase], protocol_strategy_names[STRATEGY_LIBATOMIC],
		 atomic_emul_config_name(o->atomics));
	return false;
}

/* Runs the case and judges it into v. */
static void run_case(struct run *r, struct verdict *v)
{
	char why[512];
	if (!case_runs_under(&r->opt, why, sizeof why)) {
		*v = (struct verdict){ .outcome = OUT_UNSUPPORTED, .first_failure = -1 };
		snprintf(v->detail, sizeof v->detail, "%s", why);
	} else if (atomic_emul_configure(r->opt.atomics) != 0) {
		*v = (struct verdict){ .outcome = OUT_UNSUPPORTED, .first_failure = -1 };
		snprintf(v->detail, sizeof v->detail, "--atomics %s is not available on %s (here: %s)",
			 atomic_emul_config_name(r->opt.atomics), PROFTORTURE_ARCH,
			 atomic_emul_supported_names());
	} else if (start(r, why, sizeof why) != 0 || run_sessions(r, why, sizeof why) != 0) {
		*v = (struct verdict){ .outcome = OUT_ERROR, .first_failure = -1 };
		snprintf(v->detail, sizeof v->detail, "setup failed: %s", why);
	} else {
		stop(r);
		struct tally t;
		run_tally(r, &t);
		judge(r, &t, v);
		return;
	}
	fprintf(stderr, "torture: %s\n", v->detail);
}

int main(int argc, char **argv)
{
	struct options o;
	options_parse(argc, argv, &o);
	struct run *r = run_init(&o);
	struct verdict v;
	run_case(r, &v);
	if (!run_claim_report(r))
		for (;;)
			pause(); /* the watchdog is reporting a deadlock and will _exit */
	result_line_write(r, &v, 1);
	return outcome_exit_status(v.outcome);
}
