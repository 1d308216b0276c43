/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#pragma once
#include <linux/types.h>
int atomic_read(const atomic_t *v);
void atomic_set(atomic_t *v, int i);
bool atomic_inc_not_zero(atomic_t *v);
int atomic_fetch_add_unless(atomic_t *v, int a, int u);
int atomic_dec_return_relaxed(atomic_t *v);
int atomic_cmpxchg(atomic_t *v, int old, int new);
bool atomic_add_unless(atomic_t *v, int a, int u);
