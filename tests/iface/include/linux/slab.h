/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#pragma once
#include <linux/types.h>
void *kmalloc(size_t size, gfp_t flags);
void kfree(const void *p);
