/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#pragma once
#include <linux/types.h>
struct vm_area_struct;
bool userfaultfd_wp(struct vm_area_struct *vma);
