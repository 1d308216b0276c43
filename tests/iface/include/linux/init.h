/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#pragma once
#define __init
#define __setup(str, fn) int (*__setup_##fn)(char *) = fn
#define late_initcall(fn) int (*__initcall_##fn)(void) = fn
