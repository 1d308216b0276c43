/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pte_ref backend for riscv64 (see include/asm-generic/pte_ref.h).
 *
 * pmd_leaf(), pmd_pgtable() and pte_to_page() are the generic ones.
 * riscv's pte_huge() is true for any present leaf, PTE level included,
 * one reason pte_put() and pte_unmap() never look at the entry they
 * unpin.
 *
 * Walk caches: an address-specific SFENCE.VMA only orders leaf entries,
 * but flush_tlb_mm() fences the whole ASID (SFENCE.VMA x0, asid, locally,
 * by IPI or through SBI remote fences), which covers non-leaf entries.
 *
 * munmap and exit: with CONFIG_FREE_USER_PTE tables always go through
 * tlb_remove_table() (RCU-freed, which needs SMP), also with IPI-based
 * fences, and the PTE table destructor runs in __tlb_remove_table(), after
 * GUP-fast walkers are gone.
 */
#ifndef _ASM_RISCV_PTE_REF_H
#define _ASM_RISCV_PTE_REF_H

#include <asm-generic/pte_ref.h>

#endif /* _ASM_RISCV_PTE_REF_H */
