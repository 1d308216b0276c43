// SPDX-License-Identifier: GPL-2.0
/*
 * Every operation that creates, walks or frees page tables, at once, on
 * the same 2 MiB ranges, with nothing in userspace ordering them.
 *
 * `stress` locks a region for each operation, so its user operations
 * never race a free of the same table.  Here they do: a few regions of
 * 2 MiB (one PTE table each) are shared by threads that
 *   - fault pages in by writing and reading them (the writers),
 *   - write and read them through GUP (process_vm_writev/readv),
 *   - MADV_DONTNEED them (one page, 16 pages, 64 KiB, 2 MiB, 4 MiB, all),
 *   - MADV_FREE them and MADV_PAGEOUT them (lazy-free pages discarded),
 *   - mprotect them (PROT_EXEC on and off: change_protection() walks),
 *   - change their layout: mremap away and back, munmap + mmap, and
 *     MADV_COLLAPSE where the kernel has THP,
 *   - fork (the child checks its copy, writes to it, and exits),
 *   - read /proc/self/pagemap over them.
 * Beside them, a few GiB regions alone in their GiB are emptied, touched
 * and remapped in bursts, so that pte_ref's PMD sweep frees their PMD
 * tables while those threads run, and child processes empty a GiB of
 * their own and exit with its sweep still queued.  And a memfd mapped
 * twice is collapsed to a huge page through one mapping (khugepaged's
 * retract_page_tables() then takes the other's table, without its
 * mmap_lock) while the other mapping's table is freed by pte_ref.
 *
 * What a race may legitimately do to a page: every page has one owner (a
 * writer thread, or the GUP writer) that alone stores to it, so a page
 * holds either the value its owner last stored or zero (a DONTNEED, a
 * discarded MADV_FREE or a munmap + mmap hit it).  Anything else fails:
 * another page's data, an older value, or what a forked child wrote to
 * its copy.  Other readers accept zero or any value stored at that
 * address so far.  An access that faults (the range is moved away or
 * unmapped for a moment) is retried later.
 *
 * usage: range_race [--seconds 20] [--regions 4] [--gibs 2]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "ktap.h"
#include "kstat.h"
#include "variant.h"
#include "region.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

#define SZ_1G		(1UL << 30)
#define WRITERS		2		/* CPU writer threads; owner WRITERS is GUP */
#define OWNERS		(WRITERS + 1)
#define COW_GEN		(1ULL << 62)	/* what forked children write */
#define MAX_BAD_SHOWN	5
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum op { OP_WRITE, OP_GUP_WRITE, OP_GUP_READ, OP_DONTNEED, OP_FREE,
	  OP_PAGEOUT, OP_MPROTECT, OP_MREMAP, OP_REMAP, OP_COLLAPSE, OP_FORK,
	  OP_PAGEMAP, OP_GIB_TOUCH, OP_GIB_EMPTY, OP_GIB_REMAP, OP_EXIT,
	  OP_SHMEM_COLLAPSE, OP_SHMEM_ZAP, NR_OPS };
static const char *const op_name[NR_OPS] = {
	"write", "gup_write", "gup_read", "dontneed", "madv_free", "pageout",
	"mprotect", "mremap", "munmap_mmap", "collapse", "fork", "pagemap",
	"gib_touch", "gib_empty", "gib_remap", "exit_with_sweep",
	"shmem_collapse", "shmem_zap",
};

static unsigned long nregions = 4, ngibs = 2;
static char *area;			/* nregions x 2 MiB, shared by all */
static char *scratch;			/* where mremap moves a range for a while */
static char **gib;			/* ngibs regions, each alone in its GiB */
static uint64_t *last;			/* per page: its owner's last value */
static atomic_ullong gen_next = 1;	/* generations handed out so far */
static atomic_long ops[NR_OPS], bad, op_errors, cow_bad;
static atomic_long collapsed, mremap_split, shmem_collapsed;
static char *shm_a, *shm_b;		/* one memfd of 2 MiB, mapped twice */
static uint64_t shm_last[PAGES_2M];	/* the collapser's last values */
static int shm_fd = -1;
static char shmem_thp_was[32];
#define SHMEM_THP	"/sys/kernel/mm/transparent_hugepage/shmem_enabled"
static atomic_bool stop, go;
static __thread sigjmp_buf *fault_jump;	/* where SIGSEGV/SIGBUS goes */

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Every thread waits until all are created: a thread stack mapped while
 * the layout thread has a hole open could land in the hole.
 */
static void wait_for_go(void)
{
	while (!atomic_load(&go))
		sched_yield();
}

static void on_fault(int sig)
{
	if (!fault_jump) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	siglongjmp(*fault_jump, 1);
}

/* What page @a holds: 0, or the generation stored there (via pattern()). */
static uint64_t gen_of(const char *a, uint64_t v)
{
	return v ? v ^ pattern(a, 0) : 0;
}

/* Zero or a value stored at @a so far: what a non-owner may see. */
static bool plausible(const char *a, uint64_t v, uint64_t gen_bound)
{
	return !v || gen_of(a, v) < gen_bound;
}

/*
 * The same for a word the kernel copied while its owner stored to it: the
 * copy may go byte by byte (x86's rep movsb and riscv's short copies are
 * byte loops under TCG), and so may process_vm_writev()'s store, giving a
 * mix of the old and the new value's bytes.  Every value stored at @a has
 * the same high half (the generation fits in the low one), so each byte
 * there must be 0 or that byte; another page's data has other bytes.
 */
static bool plausible_or_torn(const char *a, uint64_t v, uint64_t gen_bound)
{
	uint64_t mine = pattern(a, 0);

	if (plausible(a, v, gen_bound))
		return true;
	for (int shift = 32; shift < 64; shift += 8) {
		uint64_t byte = (v >> shift) & 0xff;

		if (byte && byte != ((mine >> shift) & 0xff))
			return false;
	}
	return true;
}

/* @want: the owner's last value, or 0 for a reader (any stored value). */
static void report(const char *who, const char *a, uint64_t v, uint64_t want)
{
	if (atomic_fetch_add(&bad, 1) >= MAX_BAD_SHOWN)
		return;
	if (want)
		ktap_diag("%s: page %p holds generation %#llx, expected %#llx or 0",
			  who, (void *)a, (unsigned long long)gen_of(a, v),
			  (unsigned long long)gen_of(a, want));
	else
		ktap_diag("%s: page %p holds %#llx, never stored there",
			  who, (void *)a, (unsigned long long)v);
}

static unsigned long npages(void)
{
	return nregions * PAGES_2M;
}

/* A random page of the area owned by @owner. */
static unsigned long owned_page(uint64_t *s, unsigned int owner)
{
	return (rnd(s) % (npages() / OWNERS)) * OWNERS + owner;
}

/* Read, check and rewrite pages of our own, faulting them in as it goes. */
static void *writer(void *arg)
{
	unsigned int me = (unsigned int)(uintptr_t)arg;
	static __thread uint64_t s;	/* not on the stack: siglongjmp */
	sigjmp_buf jb;

	s = 0x9e3779b9u + me;
	wait_for_go();
	fault_jump = &jb;
	while (!atomic_load(&stop)) {
		volatile unsigned long i = owned_page(&s, me);
		uint64_t *w = (uint64_t *)(area + i * PAGE_SZ);
		uint64_t v, want = last[i], next;

		if (sigsetjmp(jb, 1))
			continue;	/* moved away or unmapped right now */
		v = *w;
		if (v && v != want)
			report("writer", (char *)w, v, want);
		next = pattern(w, atomic_fetch_add(&gen_next, 1));
		*w = next;
		last[i] = next;
		atomic_fetch_add(&ops[OP_WRITE], 1);
	}
	return NULL;
}

/* The same through GUP: process_vm_writev/readv on our own pages. */
static void *gup_writer(void *arg)
{
	uint64_t s = 0x1234567, v;
	pid_t self = getpid();

	(void)arg;
	wait_for_go();
	while (!atomic_load(&stop)) {
		unsigned long i = owned_page(&s, WRITERS);
		char *a = area + i * PAGE_SZ;
		struct iovec l = { &v, sizeof(v) }, r = { a, sizeof(v) };
		uint64_t next;

		/* EFAULT: the range is away for a moment, as for the writers. */
		if (process_vm_readv(self, &l, 1, &r, 1, 0) != sizeof(v))
			continue;
		if (v && v != last[i])
			report("gup_writer", a, v, last[i]);
		next = pattern(a, atomic_fetch_add(&gen_next, 1));
		v = next;
		if (process_vm_writev(self, &l, 1, &r, 1, 0) != sizeof(v))
			continue;
		last[i] = next;
		atomic_fetch_add(&ops[OP_GUP_WRITE], 1);
	}
	return NULL;
}

/* Whole regions through GUP, into a buffer: any plausible value. */
static void *gup_reader(void *arg)
{
	static char buf[2 * SZ_2M];
	uint64_t s = 0xabcdef;

	(void)arg;
	wait_for_go();
	while (!atomic_load(&stop)) {
		unsigned long r = rnd(&s) % nregions, n = nregions - r > 1 ? 2 : 1;
		char *a = area + r * SZ_2M;
		struct iovec l = { buf, n * SZ_2M }, rv = { a, n * SZ_2M };
		ssize_t got = process_vm_readv(getpid(), &l, 1, &rv, 1, 0);
		uint64_t bound = atomic_load(&gen_next);

		for (ssize_t off = 0; off + (ssize_t)PAGE_SZ <= got; off += PAGE_SZ) {
			uint64_t v = *(uint64_t *)(buf + off);

			if (!plausible_or_torn(a + off, v, bound))
				report("gup_reader", a + off, v, 0);
		}
		atomic_fetch_add(&ops[OP_GUP_READ], 1);
	}
	return NULL;
}

/* ENOMEM: part of the range is unmapped for a moment (the layout thread). */
static void count(enum op op, int ret)
{
	if (ret && errno != ENOMEM)
		atomic_fetch_add(&op_errors, 1);
	atomic_fetch_add(&ops[op], 1);
}

static void *zapper(void *arg)
{
	static const unsigned long sizes[] = { PAGE_SZ, 16 * PAGE_SZ, 64 << 10, SZ_2M, 2 * SZ_2M };
	uint64_t s = 0x5555;

	(void)arg;
	wait_for_go();
	while (!atomic_load(&stop)) {
		unsigned int k = rnd(&s) % (ARRAY_SIZE(sizes) + 1);
		size_t len = k < ARRAY_SIZE(sizes) ? sizes[k] : nregions * SZ_2M;
		size_t off = len >= nregions * SZ_2M ? 0 :
			     (rnd(&s) % ((nregions * SZ_2M - len) / PAGE_SZ + 1)) * PAGE_SZ;

		switch (rnd(&s) % 4) {
		case 0:
		case 1:
			count(OP_DONTNEED, madvise(area + off, len, MADV_DONTNEED));
			break;
		case 2:
			count(OP_FREE, madvise(area + off, len, MADV_FREE));
			break;
		default:
			/* Lazy-free pages go now; the others stay (no swap). */
			count(OP_PAGEOUT, madvise(area + off, len, MADV_PAGEOUT));
			break;
		}
		usleep(rnd(&s) % 500);
	}
	return NULL;
}

static void *protector(void *arg)
{
	uint64_t s = 0x7777;

	(void)arg;
	wait_for_go();
	while (!atomic_load(&stop)) {
		size_t len = (1 + rnd(&s) % PAGES_2M) * PAGE_SZ;
		char *a = area + (rnd(&s) % (npages() - len / PAGE_SZ + 1)) * PAGE_SZ;

		count(OP_MPROTECT, mprotect(a, len, PROT_READ | PROT_WRITE | PROT_EXEC));
		count(OP_MPROTECT, mprotect(a, len, PROT_READ | PROT_WRITE));
		usleep(rnd(&s) % 500);
	}
	return NULL;
}

static void fail_op(const char *what)
{
	if (atomic_fetch_add(&op_errors, 1) < MAX_BAD_SHOWN)
		ktap_diag("%s: %s", what, strerror(errno));
}

/*
 * Clip [@a, @a + *@len) to the VMA holding @a: mremap() moves one VMA's
 * pages only, and mprotect() and collapse keep splitting the area (a VMA
 * that got an anon_vma of its own never merges back).  /proc/self/maps is
 * read without stdio: a malloc() here could map into a hole of ours.
 */
static bool clip_to_vma(const char *a, size_t *len)
{
	static char buf[1 << 18];
	size_t used = 0;
	ssize_t got;
	char *line;
	int fd = open("/proc/self/maps", O_RDONLY);

	if (fd < 0)
		return false;
	while (used < sizeof(buf) - 1 &&
	       (got = read(fd, buf + used, sizeof(buf) - 1 - used)) > 0)
		used += got;
	close(fd);
	buf[used] = 0;
	for (line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		unsigned long start, end;

		if (sscanf(line, "%lx-%lx", &start, &end) != 2)
			continue;
		if ((uintptr_t)a >= start && (uintptr_t)a < end) {
			if ((uintptr_t)a + *len > end)
				*len = end - (uintptr_t)a;
			return true;
		}
	}
	return false;
}

/*
 * The only thread that changes the layout, so data comes back intact from
 * an mremap (nobody else maps into the hole it leaves) or is zero.
 */
static void *layout(void *arg)
{
	uint64_t s = 0x4242;

	(void)arg;
	wait_for_go();
	while (!atomic_load(&stop)) {
		size_t len = (1 + rnd(&s) % (2 * PAGES_2M)) * PAGE_SZ;
		size_t off = (rnd(&s) % (npages() - len / PAGE_SZ + 1)) * PAGE_SZ;
		char *a = area + off, *sa = scratch + off;
		unsigned long r = rnd(&s) % nregions;

		switch (rnd(&s) % 3) {
		case 0:
			if (!clip_to_vma(a, &len)) {
				fail_op("no VMA in the area");
				break;
			}
			if (mremap(a, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, sa) != sa) {
				/* mprotect split the VMA since we looked. */
				if (errno == EFAULT)
					atomic_fetch_add(&mremap_split, 1);
				else
					fail_op("mremap away");
				break;
			}
			if (mremap(sa, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, a) != a) {
				fail_op("mremap back");
				break;
			}
			/* Keep scratch reserved: no other mapping may land there. */
			if (mmap(sa, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
				 MAP_FIXED_NOREPLACE | MAP_NORESERVE, -1, 0) != sa)
				fail_op("mmap scratch");
			atomic_fetch_add(&ops[OP_MREMAP], 1);
			break;
		case 1:
			if (munmap(a, len) ||
			    mmap(a, len, PROT_READ | PROT_WRITE, MAP_PRIVATE |
				 MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_NORESERVE,
				 -1, 0) != a) {
				fail_op("munmap + mmap");
				break;
			}
			madvise(a, len, MADV_NOHUGEPAGE);
			atomic_fetch_add(&ops[OP_REMAP], 1);
			break;
		default:
			/*
			 * khugepaged's copy, at once.  It fails without THP in
			 * the kernel, and where mprotect has split the VMA.
			 */
			a = area + r * SZ_2M;
			madvise(a, SZ_2M, MADV_HUGEPAGE);
			if (!madvise(a, SZ_2M, MADV_COLLAPSE))
				atomic_fetch_add(&collapsed, 1);
			madvise(a, SZ_2M, MADV_NOHUGEPAGE);
			atomic_fetch_add(&ops[OP_COLLAPSE], 1);
			break;
		}
		usleep(rnd(&s) % 2000);
	}
	return NULL;
}

/*
 * In a forked child: check our copy, write to it, exit.  Every value in
 * the copy was stored before fork() returned in the parent, which then
 * sends its generation count down @fd: the bound for plausible().
 */
static void __attribute__((noreturn)) cow_child(unsigned long r, int fd)
{
	char *a = area + r * SZ_2M;
	sigjmp_buf jb;
	volatile unsigned long i = 0;
	uint64_t bound;
	int wrong = 0;

	if (read(fd, &bound, sizeof(bound)) != sizeof(bound))
		_exit(2);
	fault_jump = &jb;
	if (sigsetjmp(jb, 1))
		i += PAGE_SZ;	/* a hole in our copy: skip the page */
	for (; i < SZ_2M; i += PAGE_SZ) {
		uint64_t *w = (uint64_t *)(a + i);

		/* fork() may copy a page pinned by GUP as its store goes on. */
		wrong += !plausible_or_torn((char *)w, *w, bound);
		*w = pattern(w, COW_GEN);
	}
	madvise(a, SZ_2M, MADV_DONTNEED);
	_exit(wrong ? 1 : 0);
}

static void *forker(void *arg)
{
	uint64_t s = 0x8888;

	(void)arg;
	wait_for_go();
	while (!atomic_load(&stop)) {
		uint64_t bound;
		int fd[2], st;
		pid_t pid;

		if (pipe(fd))
			ktap_bail("pipe failed");
		pid = fork();
		if (pid == 0) {
			close(fd[1]);
			cow_child(rnd(&s) % nregions, fd[0]);
		}
		bound = atomic_load(&gen_next);
		if (pid < 0 || write(fd[1], &bound, sizeof(bound)) != sizeof(bound) ||
		    waitpid(pid, &st, 0) != pid) {
			fail_op("fork");
			if (pid > 0) {
				kill(pid, SIGKILL);
				waitpid(pid, &st, 0);
			}
			close(fd[0]);
			close(fd[1]);
			continue;
		}
		close(fd[0]);
		close(fd[1]);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			atomic_fetch_add(&cow_bad, 1);
		atomic_fetch_add(&ops[OP_FORK], 1);
		usleep(rnd(&s) % 20000);
	}
	return NULL;
}

static void *pagemap_reader(void *arg)
{
	static uint64_t buf[PAGES_2M];
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t s = 0x9999;

	(void)arg;
	wait_for_go();
	if (fd < 0)
		ktap_bail("cannot open /proc/self/pagemap");
	while (!atomic_load(&stop)) {
		char *a = area + (rnd(&s) % nregions) * SZ_2M;

		if (pread(fd, buf, sizeof(buf), (uintptr_t)a / PAGE_SZ * 8) < 0)
			fail_op("pagemap");
		atomic_fetch_add(&ops[OP_PAGEMAP], 1);
	}
	close(fd);
	return NULL;
}

/* Lone GiBs: bursts of touching, emptying and remapping, then quiet. */
static void *gib_worker(void *arg)
{
	static __thread uint64_t s = 0x3333;	/* not on the stack: siglongjmp */
	sigjmp_buf jb;

	(void)arg;
	wait_for_go();
	fault_jump = &jb;
	while (!atomic_load(&stop)) {
		volatile unsigned long g = rnd(&s) % ngibs;
		char *base = gib[g];

		if (sigsetjmp(jb, 1))
			continue;
		for (int t = 0; t < 16; t++) {
			uint64_t *w = (uint64_t *)(base + (rnd(&s) % (SZ_1G / PAGE_SZ)) * PAGE_SZ);
			uint64_t bound = atomic_load(&gen_next);

			if (!plausible((char *)w, *w, bound))
				report("gib_worker", (char *)w, *w, 0);
			*w = pattern(w, atomic_fetch_add(&gen_next, 1));
		}
		atomic_fetch_add(&ops[OP_GIB_TOUCH], 1);
		switch (rnd(&s) % 3) {
		case 0:
			/* Split the GiB's one VMA for a while: the sweep skips it. */
			if (munmap(base + SZ_1G / 2, SZ_1G / 2) ||
			    mmap(base + SZ_1G / 2, SZ_1G / 2, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE |
				 MAP_NORESERVE, -1, 0) != base + SZ_1G / 2)
				fail_op("gib munmap + mmap");
			madvise(base, SZ_1G, MADV_NOHUGEPAGE);
			atomic_fetch_add(&ops[OP_GIB_REMAP], 1);
			/* fallthrough */
		default:
			count(OP_GIB_EMPTY, madvise(base, SZ_1G, MADV_DONTNEED));
			break;
		}
		/* Quiet now and then, longer than the sweep's delay (100 ms). */
		usleep(rnd(&s) % 4 ? rnd(&s) % 5000 : 150000 + rnd(&s) % 150000);
	}
	return NULL;
}

/* A GiB of its own, emptied: the sweep is queued as the process exits. */
static void *exiter(void *arg)
{
	(void)arg;
	wait_for_go();
	while (!atomic_load(&stop)) {
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			char *g = map_aligned(SZ_1G, SZ_1G);

			if (!g)
				_exit(2);
			madvise(g, SZ_1G, MADV_NOHUGEPAGE);
			for (unsigned long off = 0; off < SZ_1G; off += 64 * SZ_2M)
				g[off] = 1;
			madvise(g, SZ_1G, MADV_DONTNEED);
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid ||
		    !WIFEXITED(st) || WEXITSTATUS(st))
			fail_op("exiting child");
		atomic_fetch_add(&ops[OP_EXIT], 1);
		usleep(50000);
	}
	return NULL;
}

/*
 * Shared memory collapsed to a huge page while its other mapping loses
 * its PTE table to pte_ref: khugepaged's collapse_file() retracts the
 * page tables of every VMA that maps the range (retract_page_tables(),
 * with no mmap_lock of theirs), so it meets the table pte_ref frees in
 * shm_b.  The collapser alone writes (through shm_a), and punches a page
 * out now and then so that the next collapse has small pages to gather.
 */
static void *shmem_collapser(void *arg)
{
	static __thread uint64_t s = 0x6161;	/* not on the stack: siglongjmp */
	sigjmp_buf jb;

	(void)arg;
	wait_for_go();
	fault_jump = &jb;
	if (sigsetjmp(jb, 1)) {
		fail_op("shmem_collapser: fault on its own mapping");
		return NULL;
	}
	while (!atomic_load(&stop)) {
		unsigned long i = rnd(&s) % PAGES_2M;
		uint64_t *w = (uint64_t *)(shm_a + i * PAGE_SZ);

		if (*w != shm_last[i])
			report("shmem_collapser", (char *)w, *w, shm_last[i]);
		if (!fallocate(shm_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       i * PAGE_SZ, PAGE_SZ))
			shm_last[i] = 0;
		for (int k = 0; k < 8; k++) {
			i = rnd(&s) % PAGES_2M;
			w = (uint64_t *)(shm_a + i * PAGE_SZ);
			*w = pattern(w, atomic_fetch_add(&gen_next, 1));
			shm_last[i] = *w;
		}
		if (!madvise(shm_a, SZ_2M, MADV_COLLAPSE))
			atomic_fetch_add(&shmem_collapsed, 1);
		atomic_fetch_add(&ops[OP_SHMEM_COLLAPSE], 1);
		usleep(rnd(&s) % 2000);
	}
	fault_jump = NULL;
	return NULL;
}

/* The other mapping: fault the pages in, check them, drop the table. */
static void *shmem_zapper(void *arg)
{
	uint64_t s = 0x6262;

	(void)arg;
	wait_for_go();
	while (!atomic_load(&stop)) {
		for (int k = 0; k < 16; k++) {
			unsigned long off = (rnd(&s) % PAGES_2M) * PAGE_SZ;
			uint64_t v = *(volatile uint64_t *)(shm_b + off);

			/* Data written through shm_a: its address's pattern. */
			if (!plausible(shm_a + off, v, atomic_load(&gen_next)))
				report("shmem_zapper", shm_b + off, v, 0);
		}
		count(OP_SHMEM_ZAP, madvise(shm_b, SZ_2M, MADV_DONTNEED));
		usleep(rnd(&s) % 1000);
	}
	return NULL;
}

/* After the run: every page its owner's last value or zero, none missing. */
static void check_end(void)
{
	static volatile unsigned long i;
	sigjmp_buf jb;

	fault_jump = &jb;
	if (sigsetjmp(jb, 1)) {
		ktap_diag("the end: page %lu of the area is not mapped", (unsigned long)i);
		atomic_fetch_add(&op_errors, 1);
		i++;
	}
	for (; i < npages(); i++) {
		uint64_t v = *(uint64_t *)(area + i * PAGE_SZ);

		if (v && v != last[i])
			report("the end", area + i * PAGE_SZ, v, last[i]);
	}
	fault_jump = NULL;
}

static void setup(void)
{
	struct sigaction sa = { .sa_handler = on_fault, .sa_flags = SA_NODEFER };

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	area = map_regions(nregions);
	scratch = mmap(NULL, nregions * SZ_2M, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	last = calloc(npages(), sizeof(*last));
	gib = calloc(ngibs, sizeof(*gib));
	if (!area || scratch == MAP_FAILED || !last || !gib)
		ktap_bail("cannot map %lu regions", nregions);
	for (unsigned long g = 0; g < ngibs; g++) {
		gib[g] = map_aligned(SZ_1G, SZ_1G);
		if (!gib[g])
			ktap_bail("cannot map GiB %lu", g);
		madvise(gib[g], SZ_1G, MADV_NOHUGEPAGE);
	}

	/* Huge pages in shmem where madvise asks for them. */
	if (!read_choice(SHMEM_THP, shmem_thp_was, sizeof(shmem_thp_was)) ||
	    write_str(SHMEM_THP, "advise"))
		ktap_diag("%s: cannot write: shared memory is not collapsed here", SHMEM_THP);
	shm_fd = memfd_create("range_race", 0);
	if (shm_fd < 0 || ftruncate(shm_fd, SZ_2M))
		ktap_bail("cannot make a 2 MiB memfd");
	shm_a = map_aligned(SZ_2M, SZ_2M);
	shm_b = map_aligned(SZ_2M, SZ_2M);
	if (!shm_a || !shm_b ||
	    mmap(shm_a, SZ_2M, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, shm_fd, 0) != shm_a ||
	    mmap(shm_b, SZ_2M, PROT_READ, MAP_SHARED | MAP_FIXED, shm_fd, 0) != shm_b)
		ktap_bail("cannot map the memfd twice");
	madvise(shm_a, SZ_2M, MADV_HUGEPAGE);
	/* Every page present: the first collapse has all 512 to gather. */
	for (unsigned long i = 0; i < PAGES_2M; i++) {
		uint64_t *w = (uint64_t *)(shm_a + i * PAGE_SZ);

		*w = pattern(w, atomic_fetch_add(&gen_next, 1));
		shm_last[i] = *w;
	}
}

int main(int argc, char **argv)
{
	void *(*const fn[])(void *) = { writer, writer, gup_writer, gup_reader,
		zapper, zapper, protector, layout, forker, pagemap_reader,
		gib_worker, exiter, shmem_collapser, shmem_zapper };
	pthread_t t[ARRAY_SIZE(fn)];
	long long freed0, pmd0, freed = 0, pmd = 0;
	unsigned long seconds = 20;
	bool has, all = true;

	for (int a = 1; a < argc; a += 2) {
		if (a + 1 >= argc)
			ktap_bail("%s needs a value", argv[a]);
		if (!strcmp(argv[a], "--seconds"))
			seconds = strtoul(argv[a + 1], NULL, 0);
		else if (!strcmp(argv[a], "--regions"))
			nregions = strtoul(argv[a + 1], NULL, 0);
		else if (!strcmp(argv[a], "--gibs"))
			ngibs = strtoul(argv[a + 1], NULL, 0);
		else
			ktap_bail("unknown argument %s", argv[a]);
	}
	if (!seconds || nregions < 2 || !ngibs)
		ktap_bail("need --seconds > 0, --regions >= 2, --gibs > 0");

	ktap_plan(6);
	has = freeing_on();
	setup();
	freed0 = pte_tables_freed();
	pmd0 = vmstat("pte_ref_pmd_freed");
	/* No thread starts before every stack is mapped (wait_for_go()). */
	for (unsigned long i = 0; i < ARRAY_SIZE(fn); i++)
		if (pthread_create(&t[i], NULL, fn[i], (void *)(uintptr_t)i))
			ktap_bail("pthread_create failed");
	atomic_store(&go, true);
	sleep(seconds);
	atomic_store(&stop, true);
	for (unsigned long i = 0; i < ARRAY_SIZE(fn); i++)
		pthread_join(t[i], NULL);
	if (has) {
		freed = pte_tables_freed() - freed0;
		pmd = vmstat("pte_ref_pmd_freed") - pmd0;
	}

	check_end();

	for (int op = 0; op < NR_OPS; op++)
		ktap_metric(op_name[op], atomic_load(&ops[op]), "ops");
	ktap_metric("tables_freed", freed, "tables");
	ktap_metric("pmd_tables_freed", pmd, "tables");
	ktap_result(!atomic_load(&bad), "pages_hold_last_value_or_zero");
	ktap_result(!atomic_load(&cow_bad), "forked_copies_plausible_and_private");
	ktap_result(!atomic_load(&op_errors), "operations_succeeded");
	/* Every operation ran, or the race it stands for was never run. */
	for (int op = 0; op < NR_OPS; op++) {
		if (atomic_load(&ops[op]))
			continue;
		ktap_diag("%s never ran", op_name[op]);
		all = false;
	}
	/* Else retract_page_tables() never met a table of shm_b. */
	if (!atomic_load(&shmem_collapsed)) {
		ktap_diag("MADV_COLLAPSE never collapsed the shared memory");
		all = false;
	}
	ktap_result(all, "every_operation_ran");
	if (shmem_thp_was[0])
		write_str(SHMEM_THP, shmem_thp_was);
	ktap_metric("collapsed", atomic_load(&collapsed), "ranges");
	ktap_metric("shmem_collapsed", atomic_load(&shmem_collapsed), "ranges");
	ktap_metric("mremap_across_vmas", atomic_load(&mremap_split), "tries");
	if (has) {
		ktap_result(freed > 0, "tables_freed_during_run");
		ktap_result(pmd > 0, "pmd_tables_freed_during_run");
	} else {
		ktap_skip("tables_freed_during_run", no_freeing());
		ktap_skip("pmd_tables_freed_during_run", no_freeing());
	}
	ktap_finish();
}
