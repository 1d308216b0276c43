// SPDX-License-Identifier: GPL-2.0
/*
 * Data integrity while tables come and go: "churn" threads keep writing,
 * checking and MADV_DONTNEED-ing the odd 2 MiB regions (so their tables
 * are freed and refaulted all the time), while "keeper" threads check
 * that the even regions, written once, never change, and a GUP thread
 * reads the keepers through process_vm_readv.  A lost write, a stale
 * page or a page of zeroes where data should be is a failure.
 *
 * usage: integrity [--regions 16] [--seconds 5]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#include "ktap.h"
#include "kstat.h"
#include "variant.h"
#include "region.h"

static char *base;
static unsigned long regions = 16;
static atomic_bool stop;
static atomic_long churn_rounds, churn_bad, keeper_rounds, keeper_bad,
		   gup_rounds, gup_bad;

static void *churn(void *arg)
{
	unsigned long first = (uintptr_t)arg;
	uint64_t gen = 100 + first;

	while (!atomic_load(&stop)) {
		for (unsigned long i = first; i < regions; i += 4) {
			char *r = base + i * SZ_2M;

			/* A fresh (or refaulted) region reads zero... */
			if (check_zero(r, SZ_2M))
				atomic_fetch_add(&churn_bad, 1);
			/* ...keeps what we write... */
			fill(r, SZ_2M, gen);
			if (check(r, SZ_2M, gen))
				atomic_fetch_add(&churn_bad, 1);
			/* ...and loses its table again. */
			madvise(r, SZ_2M, MADV_DONTNEED);
		}
		gen += 2;
		atomic_fetch_add(&churn_rounds, 1);
	}
	return NULL;
}

static void *keeper(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		for (unsigned long i = 0; i < regions; i += 2)
			if (check(base + i * SZ_2M, SZ_2M, 1))
				atomic_fetch_add(&keeper_bad, 1);
		atomic_fetch_add(&keeper_rounds, 1);
	}
	return NULL;
}

static void *gup_reader(void *arg)
{
	char *buf = malloc(SZ_2M);

	(void)arg;
	while (!atomic_load(&stop)) {
		for (unsigned long i = 0; i < regions; i += 2) {
			struct iovec l = { buf, SZ_2M }, r = { base + i * SZ_2M, SZ_2M };

			if (process_vm_readv(getpid(), &l, 1, &r, 1, 0) != (ssize_t)SZ_2M ||
			    check_as(buf, SZ_2M, 1, base + i * SZ_2M))
				atomic_fetch_add(&gup_bad, 1);
		}
		atomic_fetch_add(&gup_rounds, 1);
	}
	free(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	int seconds = 5;
	long long f0, f1;
	pthread_t t[5];
	bool has;

	for (int a = 1; a + 1 < argc; a += 2) {
		if (!strcmp(argv[a], "--regions"))
			regions = strtoul(argv[a + 1], NULL, 0);
		else if (!strcmp(argv[a], "--seconds"))
			seconds = atoi(argv[a + 1]);
		else
			ktap_bail("unknown argument %s", argv[a]);
	}
	if (argc % 2 == 0)
		ktap_bail("%s needs a value", argv[argc - 1]);
	regions &= ~3UL;
	ktap_plan(5);
	has = freeing_on();
	base = map_regions(regions);
	if (!base)
		ktap_bail("mmap failed");
	for (unsigned long i = 0; i < regions; i += 2)
		fill(base + i * SZ_2M, SZ_2M, 1);
	f0 = vmstat("pte_ref_freed");

	pthread_create(&t[0], NULL, churn, (void *)1);
	pthread_create(&t[1], NULL, churn, (void *)3);
	pthread_create(&t[2], NULL, keeper, NULL);
	pthread_create(&t[3], NULL, keeper, NULL);
	pthread_create(&t[4], NULL, gup_reader, NULL);
	sleep(seconds);
	atomic_store(&stop, true);
	for (int i = 0; i < 5; i++)
		pthread_join(t[i], NULL);
	f1 = vmstat("pte_ref_freed");

	ktap_metric("churn_rounds", churn_rounds, "rounds");
	ktap_metric("tables_freed", f1 - f0, "tables");
	ktap_diag("%ld churn, %ld keeper, %ld GUP rounds; %lld tables freed",
		  (long)churn_rounds, (long)keeper_rounds, (long)gup_rounds, f1 - f0);
	ktap_result(churn_rounds > 0 && !churn_bad, "churned_regions_consistent");
	ktap_result(keeper_rounds > 0 && !keeper_bad, "kept_regions_never_change");
	ktap_result(gup_rounds > 0 && !gup_bad, "gup_reads_kept_regions");
	ktap_result(!check(base, SZ_2M, 1), "kept_region_after_run");
	/* Else the churn never raced a free: the run proved nothing. */
	if (has)
		ktap_result(f1 - f0 > 0, "tables_freed_during_run");
	else
		ktap_skip("tables_freed_during_run", no_freeing());
	munmap(base, regions * SZ_2M);
	ktap_finish();
}
