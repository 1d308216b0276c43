// SPDX-License-Identifier: GPL-2.0
/*
 * pte_ref_walk: an out-of-tree module that walks a user page table the
 * way a driver would, through the exported pte_ref API, to show that a
 * module links against a CONFIG_FREE_USER_PTE kernel and that the pins it
 * takes balance.
 *
 * 6.12 exports no pte_offset_map*() (__pte_offset_map() is not exported),
 * so a module maps a user PTE table as the seed API intended: pte_tryget()
 * on the pmd, then pte_offset_kernel(), then pte_put().
 *
 * Loaded by the guest program module_walk with
 *   mapped=ADDR   an address of the loading process with a page behind it
 *   freed=ADDR    an address whose PTE table pte_ref has freed
 * Its init returns 0 only if every check passed, and logs each result.
 */
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/module.h>
#include <linux/pgtable.h>
#include <linux/pte_ref.h>
#include <linux/sched.h>

static unsigned long mapped;
module_param(mapped, ulong, 0444);
MODULE_PARM_DESC(mapped, "user address with a present page");
static unsigned long freed;
module_param(freed, ulong, 0444);
MODULE_PARM_DESC(freed, "user address whose PTE table was freed");

/* The pmd of @addr in @mm, or NULL if an upper level has no table. */
static pmd_t *walk_to_pmd(struct mm_struct *mm, unsigned long addr)
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

/* Pin, read the entry, unpin: the count must be where it started. */
static int check_mapped(struct mm_struct *mm, unsigned long addr)
{
	pmd_t *pmd = walk_to_pmd(mm, addr);
	atomic_t *count;
	int before, pinned;
	pte_t *pte;
	bool present;

	if (!pmd || !pte_tryget(mm, pmd, addr)) {
		pr_err("pte_ref_walk: no table pinned at %#lx\n", addr);
		return -ENOENT;
	}
	count = pte_ref_count(pmd_pgtable(pmdp_get(pmd)));
	pinned = atomic_read(count);
	pte = pte_offset_kernel(pmd, addr);
	present = pte_present(ptep_get(pte));
	pte_put(pte);
	before = atomic_read(count);
	pr_info("pte_ref_walk: %#lx: present %d, count %d pinned, %d after pte_put()\n",
		addr, present, pinned, before);
	if (!present || pinned < 2 || before != pinned - 1)
		return -EINVAL;
	return 0;
}

/* A freed table: nothing to pin. */
static int check_freed(struct mm_struct *mm, unsigned long addr)
{
	pmd_t *pmd = walk_to_pmd(mm, addr);

	if (pmd && pte_tryget(mm, pmd, addr)) {
		pte_put(pte_offset_kernel(pmd, addr));
		pr_err("pte_ref_walk: a table is still pinnable at %#lx\n", addr);
		return -EEXIST;
	}
	pr_info("pte_ref_walk: %#lx: no table, as expected\n", addr);
	return 0;
}

static int __init pte_ref_walk_init(void)
{
	struct mm_struct *mm = current->mm;
	int ret;

	if (!mm || !mapped || !freed)
		return -EINVAL;
	mmap_read_lock(mm);
	ret = check_mapped(mm, mapped);
	if (!ret)
		ret = check_freed(mm, freed);
	mmap_read_unlock(mm);
	pr_info("pte_ref_walk: %s\n", ret ? "FAILED" : "passed");
	return ret;
}

static void __exit pte_ref_walk_exit(void)
{
}

module_init(pte_ref_walk_init);
module_exit(pte_ref_walk_exit);
MODULE_DESCRIPTION("Walk a user page table through the pte_ref API, as a driver would");
MODULE_LICENSE("GPL");
