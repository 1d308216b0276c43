// SPDX-License-Identifier: GPL-2.0
/*
 * pte_ref's worker retrying pinned tables while munmap tears their GiB down.
 *
 * munmap takes its VMAs out of the tree, downgrades mmap_lock to read, then
 * frees their PTE tables and, for a GiB no other VMA shares, the PMD table
 * (free_pgtables()).  The worker that retries pinned tables also holds
 * mmap_lock for read.  Had it walked into a range that no VMA covers, it
 * would find a pmd in a PMD table munmap is freeing and lock it: a
 * use-after-free of the table's split ptlock (KASAN in debug kernels), or a
 * pmd cleared twice.  The worker frees only where a VMA still is.
 *
 * A reader keeps pinning the tables through /proc/self/pagemap while the
 * main thread empties them with one-page MADV_DONTNEEDs, so some are found
 * pinned and queued for a retry; the whole GiB is then unmapped at once,
 * so the retries meet munmap.  Every fourth round a child process does the
 * same and exits instead of unmapping, so the retries meet exit_mmap().
 * Debug kernels widen the worker's window between finding the pmd and
 * locking it (pte_ref.debug_delay_us).
 *
 * What fails the test: a splat in the console (the harness's judge), data
 * that is not what was written, or no retry queued at all (the race was
 * not run).  usage: munmap_race [--seconds 10] [--delay-us 200]
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "debug_delay.h"
#include "ktap.h"
#include "kstat.h"
#include "variant.h"
#include "region.h"

#define SZ_1G		(1UL << 30)
#define TABLES		128	/* 2 MiB tables populated per GiB */

static _Atomic(char *) target;
static atomic_bool stop;

/* Pin the target's tables over and over: pagemap maps each with a pin. */
static void *pagemap_reader(void *arg)
{
	uint64_t buf[PAGES_2M];
	int fd = open("/proc/self/pagemap", O_RDONLY);

	(void)arg;
	if (fd < 0)
		ktap_bail("cannot open /proc/self/pagemap");
	while (!atomic_load(&stop)) {
		char *p = atomic_load(&target);

		if (!p) {
			sched_yield();
			continue;
		}
		for (int t = 0; t < TABLES && !atomic_load(&stop); t++) {
			off_t off = (uintptr_t)(p + t * SZ_2M) / PAGE_SZ *
				    sizeof(uint64_t);

			if (pread(fd, buf, sizeof(buf), off) < 0)
				ktap_bail("pagemap read failed");
		}
	}
	close(fd);
	return NULL;
}

/*
 * Map a GiB of its own (so munmap frees its PMD table too), fill one page
 * per table, empty each table while the reader pins them, then unmap the
 * GiB at once if @unmap (else leave it to exit).  Returns bad pages.
 */
static unsigned long one_round(unsigned long gen, bool unmap)
{
	char *a = map_aligned(SZ_1G, SZ_1G);
	unsigned long bad = 0;

	if (!a)
		ktap_bail("cannot map 1 GiB");
	madvise(a, SZ_1G, MADV_NOHUGEPAGE);
	for (int t = 0; t < TABLES; t++)
		fill(a + t * SZ_2M, PAGE_SZ, gen);
	atomic_store(&target, a);
	for (int t = 0; t < TABLES; t++) {
		bad += check(a + t * SZ_2M, PAGE_SZ, gen);
		if (madvise(a + t * SZ_2M, PAGE_SZ, MADV_DONTNEED))
			ktap_bail("MADV_DONTNEED failed");
	}
	if (!unmap)
		return bad;
	/*
	 * The retries are 10 ms away: unmap about when they run, so that the
	 * worker may take mmap_lock while munmap, downgraded to a reader,
	 * frees the tables (a longer zap of more tables widens that).
	 */
	usleep(5000 + rand() % 10000);
	munmap(a, SZ_1G);
	atomic_store(&target, NULL);
	return bad;
}

int main(int argc, char **argv)
{
	unsigned int seconds = 10, delay_us = 200;
	long long pinned0, pinned, retried0, retried;
	unsigned long rounds = 0, bad = 0;
	bool widened;
	pthread_t reader;
	long delay_was;
	double end, hard_end;

	for (int a = 1; a < argc; a += 2) {
		if (a + 1 >= argc)
			ktap_bail("%s needs a value", argv[a]);
		if (!strcmp(argv[a], "--seconds"))
			seconds = strtoul(argv[a + 1], NULL, 0);
		else if (!strcmp(argv[a], "--delay-us"))
			delay_us = strtoul(argv[a + 1], NULL, 0);
		else
			ktap_bail("unknown argument %s", argv[a]);
	}
	if (!seconds)
		ktap_bail("--seconds must be > 0");

	ktap_plan(2);
	if (!freeing_on()) {
		ktap_skip("retries_met_munmap", no_freeing());
		ktap_skip("data_intact", no_freeing());
		ktap_finish();
	}
	delay_was = debug_delay_raise(delay_us);
	widened = delay_was >= 0;
	ktap_diag("worker window widened by up to %u us: %s", delay_us,
		  widened ? "yes" : "no (not a debug kernel)");

	pinned0 = vmstat("pte_ref_skipped_pinned");
	retried0 = vmstat("pte_ref_retry_freed") + vmstat("pte_ref_retry_gave_up");
	if (pthread_create(&reader, NULL, pagemap_reader, NULL))
		ktap_bail("pthread_create failed");

	/*
	 * A loaded host may run only a few rounds in @seconds: go on, up to
	 * six times as long, until a table has been found pinned at least a
	 * few times (else the race was not run, and the test says so).
	 */
	end = now() + seconds;
	hard_end = now() + 6.0 * seconds;
	while (now() < end ||
	       (now() < hard_end && vmstat("pte_ref_skipped_pinned") - pinned0 < 5)) {
		if (rounds % 4 == 3) {
			pid_t pid = fork();
			int status;

			if (pid < 0)
				ktap_bail("fork failed");
			if (!pid) {
				/* The child's own reader; exit() ends both. */
				atomic_store(&stop, false);
				if (pthread_create(&reader, NULL, pagemap_reader, NULL))
					_exit(2);
				_exit(one_round(rounds, false) ? 1 : 0);
			}
			if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
				ktap_bail("child round did not exit");
			bad += WEXITSTATUS(status) != 0;
		} else {
			bad += one_round(rounds, true);
		}
		rounds++;
		/* Now and then let the worker run while nothing is mapped. */
		if (rounds % 8 == 0)
			usleep(15000);
	}
	atomic_store(&stop, true);
	pthread_join(reader, NULL);
	/* Let the last retries run before counting them. */
	usleep(300000);
	debug_delay_restore(delay_was);

	pinned = vmstat("pte_ref_skipped_pinned") - pinned0;
	retried = vmstat("pte_ref_retry_freed") + vmstat("pte_ref_retry_gave_up") -
		  retried0;
	ktap_metric("rounds", rounds, "");
	ktap_metric("found_pinned", pinned, "tables");
	ktap_metric("retries_done", retried, "tables");
	ktap_result(pinned > 0, "retries_met_munmap (%lld tables found pinned in %lu rounds)",
		    pinned, rounds);
	ktap_result(bad == 0, "data_intact (%lu bad pages)", bad);
	ktap_finish();
}
