#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the kernel's own mm selftests (tools/testing/selftests/mm of the
# tree under test) for one arch: every program that tests/mm-selftests/
# run.list names, static, against the tree's own UAPI headers, as their
# Makefile would (same helper sources and libraries, no liburing).
#
# usage: mm-selftests.sh ARCH_DIR SRC_TREE OUT_DIR  -> OUT_DIR/bin/<program>
# A program is rebuilt only when it is missing or older than its source
# or this script.
. "$(dirname "$0")/lib.sh"

load_profile "$1"
src=$2 out=$(mkdir -p "$3" && cd "$3" && pwd)
cc=${XC}gcc
sel=$src/tools/testing/selftests/mm
list=$TOP/tests/mm-selftests/run.list
[ -d "$sel" ] || die "$src has no tools/testing/selftests/mm"
need_cmd "$cc" "$XC_PKG"
mkdir -p "$out/bin"

# The tree's UAPI headers: the selftests use what this kernel defines
# (PAGEMAP_SCAN, MAP_DROPPABLE, mseal), newer than the cross libc's.
hdr=$out/.headers
if [ ! -f "$hdr/usr/include/linux/mman.h" ] || [ "$src/Makefile" -nt "$hdr/usr/include/linux/mman.h" ]; then
	make -s -C "$src" ARCH="$KARCH" O="$hdr" headers_install >"$out/headers.log" 2>&1 ||
		{ cat "$out/headers.log" >&2; die "$NAME: make headers_install failed in $src"; }
fi
# What check_config.sh would write on a host without liburing.
echo "// No liburing support found" > "$out/local_config.h"

mapfile -t progs < <(awk '!/^#/ && NF >= 3 { p = $3; if (p ~ /^skip_on=/) p = $4; print p }' "$list" | sort -u)
[ ${#progs[@]} -gt 0 ] || die "$list names no program"
for p in "${progs[@]}"; do
	[ -f "$sel/$p.c" ] || die "tests/mm-selftests/run.list: no $p.c in $sel"
	helpers=("$sel/vm_util.c" "$sel/thp_settings.c") extra=()
	case $p in
	uffd-*) helpers+=("$sel/uffd-common.c") ;;
	# 6.12.y's khugepaged.c uses KSFT_SKIP without including kselftest.h.
	khugepaged) extra=(-include "$src/tools/testing/selftests/kselftest.h") ;;
	esac
	bin=$out/bin/$p
	[ ! -f "$bin" ] || [ "$sel/$p.c" -nt "$bin" ] || [ "$sel/vm_util.c" -nt "$bin" ] ||
		[ "${BASH_SOURCE[0]}" -nt "$bin" ] || continue
	# From $sel, with the file name alone: gup_longterm makes its scratch
	# file from __FILE__ in the current directory.
	if ! (cd "$sel" && "$cc" -static -s -O2 -w -U_FORTIFY_SOURCE "${extra[@]}" \
		-I "$out" -I "$src" -I "$src/tools/testing/selftests" \
		-isystem "$hdr/usr/include" -isystem "$src/tools/include/uapi" \
		-o "$bin" "$p.c" "${helpers[@]}" -lrt -lpthread -lm 2>"$out/$p.err"); then
		cat "$out/$p.err" >&2
		die "$NAME: cannot build the mm selftest $p ($sel/$p.c)"
	fi
done
# Only what the list names goes into the guest.
for b in "$out"/bin/*; do
	printf '%s\n' "${progs[@]}" | grep -qxF "$(basename "$b")" || rm -f "$b"
done
info "$NAME: ${#progs[@]} mm selftests in $out/bin"
