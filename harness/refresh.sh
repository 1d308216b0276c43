#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# For developers: write a series' change.diff files back from a kernel
# worktree in which each patch of the series is one commit.
#
# usage: refresh.sh SERIES_DIR DEV_TREE [FIRST_COMMIT]
#   SERIES_DIR    core/series or arch/<arch>/series
#   DEV_TREE      a worktree whose commits FIRST_COMMIT^..HEAD are, in
#                 order, the series' patches (default: refs/pte_ref/base..)
# Paths a step copies from the project ("files") are left out of the diffs:
# the project's copy is the one that counts, and is compared instead.
. "$(dirname "$0")/lib.sh"

series=$(cd "$1" && pwd)
dev=$2
if [ -n "${3:-}" ]; then
	range="$3^..HEAD"
else
	range="refs/pte_ref/base..HEAD"
fi
mapfile -t commits < <(git -C "$dev" rev-list --reverse "$range")
mapfile -t steps < <(find "$series" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*' | sort)
[ ${#commits[@]} -eq ${#steps[@]} ] ||
	die "$dev has ${#commits[@]} commits in $range but $series has ${#steps[@]} steps"

# Paths copied from the project by any step are left out of every diff:
# series.sh copies their final version, in the step that lists them.
excludes=()
for step in "${steps[@]}"; do
	[ -f "$step/files" ] || continue
	while read -r src dst; do
		case "$src" in ''|'#'*) continue ;; esac
		excludes+=(":(exclude)$dst")
		git -C "$dev" show "HEAD:$dst" 2>/dev/null | cmp -s - "$TOP/$src" ||
			info "warning: $dst at $dev HEAD differs from $src"
	done < "$step/files"
done

for i in "${!steps[@]}"; do
	step=${steps[$i]} c=${commits[$i]}
	git -C "$dev" diff "$c^" "$c" -- . "${excludes[@]}" > "$step/change.diff"
	[ -s "$step/change.diff" ] || rm -f "$step/change.diff"
	info "${step#"$TOP"/}: $(git -C "$dev" log -1 --format=%s "$c")"
done
