/*
 * classify — what happened in one run: the reader of a torture child's
 * result line, and the rules that turn (how the process ended, its result
 * line, its output) into exactly one outcome of protocol.h.
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
 *  6. the exit status is not one the result line's outcome has in
 *     protocol.h's table (outcomes_of_exit_status), or the line is for
 *     another case/variant/seed/strategy than was asked -> error
 *  7. otherwise                                        -> the line's outcome
 * Every rule fills `why` with a one-line human reason.
 *
 * Rules 1-4 depend only on how the process ended and on QEMU's messages,
 * not on what the program is: classify_ending() applies them alone, for any
 * cell kind (cell_kind.h). Rules 5-7 are the torture protocol's.
 *
 * Stdout is searched for result lines in the captured head and tail
 * separately (the capture drops the middle of huge outputs); a line is a
 * candidate when its first non-blank byte is '{'. Other stdout lines are
 * tolerated and counted in `stray_lines` (the protocol says they belong on
 * stderr).
 *
 * The result line (result_line_parse) is read with jansson, strictly: one
 * JSON object and nothing else, no duplicate key (an ambiguous line is not
 * trusted), no NUL byte (raw or \u0000), "result" and "version" exactly
 * protocol.h's, "outcome" one a child may report, every documented key of
 * the right type: strings are strings, seconds non-negative finite
 * numbers, seed, threads, counters and corruption counts whole numbers in
 * [0, 2^63-1] (jansson's integers are signed 64-bit: a larger number makes
 * the line unparsable). Keys it does not know are ignored, so torture may add
 * some. Any violation is an error naming the key, or for a line that is not
 * JSON jansson's reason and byte offset; never a pass. Strings are copied
 * truncated to their fields and sanitised to printable ASCII.
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

/* Parses one line (no newline needed; it need not be NUL-terminated). 0,
 * or -1 with a reason in err. */
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

/* Rules 1-4 alone: true when they decide the run (c->outcome and c->why
 * set), false when the program's own report must (c untouched). */
bool classify_ending(const struct run_end *end, const struct run_output *o,
		     struct classification *c);

/* Searches [s, s+n) for a QEMU failure message (rule 3). Returns the
 * matched message or NULL. */
const char *find_emulator_failure(const char *s, size_t n);
/* Searches for "qemu: uncaught target signal N"; returns N, -1 when the
 * number is missing, or 0 when there is no such message. */
int find_uncaught_target_signal(const char *s, size_t n);

#endif
