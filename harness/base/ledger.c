/* ledger: the writes the runner could not make. Contract: ledger.h. */
#define _GNU_SOURCE
#include "ledger.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

#define MAX_ERRORS 4 /* distinct errors kept for the LOST line */

static struct {
	const char *cmd, *dir;
	size_t artifacts;
	char **documents; /* names, each once */
	size_t ndocuments;
	int errors[MAX_ERRORS];
	size_t nerrors;
} L = { .cmd = "run" };

void ledger_start(const char *cmd, const char *dir)
{
	L.cmd = cmd;
	L.dir = dir;
}

static void note_error(int err)
{
	for (size_t i = 0; i < L.nerrors; i++)
		if (L.errors[i] == err)
			return;
	if (L.nerrors < MAX_ERRORS)
		L.errors[L.nerrors++] = err;
}

/* path without "<dir>/" when it is in the out directory. */
static const char *display_name(const char *path)
{
	size_t n = L.dir ? strlen(L.dir) : 0;
	if (n && strncmp(path, L.dir, n) == 0 && path[n] == '/' && path[n + 1])
		return path + n + 1;
	return path;
}

void ledger_lost(enum ledger_kind kind, const char *path, int err)
{
	note_error(err);
	if (kind == LEDGER_DOCUMENT) {
		for (size_t i = 0; i < L.ndocuments; i++)
			if (strcmp(L.documents[i], display_name(path)) == 0)
				return; /* stdout, say, failing at the table and again at TAP */
		fprintf(stderr, "proftorture %s: cannot write %s: %s\n", L.cmd, path, strerror(err));
		L.documents = xrealloc(L.documents, (L.ndocuments + 1) * sizeof *L.documents);
		L.documents[L.ndocuments++] = xstrdup(display_name(path));
		return;
	}
	if (++L.artifacts <= LEDGER_NAMED)
		fprintf(stderr, "proftorture %s: warning: cannot write %s: %s\n", L.cmd, path,
			strerror(err));
	if (L.artifacts == LEDGER_NAMED)
		fprintf(stderr, "proftorture %s: warning: further artifacts that cannot be written "
				"are counted, not named (the LOST line at the end)\n", L.cmd);
}

int ledger_write(enum ledger_kind kind, const char *path, const char *data, size_t n, bool exec)
{
	unsigned flags = (exec ? UT_FILE_EXEC : 0) | (kind == LEDGER_ARTIFACT ? UT_FILE_NOSYNC : 0);
	if (ut_write_file(path, data, n, flags) == 0)
		return 0;
	int e = errno;
	ledger_lost(kind, path, e);
	errno = e;
	return -1;
}

/* The stream called name failed with e (EIO when stdio left none): a lost
 * document; its error flag is cleared so that a later check tells a new
 * failure. */
static int stream_lost(FILE *f, const char *name, int e)
{
	e = e ? e : EIO;
	ledger_lost(LEDGER_DOCUMENT, name, e);
	clearerr(f);
	errno = e;
	return -1;
}

int ledger_check_stream(FILE *f, const char *name)
{
	/* a write that failed before (stdio keeps only the flag) left its errno */
	int before = errno;
	if (fflush(f) == 0 && !ferror(f))
		return 0;
	return stream_lost(f, name, errno ? errno : before);
}

int ledger_put(FILE *f, const char *name, const char *text, size_t n)
{
	if (fwrite(text, 1, n, f) == n)
		return ledger_check_stream(f, name);
	return stream_lost(f, name, errno);
}

size_t ledger_count(void)
{
	return L.artifacts + L.ndocuments;
}

void ledger_line(struct sbuf *b)
{
	if (!ledger_count())
		return;
	sb_puts(b, "LOST: ");
	if (L.artifacts)
		sb_printf(b, "%zu artifact%s not written%s", L.artifacts, L.artifacts == 1 ? "" : "s",
			  L.ndocuments ? ", " : "");
	for (size_t i = 0; i < L.ndocuments; i++)
		sb_printf(b, "%s%s not written", i ? ", " : "", L.documents[i]);
	sb_puts(b, " (");
	for (size_t i = 0; i < L.nerrors; i++)
		sb_printf(b, "%s%s", i ? ", " : "", strerror(L.errors[i]));
	sb_puts(b, "); results incomplete\n");
}

int ledger_finish(int rc)
{
	ledger_check_stream(stdout, "stdout");
	if (!ledger_count())
		return rc;
	struct sbuf b = { 0 };
	ledger_line(&b);
	fputs(b.s, stderr);
	fflush(stderr);
	sb_free(&b);
	return rc == 0 || rc == 1 ? PROTOCOL_RUNNER_EXIT_LOST : rc;
}

void ledger_reset(void)
{
	for (size_t i = 0; i < L.ndocuments; i++)
		free(L.documents[i]);
	free(L.documents);
	L.documents = NULL;
	L.artifacts = L.ndocuments = L.nerrors = 0;
	L.cmd = "run";
	L.dir = NULL;
}
