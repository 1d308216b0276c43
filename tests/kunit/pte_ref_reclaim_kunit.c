// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of where pte_ref's triggers may free tables: which VMAs keep
 * the tables of the PMD ranges they share.
 *
 * Included at the end of mm/pte_ref_reclaim.c, so that it can call that
 * file's static functions; the mm, VMAs and tables of each case come from
 * pte_ref_kunit.h.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/pgalloc.h>
#include <linux/vmstat.h>
#include <asm/tlb.h>

#include "pte_ref_kunit.h"

/* PMD aligned, in the middle of the user range. */
#define RECLAIM_TEST_ADDR	(SZ_1G)

static bool range_freeable(struct mm_struct *mm, unsigned long addr)
{
	bool ret;

	mmap_read_lock(mm);
	ret = pmd_range_freeable(mm, addr);
	mmap_read_unlock(mm);
	return ret;
}

/*
 * Anonymous VMAs leave a PMD range freeable.  A driver's mapping anywhere in
 * the range, even one page of it, keeps its table (its fault handler would
 * fail if the table went between its allocation and its lock); the next
 * range stays freeable.
 */
static void reclaim_driver_maps_keep_tables(struct kunit *test)
{
	struct mm_struct *mm = test_mm(test);
	unsigned long a = RECLAIM_TEST_ADDR;

	add_vma(test, mm, a, a + PMD_SIZE / 2, ANON_FLAGS);
	add_vma(test, mm, a + PMD_SIZE, a + 2 * PMD_SIZE - PAGE_SIZE, ANON_FLAGS);
	add_vma(test, mm, a + 2 * PMD_SIZE, a + 3 * PMD_SIZE, ANON_FLAGS);
	KUNIT_EXPECT_TRUE(test, range_freeable(mm, a));
	KUNIT_EXPECT_TRUE(test, range_freeable(mm, a + PMD_SIZE));
	/* No VMA at all: a range munmap may be tearing down. */
	KUNIT_EXPECT_FALSE(test, range_freeable(mm, a + 3 * PMD_SIZE));

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
 * The reclaim path (rmap lock only, so it hands the range to the worker)
 * frees the empty table of an anonymous VMA and keeps a driver mapping's.
 */
static void reclaim_vma_path_keeps_driver_tables(struct kunit *test)
{
	struct mm_struct *mm = test_mm(test);
	unsigned long a = RECLAIM_TEST_ADDR;
	struct vm_area_struct *anon, *drv;
	pmd_t *pmd;

	if (!static_key_enabled(&free_user_pte_key))
		kunit_skip(test, "freeing is switched off (vm.free_user_pte=0)");
	anon = add_vma(test, mm, a, a + PMD_SIZE, ANON_FLAGS);
	drv = add_vma(test, mm, a + PMD_SIZE, a + 2 * PMD_SIZE,
		      VM_READ | VM_MAYREAD | VM_MIXEDMAP);

	pmd = add_table(test, mm, a + PMD_SIZE);
	free_user_pte_vma(drv, a + PMD_SIZE);
	flush_delayed_work(&retry_work);
	KUNIT_EXPECT_FALSE(test, pmd_none(pmdp_get(pmd)));

	pmd = add_table(test, mm, a);
	free_user_pte_vma(anon, a);
	flush_delayed_work(&retry_work);
	KUNIT_EXPECT_TRUE(test, pmd_none(pmdp_get(pmd)));
	/* Let the freed table reach its destructor before the mm goes. */
	rcu_barrier();
}

/*
 * Reclaim holds only the VMA's rmap lock.  It must not free a table while
 * another task holds mmap_lock for write and relies on the table staying:
 * collapse_huge_page() checks the pmd, then waits for the anon_vma lock
 * that reclaim holds for read, then installs whatever the pmd held.  So
 * reclaim only notes the range, and the table goes once mmap_lock is free.
 */
static void reclaim_waits_for_mmap_lock(struct kunit *test)
{
	struct mm_struct *mm = test_mm(test);
	unsigned long a = RECLAIM_TEST_ADDR;
	struct vm_area_struct *anon;
	bool kept, freed = false;
	pmd_t *pmd;
	int i;

	if (!static_key_enabled(&free_user_pte_key))
		kunit_skip(test, "freeing is switched off (vm.free_user_pte=0)");
	anon = add_vma(test, mm, a, a + PMD_SIZE, ANON_FLAGS);
	pmd = add_table(test, mm, a);

	mmap_write_lock(mm);
	free_user_pte_vma(anon, a);
	/*
	 * Long enough for the worker to run and find the lock taken, short
	 * of its last retry (PTE_REF_RETRIES, 10 ms apart) with room to spare
	 * for a slow guest.
	 */
	msleep(50);
	kept = !pmd_none(pmdp_get(pmd));
	mmap_write_unlock(mm);
	KUNIT_EXPECT_TRUE(test, kept);

	/*
	 * A worker that found the lock taken tries again 10 ms later: wait
	 * for the retries too.  Once the PTE table is gone, the PMD sweep may
	 * free the PMD table that held @pmd: walk down again each time, under
	 * mmap_lock, which keeps the sweep away while we look.
	 */
	for (i = 0; i < 100; i++) {
		flush_delayed_work(&retry_work);
		mmap_read_lock(mm);
		pmd = pte_ref_find_pmd(mm, a);
		freed = !pmd || pmd_none(pmdp_get(pmd));
		mmap_read_unlock(mm);
		if (freed)
			break;
		msleep(20);
	}
	KUNIT_EXPECT_TRUE(test, freed);
	rcu_barrier();
}

/*
 * A range with no VMA is one munmap is tearing down (it frees the tables
 * of detached VMAs holding mmap_lock only for read): a queued retry must
 * leave its table, and the PMD table above it, to munmap.
 */
static void retry_needs_a_vma(struct kunit *test)
{
	struct mm_struct *mm = test_mm(test);
	unsigned long a = RECLAIM_TEST_ADDR;
	struct mmu_gather tlb;
	bool kept;
	pmd_t *pmd;

	if (!static_key_enabled(&free_user_pte_key))
		kunit_skip(test, "freeing is switched off (vm.free_user_pte=0)");
	pmd = add_table(test, mm, a);
	queue_retry(mm, a, 1);
	flush_delayed_work(&retry_work);
	kept = !pmd_none(pmdp_get(pmd));
	KUNIT_EXPECT_TRUE(test, kept);

	/* No VMA covers the tables: free them as munmap would. */
	rcu_barrier();
	mmap_write_lock(mm);
	tlb_gather_mmu(&tlb, mm);
	free_pgd_range(&tlb, a, a + PMD_SIZE, 0, 0);
	tlb_finish_mmu(&tlb);
	mmap_write_unlock(mm);
}

static unsigned long flushes(struct kunit *test)
{
	unsigned long *events = kunit_kcalloc(test, NR_VM_EVENT_ITEMS,
					      sizeof(*events), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, events);
	all_vm_events(events);
	return events[PTE_REF_FLUSH];
}

/*
 * The tables one MADV_DONTNEED empties share one TLB flush: not one full
 * flush (an IPI to every CPU the mm ran on) per table.
 */
static void dontneed_tables_share_one_flush(struct kunit *test)
{
	struct mm_struct *mm = test_mm(test);
	unsigned long a = RECLAIM_TEST_ADDR, before;
	struct vm_area_struct *vma;
	pmd_t *pmd[8];
	bool none[8];
	int i;

	if (!static_key_enabled(&free_user_pte_key))
		kunit_skip(test, "freeing is switched off (vm.free_user_pte=0)");
	vma = add_vma(test, mm, a, a + ARRAY_SIZE(pmd) * PMD_SIZE, ANON_FLAGS);
	for (i = 0; i < ARRAY_SIZE(pmd); i++)
		pmd[i] = add_table(test, mm, a + i * PMD_SIZE);
	/*
	 * mmap_lock also keeps the PMD sweep from freeing the PMD table (empty
	 * after this) while we look at it.  KUnit runs before any process, so
	 * no other flush counts here.
	 */
	before = flushes(test);
	mmap_read_lock(mm);
	free_user_ptes(vma, a, a + ARRAY_SIZE(pmd) * PMD_SIZE);
	for (i = 0; i < ARRAY_SIZE(pmd); i++)
		none[i] = pmd_none(pmdp_get(pmd[i]));
	mmap_read_unlock(mm);
	KUNIT_EXPECT_EQ(test, flushes(test) - before, 1);
	for (i = 0; i < ARRAY_SIZE(pmd); i++)
		KUNIT_EXPECT_TRUE_MSG(test, none[i], "table %d", i);
	rcu_barrier();
}

/*
 * userfaultfd write-protect allocates an empty table for its markers under
 * mmap_lock for read and skips the range if the pmd is none again: a
 * VM_UFFD_WP VMA keeps its range's tables.
 */
static void uffd_wp_keeps_tables(struct kunit *test)
{
	struct mm_struct *mm = test_mm(test);
	unsigned long a = RECLAIM_TEST_ADDR;

	if (!VM_UFFD_WP)
		kunit_skip(test, "no userfaultfd write-protect on this architecture");
	add_vma(test, mm, a, a + PMD_SIZE / 2, ANON_FLAGS);
	KUNIT_EXPECT_TRUE(test, range_freeable(mm, a));
	add_vma(test, mm, a + PMD_SIZE / 2, a + PMD_SIZE, ANON_FLAGS | VM_UFFD_WP);
	KUNIT_EXPECT_FALSE(test, range_freeable(mm, a));
}

/*
 * hugetlb maps through its own tables, which huge_pmd_share() may share
 * between processes: a PMD range with a hugetlb VMA keeps its tables.
 */
static void hugetlb_keeps_tables(struct kunit *test)
{
	struct mm_struct *mm = test_mm(test);
	unsigned long a = RECLAIM_TEST_ADDR;

	add_vma(test, mm, a, a + PMD_SIZE / 2, ANON_FLAGS);
	KUNIT_EXPECT_TRUE(test, range_freeable(mm, a));
	add_hugetlb_vma(test, mm, a + PMD_SIZE / 2, a + PMD_SIZE);
	KUNIT_EXPECT_FALSE(test, range_freeable(mm, a));
}

/* A driver's mapping has vm_ops; one without is anonymous memory. */
static const struct vm_operations_struct driver_vm_ops;

/* Taken off the VMA before exit_mmap() would fput() a file that is not one. */
static void clear_vm_file(void *vma)
{
	((struct vm_area_struct *)vma)->vm_file = NULL;
	((struct vm_area_struct *)vma)->vm_ops = NULL;
}

/*
 * A character device fills its mappings itself: device-dax through
 * vmf_insert_mixed() without VM_MIXEDMAP, which allocates and locks a
 * table without trying again.  Its PMD range keeps its table.
 */
static void reclaim_char_device_keeps_tables(struct kunit *test)
{
	struct mm_struct *mm = test_mm(test);
	unsigned long a = RECLAIM_TEST_ADDR;
	struct address_space *mapping;
	struct vm_area_struct *vma;
	struct inode *inode;
	struct file *file;

	file = kunit_kzalloc(test, sizeof(*file), GFP_KERNEL);
	inode = kunit_kzalloc(test, sizeof(*inode), GFP_KERNEL);
	mapping = kunit_kzalloc(test, sizeof(*mapping), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, file);
	KUNIT_ASSERT_NOT_NULL(test, inode);
	KUNIT_ASSERT_NOT_NULL(test, mapping);
	inode->i_mode = S_IFCHR | 0600;
	mapping->host = inode;
	file->f_inode = inode;
	file->f_mapping = mapping;

	vma = add_vma(test, mm, a, a + PMD_SIZE,
		      VM_READ | VM_MAYREAD | VM_SHARED | VM_MAYSHARE);
	KUNIT_ASSERT_TRUE(test, range_freeable(mm, a));
	mmap_write_lock(mm);
	vma->vm_file = file;
	vma_set_anonymous(vma);
	mmap_write_unlock(mm);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, clear_vm_file, vma), 0);
	/* A private mapping of /dev/zero: anonymous memory, tables may go. */
	KUNIT_EXPECT_TRUE(test, range_freeable(mm, a));
	mmap_write_lock(mm);
	vma->vm_ops = &driver_vm_ops;
	mmap_write_unlock(mm);
	KUNIT_EXPECT_FALSE(test, range_freeable(mm, a));
}

static struct kunit_case pte_ref_reclaim_cases[] = {
	KUNIT_CASE(reclaim_driver_maps_keep_tables),
	KUNIT_CASE(reclaim_vma_path_keeps_driver_tables),
	KUNIT_CASE(reclaim_waits_for_mmap_lock),
	KUNIT_CASE(retry_needs_a_vma),
	KUNIT_CASE(reclaim_char_device_keeps_tables),
	KUNIT_CASE(dontneed_tables_share_one_flush),
	KUNIT_CASE(uffd_wp_keeps_tables),
	KUNIT_CASE(hugetlb_keeps_tables),
	{}
};

static struct kunit_suite pte_ref_reclaim_suite = {
	.name = "pte_ref_reclaim",
	.test_cases = pte_ref_reclaim_cases,
};

kunit_test_suite(pte_ref_reclaim_suite);
