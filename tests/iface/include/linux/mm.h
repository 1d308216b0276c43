/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#include <linux/pgtable.h>
#include <linux/spinlock.h>
spinlock_t *pmd_lock(struct mm_struct *mm, pmd_t *pmd);
spinlock_t *pte_lockptr(struct mm_struct *mm, pmd_t *pmd);
void mm_dec_nr_ptes(struct mm_struct *mm);
void *page_address(const struct page *page);
void pagetable_pte_dtor(struct ptdesc *ptdesc);

#ifndef _MOCK_MM_VMA
#define _MOCK_MM_VMA
struct file;
struct anon_vma;
typedef unsigned long vm_flags_t;
#define VM_PFNMAP	0x00000400
#define VM_MIXEDMAP	0x10000000
struct vm_area_struct {
	struct mm_struct *vm_mm;
	unsigned long vm_start, vm_end;
	vm_flags_t vm_flags;
	struct file *vm_file;
	struct anon_vma *anon_vma;
};
void vma_start_write(struct vm_area_struct *vma);
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
void mmap_read_lock(struct mm_struct *mm);
void mmap_read_unlock(struct mm_struct *mm);
bool mmap_read_trylock(struct mm_struct *mm);
bool vma_is_anonymous(struct vm_area_struct *vma);
void cond_resched(void);
void mmap_assert_locked(const struct mm_struct *mm);
void mmap_assert_write_locked(const struct mm_struct *mm);
/* Used by pte_ref_pmd.c */
void mmap_write_lock(struct mm_struct *mm);
bool mmap_write_trylock(struct mm_struct *mm);
void mmap_write_unlock(struct mm_struct *mm);
void mm_dec_nr_pmds(struct mm_struct *mm);
#endif
