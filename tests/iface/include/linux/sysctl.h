/* SPDX-License-Identifier: GPL-2.0 */
/* Mock for the pte_ref interface check: see tests/iface/README. */
#pragma once
#include <linux/types.h>
struct ctl_table {
	const char *procname;
	void *data;
	int maxlen;
	unsigned short mode;
	int (*proc_handler)(const struct ctl_table *, int, void *, size_t *, loff_t *);
	void *extra1, *extra2;
};
extern int sysctl_vals[];
#define SYSCTL_ZERO ((void *)&sysctl_vals[1])
#define SYSCTL_ONE ((void *)&sysctl_vals[2])
int proc_dointvec_minmax(const struct ctl_table *t, int write, void *buf,
			 size_t *lenp, loff_t *ppos);
#define register_sysctl_init(path, table) __register_sysctl_init(path, table, 1)
void __register_sysctl_init(const char *path, struct ctl_table *table, int n);
