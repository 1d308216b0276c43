// SPDX-License-Identifier: GPL-2.0
/*
 * userfaultfd fills race pte_ref's freeing of their table.
 *
 * UFFDIO_COPY and UFFDIO_ZEROPAGE (mfill_atomic()) allocate the PTE table
 * of the address they fill, then prepare the page, then install its entry;
 * they hold only mmap_lock for read (or the VMA lock), as MADV_DONTNEED
 * does.  A table that is still empty in between is one pte_ref may free:
 * here a second thread keeps zapping a never-filled page of the same table
 * while the main thread fills, checks and zaps another, so every fill
 * starts on an empty (or freed) table.  Unpatched 6.12 never frees it and
 * every fill succeeds; pte_ref must not turn any of them into an error
 * (-EAGAIN or -EEXIST, which a userfaultfd monitor cannot tell from a
 * real conflict), nor lose what was filled.
 *
 * usage: uffd_fill [--seconds 10] [--switch 0|1]
 *   --switch 0   freeing off (vm.free_user_pte=0): the same race, to compare
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "ktap.h"
#include "kstat.h"
#include "variant.h"
#include "region.h"
#include "uffd.h"

static atomic_bool stop;

/* Zap a page nobody fills: each call may free the table if it is empty. */
static void *zapper(void *page)
{
	while (!atomic_load(&stop))
		madvise(page, PAGE_SZ, MADV_DONTNEED);
	return NULL;
}

/* Fill @page with @src (or zeroes); 0 or the error mfill_atomic() gave. */
static long long fill_page(int fd, char *page, const char *src)
{
	if (src) {
		struct uffdio_copy c = {
			.dst = (unsigned long)page,
			.src = (unsigned long)src,
			.len = PAGE_SZ,
		};

		if (ioctl(fd, UFFDIO_COPY, &c))
			return c.copy < 0 ? c.copy : -errno;
		return c.copy == (long long)PAGE_SZ ? 0 : -EIO;
	} else {
		struct uffdio_zeropage z = {
			.range = { .start = (unsigned long)page, .len = PAGE_SZ },
		};

		if (ioctl(fd, UFFDIO_ZEROPAGE, &z))
			return z.zeropage < 0 ? z.zeropage : -errno;
		return z.zeropage == (long long)PAGE_SZ ? 0 : -EIO;
	}
}

int main(int argc, char **argv)
{
	long long fills = 0, failed = 0, lost = 0, freed0, freed, first_err = 0;
	int seconds = 10, on = 1, fd;
	struct timespec t0, t;
	char *base, *src;
	pthread_t thread;
	bool has;

	for (int a = 1; a + 1 < argc; a += 2) {
		if (!strcmp(argv[a], "--seconds"))
			seconds = atoi(argv[a + 1]);
		else if (!strcmp(argv[a], "--switch"))
			on = atoi(argv[a + 1]);
		else
			ktap_bail("unknown argument %s", argv[a]);
	}
	if (seconds <= 0 || (on != 0 && on != 1))
		ktap_bail("bad arguments");

	ktap_plan(3);
	base = map_regions(1);
	src = map_aligned(PAGE_SZ, PAGE_SZ);
	if (!base || !src)
		ktap_bail("mmap failed");
	fd = uffd_open();
	if (fd >= 0 && uffd_register(fd, base, SZ_2M)) {
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		ktap_skip("every_fill_succeeds", "no userfaultfd in this kernel");
		ktap_skip("filled_data_intact", "no userfaultfd in this kernel");
		ktap_skip("tables_freed_between_fills", "no userfaultfd in this kernel");
		ktap_finish();
	}
	has = freeing_switch(on);
	if (!has)
		ktap_diag("%s: nothing frees the table", no_freeing());

	freed0 = pte_tables_freed();
	if (pthread_create(&thread, NULL, zapper, base + PAGE_SZ))
		ktap_bail("pthread_create failed");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		/* Copies and zero pages alternate: both are mfill_atomic(). */
		bool copy = fills % 2 == 0;
		long long err;

		if (copy)
			fill(src, PAGE_SZ, fills);
		err = fill_page(fd, base, copy ? src : NULL);
		fills++;
		if (err) {
			if (!failed++)
				first_err = err;
		} else if (copy ? check_as(base, PAGE_SZ, fills - 1, src) :
				  check_zero(base, PAGE_SZ)) {
			lost++;
		}
		if (madvise(base, PAGE_SZ, MADV_DONTNEED))
			ktap_bail("madvise failed");
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < seconds);
	atomic_store(&stop, true);
	pthread_join(thread, NULL);
	freed = pte_tables_freed() - freed0;

	ktap_metric("fills", fills, "fills");
	ktap_metric("fills_failed", failed, "fills");
	ktap_metric("tables_freed", freed, "tables");
	if (failed)
		ktap_diag("%lld of %lld fills failed, the first with %s", failed,
			  fills, strerror(-first_err));
	ktap_result(!failed, "every_fill_succeeds");
	ktap_result(!lost, "filled_data_intact");
	if (!has)
		ktap_skip("tables_freed_between_fills", no_freeing());
	else if (!on)
		ktap_skip("tables_freed_between_fills", "freeing is off");
	else
		/* Else the race above was never run: the test proved nothing. */
		ktap_result(freed >= fills / 2, "tables_freed_between_fills");
	ktap_finish();
}
