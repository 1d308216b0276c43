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
# Each diff starts with its spec: "Mutant:", "Breaks:" (what it gets
# wrong) and "Flavour:" (the kernel flavour whose tests must catch it);
# git apply skips that text.  At the end, a table: mutant x arch x flavour
# -> caught by what, also in $O/results/mutants.tsv.
#
# env: MUTANTS="name ..." (default: all), ARCH, FLAVOUR_GIVEN=1 to run every
# mutant in $FLAVOUR instead of its own
. "$(dirname "$0")/lib.sh"

H=$TOP/harness
repo=$(tree_repo)
names=${MUTANTS:-$(cd "$TOP/tests/mutants" && ls ./*.diff | sed 's|^\./||; s|\.diff$||')}
[ -n "$names" ] || die "no mutants in tests/mutants"
rc=0
mkdir -p "$O/build" "$O/logs" "$O/results"
table=$O/results/mutants.tsv
printf 'mutant\tarch\tflavour\tresult\n' > "$table"

# spec FIELD DIFF: a field of a mutant's spec header.
spec() {
	sed -n "/^diff --git\|^--- /q; s/^$1: *//p" "$2"
}

# verdict M ARCH FL RESULT: one row of the table, and say it.
verdict() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$table"
	echo "$NAME mutant $1 ($2, $3): $4"
}

for m in $names; do
	[ -f "$TOP/tests/mutants/$m.diff" ] || die "no mutant '$m' (tests/mutants/$m.diff)"
done
for a in $(resolve_arches); do
	load_profile "$a"
	tip=$(series_tip "$repo" "$a")
	src=$(worktree_root)/mutant-$a
	ensure_worktree "$src" "$tip"
	for m in $names; do
		diff=$TOP/tests/mutants/$m.diff
		FLAVOUR=${FLAVOUR_GIVEN:+$FLAVOUR}
		FLAVOUR=${FLAVOUR:-$(spec Flavour "$diff")}
		FLAVOUR=${FLAVOUR:-fast}
		export FLAVOUR
		b=$O/build/$a-$FLAVOUR-mutant
		log=$O/logs/$a-$FLAVOUR-mutant-$m.log
		git -C "$src" checkout -q -f --detach "$tip"
		git -C "$src" apply "$diff" 2>"$b.apply.err" || {
			sed 's/^/    /' "$b.apply.err"
			verdict "$m" "$a" "$FLAVOUR" "FAIL: does not apply to the patched tree"
			rc=1
			continue
		}
		if ! "$H/config.sh" "$a" "$FLAVOUR" pte_ref "$src" "$b" ||
		   ! "$H/build.sh" "$a" "$src" "$b" ||
		   ! "$H/guest.sh" "$a" "$src" "$b" >/dev/null; then
			verdict "$m" "$a" "$FLAVOUR" "FAIL: does not build (a mutant must build to prove anything)"
			rc=1
			continue
		fi
		if "$H/boot.sh" "$a" "$b/$IMAGE" "$O/guest/$a/initramfs.cpio" "$log" &&
		   "$H/judge.py" "$log" --json "$log.json" >/dev/null; then
			verdict "$m" "$a" "$FLAVOUR" "NOT CAUGHT (every test passed; log $log)"
			rc=1
		else
			[ -f "$log.json" ] || "$H/judge.py" "$log" --json "$log.json" >/dev/null || true
			verdict "$m" "$a" "$FLAVOUR" "caught by $(python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
print("; ".join(j["problems"]) or "the boot failing")' "$log.json" 2>/dev/null ||
				echo "a guest that died or hung")"
		fi
	done
	git -C "$src" checkout -q -f --detach "$tip"
done
echo
awk -F'\t' '{ printf "%-26s %-8s %-7s %s\n", $1, $2, $3, $4 }' "$table"
exit $rc
