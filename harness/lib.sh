# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the pte_ref harness scripts; sourced, never executed.
#
# Every script gets the same view of the world from the environment the
# top-level Makefile exports: TOP, O, CACHE, ARCH, FLAVOUR, KDIR, JOBS.

set -euo pipefail

TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
CACHE=${CACHE:-$HOME/.cache/pte_ref}
O=${O:-$TOP/out}
FLAVOUR=${FLAVOUR:-fast}
JOBS=${JOBS:-$(( $(nproc) + 1 ))}

die() {
	printf 'pte_ref: error: %s\n' "$*" >&2
	exit 1
}

info() {
	printf 'pte_ref: %s\n' "$*" >&2
}

# need_cmd CMD PACKAGE: fail naming the Debian package that provides CMD.
need_cmd() {
	command -v "$1" >/dev/null 2>&1 ||
		die "'$1' not found: install the Debian package '$2' (apt-get install $2, or 'make deps')"
}

# All architectures are whatever has a profile under arch/; nothing else
# in the harness names one.
all_arches() {
	local p
	for p in "$TOP"/arch/*/profile; do
		basename "$(dirname "$p")"
	done
}

# arch_dir NAME: map a user-facing ARCH (x86_64, x86, arm64, riscv, ...)
# to its folder under arch/, using each profile's ALIASES line.
arch_dir() {
	local want=$1 a aliases
	for a in $(all_arches); do
		aliases=$(sed -n 's/^ALIASES="\(.*\)"$/\1/p' "$TOP/arch/$a/profile")
		for alias in $a $aliases; do
			if [ "$alias" = "$want" ]; then
				echo "$a"
				return 0
			fi
		done
	done
	die "unknown ARCH '$want'; supported: $(all_arch_names | tr '\n' ' ')"
}

all_arch_names() {
	local a
	for a in $(all_arches); do
		sed -n 's/^NAME=//p' "$TOP/arch/$a/profile"
	done
}

# resolve_arches: expand $ARCH (empty or "all" = every arch) into folders.
resolve_arches() {
	local a d out=()
	if [ -z "${ARCH:-}" ] || [ "$ARCH" = all ]; then
		all_arches
		return
	fi
	for a in ${ARCH//,/ }; do
		d=$(arch_dir "$a") || exit 1
		out+=("$d")
	done
	printf '%s\n' "${out[@]}"
}

# load_profile DIR: read arch/DIR/profile (plain KEY=value data) and work
# out the toolchain prefix: empty when the host is that architecture.
load_profile() {
	local dir=$1
	[ -f "$TOP/arch/$dir/profile" ] || die "no profile for arch '$dir'"
	ARCH_DIR=$dir
	# shellcheck disable=SC1090
	. "$TOP/arch/$dir/profile"
	if [ "$(uname -m)" = "$UNAME" ]; then
		XC=""
		XC_PKG=gcc
		XLIBC_PKG=libc6-dev
	else
		XC=${CROSS_COMPILE:-$CROSS_PREFIX}
		XC_PKG=$CROSS_PKG
		XLIBC_PKG=$CROSS_LIBC_PKG
	fi
}

# Where the kernel source trees live: the repo (cache import or KDIR) and
# one git worktree per patched arch plus one unpatched ("base").
tree_repo() {
	if [ -n "${KDIR:-}" ]; then
		(cd "$KDIR" && pwd)
	else
		echo "$CACHE/linux"
	fi
}

worktree_root() {
	if [ -n "${KDIR:-}" ]; then
		echo "$CACHE/worktrees/kdir-$(tree_repo | sha1sum | cut -c1-12)"
	else
		echo "$CACHE/worktrees/debian"
	fi
}

# base_commit REPO: the unpatched 6.12 commit every series applies to.
base_commit() {
	git -C "$1" rev-parse -q --verify refs/pte_ref/base ||
		die "$1 has no pte_ref base; run 'make tree'"
}

# series_tip REPO ARCH_DIR: the commit of core + that arch's series.
series_tip() {
	git -C "$1" rev-parse -q --verify "refs/pte_ref/series/$2" ||
		die "no $2 series in $1: run 'make patches' first"
}

kernel_version() {
	make -s -C "$1" kernelversion 2>/dev/null
}

# build_dir ARCH_DIR FLAVOUR VARIANT: the kbuild O= dir of one kernel.  It
# lives in the cache beside the worktree it builds, not in $O: a fresh
# clone (CI's) then builds incrementally, as ccache alone cannot make it.
build_dir() {
	echo "$CACHE/build/$(basename "$(worktree_root)")/$1-$2${3:+-$3}"
}

use_ccache() {
	if command -v ccache >/dev/null 2>&1 && [ "${CCACHE:-1}" != 0 ]; then
		echo "ccache "
	fi
}

# ensure_worktree PATH COMMIT: a worktree of the tree repo at PATH, made
# once; later calls reuse it (its checkout is switched by the caller).
ensure_worktree() {
	local path=$1 commit=$2 repo
	repo=$(tree_repo)
	if [ ! -e "$path/.git" ]; then
		rm -rf "$path"
		git -C "$repo" worktree prune
		mkdir -p "$(dirname "$path")"
		info "creating worktree $path"
		git -C "$repo" worktree add -q --detach "$path" "$commit"
	fi
	# A previous run may have been interrupted mid-checkout.
	git -C "$path" reset -q --hard
}
