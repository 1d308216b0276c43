// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for pte_ref: pins on PTE tables and free_user_pte().
 *
 * Each test builds page tables for one PMD-sized range of a private mm
 * (mm_alloc(), never run), so real pmd entries, ptlocks and PTE tables
 * are used, and tears them down with free_pgd_range() so that the mm's
 * page-table accounting is checked by mmput() as for any process.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/pgalloc.h>
#include <linux/pte_ref.h>
#include <linux/sched/mm.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <asm/tlb.h>

/*
 * pte_offset_map() returns with rcu_read_lock() held when it maps a table,
 * which sparse cannot see; pte_unmap() releases it.  Where a test knows it
 * got a mapping it says so with __acquire(RCU), a no-op outside sparse.
 */

/* An address in the middle of the user range, PMD aligned. */
#define TEST_ADDR	(SZ_1G)

struct pte_ref_env {
	struct mm_struct *mm;
	pmd_t *pmd;
	struct page *data;	/* a page to point test entries at */
};

static int pte_ref_test_init(struct kunit *test)
{
	struct pte_ref_env *env;
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;

	env = kunit_kzalloc(test, sizeof(*env), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, env);
	env->mm = mm_alloc();
	KUNIT_ASSERT_NOT_NULL(test, env->mm);
	env->data = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, env->data);
	pgd = pgd_offset(env->mm, TEST_ADDR);
	p4d = p4d_alloc(env->mm, pgd, TEST_ADDR);
	KUNIT_ASSERT_NOT_NULL(test, p4d);
	pud = pud_alloc(env->mm, p4d, TEST_ADDR);
	KUNIT_ASSERT_NOT_NULL(test, pud);
	env->pmd = pmd_alloc(env->mm, pud, TEST_ADDR);
	KUNIT_ASSERT_NOT_NULL(test, env->pmd);
	test->priv = env;
	return 0;
}

static void pte_ref_test_exit(struct kunit *test)
{
	struct pte_ref_env *env = test->priv;
	struct mmu_gather tlb;

	if (!env)
		return;
	/* Let tables freed by free_user_pte() reach their destructor. */
	rcu_barrier();
	tlb_gather_mmu(&tlb, env->mm);
	free_pgd_range(&tlb, TEST_ADDR, TEST_ADDR + PMD_SIZE, 0, 0);
	tlb_finish_mmu(&tlb);
	mmput(env->mm);
	__free_page(env->data);
}

static int refcount(pmd_t *pmd)
{
	return atomic_read(pte_ref_count(pmd_pgtable(pmdp_get(pmd))));
}

/*
 * __free_user_pte() and its flush, as the triggers call them: the caller
 * holds mmap_lock.
 */
static enum pte_ref_free free_locked(struct pte_ref_env *env)
{
	struct pte_ref_batch batch;
	enum pte_ref_free ret;

	pte_ref_batch_init(&batch, env->mm);
	ret = __free_user_pte(&batch, env->pmd, TEST_ADDR);
	pte_ref_batch_finish(&batch);
	return ret;
}

/*
 * free_locked() under mmap_lock.  The test mm
 * has no VMA, so free_user_pte(), which also wants one over the range,
 * would refuse every table: these tests are about the table itself.
 */
static bool test_free(struct pte_ref_env *env)
{
	enum pte_ref_free ret;

	mmap_read_lock(env->mm);
	ret = free_locked(env);
	mmap_read_unlock(env->mm);
	return ret == PTE_REF_FREED;
}

static void alloc_table(struct kunit *test, struct pte_ref_env *env)
{
	KUNIT_ASSERT_EQ(test, __pte_alloc(env->mm, env->pmd), 0);
	KUNIT_ASSERT_FALSE(test, pmd_none(pmdp_get(env->pmd)));
}

static void pte_ref_tryget_none_pmd(struct kunit *test)
{
	struct pte_ref_env *env = test->priv;

	KUNIT_EXPECT_FALSE(test, pte_tryget(env->mm, env->pmd, TEST_ADDR));
	KUNIT_EXPECT_NULL(test, pte_offset_map(env->pmd, TEST_ADDR));
}

static void pte_ref_tryget_leaf_pmd(struct kunit *test)
{
	struct pte_ref_env *env = test->priv;
	pmd_t leaf;

	if (!IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE))
		kunit_skip(test, "leaf pmds need CONFIG_TRANSPARENT_HUGEPAGE");
	leaf = pmd_mkhuge(pfn_pmd(page_to_pfn(env->data), vm_get_page_prot(VM_READ)));
	KUNIT_ASSERT_TRUE(test, pmd_leaf(leaf));
	set_pmd(env->pmd, leaf);
	KUNIT_EXPECT_FALSE(test, pte_tryget(env->mm, env->pmd, TEST_ADDR));
	KUNIT_EXPECT_NULL(test, pte_offset_map(env->pmd, TEST_ADDR));
	/* free_user_pte() leaves a leaf entry alone. */
	KUNIT_EXPECT_FALSE(test, test_free(env));
	KUNIT_EXPECT_TRUE(test, pmd_same(pmdp_get(env->pmd), leaf));
	pmd_clear(env->pmd);
}

static void pte_ref_tryget_table(struct kunit *test)
{
	struct pte_ref_env *env = test->priv;
	pgtable_t table;

	alloc_table(test, env);
	table = pmd_pgtable(pmdp_get(env->pmd));
	KUNIT_EXPECT_EQ(test, refcount(env->pmd), 1);
	KUNIT_ASSERT_TRUE(test, pte_tryget(env->mm, env->pmd, TEST_ADDR));
	KUNIT_EXPECT_EQ(test, refcount(env->pmd), 2);
	__pte_put(table);
	KUNIT_EXPECT_EQ(test, refcount(env->pmd), 1);
}

static void pte_ref_get_put_balance(struct kunit *test)
{
	struct pte_ref_env *env = test->priv;
	pgtable_t table;
	pte_t *pte;
	int i;

	alloc_table(test, env);
	table = pmd_pgtable(pmdp_get(env->pmd));
	/* Nested pins each count, and balance. */
	for (i = 0; i < 8; i++) {
		KUNIT_ASSERT_TRUE(test, pte_tryget(env->mm, env->pmd, TEST_ADDR));
		KUNIT_EXPECT_EQ(test, refcount(env->pmd), i + 2);
	}
	for (i = 0; i < 8; i++)
		__pte_put(table);
	KUNIT_EXPECT_EQ(test, refcount(env->pmd), 1);

	/* A mapping pins until pte_unmap(), given any entry of the table. */
	pte = pte_offset_map(env->pmd, TEST_ADDR + 5 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, pte);
	__acquire(RCU);
	KUNIT_EXPECT_EQ(test, refcount(env->pmd), 2);
	KUNIT_ASSERT_TRUE(test, pte_tryget(env->mm, env->pmd, TEST_ADDR));
	KUNIT_EXPECT_EQ(test, refcount(env->pmd), 3);
	pte_unmap(pte + 100);
	KUNIT_EXPECT_EQ(test, refcount(env->pmd), 2);

	/* pte_put() on an entry of the table is the same as __pte_put(). */
	pte_put(pte_offset_kernel(env->pmd, TEST_ADDR));
	KUNIT_EXPECT_EQ(test, refcount(env->pmd), 1);
}

/*
 * pte_put() unpins whatever the entry holds: a present page (which riscv's
 * pte_huge() calls huge, being a leaf) or a swap entry (which x86's may
 * call huge when an offset bit lands on _PAGE_PSE).  A pinned table is a
 * PTE table, so the entry needs no looking at.
 */
static void pte_ref_put_any_entry(struct kunit *test)
{
	struct pte_ref_env *env = test->priv;
	pte_t *pte, entries[2];
	int i;

	alloc_table(test, env);
	entries[0] = pfn_pte(page_to_pfn(env->data), vm_get_page_prot(VM_READ));
	entries[1] = swp_entry_to_pte(swp_entry(0, ~0UL >> (BITS_PER_LONG - 20)));
	for (i = 0; i < ARRAY_SIZE(entries); i++) {
		pte = pte_offset_kernel(env->pmd, TEST_ADDR + i * PAGE_SIZE);
		set_pte(pte, entries[i]);
		KUNIT_ASSERT_TRUE(test, pte_tryget(env->mm, env->pmd, TEST_ADDR));
		pte_put(pte);
		KUNIT_EXPECT_EQ_MSG(test, refcount(env->pmd), 1, "entry %d", i);
		pte_clear(env->mm, TEST_ADDR + i * PAGE_SIZE, pte);
	}
}

static void pte_ref_tryget_dying(struct kunit *test)
{
	struct pte_ref_env *env = test->priv;
	atomic_t *count;

	alloc_table(test, env);
	count = pte_ref_count(pmd_pgtable(pmdp_get(env->pmd)));
	/* What free_user_pte() leaves between its cmpxchg and pmd_clear(). */
	atomic_set(count, 0);
	KUNIT_EXPECT_FALSE(test, pte_tryget(env->mm, env->pmd, TEST_ADDR));
	KUNIT_EXPECT_NULL(test, pte_offset_map(env->pmd, TEST_ADDR));
	KUNIT_EXPECT_EQ(test, atomic_read(count), 0);
	atomic_set(count, 1);
}

/*
 * handle_pte_fault()'s peek: no pin while it only looks, a pin once it
 * keeps the table, and none for a table that free_user_pte() detached.
 */
static void pte_ref_peek(struct kunit *test)
{
	struct pte_ref_env *env = test->priv;
	spinlock_t *ptl;	/* what the fault path would lock */
	atomic_t *count;
	pte_t *pte;

	alloc_table(test, env);
	count = pte_ref_count(pmd_pgtable(pmdp_get(env->pmd)));
	pte = pte_offset_map_peek(env->mm, env->pmd, TEST_ADDR, &ptl);
	KUNIT_EXPECT_NOT_NULL(test, pte);
	if (!pte)
		return;
	/* The peek holds RCU until pte_unmap*(), as sparse cannot see. */
	__acquire(RCU);
	KUNIT_EXPECT_EQ(test, atomic_read(count), 1);
	KUNIT_EXPECT_PTR_EQ(test, ptl, pte_lockptr(env->mm, env->pmd));
	if (!pte_ref_pin_peeked(pte)) {
		KUNIT_FAIL(test, "cannot pin an attached table after a peek");
		pte_unmap_peek(pte);
		return;
	}
	KUNIT_EXPECT_EQ(test, atomic_read(count), 2);
	pte_unmap(pte);
	KUNIT_EXPECT_EQ(test, atomic_read(count), 1);

	pte = pte_offset_map_peek(env->mm, env->pmd, TEST_ADDR, &ptl);
	KUNIT_EXPECT_NOT_NULL(test, pte);
	if (!pte)
		return;
	__acquire(RCU);
	/* What free_user_pte() leaves between its cmpxchg and pmd_clear(). */
	atomic_set(count, 0);
	KUNIT_EXPECT_FALSE(test, pte_ref_pin_peeked(pte));
	KUNIT_EXPECT_EQ(test, atomic_read(count), 0);
	pte_unmap_peek(pte);
	atomic_set(count, 1);
}

/*
 * The fault paths' locked map takes no pin: the PTE lock keeps the table
 * attached while it is held, and nothing is left pinned once it is not.
 */
static void pte_ref_lock_unpinned(struct kunit *test)
{
	struct pte_ref_env *env = test->priv;
	spinlock_t *ptl;	/* the table's PTE lock, held while mapped */
	atomic_t *count;
	pte_t *pte;

	alloc_table(test, env);
	count = pte_ref_count(pmd_pgtable(pmdp_get(env->pmd)));
	/*
	 * pte_offset_map_lock_unpinned() itself, without the __cond_lock()
	 * that sparse cannot follow past the NULL check: it sees the lock
	 * and the RCU section from there on.
	 */
	pte = __pte_offset_map_lock(env->mm, env->pmd, TEST_ADDR, &ptl, false);
	KUNIT_EXPECT_NOT_NULL(test, pte);
	if (!pte)
		return;
	__acquire(ptl);
	__acquire(RCU);
	lockdep_assert_held(ptl);
	KUNIT_EXPECT_PTR_EQ(test, ptl, pte_lockptr(env->mm, env->pmd));
	KUNIT_EXPECT_EQ(test, atomic_read(count), 1);
	pte_unmap_unlock_unpinned(pte, ptl);
	KUNIT_EXPECT_EQ(test, atomic_read(count), 1);
	/* Nothing holds the empty table any more: it can go. */
	KUNIT_EXPECT_TRUE(test, test_free(env));
}

/*
 * Kernel and firmware page tables never went through pagetable_pte_ctor():
 * pte_offset_map() must map them without touching their struct page, and
 * free_user_pte() must leave them alone.
 */
static void pte_ref_kernel_table(struct kunit *test)
{
	struct pte_ref_env *env = test->priv;
	struct page *table = alloc_page(GFP_KERNEL | __GFP_ZERO);
	pmd_t saved;
	pte_t *pte;

	KUNIT_ASSERT_NOT_NULL(test, table);
	/* Stands for whatever the kernel left in a table's ptdesc. */
	atomic_set(pte_ref_count(table), -7);
	pmd_populate(env->mm, env->pmd, table);
	saved = pmdp_get(env->pmd);
	pte = pte_offset_map(env->pmd, TEST_ADDR);
	KUNIT_EXPECT_NOT_NULL(test, pte);
	if (pte) {
		__acquire(RCU);
		pte_unmap(pte);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(pte_ref_count(table)), -7);
	KUNIT_EXPECT_FALSE(test, test_free(env));
	KUNIT_EXPECT_TRUE(test, pmd_same(pmdp_get(env->pmd), saved));
	pmd_clear(env->pmd);
	atomic_set(pte_ref_count(table), 0);
	__free_page(table);
}

static void free_user_pte_pinned(struct kunit *test)
{
	struct pte_ref_env *env = test->priv;
	unsigned long bytes;
	pte_t *pte;

	enum pte_ref_free ret;

	alloc_table(test, env);
	bytes = mm_pgtables_bytes(env->mm);
	/* mmap_lock first: it sleeps, and a mapped table is an RCU section. */
	mmap_read_lock(env->mm);
	pte = pte_offset_map(env->pmd, TEST_ADDR);
	if (!pte) {
		mmap_read_unlock(env->mm);
		KUNIT_FAIL_AND_ABORT(test, "no table mapped");
	}
	__acquire(RCU);
	ret = free_locked(env);
	pte_unmap(pte);
	mmap_read_unlock(env->mm);
	KUNIT_EXPECT_EQ(test, ret, PTE_REF_PINNED);
	KUNIT_EXPECT_FALSE(test, pmd_none(pmdp_get(env->pmd)));
	KUNIT_EXPECT_EQ(test, mm_pgtables_bytes(env->mm), bytes);
	KUNIT_EXPECT_TRUE(test, test_free(env));
}

static void free_user_pte_not_empty(struct kunit *test)
{
	struct pte_ref_env *env = test->priv;
	pte_t *pte;
	int i;

	alloc_table(test, env);
	/* Any entry that is not pte_none() keeps the table: first and last. */
	for (i = 0; i < PTRS_PER_PTE; i += PTRS_PER_PTE - 1) {
		pte = pte_offset_kernel(env->pmd, TEST_ADDR + i * PAGE_SIZE);
		set_pte(pte, pfn_pte(page_to_pfn(env->data), vm_get_page_prot(VM_READ)));
		KUNIT_EXPECT_FALSE(test, test_free(env));
		KUNIT_EXPECT_FALSE(test, pmd_none(pmdp_get(env->pmd)));
		pte_clear(env->mm, TEST_ADDR, pte);
	}
	KUNIT_EXPECT_EQ(test, refcount(env->pmd), 1);
}

static void free_user_pte_empty(struct kunit *test)
{
	struct pte_ref_env *env = test->priv;
	unsigned long bytes;
	struct page *table;

	KUNIT_EXPECT_FALSE(test, test_free(env));
	alloc_table(test, env);
	bytes = mm_pgtables_bytes(env->mm);
	table = pmd_pgtable(pmdp_get(env->pmd));
	/* Hold the page itself, to see its destructor run after RCU. */
	get_page(table);
	KUNIT_ASSERT_TRUE(test, test_free(env));
	KUNIT_EXPECT_TRUE(test, pmd_none(pmdp_get(env->pmd)));
	KUNIT_EXPECT_EQ(test, mm_pgtables_bytes(env->mm),
			bytes - PTRS_PER_PTE * sizeof(pte_t));
	rcu_barrier();
	KUNIT_EXPECT_FALSE(test, folio_test_pgtable(page_folio(table)));
	KUNIT_EXPECT_EQ(test, page_ref_count(table), 1);
	put_page(table);
	/* The pmd can take a new table, which starts attached. */
	alloc_table(test, env);
	KUNIT_EXPECT_EQ(test, refcount(env->pmd), 1);
}

/*
 * A walker that reached the table before it was detached may read it until
 * its RCU read section ends: the table, its destructor not yet run, must
 * outlive every such section.  Freeing it at once would pass every other
 * test here and hand a walker a page the allocator may reuse.
 */
static void free_user_pte_after_rcu(struct kunit *test)
{
	struct pte_ref_env *env = test->priv;
	bool freed, kept;
	struct page *table;

	alloc_table(test, env);
	table = pmd_pgtable(pmdp_get(env->pmd));
	/* Hold the page itself, so the check below reads a live struct page. */
	get_page(table);
	mmap_read_lock(env->mm);
	rcu_read_lock();
	freed = free_locked(env) == PTE_REF_FREED;
	kept = folio_test_pgtable(page_folio(table));
	rcu_read_unlock();
	mmap_read_unlock(env->mm);
	/* Reported out here: a failed expectation allocates, and may sleep. */
	KUNIT_EXPECT_TRUE(test, freed);
	KUNIT_EXPECT_TRUE(test, kept);
	rcu_barrier();
	KUNIT_EXPECT_FALSE(test, folio_test_pgtable(page_folio(table)));
	put_page(table);
}

struct race {
	struct pte_ref_env *env;
	atomic_long_t pins, misses, frees, detached_while_pinned;
};

/* Pin and unpin; while pinned, the pmd must still point at our table. */
static int race_pinner(void *arg)
{
	struct race *r = arg;
	pmd_t *pmd = r->env->pmd;

	while (!kthread_should_stop()) {
		pte_t *pte = pte_offset_map(pmd, TEST_ADDR);

		if (!pte) {
			atomic_long_inc(&r->misses);
		} else {
			__acquire(RCU);
			for (int i = 0; i < 8; i++) {
				if (pmd_pgtable(pmdp_get_lockless(pmd)) != pte_to_page(pte))
					atomic_long_inc(&r->detached_while_pinned);
				cpu_relax();
			}
			pte_unmap(pte);
			atomic_long_inc(&r->pins);
		}
		cond_resched();
	}
	return 0;
}

/* Give the pmd a table, then free it again, as fast as possible. */
static int race_freer(void *arg)
{
	struct race *r = arg;

	while (!kthread_should_stop()) {
		if (pmd_none(pmdp_get(r->env->pmd)) &&
		    __pte_alloc(r->env->mm, r->env->pmd))
			break;
		/*
		 * Leave the pinners a window with the table there, also when
		 * they share our CPU: yield inside it, not only outside.
		 */
		udelay(5);
		cond_resched();
		if (test_free(r->env))
			atomic_long_inc(&r->frees);
		cond_resched();
	}
	return 0;
}

static void pte_ref_race_pin_free(struct kunit *test)
{
	struct race r = { .env = test->priv };
	struct task_struct *t[3];
	int i;

	t[0] = kthread_create(race_freer, &r, "pte_ref_freer");
	t[1] = kthread_create(race_pinner, &r, "pte_ref_pin1");
	t[2] = kthread_create(race_pinner, &r, "pte_ref_pin2");
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		KUNIT_ASSERT_FALSE(test, IS_ERR(t[i]));
		/* kthread_stop() below, even if the thread has returned by then. */
		get_task_struct(t[i]);
		/* Spread them over the CPUs, so the race is a real one. */
		kthread_bind(t[i], cpumask_local_spread(i, NUMA_NO_NODE));
		wake_up_process(t[i]);
	}
	/*
	 * A second at least, and on until both sides have run: an emulated
	 * CPU on a busy host can be starved of its host CPU for longer.
	 */
	msleep(1000);
	for (i = 0; i < 90 && (!atomic_long_read(&r.pins) ||
			       !atomic_long_read(&r.frees)); i++)
		msleep(100);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		kthread_stop(t[i]);
		put_task_struct(t[i]);
	}
	kunit_info(test, "%ld pins, %ld misses, %ld frees\n",
		   atomic_long_read(&r.pins), atomic_long_read(&r.misses),
		   atomic_long_read(&r.frees));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&r.detached_while_pinned), 0);
	/* Both sides must have run for the race to mean anything. */
	KUNIT_EXPECT_GT(test, atomic_long_read(&r.pins), 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&r.frees), 0);
	if (!pmd_none(pmdp_get(r.env->pmd)))
		KUNIT_EXPECT_EQ(test, refcount(r.env->pmd), 1);
}

static struct kunit_case pte_ref_cases[] = {
	KUNIT_CASE(pte_ref_tryget_none_pmd),
	KUNIT_CASE(pte_ref_tryget_leaf_pmd),
	KUNIT_CASE(pte_ref_tryget_table),
	KUNIT_CASE(pte_ref_get_put_balance),
	KUNIT_CASE(pte_ref_put_any_entry),
	KUNIT_CASE(pte_ref_tryget_dying),
	KUNIT_CASE(pte_ref_peek),
	KUNIT_CASE(pte_ref_lock_unpinned),
	KUNIT_CASE(pte_ref_kernel_table),
	KUNIT_CASE(free_user_pte_pinned),
	KUNIT_CASE(free_user_pte_not_empty),
	KUNIT_CASE(free_user_pte_empty),
	KUNIT_CASE(free_user_pte_after_rcu),
	KUNIT_CASE(pte_ref_race_pin_free),
	{}
};

static struct kunit_suite pte_ref_suite = {
	.name = "pte_ref",
	.init = pte_ref_test_init,
	.exit = pte_ref_test_exit,
	.test_cases = pte_ref_cases,
};

kunit_test_suite(pte_ref_suite);

MODULE_DESCRIPTION("KUnit tests for pte_ref");
MODULE_LICENSE("GPL");
