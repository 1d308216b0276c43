// SPDX-License-Identifier: GPL-2.0
/*
 * khugepaged's retract_page_tables() meets a table pte_ref frees.
 *
 * Collapsing shared memory to a huge page (collapse_file(), here through
 * MADV_COLLAPSE) retracts the PTE tables of every VMA that maps the range:
 * it finds each one's pmd holding none of that mm's locks, then takes the
 * pmd lock.  pte_ref may free an empty table in between (the memfd's other
 * mapping, zapped by MADV_DONTNEED): the khugepaged patch reads the pmd
 * again under the pmd lock.  Without that recheck retract takes the PTE
 * lock of no table and frees "the table" of a none pmd.
 *
 * One memfd of 2 MiB is mapped twice.  The collapser punches a page out
 * (which splits the huge page), writes it back through the first mapping
 * and collapses the range, again and again; through the second mapping a
 * reader faults pages in (which maps its table) and a zapper zaps it
 * (which frees the table once empty), as fast as they can.  Debug kernels widen retract's
 * window (pte_ref.debug_delay_us, raised to --delay-us for the run).  The
 * collapser punches and rewrites only the first half; every read of the
 * second half must see what was written there.
 *
 * usage: shmem_retract [--seconds 10] [--delay-us 200]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "debug_delay.h"
#include "ktap.h"
#include "kstat.h"
#include "region.h"
#include "variant.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

#define SHMEM_THP	"/sys/kernel/mm/transparent_hugepage/shmem_enabled"

static char *map_a, *map_b;
static int fd;
static atomic_int stop;
static atomic_long collapses, collapsed, zaps, bad_reads;

static void *collapser(void *arg)
{
	unsigned long i = 0;

	(void)arg;
	while (!atomic_load(&stop)) {
		/* Only the first half: the zapper reads the other. */
		i = (i + 97) % (PAGES_2M / 2);
		if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      i * PAGE_SZ, PAGE_SZ))
			ktap_bail("fallocate(PUNCH_HOLE) failed: %s", strerror(errno));
		fill(map_a + i * PAGE_SZ, PAGE_SZ, 1);
		if (!madvise(map_a, SZ_2M, MADV_COLLAPSE))
			atomic_fetch_add(&collapsed, 1);
		atomic_fetch_add(&collapses, 1);
	}
	return NULL;
}

/* Fault the other mapping's table in by reading it. */
static void *reader(void *arg)
{
	unsigned long i = 0;

	(void)arg;
	while (!atomic_load(&stop)) {
		/* The second half, never punched: what map_a wrote there. */
		i = PAGES_2M / 2 + (i + 61) % (PAGES_2M / 2);
		if (check_as(map_b + i * PAGE_SZ, PAGE_SZ, 1, map_a + i * PAGE_SZ))
			atomic_fetch_add(&bad_reads, 1);
	}
	return NULL;
}

/*
 * Zap the other mapping, freeing its table once empty.  Never a fault
 * here: a fault waits for the huge page's lock, which the collapse holds
 * while it retracts, and a zapper that waited would never meet retract.
 * collapse_file() unmaps the small pages first, so the table retract
 * finds is empty and pte_ref may free it under retract's feet.  Random
 * pauses: a zapper that never paused would free the emptied table long
 * before retract looks for it, and retract would find no table at all.
 */
static void *zapper(void *arg)
{
	unsigned int s = 1;

	(void)arg;
	while (!atomic_load(&stop)) {
		if (madvise(map_b, SZ_2M, MADV_DONTNEED))
			ktap_bail("madvise(MADV_DONTNEED) failed");
		atomic_fetch_add(&zaps, 1);
		s = s * 1103515245 + 12345;
		usleep(s % 1000);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long seconds = 10, delay_us = 200;
	char thp_was[32];
	long long freed0, freed;
	bool freeing, widened;
	long delay_was;
	pthread_t t[3];

	parse_opts(argc, argv, (struct opt[]){ { "--seconds", &seconds },
					       { "--delay-us", &delay_us } }, 2);

	ktap_plan(2);
	freeing = freeing_on();
	if (!read_choice(SHMEM_THP, thp_was, sizeof(thp_was)) ||
	    write_str(SHMEM_THP, "advise"))
		ktap_bail("cannot set %s: this kernel has no shmem THP", SHMEM_THP);
	fd = memfd_create("shmem_retract", 0);
	map_a = map_aligned(SZ_2M, SZ_2M);
	map_b = map_aligned(SZ_2M, SZ_2M);
	if (fd < 0 || ftruncate(fd, SZ_2M) || !map_a || !map_b ||
	    mmap(map_a, SZ_2M, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED ||
	    mmap(map_b, SZ_2M, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED)
		ktap_bail("cannot map a 2 MiB memfd twice: %s", strerror(errno));
	fill(map_a, SZ_2M, 1);
	delay_was = debug_delay_raise(delay_us);
	widened = delay_was >= 0;
	ktap_diag("retract's window %s", widened ? "widened" : "not widened (no debug delay here)");

	freed0 = pte_tables_freed();
	if (pthread_create(&t[0], NULL, collapser, NULL) ||
	    pthread_create(&t[1], NULL, reader, NULL) ||
	    pthread_create(&t[2], NULL, zapper, NULL))
		ktap_bail("pthread_create failed");
	sleep(seconds);
	atomic_store(&stop, 1);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	freed = pte_tables_freed() - freed0;
	debug_delay_restore(delay_was);
	write_str(SHMEM_THP, thp_was);

	ktap_metric("collapses", atomic_load(&collapses), "calls");
	ktap_metric("collapsed", atomic_load(&collapsed), "ranges");
	ktap_metric("zaps", atomic_load(&zaps), "calls");
	ktap_metric("tables_freed", freed, "tables");
	ktap_diag("%ld collapses (%ld collapsed), %ld zaps of the other mapping, %lld tables freed, %ld bad reads",
		  atomic_load(&collapses), atomic_load(&collapsed), atomic_load(&zaps),
		  freed, atomic_load(&bad_reads));
	ktap_result(!atomic_load(&bad_reads), "reads_see_the_data");
	if (!freeing)
		ktap_skip("collapses_met_frees", no_freeing());
	else
		/* Else nothing raced: collapses that retract, and frees. */
		ktap_result(atomic_load(&collapsed) > 0 && freed > 0,
			    "collapses_met_frees");
	ktap_finish();
}
