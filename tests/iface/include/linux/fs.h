/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#pragma once
#include <linux/types.h>
struct address_space;
struct inode { unsigned short i_mode; };
struct file { struct address_space *f_mapping; struct inode *f_inode; };
struct vm_area_struct;
#define S_ISCHR(m) (((m) & 0170000) == 0020000)
struct inode *file_inode(const struct file *f);
bool vma_is_dax(const struct vm_area_struct *vma);
void i_mmap_lock_write(struct address_space *mapping);
void i_mmap_unlock_write(struct address_space *mapping);
