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
 * read pmd entries holding only mmap_lock, a VMA lock or an rmap lock
 * (anon_vma, i_mmap), so a PMD table is freed only with all of them held
 * for write: mmap_write_lock() and mm_take_all_locks(), which write-locks
 * every VMA and takes every anon_vma and i_mmap lock of the mm.  Those
 * are the locks munmap holds, or has made unnecessary by detaching the
 * VMAs, when free_pgtables() frees the same tables.  What is left runs
 * with IRQs off and no lock (GUP-fast, perf's page-size walk); the table
 * goes through mmu_gather as in free_pgtables(): the flush invalidates
 * paging-structure caches, and RCU table freeing outlives those walkers.
 *
 * Taking every lock of an mm is not cheap, so the path that frees PTE
 * tables never does it: it only notes that a PMD table looks empty
 * (pte_ref_pmd_emptied()), and a worker sweeps the noted range of each mm
 * later, at most once per SWEEP_DELAY: the first SWEEP_TRIES times only if
 * mmap_lock is free, then waiting for it.  A process that empties and
 * refills the same GiB in a loop pays one sweep per SWEEP_DELAY, not one
 * per madvise().
 */
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/minmax.h>
#include <linux/pgalloc.h>
#include <linux/pgtable.h>
#include <linux/pte_ref.h>
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

/* One mm's PUD-aligned range [start, end) that may hold empty PMD tables. */
struct pmd_sweep {
	struct list_head list;
	struct mm_struct *mm;		/* mmgrab()bed */
	unsigned long start, end;
	int tries;			/* sweeps that found mmap_lock busy */
};

static LIST_HEAD(sweep_list);
static DEFINE_SPINLOCK(sweep_lock);
static void pmd_sweep_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(sweep_work, pmd_sweep_work);

/* @table: the first entry of a PMD table. */
static bool pmd_table_empty(pmd_t *table)
{
	int i;

	for (i = 0; i < PTRS_PER_PMD; i++)
		if (!pmd_none(pmdp_get(table + i)))
			return false;
	return true;
}

/**
 * pte_ref_pmd_emptied - note that freeing a PTE table may have emptied its
 *	PMD table
 * @mm: the address space
 * @pmd: the pmd entry whose PTE table was just freed; the caller holds
 *	what keeps the PMD table (mmap_lock or the VMA's rmap lock)
 * @addr: a user address mapped through @pmd
 *
 * Cheap when the PMD table still maps something; otherwise queues its
 * range for the sweep.  May not sleep; takes no page-table lock.
 */
void pte_ref_pmd_emptied(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)
{
	unsigned long start = addr & PUD_MASK;
	struct pmd_sweep *s;

	if (!pmd_table_empty(pmd - pmd_index(addr)))
		return;
	spin_lock(&sweep_lock);
	list_for_each_entry(s, &sweep_list, list) {
		if (s->mm == mm) {
			s->start = min(s->start, start);
			s->end = max(s->end, start + PUD_SIZE);
			goto queued;
		}
	}
	s = kmalloc(sizeof(*s), GFP_ATOMIC | __GFP_NOWARN);
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
	list_add_tail(&s->list, &sweep_list);
queued:
	spin_unlock(&sweep_lock);
	/* Unbound: taking every lock of a large mm may take a while. */
	queue_delayed_work(system_unbound_wq, &sweep_work, SWEEP_DELAY);
}

/* Every lock held: may the PMD table covering @addr be freed? */
static bool pud_range_freeable(struct mm_struct *mm, unsigned long addr)
{
	unsigned long end = addr + PUD_SIZE;
	struct vm_area_struct *vma;

	/* hugetlb may share PMD tables between mms (huge_pmd_share()). */
	for (vma = find_vma(mm, addr); vma && vma->vm_start < end;
	     vma = find_vma(mm, vma->vm_end))
		if (is_vm_hugetlb_page(vma))
			return false;
	return true;
}

/* Every lock held: free the PMD table covering @addr if it is empty. */
static int free_pmd_table(struct mmu_gather *tlb, struct mm_struct *mm,
			  unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;

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
	/* As free_pmd_range() does for munmap. */
	pud_clear(pud);
	pmd_free_tlb(tlb, pmd, addr);
	mm_dec_nr_pmds(mm);
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
	struct mmu_gather tlb;
	unsigned long addr, freed = 0;

	if (wait)
		mmap_write_lock(mm);
	else if (!mmap_write_trylock(mm))
		return false;
	/* Fails only on a signal, which a worker never has. */
	if (mm_take_all_locks(mm))
		goto unlock;
	tlb_gather_mmu(&tlb, mm);
	/* Only where a VMA is: munmap has freed the tables of the gaps. */
	for (addr = start; addr < end; addr += PUD_SIZE) {
		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start >= end)
			break;
		addr = max(addr, vma->vm_start & PUD_MASK);
		if (pud_range_freeable(mm, addr))
			freed += free_pmd_table(&tlb, mm, addr);
	}
	tlb_finish_mmu(&tlb);
	mm_drop_all_locks(mm);
unlock:
	mmap_write_unlock(mm);
	count_vm_events(PTE_REF_PMD_FREED, freed);
	return true;
}

/* Put @s back for the next sweep, merged with a newer request for its mm. */
static void requeue(struct pmd_sweep *s)
{
	struct pmd_sweep *n;

	spin_lock(&sweep_lock);
	list_for_each_entry(n, &sweep_list, list) {
		if (n->mm == s->mm) {
			n->start = min(n->start, s->start);
			n->end = max(n->end, s->end);
			n->tries = max(n->tries, s->tries);
			spin_unlock(&sweep_lock);
			mmdrop(s->mm);
			kfree(s);
			return;
		}
	}
	list_add_tail(&s->list, &sweep_list);
	spin_unlock(&sweep_lock);
	queue_delayed_work(system_unbound_wq, &sweep_work, SWEEP_DELAY);
}

/*
 * Requests are not dropped when vm.free_user_pte is switched off: a sweep
 * frees only PMD tables that map nothing at all, which is always correct.
 */
static void pmd_sweep_work(struct work_struct *work)
{
	struct pmd_sweep *s, *next;
	LIST_HEAD(todo);

	spin_lock(&sweep_lock);
	list_splice_init(&sweep_list, &todo);
	spin_unlock(&sweep_lock);
	list_for_each_entry_safe(s, next, &todo, list) {
		list_del(&s->list);
		if (mmget_not_zero(s->mm)) {
			bool done = sweep_mm(s->mm, s->start, s->end,
					     s->tries >= SWEEP_TRIES);

			mmput(s->mm);
			if (!done) {
				s->tries++;
				requeue(s);
				continue;
			}
		}
		mmdrop(s->mm);
		kfree(s);
	}
}
