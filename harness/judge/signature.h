/*
 * signature — a failing run's output reduced to a short, stable string that
 * names the failure, so that failures can be grouped and counted
 * (`proftorture stress`), as one would with
 * `grep fatal go-stress-* | sort | uniq -c`.
 *
 * A signature is "<how the run ended>: <line>".
 *
 * How it ended: "exit status N", "signal N", "could not start", or for a
 * run stopped by its timeout "timeout" (killed at once), "timeout (printed
 * on SIGQUIT)" or "timeout (silent on SIGQUIT)" (the kill signal was sent
 * first; did the program print anything after it?). A silent one says
 * where its threads were when that is known: "timeout (silent on SIGQUIT;
 * N threads spinning)", under qemu with the guest function they are in,
 * "... N of N threads spinning in sched_yield)" (threads.h), so a livelock
 * groups apart from a deadlock, and --failure/--ignore can select by it.
 * The summary's counts become N (how many threads a runtime had varies
 * from run to run); the failure file keeps them.
 *
 * The line, the first rule that finds one:
 *   1. the first line matching the user's regex (--signature, else
 *      --failure), when one is given;
 *   2. the first line that looks like the failure itself, from the list of
 *      failure lines below (sig_failure_lines); lines of the second tier
 *      (a test framework's verdict, e.g. Go's "--- FAIL: TestX") only when
 *      no line of the first tier is there;
 *   3. the last non-empty line.
 * For a timeout only the output printed before the kill signal is searched:
 * what follows is the program's answer to our signal (a goroutine dump, a
 * "qemu: uncaught target signal 3"), not the failure.
 *
 * The line is then normalised:
 *   0x<hex>                      -> 0x?
 *   a hex run of >= 8 characters with a digit (ids, hashes) -> ID
 *   decimal numbers (with fraction) -> N
 *   whitespace runs -> one space; bytes outside printable ASCII -> '?'
 * and cut to SIG_MAX-1 bytes.
 *
 * Pure functions over the text (NUL bytes read as '?'); the compiled list is
 * built on first use and kept: single-threaded, as the runner is.
 */
#ifndef HARNESS_SIGNATURE_H
#define HARNESS_SIGNATURE_H

#include <regex.h>
#include <stddef.h>

#define SIG_MAX 160
/* A whole signature: how it ended, ": ", the line. */
#define SIG_FULL_MAX (SIG_MAX + 160)

/* One entry of the documented list of failure lines (POSIX ERE). */
struct sig_failure_line {
	const char *what;    /* e.g. "Go runtime crash" */
	const char *pattern; /* matched against each line */
	int tier;            /* 1: the failure itself; 2: a verdict about it */
};

/* The list, in the order docs/stress.md documents it; *n is its length. */
const struct sig_failure_line *sig_failure_lines(size_t *n);

/* How a run ended, as far as its signature is concerned. */
enum sig_end_kind { SIG_END_EXIT, SIG_END_SIGNAL, SIG_END_TIMEOUT, SIG_END_NOT_STARTED };

struct sig_end {
	enum sig_end_kind kind;
	int code;         /* EXIT: the status; SIGNAL: the signal number */
	int kill_signal;  /* TIMEOUT: the signal sent first, 0 when SIGKILL at once */
	size_t kill_at;   /* TIMEOUT: bytes of text printed before kill_signal was sent */
	const char *where; /* TIMEOUT: where the threads were (threads.h's summary,
			    * "4 threads spinning"), or NULL */
};

/* The signature of a failing run whose combined output is text[0..len)
 * (NULs allowed) into out (at least SIG_FULL_MAX bytes). user may be NULL. */
void sig_of_run(const char *text, size_t len, const struct sig_end *end, const regex_t *user,
		char *out, size_t cap);

/* The chosen line alone, normalised (rules 1-3 over text[0..len)); "" when
 * the text has no non-empty line. */
void sig_pick_line(const char *text, size_t len, const regex_t *user, char *out, size_t cap);
/* Only a failure line (rules 1-2, no user regex): copies it normalised and
 * returns its tier (1 or 2), or returns 0 (out = "") when the text has none. */
int sig_pick_failure_line(const char *text, size_t len, char *out, size_t cap);
/* The same, under its first name (callers written before the list). */
void sig_from_output(const char *text, size_t len, const regex_t *failure, char *out, size_t cap);

void sig_normalize(const char *line, size_t len, char *out, size_t cap);

/* regexec over text that may hold NULs, line by line. Returns 1 on a match. */
int sig_regex_matches(const regex_t *re, const char *text, size_t len);

#endif
