#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make mutants`: show that the tests fail when pte_ref is wrong.
#
# Each tests/mutants/<name>.diff breaks pte_ref on purpose (free a pinned
# table, skip the flush, ...).  For each selected arch, the patched tree
# (core + arch series) gets one mutant at a time in a worktree of its own,
# is built in one O= dir per arch and flavour (only the mutated file
# rebuilds between mutants), booted with the usual tests, and judged.  A
# mutant must be caught: a failed test, a kernel splat, or a guest that
# dies or hangs.  A mutant that passes everything fails `make mutants`.
# The mutants never reach the shipped series or the trees `make boot` uses.
#
# env: MUTANTS="name ..." (default: all), ARCH, FLAVOUR (fast)
. "$(dirname "$0")/lib.sh"

H=$TOP/harness
repo=$(tree_repo)
names=${MUTANTS:-$(cd "$TOP/tests/mutants" && ls ./*.diff | sed 's|^\./||; s|\.diff$||')}
[ -n "$names" ] || die "no mutants in tests/mutants"
rc=0
mkdir -p "$O/build" "$O/logs"
for a in $(resolve_arches); do
	load_profile "$a"
	tip=$(series_tip "$repo" "$a")
	src=$(worktree_root)/mutant-$a
	b=$O/build/$a-$FLAVOUR-mutant
	ensure_worktree "$src" "$tip"
	for m in $names; do
		diff=$TOP/tests/mutants/$m.diff
		[ -f "$diff" ] || die "no mutant '$m' (tests/mutants/$m.diff)"
		log=$O/logs/$a-$FLAVOUR-mutant-$m.log
		git -C "$src" checkout -q -f --detach "$tip"
		git -C "$src" apply "$diff" 2>"$b.apply.err" || {
			sed 's/^/    /' "$b.apply.err"
			echo "$NAME mutant $m: does not apply to the patched tree"
			rc=1
			continue
		}
		if ! "$H/config.sh" "$a" "$FLAVOUR" pte_ref "$src" "$b" ||
		   ! "$H/build.sh" "$a" "$src" "$b" ||
		   ! "$H/guest.sh" "$a" "$src" "$b" >/dev/null; then
			echo "$NAME mutant $m: does not build (a mutant must build to prove anything)"
			rc=1
			continue
		fi
		if "$H/boot.sh" "$a" "$b/$IMAGE" "$O/guest/$a/initramfs.cpio" "$log" &&
		   "$H/judge.py" "$log" --json "$log.json" >/dev/null; then
			echo "$NAME mutant $m: NOT CAUGHT (every test passed; log $log)"
			rc=1
		else
			[ -f "$log.json" ] || "$H/judge.py" "$log" --json "$log.json" >/dev/null || true
			echo "$NAME mutant $m: caught by $(python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
print("; ".join(j["problems"][:3]) or "the boot failing")' "$log.json" 2>/dev/null ||
				echo "a guest that died or hung")"
		fi
	done
	git -C "$src" checkout -q -f --detach "$tip"
done
exit $rc
