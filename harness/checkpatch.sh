#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch --strict over every generated patch, run inside a tree with
# the patches applied (so it can see Documentation and MAINTAINERS).
# Findings are only tolerated when harness/checkpatch-allow lists them
# (PATCH-FILE-GLOB TYPE  # why); an entry that matches nothing fails, so the
# list cannot rot.
. "$(dirname "$0")/lib.sh"

allow=$TOP/harness/checkpatch-allow
# Any arch's tree with the current series applied has every file the
# core patches touch (Documentation, MAINTAINERS) for checkpatch to see.
set -- $(resolve_arches)
"$TOP/harness/apply.sh" "$1" >/dev/null
tree=$(worktree_root)/$1
rc=0
used=$(mktemp)
trap 'rm -f "$used"' EXIT
for p in "$O"/patches/*/[0-9][0-9][0-9][0-9]-*.patch; do
	case "$p" in */0000-cover-letter.patch) continue ;; esac
	rel=${p#"$O"/patches/}
	# Debian's python3 has the modules scripts/spdxcheck.py needs.
	out=$(cd "$tree" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl --strict --show-types -q \
		"$p" 2>&1) || true
	while IFS= read -r line; do
		type=$(sed -n -E 's/^(ERROR|WARNING|CHECK):([A-Z_]+):.*/\2/p' <<< "$line")
		[ -n "$type" ] || continue
		ok=""
		while read -r glob atype _; do
			case "$glob" in ''|'#'*) continue ;; esac
			# shellcheck disable=SC2254 # the glob is the point
			case "$rel" in $glob) [ "$atype" = "$type" ] && ok="$glob $atype" ;; esac
		done < "$allow"
		if [ -n "$ok" ]; then
			echo "$ok" >> "$used"
		else
			echo "checkpatch: $rel: $line"
			rc=1
		fi
	done <<< "$out"
done
while read -r glob atype _; do
	case "$glob" in ''|'#'*) continue ;; esac
	grep -qxF "$glob $atype" "$used" ||
		{ echo "checkpatch: allow-list entry '$glob $atype' matches nothing: remove it"; rc=1; }
done < "$allow"
[ $rc = 0 ] && echo "checkpatch --strict: clean over $(ls "$O"/patches/*/[0-9]*.patch | grep -vc cover-letter) patches"
exit $rc
