/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A deliberately minimal architecture for the interface check: the one
 * interface function an architecture itself must supply, and nothing
 * else; pmd_pgtable() is generic and pte_to_page() comes from
 * <asm-generic/pte_ref.h>.
 */
#pragma once
#include <linux/mm_types.h>
bool pmd_leaf(pmd_t pmd);
#include <asm-generic/pte_ref.h>
