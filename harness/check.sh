#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: the kernel robots' static checks, judged against the
# unpatched tree.  For each arch: sparse (C=2) and W=1 over every .c file
# the core and arch series touch, in the unpatched and the patched tree;
# a warning is new if its file and message (not line) are not in the
# unpatched output.  Then checkpatch --strict over every generated patch,
# with harness/checkpatch-allow as the only exceptions, and `git am` of
# core + each arch series on a clean tree.  Fails on anything new; prints
# the unpatched tree's own warnings as "existing".
. "$(dirname "$0")/lib.sh"

need_cmd sparse sparse
repo=$(tree_repo)
base=$(base_commit "$repo")
CF_FLAGS="-D__CHECK_ENDIAN__ -fmax-warnings=unlimited"
rc=0

# warnings LOG: "file: message" keys, one per line, line numbers dropped.
# Sparse reports a context imbalance once per function, at the first
# unbalanced lock operation it meets, which may be in any header inlined
# there (rcupdate.h, mmiowb.h, ...): those are keyed by the function alone.
warnings() {
	sed -n -E 's#^(/[^ ]*/)?([^ :]+\.[ch]):[0-9]+(:[0-9]+)?: (warning|error): (.*)$#\2: \5#p' "$1" |
		sed -E "s#^.*/worktrees/[^/]+/[^/]+/##; s#(‘|’)#'#g" |
		sed -E "s#^[^ ]*: (context imbalance in '[^']*')#\1#" | sort
}

for a in $(resolve_arches); do
	load_profile "$a"
	tip=$(series_tip "$repo" "$a")
	objs=$(git -C "$repo" diff --name-only "$base" "$tip" -- '*.c' | sed 's/\.c$/.o/')
	[ -n "$objs" ] || die "the $a series touches no .c file?"
	for variant in base pte_ref; do
		b=$O/check/$a-$variant
		if [ $variant = base ]; then
			src=$(worktree_root)/base
			ensure_worktree "$src" "$base"
			git -C "$src" checkout -q --detach "$base"
		else
			src=$(worktree_root)/$a
			"$TOP/harness/apply.sh" "$a" >/dev/null
		fi
		# check-both.config and the arch's check.config (both trees: they
		# make them build every file the series touch) and, patched, the
		# KUnit file too.
		frag=$O/check/$a-$variant.config
		mkdir -p "$O/check"
		cat "$TOP/harness/configs/check-both.config" > "$frag"
		[ ! -f "$TOP/arch/$a/check.config" ] || cat "$TOP/arch/$a/check.config" >> "$frag"
		[ $variant = base ] || cat "$TOP/harness/configs/check.config" >> "$frag"
		EXTRA_CONFIG=$frag "$TOP/harness/config.sh" "$a" fast "$variant" "$src" "$b" ||
			die "cannot configure $b"
		present=()
		for o in $objs; do
			c=$src/${o%.o}.c
			[ -f "$c" ] || continue
			# A file #included by another (a KUnit suite that reaches
			# static functions) is checked inside it, not on its own.
			grep -qs "^#include \"$(basename "$c")\"" "$(dirname "$c")"/*.c &&
				continue
			present+=("$o")
		done
		info "$NAME $variant: sparse + W=1 on ${#present[@]} files"
		# Rebuild the objects so the checks see them, whatever make thinks.
		(cd "$b" && rm -f "${present[@]}")
		# A file that did not compile was not checked: that is a failure,
		# never an empty (and so "clean") list of warnings.  LANG=C (kbuild
		# unexports LC_ALL): gcc quotes names alike whatever the locale.
		LANG=C LC_ALL=C make -C "$src" O="$b" ARCH="$KARCH" CROSS_COMPILE="$XC" -j"$JOBS" \
			C=2 CHECK="$TOP/harness/sparse-compat" CF="$CF_FLAGS" W=1 \
			"${present[@]}" > "$b/check.log" 2>&1 || {
			grep -E 'error|invalid' "$b/check.log" | head -5 >&2
			die "$NAME $variant: sparse/W=1 build failed, nothing was checked; log: $b/check.log"
		}
		for o in "${present[@]}"; do
			[ -f "$b/$o" ] || die "$NAME $variant: $o was not built; log: $b/check.log"
		done
		warnings "$b/check.log" > "$b/warnings"
	done
	existing=$O/check/$a-base/warnings
	new=$(comm -13 "$existing" "$O/check/$a-pte_ref/warnings")
	if [ -s "$existing" ]; then
		echo "$NAME: existing warnings in the unpatched files (not counted):"
		sed 's/^/  existing: /' "$existing"
	fi
	if [ -n "$new" ]; then
		echo "$NAME: NEW warnings with the series applied:"
		sed 's/^/  new: /' <<< "$new"
		rc=1
	else
		echo "$NAME: sparse + W=1: nothing new"
	fi
done

# What users do with the files: git am, core then one arch, on a clean base.
am=$CACHE/worktrees/am-check
rm -rf "$am"
git -C "$repo" worktree prune
git -C "$repo" worktree add -q --detach "$am" "$base"
for a in $(resolve_arches); do
	git -C "$am" checkout -q --detach "$base"
	if git -C "$am" -c user.name=check -c user.email=check@localhost am -q \
		"$O"/patches/core/[0-9][0-9][0-9][1-9]-*.patch "$O/patches/$a"/[0-9][0-9][0-9][1-9]-*.patch \
		> "$O/check/am-$a.log" 2>&1; then
		echo "git am: core + $a series apply to a clean $(cat "$O/kernel-version") tree"
	else
		git -C "$am" am --abort 2>/dev/null || true
		echo "git am: core + $a series FAIL on a clean tree; see $O/check/am-$a.log"
		rc=1
	fi
done
git -C "$repo" worktree remove --force "$am"

"$TOP/harness/checkpatch.sh" || rc=1
"$TOP/harness/check-iface.sh" || rc=1
exit $rc
