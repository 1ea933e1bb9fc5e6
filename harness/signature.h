/*
 * signature — a failing run's output reduced to a short, stable string so
 * that failures can be grouped and counted (`proftorture stress`), as one
 * would with `grep fatal go-stress-* | sort | uniq -c`.
 *
 * The line: the first line matching the --failure regex when one is given,
 * else the first line carrying rcutorture's "!!!" marker (the stress child
 * marks its failures so), else the last non-empty line of the output. It is then normalised:
 *   0x<hex>                      -> 0x?
 *   a hex run of >= 8 characters with a digit (ids, hashes) -> ID
 *   decimal numbers (with fraction) -> N
 *   whitespace runs -> one space; bytes outside printable ASCII -> '?'
 * and cut to SIG_MAX-1 bytes. The caller prefixes how the run ended.
 */
#ifndef HARNESS_SIGNATURE_H
#define HARNESS_SIGNATURE_H

#include <regex.h>
#include <stddef.h>

#define SIG_MAX 160

void sig_normalize(const char *line, size_t len, char *out, size_t cap);
/* Picks the line (see above) from text[0..len) and normalises it into out.
 * out is "" when the output has no non-empty line. */
void sig_from_output(const char *text, size_t len, const regex_t *failure, char *out, size_t cap);
/* regexec over text that may hold NULs: matches line by line (REG_NEWLINE
 * semantics are the caller's choice at regcomp). Returns 1 on a match. */
int sig_regex_matches(const regex_t *re, const char *text, size_t len);

#endif
