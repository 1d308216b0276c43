// SPDX-License-Identifier: GPL-2.0
/*
 * pte_ref reclaim: when to call free_user_pte(), the switch that turns it
 * off, and the counters that show what it did.
 *
 * Triggers:
 *   MADV_DONTNEED(_LOCKED)  every PMD range the call touched, under the
 *                           caller's mmap_lock; any call size, so several
 *                           small calls that together empty a table free it
 *   MADV_FREE               when reclaim discards a lazily-freed page, the
 *                           table it was in, under the rmap lock
 *   retry                   a table skipped only because it was pinned is
 *                           tried again from a workqueue until the pins are
 *                           gone (or PTE_REF_RETRIES attempts have failed)
 *
 * A table is only freed if no VMA that keep_tables() names shares its PMD
 * range.  Without mmap_lock (the MADV_FREE path) the VMA tree cannot be
 * walked, so there the whole PMD range must lie in the one VMA being
 * reclaimed.
 *
 * vm.free_user_pte (sysctl) and free_user_pte= (boot) switch the triggers;
 * off is a static branch, so it costs nothing on the madvise and reclaim
 * paths.  Pins are always taken: they are what makes switching on safe.
 */
#include <linux/hugetlb.h>
#include <linux/init.h>
#include <linux/jump_label.h>
#include <linux/kstrtox.h>
#include <linux/mm.h>
#include <linux/pte_ref.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <linux/vm_event_item.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>

#define PTE_REF_RETRIES		16
#define PTE_REF_RETRY_DELAY	msecs_to_jiffies(10)

static DEFINE_STATIC_KEY_TRUE(free_user_pte_key);
static int free_user_pte_enabled = 1;

/* The pmd mapping @addr, or NULL if a level above has no table there. */
static pmd_t *pte_ref_find_pmd(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = pgd_offset(mm, addr);
	p4d_t *p4d;
	pud_t *pud;

	if (pgd_none_or_clear_bad(pgd))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none_or_clear_bad(p4d))
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
 *   freed in between would fail the fault (VM_FAULT_OOM, -EFAULT).
 */
static bool keep_tables(struct vm_area_struct *vma)
{
	return is_vm_hugetlb_page(vma) || (vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP));
}

/* mmap_lock held: may the table covering @addr be freed? */
static bool pmd_range_freeable(struct mm_struct *mm, unsigned long addr)
{
	unsigned long start = addr & PMD_MASK, end = start + PMD_SIZE;
	struct vm_area_struct *vma;

	for (vma = find_vma(mm, start); vma && vma->vm_start < end;
	     vma = find_vma(mm, vma->vm_end))
		if (keep_tables(vma))
			return false;
	return true;
}

struct pte_ref_retry {
	struct list_head list;
	struct mm_struct *mm;		/* mmgrab()bed */
	unsigned long addr;
	int tries;
};

static LIST_HEAD(retry_list);
static DEFINE_SPINLOCK(retry_lock);
static void pte_ref_retry_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(retry_work, pte_ref_retry_work);

static void queue_retry(struct mm_struct *mm, unsigned long addr, int tries)
{
	struct pte_ref_retry *r = kmalloc(sizeof(*r), GFP_NOWAIT | __GFP_NOWARN |
					     __GFP_NOMEMALLOC);

	if (!r) {
		count_vm_event(PTE_REF_RETRY_GAVE_UP);
		return;
	}
	mmgrab(mm);
	r->mm = mm;
	r->addr = addr & PMD_MASK;
	r->tries = tries;
	spin_lock(&retry_lock);
	list_add_tail(&r->list, &retry_list);
	spin_unlock(&retry_lock);
	schedule_delayed_work(&retry_work, PTE_REF_RETRY_DELAY);
}

/* Try one table; a pinned one is queued for another try. */
static void try_free(struct mm_struct *mm, unsigned long addr, int tries)
{
	pmd_t *pmd = pte_ref_find_pmd(mm, addr);

	if (!pmd)
		return;
	switch (__free_user_pte(mm, pmd, addr)) {
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
}

static void pte_ref_retry_work(struct work_struct *work)
{
	struct pte_ref_retry *r, *next;
	LIST_HEAD(todo);

	spin_lock(&retry_lock);
	list_splice_init(&retry_list, &todo);
	spin_unlock(&retry_lock);
	list_for_each_entry_safe(r, next, &todo, list) {
		struct mm_struct *mm = r->mm;

		if (static_branch_likely(&free_user_pte_key) && mmget_not_zero(mm)) {
			mmap_read_lock(mm);
			if (pmd_range_freeable(mm, r->addr))
				try_free(mm, r->addr, r->tries);
			mmap_read_unlock(mm);
			mmput(mm);
		}
		list_del(&r->list);
		mmdrop(mm);
		kfree(r);
	}
}

/**
 * free_user_ptes - free the empty PTE tables of a range just zapped
 * @vma: the VMA that was zapped; its mm's mmap_lock is held
 * @start: start of the zapped range
 * @end: end of the zapped range
 *
 * Every table covering part of [@start, @end) is tried, including those
 * only partly inside: earlier calls may have emptied the rest of them.
 */
void free_user_ptes(struct vm_area_struct *vma, unsigned long start,
		    unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long addr;

	/* Not a lookup per PMD range of a VMA that keeps all of them. */
	if (!static_branch_likely(&free_user_pte_key) || keep_tables(vma))
		return;
	mmap_assert_locked(mm);
	for (addr = start & PMD_MASK; addr < end; addr += PMD_SIZE) {
		if (pmd_range_freeable(mm, addr))
			try_free(mm, addr, 0);
		if (addr + PMD_SIZE < addr)
			break;
	}
}

/**
 * free_user_pte_vma - free the table of @addr after reclaim emptied it
 * @vma: the VMA whose rmap lock the caller holds (no mmap_lock)
 * @addr: an address in @vma whose entry reclaim just cleared
 *
 * Only when @vma covers the whole PMD range: without mmap_lock other VMAs
 * sharing the table cannot be looked at.
 */
void free_user_pte_vma(struct vm_area_struct *vma, unsigned long addr)
{
	unsigned long start = addr & PMD_MASK;

	if (!static_branch_likely(&free_user_pte_key) || keep_tables(vma) ||
	    start < vma->vm_start || start + PMD_SIZE > vma->vm_end)
		return;
	try_free(vma->vm_mm, addr, 0);
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
