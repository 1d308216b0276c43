/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Regions of 2 MiB (one PTE table each) for the guest tests: an aligned
 * mapping with THP off, and a per-page pattern that says which page it is
 * and which "generation" wrote it, so a lost write or a stale or zeroed
 * page is told apart from the right data.
 */
#ifndef PTE_REF_REGION_H
#define PTE_REF_REGION_H

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#define SZ_2M		(2UL << 20)
#define PAGE_SZ		4096UL
#define PAGES_2M	(SZ_2M / PAGE_SZ)

/* @len bytes of anonymous memory at an @align-aligned address, or NULL. */
static inline char *map_aligned(size_t len, size_t align)
{
	char *p = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *a;

	if (p == MAP_FAILED)
		return NULL;
	a = (char *)(((uintptr_t)p + align - 1) & ~(align - 1));
	if (a > p)
		munmap(p, a - p);
	munmap(a + len, p + len + align - (a + len));
	return a;
}

/* @n regions of 2 MiB, 2 MiB aligned, no THP; NULL on failure. */
static inline char *map_regions(unsigned long n)
{
	char *a = map_aligned(n * SZ_2M, SZ_2M);

	if (a)
		madvise(a, n * SZ_2M, MADV_NOHUGEPAGE);
	return a;
}

static inline uint64_t pattern(const void *page, uint64_t gen)
{
	return ((uint64_t)(uintptr_t)page >> 12) * 0x9e3779b97f4a7c15ULL ^ gen;
}

/* Stamp the first and last word of every page of [p, p + len). */
static inline void fill(char *p, size_t len, uint64_t gen)
{
	for (size_t off = 0; off < len; off += PAGE_SZ) {
		uint64_t *w = (uint64_t *)(p + off);

		w[0] = pattern(w, gen);
		w[PAGE_SZ / 8 - 1] = ~w[0];
	}
}

/*
 * Number of pages in [p, p + len) that do not hold generation @gen as
 * written by fill() at address @as (data moved by mremap or copied out by
 * process_vm_readv keeps the pattern of where it was written).
 */
static inline unsigned long check_as(const char *p, size_t len, uint64_t gen,
				     const char *as)
{
	unsigned long bad = 0;

	for (size_t off = 0; off < len; off += PAGE_SZ) {
		const uint64_t *w = (const uint64_t *)(p + off);

		bad += w[0] != pattern(as + off, gen) || w[PAGE_SZ / 8 - 1] != ~w[0];
	}
	return bad;
}

static inline unsigned long check(const char *p, size_t len, uint64_t gen)
{
	return check_as(p, len, gen, p);
}

/* Number of pages in [p, p + len) that are not all-zero where we look. */
static inline unsigned long check_zero(const char *p, size_t len)
{
	unsigned long bad = 0;

	for (size_t off = 0; off < len; off += PAGE_SZ) {
		const uint64_t *w = (const uint64_t *)(p + off);

		bad += w[0] || w[PAGE_SZ / 8 - 1];
	}
	return bad;
}

#endif /* PTE_REF_REGION_H */
