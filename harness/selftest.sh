#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The harness's own tests: bad input and broken guests must fail, cleanly,
# with the message a user needs.  Real boots where it matters (a panicking
# and a hung x86_64 guest), recorded logs for the log judge.
# Ends with "N passed, N failed"; exits non-zero if any failed.
. "$(dirname "$0")/lib.sh"

S=$O/selftest
rm -rf "$S"
mkdir -p "$S"
pass=0 fail=0

# expect NAME STATUS(fail|pass) PATTERN CMD...: run CMD, check its exit
# status and that its output matches PATTERN (an extended regex).
expect() {
	local name=$1 want=$2 pattern=$3 rc=0
	shift 3
	"$@" >"$S/$name.out" 2>&1 || rc=$?
	if { { [ "$want" = fail ] && [ $rc -ne 0 ]; } ||
	     { [ "$want" = pass ] && [ $rc -eq 0 ]; }; } &&
	   { [ -z "$pattern" ] || grep -qE "$pattern" "$S/$name.out"; }; then
		echo "ok   $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name (exit $rc, wanted $want and /$pattern/); output: $S/$name.out"
		tail -5 "$S/$name.out" | sed 's/^/       /'
		fail=$((fail + 1))
	fi
}

# copy_project DIR: a private copy of the project to break on purpose.
copy_project() {
	mkdir -p "$1"
	cp -r "$TOP/core" "$TOP/harness" "$TOP/arch" "$TOP/include" "$TOP/tests" "$1/"
}

# The log judge against recorded logs: pass-*.log must pass, fail-*.log fail.
for log in "$TOP"/tests/harness/logs/*.log; do
	n=$(basename "$log" .log)
	case $n in
	pass-*) expect "judge-$n" pass '' "$TOP/harness/judge.py" "$log" ;;
	fail-*) expect "judge-$n" fail 'judge: ' "$TOP/harness/judge.py" "$log" ;;
	esac
done
expect judge-kunit-required fail 'no KUnit' "$TOP/harness/judge.py" --expect-kunit \
	"$TOP/tests/harness/logs/pass-clean.log"

# Bad input, each refused with the facts the user needs.
expect unknown-arch fail "unknown ARCH 'mips'; supported: .*x86_64" \
	env ARCH=mips "$TOP/harness/run.sh"
expect kdir-missing fail 'does not exist' env KDIR="$S/nowhere" "$TOP/harness/tree.sh"
# Outside any git repo (this checkout is one).
notgit=$(mktemp -d)
echo "VERSION = 6" > "$notgit/Makefile"
expect kdir-not-git fail 'is not a git tree' env KDIR="$notgit" "$TOP/harness/tree.sh"
rm -rf "$notgit"
mkdir -p "$S/linux-6.11"
printf 'VERSION = 6\nPATCHLEVEL = 11\nSUBLEVEL = 0\nkernelversion:\n\t@echo 6.11.0\n' \
	> "$S/linux-6.11/Makefile"
git -C "$S/linux-6.11" init -q && git -C "$S/linux-6.11" add -A &&
	git -C "$S/linux-6.11" -c user.name=t -c user.email=t@t commit -qm 6.11
expect kdir-not-612 fail 'is Linux 6.11.0; .* 6.12.y only' env KDIR="$S/linux-6.11" "$TOP/harness/tree.sh"
expect no-cross-compiler fail "install the Debian package 'gcc-aarch64-linux-gnu'" \
	env CROSS_COMPILE=/nonexistent/aarch64-linux-gnu- "$TOP/harness/guest.sh" arm64 "$(tree_repo)"
echo 'CONFIG_PTE_REF_NO_SUCH_OPTION=y' > "$S/bad.config"
expect missing-option fail 'CONFIG_PTE_REF_NO_SUCH_OPTION=y .*did not make it|did not make it' \
	env EXTRA_CONFIG="$S/bad.config" "$TOP/harness/config.sh" x86 fast base \
	"$(tree_repo)" "$S/build-config"
grep -q 'CONFIG_PTE_REF_NO_SUCH_OPTION=y' "$S/missing-option.out" ||
	{ echo "FAIL missing-option: the option is not named"; fail=$((fail + 1)); }

# A series step whose diff does not apply: named, with the file.
copy_project "$S"
mkdir -p "$S/core/series/99-broken"
echo "mm: a patch that cannot apply" > "$S/core/series/99-broken/message"
printf -- '--- a/mm/memory.c\n+++ b/mm/memory.c\n@@ -1,1 +1,1 @@\n-no such line\n+nor this\n' \
	> "$S/core/series/99-broken/change.diff"
expect patch-does-not-apply fail '99-broken/change.diff does not apply' \
	env TOP="$S" O="$S/out" ARCH=x86 "$S/harness/series.sh"
grep -q 'mm/memory.c' "$S/patch-does-not-apply.out" ||
	{ echo "FAIL patch-does-not-apply: the file is not named"; fail=$((fail + 1)); }

# make check must catch what the robots would: a patch with a lock
# imbalance (sparse), a missing prototype (W=1) and a style error
# (checkpatch).  A private copy of the project gets one more core patch;
# KDIR= (the same repo) gives it worktrees of its own, so the bad series
# never lands in the trees that make boot builds.
B=$S/bad-check
copy_project "$B"
mkdir -p "$B/core/series/99-bad"
printf 'mm: pte_ref: a patch make check must refuse\n\nThe harness selftest.\n' \
	> "$B/core/series/99-bad/message"
echo "core/pte_ref_bad.c mm/pte_ref.c" > "$B/core/series/99-bad/files"
{
	cat "$TOP/core/pte_ref.c"
	printf '\nvoid pte_ref_selftest_leak(struct mm_struct *mm)\n{\n'
	printf '\tspin_lock(&mm->page_table_lock);\n\tif(mm->map_count)\n\t\treturn;\n'
	printf '\tspin_unlock(&mm->page_table_lock);\n}\n'
} > "$B/core/pte_ref_bad.c"
# Start from make check's own configured trees when it ran first (as in
# make test): only the files the series touches are compiled again.
mkdir -p "$B/out/check"
for d in "$O"/check/x86-base "$O"/check/x86-pte_ref; do
	[ ! -d "$d" ] || cp -a "$d" "$B/out/check/"
done
expect check-catches-bad-patch fail 'NEW warnings' \
	env TOP="$B" O="$B/out" ARCH=x86 KDIR="$(tree_repo)" \
	bash -c '"$TOP/harness/tree.sh" && "$TOP/harness/series.sh" && "$TOP/harness/check.sh"'
for want in "new: context imbalance in 'pte_ref_selftest_leak'" \
	    "new: pte_ref.c: no previous prototype for 'pte_ref_selftest_leak'" \
	    'checkpatch: core/[0-9]{4}-mm-pte_ref-a-patch-make-check-must-refuse.patch: ERROR:SPACING'; do
	grep -qE "$want" "$S/check-catches-bad-patch.out" ||
		{ echo "FAIL check-catches-bad-patch: no /$want/"; fail=$((fail + 1)); }
done
# The bad series replaced the shared series refs: put the real ones back.
"$TOP/harness/series.sh" 2>/dev/null

# The interface check must catch a core that uses an arch-only helper.
sed 's/pmd_present(pmdval)/pmd_trans_huge(pmdval)/' "$TOP/core/pte_ref.c" > "$S/core_bad.c"
expect iface-catches-arch-symbol fail 'outside the arch interface' \
	"$TOP/harness/check-iface.sh" "$S/core_bad.c"
expect iface-core-clean pass 'uses only the generic API' "$TOP/harness/check-iface.sh"

# Real guests: a kernel crash and a guest that never finishes.  They boot
# the x86_64 fast kernel that the main run builds next (build dirs live in
# the cache, whatever O is): one build for both.
gcc -static -O2 -o "$S/panic" "$TOP/tests/harness/panic.c"
[ "${SELFTEST_BOOT:-1}" = 0 ] || expect guest-panic fail 'Kernel panic|sysrq' env ARCH=x86 FLAVOUR=fast O="$O/selftest-boot" \
	EXTRA_TESTS="$S/panic" SUITE=extra "$TOP/harness/run.sh"
[ "${SELFTEST_BOOT:-1}" = 0 ] || expect guest-hang fail 'did not finish within 20s and was killed; log: ' \
	env ARCH=x86 FLAVOUR=fast O="$O/selftest-boot" QEMU_EXTRA=-S BOOT_TIMEOUT=20 \
	"$TOP/harness/run.sh"

echo "selftest: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
