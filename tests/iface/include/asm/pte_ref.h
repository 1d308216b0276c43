/* SPDX-License-Identifier: GPL-2.0 */
/*
#pragma once
 * A deliberately minimal architecture for the interface check: the two
 * interface functions an architecture itself must supply, and nothing
 * else; pte_to_page() comes from <asm-generic/pte_ref.h>.
 */
#include <linux/mm_types.h>
bool pmd_leaf(pmd_t pmd);
bool pte_huge(pte_t pte);
#include <asm-generic/pte_ref.h>
