#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check-series`: bisectability.  For each arch, build the kernel
# after every patch of the core series and then of the arch's series, in
# order, in one O= dir per arch (incremental, ccache), so a patch that
# breaks the build is named.
#
# Each prefix is configured like the fast flavour and then asks for
# FREE_USER_PTE and its KUnit suite: before the arch patch the option
# cannot be selected (the core must build with the feature unavailable),
# after it the feature and its tests are built.  Every line says which.
. "$(dirname "$0")/lib.sh"

repo=$(tree_repo)
base=$(base_commit "$repo")
rc=0
for a in $(resolve_arches); do
	load_profile "$a"
	tip=$(series_tip "$repo" "$a")
	src=$(worktree_root)/series-$a
	b=$O/check-series/$a
	ensure_worktree "$src" "$base"
	commits=$(git -C "$repo" rev-list --reverse "$base..$tip")
	total=$(wc -w <<< "$commits")
	n=0
	for c in $commits; do
		n=$((n + 1))
		subject=$(git -C "$repo" log -1 --format=%s "$c")
		git -C "$src" checkout -q --detach "$c"
		"$TOP/harness/config.sh" "$a" fast base "$src" "$b" ||
			die "$NAME [$n/$total] '$subject': cannot configure $b"
		"$src/scripts/config" --file "$b/.config" -e KUNIT -e FREE_USER_PTE \
			-e FREE_USER_PTE_KUNIT_TEST
		make -s -C "$src" O="$b" ARCH="$KARCH" CROSS_COMPILE="$XC" olddefconfig \
			>> "$b/config.log" 2>&1
		# config.sh must redo the config for the next commit anyway.
		rm -f "$b/.pte_ref-config"
		feature=$(grep -q '^CONFIG_FREE_USER_PTE=y' "$b/.config" && echo y || echo n)
		t0=$SECONDS
		if "$TOP/harness/build.sh" "$a" "$src" "$b" 2>"$b/build.err"; then
			echo "$NAME [$n/$total] builds (FREE_USER_PTE=$feature, $((SECONDS - t0)) s): $subject"
		else
			sed 's/^/    /' "$b/build.err"
			echo "$NAME [$n/$total] BREAKS THE BUILD (FREE_USER_PTE=$feature): $subject"
			rc=1
			break
		fi
	done
	# The last patch must have turned the feature on for this arch.
	[ "$rc" != 0 ] || [ "$feature" = y ] ||
		{ echo "$NAME: the full series does not enable FREE_USER_PTE"; rc=1; }
done
exit $rc
