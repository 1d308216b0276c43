// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the PMD sweep: which empty PMD tables it frees, and the
 * requests it queues outliving neither a refill nor their mm.
 *
 * Included at the end of mm/pte_ref_pmd.c, so that it can call that file's
 * static functions; the mm, VMAs and tables of each case come from
 * pte_ref_kunit.h.  Each GiB here is free of any other test's tables.
 */
#include <kunit/test.h>
#include <linux/delay.h>

#include "pte_ref_kunit.h"

/* PUD aligned, in the user range of every arch's smallest layout. */
#define PMD_TEST_ADDR	(4UL * SZ_1G)

/* The sweep of [@a, @a + 1 GiB), as its work item runs it, waiting for the lock. */
static void sweep(struct mm_struct *mm, unsigned long a)
{
	sweep_mm(mm, a, a + PUD_SIZE, true);
}

static bool pud_kept(struct mm_struct *mm, pud_t *pud)
{
	bool kept;

	mmap_read_lock(mm);
	kept = !pud_none(pudp_get(pud));
	mmap_read_unlock(mm);
	return kept;
}

/*
 * Wait until @mm has no sweep queued or running: each holds an mmgrab(),
 * so mm_count is back at @count when the last one is done.
 */
static void wait_for_sweeps(struct kunit *test, struct mm_struct *mm, int count)
{
	int i;

	for (i = 0; i < 500 && atomic_read(&mm->mm_count) > count; i++)
		msleep(20);
	KUNIT_ASSERT_EQ(test, atomic_read(&mm->mm_count), count);
}

/*
 * One VMA over the GiB, even one reaching into the GiB before it: its
 * empty PMD table goes, and the mm's page-table bytes with it.
 */
static void sweep_frees_table_of_one_vma(struct kunit *test)
{
	struct mm_struct *mm = test_mm(test);
	unsigned long a = PMD_TEST_ADDR, bytes;
	pud_t *pud;

	add_vma(test, mm, a - PMD_SIZE, a + PMD_SIZE, ANON_FLAGS);
	pud = add_pmd_table(test, mm, a);
	bytes = mm_pgtables_bytes(mm);
	sweep(mm, a);
	KUNIT_EXPECT_FALSE(test, pud_kept(mm, pud));
	KUNIT_EXPECT_EQ(test, bytes - mm_pgtables_bytes(mm), PTRS_PER_PMD * sizeof(pmd_t));
}

/*
 * Two VMAs in the GiB: walkers holding either one's lock may be on the
 * table, and the sweep locks only one.  The table stays.
 */
static void sweep_keeps_table_of_two_vmas(struct kunit *test)
{
	struct mm_struct *mm = test_mm(test);
	unsigned long a = PMD_TEST_ADDR;
	pud_t *pud;

	add_vma(test, mm, a, a + PMD_SIZE, ANON_FLAGS);
	add_vma(test, mm, a + PUD_SIZE / 2, a + PUD_SIZE / 2 + PMD_SIZE, ANON_FLAGS);
	pud = add_pmd_table(test, mm, a);
	sweep(mm, a);
	KUNIT_EXPECT_TRUE(test, pud_kept(mm, pud));
}

/* A PMD table that still maps a PTE table is not empty. */
static void sweep_keeps_table_in_use(struct kunit *test)
{
	struct mm_struct *mm = test_mm(test);
	unsigned long a = PMD_TEST_ADDR;
	pud_t *pud;

	add_vma(test, mm, a, a + PUD_SIZE, ANON_FLAGS);
	pud = add_pmd_table(test, mm, a);
	add_table(test, mm, a + PUD_SIZE - PMD_SIZE);
	sweep(mm, a);
	KUNIT_EXPECT_TRUE(test, pud_kept(mm, pud));
}

/* hugetlb may share its PMD tables between mms (huge_pmd_share()). */
static void sweep_keeps_hugetlb_table(struct kunit *test)
{
	struct mm_struct *mm = test_mm(test);
	unsigned long a = PMD_TEST_ADDR;
	pud_t *pud;

	add_hugetlb_vma(test, mm, a, a + PUD_SIZE);
	pud = add_pmd_table(test, mm, a);
	sweep(mm, a);
	KUNIT_EXPECT_TRUE(test, pud_kept(mm, pud));
}

/* Noting a PMD table that still maps something queues nothing. */
static void emptied_ignores_table_in_use(struct kunit *test)
{
	struct mm_struct *mm = test_mm(test);
	unsigned long a = PMD_TEST_ADDR;
	int count = atomic_read(&mm->mm_count);
	pmd_t *pmd;

	add_vma(test, mm, a, a + PUD_SIZE, ANON_FLAGS);
	pmd = add_table(test, mm, a);
	mmap_read_lock(mm);
	pte_ref_pmd_emptied(mm, pmd + 1, a + PMD_SIZE);
	mmap_read_unlock(mm);
	spin_lock(&sweep_lock);
	KUNIT_EXPECT_NULL(test, find_sweep(mm));
	spin_unlock(&sweep_lock);
	KUNIT_EXPECT_EQ(test, atomic_read(&mm->mm_count), count);
}

/*
 * The GiB is refilled between the request and its sweep (mmap_lock held
 * for write meanwhile, so the sweep cannot run early): the sweep looks
 * again under its locks and keeps the table.  Emptied again, it goes.
 */
static void sweep_keeps_refilled_table(struct kunit *test)
{
	struct mm_struct *mm = test_mm(test);
	unsigned long a = PMD_TEST_ADDR;
	int count = atomic_read(&mm->mm_count);
	struct mmu_gather tlb;
	pmd_t *pmd;
	pud_t *pud;

	add_vma(test, mm, a, a + PUD_SIZE, ANON_FLAGS);
	pud = add_pmd_table(test, mm, a);
	pmd = pmd_offset(pud, a);
	mmap_write_lock(mm);
	pte_ref_pmd_emptied(mm, pmd, a);
	KUNIT_EXPECT_EQ(test, __pte_alloc(mm, pmd), 0);
	mmap_write_unlock(mm);
	wait_for_sweeps(test, mm, count);
	KUNIT_EXPECT_TRUE(test, pud_kept(mm, pud));

	/* Empty it as munmap would, note it again: now the sweep frees it. */
	mmap_write_lock(mm);
	tlb_gather_mmu(&tlb, mm);
	free_pgd_range(&tlb, a, a + PMD_SIZE, a, a + PMD_SIZE);
	tlb_finish_mmu(&tlb);
	pte_ref_pmd_emptied(mm, pmd, a);
	mmap_write_unlock(mm);
	wait_for_sweeps(test, mm, count);
	KUNIT_EXPECT_FALSE(test, pud_kept(mm, pud));
}

KUNIT_DEFINE_ACTION_WRAPPER(pmd_test_mmdrop, mmdrop, struct mm_struct *);

/*
 * The process exits with a sweep queued: exit_mmap() frees the tables,
 * and the sweep, holding only mmgrab(), must find the mm gone, touch
 * nothing (KASAN in debug kernels would see a use after free) and let go
 * of the mm_struct.
 */
static void sweep_after_exit_lets_go(struct kunit *test)
{
	struct mm_struct *mm = test_mm(test);
	unsigned long a = PMD_TEST_ADDR;
	bool queued;
	pud_t *pud;

	add_vma(test, mm, a, a + PUD_SIZE, ANON_FLAGS);
	pud = add_pmd_table(test, mm, a);
	/* Ours, to see the sweep let go of the mm_struct after the exit. */
	mmgrab(mm);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pmd_test_mmdrop, mm), 0);
	mmap_read_lock(mm);
	pte_ref_pmd_emptied(mm, pmd_offset(pud, a), a);
	mmap_read_unlock(mm);
	/* The exit: the test's mmput(), now. */
	kunit_release_action(test, pte_ref_test_mmput, mm);
	spin_lock(&sweep_lock);
	queued = find_sweep(mm);
	spin_unlock(&sweep_lock);
	if (!queued)
		kunit_skip(test, "the sweep ran before the exit (a guest stalled for %u ms)",
			   jiffies_to_msecs(SWEEP_DELAY));
	wait_for_sweeps(test, mm, 1);
}

static struct kunit_case pte_ref_pmd_cases[] = {
	KUNIT_CASE(sweep_frees_table_of_one_vma),
	KUNIT_CASE(sweep_keeps_table_of_two_vmas),
	KUNIT_CASE(sweep_keeps_table_in_use),
	KUNIT_CASE(sweep_keeps_hugetlb_table),
	KUNIT_CASE(emptied_ignores_table_in_use),
	KUNIT_CASE(sweep_keeps_refilled_table),
	KUNIT_CASE(sweep_after_exit_lets_go),
	{}
};

static struct kunit_suite pte_ref_pmd_suite = {
	.name = "pte_ref_pmd",
	.test_cases = pte_ref_pmd_cases,
};

kunit_test_suite(pte_ref_pmd_suite);
