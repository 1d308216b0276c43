// SPDX-License-Identifier: GPL-2.0
/*
 * Everything that walks page tables, across ranges whose tables were
 * freed: fork with copy-on-write, mremap (move and grow), mprotect,
 * process_vm_readv/writev (GUP) and /proc/self/pagemap.  Even regions
 * keep their data ("kept"), odd ones were emptied with MADV_DONTNEED and,
 * with pte_ref, lost their table ("freed").
 *
 * usage: freed_tables [--regions 8]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "ktap.h"
#include "kstat.h"
#include "variant.h"
#include "region.h"

static unsigned long regions = 8;

static char *region(char *base, unsigned long i)
{
	return base + i * SZ_2M;
}

/* Kept regions hold @gen as written at @as, freed ones read zero. */
static unsigned long verify_as(char *base, uint64_t gen, char *as)
{
	unsigned long bad = 0;

	for (unsigned long i = 0; i < regions; i++)
		bad += i % 2 ? check_zero(region(base, i), SZ_2M)
			     : check_as(region(base, i), SZ_2M, gen, region(as, i));
	return bad;
}

static unsigned long verify(char *base, uint64_t gen)
{
	return verify_as(base, gen, base);
}

static char *setup(void)
{
	char *base = map_regions(regions);

	if (!base)
		ktap_bail("mmap failed");
	fill(base, regions * SZ_2M, 1);
	for (unsigned long i = 1; i < regions; i += 2)
		madvise(region(base, i), SZ_2M, MADV_DONTNEED);
	return base;
}

static bool test_fork_cow(void)
{
	char *base = setup();
	pid_t pid;
	int st;

	pid = fork();
	if (pid == 0) {
		/* Child sees the parent's data, then writes its own copy. */
		if (verify(base, 1))
			_exit(1);
		fill(base, regions * SZ_2M, 7);
		_exit(check(base, regions * SZ_2M, 7) ? 2 : 0);
	}
	/* Parent writes its own generation into the freed regions meanwhile. */
	for (unsigned long i = 1; i < regions; i += 2)
		fill(region(base, i), SZ_2M, 3);
	waitpid(pid, &st, 0);
	for (unsigned long i = 1; i < regions; i += 2)
		madvise(region(base, i), SZ_2M, MADV_DONTNEED);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 && !verify(base, 1) &&
	       !munmap(base, regions * SZ_2M);
}

static bool test_mremap(void)
{
	char *base = setup(), *dst, *moved, *grown;
	bool ok;

	/* Move to a fresh 2 MiB-aligned place, then grow in place or move. */
	dst = map_regions(regions);
	moved = mremap(base, regions * SZ_2M, regions * SZ_2M,
		       MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	ok = moved == dst && !verify_as(moved, 1, base);
	grown = mremap(moved, regions * SZ_2M, 2 * regions * SZ_2M, MREMAP_MAYMOVE);
	ok = ok && grown != MAP_FAILED && !verify_as(grown, 1, base) &&
	     !check_zero(grown + regions * SZ_2M, regions * SZ_2M);
	munmap(grown, 2 * regions * SZ_2M);
	return ok;
}

static bool test_mprotect(void)
{
	char *base = setup();
	bool ok;

	ok = !mprotect(base, regions * SZ_2M, PROT_READ) && !verify(base, 1) &&
	     !mprotect(base, regions * SZ_2M, PROT_READ | PROT_WRITE);
	fill(base, regions * SZ_2M, 4);
	ok = ok && !check(base, regions * SZ_2M, 4);
	munmap(base, regions * SZ_2M);
	return ok;
}

/* GUP: another process reads and writes our memory by address. */
static bool test_process_vm(void)
{
	char *base = setup(), *buf = malloc(SZ_2M);
	pid_t pid = getpid(), child;
	int st;

	child = fork();
	if (child == 0) {
		for (unsigned long i = 0; i < regions; i++) {
			struct iovec l = { buf, SZ_2M }, r = { region(base, i), SZ_2M };

			/* The parent's copy, not ours: COW pages were never touched. */
			if (process_vm_readv(pid, &l, 1, &r, 1, 0) != (ssize_t)SZ_2M)
				_exit(1);
			if (i % 2 ? check_zero(buf, SZ_2M) :
				    check_as(buf, SZ_2M, 1, region(base, i)))
				_exit(2);
			if (i % 2) {
				fill(buf, SZ_2M, 5);
				if (process_vm_writev(pid, &l, 1, &r, 1, 0) != (ssize_t)SZ_2M)
					_exit(3);
			}
		}
		_exit(0);
	}
	waitpid(child, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		ktap_diag("process_vm child: status %d", WEXITSTATUS(st));
		return false;
	}
	for (unsigned long i = 1; i < regions; i += 2)
		if (check_as(region(base, i), SZ_2M, 5, buf))
			return false;
	munmap(base, regions * SZ_2M);
	free(buf);
	return true;
}

static bool test_pagemap(void)
{
	char *base = setup();
	int fd = open("/proc/self/pagemap", O_RDONLY);
	unsigned long bad = 0;

	if (fd < 0)
		return false;
	for (unsigned long i = 0; i < regions; i++) {
		for (unsigned long pg = 0; pg < PAGES_2M; pg += 64) {
			uint64_t e;
			uintptr_t va = (uintptr_t)region(base, i) + pg * PAGE_SZ;

			if (pread(fd, &e, 8, va / PAGE_SZ * 8) != 8)
				return false;
			/* bit 63: present */
			bad += !!(e >> 63) != !(i % 2);
		}
	}
	close(fd);
	munmap(base, regions * SZ_2M);
	return !bad;
}

int main(int argc, char **argv)
{
	long pte0, pte1;
	bool has;
	char *base;

	if (argc == 3 && !strcmp(argv[1], "--regions"))
		regions = strtoul(argv[2], NULL, 0);
	ktap_plan(6);
	has = freeing_on();

	/* With pte_ref the freed regions' tables really are gone. */
	pte0 = vmpte_kb();
	base = setup();
	pte1 = vmpte_kb();
	ktap_diag("VmPTE +%ld kB for %lu regions, %lu emptied", pte1 - pte0,
		  regions, regions / 2);
	if (has)
		ktap_result(pte1 - pte0 <= (long)(regions - regions / 2) * 4 + 8,
			    "freed_regions_have_no_table");
	else
		ktap_skip("freed_regions_have_no_table", no_freeing());
	munmap(base, regions * SZ_2M);

	ktap_result(test_fork_cow(), "fork_cow");
	ktap_result(test_mremap(), "mremap_move_grow");
	ktap_result(test_mprotect(), "mprotect");
	ktap_result(test_process_vm(), "process_vm_readv_writev");
	ktap_result(test_pagemap(), "pagemap");
	ktap_finish();
}
