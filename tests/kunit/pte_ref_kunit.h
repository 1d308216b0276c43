/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What pte_ref's KUnit suites build their cases from: a private mm
 * (mm_alloc(), never run) with VMAs and page tables in it.  exit_mmap()
 * takes them down when the test drops the mm, checking the page-table
 * accounting as for any process.
 *
 * Included by the suites that are themselves included at the end of
 * mm/pte_ref_reclaim.c and mm/pte_ref_pmd.c, to reach their static
 * functions.
 */
#ifndef _MM_PTE_REF_KUNIT_H
#define _MM_PTE_REF_KUNIT_H

#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/pgalloc.h>
#include <linux/sched/mm.h>

#define ANON_FLAGS	(VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE)

KUNIT_DEFINE_ACTION_WRAPPER(pte_ref_test_mmput, mmput, struct mm_struct *);

/* An empty mm, dropped (mmput()) when the test ends. */
static struct mm_struct *test_mm(struct kunit *test)
{
	struct mm_struct *mm = mm_alloc();

	KUNIT_ASSERT_NOT_NULL(test, mm);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pte_ref_test_mmput, mm), 0);
	return mm;
}

/* Map [@start, @end) with @flags, as a driver's or an anonymous mmap would. */
static struct vm_area_struct *add_vma(struct kunit *test, struct mm_struct *mm,
				      unsigned long start, unsigned long end,
				      vm_flags_t flags)
{
	struct vm_area_struct *vma = vm_area_alloc(mm);
	int err;

	KUNIT_ASSERT_NOT_NULL(test, vma);
	vma->vm_start = start;
	vma->vm_end = end;
	vm_flags_init(vma, flags);
	vma->vm_page_prot = vm_get_page_prot(flags);
	mmap_write_lock(mm);
	err = insert_vm_struct(mm, vma);
	mmap_write_unlock(mm);
	if (err)
		vm_area_free(vma);
	KUNIT_ASSERT_EQ(test, err, 0);
	return vma;
}

/* Before exit_mmap(), which would look for the hugetlbfs file it has not. */
static void clear_vm_hugetlb(void *vma)
{
	struct vm_area_struct *v = vma;

	mmap_write_lock(v->vm_mm);
	vm_flags_clear(v, VM_HUGETLB);
	mmap_write_unlock(v->vm_mm);
}

/*
 * A VMA that is hugetlb as far as the walkers and pte_ref can tell, with
 * no hugetlbfs file behind it: the flag goes before the mm is dropped.
 */
static void add_hugetlb_vma(struct kunit *test, struct mm_struct *mm,
			    unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma;

	if (!IS_ENABLED(CONFIG_HUGETLB_PAGE))
		kunit_skip(test, "no hugetlb in this kernel (CONFIG_HUGETLB_PAGE=n)");
	vma = add_vma(test, mm, start, end, ANON_FLAGS | VM_HUGETLB);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, clear_vm_hugetlb, vma), 0);
}

/* The PMD table for @addr (allocated if need be), and the pud that maps it. */
static pud_t *add_pmd_table(struct kunit *test, struct mm_struct *mm,
			    unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;
	pud_t *pud;

	p4d = p4d_alloc(mm, pgd, addr);
	KUNIT_ASSERT_NOT_NULL(test, p4d);
	pud = pud_alloc(mm, p4d, addr);
	KUNIT_ASSERT_NOT_NULL(test, pud);
	KUNIT_ASSERT_NOT_NULL(test, pmd_alloc(mm, pud, addr));
	return pud;
}

/* An empty PTE table for @addr, and the pmd that maps it. */
static pmd_t *add_table(struct kunit *test, struct mm_struct *mm,
			unsigned long addr)
{
	pmd_t *pmd = pmd_offset(add_pmd_table(test, mm, addr), addr);

	KUNIT_ASSERT_EQ(test, __pte_alloc(mm, pmd), 0);
	return pmd;
}

#endif /* _MM_PTE_REF_KUNIT_H */
