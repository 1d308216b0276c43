// SPDX-License-Identifier: GPL-2.0
/*
 * The seed workload's loop as a benchmark: touch every page of a 2 MiB
 * chunk, MADV_DONTNEED it, next chunk.  With pte_ref each chunk's table
 * is freed and allocated again on the next touch; the cost of that is
 * the time with vm.free_user_pte=1 over the time with 0, measured in the
 * same boot, the two interleaved within every repetition.
 *
 * usage: dontneed_bench [--mib 64] [--reps 7]
 * Reports loop_us_off_r<i>, loop_us_on_r<i> and the median on/off ratio
 * (x1000) with its min and max over the repetitions.
 */
#include <string.h>
#include <time.h>

#include "clock.h"
#include "ktap.h"
#include "kstat.h"
#include "variant.h"
#include "region.h"

static double loop_us(char *base, unsigned long chunks)
{
	double t0 = now();

	for (unsigned long i = 0; i < chunks; i++) {
		char *p = base + i * SZ_2M;

		for (unsigned long off = 0; off < SZ_2M; off += PAGE_SZ)
			p[off] = 1;
		madvise(p, SZ_2M, MADV_DONTNEED);
	}
	return (now() - t0) * 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	unsigned long mib = 64, chunks;
	double ratio[32];
	int reps = 7;
	char name[64];
	char *base;

	for (int a = 1; a + 1 < argc; a += 2) {
		if (!strcmp(argv[a], "--mib"))
			mib = strtoul(argv[a + 1], NULL, 0);
		else if (!strcmp(argv[a], "--reps"))
			reps = atoi(argv[a + 1]);
	}
	if (reps > 32)
		reps = 32;
	chunks = mib / 2;
	ktap_plan(1);
	if (!freeing_switch(0)) {
		ktap_skip("dontneed_loop_on_off", no_freeing());
		ktap_finish();
	}
	base = map_regions(chunks);
	if (!base)
		ktap_bail("mmap failed");
	loop_us(base, chunks);	/* warm up */
	for (int r = 0; r < reps; r++) {
		double t[2];	/* [0]: off, [1]: on */
		double off, on;

		/* Alternate which goes first, so neither is always warmer. */
		set_free_user_pte(r % 2);
		t[r % 2] = loop_us(base, chunks);
		set_free_user_pte(!(r % 2));
		t[!(r % 2)] = loop_us(base, chunks);
		off = t[0];
		on = t[1];
		ratio[r] = on / off;
		snprintf(name, sizeof(name), "loop_us_off_r%d", r);
		ktap_metric(name, (long long)off, "us");
		snprintf(name, sizeof(name), "loop_us_on_r%d", r);
		ktap_metric(name, (long long)on, "us");
	}
	set_free_user_pte(1);
	qsort(ratio, reps, sizeof(double), cmp);
	ktap_metric("loop_on_off_ratio_x1000", (long long)(ratio[reps / 2] * 1000), "");
	ktap_metric("loop_on_off_ratio_min_x1000", (long long)(ratio[0] * 1000), "");
	ktap_metric("loop_on_off_ratio_max_x1000", (long long)(ratio[reps - 1] * 1000), "");
	ktap_diag("%lu MiB, %d reps: on/off %.3f (min %.3f, max %.3f)", mib, reps,
		  ratio[reps / 2], ratio[0], ratio[reps - 1]);
	ktap_result(true, "dontneed_loop_on_off");
	ktap_finish();
}
