/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pte_ref backend for x86_64 (see include/asm-generic/pte_ref.h).
 *
 * pmd_leaf() tests _PAGE_PSE in a pmd.  In a 4 KiB PTE that bit is
 * _PAGE_PAT, one reason pte_put() and pte_unmap() never look at the entry
 * they unpin.
 *
 * Walk caches: flush_tlb_mm() is flush_tlb_mm_range(..., freed_tables =
 * true), which also flushes CPUs in lazy TLB mode that could still hold a
 * paging-structure cache entry for this mm; INVLPG/INVPCID/CR3 reloads
 * drop paging-structure caches along with the TLB.
 *
 * Not selected with XEN_PV: a PV guest's tables are pinned read-only by
 * Xen until paravirt_release_pte(), which only ___pte_free_tlb() calls;
 * free_user_pte() frees outside mmu_gather and would return a pinned,
 * read-only page to the allocator.
 *
 * munmap and exit: with CONFIG_FREE_USER_PTE bare metal also RCU-frees
 * tables through tlb_remove_table(), as paravirt guests do, and the PTE
 * table destructor runs in __tlb_remove_table(), after GUP-fast walkers
 * (IRQs off) and rcu_read_lock() walkers are gone.
 */
#ifndef _ASM_X86_PTE_REF_H
#define _ASM_X86_PTE_REF_H

#include <asm-generic/pte_ref.h>

#endif /* _ASM_X86_PTE_REF_H */
