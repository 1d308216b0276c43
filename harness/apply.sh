#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make apply ARCH=<arch> [KDIR=...]`: apply the core series, then the
# arch's series, from $O/patches onto the 6.12 base.
#
# The patch files are applied the way `git am` does (mailinfo + apply) but
# into a private index, and the result is then checked out on branch
# pte_ref/<arch>.  A checkout only rewrites files whose content changed, so
# an incremental kernel build stays incremental after re-applying.
#
# usage: apply.sh ARCH_DIR [CHECKOUT]   (default checkout: the arch worktree)
. "$(dirname "$0")/lib.sh"
. "$TOP/harness/identity"

arch=$1
repo=$(tree_repo)
base=$(base_commit "$repo")
checkout=${2:-}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GIT_INDEX_FILE=$tmp/index
export GIT_COMMITTER_NAME=$NAME GIT_COMMITTER_EMAIL=$EMAIL GIT_COMMITTER_DATE=$DATE

git -C "$repo" read-tree "$base"
tip=$base
for series in core "$arch"; do
	dir=$O/patches/$series
	ls "$dir"/0001-*.patch >/dev/null 2>&1 ||
		die "no patches in $dir: run 'make patches' first"
	for patch in "$dir"/[0-9][0-9][0-9][0-9]-*.patch; do
		case "$patch" in */0000-cover-letter.patch) continue ;; esac
		git mailinfo "$tmp/msg" "$tmp/diff" < "$patch" > "$tmp/info"
		git -C "$repo" apply --cached "$tmp/diff" 2>"$tmp/err" || {
			sed 's/^/    /' "$tmp/err" >&2
			die "patch $patch does not apply to $repo at $(git -C "$repo" rev-parse --short "$tip") (files above)"
		}
		subject=$(sed -n 's/^Subject: //p' "$tmp/info")
		tree=$(git -C "$repo" write-tree)
		tip=$(printf '%s\n\n%s' "$subject" "$(cat "$tmp/msg")" |
			GIT_AUTHOR_NAME=$(sed -n 's/^Author: //p' "$tmp/info") \
			GIT_AUTHOR_EMAIL=$(sed -n 's/^Email: //p' "$tmp/info") \
			GIT_AUTHOR_DATE=$(sed -n 's/^Date: //p' "$tmp/info") \
			git -C "$repo" commit-tree "$tree" -p "$tip")
	done
done
unset GIT_INDEX_FILE

# The files must rebuild exactly what `make patches` committed from sources.
if git -C "$repo" rev-parse -q --verify "refs/pte_ref/series/$arch" >/dev/null &&
   [ "$(git -C "$repo" rev-parse "$tip^{tree}")" != \
     "$(git -C "$repo" rev-parse "refs/pte_ref/series/$arch^{tree}")" ]; then
	die "patches in $O/patches do not match the sources any more: run 'make patches'"
fi

if [ -z "$checkout" ]; then
	checkout=$(worktree_root)/$arch
	ensure_worktree "$checkout" "$tip"
else
	[ -z "$(git -C "$checkout" status --porcelain --untracked-files=no)" ] ||
		die "$checkout has uncommitted changes; commit or stash them first"
fi
if [ -n "${2:-}" ]; then
	git -C "$checkout" checkout -q -B "pte_ref/$arch" "$tip"
else
	# Detached: a branch may be checked out in one worktree only.
	git -C "$checkout" checkout -q --detach "$tip"
fi
info "applied core + $arch series on $checkout (branch pte_ref/$arch, $(git -C "$checkout" rev-list --count "$base..$tip") patches)"
