// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of where pte_ref's triggers may free tables: which VMAs keep
 * the tables of the PMD ranges they share.
 *
 * Included at the end of mm/pte_ref_reclaim.c, so that it can call that
 * file's static functions.  Each test maps VMAs into a private mm
 * (mm_alloc(), never run); exit_mmap() takes them and their page tables
 * down when the test drops the mm, checking the page-table accounting as
 * for any process.
 */
#include <kunit/test.h>
#include <linux/pgalloc.h>

/* PMD aligned, in the middle of the user range. */
#define RECLAIM_TEST_ADDR	(SZ_1G)
#define ANON_FLAGS		(VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE)

KUNIT_DEFINE_ACTION_WRAPPER(reclaim_test_mmput, mmput, struct mm_struct *);

static struct mm_struct *reclaim_test_mm(struct kunit *test)
{
	struct mm_struct *mm = mm_alloc();

	KUNIT_ASSERT_NOT_NULL(test, mm);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, reclaim_test_mmput, mm), 0);
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

static bool range_freeable(struct mm_struct *mm, unsigned long addr)
{
	bool ret;

	mmap_read_lock(mm);
	ret = pmd_range_freeable(mm, addr);
	mmap_read_unlock(mm);
	return ret;
}

/* An empty PTE table for @addr, and the pmd that maps it. */
static pmd_t *add_table(struct kunit *test, struct mm_struct *mm,
			unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;

	p4d = p4d_alloc(mm, pgd, addr);
	KUNIT_ASSERT_NOT_NULL(test, p4d);
	pud = pud_alloc(mm, p4d, addr);
	KUNIT_ASSERT_NOT_NULL(test, pud);
	pmd = pmd_alloc(mm, pud, addr);
	KUNIT_ASSERT_NOT_NULL(test, pmd);
	KUNIT_ASSERT_EQ(test, __pte_alloc(mm, pmd), 0);
	return pmd;
}

/*
 * Anonymous VMAs leave a PMD range freeable.  A driver's mapping anywhere in
 * the range, even one page of it, keeps its table (its fault handler would
 * fail if the table went between its allocation and its lock); the next
 * range stays freeable.
 */
static void reclaim_driver_maps_keep_tables(struct kunit *test)
{
	struct mm_struct *mm = reclaim_test_mm(test);
	unsigned long a = RECLAIM_TEST_ADDR;

	add_vma(test, mm, a, a + PMD_SIZE / 2, ANON_FLAGS);
	add_vma(test, mm, a + PMD_SIZE, a + 2 * PMD_SIZE - PAGE_SIZE, ANON_FLAGS);
	KUNIT_EXPECT_TRUE(test, range_freeable(mm, a));
	KUNIT_EXPECT_TRUE(test, range_freeable(mm, a + PMD_SIZE));

	/* The last page of the first range. */
	add_vma(test, mm, a + PMD_SIZE - PAGE_SIZE, a + PMD_SIZE,
		VM_READ | VM_MAYREAD | VM_MIXEDMAP);
	KUNIT_EXPECT_FALSE(test, range_freeable(mm, a));
	KUNIT_EXPECT_FALSE(test, range_freeable(mm, a + PMD_SIZE / 2));
	KUNIT_EXPECT_TRUE(test, range_freeable(mm, a + PMD_SIZE));

	/* The last page of the second range; the third stays freeable. */
	add_vma(test, mm, a + 2 * PMD_SIZE - PAGE_SIZE, a + 2 * PMD_SIZE,
		VM_READ | VM_MAYREAD | VM_PFNMAP | VM_IO);
	KUNIT_EXPECT_FALSE(test, range_freeable(mm, a + PMD_SIZE));
	KUNIT_EXPECT_TRUE(test, range_freeable(mm, a + 2 * PMD_SIZE));
}

/*
 * The reclaim path (no mmap_lock, one VMA over the whole PMD range) frees
 * the empty table of an anonymous VMA and keeps a driver mapping's.
 */
static void reclaim_vma_path_keeps_driver_tables(struct kunit *test)
{
	struct mm_struct *mm = reclaim_test_mm(test);
	unsigned long a = RECLAIM_TEST_ADDR;
	struct vm_area_struct *anon, *drv;
	pmd_t *pmd;

	if (!static_key_enabled(&free_user_pte_key))
		kunit_skip(test, "freeing is switched off (vm.free_user_pte=0)");
	anon = add_vma(test, mm, a, a + PMD_SIZE, ANON_FLAGS);
	drv = add_vma(test, mm, a + PMD_SIZE, a + 2 * PMD_SIZE,
		      VM_READ | VM_MAYREAD | VM_MIXEDMAP);

	/* Reclaim holds the rmap lock; mmap_lock keeps the PMD table here. */
	pmd = add_table(test, mm, a + PMD_SIZE);
	mmap_read_lock(mm);
	free_user_pte_vma(drv, a + PMD_SIZE);
	mmap_read_unlock(mm);
	KUNIT_EXPECT_FALSE(test, pmd_none(pmdp_get(pmd)));

	pmd = add_table(test, mm, a);
	mmap_read_lock(mm);
	free_user_pte_vma(anon, a);
	mmap_read_unlock(mm);
	KUNIT_EXPECT_TRUE(test, pmd_none(pmdp_get(pmd)));
	/* Let the freed table reach its destructor before the mm goes. */
	rcu_barrier();
}

static struct kunit_case pte_ref_reclaim_cases[] = {
	KUNIT_CASE(reclaim_driver_maps_keep_tables),
	KUNIT_CASE(reclaim_vma_path_keeps_driver_tables),
	{}
};

static struct kunit_suite pte_ref_reclaim_suite = {
	.name = "pte_ref_reclaim",
	.test_cases = pte_ref_reclaim_cases,
};

kunit_test_suite(pte_ref_reclaim_suite);
