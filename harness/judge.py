#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one guest's serial log: KTAP results, kernel splats, figures.

usage: judge.py LOG [--json OUT] [--expect-kunit]

A run fails on any of: a kernel splat line (panic, Oops, BUG, WARNING,
KASAN, lockdep, RCU stall, ...), no KTAP document from the guest's /init, a
KTAP document whose plan is missing or longer than its results, a
"Bail out!", any "not ok", and (with --expect-kunit) no KUnit results.
Unknown lines are ignored, as KTAP allows, so console noise between
results is harmless.
"""
import argparse
import json
import re
import sys

# Anything the kernel prints when it is unhappy.  Lockdep reports start with
# "WARNING: possible ..." and KASAN with "BUG: KASAN: ...", so those two
# prefixes catch them; the rest are for completeness and older formats.
SPLATS = re.compile(
    r"Kernel panic|Oops[:\s]|\bBUG[: ]|WARNING:|KASAN|UBSAN|"
    r"general protection fault|Unable to handle kernel|"
    r"possible recursive locking|possible circular locking|"
    r"inconsistent lock state|suspicious RCU usage|"
    r"rcu.*detected stall|self-detected stall|"
    r"soft lockup|hard LOCKUP|hung_task|blocked for more than|"
    r"VM_FAULT_OOM leaked out|"
    r"------------\[ cut here \]------------")
TIMESTAMP = re.compile(r"^\[\s*\d+\.\d+\]\s?")
RESULT = re.compile(r"^(not ok|ok) (\d+)(?: (?:- )?([^#]*?))?\s*(?:#\s*(.*))?$")
PLAN = re.compile(r"^1\.\.(\d+)")
METRIC = re.compile(r"^#\s*metric:\s*([\w.]+)=(-?[\d.]+)\s*(\S*)")
VERSION = re.compile(r"Linux version (\S+)")
GUEST = "# pte_ref guest:"


def parse(lines):
    docs, splats, metrics, pending = [], [], {}, {}
    version, doc = None, None
    for n, raw in enumerate(lines, 1):
        line = TIMESTAMP.sub("", raw.rstrip("\r\n"))
        if SPLATS.search(line):
            splats.append(f"{n}: {line.strip()}")
        m = VERSION.search(line)
        if m and not version:
            version = m.group(1)
        body = line.lstrip(" ")
        depth = (len(line) - len(body)) // 2
        if body.startswith(("KTAP version", "TAP version")) and depth == 0:
            doc = {"plan": None, "results": [], "guest": False, "cases": [],
                   "line": n}
            docs.append(doc)
            continue
        if doc is None:
            continue
        if depth == 0 and body.startswith(GUEST):
            doc["guest"] = True
        if depth == 0 and body.startswith("Bail out!"):
            doc["bail"] = f"line {n}: {body}"
            continue
        m = PLAN.match(body)
        if m and depth == 0 and doc["plan"] is None:
            doc["plan"] = int(m.group(1))
            continue
        m = METRIC.match(body)
        if m:
            pending[m.group(1)] = {"value": float(m.group(2)),
                                   "unit": m.group(3)}
            continue
        m = RESULT.match(body)
        if not m:
            continue
        ok = m.group(1) == "ok"
        name = (m.group(3) or "").strip() or f"test {m.group(2)}"
        directive = (m.group(4) or "").strip()
        skip = directive.upper().startswith("SKIP")
        res = {"name": name, "ok": ok, "skip": skip, "directive": directive,
               "depth": depth, "line": n}
        if depth == 0:
            doc["results"].append(res)
            for k, v in pending.items():
                metrics[f"{name}.{k}"] = v
            pending = {}
        else:
            doc["cases"].append(res)
    return docs, splats, metrics, version


def judge(docs, splats, expect_kunit):
    problems = []
    if splats:
        problems.append(f"{len(splats)} kernel splat line(s), first: {splats[0]}")
    if not any(d["guest"] for d in docs):
        problems.append("no KTAP output from the guest's /init")
    if expect_kunit and not any(not d["guest"] for d in docs):
        problems.append("no KUnit KTAP output")
    for d in docs:
        who = "guest tests" if d["guest"] else f"KTAP at line {d['line']}"
        if d.get("bail"):
            problems.append(f"{who}: {d['bail']}")
        if d["plan"] is None:
            problems.append(f"{who}: no plan")
        elif len(d["results"]) < d["plan"]:
            problems.append(f"{who}: plan 1..{d['plan']} but only "
                            f"{len(d['results'])} results")
        for r in d["results"] + d["cases"]:
            if not r["ok"]:
                problems.append(f"{who}: not ok '{r['name']}' "
                                f"(line {r['line']}) {r['directive']}".rstrip())
    return problems


def totals(docs):
    t = {"tests": 0, "passed": 0, "failed": 0, "skipped": 0, "cases": 0,
         "cases_failed": 0, "cases_skipped": 0}
    for d in docs:
        for r in d["results"]:
            t["tests"] += 1
            key = "skipped" if r["skip"] else "passed" if r["ok"] else "failed"
            t[key] += 1
        t["cases"] += len(d["cases"])
        t["cases_failed"] += sum(not r["ok"] for r in d["cases"])
        # A skip inside a test is as visible as one of a whole test.
        t["cases_skipped"] += sum(r["skip"] for r in d["cases"])
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("log")
    ap.add_argument("--json")
    ap.add_argument("--expect-kunit", action="store_true")
    args = ap.parse_args()
    with open(args.log, errors="replace") as f:
        docs, splats, metrics, version = parse(f)
    problems = judge(docs, splats, args.expect_kunit)
    failed = [r["name"] for d in docs if d["guest"]
              for r in d["results"] if not r["ok"]]
    out = {"log": args.log, "kernel": version, "ok": not problems,
           "problems": problems, "splats": splats, "totals": totals(docs),
           "failed_tests": failed, "metrics": metrics}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    for p in problems:
        print(f"judge: {p}", file=sys.stderr)
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
