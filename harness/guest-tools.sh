#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Debian's own test tools (stress-ng, trinity) for a guest: the cpio lines
# that pack each one with its shared libraries and its dynamic loader.
#
# usage: guest-tools.sh ARCH_DIR
#
# The profile's GUEST_TOOLS names the Debian packages, DEBIAN_ARCH their
# architecture.  They come from Debian's archive for that architecture,
# through apt with a private state under $CACHE/sysroot/<arch> (nothing
# is installed on the host, and a foreign architecture needs no `dpkg
# --add-architecture`), and are unpacked there.  A tool that cannot be
# had is an error: the guest tests that use it must not skip quietly.
# A profile without GUEST_TOOLS says why in GUEST_TOOLS_WHY.
. "$(dirname "$0")/lib.sh"

load_profile "$1"
[ -n "${GUEST_TOOLS:-}" ] || exit 0
[ -n "${DEBIAN_ARCH:-}" ] || die "arch/$1/profile: GUEST_TOOLS without DEBIAN_ARCH"
need_cmd readelf binutils
need_cmd dpkg-deb dpkg

root=$CACHE/sysroot/$DEBIAN_ARCH
fs=$root/fs
apt=(apt-get -q -o "APT::Architecture=$DEBIAN_ARCH" -o "APT::Architectures::=$DEBIAN_ARCH"
	-o "Dir::State::Lists=$root/apt/lists" -o "Dir::State::status=$root/apt/status"
	-o "Dir::Cache=$root/apt/cache" -o "Dir::Cache::archives=$root/apt/archives"
	-o "APT::Sandbox::User=root")

# Download and unpack once per set of tools; a new set starts afresh.
if [ "$(cat "$root/tools" 2>/dev/null)" != "$GUEST_TOOLS" ]; then
	info "fetching $GUEST_TOOLS for $DEBIAN_ARCH from Debian's archive"
	rm -rf "$root"
	mkdir -p "$root/apt/lists/partial" "$root/apt/archives/partial" "$root/apt/cache" "$fs"
	touch "$root/apt/status"
	# shellcheck disable=SC2086
	"${apt[@]}" update >"$root/apt.log" 2>&1 &&
		"${apt[@]}" install --download-only -y --no-install-recommends \
			$GUEST_TOOLS >>"$root/apt.log" 2>&1 ||
		die "cannot download $GUEST_TOOLS for $DEBIAN_ARCH (log $root/apt.log)"
	for deb in "$root"/apt/archives/*.deb; do
		dpkg-deb -x "$deb" "$fs" || die "cannot unpack $deb"
	done
	echo "$GUEST_TOOLS" > "$root/tools"
fi

# find_lib NAME: the unpacked file a DT_NEEDED name resolves to, by the
# multiarch search order of Debian's loader.
find_lib() {
	local d
	for d in "$fs"/lib/*-linux-gnu* "$fs"/usr/lib/*-linux-gnu* "$fs/lib" "$fs/usr/lib"; do
		[ -e "$d/$1" ] && { echo "$d/$1"; return; }
	done
	die "$1, needed by the guest tools, is not in $fs"
}

# closure FILE: FILE, its loader and every library it needs, recursively.
closure() {
	local f lib interp todo=("$1") seen=" "
	interp=$(readelf -l "$1" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	[ -z "$interp" ] || echo "$fs$interp"
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		for lib in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			case "$seen" in *" $lib "*) continue ;; esac
			seen="$seen$lib "
			lib=$(find_lib "$lib")
			echo "$lib"
			todo+=("$lib")
		done
	done
}

# in_fs PATH_IN_FS: the file a symlink under $fs leads to, also under $fs
# (an absolute link there means $fs/..., not the host's own file).
in_fs() {
	local p=$1 t n=0
	while [ -L "$p" ] && [ $n -lt 40 ]; do
		t=$(readlink "$p")
		case "$t" in
		/*) p=$fs$t ;;
		*) p=$(dirname "$p")/$t ;;
		esac
		n=$((n + 1))
	done
	[ -f "$p" ] || die "${1#"$fs"} leads to nothing in $fs"
	echo "$p"
}

# cpio_file PATH_IN_FS: the file at its own path in the guest, with its dirs.
cpio_file() {
	local guest=${1#"$fs"} path= part
	for part in $(dirname "$guest" | tr / ' '); do
		path=$path/$part
		echo "dir $path 0755 0 0"
	done
	echo "file $guest $(in_fs "$1") 0755 0 0"
}

for pkg in $GUEST_TOOLS; do
	bin=$fs/usr/bin/$pkg
	[ -x "$bin" ] || die "Debian's $pkg for $DEBIAN_ARCH has no /usr/bin/$pkg"
	echo "file /bin/$pkg $bin 0755 0 0"
	closure "$bin" | while read -r f; do cpio_file "$f"; done
done | awk '!seen[$0]++'
