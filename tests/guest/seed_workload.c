// SPDX-License-Identifier: GPL-2.0
/*
 * The seed series' workload: map a large sparse region, then for every
 * 2 MiB of it touch the memory and MADV_DONTNEED it again.  Each 2 MiB
 * needs one PTE table; the test reports how many of those tables the
 * kernel still holds afterwards (VmPTE, PageTables).  Unpatched 6.12
 * keeps all of them until munmap.
 *
 * usage: seed_workload [--gib N] [--touch page|all] [--expect-freed]
 *   --gib N        size of the mapping (default 50, as in the seed)
 *   --touch page   write one 4 KiB page per 2 MiB (default: same tables,
 *                  a fraction of the TCG time)
 *   --touch all    write every page of each 2 MiB, as the seed did
 *   --expect-freed fail unless the emptied tables were freed
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ktap.h"
#include "meminfo.h"

#define SZ_2M	(2UL << 20)

int main(int argc, char **argv)
{
	unsigned long gib = 50, chunks, i, page = sysconf(_SC_PAGESIZE);
	bool touch_all = false, expect_freed = false, zeroed = true;
	long pte0, pt0, pte_mid = 0, pt_mid = 0, pte1, pt1, pte2;
	int bad_madvise = 0;
	char *map, *p;

	for (int a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--gib") && a + 1 < argc)
			gib = strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--touch") && a + 1 < argc)
			touch_all = !strcmp(argv[++a], "all");
		else if (!strcmp(argv[a], "--expect-freed"))
			expect_freed = true;
		else
			ktap_bail("unknown argument %s", argv[a]);
	}
	chunks = (gib << 30) / SZ_2M;

	ktap_plan(4);
	ktap_diag("mapping %lu GiB, %lu x (touch %s of 2 MiB, MADV_DONTNEED)",
		  gib, chunks, touch_all ? "all" : "one page");

	pte0 = vmpte_kb();
	pt0 = pagetables_kb();
	map = mmap(NULL, gib << 30, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!ktap_result(map != MAP_FAILED, "mmap_%lu_gib", gib))
		ktap_bail("cannot map %lu GiB", gib);
	/* Each 2 MiB must be PTE-mapped, or there is no table to leak. */
	madvise(map, gib << 30, MADV_NOHUGEPAGE);

	for (i = 0; i < chunks; i++) {
		p = map + i * SZ_2M;
		if (touch_all) {
			for (unsigned long off = 0; off < SZ_2M; off += page)
				p[off] = 1;
		} else {
			p[0] = 1;
		}
		if (madvise(p, SZ_2M, MADV_DONTNEED))
			bad_madvise++;
		/* MADV_DONTNEED on private anon: the next read sees zeroes. */
		if (p[0] != 0)
			zeroed = false;
		if (i == chunks / 2) {
			pte_mid = vmpte_kb();
			pt_mid = pagetables_kb();
		}
	}
	pte1 = vmpte_kb();
	pt1 = pagetables_kb();
	ktap_result(!bad_madvise && zeroed, "dontneed_%lu_chunks", chunks);

	munmap(map, gib << 30);
	pte2 = vmpte_kb();

	ktap_metric("vmpte_before_kb", pte0, "kB");
	ktap_metric("vmpte_during_kb", pte_mid, "kB");
	ktap_metric("vmpte_after_kb", pte1, "kB");
	ktap_metric("vmpte_after_munmap_kb", pte2, "kB");
	ktap_metric("pagetables_before_kb", pt0, "kB");
	ktap_metric("pagetables_during_kb", pt_mid, "kB");
	ktap_metric("pagetables_after_kb", pt1, "kB");

	/* munmap frees every table on any kernel: the accounting must agree. */
	ktap_result(pte0 >= 0 && pte2 >= 0 && pte2 <= pte0, "vmpte_back_after_munmap");
	if (expect_freed)
		ktap_result(pte1 <= pte0 + 96, "tables_freed_after_dontneed");
	else
		ktap_skip("tables_freed_after_dontneed", "not expected on this kernel");
	ktap_finish();
}
