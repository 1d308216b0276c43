// SPDX-License-Identifier: GPL-2.0
/*
 * Load the out-of-tree module tests/module/pte_ref_walk.ko, which walks
 * this process's page table through the exported pte_ref API as a driver
 * would: it must link (every symbol it reaches is exported), pin and
 * unpin a table with a page in it, and find nothing to pin where pte_ref
 * freed the table.
 *
 * The harness packs the module into debug guests of patched kernels with
 * the feature on (variant=pte_ref on the kernel command line); there its
 * absence fails the test.  Elsewhere the test is skipped, saying why.
 *
 * usage: module_walk [--module /lib/modules/pte_ref_walk.ko]
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ktap.h"
#include "kstat.h"
#include "variant.h"
#include "region.h"

static bool env_is(const char *name, const char *want)
{
	const char *v = getenv(name);

	return v && !strcmp(v, want);
}

int main(int argc, char **argv)
{
	const char *path = "/lib/modules/pte_ref_walk.ko";
	long long freed0;
	char params[128];
	char *p;
	int fd;

	for (int a = 1; a < argc; a += 2) {
		if (a + 1 >= argc)
			ktap_bail("%s needs a value", argv[a]);
		if (!strcmp(argv[a], "--module"))
			path = argv[a + 1];
		else
			ktap_bail("unknown argument %s", argv[a]);
	}

	ktap_plan(2);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (variant_is("pte_ref") && env_is("flavour", "debug"))
			ktap_bail("%s is missing on a pte_ref debug kernel", path);
		ktap_skip("table_freed", "no test module: only debug kernels with pte_ref carry it");
		ktap_skip("module_walk", "no test module: only debug kernels with pte_ref carry it");
		ktap_finish();
	}
	if (!freeing_on())
		ktap_bail("%s: %s", path, no_freeing());

	/* Region 0 keeps a page; region 1's table is freed. */
	p = map_regions(2);
	if (!p)
		ktap_bail("mmap failed");
	fill(p, PAGE_SZ, 1);
	fill(p + SZ_2M, PAGE_SZ, 1);
	freed0 = pte_tables_freed();
	if (madvise(p + SZ_2M, SZ_2M, MADV_DONTNEED))
		ktap_bail("MADV_DONTNEED failed");
	ktap_result(pte_tables_freed() > freed0, "table_freed");

	snprintf(params, sizeof(params), "mapped=%#lx freed=%#lx",
		 (unsigned long)p, (unsigned long)(p + SZ_2M));
	if (syscall(SYS_finit_module, fd, params, 0)) {
		ktap_diag("finit_module(%s, \"%s\"): %s (see the console)", path,
			  params, strerror(errno));
		ktap_result(false, "module_walk");
	} else {
		ktap_result(check(p, PAGE_SZ, 1) == 0, "module_walk");
	}
	close(fd);
	ktap_finish();
}
