/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The architecture interface of pte_ref.
 *
 * mm/pte_ref.c is architecture-neutral.  Besides the page-table accessors
 * every architecture has (pmd_none(), pmd_present(), pmdp_get_lockless(),
 * pte_none(), pmd_clear(), pmd_lock(), pte_lockptr(), flush_tlb_mm()), it
 * relies on exactly three things from an architecture, with these contracts:
 *
 * pmd_leaf(pmd)
 *	True if a present @pmd maps memory itself (a huge page) rather than
 *	pointing to a PTE table.  Every architecture provides it.
 *
 * pmd_pgtable(pmd)
 *	The pgtable_t (struct page of the PTE table) a table @pmd points to.
 *	include/linux/pgtable.h has the generic definition.
 *
 * pte_to_page(ptep)
 *	The pgtable_t of the PTE table that @ptep points into.  The default
 *	below is right wherever PTE tables are in the linear map, i.e.
 *	without CONFIG_HIGHPTE (which FREE_USER_PTE excludes).
 *
 * The seed's fourth, pte_huge(), is not part of it: pte_put() only ever
 * sees entries of PTE tables (pte_tryget() pins nothing else), and for a
 * PTE-level entry no architecture's pte_huge() means "huge" (x86 reads
 * _PAGE_PAT, riscv any leaf, arm64 a swap entry's bits).
 *
 * Beyond those, an architecture that selects ARCH_SUPPORTS_FREE_USER_PTE
 * promises that flush_tlb_mm() also invalidates cached page-table walks
 * (paging-structure caches), not only leaf translations: free_user_pte()
 * detaches a table, calls flush_tlb_mm(), and frees it after an RCU grace
 * period.  Each asm/pte_ref.h says why that holds for its architecture.
 *
 * Tables freed by munmap and exit go through mmu_gather.  There the
 * architecture queues PTE tables with tlb_remove_table() without calling
 * pagetable_pte_dtor(), and its __tlb_remove_table() calls
 * pte_ref_tlb_table_dtor() first: the destructor (which checks that no pin
 * is left, and frees a split ptlock) then runs only after the TLB flush
 * and grace period that GUP-fast walkers, which pin the table, wait for.
 */
#ifndef _ASM_GENERIC_PTE_REF_H
#define _ASM_GENERIC_PTE_REF_H

#include <asm/page.h>

#ifndef pte_to_page
#define pte_to_page(ptep)	virt_to_page(ptep)
#endif

#endif /* _ASM_GENERIC_PTE_REF_H */
