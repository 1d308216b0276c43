/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#pragma once
#define VM_WARN_ONCE(cond, fmt, ...) ((void)(cond))
#define WARN_ONCE(cond, fmt, ...) ((void)(cond))
#define WARN_ON_ONCE(cond) (!!(cond))
bool virt_addr_valid(const void *addr);
#define VM_WARN_ON_ONCE(cond) ((void)(cond))
