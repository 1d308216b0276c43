// SPDX-License-Identifier: GPL-2.0
/*
 * pte_ref reclaim: when to call free_user_pte(), the switch that turns it
 * off, and the counters that show what it did.
 *
 * Every PTE table pte_ref frees is freed under one rule (Documentation/mm/
 * pte_ref.rst, "The invariant"): with its mm's mmap_lock held, at least
 * one VMA in the tree overlapping the table's PMD range, and none there
 * that keep_tables() names.  The VMA is what keeps munmap away: munmap
 * frees the tables of VMAs it has already taken out of the tree, holding
 * mmap_lock only for read, and never a table a VMA still in the tree
 * reaches.  mmap_lock keeps away the table-removers that hold it for
 * write (khugepaged's collapse, mremap) and rely on a pmd they checked.
 *
 * Triggers:
 *   MADV_DONTNEED(_LOCKED)  every PMD range the call touched, under the
 *                           caller's mmap_lock; any call size, so several
 *                           small calls that together empty a table free it
 *   MADV_FREE               reclaim discards lazily-freed pages holding
 *                           only the rmap lock: it notes the PMD range, and
 *                           a worker frees the table under mmap_lock
 *   retry                   a table skipped only because it was pinned is
 *                           tried again by the same worker until the pins
 *                           are gone (or PTE_REF_RETRIES attempts failed)
 *
 * vm.free_user_pte (sysctl) and free_user_pte= (boot) switch the triggers;
 * off is a static branch, so it costs nothing on the madvise and reclaim
 * paths.  Pins are always taken: they are what makes switching on safe.
 */
#include <linux/export.h>
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/init.h>
#include <linux/jump_label.h>
#include <linux/kstrtox.h>
#include <linux/mm.h>
#include <linux/pte_ref.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <linux/userfaultfd_k.h>
#include <linux/vm_event_item.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>

#define PTE_REF_RETRIES		16
#define PTE_REF_RETRY_DELAY	msecs_to_jiffies(10)
/*
 * Ranges waiting for the worker, all mms together.  Reclaim notes one per
 * discarded page that emptied a table (duplicates are merged); beyond this
 * many the range keeps its table until munmap or a later DONTNEED.
 */
#define PTE_REF_MAX_PENDING	1024
/*
 * PMD ranges (1 GiB) one MADV_DONTNEED tries between flushes and
 * cond_resched(): preemption is off while it does.
 */
#define PTE_REF_RESCHED_RANGES	512

static DEFINE_STATIC_KEY_TRUE(free_user_pte_key);
static int free_user_pte_enabled = 1;

/*
 * The pmd mapping @addr, or NULL if a level above has no table there.  It
 * only reads: reclaim walks here holding no more than an rmap lock.
 */
static pmd_t *pte_ref_find_pmd(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;
	pud_t *pud;

	if (pgd_none(pgdp_get(pgd)) || pgd_bad(pgdp_get(pgd)))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(p4dp_get(p4d)) || p4d_bad(p4dp_get(p4d)))
		return NULL;
	pud = pud_offset(p4d, addr);
	if (pud_none(pudp_get(pud)) || pud_leaf(pudp_get(pud)) ||
	    pud_bad(pudp_get(pud)))
		return NULL;
	return pmd_offset(pud, addr);
}

/*
 * VMAs whose tables are left alone:
 * - hugetlb walks its tables without pins;
 * - a driver fills a VM_PFNMAP or VM_MIXEDMAP mapping from its fault
 *   handler through get_locked_pte(), insert_pages() or
 *   apply_to_page_range(), which allocate the table and then lock it
 *   with mmap_lock held only for read, and do not try again: a table
 *   freed in between would fail the fault (VM_FAULT_OOM, -EFAULT);
 * - userfaultfd write-protect: UFFDIO_WRITEPROTECT allocates an empty
 *   table to put markers in with mmap_lock held for read, then skips the
 *   range if the pmd is none again (change_pmd_range()): markers freed
 *   with the table would be lost, and a write not trapped;
 * - DAX fills like a driver, through vmf_insert_mixed() with neither flag set:
 *   fs-dax files (vma_is_dax()) and device-dax, a character device like
 *   any other driver.  A private mapping of /dev/zero is a character
 *   device's too, but anonymous memory (no vm_ops): its tables may go.
 */
static bool keep_tables(struct vm_area_struct *vma)
{
	struct file *file = vma->vm_file;

	return is_vm_hugetlb_page(vma) || userfaultfd_wp(vma) ||
	       (vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) ||
	       (file && !vma_is_anonymous(vma) &&
		(vma_is_dax(vma) || S_ISCHR(file_inode(file)->i_mode)));
}

/*
 * May the PTE table covering @addr be freed?  Only if a VMA overlaps its
 * PMD range (so munmap is not tearing the range down) and no VMA there
 * keeps its tables.  mmap_lock keeps the answer true until it is dropped.
 */
static bool pmd_range_freeable(struct mm_struct *mm, unsigned long addr)
{
	unsigned long start = addr & PMD_MASK, end = start + PMD_SIZE;
	struct vm_area_struct *vma;
	bool mapped = false;

	mmap_assert_locked(mm);
	for (vma = find_vma(mm, start); vma && vma->vm_start < end;
	     vma = find_vma(mm, vma->vm_end)) {
		if (keep_tables(vma))
			return false;
		mapped = true;
	}
	return mapped;
}

/* A PMD range whose table the worker tries to free. */
struct pte_ref_retry {
	struct list_head list;
	struct mm_struct *mm;		/* mmgrab()bed */
	unsigned long addr;		/* PMD aligned */
	int tries;			/* 0: noted by reclaim, else retries */
};

static LIST_HEAD(retry_list);
static unsigned int nr_pending;		/* entries on retry_list */
static DEFINE_SPINLOCK(retry_lock);
static void pte_ref_retry_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(retry_work, pte_ref_retry_work);

/* retry_lock held: is (@mm, @addr) already queued? */
static bool retry_queued(struct mm_struct *mm, unsigned long addr)
{
	struct pte_ref_retry *r;

	list_for_each_entry_reverse(r, &retry_list, list)
		if (r->mm == mm && r->addr == addr)
			return true;
	return false;
}

/*
 * Hand the table covering @addr to the worker.  Any context that may take
 * a spinlock: reclaim calls it holding an rmap lock.
 */
static void queue_retry(struct mm_struct *mm, unsigned long addr, int tries)
{
	struct pte_ref_retry *r;

	addr &= PMD_MASK;
	spin_lock(&retry_lock);
	if (retry_queued(mm, addr)) {
		spin_unlock(&retry_lock);
		return;
	}
	if (nr_pending >= PTE_REF_MAX_PENDING) {
		spin_unlock(&retry_lock);
		count_vm_event(PTE_REF_RETRY_GAVE_UP);
		return;
	}
	/* Not from the reserves: a table left in place is only not reclaimed. */
	r = kmalloc(sizeof(*r), GFP_NOWAIT | __GFP_NOWARN | __GFP_NOMEMALLOC);
	if (!r) {
		spin_unlock(&retry_lock);
		count_vm_event(PTE_REF_RETRY_GAVE_UP);
		return;
	}
	mmgrab(mm);
	r->mm = mm;
	r->addr = addr;
	r->tries = tries;
	list_add_tail(&r->list, &retry_list);
	nr_pending++;
	spin_unlock(&retry_lock);
	/* Unbound: the worker may wait for mmap_lock. */
	queue_delayed_work(system_unbound_wq, &retry_work, PTE_REF_RETRY_DELAY);
}

/* Flush and free what @batch detached, counting the flush. */
static void finish(struct pte_ref_batch *batch)
{
	if (pte_ref_batch_finish(batch))
		count_vm_event(PTE_REF_FLUSH);
}

/*
 * Try one table under the invariant: mmap_lock held and
 * pmd_range_freeable() true.  A table detached goes into @batch; a pinned
 * one is queued for another try.  Returns false if there is no PMD table
 * for @addr at all, so that the caller can skip its GiB.
 */
static bool try_free(struct pte_ref_batch *batch, unsigned long addr,
		     int tries)
{
	struct mm_struct *mm = batch->mm;
	pmd_t *pmd;

	mmap_assert_locked(mm);
	pmd = pte_ref_find_pmd(mm, addr);
	if (!pmd)
		return false;
	switch (__free_user_pte(batch, pmd, addr)) {
	case PTE_REF_FREED:
		count_vm_event(tries ? PTE_REF_RETRY_FREED : PTE_REF_TABLE_FREED);
		pte_ref_pmd_emptied(mm, pmd, addr);
		break;
	case PTE_REF_PINNED:
		count_vm_event(PTE_REF_TABLE_PINNED);
		if (tries < PTE_REF_RETRIES)
			queue_retry(mm, addr, tries + 1);
		else
			count_vm_event(PTE_REF_RETRY_GAVE_UP);
		break;
	default:
		break;
	}
	return true;
}

/*
 * The ranges of one mm, under one mmap_lock and one flush.  The lock is
 * only tried: the worker serves every mm, and one whose writer holds the
 * lock for long must not hold up the others.  Its ranges wait for the next
 * round, up to PTE_REF_RETRIES times; then their tables stay until the
 * next MADV_DONTNEED there, or munmap (pte_ref_retry_gave_up).
 */
static void retry_mm(struct mm_struct *mm, struct list_head *ranges)
{
	struct pte_ref_batch batch;
	struct pte_ref_retry *r;

	if (!static_branch_likely(&free_user_pte_key) || !mmget_not_zero(mm))
		return;
	if (!mmap_read_trylock(mm)) {
		list_for_each_entry(r, ranges, list) {
			if (r->tries < PTE_REF_RETRIES)
				queue_retry(mm, r->addr, r->tries + 1);
			else
				count_vm_event(PTE_REF_RETRY_GAVE_UP);
		}
		goto out;
	}
	pte_ref_batch_init(&batch, mm);
	list_for_each_entry(r, ranges, list)
		if (pmd_range_freeable(mm, r->addr))
			try_free(&batch, r->addr, r->tries);
	finish(&batch);
	mmap_read_unlock(mm);
out:
	/* Not mmput(): the last user would tear the mm down here. */
	mmput_async(mm);
}

static void pte_ref_retry_work(struct work_struct *work)
{
	struct pte_ref_retry *r, *next;
	LIST_HEAD(todo);

	spin_lock(&retry_lock);
	list_splice_init(&retry_list, &todo);
	nr_pending = 0;
	spin_unlock(&retry_lock);
	while (!list_empty(&todo)) {
		struct mm_struct *mm = list_first_entry(&todo, struct pte_ref_retry,
							list)->mm;
		LIST_HEAD(ranges);

		list_for_each_entry_safe(r, next, &todo, list)
			if (r->mm == mm)
				list_move_tail(&r->list, &ranges);
		retry_mm(mm, &ranges);
		list_for_each_entry_safe(r, next, &ranges, list) {
			list_del(&r->list);
			mmdrop(r->mm);
			kfree(r);
		}
	}
}

/**
 * free_user_pte - free the PTE table at a pmd if it is empty and unpinned
 * @mm: the address space of @pmd; the caller holds its mmap_lock
 * @pmd: the pmd entry mapping @addr
 * @addr: a user address mapped through @pmd
 *
 * The seed API.  The table is freed only under the invariant: a VMA of
 * @mm overlaps its PMD range, and none there keeps its tables (hugetlb,
 * driver and DAX mappings); then as __free_user_pte(), with a flush of its
 * own.  Callers freeing many tables batch them with __free_user_pte().
 *
 * Return: true if the table was detached (and will be freed).
 */
bool free_user_pte(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)
{
	struct pte_ref_batch batch;
	bool freed;

	if (!pmd_range_freeable(mm, addr))
		return false;
	pte_ref_batch_init(&batch, mm);
	freed = __free_user_pte(&batch, pmd, addr) == PTE_REF_FREED;
	finish(&batch);
	return freed;
}
EXPORT_SYMBOL_GPL(free_user_pte);

/**
 * free_user_ptes - free the empty PTE tables of a range just zapped
 * @vma: the VMA that was zapped; its mm's mmap_lock is held
 * @start: start of the zapped range
 * @end: end of the zapped range
 *
 * Every table covering part of [@start, @end) is tried, including those
 * only partly inside: earlier calls may have emptied the rest of them.
 * The tables freed share one TLB flush and one RCU callback (one per
 * PTE_REF_RESCHED_RANGES ranges of a huge call, which also reschedules).
 */
void free_user_ptes(struct vm_area_struct *vma, unsigned long start,
		    unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;
	struct pte_ref_batch batch;
	unsigned long addr, next;
	unsigned int ranges = 0;
	bool inside;

	/* Not a lookup per PMD range of a VMA that keeps all of them. */
	if (!static_branch_likely(&free_user_pte_key) || keep_tables(vma))
		return;
	mmap_assert_locked(mm);
	pte_ref_batch_init(&batch, mm);
	for (addr = start & PMD_MASK; addr < end; addr = next) {
		next = pmd_addr_end(addr, end);
		/* A range wholly inside @vma has no other VMA to look at. */
		inside = addr >= vma->vm_start && addr + PMD_SIZE <= vma->vm_end;
		if ((inside || pmd_range_freeable(mm, addr)) &&
		    !try_free(&batch, addr, 0))
			next = pud_addr_end(addr, end);
		if (++ranges % PTE_REF_RESCHED_RANGES == 0) {
			finish(&batch);
			cond_resched();
			pte_ref_batch_init(&batch, mm);
		}
	}
	finish(&batch);
}

/* Reclaim's look, under its rmap lock: does the table of @addr map nothing? */
static bool table_looks_empty(struct mm_struct *mm, unsigned long addr)
{
	pmd_t *pmd = pte_ref_find_pmd(mm, addr);
	pte_t *pte;
	int i;

	if (!pmd)
		return false;
	pte = pte_offset_map(pmd, addr & PMD_MASK);
	if (!pte)
		return false;
	/* Mapped: pte_offset_map() holds rcu_read_lock(), which sparse cannot see. */
	__acquire(RCU);
	for (i = 0; i < PTRS_PER_PTE; i++)
		if (!pte_none(ptep_get(pte + i)))
			break;
	pte_unmap(pte);
	return i == PTRS_PER_PTE;
}

/**
 * free_user_pte_vma - note that reclaim may have emptied the table of @addr
 * @vma: the VMA whose rmap lock the caller holds (no mmap_lock)
 * @addr: an address in @vma whose entry reclaim just cleared
 *
 * Reclaim holds neither mmap_lock nor a VMA lock, so it may not free the
 * table itself (see the invariant above): the worker frees it, if it is
 * still empty and unpinned then.  May not sleep.
 */
void free_user_pte_vma(struct vm_area_struct *vma, unsigned long addr)
{
	if (!static_branch_likely(&free_user_pte_key) || keep_tables(vma))
		return;
	/*
	 * Most discards leave other pages in the table: queue only a table
	 * that maps nothing now.  The rmap lock keeps the page tables of
	 * @vma (munmap unlinks the VMA from the rmap before it frees them).
	 */
	if (table_looks_empty(vma->vm_mm, addr))
		queue_retry(vma->vm_mm, addr, 0);
}

static void set_enabled(bool on)
{
	if (on)
		static_branch_enable(&free_user_pte_key);
	else
		static_branch_disable(&free_user_pte_key);
}

/* Too early for static_branch_*(): pte_ref_reclaim_init() applies it. */
static int __init free_user_pte_setup(char *str)
{
	bool on;

	if (kstrtobool(str, &on))
		return 0;
	free_user_pte_enabled = on;
	return 1;
}
__setup("free_user_pte=", free_user_pte_setup);

static int free_user_pte_sysctl(const struct ctl_table *table, int write,
				void *buffer, size_t *lenp, loff_t *ppos)
{
	int ret = proc_dointvec_minmax(table, write, buffer, lenp, ppos);

	if (!ret && write)
		set_enabled(free_user_pte_enabled);
	return ret;
}

static struct ctl_table pte_ref_sysctls[] = {
	{
		.procname	= "free_user_pte",
		.data		= &free_user_pte_enabled,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= free_user_pte_sysctl,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
};

static int __init pte_ref_reclaim_init(void)
{
	set_enabled(free_user_pte_enabled);
	register_sysctl_init("vm", pte_ref_sysctls);
	return 0;
}
late_initcall(pte_ref_reclaim_init);

/* Its tests reach the static functions above: keep_tables() and its users. */
#ifdef CONFIG_FREE_USER_PTE_KUNIT_TEST
#include "pte_ref_reclaim_kunit.c"
#endif
