// SPDX-License-Identifier: GPL-2.0
/*
 * A PTE table shared with a driver mapping is never freed.
 *
 * Drivers fill VM_PFNMAP and VM_MIXEDMAP mappings from their fault
 * handlers through get_locked_pte() and its kin, which allocate a PTE
 * table and then map it without trying again: were the table freed in
 * between, the fault would fail with VM_FAULT_OOM ("Huh VM_FAULT_OOM
 * leaked out to the #PF handler", which the judge fails on).  So pte_ref
 * keeps every table whose PMD range a VM_PFNMAP or VM_MIXEDMAP VMA shares.
 *
 * The driver here is udmabuf (CONFIG_UDMABUF): a dma-buf made of memfd
 * pages, mapped VM_PFNMAP and filled page by page by vmf_insert_pfn() in
 * its fault handler.  Its file is not a character device, so only the
 * VM_PFNMAP rule keeps its tables.
 *
 * 1. anon_table_freed: a 2 MiB range of anonymous memory alone, touched
 *    and zapped, loses its table (VmPTE drops): freeing works here.
 * 2. pfnmap_table_kept: the same with 64 KiB of udmabuf mapped in the
 *    middle of the range, not yet faulted: the table stays.
 * 3. pfnmap_faults_race_zaps: one thread maps the udmabuf afresh and
 *    faults it in, again and again, while another keeps touching and
 *    zapping the anonymous memory around it: every read of the udmabuf
 *    must see the memfd's data.
 *
 * usage: driver_tables [--seconds 3]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/udmabuf.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "args.h"
#include "ktap.h"
#include "kstat.h"
#include "region.h"
#include "variant.h"

#define DMABUF_SZ	(64UL << 10)
#define DMABUF_OFF	(1UL << 20)	/* where in the 2 MiB range it sits */

static char *range;
static int dmabuf;
static atomic_int stop;
static atomic_long maps, bad_reads, zaps;

/* A udmabuf of DMABUF_SZ whose page i holds i + 1 in its first word. */
static int make_udmabuf(void)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = DMABUF_SZ };
	int memfd, dev, buf;
	uint64_t *p;

	dev = open("/dev/udmabuf", O_RDWR);
	if (dev < 0)
		ktap_bail("cannot open /dev/udmabuf: %s (CONFIG_UDMABUF is in every flavour)",
			  strerror(errno));
	memfd = memfd_create("driver_tables", MFD_ALLOW_SEALING);
	if (memfd < 0 || ftruncate(memfd, DMABUF_SZ) ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		ktap_bail("cannot make a sealed memfd: %s", strerror(errno));
	p = mmap(NULL, DMABUF_SZ, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (p == MAP_FAILED)
		ktap_bail("cannot map the memfd: %s", strerror(errno));
	for (unsigned long i = 0; i < DMABUF_SZ / PAGE_SZ; i++)
		p[i * PAGE_SZ / 8] = i + 1;
	munmap(p, DMABUF_SZ);
	c.memfd = memfd;
	buf = ioctl(dev, UDMABUF_CREATE, &c);
	if (buf < 0)
		ktap_bail("UDMABUF_CREATE failed: %s", strerror(errno));
	close(memfd);
	close(dev);
	return buf;
}

/* Map the udmabuf over its place in the range (replacing what is there). */
static volatile uint64_t *map_dmabuf(void)
{
	void *p = mmap(range + DMABUF_OFF, DMABUF_SZ, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED, dmabuf, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Touch an anonymous page before the udmabuf and zap all anonymous pages. */
static void touch_and_zap(void)
{
	fill(range, PAGE_SZ, 1);
	if (madvise(range, DMABUF_OFF, MADV_DONTNEED) ||
	    madvise(range + DMABUF_OFF + DMABUF_SZ, SZ_2M - DMABUF_OFF - DMABUF_SZ,
		    MADV_DONTNEED))
		ktap_bail("madvise(MADV_DONTNEED) failed");
}

/* VmPTE once a touched range has been zapped: dropped, or not. */
static bool zap_frees_table(void)
{
	long before;

	fill(range, PAGE_SZ, 1);
	before = vmpte_kb();
	touch_and_zap();
	return vmpte_kb() < before;
}

static void *mapper(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		volatile uint64_t *p = map_dmabuf();

		if (!p)
			ktap_bail("cannot map the udmabuf: %s", strerror(errno));
		for (unsigned long i = 0; i < DMABUF_SZ / PAGE_SZ; i += 5)
			if (p[i * PAGE_SZ / 8] != i + 1)
				atomic_fetch_add(&bad_reads, 1);
		atomic_fetch_add(&maps, 1);
	}
	return NULL;
}

static void *zapper(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		touch_and_zap();
		atomic_fetch_add(&zaps, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long seconds = 3;
	bool freeing;
	pthread_t t[2];

	parse_opts(argc, argv, (struct opt[]){ { "--seconds", &seconds } }, 1);

	ktap_plan(3);
	freeing = freeing_on();
	dmabuf = make_udmabuf();
	range = map_regions(1);
	if (!range)
		ktap_bail("cannot map a 2 MiB range");

	/* 1, 2: anonymous memory alone, then with the udmabuf beside it. */
	if (freeing) {
		ktap_result(zap_frees_table(), "anon_table_freed");
		if (!map_dmabuf())
			ktap_bail("cannot map the udmabuf: %s", strerror(errno));
		ktap_result(!zap_frees_table(), "pfnmap_table_kept");
	} else {
		ktap_skip("anon_table_freed", no_freeing());
		ktap_skip("pfnmap_table_kept", no_freeing());
	}

	/* 3: faults of the driver racing zaps of its neighbours. */
	if (pthread_create(&t[0], NULL, mapper, NULL) ||
	    pthread_create(&t[1], NULL, zapper, NULL))
		ktap_bail("pthread_create failed");
	sleep(seconds);
	atomic_store(&stop, 1);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	ktap_metric("udmabuf_maps", atomic_load(&maps), "maps");
	ktap_metric("anon_zaps", atomic_load(&zaps), "zaps");
	ktap_diag("%ld udmabuf maps faulted in, %ld zaps beside them, %ld bad reads",
		  atomic_load(&maps), atomic_load(&zaps), atomic_load(&bad_reads));
	ktap_result(atomic_load(&maps) > 0 && atomic_load(&zaps) > 0 &&
		    !atomic_load(&bad_reads), "pfnmap_faults_race_zaps");
	ktap_finish();
}
