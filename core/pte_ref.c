// SPDX-License-Identifier: GPL-2.0
/*
 * pte_ref: pins on user PTE page-table pages, and freeing of empty ones
 * while their mm is live.  See Documentation/mm/pte_ref.rst.
 *
 * States of a PTE table, kept in ptdesc->pte_refcount:
 *
 *   attached   1       installed in a pmd, no walker on it
 *   pinned     1 + n   installed, n walkers hold pins
 *   dying      0       detached by free_user_pte(); freed after RCU
 *
 * Transitions:
 *   pagetable_pte_ctor()             -> attached   pte_ref_init()
 *   pte_offset_map*(), pte_tryget()  n -> n + 1    only if n > 0
 *   pte_unmap(), pte_put()           n -> n - 1
 *   free_user_pte()                  1 -> 0        pmd lock + PTE lock held,
 *                                                  every entry pte_none()
 *   pagetable_pte_dtor()             checks 0 or 1 pte_ref_free()
 *
 * The pin and the free meet in one atomic variable: a walker's
 * atomic_inc_not_zero() and free_user_pte()'s atomic_cmpxchg(1, 0) are
 * totally ordered, so either the walker pins an attached table that will
 * stay attached until it unpins, or it fails and treats the pmd as empty,
 * exactly as pte_offset_map*() callers already do when a table goes away.
 *
 * Tables detached in other ways keep their count: munmap and exit tear
 * down tables of detached VMAs (count 1), khugepaged replaces tables under
 * its own locking and frees them after RCU, by which time every pin taken
 * through a stale pmd value has been dropped again.
 *
 * So a pin guarantees that pte_ref does not free the table and that its
 * memory stays a PTE table until the pin is dropped.  It does not keep
 * 6.12's own removers away (khugepaged's retract and collapse, mremap's
 * move_normal_pmd()): they detach tables under their own locks, as
 * before, and a caller that must know the table is still the one at *pmd
 * rechecks *pmd under the PTE lock, as pte_offset_map_lock() does.
 *
 * The free is batched: __free_user_pte() detaches a table into a struct
 * pte_ref_batch, and pte_ref_batch_finish() flushes once and frees the
 * batch after one RCU grace period.
 *
 * free_user_pte() itself runs only under the invariant that
 * Documentation/mm/pte_ref.rst states and proves: mmap_lock held, a VMA in
 * the tree overlapping the PMD range, and the pmd and PTE locks around the
 * detach.
 */
#include <linux/delay.h>
#include <linux/export.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pgalloc.h>
#include <linux/pgtable.h>
#include <linux/pte_ref.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <asm/tlbflush.h>

#ifdef CONFIG_DEBUG_FREE_USER_PTE
/*
 * pte_ref.debug_delay_us=N (boot, or /sys/module/pte_ref/parameters/):
 * pte_ref_debug_delay() spins for a random 0..N microseconds where a
 * walker or a freer has read a pmd and not yet locked or pinned what it
 * points to.  The tests use it to widen those windows; 0 (the default)
 * costs one load.  N is capped at 10 ms: udelay() is not meant for
 * longer, and the spin may run with interrupts off.
 */
#define PTE_REF_MAX_DELAY_US	10000U
static unsigned int debug_delay_us;
module_param(debug_delay_us, uint, 0644);

void pte_ref_debug_delay(void)
{
	unsigned int max = min(READ_ONCE(debug_delay_us), PTE_REF_MAX_DELAY_US);

	/*
	 * Random enough from the clock, and lockless: perf maps tables from
	 * NMI, GUP-fast with IRQs off, where the random pool's lock is not
	 * allowed (PREEMPT_RT).
	 */
	if (max)
		udelay((u32)(ktime_get_mono_fast_ns() * 2654435761ULL) % (max + 1));
}
#endif

/* A pmd value a PTE table can be pinned through: present and not a leaf. */
static bool pmd_is_table(pmd_t pmdval)
{
	return !pmd_none(pmdval) && pmd_present(pmdval) && !pmd_leaf(pmdval) &&
	       !pmd_bad(pmdval);
}

/**
 * pte_tryget - pin the PTE table that a pmd points to
 * @mm: the address space of @pmd
 * @pmd: the pmd entry; the PMD table holding it must stay (the caller
 *	holds mmap_lock, a VMA lock or the VMA's rmap lock)
 * @addr: a user address mapped through @pmd
 *
 * Until the matching pte_put() or __pte_put(), free_user_pte() leaves the
 * table attached.  6.12's own removers (khugepaged, mremap) may still
 * detach it under their locks: recheck *@pmd under the PTE lock to know
 * it is still there.  khugepaged's retract frees what it detached after
 * an RCU grace period whatever the pins: keep the table in an RCU read
 * section (as pte_offset_map() does) or hold mmap_lock for write or the
 * VMA's i_mmap lock until the pte_put().  Any locks may be held; the pin
 * never sleeps.  pte_offset_map() and its variants pin the
 * same way (pte_ref_tryget_pmdval()), and pte_unmap() unpins.
 *
 * Return: true if the table is pinned; false if *@pmd is none, not
 * present, a leaf (huge) entry, or a table that free_user_pte() is
 * freeing.
 */
bool pte_tryget(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)
{
	pmd_t pmdval;
	bool pinned;

	/* RCU keeps a table detached after our read from being freed. */
	rcu_read_lock();
	pmdval = pmdp_get_lockless(pmd);
	pinned = pmd_is_table(pmdval) && pte_ref_tryget_pmdval(pmdval);
	rcu_read_unlock();
	return pinned;
}
EXPORT_SYMBOL_GPL(pte_tryget);

/**
 * pte_put - drop the pin on the PTE table that an entry lives in
 * @ptep: an entry of a table pinned with pte_tryget()
 *
 * pte_tryget() pins PTE tables only, so @ptep is a PTE-level entry, and
 * what it holds (a page, a swap entry, nothing) does not matter: the
 * entry is not read.  The seed's pte_put() asked pte_huge() to skip
 * hugetlb entries; no architecture can answer that for a PTE-level entry
 * (x86's _PAGE_PSE is _PAGE_PAT there, riscv's pte_huge() is any leaf),
 * and a hugetlb entry at PMD level or above is never pinned.
 */
void pte_put(pte_t *ptep)
{
	__pte_put(pte_to_page(ptep));
}
EXPORT_SYMBOL_GPL(pte_put);

/**
 * pte_ref_pin_peeked - pin the PTE table that pte_offset_map_peek() mapped
 * @ptep: the entry it returned, not yet pte_unmap_peek()ed
 *
 * For a caller that looked at an entry without a pin and now keeps the
 * table mapped, as after pte_offset_map_nolock().  The peek's RCU read
 * section still holds, so the table's memory is valid even if
 * free_user_pte() detached it meanwhile; the pin then fails.
 *
 * Return: true if the table is pinned (drop it with pte_unmap()); false if
 * it is being freed (end the peek with pte_unmap_peek()).
 */
bool pte_ref_pin_peeked(pte_t *ptep)
{
	return pte_ref_tryget_page(pte_to_page(ptep));
}

/**
 * pte_ref_unmap - drop the pin that pte_offset_map*() took
 * @ptep: the pointer pte_offset_map*() returned (or one into the same table)
 *
 * The pte_unmap() half of every pinning pte_offset_map*(): __pte_put() on
 * the table @ptep points into.  Exported because pte_unmap() is inline.
 * A pointer outside the linear map (a pte_t on a vmap stack) has no table
 * page to unpin: DEBUG_VM warns, and it is ignored.
 */
void pte_ref_unmap(pte_t *ptep)
{
	if (IS_ENABLED(CONFIG_DEBUG_VM) && WARN_ON_ONCE(!virt_addr_valid(ptep)))
		return;
	__pte_put(pte_to_page(ptep));
}
EXPORT_SYMBOL_GPL(pte_ref_unmap);

/**
 * pte_ref_tlb_table_dtor - destroy a PTE table that mmu_gather is freeing
 * @table: a page-table page passed to tlb_remove_table(), now being freed
 *	by the architecture's __tlb_remove_table()
 *
 * With CONFIG_FREE_USER_PTE an architecture's __pte_free_tlb() does not
 * call pagetable_pte_dtor(): a GUP-fast walker may still hold a pin on
 * the table until the TLB flush (IPI) or RCU grace period that comes
 * before __tlb_remove_table(), and the destructor checks that no pin is
 * left; the split ptlock also stays valid for as long as a walker can
 * reach the table.  Tables of the other levels had their destructor run
 * before they were queued, so a table still marked PageTable() here is a
 * PTE table.  Any context; called once per freed table.
 */
void pte_ref_tlb_table_dtor(void *table)
{
	struct page *page = table;

	if (PageTable(page))
		pagetable_pte_dtor(page_ptdesc(page));
}

static bool pte_table_empty(pgtable_t table)
{
	pte_t *pte = page_address(table);
	int i;

	for (i = 0; i < PTRS_PER_PTE; i++)
		if (!pte_none(ptep_get(pte + i)))
			return false;
	return true;
}

/* After the grace period: every walker that could reach @table is gone. */
static void pte_ref_free_table(pgtable_t table)
{
	/*
	 * One that mapped it without a pin and wrote to it, or pinned it
	 * after it was detached, left a trace only this check can see.
	 */
	if (IS_ENABLED(CONFIG_DEBUG_FREE_USER_PTE)) {
		WARN_ONCE(!pte_table_empty(table),
			  "pte_ref: an entry was set in a detached PTE table");
		WARN_ONCE(atomic_read(pte_ref_count(table)),
			  "pte_ref: a detached PTE table was pinned (%d)",
			  atomic_read(pte_ref_count(table)));
	}
	/* The destructor (and a split ptlock) outlives every RCU walker. */
	pte_free(NULL, table);
}

static void pte_ref_free_rcu(struct rcu_head *head)
{
	struct ptdesc *ptdesc = container_of(head, struct ptdesc, pt_rcu_head);

	pte_ref_free_table(ptdesc_page(ptdesc));
}

/* The tables of one pte_ref_batch_finish(), freed by one RCU callback. */
struct pte_ref_rcu_batch {
	struct rcu_head rcu;
	struct list_head tables;
};

static void pte_ref_free_batch_rcu(struct rcu_head *head)
{
	struct pte_ref_rcu_batch *rb = container_of(head, struct pte_ref_rcu_batch,
						    rcu);
	struct ptdesc *ptdesc, *next;

	list_for_each_entry_safe(ptdesc, next, &rb->tables, pt_list) {
		list_del(&ptdesc->pt_list);
		pte_ref_free_table(ptdesc_page(ptdesc));
	}
	kfree(rb);
}

/**
 * __free_user_pte - detach the PTE table at a pmd if it is empty and unpinned
 * @batch: where the detached table waits for its flush and free; started
 *	with pte_ref_batch_init() for the mm of @pmd
 * @pmd: the pmd entry; the caller holds the mm's mmap_lock, which with the
 *	VMA over the range keeps the PMD table; the VMA must not be
 *	hugetlb (hugetlb walks its tables without pins)
 * @addr: a user address mapped through @pmd
 *
 * The caller holds the mm's mmap_lock and has checked that a VMA in the
 * tree overlaps the table's PMD range (free_user_pte() does both): the
 * invariant of Documentation/mm/pte_ref.rst.  Within it, safe to call at
 * any time: a none or leaf pmd, a table with any entry that is not
 * pte_none() (present, swap, migration, marker), or a pinned table is
 * left alone.  Otherwise the table is detached under the pmd lock and its
 * PTE lock and added to @batch; pte_ref_batch_finish() flushes the TLB
 * and paging-structure caches once for all of them, and frees them after
 * an RCU grace period, which also waits for lockless walkers
 * (pte_offset_map() users, GUP-fast with IRQs off).
 *
 * Must be called without page-table locks held, between
 * pte_ref_batch_init() and pte_ref_batch_finish() (which keep preemption
 * off); may not sleep.
 *
 * Return: PTE_REF_FREED if the table was detached (and will be freed),
 * else why not: PTE_REF_NO_TABLE, PTE_REF_NOT_EMPTY or PTE_REF_PINNED.
 */
enum pte_ref_free __free_user_pte(struct pte_ref_batch *batch, pmd_t *pmd,
				  unsigned long addr)
{
	enum pte_ref_free ret = PTE_REF_NOT_EMPTY;
	struct mm_struct *mm = batch->mm;
	spinlock_t *pml, *ptl;
	pgtable_t table;
	pmd_t pmdval;

	mmap_assert_locked(mm);
	/* Detached and not yet flushed must not wait for the CPU: see below. */
	VM_WARN_ON_ONCE(preemptible());
	/* The window between finding @pmd and locking it (debug kernels). */
	pte_ref_debug_delay();
	pml = pmd_lock(mm, pmd);
	pmdval = pmdp_get(pmd);
	/* Only tables of pagetable_pte_ctor() have a count to free them by. */
	if (!pmd_is_table(pmdval) || !PageTable(pmd_pgtable(pmdval))) {
		spin_unlock(pml);
		return PTE_REF_NO_TABLE;
	}
	table = pmd_pgtable(pmdval);
	/*
	 * The PTE lock keeps entries from being installed while we look.  It
	 * is the pmd lock itself without split PTE locks: __acquire() and
	 * __release() tell sparse the lock state is the same either way.
	 */
	ptl = pte_lockptr(mm, &pmdval);
	if (ptl != pml)
		spin_lock_nested(ptl, SINGLE_DEPTH_NESTING);
	else
		__acquire(ptl);
	/*
	 * Between the count's drop and pmd_clear() a walker's pin fails on a
	 * pmd that has not changed yet.  Walkers that look again then spin
	 * until pmd_clear(), a few instructions away, but not one that
	 * interrupted this CPU: perf's page-size lookup, from NMI, returns
	 * rather than retry on an unchanged pmd (kernel/events/core.c).  The
	 * other order, clear first and repopulate if pinned, would show a
	 * pinned table's pmd none for a moment, which UFFDIO_MOVE's lockless
	 * pmd_none() checks take for a bug.
	 */
	if (pte_table_empty(table)) {
		if (atomic_cmpxchg(pte_ref_count(table), 1, 0) == 1) {
			pmd_clear(pmd);
			ret = PTE_REF_FREED;
		} else {
			ret = PTE_REF_PINNED;
		}
	}
	if (ptl != pml)
		spin_unlock(ptl);
	else
		__release(ptl);
	spin_unlock(pml);
	if (ret != PTE_REF_FREED)
		return ret;

	/*
	 * Unreachable from the page tables now: no one else uses pt_list (it
	 * shares its place with pt_rcu_head, which is ours once it is freed).
	 */
	mm_dec_nr_ptes(mm);
	list_add_tail(&page_ptdesc(table)->pt_list, &batch->tables);
	batch->nr++;
	return PTE_REF_FREED;
}

/**
 * pte_ref_batch_finish - flush and free the tables a batch detached
 * @batch: tables detached by __free_user_pte() since pte_ref_batch_init()
 *
 * One flush_tlb_mm() for all of them: after it, no CPU holds a
 * translation or a cached walk through any of them.  Until then a CPU may
 * still walk into one through a cached pmd, even after a fault installed
 * a new table there: it finds it empty and faults again (arm64 and riscv
 * do not drop a cached walk on a fault; x86 does), which is why
 * preemption stays off from pte_ref_batch_init() to here: the flush comes
 * within the caller's loop, not after whatever runs instead of it.  Then
 * one RCU callback frees them all (one each if the batch header cannot be
 * allocated), the destructor and split ptlock included.  Preemption is on
 * again after.
 *
 * Return: true if it flushed (the batch held a table).
 */
bool pte_ref_batch_finish(struct pte_ref_batch *batch)
{
	struct pte_ref_rcu_batch *rb;
	struct ptdesc *ptdesc, *next;

	if (!batch->nr) {
		preempt_enable();
		return false;
	}
	/* No CPU may walk into a table once it is back in the allocator. */
	flush_tlb_mm(batch->mm);
	rb = kmalloc(sizeof(*rb), GFP_NOWAIT | __GFP_NOWARN);
	if (rb) {
		list_replace_init(&batch->tables, &rb->tables);
		call_rcu(&rb->rcu, pte_ref_free_batch_rcu);
	} else {
		list_for_each_entry_safe(ptdesc, next, &batch->tables, pt_list) {
			list_del(&ptdesc->pt_list);
			call_rcu(&ptdesc->pt_rcu_head, pte_ref_free_rcu);
		}
	}
	batch->nr = 0;
	preempt_enable();
	return true;
}
