// SPDX-License-Identifier: GPL-2.0
/*
 * UFFDIO_UNREGISTER must not leave a fault message behind.
 *
 * Two threads keep touching pages of a 2 MiB region for the first time
 * (page faults under the per-VMA lock, which take no mmap_lock), while the
 * monitor registers the region and unregisters it again in a loop, never
 * resolving a fault.  UFFDIO_UNREGISTER wakes, and so dequeues, the faults
 * pending on the range; one that is still queued when it returns has a
 * message nobody will remove and a thread nobody will wake.  6.12 wakes
 * first and write-locks the VMA after, so a fault under the VMA lock can
 * queue in between; core patch 04 write-locks the VMA first.
 *
 * The window is upstream's: pte_ref only made uffd-unit-tests' "events"
 * case meet it.  This test shows it with freeing on or off.
 *
 * usage: uffd_unregister [--seconds 10]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "ktap.h"
#include "region.h"
#include "uffd.h"

static atomic_bool stop;
static atomic_long faults_done;

#define FAULTERS	2

/*
 * Touch every page of @half in turn, each a first touch (a fault under the
 * per-VMA lock, no mmap_lock), then zap them all and start again.
 */
static void *faulter(void *half)
{
	char *p = half;
	size_t len = SZ_2M / FAULTERS;

	while (!atomic_load(&stop)) {
		for (size_t off = 0; off < len && !atomic_load(&stop); off += PAGE_SZ) {
			(void)*(volatile char *)(p + off);
			atomic_fetch_add(&faults_done, 1);
		}
		madvise(p, len, MADV_DONTNEED);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long rounds = 0, stale = 0;
	struct timespec t0, t;
	int seconds = 10, fd;
	pthread_t thread[FAULTERS];
	char *region;

	for (int a = 1; a + 1 < argc; a += 2) {
		if (!strcmp(argv[a], "--seconds"))
			seconds = atoi(argv[a + 1]);
		else
			ktap_bail("unknown argument %s", argv[a]);
	}
	if (seconds <= 0)
		ktap_bail("bad arguments");

	ktap_plan(2);
	region = map_regions(1);
	if (!region)
		ktap_bail("mmap failed");
	fd = uffd_open();
	if (fd < 0) {
		ktap_skip("no_fault_left_after_unregister", "no userfaultfd in this kernel");
		ktap_skip("faults_raced_unregister", "no userfaultfd in this kernel");
		ktap_finish();
	}
	for (int i = 0; i < FAULTERS; i++)
		if (pthread_create(&thread[i], NULL, faulter,
				   region + i * (SZ_2M / FAULTERS)))
			ktap_bail("pthread_create failed");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		struct uffdio_range range = {
			.start = (unsigned long)region, .len = SZ_2M,
		};
		struct uffd_msg msg;

		if (uffd_register(fd, region, SZ_2M))
			ktap_bail("UFFDIO_REGISTER: %s", strerror(errno));
		if (uffd_unregister(fd, region, SZ_2M))
			ktap_bail("UFFDIO_UNREGISTER: %s", strerror(errno));
		/*
		 * UFFDIO_UNREGISTER woke, and so dequeued, every fault it
		 * could see; a fault queued after that and before the range
		 * was gone is a left-over.  Its thread sleeps until woken.
		 */
		while (read(fd, &msg, sizeof(msg)) == sizeof(msg))
			stale++;
		if (stale)
			ioctl(fd, UFFDIO_WAKE, &range);
		rounds++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < seconds);
	atomic_store(&stop, true);
	/* Unregistered now: the faulters' last touches map the zero page. */
	for (int i = 0; i < FAULTERS; i++)
		pthread_join(thread[i], NULL);

	ktap_metric("rounds", rounds, "rounds");
	ktap_metric("stale_faults", stale, "faults");
	ktap_metric("faults", atomic_load(&faults_done), "faults");
	ktap_result(!stale, "no_fault_left_after_unregister");
	ktap_result(atomic_load(&faults_done) >= rounds / 2,
		    "faults_raced_unregister");
	ktap_finish();
}
