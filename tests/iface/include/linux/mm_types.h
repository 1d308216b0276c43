/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#ifndef _MOCK_MM_TYPES_H
#define _MOCK_MM_TYPES_H
#include <linux/types.h>
#include <linux/list.h>
struct page;
typedef struct page *pgtable_t;
typedef struct { unsigned long pmd; } pmd_t;
typedef struct { unsigned long pte; } pte_t;
struct mm_struct;
struct ptdesc {
	union {
		struct rcu_head pt_rcu_head;
		struct list_head pt_list;
	};
	atomic_t pte_refcount;
};
struct ptdesc *page_ptdesc(struct page *page);
struct page *ptdesc_page(struct ptdesc *ptdesc);
#endif
