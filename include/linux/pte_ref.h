/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pte_ref: pins on user PTE page-table pages, so that empty ones can be
 * freed while their mm is live.  See Documentation/mm/pte_ref.rst.
 *
 * The pin count lives in the table's own struct ptdesc (pte_refcount):
 *
 *   1 + n   attached to its pmd, pinned by n walkers (n >= 0)
 *   0       dying: free_user_pte() detached it; it is freed after an RCU
 *           grace period and can never be pinned again
 *
 * Every pte_offset_map*() holds a pin until its pte_unmap(), so pte_ref
 * never frees a table a caller has mapped; pte_offset_map*() and
 * pte_unmap() are wrappers of the pin (pte_ref_tryget_pmdval()) and the
 * unpin (pte_ref_unmap()) that pte_tryget() and pte_put() also use.
 *
 * pte_ref frees a table only under one invariant: its mm's mmap_lock held,
 * a VMA in the tree overlapping its PMD range, the pmd and PTE locks held
 * to detach it.  Documentation/mm/pte_ref.rst proves it against every
 * walker.
 *
 * Only tables made by pagetable_pte_ctor() (PageTable()) carry a count.
 * pte_offset_map() is also used on kernel and firmware page tables (perf
 * on kernel addresses, arm64 show_pte(), the x86 gate page, x86 EFI
 * ptdump) that never went through it: those are mapped without a pin,
 * and free_user_pte() never sees them.
 */
#ifndef _LINUX_PTE_REF_H
#define _LINUX_PTE_REF_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mmdebug.h>
#include <linux/page-flags.h>
#include <linux/pgtable.h>
#include <linux/preempt.h>

#ifdef CONFIG_FREE_USER_PTE

#include <asm/pte_ref.h>

/*
 * More pins than any number of walkers could hold at once: each pin is
 * one walker in a pte_offset_map()..pte_unmap() section (CONFIG_DEBUG_FREE_USER_PTE).
 */
#define PTE_REF_MAX_PINS	65536

static inline atomic_t *pte_ref_count(pgtable_t pte)
{
	return &page_ptdesc(pte)->pte_refcount;
}

/**
 * pte_ref_init - start the pin count of a new PTE table
 * @pte: the table, not yet visible to any walker
 *
 * Called by pagetable_pte_ctor(): the table starts "attached, unpinned",
 * which is also the state of a table deposited for a huge pmd.
 */
static inline void pte_ref_init(pgtable_t pte)
{
	atomic_set(pte_ref_count(pte), 1);
}

/**
 * pte_ref_free - end the pin count of a PTE table that is being freed
 * @pte: the table, unreachable from any pmd
 *
 * Called by pagetable_pte_dtor().  A table torn down with munmap or exit
 * has count 1, one freed by free_user_pte() has 0; anything more is a pin
 * that was never dropped, and the pinner may still be using the table.
 */
static inline void pte_ref_free(pgtable_t pte)
{
	VM_WARN_ONCE(atomic_read(pte_ref_count(pte)) > 1,
		     "pte_ref: freeing a PTE table still pinned %d time(s)",
		     atomic_read(pte_ref_count(pte)) - 1);
}

/**
 * pte_ref_tryget_page - pin a PTE table whose memory the caller keeps valid
 * @pte: the table, reached inside the caller's RCU read section
 *
 * Return: false if the table is being freed, else true (a kernel table,
 * not PageTable(), is not pinned and never freed).
 */
static inline bool pte_ref_tryget_page(pgtable_t pte)
{
	int old;

	if (unlikely(!PageTable(pte)))
		return true;
	old = atomic_fetch_add_unless(pte_ref_count(pte), 1, 0);
	/* Thousands of pins on one table are pins nobody dropped. */
	VM_WARN_ONCE(IS_ENABLED(CONFIG_DEBUG_FREE_USER_PTE) &&
		     old > PTE_REF_MAX_PINS,
		     "pte_ref: PTE table pinned %d times: a pte_put() is missing?",
		     old);
	return old != 0;
}

/**
 * pte_ref_tryget_pmdval - pin the PTE table a pmd value points to
 * @pmdval: a value read from a pmd, inside the same RCU read section
 *
 * The caller's RCU read section keeps the table's memory valid even if it
 * was just detached; the pin then fails because a detached table's count
 * is 0.
 *
 * Return: false if the table is being freed, else true.
 */
static inline bool pte_ref_tryget_pmdval(pmd_t pmdval)
{
	return pte_ref_tryget_page(pmd_pgtable(pmdval));
}

/**
 * __pte_put - drop a pin on a PTE table
 * @pte: the table pinned by pte_tryget() or pte_offset_map*()
 *
 * Never frees the table: free_user_pte() does, once no pin is left.
 * Any context, NMI included; no lock needed.
 */
static inline void __pte_put(pgtable_t pte)
{
	if (unlikely(!PageTable(pte)))
		return;
	/*
	 * Only free_user_pte() takes a count to 0: an unpin too many must not
	 * make an attached table look dying, which every walker would then
	 * retry on for ever.  Refuse it, and say so.
	 */
	WARN_ONCE(!atomic_add_unless(pte_ref_count(pte), -1, 1),
		  "pte_ref: PTE table unpinned more often than pinned");
}

/* What __free_user_pte() did with a table, and why. */
enum pte_ref_free {
	PTE_REF_NO_TABLE,	/* the pmd is none, a leaf, or not present */
	PTE_REF_NOT_EMPTY,	/* an entry is not pte_none() */
	PTE_REF_PINNED,		/* empty, but a walker holds a pin */
	PTE_REF_FREED,		/* detached; freed after an RCU grace period */
};

#ifdef CONFIG_DEBUG_FREE_USER_PTE
void pte_ref_debug_delay(void);
#else
/* Widens race windows in debug kernels only (pte_ref.debug_delay_us=). */
static inline void pte_ref_debug_delay(void)
{
}
#endif

/*
 * PTE tables detached by one caller: __free_user_pte() adds them, and
 * pte_ref_batch_finish() flushes the mm's TLB once and frees them all
 * after one RCU grace period.  From pte_ref_batch_init() to
 * pte_ref_batch_finish() preemption is off: the caller may not sleep.
 */
struct pte_ref_batch {
	struct mm_struct *mm;
	struct list_head tables;	/* their ptdesc->pt_list */
	unsigned int nr;
};

static inline void pte_ref_batch_init(struct pte_ref_batch *batch,
				      struct mm_struct *mm)
{
	batch->mm = mm;
	INIT_LIST_HEAD(&batch->tables);
	batch->nr = 0;
	preempt_disable();
}

bool pte_tryget(struct mm_struct *mm, pmd_t *pmd, unsigned long addr);
void pte_put(pte_t *ptep);
bool pte_ref_pin_peeked(pte_t *ptep);
enum pte_ref_free __free_user_pte(struct pte_ref_batch *batch, pmd_t *pmd,
				  unsigned long addr);
bool pte_ref_batch_finish(struct pte_ref_batch *batch);
bool free_user_pte(struct mm_struct *mm, pmd_t *pmd, unsigned long addr);
void free_user_ptes(struct vm_area_struct *vma, unsigned long start,
		    unsigned long end);
void free_user_pte_vma(struct vm_area_struct *vma, unsigned long addr);
void pte_ref_pmd_emptied(struct mm_struct *mm, pmd_t *pmd, unsigned long addr);
void pte_ref_tlb_table_dtor(void *table);

#else /* !CONFIG_FREE_USER_PTE */

static inline void pte_ref_debug_delay(void)
{
}

static inline void pte_ref_init(pgtable_t pte)
{
}

static inline void pte_ref_free(pgtable_t pte)
{
}

static inline bool pte_ref_tryget_pmdval(pmd_t pmdval)
{
	return true;
}

static inline bool pte_tryget(struct mm_struct *mm, pmd_t *pmd,
			      unsigned long addr)
{
	return true;
}

static inline void __pte_put(pgtable_t pte)
{
}

static inline bool pte_ref_pin_peeked(pte_t *ptep)
{
	return true;
}

static inline void pte_put(pte_t *ptep)
{
}

static inline bool free_user_pte(struct mm_struct *mm, pmd_t *pmd,
				 unsigned long addr)
{
	return false;
}

static inline void free_user_ptes(struct vm_area_struct *vma,
				  unsigned long start, unsigned long end)
{
}

static inline void free_user_pte_vma(struct vm_area_struct *vma,
				     unsigned long addr)
{
}

static inline void pte_ref_tlb_table_dtor(void *table)
{
}

#endif /* CONFIG_FREE_USER_PTE */

#endif /* _LINUX_PTE_REF_H */
