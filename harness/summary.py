#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the per-arch summary table of a run and write the run's JSON.

usage: summary.py [--run OUT.json] RESULT.json...

Rows of the same flavour and suite from other variants already in the
results folder (e.g. `make baseline`) are shown too, so unpatched and
patched kernels appear side by side.
"""
import argparse
import glob
import json
import os
import sys

# Key figures: the seed workload with freeing on (on kernels without
# pte_ref the same test shows the tables kept), else whichever test has them.
FIGURES = [("VmPTE after", "vmpte_after_kb"), ("PageTables after", "pagetables_after_kb")]
PREFERRED = ("seed_workload_on", "seed_workload_full_on", "seed_workload")


def figure(row, key):
    metrics = (row.get("judge") or {}).get("metrics", {})
    for test in PREFERRED:
        m = metrics.get(f"{test}.{key}")
        if m:
            return f"{m['value']:.0f} {m['unit']}"
    for name, m in sorted(metrics.items()):
        if name.endswith("." + key):
            return f"{m['value']:.0f} {m['unit']}"
    return "-"


def ktap(row):
    t = (row.get("judge") or {}).get("totals")
    if not t:
        return "-"
    s = f"{t['passed']}/{t['tests']} ok"
    if t["failed"]:
        s += f", {t['failed']} failed"
    if t["skipped"]:
        s += f", {t['skipped']} skip"
    s += f" ({t['cases']} cases"
    if t.get("cases_skipped"):
        s += f", {t['cases_skipped']} skipped"
    return s + ")"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run")
    ap.add_argument("results", nargs="+")
    args = ap.parse_args()
    rows = [json.load(open(p)) for p in args.results]
    shown = set(args.results)
    others = []
    for r, p in zip(rows, args.results):
        folder = os.path.dirname(p)
        for q in glob.glob(os.path.join(folder, "*.json")):
            if q in shown or os.path.basename(q).startswith("run-"):
                continue
            o = json.load(open(q))
            if (o.get("arch"), o.get("flavour"), o.get("suite")) == \
               (r["arch"], r["flavour"], r["suite"]):
                shown.add(q)
                others.append(o)
    table = [("arch", "kernel", "flavour", "variant", "build s", "boot s",
              "KTAP", *(f[0] for f in FIGURES), "result")]
    for r in sorted(rows + others, key=lambda r: (r["arch"], r["variant"] != "base")):
        t = r.get("times", {})
        table.append((r["arch"], (r.get("judge") or {}).get("kernel") or r["kernel_tree"],
                      r["flavour"], r["variant"] + ("" if r in rows else " (earlier)"),
                      str(t.get("build_s", "-")), str(t.get("boot_s", "-")),
                      ktap(r), *(figure(r, f[1]) for f in FIGURES), r["status"]))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for i, row in enumerate(table):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    for r in rows:
        for p in (r.get("judge") or {}).get("problems", []):
            print(f"{r['arch']}: {p}")
        if r["status"] != "pass":
            log = r["log"]
            if r["status"].endswith(("config", "build")):
                log = os.path.join(r["build_dir"], "config.log" if r["status"].endswith("config") else "build.log")
            print(f"{r['arch']}: {r['status']}; log: {log}")
    if args.run:
        with open(args.run, "w") as f:
            json.dump(rows, f, indent=1)
        print(f"results: {args.run}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
