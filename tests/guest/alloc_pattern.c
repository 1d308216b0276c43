// SPDX-License-Identifier: GPL-2.0
/*
 * The allocator pattern: several threads return memory in random 64 KiB
 * MADV_DONTNEED chunks until whole 2 MiB regions are empty.  Tables of
 * the emptied regions must be freed (each by whichever call emptied it
 * last), the others must stay and keep their data, and touching an
 * emptied region again must bring a working table back.
 *
 * usage: alloc_pattern [--regions 32] [--emptied 24] [--threads 4]
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "ktap.h"
#include "kstat.h"
#include "variant.h"
#include "region.h"

#define CHUNK		(64UL << 10)
#define CHUNKS_2M	(SZ_2M / CHUNK)

static char *base;
static unsigned long *order;	/* shuffled chunk numbers */
static unsigned long nchunks;
static atomic_ulong next_chunk;
static atomic_int madvise_errors;
static pthread_barrier_t go;

static void *returner(void *arg)
{
	unsigned long i;

	(void)arg;
	pthread_barrier_wait(&go);
	while ((i = atomic_fetch_add(&next_chunk, 1)) < nchunks)
		if (madvise(base + order[i] * CHUNK, CHUNK, MADV_DONTNEED))
			atomic_fetch_add(&madvise_errors, 1);
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long regions = 32, emptied = 24, nthreads = 4, seed = 12345;
	long pte0, pte1, pte2;
	long long freed0, freed1;
	pthread_t t[16];
	bool has;

	for (int a = 1; a + 1 < argc; a += 2) {
		if (!strcmp(argv[a], "--regions"))
			regions = strtoul(argv[a + 1], NULL, 0);
		else if (!strcmp(argv[a], "--emptied"))
			emptied = strtoul(argv[a + 1], NULL, 0);
		else if (!strcmp(argv[a], "--threads"))
			nthreads = strtoul(argv[a + 1], NULL, 0);
		else
			ktap_bail("unknown argument %s", argv[a]);
	}
	if (emptied > regions || nthreads > 16)
		ktap_bail("bad arguments");

	ktap_plan(6);
	has = freeing_on();
	base = map_regions(regions);
	if (!base)
		ktap_bail("mmap failed");
	fill(base, regions * SZ_2M, 1);

	/* Every 64 KiB chunk of the first @emptied regions, in random order. */
	nchunks = emptied * CHUNKS_2M;
	order = malloc(nchunks * sizeof(*order));
	for (unsigned long i = 0; i < nchunks; i++)
		order[i] = i;
	for (unsigned long i = nchunks - 1; i > 0; i--) {
		unsigned long j, tmp;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		j = (seed >> 33) % (i + 1);
		tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}

	/* Threads first: their stacks have tables of their own. */
	pthread_barrier_init(&go, NULL, nthreads + 1);
	for (unsigned long i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, returner, NULL);
	usleep(100 * 1000);
	pte0 = vmpte_kb();
	freed0 = pte_tables_freed();
	pthread_barrier_wait(&go);
	for (unsigned long i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	/* A table pinned at its last call is retried from a workqueue (debug
	 * kernels under TCG are slow: allow up to 10 s). */
	for (int wait = 0; wait < 500; wait++) {
		pte1 = vmpte_kb();
		if (pte0 - pte1 >= (long)emptied * 4)
			break;
		usleep(20 * 1000);
	}
	freed1 = pte_tables_freed();
	ktap_metric("vmpte_before_kb", pte0, "kB");
	ktap_metric("vmpte_after_kb", pte1, "kB");
	ktap_metric("tables_freed", freed1 - freed0, "tables");

	ktap_result(!madvise_errors, "dontneed_%lu_chunks_%lu_threads", nchunks,
		    nthreads);
	ktap_result(!check(base + emptied * SZ_2M, (regions - emptied) * SZ_2M, 1),
		    "kept_regions_intact");
	ktap_result(!check_zero(base, emptied * SZ_2M), "emptied_regions_zero");
	if (has) {
		ktap_diag("VmPTE %ld -> %ld kB, %lld tables freed", pte0, pte1,
			  freed1 - freed0);
		/* The emptied regions' tables go, the kept regions' stay. */
		ktap_result(pte0 - pte1 >= (long)emptied * 4 &&
			    pte0 - pte1 <= (long)emptied * 4 + 8 &&
			    freed1 - freed0 >= (long long)emptied,
			    "emptied_tables_freed");
	} else {
		ktap_skip("emptied_tables_freed", no_freeing());
	}

	/* Fault after free: the regions work again, with fresh tables. */
	fill(base, emptied * SZ_2M, 2);
	pte2 = vmpte_kb();
	ktap_result(!check(base, emptied * SZ_2M, 2) &&
		    !check(base + emptied * SZ_2M, (regions - emptied) * SZ_2M, 1),
		    "refault_after_free");
	ktap_result(pte2 - pte1 >= (has ? (long)emptied * 4 : 0), "tables_back_after_refault");
	munmap(base, regions * SZ_2M);
	ktap_finish();
}
