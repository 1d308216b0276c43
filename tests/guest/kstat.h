/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Read the page-table figures the kernel exports: VmPTE of this process
 * (/proc/self/status), the system-wide PageTables (/proc/meminfo), the
 * /proc/vmstat counters, and pte_ref's switch (vm.free_user_pte).
 */
#ifndef PTE_REF_KSTAT_H
#define PTE_REF_KSTAT_H

#include <stdio.h>
#include <unistd.h>
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

/* A counter from /proc/vmstat, or -1 if this kernel has none by that name. */
static inline long long vmstat(const char *name)
{
	char key[64];
	long long val;
	long long ret = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", key, &val) == 2) {
		if (!strcmp(key, name)) {
			ret = val;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* PTE tables pte_ref has freed, at once or on a retry (-2 without pte_ref). */
static inline long long pte_tables_freed(void)
{
	return vmstat("pte_ref_freed") + vmstat("pte_ref_retry_freed");
}

/* Fold per-CPU vmstat deltas, so /proc/meminfo is exact. */
static inline void stat_refresh(void)
{
	FILE *f = fopen("/proc/sys/vm/stat_refresh", "w");

	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
}

static inline long pagetables_now(void)
{
	stat_refresh();
	return pagetables_kb();
}

/*
 * PageTables once it has stopped falling: the tables of a process that
 * exited just before leave it only when their destructor runs, after an
 * RCU grace period with pte_ref.
 */
static inline long pagetables_settled(void)
{
	long prev = pagetables_now(), cur;
	int still = 0;

	for (int i = 0; i < 100 && still < 3; i++) {
		usleep(100 * 1000);
		cur = pagetables_now();
		still = cur < prev ? 0 : still + 1;
		prev = cur < prev ? cur : prev;
	}
	return prev;
}

#define FREE_USER_PTE_SYSCTL "/proc/sys/vm/free_user_pte"

/* Write @v to a sysctl, sysfs or module parameter file; -1 if it cannot. */
static inline int write_str(const char *path, const char *v)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fprintf(f, "%s\n", v) > 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static inline int write_int(const char *path, long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", v);
	return write_str(path, buf);
}

/*
 * The setting shown in brackets by a sysfs choice file ("always [advise]
 * never") into @buf; NULL if it cannot be read.
 */
static inline char *read_choice(const char *path, char *buf, size_t len)
{
	char line[256], *open_b, *close_b;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	open_b = fgets(line, sizeof(line), f) ? strchr(line, '[') : NULL;
	fclose(f);
	close_b = open_b ? strchr(open_b, ']') : NULL;
	if (!close_b)
		return NULL;
	*close_b = 0;
	snprintf(buf, len, "%s", open_b + 1);
	return buf;
}

/*
 * Switch pte_ref's freeing on or off; returns -1 on a kernel without it
 * (unpatched, or built with CONFIG_FREE_USER_PTE=n).
 */
static inline int set_free_user_pte(int on)
{
	return write_int(FREE_USER_PTE_SYSCTL, on);
}

static inline int get_free_user_pte(void)
{
	FILE *f = fopen(FREE_USER_PTE_SYSCTL, "r");
	int on = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &on) != 1)
		on = -1;
	fclose(f);
	return on;
}

#endif /* PTE_REF_KSTAT_H */
