#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The core must compile against the narrow arch interface alone: build
# core/pte_ref.c with tests/iface/include (generic kernel API, plus a
# minimal architecture that provides only the interface) instead of a
# kernel tree.  usage: check-iface.sh [SOURCE...]   (default core/*.c)
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || set -- "$TOP"/core/*.c
for src in "$@"; do
	if gcc -fsyntax-only -nostdinc -Werror -Wall -Wno-unused-function \
		-DCONFIG_FREE_USER_PTE -I "$TOP/tests/iface/include" -I "$TOP/include" "$src"; then
		info "interface check: ${src#"$TOP"/} uses only the generic API and pmd_leaf/pte_to_page/pmd_pgtable"
	else
		die "interface check: ${src#"$TOP"/} uses something outside the arch interface (see tests/iface/README)"
	fi
done
