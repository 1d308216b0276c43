/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#include <linux/pgtable.h>
#include <linux/spinlock.h>
spinlock_t *pmd_lock(struct mm_struct *mm, pmd_t *pmd);
spinlock_t *pte_lockptr(struct mm_struct *mm, pmd_t *pmd);
void mm_dec_nr_ptes(struct mm_struct *mm);
void *page_address(const struct page *page);

#ifndef _MOCK_MM_VMA
#define _MOCK_MM_VMA
struct vm_area_struct {
	struct mm_struct *vm_mm;
	unsigned long vm_start, vm_end;
};
struct vma_iterator { unsigned long index; };
#define VMA_ITERATOR(name, mm, addr) struct vma_iterator name = { addr }
struct vm_area_struct *vma_find(struct vma_iterator *vmi, unsigned long max);
#define for_each_vma_range(vmi, vma, end) \
	while (((vma) = vma_find(&(vmi), (end))) != NULL)
void mmap_read_lock(struct mm_struct *mm);
void mmap_read_unlock(struct mm_struct *mm);
void mmap_assert_locked(const struct mm_struct *mm);
#endif
