// SPDX-License-Identifier: GPL-2.0
/*
 * Anonymous page-fault throughput, the path every pte_offset_map*() pin
 * is on.  Each thread maps its own region, writes one byte per page (one
 * fault each, THP off), and unmaps it again.  Thread counts are
 * interleaved within every repetition, so a slow phase of the emulator
 * hits all of them alike.
 *
 * usage: fault_bench [--threads 1,2,4] [--mib 32] [--reps 5]
 * Reports, per thread count, "fault_ps_t<N>_r<i>" for each repetition
 * and the median "fault_ps_t<N>" (faults per second: thousands would
 * round a 1 % difference away).
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "ktap.h"

#define MAX_T	16
#define MAX_R	32

static size_t region;
static long page;
static pthread_barrier_t start;

static void *worker(void *arg)
{
	char *p;

	(void)arg;
	pthread_barrier_wait(&start);
	p = mmap(NULL, region, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return (void *)1;
	madvise(p, region, MADV_NOHUGEPAGE);
	for (size_t off = 0; off < region; off += page)
		p[off] = 1;
	munmap(p, region);
	return NULL;
}

/* One timed round with @n threads; returns thousands of faults/s. */
static double round_kps(int n)
{
	pthread_t t[MAX_T];
	double t0, t1;
	bool bad = false;
	void *ret;

	pthread_barrier_init(&start, NULL, n + 1);
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	t0 = now();
	pthread_barrier_wait(&start);
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], &ret);
		bad |= ret != NULL;
	}
	t1 = now();
	pthread_barrier_destroy(&start);
	if (bad)
		return -1;
	return (double)n * (region / page) / (t1 - t0) / 1000;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int threads[MAX_T] = { 1, 2, 4 }, nt = 3, reps = 5;
	double kps[MAX_T][MAX_R];
	char name[64], *tok;
	bool ok = true;

	page = sysconf(_SC_PAGESIZE);
	region = 32UL << 20;
	for (int a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--threads") && a + 1 < argc) {
			nt = 0;
			for (tok = strtok(argv[++a], ","); tok && nt < MAX_T;
			     tok = strtok(NULL, ","))
				threads[nt++] = atoi(tok);
		} else if (!strcmp(argv[a], "--mib") && a + 1 < argc) {
			region = strtoul(argv[++a], NULL, 0) << 20;
		} else if (!strcmp(argv[a], "--reps") && a + 1 < argc) {
			reps = atoi(argv[++a]);
		} else {
			ktap_bail("unknown argument %s", argv[a]);
		}
	}
	if (reps > MAX_R)
		reps = MAX_R;

	ktap_plan(nt);
	ktap_diag("%zu MiB per thread, %d repetitions, thread counts interleaved",
		  region >> 20, reps);
	round_kps(1);	/* warm up: page allocator, thread stacks */
	for (int r = 0; r < reps; r++) {
		for (int i = 0; i < nt; i++) {
			kps[i][r] = round_kps(threads[i]);
			snprintf(name, sizeof(name), "fault_ps_t%d_r%d", threads[i], r);
			ktap_metric(name, (long long)(kps[i][r] * 1000), "faults/s");
			ok &= kps[i][r] > 0;
		}
	}
	for (int i = 0; i < nt; i++) {
		qsort(kps[i], reps, sizeof(double), cmp);
		snprintf(name, sizeof(name), "fault_ps_t%d", threads[i]);
		ktap_metric(name, (long long)(kps[i][reps / 2] * 1000), "faults/s");
		ktap_result(kps[i][0] > 0, "faults_%d_threads", threads[i]);
	}
	ktap_finish();
}
