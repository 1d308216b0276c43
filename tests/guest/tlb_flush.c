// SPDX-License-Identifier: GPL-2.0
/*
 * Freed tables are flushed, and the tables of one call share one flush.
 *
 * A CPU may cache the upper levels of a walk (x86's paging-structure
 * caches, arm64's walk caches), so a freed table must be flushed out of
 * them before the page is reused.  QEMU's TCG does not model those caches:
 * no guest can see a missing flush by its effect.  What it can see are
 * the kernel's counts:
 *   pte_ref_flushes          pte_ref's own flushes, on every arch;
 *   nr_tlb_local_flush_all   x86 kernels with CONFIG_DEBUG_TLBFLUSH, all
 *   nr_tlb_remote_flush      full flushes whoever asked for them.
 *
 * 1. A single-threaded process empties one table at a time with a
 *    one-page MADV_DONTNEED, whose own zap flushes one page: every freed
 *    table must be followed by a full flush (x86 counts it).
 * 2. One MADV_DONTNEED of 1 GiB empties 512 tables: pte_ref must flush
 *    once for all of them (not once per table, an IPI broadcast each on a
 *    big machine), and on x86 the whole call must do at most 2 full
 *    flushes (the zap's own and pte_ref's).  It runs in a child that was
 *    born on one CPU and stays there: x86 counts a flush once on the
 *    local CPU and once more if the mm has run on another.
 *
 * usage: tlb_flush [--tables 128]
 */
#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "ktap.h"
#include "kstat.h"
#include "variant.h"
#include "region.h"

#define BATCH_TABLES	512	/* 1 GiB */

/* Full TLB flushes as x86 debug kernels count them; -1 elsewhere. */
static long long full_flushes(void)
{
	long long local = vmstat("nr_tlb_local_flush_all");
	long long remote = vmstat("nr_tlb_remote_flush");

	return local < 0 || remote < 0 ? -1 : local + remote;
}

/*
 * Wait until pte_ref's worker has finished what earlier tests queued: its
 * flushes would count here (up to 3 s).
 */
static void settle(void)
{
	long long last = vmstat("pte_ref_flushes");

	for (int i = 0; i < 30; i++) {
		usleep(100000);
		if (vmstat("pte_ref_flushes") == last)
			return;
		last = vmstat("pte_ref_flushes");
	}
}

/* Map @n 2 MiB regions with one page each: one table per region. */
static char *tables_of_one_page(unsigned long n)
{
	char *base = map_regions(n);

	if (!base)
		ktap_bail("mmap failed");
	for (unsigned long i = 0; i < n; i++)
		fill(base + i * SZ_2M, PAGE_SZ, 1);
	return base;
}

int main(int argc, char **argv)
{
	long long freed0, freed, flush0, flushes, own0, own;
	unsigned long tables = 128;
	char *base;

	parse_opts(argc, argv, (struct opt[]){ { "--tables", &tables } }, 1);

	ktap_plan(4);
	if (!freeing_on()) {
		ktap_skip("tables_freed", no_freeing());
		ktap_skip("full_flush_per_freed_table", no_freeing());
		ktap_skip("batch_tables_freed", no_freeing());
		ktap_skip("one_flush_per_call", no_freeing());
		ktap_finish();
	}

	/* 1: one table per call. */
	base = tables_of_one_page(tables);
	freed0 = pte_tables_freed();
	flush0 = full_flushes();
	own0 = vmstat("pte_ref_flushes");
	for (unsigned long i = 0; i < tables; i++)
		if (madvise(base + i * SZ_2M, PAGE_SZ, MADV_DONTNEED))
			ktap_bail("madvise failed");
	flushes = full_flushes() - flush0;
	own = vmstat("pte_ref_flushes") - own0;
	freed = pte_tables_freed() - freed0;
	munmap(base, tables * SZ_2M);
	ktap_metric("tables_freed", freed, "tables");
	ktap_metric("pte_ref_flushes", own, "flushes");
	ktap_result(freed == (long long)tables && own == freed, "tables_freed");
	if (flush0 < 0) {
		ktap_skip("full_flush_per_freed_table",
			  "no nr_tlb_* in /proc/vmstat (CONFIG_DEBUG_TLBFLUSH, x86 only)");
	} else {
		ktap_metric("full_flushes", flushes, "flushes");
		ktap_diag("%lld tables freed, %lld full TLB flushes", freed, flushes);
		ktap_result(freed > 0 && flushes >= freed, "full_flush_per_freed_table");
	}

	/* 2: 512 tables in one call, in a child confined to one CPU. */
	{
		cpu_set_t one;
		int pipefd[2], st;
		long long r[4];
		pid_t pid;

		CPU_ZERO(&one);
		CPU_SET(sched_getcpu(), &one);
		if (pipe(pipefd) || sched_setaffinity(0, sizeof(one), &one))
			ktap_bail("pipe or sched_setaffinity failed");
		settle();
		pid = fork();
		if (pid < 0)
			ktap_bail("fork failed");
		if (!pid) {
			base = tables_of_one_page(BATCH_TABLES);
			r[0] = pte_tables_freed();
			r[1] = full_flushes();
			r[2] = vmstat("pte_ref_flushes");
			if (madvise(base, BATCH_TABLES * SZ_2M, MADV_DONTNEED))
				_exit(2);
			r[0] = pte_tables_freed() - r[0];
			r[1] = r[1] < 0 ? -1 : full_flushes() - r[1];
			r[2] = vmstat("pte_ref_flushes") - r[2];
			r[3] = 0;
			_exit(write(pipefd[1], r, sizeof(r)) == sizeof(r) ? 0 : 3);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) ||
		    read(pipefd[0], r, sizeof(r)) != sizeof(r))
			ktap_bail("the one-CPU child failed");
		freed = r[0];
		flushes = r[1];
		own = r[2];
	}
	ktap_metric("batch_tables_freed", freed, "tables");
	ktap_metric("batch_pte_ref_flushes", own, "flushes");
	ktap_result(freed == BATCH_TABLES, "batch_tables_freed");
	if (flushes >= 0) {
		ktap_metric("batch_full_flushes", flushes, "flushes");
		ktap_diag("1 GiB MADV_DONTNEED: %lld tables, %lld pte_ref flush(es), %lld full TLB flushes",
			  freed, own, flushes);
	}
	ktap_result(own == 1 && flushes <= 2, "one_flush_per_call");
	ktap_finish();
}
