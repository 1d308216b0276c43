#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Provide the unpatched Linux 6.12 tree every series applies to.
#
# Default: import Debian's linux-source-6.12 tarball once into $CACHE/linux
# as a git repo whose single commit is tagged refs/pte_ref/base.
# KDIR=path: the user's own 6.12.y git tree; its HEAD becomes the base the
# first time (recorded in refs/pte_ref/base so later runs agree).
. "$(dirname "$0")/lib.sh"

TARBALL=${TARBALL:-/usr/src/linux-source-6.12.tar.xz}

check_612() {
	local v
	v=$(kernel_version "$1") || true
	case "$v" in
	6.12|6.12.*) ;;
	"") die "$1 is not a Linux source tree (no 'make kernelversion')" ;;
	*) die "$1 is Linux $v; pte_ref's series are for 6.12.y only" ;;
	esac
	echo "$v"
}

import_tarball() {
	local repo=$1
	[ -f "$TARBALL" ] ||
		die "$TARBALL missing: install the Debian package 'linux-source-6.12' (or 'make deps')"
	info "importing $TARBALL into $repo (once)"
	tmp="$repo.tmp.$$"
	# Leftovers of an import that was killed half-way.
	rm -rf "$repo".tmp.*
	mkdir -p "$tmp"
	# An interrupted import leaves only $tmp, removed by the next run.
	trap 'rm -rf "$tmp"' EXIT
	tar -xJf "$TARBALL" -C "$tmp" --strip-components=1
	git -C "$tmp" init -q
	git -C "$tmp" config core.autocrlf false
	git -C "$tmp" config gc.auto 0
	# -f: Debian's packaging appends "/*" to the top-level .gitignore.
	git -C "$tmp" add -A -f
	GIT_AUTHOR_NAME=pte_ref GIT_AUTHOR_EMAIL=pte_ref@localhost \
	GIT_COMMITTER_NAME=pte_ref GIT_COMMITTER_EMAIL=pte_ref@localhost \
	GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z' \
		git -C "$tmp" commit -q -m "Linux $(kernel_version "$tmp") from $(basename "$TARBALL")"
	git -C "$tmp" update-ref refs/pte_ref/base HEAD
	rm -rf "$repo"
	mv "$tmp" "$repo"
	trap - EXIT
	# Worktrees of a previous import point at a repo that is gone.
	rm -rf "$(worktree_root)"
}

[ -z "${KDIR:-}" ] || [ -d "$KDIR" ] || die "KDIR=$KDIR does not exist"
repo=$(tree_repo)
if [ -n "${KDIR:-}" ]; then
	git -C "$repo" rev-parse --show-toplevel >/dev/null 2>&1 ||
		die "KDIR=$KDIR is not a git tree (pte_ref applies its series with git)"
	[ "$(git -C "$repo" rev-parse --show-toplevel)" = "$repo" ] ||
		die "KDIR=$KDIR is not the top of a git tree"
	if ! git -C "$repo" rev-parse -q --verify refs/pte_ref/base >/dev/null; then
		check_612 "$repo" >/dev/null
		git -C "$repo" update-ref refs/pte_ref/base HEAD
		info "KDIR: recorded base $(git -C "$repo" rev-parse --short HEAD) in refs/pte_ref/base"
	fi
else
	need_cmd git git
	[ -d "$repo/.git" ] && git -C "$repo" rev-parse -q --verify refs/pte_ref/base >/dev/null ||
		import_tarball "$repo"
fi

# Everything below works on the recorded base, never on whatever is checked out.
ver=$(git -C "$repo" show "$(base_commit "$repo"):Makefile" |
	awk '/^VERSION =/{v=$3} /^PATCHLEVEL =/{p=$3} /^SUBLEVEL =/{s=$3} END{print v"."p"."s}')
case "$ver" in
6.12.*) ;;
*) die "base of $repo is Linux $ver; pte_ref's series are for 6.12.y only" ;;
esac
mkdir -p "$O"
echo "$ver" > "$O/kernel-version"
info "kernel tree: $repo, Linux $ver, base $(git -C "$repo" rev-parse --short "$(base_commit "$repo")")"
