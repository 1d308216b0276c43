// SPDX-License-Identifier: GPL-2.0
/*
 * MADV_FREE: the pages stay mapped until reclaim discards them; only then
 * are their tables empty, and only then may they be freed.
 *
 * 1. MADV_FREE, then MADV_PAGEOUT, which reclaims those pages now.
 * 2. MADV_FREE, then real memory pressure from a child process that
 *    allocates more than is free, so kswapd and direct reclaim discard
 *    the lazily-freed pages.
 * In both, tables must be freed once their pages are gone, and the range
 * must read zeroes afterwards (the pages were discarded, not kept).
 *
 * usage: madv_free [--regions 16]
 */
#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include <sys/wait.h>

#include "ktap.h"
#include "kstat.h"
#include "variant.h"
#include "region.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

/*
 * Allocate (and touch) memory in 4 MiB steps until reclaim has taken at
 * least @want_kb of the lazily-freed pages (they sit on the file LRU, and
 * with no swap nothing else there can go).  MemFree leaves out the pages
 * on per-CPU lists, so the cap is MemFree plus 64 MiB: the loop stops as
 * soon as reclaim has taken @want_kb, long before the OOM killer would
 * have to act (there are 32 MiB of lazily-freed pages to take).
 */
static void pressure(long want_kb)
{
	long lazy0 = proc_kb("/proc/meminfo", "Inactive(file)");
	long cap = proc_kb("/proc/meminfo", "MemFree") + 64 * 1024;
	size_t step = 4UL << 20;
	long done;

	for (done = 0; done < cap; done += step >> 10) {
		char *p;

		if (lazy0 - proc_kb("/proc/meminfo", "Inactive(file)") >= want_kb)
			break;
		p = mmap(NULL, step, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			break;
		memset(p, 1, step);
	}
	ktap_diag("pressure: allocated %ld kB, reclaim took %ld kB of the file LRU",
		  done, lazy0 - proc_kb("/proc/meminfo", "Inactive(file)"));
}

int main(int argc, char **argv)
{
	unsigned long regions = 16;
	long pte0, pte1, pte2, pte3;
	long long f0, f1, f2;
	cpu_set_t cpus, all;
	bool has;
	char *p;
	int st;

	if (argc == 3 && !strcmp(argv[1], "--regions"))
		regions = strtoul(argv[2], NULL, 0);

	ktap_plan(6);
	has = freeing_on();

	/*
	 * Fault, MADV_FREE and MADV_PAGEOUT all on CPU 0.  New pages and
	 * lazily-freed ones wait in per-CPU LRU batches, and both madvise
	 * calls drain only their own CPU's: a page faulted on another CPU is
	 * not on the LRU yet, so MADV_FREE skips it and reclaim can never
	 * discard it, and its table never empties (on unpatched kernels the
	 * pages would not read zero either).
	 */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_getaffinity(0, sizeof(all), &all) ||
	    sched_setaffinity(0, sizeof(cpus), &cpus))
		ktap_bail("cannot run on CPU 0 alone");

	/* 1: MADV_FREE + MADV_PAGEOUT */
	p = map_regions(regions);
	if (!p)
		ktap_bail("mmap failed");
	fill(p, regions * SZ_2M, 1);
	f0 = pte_tables_freed();
	ktap_result(!madvise(p, regions * SZ_2M, MADV_FREE), "madv_free");
	pte0 = vmpte_kb();
	madvise(p, regions * SZ_2M, MADV_PAGEOUT);
	for (int wait = 0; wait < 500 && pte0 - vmpte_kb() < (long)regions * 4; wait++)
		usleep(20 * 1000);
	pte1 = vmpte_kb();
	f1 = pte_tables_freed();
	ktap_metric("pageout_vmpte_before_kb", pte0, "kB");
	ktap_metric("pageout_vmpte_after_kb", pte1, "kB");
	if (has) {
		ktap_diag("MADV_PAGEOUT: VmPTE %ld -> %ld kB, %lld tables freed",
			  pte0, pte1, f1 - f0);
		ktap_result(pte0 - pte1 >= (long)regions * 4 && f1 - f0 >= (long long)regions,
			    "tables_freed_after_pageout");
	} else {
		ktap_skip("tables_freed_after_pageout", no_freeing());
	}
	ktap_result(!check_zero(p, regions * SZ_2M), "discarded_pages_read_zero");
	munmap(p, regions * SZ_2M);

	/* 2: MADV_FREE + memory pressure from another process */
	p = map_regions(regions);
	if (!p)
		ktap_bail("mmap failed");
	fill(p, regions * SZ_2M, 2);
	madvise(p, regions * SZ_2M, MADV_FREE);
	pte2 = vmpte_kb();
	if (fork() == 0) {
		/* The pressure may come from any CPU. */
		sched_setaffinity(0, sizeof(all), &all);
		pressure(regions * SZ_2M / 1024 / 4);
		_exit(0);
	}
	wait(&st);
	/* kswapd may still be at it, slowly on a debug kernel: up to 10 s. */
	for (int wait = 0; wait < 500 && vmpte_kb() >= pte2; wait++)
		usleep(20 * 1000);
	pte3 = vmpte_kb();
	f2 = pte_tables_freed();
	ktap_metric("pressure_vmpte_before_kb", pte2, "kB");
	ktap_metric("pressure_vmpte_after_kb", pte3, "kB");
	ktap_result(WIFEXITED(st), "pressure_child_ran");
	if (has) {
		/* Reclaim takes what it needs, not everything: one table at least. */
		ktap_diag("pressure: VmPTE %ld -> %ld kB, %lld tables freed",
			  pte2, pte3, f2 - f1);
		ktap_result(pte3 < pte2 && f2 > f1, "tables_freed_under_pressure");
	} else {
		ktap_skip("tables_freed_under_pressure", no_freeing());
	}
	/* Each page is either discarded (zero) or still ours: never garbage. */
	{
		unsigned long zero = 0, kept = 0, bad = 0;

		for (size_t off = 0; off < regions * SZ_2M; off += PAGE_SZ) {
			if (!check_zero(p + off, PAGE_SZ))
				zero++;
			else if (!check(p + off, PAGE_SZ, 2))
				kept++;
			else
				bad++;
		}
		ktap_diag("after pressure: %lu pages discarded, %lu kept", zero, kept);
		ktap_result(!bad, "pages_zero_or_intact");
	}
	munmap(p, regions * SZ_2M);
	ktap_finish();
}
