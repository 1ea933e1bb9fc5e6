#!/usr/bin/env python3
"""tests/report/make_fixture.py DIR -- two summary.json the report must survive, beside a real run.

  DIR/hostile/   version 3: names, reasons, versions and a log path full of markup, quotes,
                 control bytes, '#', '%' and spaces; a cell that does not match the expected
                 table, an unsupported one and an inconclusive one; two buggy cells with
                 known failure times (one that never failed); its runs/ logs and replay
                 scripts, so the page's links have something to point at.
  DIR/old/       version 2 (no "config"), as the runner wrote before the report existed:
                 pooled with the others it must still be read (its configuration unknown).
  DIR/bench.json as `make bench` writes it, with Python's NaN for an unknown rate.

Deterministic: no clock, no randomness. The strings are what a child may print (the runner
sanitises to printable ASCII before writing summary.json, so these are already ASCII).
"""
import json, os, sys

EVIL = '<script>alert("x")</script> & \'q\' <img src=http://192.0.2.1/x.png>'

def cell(kind, arch, case, variant, atomics, expected, runs, counts, verdict, matches, skipped=False):
    return {"kind": kind, "arch": arch, "case": case, "variant": variant, "atomics": atomics,
            "expected": expected, "note": EVIL, "runs": runs, "counts": counts,
            "verdict": verdict, "matches": matches, "skipped": skipped, "text": EVIL,
            "reason": EVIL, "rate": None, "ci": None, "bound_run": None,
            "bound_near_miss": None, "near_misses": 0, "signals": 0,
            "ttff_median_s": None, "ttff_p90_s": None}

def run(ci, k, outcome, first_failure=None, log=None, in_atomic=0, why=None):
    return {"cell": ci, "k": k, "seed": 100 + k, "outcome": outcome,
            "why": why if why is not None else "%s: %s at 0x%x" % (outcome, EVIL, 4096 + k),
            "exit": "exit 1" if outcome != "pass" else "exit 0", "wall_s": 0.5,
            "elapsed_s": 0.4, "first_failure_s": first_failure, "handled": 5000,
            "in_atomic": in_atomic, "corruptions": "", "log": log}

def write_run_files(d, log):
    path = os.path.join(d, log)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("# a kept output with %s\n" % EVIL)
    with open(path[:-4] + ".sh", "w") as f:
        f.write("#!/bin/sh\necho replay\n")
    os.chmod(path[:-4] + ".sh", 0o755)

def hostile(d):
    arch = 'evil<b>"arch'
    cells = [
        cell("torture", arch, "lost-atomic", "unlocked-flush", "global", "corrupt|drift", 4, {}, "reproduced", True),
        cell("torture", arch, "lost-atomic", 'exact<i>', "global", "pass", 4, {}, "reproduced", False),
        cell("torture", arch, "lost-atomic", "locked-flush", "global", "pass", 2, {}, "unsupported", False, True),
        cell("torture", arch, "atomic-deadlock", "unchecked", "global", "deadlock", 3, {}, "clean", False),
        cell("torture", arch, "atomic-deadlock", "exact", "global", "pass", 3, {}, "inconclusive", False),
        cell("torture", arch, "atomic-deadlock", "locked-flush", "global", "pass", 3, {}, "clean", True),
    ]
    logs = ["runs/evil #1 100%.log", "runs/evil-k2.log", "runs/exact \"q\".log"]
    runs = [run(0, 0, "corrupt", 0.012, logs[0]), run(0, 1, "pass"), run(0, 2, "drift", 0.2, logs[1]),
            run(0, 3, "corrupt", None, None),
            run(1, 0, "corrupt", 0.05, logs[2]), run(1, 1, "pass"), run(1, 2, "pass"), run(1, 3, "pass"),
            run(2, 0, "unsupported"), run(2, 1, "unsupported"),
            run(3, 0, "pass", in_atomic=10), run(3, 1, "pass", in_atomic=20), run(3, 2, "pass", in_atomic=30),
            run(4, 0, "error"), run(4, 1, "error"), run(4, 2, "pass", in_atomic=5),
            run(5, 0, "pass", in_atomic=1200), run(5, 1, "pass", in_atomic=1500), run(5, 2, "pass", in_atomic=900)]
    doc = {"runner": "proftorture", "version": 3, "command": "run", "shard": None, "base_seed": 100,
           "run_duration_s": 0.5, "runs_per_cell": 3, "interrupted": False, "matched": False,
           "elapsed_s": 9.5,
           "config": {"commit": "<b>not-a-commit</b>", "tree": "modified", "command_line": EVIL,
                      "started": "2026-11-28T10:00:00Z", "host": EVIL,
                      "arches": [{"arch": arch, "emulator": EVIL, "compiler": None}]},
           "cells": cells, "runs": runs}
    for log in logs:
        write_run_files(d, log)
    return doc

def old(d):
    # an older summary: version 2, and "stress", the torture kind's old name
    cells = [cell("stress", "oldarch", "lost-atomic", "unlocked-flush", "global", "corrupt|drift", 2, {}, "reproduced", True)]
    runs = [run(0, 0, "corrupt", 0.3, None, why="corrupt: bad-tag"), run(0, 1, "corrupt", 0.6, None, why="corrupt: bad-tag")]
    return {"runner": "proftorture", "version": 2, "command": "run", "shard": None, "base_seed": 100,
            "run_duration_s": 1, "runs_per_cell": 2, "interrupted": False, "matched": True,
            "elapsed_s": 2, "cells": cells, "runs": runs}

def bench():
    """Shaped as ci/bench writes it (json.dump of Python floats: an unknown is NaN)."""
    rows = [("native", "global", 68036, 51340), ("armel", "striped-kuser", 48327, 37512),
            ("mips", "global", 56290, float("nan"))]
    return {"bench": "proftorture", "quick": True, "results": [
        {"arch": a, "atomics": s, "ceiling_per_s": c, "stress_per_s": r,
         "stress_to_ceiling": r / c, "first_failure_median_s": 0.05} for a, s, c, r in rows]}

def main():
    top = sys.argv[1]
    for name, make in (("hostile", hostile), ("old", old)):
        d = os.path.join(top, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "summary.json"), "w") as f:
            json.dump(make(d), f)
    with open(os.path.join(top, "bench.json"), "w") as f:
        json.dump(bench(), f, indent=1)

if __name__ == "__main__":
    main()
