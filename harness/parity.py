#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The kernel's mm selftests on patched kernels against the unpatched one.

usage: parity.py record LOG --key KEY --arch NAME --kernel VERSION > FILE
       parity.py compare --base FILE --arch NAME LABEL=LOG [LABEL=LOG ...]

tests/guest/mm_selftests.c prints one record per selftest run:
"# mm_selftest: NAME MODE VERDICT" and "# mm_selftest_case: NAME MODE CASE"
for each case the run reported as failed.  MODE is on or off (a pte_ref
kernel runs each selftest with freeing on, then off) or once (a kernel
with no switch: unpatched, or CONFIG_FREE_USER_PTE=n).

record keeps an unpatched (base) boot's records, with the key of what they
depend on, as tests/mm-selftests/base/<arch>.results does.

compare checks each patched run against the base run of the same
selftest.  A patched run fails when:
  - it fails (exit status, signal, timeout) where base did not fail, or
    fails another way than base did (another exit status, a signal);
  - it names a failed case that base did not name (or more often);
  - it fails naming no case where base named some;
  - it skips where base ran, or did not run where base did;
  - a selftest base ran has no record in its log (it never ran), or it
    ran a selftest base has no record of (the base results are stale).
Base failures that a patched run shares are 6.12's own and pass.
"""
import argparse
import re
import sys
from dataclasses import dataclass, field
from collections import Counter
from typing import Dict, List, Tuple

RECORD = re.compile(r"#\s*mm_selftest: (\S+) (\S+) (\S+)\s*$")
CASE = re.compile(r"#\s*mm_selftest_case: (\S+) (\S+) (.*?)\s*$")
TIMESTAMP = re.compile(r"^\[\s*\d+\.\d+\]\s?")
COLOUR = re.compile(r"\x1b\[[0-9;]*m")
PASSING = ("pass", "skip", "not-run")


@dataclass
class Run:
    verdict: str
    cases: List[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.verdict not in PASSING


def read_records(lines: List[str]) -> Dict[Tuple[str, str], Run]:
    """(selftest, mode) -> its run, from a serial log or a results file."""
    runs: Dict[Tuple[str, str], Run] = {}
    for raw in lines:
        line = COLOUR.sub("", TIMESTAMP.sub("", raw.rstrip("\r\n"))).strip()
        m = RECORD.search(line)
        if m:
            runs[(m.group(1), m.group(2))] = Run(m.group(3))
            continue
        m = CASE.search(line)
        if m and (m.group(1), m.group(2)) in runs:
            runs[(m.group(1), m.group(2))].cases.append(m.group(3))
    return runs


def judge(base: Run, run: Run) -> str:
    """Empty if @run is as good as @base, else why not."""
    if run.verdict == "not-run":
        return "" if base.verdict == "not-run" else "not run, base ran it"
    if base.verdict == "not-run":
        return f"{run.verdict}, base did not run it"
    if run.verdict == "skip":
        return "" if base.verdict == "skip" else f"skipped, base: {base.verdict}"
    if not run.failed:
        return ""
    if not base.failed:
        return f"{run.verdict}, base: {base.verdict}"
    if run.verdict != base.verdict:
        return f"{run.verdict}, base: {base.verdict}"
    new = sorted((Counter(run.cases) - Counter(base.cases)).elements())
    if new:
        return "failed cases base passed: " + "; ".join(new[:5])
    if base.cases and not run.cases:
        return f"{run.verdict} naming no case, base named {len(base.cases)}"
    return ""


def heads_of(columns, modes_of) -> List[str]:
    return ["base"] + [f"{label} {m}" for label, _ in columns
                       for m in modes_of[label]]


def record(args: argparse.Namespace) -> int:
    with open(args.log, errors="replace") as f:
        runs = read_records(f.readlines())
    if not runs:
        print(f"parity: {args.log} has no mm_selftest records "
              "(the selftests did not run)", file=sys.stderr)
        return 1
    out = [f"# The kernel's mm selftests on unpatched Linux {args.kernel}, "
           f"{args.arch}, fast flavour,",
           "# one run each (tests/parity.list); harness/parity.sh compares "
           "patched kernels with them.",
           "# `make parity-base` rewrites this file; the key hashes what "
           "the results depend on.",
           f"# key: {args.key}"]
    for (name, mode), run in sorted(runs.items()):
        out.append(f"# mm_selftest: {name} {mode} {run.verdict}")
        out += [f"# mm_selftest_case: {name} {mode} {c}"
                for c in sorted(run.cases)]
    print("\n".join(out))
    return 0


def compare(args: argparse.Namespace) -> int:
    with open(args.base) as f:
        base = {name: run for (name, _), run in read_records(f.readlines()).items()}
    if not base:
        print(f"parity: {args.base} holds no base results", file=sys.stderr)
        return 1
    columns: List[Tuple[str, Dict[Tuple[str, str], Run]]] = []
    missing_logs = 0
    for spec in args.logs:
        label, _, path = spec.partition("=")
        try:
            with open(path, errors="replace") as f:
                runs = read_records(f.readlines())
        except OSError as e:
            print(f"parity: {args.arch} {label}: {e}", file=sys.stderr)
            runs = {}
        if not runs:
            print(f"parity: {args.arch} {label}: no mm_selftest records in "
                  f"{path} (the selftests did not run)")
            missing_logs += 1
        columns.append((label, runs))
    modes_of = {label: sorted({m for (_, m) in runs} - {"any"})
                for label, runs in columns}
    rows = []
    bad = 0
    for name in sorted(base):
        cells, problems = [base[name].verdict], []
        for label, runs in columns:
            for mode in modes_of[label]:
                run = runs.get((name, mode)) or runs.get((name, "any"))
                if run is None:
                    cells.append("missing")
                    problems.append(f"{label} {mode}: no record")
                    continue
                cells.append(run.verdict)
                why = judge(base[name], run)
                if why:
                    problems.append(f"{label} {mode}: {why}")
        bad += bool(problems)
        rows.append((name, cells, "; ".join(problems) or "as base"))
    for name in sorted({n for _, runs in columns for (n, _) in runs} - set(base)):
        bad += 1
        rows.append((name, ["none"] + ["?"] * (len(heads_of(columns, modes_of)) - 1),
                     "no base result: record them again (make parity-base)"))
    heads = ["selftest"] + heads_of(columns, modes_of) + ["parity"]
    widths = [max(len(h), *(len(([r[0]] + r[1])[i]) for r in rows))
              for i, h in enumerate(heads[:-1])]
    print(f"mm selftests, {args.arch}: patched kernels against unpatched 6.12 "
          f"({args.base})")
    print("  ".join(h.ljust(w) for h, w in zip(heads, widths)) + "  " + heads[-1])
    for name, cells, verdict in rows:
        print("  ".join(c.ljust(w) for c, w in zip([name] + cells, widths))
              + "  " + verdict)
    print(f"{args.arch}: {len(rows) - bad} of {len(rows)} selftests as "
          f"unpatched 6.12, {bad} not")
    return 1 if bad or missing_logs else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record")
    r.add_argument("log")
    r.add_argument("--key", required=True)
    r.add_argument("--arch", required=True)
    r.add_argument("--kernel", required=True)
    c = sub.add_parser("compare")
    c.add_argument("--base", required=True)
    c.add_argument("--arch", required=True)
    c.add_argument("logs", nargs="+", metavar="LABEL=LOG")
    args = p.parse_args()
    return record(args) if args.cmd == "record" else compare(args)


if __name__ == "__main__":
    sys.exit(main())
