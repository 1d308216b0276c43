#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The main job for each selected arch: apply the series, configure, build,
# pack the guest, boot it, judge the log.  One arch failing does not stop
# the others; the summary shows every arch and the run exits non-zero if
# any of them failed.
#
# env: ARCH (all), FLAVOUR (fast|debug), VARIANT (pte_ref|pte_ref-n|base),
#      SUITE (tests|bench), NO_BOOT=1 (stop after building),
#      PARALLEL=n (arches at once, default 1; each then prints its output
#      when it is done), plus everything boot.sh and config.sh read.
#
# Arches in parallel share nothing but the tree repo (each has its own
# worktree, build dir, guest dir and results).  Only for hosts with cores
# to spare: each guest needs its SMP vCPUs on cores of their own.  Two
# 2-vCPU guests on 2 host cores made uffd-unit-tests' poison cases 20 to
# 60 times slower, on unpatched 6.12 as on pte_ref (both guest threads
# spinning in the kernel while the other vCPU waits for a host core).
. "$(dirname "$0")/lib.sh"

VARIANT=${VARIANT:-pte_ref}
SUITE=${SUITE:-tests}
case "$VARIANT" in pte_ref|pte_ref-n|base) ;; *) die "unknown VARIANT '$VARIANT' (pte_ref, pte_ref-n, base)" ;; esac
arches=$(resolve_arches)
H=$TOP/harness
run_id=$(date -u +%Y%m%dT%H%M%SZ)-$FLAVOUR-$VARIANT-$SUITE
mkdir -p "$O/results" "$O/logs"

"$H/tree.sh"
[ "$VARIANT" = base ] || "$H/series.sh"
repo=$(tree_repo)
kver=$(cat "$O/kernel-version")

# stage NAME CMD...: run one step, timing it; on failure remember which.
stage() {
	local name=$1 t0=$SECONDS
	shift
	if "$@"; then
		times+=("\"${name}_s\": $((SECONDS - t0))")
		return 0
	fi
	times+=("\"${name}_s\": $((SECONDS - t0))")
	failed_stage=$name
	return 1
}

# run_arch DIR: the whole pipeline for one arch; writes its results file.
run_arch() {
	local a=$1 key b log res status extra src
	load_profile "$a"
	key=$a-$FLAVOUR-$VARIANT
	b=$(build_dir "$a" "$FLAVOUR" "$VARIANT")
	log=$O/logs/$key-$SUITE.log
	res=$O/results/$key-$SUITE.json
	times=() failed_stage=""
	rm -f "$res" "$log"
	info "=== $NAME: Linux $kver, $FLAVOUR, $VARIANT ==="
	if [ "$VARIANT" = base ]; then
		src=$(worktree_root)/base
		prepare() { ensure_worktree "$src" "$(base_commit "$repo")" &&
			git -C "$src" checkout -q --detach "$(base_commit "$repo")"; }
	else
		src=$(worktree_root)/$a
		prepare() { "$H/apply.sh" "$a"; }
	fi
	extra=()
	[ "$FLAVOUR" = debug ] && [ "$VARIANT" = pte_ref ] && extra+=(--expect-kunit)
	if stage apply prepare &&
	   stage config "$H/config.sh" "$a" "$FLAVOUR" "$VARIANT" "$src" "$b" &&
	   stage build "$H/build.sh" "$a" "$src" "$b" &&
	   stage guest "$H/guest.sh" "$a" "$src" "$b" >/dev/null &&
	   { [ "${NO_BOOT:-0}" = 1 ] || {
	   stage boot "$H/boot.sh" "$a" "$b/$IMAGE" "$O/guest/$a/initramfs.cpio" "$log" &&
	   stage judge "$H/judge.py" "$log" --json "$res.judge" "${extra[@]}"; }; }; then
		status=pass
	else
		status="failed at $failed_stage"
		# A guest that died still has a log worth judging for the summary.
		[ -f "$log" ] && [ ! -f "$res.judge" ] &&
			"$H/judge.py" "$log" --json "$res.judge" "${extra[@]}" || true
	fi
	{
		printf '{"arch": "%s", "flavour": "%s", "variant": "%s", "suite": "%s",\n' \
			"$NAME" "$FLAVOUR" "$VARIANT" "$SUITE"
		printf ' "kernel_tree": "%s", "status": "%s", "build_dir": "%s", "log": "%s",\n' \
			"$kver" "$status" "$b" "$log"
		printf ' "times": {%s},\n' "$(IFS=,; echo "${times[*]}")"
		printf ' "judge": %s}\n' "$(cat "$res.judge" 2>/dev/null || echo null)"
	} > "$res"
	rm -f "$res.judge"
	[ "$status" = pass ]
}

rc=0
results=()
parallel=${PARALLEL:-1}
[ "${VERBOSE:-0}" != 1 ] || parallel=1
declare -A out_of=()
# finish_one: wait for one background arch, then show what it printed.
finish_one() {
	local pid st=0
	wait -n -p pid || st=$?
	[ "$st" = 0 ] || rc=1
	cat "${out_of[$pid]}" >&2
	unset "out_of[$pid]"
}
for a in $arches; do
	results+=("$O/results/$a-$FLAVOUR-$VARIANT-$SUITE.json")
	if [ "$parallel" -le 1 ]; then
		run_arch "$a" || rc=1
		continue
	fi
	while [ ${#out_of[@]} -ge "$parallel" ]; do
		finish_one
	done
	out=$O/logs/$a-$FLAVOUR-$VARIANT-$SUITE.run.log
	info "$a: started ($parallel arches at once; its output follows when it is done)"
	run_arch "$a" > "$out" 2>&1 &
	out_of[$!]=$out
done
while [ ${#out_of[@]} -gt 0 ]; do
	finish_one
done

python3 "$H/summary.py" --run "$O/results/run-$run_id.json" "${results[@]}"
exit $rc
