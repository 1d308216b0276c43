#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build one kernel: ARCH/CROSS_COMPILE from the arch profile, one O= dir
# per arch, flavour and variant, ccache when present, -j from nproc.
#
# usage: build.sh ARCH_DIR SRC_TREE BUILD_DIR
. "$(dirname "$0")/lib.sh"

load_profile "$1"
src=$2 b=$3
need_cmd "${XC}gcc" "$XC_PKG"
for t in flex:flex bison:bison bc:bc; do
	need_cmd "${t%%:*}" "${t##*:}"
done
target=$(basename "$IMAGE")
# With modules, also Module.symvers, which an out-of-tree module links by.
grep -q '^CONFIG_MODULES=y' "$b/.config" && target="$target modules"
log=$b/build.log
info "building $NAME in $b ($(${XC}gcc --version | head -1))"
# shellcheck disable=SC2086 # $target is a word list
if ! make -C "$src" O="$b" ARCH="$KARCH" CROSS_COMPILE="$XC" \
	CC="$(use_ccache)${XC}gcc" -j"$JOBS" ${KMAKE_ARGS:-} $target >"$log" 2>&1; then
	grep -E ': (fatal )?error:|Error [0-9]' "$log" | head -20 >&2 || true
	die "$NAME kernel build failed; full log: $log"
fi
[ -f "$b/$IMAGE" ] || die "build finished but $b/$IMAGE is missing"
