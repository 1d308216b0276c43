/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#pragma once
#include <linux/types.h>
struct static_key_true { int enabled; };
#define DEFINE_STATIC_KEY_TRUE(name) struct static_key_true name = { 1 }
bool static_branch_likely(struct static_key_true *key);
void static_branch_enable(struct static_key_true *key);
void static_branch_disable(struct static_key_true *key);
