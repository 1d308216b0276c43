// SPDX-License-Identifier: GPL-2.0
/*
 * pte_ref PMD sweep: free the PMD tables that freeing PTE tables has left
 * empty.
 *
 * A PMD table maps 1 GiB (4 KiB pages).  Once free_user_pte() has freed
 * every PTE table under it, the PMD table alone is left: 4 KiB for each
 * GiB of a sparse mapping, 200 kB of the seed workload's 50 GiB, which
 * munmap would free and nothing else does.
 *
 * A PMD table has no pin.  Page faults, madvise, GUP and the rmap walkers
 * reach pmd entries holding only mmap_lock, a VMA lock or an rmap lock
 * (anon_vma, i_mmap), and always through a VMA that covers the address.
 * So a PMD table is freed only when a single VMA overlaps its GiB, with
 * mmap_lock held for write, that VMA write-locked and its rmap locks held
 * for write: the locks mremap holds when it moves a whole PMD table
 * (move_normal_pud()).  A GiB shared by several VMAs keeps its table.
 * What is left runs with IRQs off and no lock (GUP-fast, perf's page-size
 * walk); the table goes through mmu_gather as in free_pgtables(): the
 * flush invalidates paging-structure caches, and RCU table freeing
 * outlives those walkers.
 *
 * The path that frees PTE tables takes none of this: it only notes that a
 * PMD table looks empty (pte_ref_pmd_emptied()), and a work item per mm
 * sweeps the noted range later, at most once per SWEEP_DELAY: the first
 * SWEEP_TRIES times only if mmap_lock is free, then waiting for it.  A
 * process that empties and refills the same GiB in a loop pays one sweep
 * per SWEEP_DELAY, not one per madvise().
 */
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/minmax.h>
#include <linux/pgalloc.h>
#include <linux/pgtable.h>
#include <linux/pte_ref.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vm_event_item.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>
#include <asm/tlb.h>

#define SWEEP_DELAY	msecs_to_jiffies(100)
/* Tries without waiting for mmap_lock before a sweep waits for it. */
#define SWEEP_TRIES	10

/*
 * One mm's PUD-aligned range [start, end) that may hold empty PMD tables.
 * On sweep_list (one per mm) until its work starts; a request noted while
 * the work runs gets a new entry.
 */
struct pmd_sweep {
	struct list_head list;
	struct delayed_work work;
	struct mm_struct *mm;		/* mmgrab()bed */
	unsigned long start, end;
	int tries;			/* sweeps that found mmap_lock busy */
};

static LIST_HEAD(sweep_list);
static DEFINE_SPINLOCK(sweep_lock);
static void pmd_sweep_work(struct work_struct *work);

/* @table: the first entry of a PMD table. */
static bool pmd_table_empty(pmd_t *table)
{
	int i;

	for (i = 0; i < PTRS_PER_PMD; i++)
		if (!pmd_none(pmdp_get(table + i)))
			return false;
	return true;
}

/* sweep_lock held: the queued request of @mm, if any. */
static struct pmd_sweep *find_sweep(struct mm_struct *mm)
{
	struct pmd_sweep *s;

	list_for_each_entry(s, &sweep_list, list)
		if (s->mm == mm)
			return s;
	return NULL;
}

/**
 * pte_ref_pmd_emptied - note that freeing a PTE table may have emptied its
 *	PMD table
 * @mm: the address space
 * @pmd: the pmd entry whose PTE table was just freed; the caller holds
 *	mmap_lock, which with a VMA over the range keeps the PMD table
 * @addr: a user address mapped through @pmd
 *
 * Cheap when the PMD table still maps something; otherwise queues its
 * range for the sweep.  May not sleep; takes no page-table lock.
 */
void pte_ref_pmd_emptied(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)
{
	unsigned long start = addr & PUD_MASK;
	struct pmd_sweep *s;

	/* A folded PMD level (two-level page tables) has no table to free. */
	if (PTRS_PER_PMD == 1 ||
	    !pmd_table_empty(pmd - pmd_index(addr)))
		return;
	spin_lock(&sweep_lock);
	s = find_sweep(mm);
	if (s) {
		s->start = min(s->start, start);
		s->end = max(s->end, start + PUD_SIZE);
		spin_unlock(&sweep_lock);
		return;
	}
	/* Not from the reserves: this is only an optimisation. */
	s = kmalloc(sizeof(*s), GFP_NOWAIT | __GFP_NOWARN | __GFP_NOMEMALLOC);
	if (!s) {
		/* The table stays until munmap: correct, only not reclaimed. */
		spin_unlock(&sweep_lock);
		return;
	}
	mmgrab(mm);
	s->mm = mm;
	s->start = start;
	s->end = start + PUD_SIZE;
	s->tries = 0;
	INIT_DELAYED_WORK(&s->work, pmd_sweep_work);
	list_add_tail(&s->list, &sweep_list);
	spin_unlock(&sweep_lock);
	/* Unbound: a sweep may wait for mmap_lock. */
	queue_delayed_work(system_unbound_wq, &s->work, SWEEP_DELAY);
}

/*
 * mmap_lock held for write: the VMA through which every walker reaches the
 * PMD table covering @addr, write-locked with its rmap locks taken (the
 * order of mm/rmap.c: i_mmap_rwsem, then anon_vma), or NULL if several
 * VMAs share that GiB or the one there is hugetlb (which may share PMD
 * tables between mms, huge_pmd_share()).
 */
static struct vm_area_struct *lock_pud_range(struct mm_struct *mm,
					     unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr), *next;

	mmap_assert_write_locked(mm);
	if (!vma || vma->vm_start >= addr + PUD_SIZE || is_vm_hugetlb_page(vma))
		return NULL;
	next = find_vma(mm, vma->vm_end);
	if (next && next->vm_start < addr + PUD_SIZE)
		return NULL;
	vma_start_write(vma);
	if (vma->vm_file)
		i_mmap_lock_write(vma->vm_file->f_mapping);
	if (vma->anon_vma)
		anon_vma_lock_write(vma->anon_vma);
	return vma;
}

static void unlock_pud_range(struct vm_area_struct *vma)
{
	if (vma->anon_vma)
		anon_vma_unlock_write(vma->anon_vma);
	if (vma->vm_file)
		i_mmap_unlock_write(vma->vm_file->f_mapping);
}

/* As free_pmd_range() does for munmap. */
static void free_pmd(struct mmu_gather *tlb, pud_t *pud, pmd_t *pmd,
		     unsigned long addr)
{
	pud_clear(pud);
	pmd_free_tlb(tlb, pmd, addr);
	mm_dec_nr_pmds(tlb->mm);
}

/* lock_pud_range() done: free the PMD table covering @addr if empty. */
static int free_pmd_table(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	struct mmu_gather tlb;
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;

	mmap_assert_write_locked(mm);
	if (pgd_none_or_clear_bad(pgd))
		return 0;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none_or_clear_bad(p4d))
		return 0;
	pud = pud_offset(p4d, addr);
	if (pud_none(pudp_get(pud)) || pud_leaf(pudp_get(pud)) ||
	    pud_bad(pudp_get(pud)))
		return 0;
	pmd = pmd_offset(pud, addr);
	if (!pmd_table_empty(pmd))
		return 0;
	tlb_gather_mmu(&tlb, mm);
	free_pmd(&tlb, pud, pmd, addr);
	tlb_finish_mmu(&tlb);
	return 1;
}

/*
 * @wait: wait for mmap_lock.  Until then a busy mmap_lock makes the sweep
 * return false, to be tried again later, rather than queue behind a long
 * reader (and, as a waiting writer, hold up every new page fault of the
 * mm behind it); but an mm whose readers never leave a gap (a thread
 * reading /proc/pid/smaps in a loop) must not keep its tables forever.
 */
static bool sweep_mm(struct mm_struct *mm, unsigned long start,
		     unsigned long end, bool wait)
{
	struct vm_area_struct *vma;
	unsigned long addr, freed = 0;

	/* Between noting the range and locking it (debug kernels). */
	pte_ref_debug_delay();
	if (wait)
		mmap_write_lock(mm);
	else if (!mmap_write_trylock(mm))
		return false;
	/* Only where a VMA is: munmap has freed the tables of the gaps. */
	for (addr = start; addr < end; addr += PUD_SIZE) {
		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start >= end)
			break;
		addr = max(addr, vma->vm_start & PUD_MASK);
		vma = lock_pud_range(mm, addr);
		if (!vma)
			continue;
		freed += free_pmd_table(mm, addr);
		unlock_pud_range(vma);
	}
	mmap_write_unlock(mm);
	count_vm_events(PTE_REF_PMD_FREED, freed);
	return true;
}

/*
 * Requests are not dropped when vm.free_user_pte is switched off: a sweep
 * frees only PMD tables that map nothing at all, which is always correct.
 */
static void pmd_sweep_work(struct work_struct *work)
{
	struct pmd_sweep *s = container_of(to_delayed_work(work),
					   struct pmd_sweep, work);
	struct mm_struct *mm = s->mm;
	struct pmd_sweep *newer;

	/* From now on, new requests for this mm make a new entry. */
	spin_lock(&sweep_lock);
	list_del(&s->list);
	spin_unlock(&sweep_lock);

	if (mmget_not_zero(mm)) {
		bool done = sweep_mm(mm, s->start, s->end, s->tries >= SWEEP_TRIES);

		/* Not mmput(): the last user would tear the mm down here. */
		mmput_async(mm);
		if (!done) {
			s->tries++;
			spin_lock(&sweep_lock);
			newer = find_sweep(mm);
			if (newer) {
				newer->start = min(newer->start, s->start);
				newer->end = max(newer->end, s->end);
				newer->tries = max(newer->tries, s->tries);
			} else {
				list_add_tail(&s->list, &sweep_list);
				queue_delayed_work(system_unbound_wq, &s->work,
						   SWEEP_DELAY);
			}
			spin_unlock(&sweep_lock);
			if (!newer)
				return;
		}
	}
	mmdrop(mm);
	kfree(s);
}

/* Its tests reach the static functions above: the sweep and its queue. */
#ifdef CONFIG_FREE_USER_PTE_KUNIT_TEST
#include "pte_ref_pmd_kunit.c"
#endif
