/*
 * kind_command — the "command" cell kind: the run sets of `proftorture
 * stress` (any command, on an arch; with --baseline, one build of two), as
 * its --out records them, so that summary.json, report.html, JUnit and TAP
 * are the run report's own (report.h, report_html.h), and `proftorture
 * report` and `merge` read the record back.
 *
 * Its cells are not planned or run by the pipeline: `stress` runs them
 * (stress_run.c) and fills the matrix itself, so plan_arch, argv and
 * classify are NULL and `run --kind` does not offer it (run_cmd.c). The
 * slots: program (the command's name), build ("run", or "baseline" and
 * "new"), and an unused third. It is a user's program (user_program):
 * the report plots a time-to-failure curve for every cell that failed,
 * and a clean cell's exposure as the signals its program reported
 * handled.
 */
#include "cell_kind.h"

const struct cell_kind command_kind = {
	.name = "command",
	.slot_names = { "program", "build", "-" },
	.user_program = true,
};
