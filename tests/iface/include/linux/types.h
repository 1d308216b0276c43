/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#ifndef _MOCK_TYPES_H
#define _MOCK_TYPES_H
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)
#define unlikely(x) (x)
#define likely(x) (x)
typedef struct { int counter; } atomic_t;
typedef struct { int lock; } spinlock_t;
struct rcu_head { void *next; void (*func)(struct rcu_head *); };
#define offsetof(t, m) __builtin_offsetof(t, m)
#define container_of(p, t, m) ((t *)((char *)(p) - offsetof(t, m)))
#endif

/* Used by pte_ref_reclaim.c */
typedef unsigned long size_t;
typedef long long loff_t;
typedef unsigned int gfp_t;
#define GFP_NOWAIT 1u
#define __GFP_NOWARN 2u
#define __GFP_NOMEMALLOC 4u
/* linux/kconfig.h, which kbuild includes everywhere: check the "y" side. */
#define IS_ENABLED(option) 1
