#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Make the .config of one build: tinyconfig, then the fragments merged with
# the tree's own scripts/kconfig/merge_config.sh, then olddefconfig; then
# check that every option a fragment asked for made it into .config.
#
# Fragments, in order (later ones win):
#   harness/configs/fast.config, arch/<arch>/fast.config,
#   debug flavour:   harness/configs/debug.config, arch/<arch>/debug.config,
#   patched kernels: harness/configs/<variant>.config and, if present,
#                    harness/configs/<variant>-<flavour>.config,
#   EXTRA_CONFIG=path (the user's own fragment).
#
# usage: config.sh ARCH_DIR FLAVOUR VARIANT SRC_TREE BUILD_DIR
. "$(dirname "$0")/lib.sh"

load_profile "$1"
flavour=$2 variant=$3 src=$4 b=$5

frags=("$TOP/harness/configs/fast.config")
[ -f "$TOP/arch/$ARCH_DIR/fast.config" ] && frags+=("$TOP/arch/$ARCH_DIR/fast.config")
case "$flavour" in
fast) ;;
debug)
	frags+=("$TOP/harness/configs/debug.config")
	[ -f "$TOP/arch/$ARCH_DIR/debug.config" ] && frags+=("$TOP/arch/$ARCH_DIR/debug.config")
	;;
*) die "unknown FLAVOUR '$flavour' (fast, debug)" ;;
esac
[ "$variant" = base ] || frags+=("$TOP/harness/configs/$variant.config")
[ -f "$TOP/harness/configs/$variant-$flavour.config" ] &&
	frags+=("$TOP/harness/configs/$variant-$flavour.config")
if [ -n "${EXTRA_CONFIG:-}" ]; then
	[ -f "$EXTRA_CONFIG" ] || die "EXTRA_CONFIG=$EXTRA_CONFIG does not exist"
	frags+=("$(readlink -f "$EXTRA_CONFIG")")
fi

# Redo the config only when an input changed: a rewritten .config costs
# nothing, but keeping it untouched keeps the build plainly incremental.
stamp=$( (cat "${frags[@]}"; git -C "$src" rev-parse HEAD; echo "$XC") | sha1sum | cut -c1-40)
if [ -f "$b/.config" ] && [ "$(cat "$b/.pte_ref-config" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi
rm -f "$b/.pte_ref-config"
mkdir -p "$b"
kmake=(make -s -C "$src" O="$b" ARCH="$KARCH" CROSS_COMPILE="$XC")
"${kmake[@]}" tinyconfig >"$b/config.log" 2>&1 || { cat "$b/config.log" >&2; die "tinyconfig failed"; }
(cd "$b" && "$src/scripts/kconfig/merge_config.sh" -m -O "$b" "$b/.config" "${frags[@]}") \
	>>"$b/config.log" 2>&1 || { cat "$b/config.log" >&2; die "merge_config.sh failed"; }
"${kmake[@]}" olddefconfig >>"$b/config.log" 2>&1 || { cat "$b/config.log" >&2; die "olddefconfig failed"; }

# Every requested value must have survived olddefconfig's dependency checks.
missing=()
for f in "${frags[@]}"; do
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF "$line" "$b/.config" || missing+=("$line (${f#"$TOP"/})")
			;;
		"# CONFIG_"*" is not set")
			opt=${line#"# "}
			opt=${opt%" is not set"}
			grep -q "^$opt=" "$b/.config" && missing+=("$line (${f#"$TOP"/})")
			;;
		esac
	done < "$f"
done
if [ ${#missing[@]} -gt 0 ]; then
	printf '    %s\n' "${missing[@]}" >&2
	die "$NAME $flavour: these options did not make it into $b/.config (unknown symbol or unmet dependency)"
fi
echo "$stamp" > "$b/.pte_ref-config"
