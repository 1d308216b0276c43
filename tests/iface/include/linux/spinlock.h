/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#pragma once
#include <linux/types.h>
#define SINGLE_DEPTH_NESTING 1
void spin_lock_nested(spinlock_t *lock, int subclass);
void spin_unlock(spinlock_t *lock);

#define DEFINE_SPINLOCK(x) spinlock_t x = { 0 }
void spin_lock(spinlock_t *lock);
#define __acquire(x) ((void)0)
#define __release(x) ((void)0)
