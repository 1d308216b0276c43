// SPDX-License-Identifier: GPL-2.0
/*
 * Every freed table is followed by a full TLB flush of its mm.
 *
 * A CPU may cache the upper levels of a walk (x86's paging-structure
 * caches, arm64's walk caches), so a freed table must be flushed out of
 * them before the page is reused.  QEMU's TCG does not model those caches:
 * no guest can see a missing flush by its effect.  What it can see is the
 * kernel's own count of flushes (CONFIG_DEBUG_TLBFLUSH, x86 only): a
 * single-threaded process empties one table at a time with a one-page
 * MADV_DONTNEED, whose own flush is a one-page flush, so only the freeing
 * of the table can make a full local flush.  Freed tables without as many
 * full flushes mean a table went back to the allocator unflushed.
 *
 * usage: tlb_flush [--tables 128]
 */
#include <string.h>

#include "ktap.h"
#include "kstat.h"
#include "region.h"

int main(int argc, char **argv)
{
	unsigned long tables = 128;
	long long freed0, freed, flush0, flushes;
	char *base;

	for (int a = 1; a + 1 < argc; a += 2) {
		if (!strcmp(argv[a], "--tables"))
			tables = strtoul(argv[a + 1], NULL, 0);
		else
			ktap_bail("unknown argument %s", argv[a]);
	}
	if (!tables)
		ktap_bail("bad arguments");

	ktap_plan(2);
	if (set_free_user_pte(1)) {
		ktap_skip("tables_freed", "this kernel has no pte_ref");
		ktap_skip("full_flush_per_freed_table", "this kernel has no pte_ref");
		ktap_finish();
	}
	base = map_regions(tables);
	if (!base)
		ktap_bail("mmap failed");
	/* One page per region: one table each, emptied by a one-page zap. */
	for (unsigned long i = 0; i < tables; i++)
		fill(base + i * SZ_2M, PAGE_SZ, 1);

	freed0 = pte_tables_freed();
	flush0 = vmstat("nr_tlb_local_flush_all");
	for (unsigned long i = 0; i < tables; i++)
		if (madvise(base + i * SZ_2M, PAGE_SZ, MADV_DONTNEED))
			ktap_bail("madvise failed");
	flushes = vmstat("nr_tlb_local_flush_all") - flush0;
	freed = pte_tables_freed() - freed0;
	munmap(base, tables * SZ_2M);

	ktap_metric("tables_freed", freed, "tables");
	ktap_result(freed == (long long)tables, "tables_freed");
	if (flush0 < 0) {
		ktap_skip("full_flush_per_freed_table",
			  "no nr_tlb_local_flush_all (needs CONFIG_DEBUG_TLBFLUSH, x86 only)");
		ktap_finish();
	}
	ktap_metric("full_local_flushes", flushes, "flushes");
	ktap_diag("%lld tables freed, %lld full local TLB flushes", freed, flushes);
	ktap_result(freed > 0 && flushes >= freed, "full_flush_per_freed_table");
	ktap_finish();
}
