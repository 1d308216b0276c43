/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#pragma once
struct mm_struct;
void flush_tlb_mm(struct mm_struct *mm);
