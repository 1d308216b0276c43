// SPDX-License-Identifier: GPL-2.0
/*
 * UFFDIO_UNREGISTER must not leave a fault asleep.
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
 * A message read after UFFDIO_UNREGISTER is not always such a left-over.
 * A faulting thread woken by something else than userfaultfd (a delayed
 * wake-up from a wake queue: an rwsem it waited on earlier, say) is
 * running while its message is still queued; the unregister's wake skips
 * a running thread, and the message stays readable until the thread takes
 * it back a moment later and retries its fault.  That is 6.12's own
 * behaviour and harmless: the thread is not asleep.  So the monitor
 * watches the thread of each message it reads after unregistering: one
 * that makes progress on its own was such a passer-by; one that stays
 * still for WAKE_WAIT_MS was left asleep, and fails the test.
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

#define FAULTERS	2
#define HALF		(SZ_2M / FAULTERS)
/* How long a thread with a message read after unregistering may sit still. */
#define WAKE_WAIT_MS	2000

static atomic_bool stop;
static atomic_long faults_done[FAULTERS];
static char *region;

/*
 * Touch every page of @half in turn, each a first touch (a fault under the
 * per-VMA lock, no mmap_lock), then zap them all and start again.
 */
static void *faulter(void *arg)
{
	long i = (long)arg;
	char *p = region + i * HALF;

	while (!atomic_load(&stop)) {
		for (size_t off = 0; off < HALF && !atomic_load(&stop); off += PAGE_SZ) {
			(void)*(volatile char *)(p + off);
			atomic_fetch_add(&faults_done[i], 1);
		}
		madvise(p, HALF, MADV_DONTNEED);
	}
	return NULL;
}

/*
 * The thread of a fault message read after UFFDIO_UNREGISTER: true if it
 * moves on by itself within WAKE_WAIT_MS (it was not asleep), false if it
 * stays asleep (a left-over).
 */
static bool moves_on(long i)
{
	long before = atomic_load(&faults_done[i]);
	struct timespec ms = { .tv_nsec = 1000 * 1000 }, t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (atomic_load(&faults_done[i]) != before)
			return true;
		nanosleep(&ms, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 +
		 (t.tv_nsec - t0.tv_nsec) / 1000000 < WAKE_WAIT_MS);
	return false;
}

int main(int argc, char **argv)
{
	long rounds = 0, left_over = 0, passers_by = 0, faults;
	struct timespec t0, t;
	int seconds = 10, fd;
	pthread_t thread[FAULTERS];

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
	for (long i = 0; i < FAULTERS; i++)
		if (pthread_create(&thread[i], NULL, faulter, (void *)i))
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
		 * could see: the thread of any message still here must be
		 * running, or it was left asleep.
		 */
		while (read(fd, &msg, sizeof(msg)) == sizeof(msg)) {
			long i = (msg.arg.pagefault.address -
				  (unsigned long)region) / HALF;

			if (msg.event != UFFD_EVENT_PAGEFAULT || i < 0 ||
			    i >= FAULTERS)
				ktap_bail("unexpected message (event %u)",
					  msg.event);
			if (moves_on(i)) {
				passers_by++;
				continue;
			}
			left_over++;
			ktap_diag("fault at %#llx left asleep after round %ld",
				  (unsigned long long)msg.arg.pagefault.address,
				  rounds);
			ioctl(fd, UFFDIO_WAKE, &range);
		}
		rounds++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < seconds);
	atomic_store(&stop, true);
	/* Unregistered now: the faulters' last touches map the zero page. */
	for (int i = 0; i < FAULTERS; i++)
		pthread_join(thread[i], NULL);

	faults = 0;
	for (int i = 0; i < FAULTERS; i++)
		faults += atomic_load(&faults_done[i]);
	ktap_metric("rounds", rounds, "rounds");
	ktap_metric("left_over_faults", left_over, "faults");
	ktap_metric("messages_of_running_threads", passers_by, "faults");
	ktap_metric("faults", faults, "faults");
	ktap_result(!left_over, "no_fault_left_after_unregister");
	ktap_result(faults >= rounds / 2, "faults_raced_unregister");
	ktap_finish();
}
