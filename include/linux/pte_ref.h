/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pte_ref: pin user PTE page-table pages so that empty ones can be freed
 * from a live mm.  See Documentation/mm/pte_ref.rst.
 */
#ifndef _LINUX_PTE_REF_H
#define _LINUX_PTE_REF_H

#include <linux/mm_types.h>

#ifdef CONFIG_FREE_USER_PTE

void pte_ref_init(pgtable_t pte);
void pte_ref_free(pgtable_t pte);
bool pte_tryget(struct mm_struct *mm, pmd_t *pmd, unsigned long addr);
void __pte_put(pgtable_t pte);
void pte_put(pte_t *ptep);
void free_user_pte(struct mm_struct *mm, pmd_t *pmd, unsigned long addr);

#else /* !CONFIG_FREE_USER_PTE */

static inline void pte_ref_init(pgtable_t pte)
{
}

static inline void pte_ref_free(pgtable_t pte)
{
}

static inline bool pte_tryget(struct mm_struct *mm, pmd_t *pmd,
			      unsigned long addr)
{
	return true;
}

static inline void __pte_put(pgtable_t pte)
{
}

static inline void pte_put(pte_t *ptep)
{
}

static inline void free_user_pte(struct mm_struct *mm, pmd_t *pmd,
				 unsigned long addr)
{
}

#endif /* CONFIG_FREE_USER_PTE */

#endif /* _LINUX_PTE_REF_H */
