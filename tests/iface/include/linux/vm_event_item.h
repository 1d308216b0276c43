/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#pragma once
enum vm_event_item { PTE_REF_TABLE_FREED, PTE_REF_TABLE_PINNED,
	PTE_REF_RETRY_FREED, PTE_REF_RETRY_GAVE_UP, PTE_REF_PMD_FREED, PTE_REF_FLUSH };
