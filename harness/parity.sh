#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's mm selftests on the patched kernels against unpatched 6.12,
# case by case (harness/parity.py): the fast pte_ref boot (freeing on, then
# off) and, with PARITY_VARIANTS="pte_ref pte_ref-n", the fast pte_ref-n
# boot must fail nothing that base passes.
#
# Base results come from tests/mm-selftests/base/<arch>.results when their
# key matches what they depend on (the kernel version, the fast config
# fragments, the boot profile, the selftest list and the programs that run
# them); else from $CACHE/parity/ under the same key; else this boots the
# unpatched kernel (VARIANT=base SUITE=parity) and keeps its results there.
#
# usage: parity.sh compare   after the fast pte_ref and pte_ref-n runs
#        parity.sh record    rewrite tests/mm-selftests/base/ from a base
#                            run under the current key (kept in $CACHE/parity
#                            by an earlier compare), else boot base first;
#                            PARITY_RERUN=1 always boots
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

# record_base ARCH_DIR...: boot the unpatched kernels of these arches (in
# parallel, as run.sh does) and keep their results under their keys.
record_base() {
	local a names=()
	for a in "$@"; do
		names+=("$(. "$TOP/arch/$a/profile"; echo "$NAME")")
	done
	ARCH=$(IFS=,; echo "${names[*]}") FLAVOUR=fast VARIANT=base SUITE=parity \
		"$H/run.sh" >&2 || info "the unpatched kernels' selftest runs did not all pass"
	mkdir -p "$CACHE/parity"
	for a in "$@"; do
		load_profile "$a"
		k=$(key "$a")
		"$H/parity.py" record "$O/logs/$a-fast-base-parity.log" --key "$k" \
			--arch "$NAME" --kernel "$kver" > "$CACHE/parity/$NAME-$k.results.tmp" &&
			mv "$CACHE/parity/$NAME-$k.results.tmp" "$CACHE/parity/$NAME-$k.results" ||
			rm -f "$CACHE/parity/$NAME-$k.results.tmp"
	done
}

# base_results ARCH_DIR: the kept base results for this tree and config
# (committed, else cached); empty if there are none.
base_results() {
	local k committed cached
	load_profile "$1"
	k=$(key "$1")
	committed=$TOP/tests/mm-selftests/base/$NAME.results
	cached=$CACHE/parity/$NAME-$k.results
	if grep -qxF "# key: $k" "$committed" 2>/dev/null; then
		echo "$committed"
	elif [ -f "$cached" ]; then
		echo "$cached"
	fi
}

arches=$(resolve_arches)
if [ "$mode" = record ]; then
	# A base run under the same key (make test's, say) is reused, unless
	# PARITY_RERUN=1.
	todo=()
	for a in $arches; do
		load_profile "$a"
		[ "${PARITY_RERUN:-0}" = 0 ] && [ -f "$CACHE/parity/$NAME-$(key "$a").results" ] ||
			todo+=("$a")
	done
	[ ${#todo[@]} -eq 0 ] || record_base "${todo[@]}"
	rc=0
	for a in $arches; do
		load_profile "$a"
		r=$CACHE/parity/$NAME-$(key "$a").results
		if [ -f "$r" ]; then
			cp "$r" "$TOP/tests/mm-selftests/base/$NAME.results"
			info "$NAME: base results in tests/mm-selftests/base/$NAME.results"
		else
			info "$NAME: no base results recorded"
			rc=1
		fi
	done
	exit $rc
fi

stale=()
for a in $arches; do
	[ -n "$(base_results "$a")" ] || stale+=("$a")
done
if [ ${#stale[@]} -gt 0 ]; then
	info "tests/mm-selftests/base/ has no results for this tree and config for: ${stale[*]}:" \
		"booting unpatched $kver for them ('make parity-base' records them in the project)"
	record_base "${stale[@]}"
fi
rc=0
for a in $arches; do
	load_profile "$a"
	r=$(base_results "$a")
	if [ -z "$r" ]; then
		info "$NAME: no base results: the unpatched kernel's run failed"
		rc=1
		continue
	fi
	logs=()
	for v in ${PARITY_VARIANTS:-pte_ref}; do
		logs+=("$v=$O/logs/$a-fast-$v-tests.log")
	done
	"$H/parity.py" compare --base "$r" --arch "$NAME" "${logs[@]}" || rc=1
done
exit $rc
