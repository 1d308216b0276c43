/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#pragma once
#include <linux/vm_event_item.h>
void count_vm_event(enum vm_event_item item);
void count_vm_events(enum vm_event_item item, long delta);
