/*
 * libFuzzer target: the runner's judgement of one child run (the jansson
 * result-line reader and the classifier) over arbitrary stdout, stderr and
 * exit status. It must never crash, must never call a run a pass unless the
 * child exited 0 and printed a result line whose outcome is pass, and a
 * line it accepts says an outcome a child may report, in printable text.
 *
 * Input: [end kind][code] then stdout and stderr split at the first 0xff.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	if (n < 2)
		return 0;
	struct run_end end = { (enum end_kind)(in[0] % 4), in[1], in[0] & 0x80 };
	in += 2;
	n -= 2;
	const uint8_t *split = memchr(in, 0xff, n);
	size_t out_len = split ? (size_t)(split - in) : n;
	/* own copies, so ASan sees reads past the end of each stream */
	char *out = malloc(out_len ? out_len : 1), *err = malloc(n - out_len + 1);
	if (!out || !err)
		abort();
	memcpy(out, in, out_len);
	size_t err_len = split ? n - out_len - 1 : 0;
	memcpy(err, split ? split + 1 : in, err_len);

	struct run_output o = { out, NULL, out_len, 0, err, NULL, err_len, 0 };
	struct run_request req = { NULL, NULL, NULL, 0, false };
	struct classification c;
	classify_run(&end, &o, &req, &c);
	if (c.outcome == OUT_PASS && !(end.kind == END_EXITED && end.code == 0 && c.has_result))
		abort();

	struct result_line rl;
	char why[128];
	if (result_line_parse(out, out_len, &rl, why, sizeof why) == 0) {
		if (!outcome_child_may_report(rl.outcome))
			abort();
		for (const char *p = rl.detail; *p; p++)
			if (*p != '\n' && *p != '\t' && (*p < 0x20 || *p >= 0x7f))
				abort();
	}
	free(out);
	free(err);
	return 0;
}
