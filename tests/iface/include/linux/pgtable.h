/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#ifndef _MOCK_PGTABLE_H
#define _MOCK_PGTABLE_H
#include <linux/mm_types.h>
#define PTRS_PER_PTE 512
/* Accessors every architecture has, generic or not. */
bool pmd_none(pmd_t pmd);
bool pmd_present(pmd_t pmd);
bool pmd_bad(pmd_t pmd);
void pmd_clear(pmd_t *pmd);
pmd_t pmdp_get(pmd_t *pmd);
pmd_t pmdp_get_lockless(pmd_t *pmd);
bool pte_none(pte_t pte);
pte_t ptep_get(pte_t *ptep);
/* Part of the narrow interface; generic in include/linux/pgtable.h. */
pgtable_t pmd_pgtable(pmd_t pmd);
#endif
