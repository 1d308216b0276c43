/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#pragma once
#include <linux/mm.h>
bool is_vm_hugetlb_page(struct vm_area_struct *vma);
