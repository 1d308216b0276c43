#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's mm selftests on the patched kernels against unpatched 6.12,
# case by case (harness/parity.py): the fast pte_ref boot (freeing on, then
# off) and the fast pte_ref-n boot must fail nothing that base passes.
#
# Base results come from tests/mm-selftests/base/<arch>.results when their
# key matches what they depend on (the kernel version, the fast config
# fragments, the boot profile, the selftest list and the programs that run
# them); else from $CACHE/parity/ under the same key; else this boots the
# unpatched kernel (VARIANT=base SUITE=parity) and keeps its results there.
#
# usage: parity.sh compare   after the fast pte_ref and pte_ref-n runs
#        parity.sh record    boot base and rewrite tests/mm-selftests/base/
. "$(dirname "$0")/lib.sh"

H=$TOP/harness
mode=${1:-compare}
case $mode in compare|record) ;; *) die "usage: parity.sh compare|record" ;; esac
"$H/tree.sh" >/dev/null
kver=$(cat "$O/kernel-version")

# key ARCH_DIR: what a base run's results depend on.
key() {
	local a=$1 f
	{
		echo "$kver"
		for f in harness/configs/fast.config "arch/$a/fast.config" "arch/$a/profile" \
			tests/parity.list tests/mm-selftests/run.list harness/mm-selftests.sh \
			harness/boot.sh tests/guest/init.c tests/guest/mm_selftests.c \
			tests/guest/clock.h tests/guest/kstat.h tests/guest/ktap.h \
			tests/guest/list.h tests/guest/variant.h; do
			echo "== $f"
			[ ! -f "$TOP/$f" ] || cat "$TOP/$f"
		done
	} | sha1sum | cut -c1-16
}

# base_results ARCH_DIR KEY FORCE: the path of base results under KEY,
# booting the unpatched kernel for them if none are kept (or FORCE=1).
base_results() {
	local a=$1 k=$2 force=$3 committed cached log
	committed=$TOP/tests/mm-selftests/base/$NAME.results
	cached=$CACHE/parity/$NAME-$k.results
	if [ "$force" = 0 ]; then
		if grep -qxF "# key: $k" "$committed" 2>/dev/null; then
			echo "$committed"
			return
		fi
		[ -f "$cached" ] && { echo "$cached"; return; }
		info "$NAME: ${committed#"$TOP"/} is not for this tree and config (key $k):" \
			"booting unpatched $kver for the base results ('make parity-base' records them)"
	fi
	ARCH=$NAME FLAVOUR=fast VARIANT=base SUITE=parity "$H/run.sh" >&2 ||
		{ info "$NAME: the unpatched kernel's selftest run failed"; return 1; }
	log=$O/logs/$a-fast-base-parity.log
	mkdir -p "$CACHE/parity"
	"$H/parity.py" record "$log" --key "$k" --arch "$NAME" --kernel "$kver" > "$cached.tmp" ||
		{ rm -f "$cached.tmp"; return 1; }
	mv "$cached.tmp" "$cached"
	echo "$cached"
}

rc=0
for a in $(resolve_arches); do
	load_profile "$a"
	k=$(key "$a")
	if [ "$mode" = record ]; then
		r=$(base_results "$a" "$k" 1) || { rc=1; continue; }
		cp "$r" "$TOP/tests/mm-selftests/base/$NAME.results"
		info "$NAME: base results in tests/mm-selftests/base/$NAME.results (key $k)"
		continue
	fi
	r=$(base_results "$a" "$k" 0) || { rc=1; continue; }
	"$H/parity.py" compare --base "$r" --arch "$NAME" \
		"pte_ref=$O/logs/$a-fast-pte_ref-tests.log" \
		"pte_ref-n=$O/logs/$a-fast-pte_ref-n-tests.log" || rc=1
done
exit $rc
