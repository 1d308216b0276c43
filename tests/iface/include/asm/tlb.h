/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mock for the pte_ref interface check: see tests/iface/README.  The
 * mmu_gather API is generic (asm-generic/tlb.h); every architecture's
 * asm/tlb.h provides it, so the core may use it.
 */
#pragma once
#include <linux/pgtable.h>
struct mmu_gather { struct mm_struct *mm; };
void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm);
void tlb_finish_mmu(struct mmu_gather *tlb);
void pmd_free_tlb(struct mmu_gather *tlb, pmd_t *pmd, unsigned long addr);
