/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#pragma once
#include <linux/mm_types.h>
void pte_free(struct mm_struct *mm, pgtable_t pte);
void pmd_populate(struct mm_struct *mm, pmd_t *pmd, pgtable_t pte);
