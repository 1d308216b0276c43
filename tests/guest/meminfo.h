/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Read the page-table figures the kernel exports: VmPTE of this process
 * (/proc/self/status) and the system-wide PageTables (/proc/meminfo).
 */
#ifndef PTE_REF_MEMINFO_H
#define PTE_REF_MEMINFO_H

#include <stdio.h>
#include <string.h>

/* Value in kB of the line "KEY:   N kB" in FILE, or -1 if absent. */
static inline long proc_kb(const char *file, const char *key)
{
	char line[256];
	size_t len = strlen(key);
	long val = -1;
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, len) && line[len] == ':') {
			sscanf(line + len + 1, "%ld", &val);
			break;
		}
	}
	fclose(f);
	return val;
}

static inline long vmpte_kb(void)
{
	return proc_kb("/proc/self/status", "VmPTE");
}

static inline long pagetables_kb(void)
{
	return proc_kb("/proc/meminfo", "PageTables");
}

#endif /* PTE_REF_MEMINFO_H */
