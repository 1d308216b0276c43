#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make patches`: turn the project's sources into git-format-patch series.
#
# A series is a folder (core/series, arch/<arch>/series) holding a "cover"
# file (subject line, blank line, blurb) and one folder per patch, applied in
# name order.  Each patch folder has:
#   message      the commit message (subject, blank line, body)
#   files        optional "project/path kernel/path" lines: copy into tree
#   change.diff  optional diff against the tree as left by earlier patches
# Commits are made in a private index (no checkout is touched), then
# exported with format-patch: $O/patches/core and $O/patches/<arch>.
. "$(dirname "$0")/lib.sh"
. "$TOP/harness/identity"

repo=$(tree_repo)
base=$(base_commit "$repo")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GIT_INDEX_FILE=$tmp/index
export GIT_AUTHOR_NAME=$NAME GIT_AUTHOR_EMAIL=$EMAIL GIT_AUTHOR_DATE=$DATE
export GIT_COMMITTER_NAME=$NAME GIT_COMMITTER_EMAIL=$EMAIL GIT_COMMITTER_DATE=$DATE

# commit_series DIR PARENT: echo the tip commit after DIR's patches.
commit_series() {
	local dir=$1 parent=$2 step src dst sha tree
	git -C "$repo" read-tree "$parent"
	for step in "$dir"/[0-9]*/; do
		step=${step%/}
		[ -f "$step/message" ] || die "${step#"$TOP"/}: no 'message' file"
		if [ -f "$step/files" ]; then
			while read -r src dst; do
				case "$src" in ''|'#'*) continue ;; esac
				[ -f "$TOP/$src" ] || die "${step#"$TOP"/}/files: '$src' does not exist"
				sha=$(git -C "$repo" hash-object -w "$TOP/$src")
				git -C "$repo" update-index --add --cacheinfo "100644,$sha,$dst"
			done < "$step/files"
		fi
		if [ -f "$step/change.diff" ]; then
			git -C "$repo" apply --cached "$step/change.diff" 2>"$tmp/err" || {
				sed 's/^/    /' "$tmp/err" >&2
				die "${step#"$TOP"/}/change.diff does not apply (files above)"
			}
		fi
		tree=$(git -C "$repo" write-tree)
		parent=$(git interpret-trailers --trailer "Signed-off-by: $NAME <$EMAIL>" \
				"$step/message" |
			git -C "$repo" commit-tree "$tree" -p "$parent")
	done
	echo "$parent"
}

# export_series NAME FROM TO DIR: format-patch FROM..TO with DIR's cover.
export_series() {
	local name=$1 from=$2 to=$3 dir=$4 out=$O/patches/$1
	rm -rf "$out"
	mkdir -p "$out"
	git -C "$repo" format-patch -q --cover-letter --base="$base" \
		--subject-prefix="PATCH 6.12 pte_ref" --zero-commit -o "$out" "$from..$to"
	[ -f "$dir/cover" ] || die "${dir#"$TOP"/}: no 'cover' file"
	python3 "$TOP/harness/fill_cover.py" "$dir/cover" "$out"/0000-cover-letter.patch
	git -C "$repo" update-ref "refs/pte_ref/series/$name" "$to"
	info "series $name: $(ls "$out" | grep -vc cover-letter) patches in $out"
}

core=$(commit_series "$TOP/core/series" "$base")
export_series core "$base" "$core" "$TOP/core/series"
for a in $(resolve_arches); do
	tip=$(commit_series "$TOP/arch/$a/series" "$core")
	export_series "$a" "$core" "$tip" "$TOP/arch/$a/series"
done
