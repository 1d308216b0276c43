#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest userspace for one arch and pack it into an initramfs.
#
# Every tests/guest/*.c is one static program (init.c becomes /init),
# built with the arch's libc; tests/<suite>.list says what /init runs.
# EXTRA_TESTS="/path/a /path/b" adds the user's own static binaries to the
# "tests" suite, and are the "extra" suite on their own.  The archive is made by the tree's own usr/gen_init_cpio.
#
# With the kernel's BUILD_DIR, and that kernel has CONFIG_MODULES and
# CONFIG_FREE_USER_PTE, tests/module/ is built against it as an
# out-of-tree module and packed as /lib/modules/pte_ref_walk.ko.
#
# usage: guest.sh ARCH_DIR SRC_TREE [BUILD_DIR] -> $O/guest/<arch>/initramfs.cpio
. "$(dirname "$0")/lib.sh"

load_profile "$1"
src=$2 kbuild=${3:-}
cc=${XC}gcc
need_cmd "$cc" "$XC_PKG"
g=$O/guest/$ARCH_DIR
rm -rf "$g"
mkdir -p "$g/bin"

for c in "$TOP"/tests/guest/*.c; do
	name=$(basename "$c" .c)
	# -static: the guest has no libc of its own.
	"$cc" -static -O2 -Wall -Wextra -pthread -o "$g/bin/$name" "$c" 2>"$g/cc.err" || {
		cat "$g/cc.err" >&2
		grep -q 'No such file\|cannot find -l' "$g/cc.err" &&
			info "the static libc for $NAME comes from the Debian package '$XLIBC_PKG'"
		die "cannot build guest program $c for $NAME"
	}
done

# The kernel's own mm selftests (tests/mm-selftests/run.list), shared by
# every flavour and variant of this arch: tools/ is the same in all.
mm=$O/mm-selftests/$ARCH_DIR
"$TOP/harness/mm-selftests.sh" "$1" "$src" "$mm"

# The out-of-tree module, built in a copy (kbuild writes next to the source).
ko=
if [ -n "$kbuild" ] && grep -q '^CONFIG_MODULES=y' "$kbuild/.config" &&
   grep -q '^CONFIG_FREE_USER_PTE=y' "$kbuild/.config"; then
	m=$g/module
	rm -rf "$m"
	cp -r "$TOP/tests/module" "$m"
	if ! make -C "$src" O="$kbuild" ARCH="$KARCH" CROSS_COMPILE="$XC" 		CC="$(use_ccache)${XC}gcc" M="$m" modules >"$m/build.log" 2>&1; then
		grep -E 'error|ERROR' "$m/build.log" | head -20 >&2 || true
		die "the out-of-tree test module does not build against $kbuild; log: $m/build.log"
	fi
	ko=$m/pte_ref_walk.ko
fi

tool=$O/tools/gen_init_cpio
if [ ! -x "$tool" ] || [ "$src/usr/gen_init_cpio.c" -nt "$tool" ]; then
	mkdir -p "$O/tools"
	# Arches built in parallel may both get here: rename into place.
	gcc -O2 -o "$tool.$$" "$src/usr/gen_init_cpio.c" && mv -f "$tool.$$" "$tool"
fi

list=$g/cpio.list
{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "dir /proc 0755 0 0"
	echo "dir /sys 0755 0 0"
	echo "dir /tmp 1777 0 0"
	echo "dir /bin 0755 0 0"
	echo "file /init $g/bin/init 0755 0 0"
	for b in "$g"/bin/*; do
		[ "$(basename "$b")" = init ] || echo "file /bin/$(basename "$b") $b 0755 0 0"
	done
	echo "dir /bin/mm 0755 0 0"
	for b in "$mm"/bin/*; do
		echo "file /bin/mm/$(basename "$b") $b 0755 0 0"
	done
	echo "file /mm-selftests.list $TOP/tests/mm-selftests/run.list 0644 0 0"
	if [ -n "$ko" ]; then
		echo "dir /lib 0755 0 0"
		echo "dir /lib/modules 0755 0 0"
		echo "file /lib/modules/pte_ref_walk.ko $ko 0644 0 0"
	fi
	# Debian's stress-ng and trinity, with their libraries, where the
	# profile lists them; elsewhere the guest is told why not.
	"$TOP/harness/guest-tools.sh" "$ARCH_DIR" || die "cannot pack the guest tools for $NAME"
	if [ -z "${GUEST_TOOLS:-}" ]; then
		printf '%s\n' "${GUEST_TOOLS_WHY:-arch/$ARCH_DIR/profile lists no GUEST_TOOLS}" > "$g/guest-tools.why"
		echo "file /guest-tools.why $g/guest-tools.why 0644 0 0"
	fi
	for l in "$TOP"/tests/*.list; do
		cp "$l" "$g/"
	done
	# The extras also make a suite of their own (SUITE=extra), for runs
	# that need only them.
	echo "# EXTRA_TESTS alone" > "$g/extra.list"
	for x in ${EXTRA_TESTS:-}; do
		[ -f "$x" ] && [ -x "$x" ] || die "EXTRA_TESTS: '$x' is not an executable file"
		echo "file /bin/$(basename "$x") $(readlink -f "$x") 0755 0 0"
		printf '%s\t%s\n' "$(basename "$x")" "$(basename "$x")" |
			tee -a "$g/tests.list" >> "$g/extra.list"
	done
	for l in "$g"/*.list; do
		[ "$l" = "$list" ] || echo "file /$(basename "$l") $l 0644 0 0"
	done
} > "$list.tmp"
mv "$list.tmp" "$list"
"$tool" "$list" > "$g/initramfs.cpio"
echo "$g/initramfs.cpio"
