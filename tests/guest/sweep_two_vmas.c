// SPDX-License-Identifier: GPL-2.0
/*
 * The PMD sweep frees the PMD table of a GiB only where one VMA covers it.
 *
 * A PMD table is freed under mmap_lock for write with the one VMA over its
 * GiB write-locked.  A page fault under a per-VMA lock holds no mmap_lock,
 * so a second VMA in that GiB would fault on into the table being freed:
 * it takes the freed table's pmd lock (KASAN: use-after-free), or sets its
 * pmd in a table no longer attached, losing the page and its deposited
 * table to the mm ("BUG: Bad rss-counter state" when it exits).  A THP
 * fault is the widest such window: it clears 2 MiB between reading the pud
 * and setting the pmd.
 *
 * 1. one_vma_gib_freed: a GiB that one VMA covers, emptied, loses its PMD
 *    table within a second (so the sweep runs in this guest at all).
 * 2. two_vma_gib_kept: the same GiB split into two VMAs keeps it.
 * 3. thp_faults_race_sweeps: one thread faults THPs into the second VMA
 *    (per-VMA lock) and zaps them, while another keeps emptying the first
 *    VMA, which queues a sweep each time; no PMD table may be freed, every
 *    THP must read back what was written, and THP faults must have run.
 *
 * usage: sweep_two_vmas [--seconds 5]
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "args.h"
#include "ktap.h"
#include "kstat.h"
#include "region.h"
#include "variant.h"

#define SZ_1G		(1UL << 30)
#define HALF_GIB	(SZ_1G / 2)

static char *gib;
static atomic_int stop;
static atomic_long thp_rounds, bad_reads, empties;

/* PMD tables freed by the sweep, once it has stopped moving (up to 3 s). */
static long long pmd_freed_settled(void)
{
	long long last = vmstat("pte_ref_pmd_freed");

	for (int i = 0; i < 30; i++) {
		usleep(100000);
		if (vmstat("pte_ref_pmd_freed") == last)
			break;
		last = vmstat("pte_ref_pmd_freed");
	}
	return last;
}

/* Touch one page of [p, p + 2 MiB) and zap it: its PTE table goes. */
static void empty_once(char *p)
{
	fill(p, PAGE_SZ, 1);
	if (madvise(p, SZ_2M, MADV_DONTNEED))
		ktap_bail("madvise(MADV_DONTNEED) failed");
}

/* Wait up to 1 s for the sweep to free a PMD table after @before. */
static bool sweep_freed_since(long long before)
{
	for (int i = 0; i < 20; i++) {
		usleep(50000);
		if (vmstat("pte_ref_pmd_freed") > before)
			return true;
	}
	return false;
}

/* THP faults into the second VMA under its per-VMA lock, then zaps. */
static void *thp_faulter(void *arg)
{
	char *thp = gib + HALF_GIB;

	(void)arg;
	for (uint64_t gen = 1; !atomic_load(&stop); gen++) {
		fill(thp, SZ_2M, gen);
		if (check(thp, SZ_2M, gen))
			atomic_fetch_add(&bad_reads, 1);
		if (madvise(thp, SZ_2M, MADV_DONTNEED))
			atomic_fetch_add(&bad_reads, 1);
		atomic_fetch_add(&thp_rounds, 1);
	}
	return NULL;
}

/* Empties the first VMA's only table, queueing a sweep of the GiB. */
static void *emptier(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		empty_once(gib);
		atomic_fetch_add(&empties, 1);
		usleep(5000);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long long before, thp0, thp;
	unsigned long seconds = 5;
	pthread_t t[2];

	parse_opts(argc, argv, (struct opt[]){ { "--seconds", &seconds } }, 1);

	ktap_plan(3);
	if (!freeing_on()) {
		ktap_skip("one_vma_gib_freed", no_freeing());
		ktap_skip("two_vma_gib_kept", no_freeing());
		ktap_skip("thp_faults_race_sweeps", no_freeing());
		ktap_finish();
	}
	gib = map_aligned(SZ_1G, SZ_1G);
	if (!gib)
		ktap_bail("cannot map a GiB of its own");

	/* 1: one VMA over the GiB. */
	madvise(gib, SZ_1G, MADV_NOHUGEPAGE);
	before = pmd_freed_settled();
	empty_once(gib);
	ktap_result(sweep_freed_since(before), "one_vma_gib_freed");

	/*
	 * 2: two VMAs (THP allowed in the second half only).  The split keeps
	 * the anon_vma that step 1's fault made, so the THP faults of step 3
	 * run under the per-VMA lock alone (without one they would take
	 * mmap_lock to prepare it, and be ordered against the sweep).
	 */
	if (madvise(gib + HALF_GIB, HALF_GIB, MADV_HUGEPAGE))
		ktap_bail("madvise(MADV_HUGEPAGE) failed: no THP in this kernel?");
	before = pmd_freed_settled();
	empty_once(gib);
	ktap_result(!sweep_freed_since(before), "two_vma_gib_kept");

	/* 3: THP faults in one VMA while the other keeps queueing sweeps. */
	before = pmd_freed_settled();
	thp0 = vmstat("thp_fault_alloc");
	if (pthread_create(&t[0], NULL, thp_faulter, NULL) ||
	    pthread_create(&t[1], NULL, emptier, NULL))
		ktap_bail("pthread_create failed");
	sleep(seconds);
	atomic_store(&stop, 1);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	thp = vmstat("thp_fault_alloc") - thp0;
	ktap_metric("thp_rounds", atomic_load(&thp_rounds), "rounds");
	ktap_metric("thp_faults", thp, "faults");
	ktap_metric("emptyings", atomic_load(&empties), "calls");
	ktap_metric("pmd_tables_freed", pmd_freed_settled() - before, "tables");
	ktap_diag("%ld THP rounds (%lld THP faults), %ld emptyings of the other VMA, %ld bad reads",
		  atomic_load(&thp_rounds), thp, atomic_load(&empties),
		  atomic_load(&bad_reads));
	ktap_result(thp > 0 && atomic_load(&empties) > 0 &&
		    !atomic_load(&bad_reads) &&
		    pmd_freed_settled() == before, "thp_faults_race_sweeps");
	munmap(gib, SZ_1G);
	ktap_finish();
}
