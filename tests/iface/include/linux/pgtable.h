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

#ifndef _MOCK_PGTABLE_UPPER
#define _MOCK_PGTABLE_UPPER
typedef struct { unsigned long pgd; } pgd_t;
typedef struct { unsigned long p4d; } p4d_t;
typedef struct { unsigned long pud; } pud_t;
#define PMD_SIZE (1UL << 21)
#define PMD_MASK (~(PMD_SIZE - 1))
pgd_t *pgd_offset(struct mm_struct *mm, unsigned long addr);
p4d_t *p4d_offset(pgd_t *pgd, unsigned long addr);
pud_t *pud_offset(p4d_t *p4d, unsigned long addr);
pmd_t *pmd_offset(pud_t *pud, unsigned long addr);
int pgd_none_or_clear_bad(pgd_t *pgd);
int p4d_none_or_clear_bad(p4d_t *p4d);
pgd_t pgdp_get(pgd_t *pgd);
bool pgd_none(pgd_t pgd);
bool pgd_bad(pgd_t pgd);
p4d_t p4dp_get(p4d_t *p4d);
bool p4d_none(p4d_t p4d);
bool p4d_bad(p4d_t p4d);
unsigned long pmd_addr_end(unsigned long addr, unsigned long end);
unsigned long pud_addr_end(unsigned long addr, unsigned long end);
pte_t *pte_offset_map(pmd_t *pmd, unsigned long addr);
void pte_unmap(pte_t *pte);
pud_t pudp_get(pud_t *pud);
bool pud_none(pud_t pud);
bool pud_bad(pud_t pud);
bool pud_leaf(pud_t pud);
/* Used by pte_ref_pmd.c */
#define PTRS_PER_PMD 512
#define PUD_SIZE (1UL << 30)
#define PUD_MASK (~(PUD_SIZE - 1))
unsigned long pmd_index(unsigned long addr);
void pud_clear(pud_t *pud);
#endif
