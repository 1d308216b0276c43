/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#pragma once
#define EXPORT_SYMBOL_GPL(sym) extern int __mock_export_##sym
