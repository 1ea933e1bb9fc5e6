/*
 * classify — what happened in one run: the outcome vocabulary, the parser
 * for a stress child's result line, and the rules that turn (how the process
 * ended, its result line, its output) into exactly one outcome.
 *
 * The rules, first match wins (classify_run):
 *  1. the harness killed it at its deadline            -> timeout
 *  2. it never started (exec failed)                   -> error
 *  3. under an emulator, output names a QEMU failure   -> emulator-error
 *     (QEMU internal SIGSEGV / qemu: unhandled CPU exception /
 *      handle_cpu_signal received signal outside vCPU context /
 *      qemu: Unsupported syscall). "qemu: uncaught target signal N" is NOT
 *     one: that is QEMU reporting the guest program's own death (rule 4).
 *  4. killed by a signal, or QEMU says "uncaught target signal" -> crash
 *  5. no result line, several result lines, or one that does not parse
 *                                                      -> error (never pass)
 *  6. the exit status is not the one the result line's outcome implies
 *     (protocol.h's table: outcome_exit_status), or the line is for
 *     another case/variant/seed/
 *     strategy than was asked                         -> error
 *  7. otherwise                                        -> the line's outcome
 * Every rule fills `why` with a one-line human reason.
 *
 * Stdout is searched for result lines in the captured head and tail
 * separately (the capture drops the middle of huge outputs); a line is a
 * candidate when its first non-blank byte is '{'. Other stdout lines are
 * tolerated and counted in `stray_lines` (the protocol says they belong on
 * stderr).
 */
#ifndef HARNESS_CLASSIFY_H
#define HARNESS_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expected.h"
#include "protocol.h"

/* The outcomes, their exit statuses and the counters are protocol.h's;
 * outcome sets are expected.h's. */

struct result_line {
	char case_name[32], variant[32], arch[32], atomics[32], source[32], rate[16];
	enum outcome outcome;
	uint64_t seed, threads;
	bool has_seed, has_atomics, has_arch;
	double duration_s, elapsed_s;
	double first_failure_s; /* NaN when null or absent */
	uint64_t counters[CTR_COUNT];
	bool has_counter[CTR_COUNT];
	uint64_t corruptions_total;
	char corruptions[160]; /* "kind:n,kind:n" (sanitised, truncated) */
	char detail[256];      /* sanitised, truncated */
};

/* Parses one line (no newline needed). 0, or -1 with a reason in err. */
int result_line_parse(const char *line, size_t len, struct result_line *out, char *err,
		      size_t errlen);

/* How the process ended. */
enum end_kind { END_EXITED, END_SIGNALED, END_TIMED_OUT, END_SPAWN_FAILED };

struct run_end {
	enum end_kind kind;
	int code;  /* exit status, signal number, or errno for SPAWN_FAILED */
	bool emulated;
};

/* What was asked of the child, for rule 6. NULL/unset fields are not checked. */
struct run_request {
	const char *case_name, *variant, *atomics;
	uint64_t seed;
	bool check_seed;
};

/* Output segments as captured (head and tail of each stream; the tails may
 * be NULL/0 when nothing was dropped). */
struct run_output {
	const char *out_head, *out_tail;
	size_t out_head_len, out_tail_len;
	const char *err_head, *err_tail;
	size_t err_head_len, err_tail_len;
};

struct classification {
	enum outcome outcome;
	bool has_result;
	struct result_line result;
	unsigned stray_lines;
	char why[320];
};

void classify_run(const struct run_end *end, const struct run_output *o,
		  const struct run_request *req, struct classification *c);


/* Searches [s, s+n) for a QEMU failure message (rule 3). Returns the
 * matched message or NULL. */
const char *find_emulator_failure(const char *s, size_t n);
/* Searches for "qemu: uncaught target signal N"; returns N or 0. */
int find_uncaught_target_signal(const char *s, size_t n);

#endif
