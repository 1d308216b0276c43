#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare benchmark figures of two kernel variants, arch by arch.

usage: compare.py RESULTS_DIR FLAVOUR SUITE VARIANT_A VARIANT_B

For every metric with per-repetition values NAME_r<i>, prints the ratio
of medians A/B with the spread of the per-repetition ratios (min..max);
for pairs NAME_on/NAME_off of A (freeing on and off in one boot), the
on/off ratio (on, off in the A and B columns); other metrics (VmPTE
after, flush counts) are shown side by side.
"""
import json
import os
import re
import statistics
import sys

REP = re.compile(r"^(.*)_r(\d+)$")


def load(folder, arch_dir, flavour, variant, suite):
    path = os.path.join(folder, f"{arch_dir}-{flavour}-{variant}-{suite}.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def series(metrics):
    reps, single = {}, {}
    for name, m in metrics.items():
        test, _, metric = name.partition(".")
        r = REP.match(metric)
        if r:
            reps.setdefault(r.group(1), {})[int(r.group(2))] = m["value"]
        else:
            single[metric] = m
    return reps, single


def main():
    folder, flavour, suite, va, vb = sys.argv[1:6]
    arches = sorted({f.split("-")[0] for f in os.listdir(folder)
                     if f.endswith(f"-{flavour}-{va}-{suite}.json")})
    rows = [("arch", "metric", va, vb, f"{va}/{vb}", "spread")]
    for arch in arches:
        a, b = load(folder, arch, flavour, va, suite), load(folder, arch, flavour, vb, suite)
        if not a or not b or not a.get("judge") or not b.get("judge"):
            continue
        ra, sa = series(a["judge"]["metrics"])
        rb, sb = series(b["judge"]["metrics"])
        for name in sorted(set(ra) & set(rb)):
            keys = sorted(set(ra[name]) & set(rb[name]))
            ratios = [ra[name][k] / rb[name][k] for k in keys if rb[name][k]]
            if not ratios:
                continue
            ma = statistics.median(ra[name][k] for k in keys)
            mb = statistics.median(rb[name][k] for k in keys)
            rows.append((a["arch"], name, f"{ma:.0f}", f"{mb:.0f}",
                         f"{ma / mb:.3f}", f"{min(ratios):.3f}..{max(ratios):.3f} (n={len(ratios)})"))
        # Freeing on vs off in the same boot of A: X_on[_unit] against X_off[_unit].
        for name in sorted(ra):
            off_name = re.sub(r"_on(_[a-z]+)?$", r"_off\1", name)
            if off_name == name or off_name not in ra:
                continue
            on, off = ra[name], ra[off_name]
            keys = sorted(k for k in set(on) & set(off) if off[k])
            if not keys:
                continue
            ratios = [on[k] / off[k] for k in keys]
            mon = statistics.median(on[k] for k in keys)
            moff = statistics.median(off[k] for k in keys)
            rows.append((a["arch"], f"{name} / _off ({va})", f"{mon:.0f}", f"{moff:.0f}",
                         f"{mon / moff:.3f}", f"{min(ratios):.3f}..{max(ratios):.3f} (n={len(ratios)})"))
        for name in sorted(set(sa) & set(sb)):
            if name.startswith(("vmpte_after", "pagetables_after")):
                rows.append((a["arch"], name, f"{sa[name]['value']:.0f} {sa[name]['unit']}",
                             f"{sb[name]['value']:.0f} {sb[name]['unit']}", "", ""))
        # Counts only A can have (pte_ref's flush counter): shown, not compared.
        for name in sorted(n for n in sa if "flushes" in n):
            vb = f"{sb[name]['value']:.0f}" if name in sb else "-"
            rows.append((a["arch"], name, f"{sa[name]['value']:.0f}", vb, "", ""))
    w = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, r in enumerate(rows):
        print("  ".join(c.ljust(x) for c, x in zip(r, w)).rstrip())
        if i == 0:
            print("  ".join("-" * x for x in w))
    return 0 if len(rows) > 1 else 1


if __name__ == "__main__":
    sys.exit(main())
