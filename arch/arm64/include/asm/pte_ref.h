/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pte_ref backend for arm64 (see include/asm-generic/pte_ref.h).
 *
 * pmd_leaf(), pmd_pgtable() and pte_to_page() are the generic ones.
 *
 * Walk caches: flush_tlb_mm() issues TLBI ASIDE1IS, which invalidates all
 * entries of the ASID, intermediate walk entries included, on every CPU
 * in the inner shareable domain.
 *
 * munmap and exit: tables are RCU-freed by mmu_gather (arm64 always
 * selects MMU_GATHER_RCU_TABLE_FREE), and the PTE table destructor runs in
 * __tlb_remove_table(), after GUP-fast walkers are gone.
 */
#ifndef _ASM_ARM64_PTE_REF_H
#define _ASM_ARM64_PTE_REF_H

#include <asm-generic/pte_ref.h>

#endif /* _ASM_ARM64_PTE_REF_H */
