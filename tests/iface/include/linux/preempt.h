/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#pragma once
#include <linux/types.h>
void preempt_disable(void);
void preempt_enable(void);
bool preemptible(void);
