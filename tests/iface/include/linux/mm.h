/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#include <linux/pgtable.h>
#include <linux/spinlock.h>
spinlock_t *pmd_lock(struct mm_struct *mm, pmd_t *pmd);
spinlock_t *pte_lockptr(struct mm_struct *mm, pmd_t *pmd);
void mm_dec_nr_ptes(struct mm_struct *mm);
void *page_address(const struct page *page);
