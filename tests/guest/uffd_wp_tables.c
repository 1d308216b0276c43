// SPDX-License-Identifier: GPL-2.0
/*
 * A PTE table in a userfaultfd write-protect range is never freed.
 *
 * UFFDIO_WRITEPROTECT of pages that are not mapped (anonymous memory with
 * UFFD_FEATURE_WP_UNPOPULATED, or shmem) puts uffd-wp markers in their
 * entries.  change_pmd_range() first allocates the PTE table the markers
 * go in, holding mmap_lock only for read, then looks at the pmd again and
 * skips the range if it is none.  A table freed in between takes the
 * markers with it before they are written: the ioctl succeeds, and a
 * write to the range is not trapped.  So pte_ref keeps every table whose
 * PMD range a uffd-wp VMA shares (keep_tables()).  Debug kernels widen
 * that window (pte_ref.debug_delay_us).
 *
 * 1. anon_table_freed: a 2 MiB range of anonymous memory not registered,
 *    touched and zapped, loses its table (VmPTE drops): freeing works.
 * 2. wp_table_kept: the same in a range registered for write-protect.
 * 3. markers_survive_zaps: one thread write-protects 64 KiB of never
 *    touched pages and reads their markers back from /proc/self/pagemap
 *    (PM_UFFD_WP), then unprotects them (dropping the markers, which
 *    leaves the table empty), again and again, while another thread
 *    keeps zapping a page elsewhere in the same table: every protected
 *    page must show its marker, and no table may be freed.
 *
 * riscv64 has no userfaultfd write-protect in 6.12; there the test skips,
 * saying so.  Elsewhere a kernel without it fails.
 *
 * usage: uffd_wp_tables [--seconds 3]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "args.h"
#include "ktap.h"
#include "kstat.h"
#include "region.h"
#include "uffd.h"
#include "variant.h"

#define PM_UFFD_WP	(1ULL << 57)	/* Documentation/admin-guide/mm/pagemap.rst */
#ifndef UFFD_FEATURE_WP_UNPOPULATED	/* 6.4; Debian 12's headers are 6.1's */
#define UFFD_FEATURE_WP_UNPOPULATED	(1 << 13)
#endif
#define WP_OFF		(1UL << 20)	/* the protected pages, in the 2 MiB range */
#define WP_SZ		(64UL << 10)

static char *range;
static atomic_int stop;
static atomic_long zaps;

/* 6.12 selects HAVE_ARCH_USERFAULTFD_WP on these (arch/x86, arch/arm64). */
static bool arch_has_uffd_wp(void)
{
	struct utsname u;

	if (uname(&u))
		ktap_bail("uname failed");
	return !strcmp(u.machine, "x86_64") || !strcmp(u.machine, "aarch64");
}

/*
 * A userfaultfd with write-protect of unpopulated anonymous memory, or -1
 * with errno set where this kernel has none.
 */
static int uffd_open_wp(void)
{
	struct uffdio_api api = {
		.api = UFFD_API,
		.features = UFFD_FEATURE_PAGEFAULT_FLAG_WP |
			    UFFD_FEATURE_WP_UNPOPULATED,
	};
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd >= 0 && ioctl(fd, UFFDIO_API, &api)) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

static int uffd_register_wp(int fd, void *start, size_t len)
{
	struct uffdio_register reg = {
		.range = { .start = (unsigned long)start, .len = len },
		.mode = UFFDIO_REGISTER_MODE_WP,
	};

	return ioctl(fd, UFFDIO_REGISTER, &reg);
}

static void write_protect(int fd, void *start, size_t len, bool wp)
{
	struct uffdio_writeprotect w = {
		.range = { .start = (unsigned long)start, .len = len },
		.mode = wp ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
	};

	if (ioctl(fd, UFFDIO_WRITEPROTECT, &w))
		ktap_bail("UFFDIO_WRITEPROTECT(%d) failed: %s", wp, strerror(errno));
}

/* How many of the pages at @p lack a uffd-wp marker or bit in pagemap. */
static unsigned long unmarked(int pagemap, const char *p, size_t len)
{
	uint64_t e[WP_SZ / PAGE_SZ];
	unsigned long n = len / PAGE_SZ, missing = 0;
	off_t off = (uintptr_t)p / PAGE_SZ * sizeof(e[0]);

	if (n > WP_SZ / PAGE_SZ ||
	    pread(pagemap, e, n * sizeof(e[0]), off) != (ssize_t)(n * sizeof(e[0])))
		ktap_bail("cannot read /proc/self/pagemap: %s", strerror(errno));
	for (unsigned long i = 0; i < n; i++)
		missing += !(e[i] & PM_UFFD_WP);
	return missing;
}

/* VmPTE once a touched page of @r has been zapped: dropped, or not. */
static bool zap_frees_table(char *r)
{
	long before;

	fill(r, PAGE_SZ, 1);
	before = vmpte_kb();
	if (madvise(r, PAGE_SZ, MADV_DONTNEED))
		ktap_bail("madvise(MADV_DONTNEED) failed");
	return vmpte_kb() < before;
}

/* Zap a page nobody protects: each call may free the table if it is empty. */
static void *zapper(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		if (madvise(range, PAGE_SZ, MADV_DONTNEED))
			ktap_bail("madvise(MADV_DONTNEED) failed");
		atomic_fetch_add(&zaps, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long rounds = 0, lost_rounds = 0, lost_pages = 0;
	unsigned long seconds = 3;
	long long freed0, freed;
	struct timespec t0, t;
	int fd, pagemap;
	char *anon;
	bool freeing;
	pthread_t thread;

	parse_opts(argc, argv, (struct opt[]){ { "--seconds", &seconds } }, 1);

	ktap_plan(3);
	fd = uffd_open_wp();
	if (fd < 0) {
		if (arch_has_uffd_wp())
			ktap_bail("no userfaultfd write-protect of unpopulated memory: %s",
				  strerror(errno));
		ktap_skip("anon_table_freed", "this arch has no userfaultfd write-protect in 6.12");
		ktap_skip("wp_table_kept", "this arch has no userfaultfd write-protect in 6.12");
		ktap_skip("markers_survive_zaps", "this arch has no userfaultfd write-protect in 6.12");
		ktap_finish();
	}
	freeing = freeing_on();
	anon = map_regions(1);
	range = map_regions(1);
	pagemap = open("/proc/self/pagemap", O_RDONLY);
	if (!anon || !range || pagemap < 0)
		ktap_bail("cannot map two 2 MiB ranges or open pagemap");
	if (uffd_register_wp(fd, range, SZ_2M))
		ktap_bail("UFFDIO_REGISTER(MODE_WP) failed: %s", strerror(errno));

	/* 1, 2: a table alone, then in a write-protect range. */
	if (freeing) {
		ktap_result(zap_frees_table(anon), "anon_table_freed");
		ktap_result(!zap_frees_table(range), "wp_table_kept");
	} else {
		ktap_skip("anon_table_freed", no_freeing());
		ktap_skip("wp_table_kept", no_freeing());
	}

	/* 3: markers written into the table another thread zaps. */
	freed0 = pte_tables_freed();
	if (pthread_create(&thread, NULL, zapper, NULL))
		ktap_bail("pthread_create failed");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		unsigned long missing;

		write_protect(fd, range + WP_OFF, WP_SZ, true);
		missing = unmarked(pagemap, range + WP_OFF, WP_SZ);
		if (missing) {
			if (!lost_rounds++)
				ktap_diag("round %ld: %lu of %lu protected pages have no marker",
					  rounds, missing, WP_SZ / PAGE_SZ);
			lost_pages += missing;
		}
		write_protect(fd, range + WP_OFF, WP_SZ, false);
		rounds++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((unsigned long)(t.tv_sec - t0.tv_sec) < seconds);
	atomic_store(&stop, 1);
	pthread_join(thread, NULL);
	freed = pte_tables_freed() - freed0;

	ktap_metric("wp_rounds", rounds, "rounds");
	ktap_metric("zaps", atomic_load(&zaps), "zaps");
	ktap_metric("pages_without_marker", lost_pages, "pages");
	ktap_metric("tables_freed", freed, "tables");
	ktap_diag("%ld write-protect rounds, %ld zaps in the same table, %ld rounds lost markers, %lld tables freed",
		  rounds, atomic_load(&zaps), lost_rounds, freed);
	ktap_result(rounds > 0 && atomic_load(&zaps) > 0 && !lost_rounds &&
		    freed == 0, "markers_survive_zaps");
	ktap_finish();
}
