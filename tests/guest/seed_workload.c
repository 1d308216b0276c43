// SPDX-License-Identifier: GPL-2.0
/*
 * The seed series' workload: map a large sparse region, then for every
 * 2 MiB of it touch the memory and MADV_DONTNEED it again.  Each 2 MiB
 * needs one PTE table; the test reports how many of those tables the
 * kernel still holds afterwards (VmPTE, PageTables).  Unpatched 6.12
 * keeps all of them until munmap.
 *
 * usage: seed_workload [--gib N] [--touch page|all] [--switch 0|1]
 *                      [--expect kept|freed]
 *   --gib N         size of the mapping (default 50, as in the seed)
 *   --touch page    write one 4 KiB page per 2 MiB (default: same tables,
 *                   a fraction of the TCG time)
 *   --touch all     write every page of each 2 MiB, as the seed did
 *   --switch 0|1    set vm.free_user_pte first (kernels without pte_ref
 *                   have no such switch and keep their tables)
 *   --expect kept   fail unless (nearly) every table is still there
 *   --expect freed  fail unless VmPTE is back to <= 96 kB and PageTables to
 *                   its starting level; skipped on kernels without pte_ref
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ktap.h"
#include "kstat.h"
#include "variant.h"

#define SZ_2M	(2UL << 20)

int main(int argc, char **argv)
{
	unsigned long gib = 50, chunks, i, page = sysconf(_SC_PAGESIZE);
	bool touch_all = false, zeroed = true, has_switch = true;
	const char *expect = NULL;
	int sw = -1;
	long pte0, pt0, pte_mid = 0, pt_mid = 0, pte1, pt1, pte2;
	long long pmd_freed0, pmd_freed1;
	int bad_madvise = 0;
	char *map, *p;

	for (int a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--gib") && a + 1 < argc)
			gib = strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--touch") && a + 1 < argc)
			touch_all = !strcmp(argv[++a], "all");
		else if (!strcmp(argv[a], "--switch") && a + 1 < argc)
			sw = atoi(argv[++a]);
		else if (!strcmp(argv[a], "--expect") && a + 1 < argc)
			expect = argv[++a];
		else
			ktap_bail("unknown argument %s", argv[a]);
	}
	chunks = (gib << 30) / SZ_2M;

	ktap_plan(4);
	if (sw >= 0 && !freeing_switch(sw))
		has_switch = false;
	ktap_diag("mapping %lu GiB, %lu x (touch %s of 2 MiB, MADV_DONTNEED), vm.free_user_pte=%d",
		  gib, chunks, touch_all ? "all" : "one page", get_free_user_pte());

	pt0 = pagetables_settled();
	pte0 = vmpte_kb();
	pmd_freed0 = vmstat("pte_ref_pmd_freed");
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
		if (i == chunks / 2) {
			pte_mid = vmpte_kb();
			pt_mid = pagetables_now();
		}
	}
	/*
	 * Freed PTE tables leave PageTables after an RCU grace period; empty
	 * PMD tables leave VmPTE when pte_ref's sweep (every 100 ms) has run.
	 * Only waited for when they are expected to go.
	 */
	for (int wait = 0; wait < 200; wait++) {
		pte1 = vmpte_kb();
		pt1 = pagetables_now();
		if (!expect || strcmp(expect, "freed") ||
		    (pte1 <= pte0 + 8 && pt1 <= pt0 + 16))
			break;
		usleep(100 * 1000);
	}
	/*
	 * MADV_DONTNEED on private anon: reads see zeroes.  Only looked at
	 * now, as a read maps the zero page and so needs a table again.
	 */
	for (i = 0; i < chunks; i += 97)
		zeroed &= map[i * SZ_2M] == 0;
	ktap_result(!bad_madvise && zeroed, "dontneed_%lu_chunks", chunks);

	pmd_freed1 = vmstat("pte_ref_pmd_freed");
	munmap(map, gib << 30);
	pte2 = vmpte_kb();

	ktap_metric("vmpte_before_kb", pte0, "kB");
	ktap_metric("vmpte_during_kb", pte_mid, "kB");
	ktap_metric("vmpte_after_kb", pte1, "kB");
	ktap_metric("vmpte_after_munmap_kb", pte2, "kB");
	ktap_metric("pagetables_before_kb", pt0, "kB");
	ktap_metric("pagetables_during_kb", pt_mid, "kB");
	ktap_metric("pagetables_after_kb", pt1, "kB");
	if (pmd_freed0 >= 0)
		ktap_metric("pmd_tables_freed", pmd_freed1 - pmd_freed0, "tables");

	/* munmap frees every table on any kernel: the accounting must agree. */
	ktap_result(pte0 >= 0 && pte2 >= 0 && pte2 <= pte0, "vmpte_back_after_munmap");
	if (expect && !strcmp(expect, "freed")) {
		if (!has_switch)
			ktap_skip("pte_tables_freed", no_freeing());
		else {
			/*
			 * Every PTE table goes, and so do the PMD tables (one
			 * per GiB of the mapping, 4 kB each) they leave empty:
			 * a new PUD table and a page of stdio may stay, and VmPTE ends
			 * at the seed's 96 kB or below.
			 */
			ktap_diag("VmPTE %ld kB (%+ld), PageTables %+ld kB",
				  pte1, pte1 - pte0, pt1 - pt0);
			ktap_result(pte1 <= 96 && pte1 - pte0 <= 8 && pt1 - pt0 <= 16,
				    "pte_tables_freed");
		}
	} else if (expect && !strcmp(expect, "kept")) {
		/* Every chunk's table, give or take a few in flight. */
		ktap_diag("VmPTE %+ld kB for %lu tables", pte1 - pte0, chunks);
		ktap_result(pte1 - pte0 >= (long)(chunks * 4 * 9 / 10),
			    "tables_kept");
	} else {
		ktap_skip("tables_expectation", "no --expect given");
	}
	ktap_finish();
}
