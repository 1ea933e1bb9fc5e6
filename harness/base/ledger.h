/*
 * ledger — every result the runner could not record, counted in one
 * place. A run, `merge`, `stress` or `report` writes its files through
 * ledger_write (and checks its stdout with ledger_check_stream), which
 * counts each loss and warns of it on stderr; at the end ledger_finish
 * prints the one LOST line and turns the exit status into PROTOCOL_RUNNER_EXIT_LOST
 * (cli.h), so a lost write never leaves SUCCESS with exit status 0.
 *
 * Two kinds of loss:
 *   artifact  one of many per-run files (runs/<run>.log and .sh, stress's
 *             failure files): the first LEDGER_NAMED are named in a
 *             warning, the rest only counted
 *   document  a summary or report (summary.json, report.html, --json,
 *             --junit, --markdown, stdout when it carries the table, TAP
 *             or JSON): always named
 *
 * The LOST line, on stderr, one line, made to be read by people and by
 * scripts (the items comma-separated; the distinct errors in brackets):
 *   LOST: 37 artifacts not written, summary.json not written (No space left on device); results incomplete
 * A document in the directory given to ledger_start is named relative to
 * it; any other by its path as given.
 *
 * Single-threaded, like the runner; one ledger per process.
 */
#ifndef HARNESS_LEDGER_H
#define HARNESS_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum ledger_kind { LEDGER_ARTIFACT, LEDGER_DOCUMENT };
#define LEDGER_NAMED 5 /* artifacts named in a warning; the rest are counted */

/* cmd names the messages ("proftorture <cmd>: ..."); dir, or NULL, is the
 * out directory whose documents are named relative to it. */
void ledger_start(const char *cmd, const char *dir);

/* One loss of path, errno err: counted, and warned of on stderr. */
void ledger_lost(enum ledger_kind kind, const char *path, int err);

/* ut_write_file (util.h: atomic, checked) with a failure counted as a
 * loss. Artifacts are not fsync'd (many, and each rebuildable by its
 * replay script); documents are. 0 or -1 with errno. */
int ledger_write(enum ledger_kind kind, const char *path, const char *data, size_t n, bool exec);

/* Flushes f and checks its error flag: a stream that failed (a full disk
 * under stdout, /dev/full) is a lost document called name. 0 or -1. */
int ledger_check_stream(FILE *f, const char *name);

/* Writes n bytes of text to f and flushes it, as ledger_check_stream. */
int ledger_put(FILE *f, const char *name, const char *text, size_t n);

/* How many losses so far (artifacts + documents). */
size_t ledger_count(void);

/* The line above, into b (empty when nothing was lost). */
struct sbuf;
void ledger_line(struct sbuf *b);

/* The end of a command: checks stdout (ledger_check_stream), prints the
 * LOST line on stderr when anything was lost, and returns the exit
 * status: PROTOCOL_RUNNER_EXIT_LOST in place of 0 or 1; rc itself when nothing was
 * lost, and for a usage error (2) or an interruption (128+N), which
 * already say the results are incomplete. */
int ledger_finish(int rc);

/* Forgets everything (for the unit tests). */
void ledger_reset(void);

#endif
