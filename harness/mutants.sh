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
# wrong), "Flavour:" (the kernel flavour whose tests must catch it) and
# "Caught-by:" (the guest tests that catch it there, and "splat" if a
# kernel splat during them counts; KUnit runs at every debug boot), and
# optionally "Arches:" (the arch folders where what it breaks exists;
# elsewhere its row says so and it is not booted); git apply skips that
# text.  At the end, a table: mutant x
# arch x flavour -> caught by what, also in $O/results/mutants.tsv.
#
# QUICK=1 boots each mutant with only its Caught-by tests (only= on the
# kernel command line), as `make mutants-ci` does, and counts it caught
# only if one of them fails (or, with "splat", the kernel splats): it
# checks that those tests still catch it, in a fraction of a full boot.
#
# env: MUTANTS="name ..." (default: all), ARCH, FLAVOUR_GIVEN=1 to run every
# mutant in $FLAVOUR instead of its own, QUICK=1
. "$(dirname "$0")/lib.sh"

H=$TOP/harness
repo=$(tree_repo)
names=${MUTANTS:-$(cd "$TOP/tests/mutants" && ls ./*.diff | sed 's|^\./||; s|\.diff$||')}
[ -n "$names" ] || die "no mutants in tests/mutants"
rc=0
mkdir -p "$O/logs" "$O/results"
table=$O/results/mutants.tsv
printf 'mutant\tarch\tflavour\tresult\n' > "$table"

# spec FIELD DIFF: a field of a mutant's spec header.
spec() {
	sed -n "/^diff --git\|^--- /q; s/^$1: *//p" "$2"
}

# caught_by_named LOG TESTS: true if one of TESTS (comma list; "splat"
# for a kernel splat line) failed in LOG; says what did fail either way.
caught_by_named() {
	"$H/judge.py" "$1" --json "$1.json" >/dev/null 2>&1 || true
	python3 - "$1.json" "$2" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
named = sys.argv[2].split(",")
hit = [t for t in j["failed_tests"] if t in named]
if "splat" in named and j["splats"]:
    hit.append("splat: " + j["splats"][0])
print("; ".join(hit) or "failed: " + (", ".join(j["failed_tests"]) or "nothing"))
sys.exit(0 if hit else 1)
PY
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
		only_on=$(spec Arches "$diff")
		if [ -n "$only_on" ] && ! grep -qw "$a" <<<"$only_on"; then
			verdict "$m" "$a" - "not applicable: only on $only_on"
			continue
		fi
		FLAVOUR=${FLAVOUR_GIVEN:+$FLAVOUR}
		FLAVOUR=${FLAVOUR:-$(spec Flavour "$diff")}
		FLAVOUR=${FLAVOUR:-fast}
		export FLAVOUR
		b=$(build_dir "$a" "$FLAVOUR" mutant)
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
		boot_args=${BOOT_ARGS:-}
		if [ "${QUICK:-0}" = 1 ]; then
			tests=$(spec Caught-by "$diff" | tr -s ' \t' ',' | sed 's/^,//; s/,$//')
			[ -n "$tests" ] || {
				verdict "$m" "$a" "$FLAVOUR" "FAIL: QUICK=1, but its spec names no Caught-by test"
				rc=1
				continue
			}
			for t in ${tests//,/ }; do
				[ "$t" = splat ] || grep -q "^$t[[:space:]]" "$TOP/tests/tests.list" ||
					die "tests/mutants/$m.diff: Caught-by names '$t', which tests/tests.list does not have"
			done
			run_tests=$(echo "${tests//,/ }" | tr ' ' '\n' | grep -vx splat | paste -sd,)
			[ -n "$run_tests" ] ||
				die "tests/mutants/$m.diff: Caught-by needs a test to run, not only 'splat'"
			boot_args="$boot_args only=$run_tests"
		fi
		if BOOT_ARGS=$boot_args "$H/boot.sh" "$a" "$b/$IMAGE" "$O/guest/$a/initramfs.cpio" "$log" &&
		   "$H/judge.py" "$log" --json "$log.json" >/dev/null; then
			verdict "$m" "$a" "$FLAVOUR" "NOT CAUGHT (every test passed; log $log)"
			rc=1
		elif [ "${QUICK:-0}" = 1 ] && ! by=$(caught_by_named "$log" "$tests"); then
			verdict "$m" "$a" "$FLAVOUR" "NOT CAUGHT by its Caught-by tests ($by; log $log)"
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
