// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: every operation that creates, walks or frees PTE tables, at once,
 * with every byte accounted for.
 *
 * Worker threads take a random 2 MiB region (one PTE table) at a time and
 * do one thing to it: write pages, MADV_DONTNEED or MADV_FREE a 64 KiB
 * piece or all of it, mprotect it, mremap it away and back (moving, and
 * growing), munmap and map it again, fork and let parent and child write it
 * (COW), read and write it through process_vm_readv/writev (GUP), splice
 * it into a pipe (vmsplice: GUP-fast), collapse it into a THP
 * (MADV_COLLAPSE), or empty it and leave it empty for 300 ms (so that the
 * PMD table of a region alone in its GiB is freed).  A shadow of every page says what it must hold (the
 * generation that wrote it, zero, or "either" after MADV_FREE), and every
 * operation ends by checking the whole region: a lost write, a stale page
 * or zeroes where data must be is a failure.
 *
 * At the end, no mm may have left with page tables still counted (the
 * kernel's own check at every exit, read back from /dev/kmsg).
 *
 * Meanwhile, unlocked: a thread reads /proc/self/pagemap over all regions,
 * one reads /proc/self/smaps, khugepaged scans the MADV_HUGEPAGE half of
 * the regions as fast as it is allowed, and a sibling process keeps the
 * guest under memory pressure, so reclaim discards MADV_FREE pages.
 *
 * usage: stress [--seconds 60] [--regions 32] [--lone 4] [--threads 4]
 *              [--switch 1] [--no-khugepaged]
 *              [--ops write,dontneed,...]
 *   --lone N         N more regions, each alone in a GiB (PMD table freeing)
 *   --no-khugepaged  leave the THP settings alone (e.g. on a host)
 *   --ops            only these operations (names as in the metrics)
 *   --switch 0       freeing off (vm.free_user_pte=0): the same work, to
 *                    compare
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

#include "ktap.h"
#include "kstat.h"
#include "variant.h"
#include "region.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

enum op { OP_WRITE, OP_DONTNEED, OP_FREE, OP_MPROTECT, OP_MREMAP,
	  OP_MREMAP_GROW, OP_REMAP, OP_FORK, OP_PVM, OP_VMSPLICE, OP_COLLAPSE,
	  OP_EMPTY_GIB, NR_OPS };
static const char * const op_name[NR_OPS] = {
	"write", "dontneed", "free", "mprotect", "mremap_move", "mremap_grow",
	"munmap_mmap", "fork_cow", "process_vm", "vmsplice", "collapse",
	"empty_gib",
};

/* What a page must hold: generation @gen (0: zeroes), or zeroes too if @lazy. */
struct shadow {
	uint64_t gen;
	bool lazy;
};

struct region {
	pthread_mutex_t lock;
	char *home;
	bool thp;
	bool lone;			/* alone in its GiB */
	struct shadow page[PAGES_2M];
};

static struct region *region;
static unsigned long nregions = 32, nlone = 4, nthreads = 4;
static char *area;
static atomic_bool stop;
static atomic_ullong next_gen = 1;
static atomic_long ops[NR_OPS], op_errors, bad_pages;
static unsigned int op_mask = (1u << NR_OPS) - 1;

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Check region @r, now mapped at @at; a bad page is reported, up to a few,
 * unless @what is NULL (a forked child must not take stdio's lock).
 */
static unsigned long verify(struct region *r, const char *at, const char *what)
{
	unsigned long bad = 0;

	for (unsigned long i = 0; i < PAGES_2M; i++) {
		const uint64_t *w = (const uint64_t *)(at + i * PAGE_SZ);
		const struct shadow *s = &r->page[i];
		bool zero = !w[0] && !w[PAGE_SZ / 8 - 1];
		bool data = s->gen && w[0] == pattern(r->home + i * PAGE_SZ, s->gen) &&
			    w[PAGE_SZ / 8 - 1] == ~w[0];

		if (s->gen ? (data || (s->lazy && zero)) : zero)
			continue;
		if (atomic_fetch_add(&bad_pages, 1) < 8 && what)
			ktap_diag("after %s: region %ld page %lu holds %#llx, expected gen %llu%s",
				  what, (long)((r->home - area) / SZ_2M), i,
				  (unsigned long long)w[0], (unsigned long long)s->gen,
				  s->lazy ? " or zero" : "");
		bad++;
	}
	return bad;
}

static void shadow_set(struct region *r, unsigned long first, unsigned long n,
		       uint64_t gen)
{
	for (unsigned long i = first; i < first + n; i++)
		r->page[i] = (struct shadow){ .gen = gen };
}

static void write_pages(struct region *r, char *at, unsigned long first,
			unsigned long n)
{
	uint64_t gen = atomic_fetch_add(&next_gen, 1);

	for (unsigned long i = first; i < first + n; i++) {
		uint64_t *w = (uint64_t *)(at + i * PAGE_SZ);

		w[0] = pattern(r->home + i * PAGE_SZ, gen);
		w[PAGE_SZ / 8 - 1] = ~w[0];
	}
	shadow_set(r, first, n, gen);
}

/* A fresh anonymous mapping of region @r at its home. */
static bool map_home(struct region *r)
{
	if (mmap(r->home, SZ_2M, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		 -1, 0) == MAP_FAILED)
		return false;
	madvise(r->home, SZ_2M, r->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	shadow_set(r, 0, PAGES_2M, 0);
	return true;
}

/* Move region @r back home from @from (@len long, shrinking to 2 MiB). */
static void move_home(struct region *r, char *from, size_t len)
{
	if (mremap(from, len, SZ_2M, MREMAP_MAYMOVE | MREMAP_FIXED, r->home) != r->home)
		ktap_bail("cannot move region %ld back home: %s",
			  (long)(r - region), strerror(errno));
}

/* A piece to work on: 64 KiB (16 pages) somewhere, or the whole region. */
static void pick_piece(uint64_t *seed, unsigned long *first, unsigned long *n)
{
	if (rnd(seed) % 4 == 0) {
		*first = 0;
		*n = PAGES_2M;
	} else {
		*first = rnd(seed) % (PAGES_2M / 16) * 16;
		*n = 16;
	}
}

static bool op_fork(struct region *r)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return false;
	if (pid == 0) {
		/* The child sees the parent's data, then breaks COW. */
		unsigned long bad = verify(r, r->home, NULL);

		write_pages(r, r->home, 0, PAGES_2M / 2);
		bad += verify(r, r->home, NULL);
		_exit(bad ? 1 : 0);
	}
	/* The parent writes its half while the child runs. */
	write_pages(r, r->home, PAGES_2M / 2, PAGES_2M / 2);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
		atomic_fetch_add(&bad_pages, 1);
		ktap_diag("fork: the child of region %ld found bad pages",
			  (long)(r - region));
	}
	return true;
}

static bool op_pvm(struct region *r, char *buf, uint64_t *seed)
{
	struct iovec local = { buf, SZ_2M }, remote = { r->home, SZ_2M };
	unsigned long first, n;
	struct region copy;

	/* Read it all through GUP, check it as if it were the region. */
	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)SZ_2M)
		return false;
	copy.home = r->home;
	memcpy(copy.page, r->page, sizeof(copy.page));
	if (verify(&copy, buf, "process_vm_readv"))
		return true;
	/* Write a piece through GUP. */
	pick_piece(seed, &first, &n);
	write_pages(&copy, buf, first, n);
	local = (struct iovec){ buf + first * PAGE_SZ, n * PAGE_SZ };
	remote = (struct iovec){ r->home + first * PAGE_SZ, n * PAGE_SZ };
	if (process_vm_writev(getpid(), &local, 1, &remote, 1, 0) != (ssize_t)(n * PAGE_SZ))
		return false;
	memcpy(r->page + first, copy.page + first, n * sizeof(r->page[0]));
	return true;
}

static bool op_vmsplice(struct region *r, char *buf, int pipefd[2])
{
	struct region copy;

	/* 64 KiB at a time: what a default pipe holds. */
	for (size_t off = 0; off < SZ_2M; off += 16 * PAGE_SZ) {
		struct iovec iov = { r->home + off, 16 * PAGE_SZ };
		size_t got = 0;

		if (vmsplice(pipefd[1], &iov, 1, 0) != (ssize_t)iov.iov_len)
			return false;
		while (got < iov.iov_len) {
			ssize_t n = read(pipefd[0], buf + off + got, iov.iov_len - got);

			if (n <= 0)
				return false;
			got += n;
		}
	}
	copy.home = r->home;
	memcpy(copy.page, r->page, sizeof(copy.page));
	verify(&copy, buf, "vmsplice");
	return true;
}

static bool do_op(enum op op, struct region *r, char *scratch, char *buf,
		  int pipefd[2], uint64_t *seed)
{
	unsigned long first, n;

	switch (op) {
	case OP_WRITE:
		pick_piece(seed, &first, &n);
		write_pages(r, r->home, first, n);
		return true;
	case OP_DONTNEED:
		pick_piece(seed, &first, &n);
		if (madvise(r->home + first * PAGE_SZ, n * PAGE_SZ, MADV_DONTNEED))
			return false;
		shadow_set(r, first, n, 0);
		return true;
	case OP_FREE:
		pick_piece(seed, &first, &n);
		if (madvise(r->home + first * PAGE_SZ, n * PAGE_SZ, MADV_FREE))
			return false;
		for (unsigned long i = first; i < first + n; i++)
			r->page[i].lazy = r->page[i].gen != 0;
		return true;
	case OP_MPROTECT:
		if (mprotect(r->home, SZ_2M, PROT_READ))
			return false;
		verify(r, r->home, "mprotect(PROT_READ)");
		return !mprotect(r->home, SZ_2M, PROT_READ | PROT_WRITE);
	case OP_MREMAP:
		if (mremap(r->home, SZ_2M, SZ_2M, MREMAP_MAYMOVE | MREMAP_FIXED,
			   scratch) != scratch)
			return false;
		verify(r, scratch, "mremap (moved away)");
		move_home(r, scratch, SZ_2M);
		return true;
	case OP_MREMAP_GROW:
		if (mremap(r->home, SZ_2M, 2 * SZ_2M, MREMAP_MAYMOVE | MREMAP_FIXED,
			   scratch) != scratch)
			return false;
		/* The grown half is new memory: it reads zero. */
		if (check_zero(scratch + SZ_2M, SZ_2M)) {
			atomic_fetch_add(&bad_pages, 1);
			ktap_diag("mremap grow: the new half of region %ld is not zero",
				  (long)(r - region));
		}
		verify(r, scratch, "mremap (grown)");
		move_home(r, scratch, 2 * SZ_2M);
		return true;
	case OP_REMAP:
		return !munmap(r->home, SZ_2M) && map_home(r);
	case OP_FORK:
		return op_fork(r);
	case OP_PVM:
		return op_pvm(r, buf, seed);
	case OP_VMSPLICE:
		return op_vmsplice(r, buf, pipefd);
	case OP_EMPTY_GIB:
		/*
		 * Empty the region and leave it empty for a while: alone in
		 * its GiB, its PMD table is then empty long enough for
		 * pte_ref's sweep (every 100 ms) to free it while the other
		 * workers carry on.
		 */
		if (madvise(r->home, SZ_2M, MADV_DONTNEED))
			return false;
		shadow_set(r, 0, PAGES_2M, 0);
		if (r->lone)
			usleep(300 * 1000);
		return true;
	case OP_COLLAPSE:
		/* Fails on a region without THP or without memory: only the
		 * data matters. */
		madvise(r->home, SZ_2M, MADV_COLLAPSE);
		return true;
	default:
		return false;
	}
}

/*
 * What a worker gets from main: nothing may mmap() while workers run (no
 * malloc, no new threads), as mremap moves regions through @scratch, a
 * hole of 4 MiB that another mapping could otherwise land in.
 */
struct worker_arg {
	unsigned long idx;
	char *scratch, *buf;
	int pipefd[2];
};

static pthread_barrier_t start;

static void *worker(void *arg)
{
	struct worker_arg *w = arg;
	uint64_t seed = 0x9e3779b97f4a7c15ULL * (w->idx + 1);
	char *scratch = w->scratch, *buf = w->buf;
	int *pipefd = w->pipefd;

	pthread_barrier_wait(&start);
	while (!atomic_load(&stop)) {
		struct region *r = &region[rnd(&seed) % (nregions + nlone)];
		enum op op = rnd(&seed) % NR_OPS;

		if (!(op_mask & (1u << op)) || pthread_mutex_trylock(&r->lock))
			continue;
		if (do_op(op, r, scratch, buf, pipefd, &seed)) {
			atomic_fetch_add(&ops[op], 1);
		} else if (atomic_fetch_add(&op_errors, 1) < 8) {
			ktap_diag("%s on region %ld failed: %s", op_name[op],
				  (long)(r - region), strerror(errno));
		}
		verify(r, r->home, op_name[op]);
		pthread_mutex_unlock(&r->lock);
	}
	return NULL;
}

/* Unlocked readers: they only race, their data is not checked. */
static atomic_long pagemap_reads, smaps_reads;

static void *pagemap_reader(void *arg)
{
	size_t len = nregions * PAGES_2M * sizeof(uint64_t);
	uint64_t *buf = arg;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	pthread_barrier_wait(&start);
	if (fd < 0)
		return NULL;
	while (!atomic_load(&stop)) {
		pread(fd, buf, len, (off_t)((uintptr_t)area / PAGE_SZ * sizeof(uint64_t)));
		atomic_fetch_add(&pagemap_reads, 1);
	}
	close(fd);
	return NULL;
}

static void *smaps_reader(void *arg)
{
	static char buf[1 << 16];

	(void)arg;
	pthread_barrier_wait(&start);
	while (!atomic_load(&stop)) {
		int fd = open("/proc/self/smaps", O_RDONLY);

		if (fd < 0)
			return NULL;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		atomic_fetch_add(&smaps_reads, 1);
	}
	return NULL;
}

/* A sibling that keeps taking most of the free memory and giving it back. */
static pid_t start_pressure(void)
{
	long avail = proc_kb("/proc/meminfo", "MemAvailable");
	size_t len = (size_t)(avail > 0 ? avail : 65536) * 1024 / 2;
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	/* Gone with the test, however it ends. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			usleep(10 * 1000);
			continue;
		}
		for (size_t off = 0; off < len; off += PAGE_SZ)
			p[off] = 1;
		munmap(p, len);
	}
}

/* khugepaged as eager as it goes; returns the old values to restore. */
static const char * const khugepaged_knob[] = {
	"/sys/kernel/mm/transparent_hugepage/enabled",
	"/sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs",
	"/sys/kernel/mm/transparent_hugepage/khugepaged/alloc_sleep_millisecs",
	"/sys/kernel/mm/transparent_hugepage/khugepaged/pages_to_scan",
};
static const char * const khugepaged_eager[] = { "madvise", "10", "10", "4096" };

static bool write_knob(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok;
}

static bool read_knob(const char *path, char *val, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;
	char *sel;

	if (fd < 0)
		return false;
	n = read(fd, val, len - 1);
	close(fd);
	if (n <= 0)
		return false;
	val[n] = 0;
	/* "always [madvise] never": the bracketed word is the value. */
	sel = strchr(val, '[');
	if (sel) {
		memmove(val, sel + 1, strlen(sel));
		*strchrnul(val, ']') = 0;
	}
	*strchrnul(val, '\n') = 0;
	return true;
}

/* "write,dontneed,...": the operations to do (default: all). */
static unsigned int parse_ops(char *list)
{
	unsigned int mask = 0;

	for (char *name = strtok(list, ","); name; name = strtok(NULL, ",")) {
		int op = 0;

		while (op < NR_OPS && strcmp(name, op_name[op]))
			op++;
		if (op == NR_OPS)
			ktap_bail("unknown operation %s", name);
		mask |= 1u << op;
	}
	return mask;
}

/*
 * A 2 MiB region alone at the start of a GiB of its own: when its PTE table
 * goes, the PMD table above it is empty too, and pte_ref's PMD sweep (which
 * locks the mm and the region's VMA) runs while the other workers keep
 * going.  The rest of the GiB is left unmapped: pte_ref frees the PMD
 * table of a GiB that one VMA alone overlaps.  Mapped once every thread
 * exists, so that no thread stack moves into the rest of the GiB.
 */
static char *map_lone(void)
{
	return map_aligned(SZ_2M, 1UL << 30);
}

static void init_region(struct region *r, char *home, bool thp)
{
	pthread_mutex_init(&r->lock, NULL);
	r->home = home;
	r->thp = thp;
	madvise(home, SZ_2M, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	write_pages(r, home, 0, PAGES_2M);
}

/* Kernel log lines so far that contain @needle, or -1 without /dev/kmsg. */
static int kmsg_count(const char *needle)
{
	char rec[2048];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK), n = 0;
	ssize_t len;

	if (fd < 0)
		return -1;
	/* One record per read; EAGAIN at the end, EPIPE if one was lost. */
	while ((len = read(fd, rec, sizeof(rec) - 1)) > 0 || errno == EPIPE) {
		if (len <= 0)
			continue;
		rec[len] = 0;
		n += strstr(rec, needle) != NULL;
	}
	close(fd);
	return n;
}

/* Freeing is on in this run (set before the stress process starts). */
static bool freeing;
static const char *on_why;

/* The stress itself, in a process of its own: KTAP results 1 to 4. */
static void __attribute__((noreturn)) run(unsigned long seconds, bool eager)
{
	struct worker_arg warg[64];
	pthread_t t[64], pm, sm;
	uint64_t *pagemap_buf;
	char old[4][64];
	bool knob_ok[4], all = true;
	long long freed0, freed1, pmd0, pmd1;
	pid_t pressure;
	int st;

	for (int k = 0; k < 4; k++) {
		knob_ok[k] = eager && read_knob(khugepaged_knob[k], old[k], sizeof(old[k]));
		if (knob_ok[k])
			write_knob(khugepaged_knob[k], khugepaged_eager[k]);
	}
	ktap_diag("%lu s, %lu regions (%lu alone in their GiB), %lu workers, khugepaged %s",
		  seconds, nregions + nlone, nlone, nthreads, knob_ok[0] ? "eager" : "left alone");

	freed0 = vmstat("pte_ref_freed");
	pmd0 = vmstat("pte_ref_pmd_freed");
	area = map_regions(nregions);
	region = calloc(nregions + nlone, sizeof(*region));
	pagemap_buf = malloc(nregions * PAGES_2M * sizeof(uint64_t));
	if (!area || !region || !pagemap_buf)
		ktap_bail("cannot map %lu regions", nregions);
	for (unsigned long i = 0; i < nregions; i++)
		init_region(&region[i], area + i * SZ_2M, i % 2);
	for (unsigned long i = 0; i < nthreads; i++) {
		warg[i].idx = i;
		warg[i].scratch = map_regions(2);
		warg[i].buf = malloc(SZ_2M);
		if (!warg[i].scratch || !warg[i].buf || pipe(warg[i].pipefd))
			ktap_bail("cannot set up worker %lu", i);
	}
	pressure = start_pressure();
	pthread_barrier_init(&start, NULL, nthreads + 3);
	for (unsigned long i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, worker, &warg[i]);
	pthread_create(&pm, NULL, pagemap_reader, pagemap_buf);
	pthread_create(&sm, NULL, smaps_reader, NULL);
	/*
	 * mremap's destinations: only the addresses are kept, all distinct,
	 * and freed only now that the thread stacks cannot land in them.
	 */
	for (unsigned long i = 0; i < nthreads; i++)
		munmap(warg[i].scratch, 2 * SZ_2M);
	for (unsigned long i = nregions; i < nregions + nlone; i++) {
		char *home = map_lone();

		if (!home)
			ktap_bail("cannot map a region alone in its GiB");
		/* PTE-mapped, so that emptying it frees a PTE table. */
		init_region(&region[i], home, false);
		region[i].lone = true;
	}
	pthread_barrier_wait(&start);
	sleep(seconds);
	atomic_store(&stop, true);
	for (unsigned long i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	pthread_join(pm, NULL);
	pthread_join(sm, NULL);
	kill(pressure, SIGKILL);
	waitpid(pressure, &st, 0);

	/* Last look at every region, after the dust has settled. */
	for (unsigned long i = 0; i < nregions + nlone; i++)
		verify(&region[i], region[i].home, "the end");
	freed1 = vmstat("pte_ref_freed");
	pmd1 = vmstat("pte_ref_pmd_freed");
	for (int k = 0; k < 4; k++)
		if (knob_ok[k])
			write_knob(khugepaged_knob[k], old[k]);

	for (int op = 0; op < NR_OPS; op++)
		ktap_metric(op_name[op], atomic_load(&ops[op]), "ops");
	ktap_metric("pagemap_reads", atomic_load(&pagemap_reads), "reads");
	ktap_metric("smaps_reads", atomic_load(&smaps_reads), "reads");
	if (freed0 >= 0) {
		ktap_metric("tables_freed", freed1 - freed0, "tables");
		ktap_metric("pmd_tables_freed", pmd1 - pmd0, "tables");
	}
	ktap_result(!atomic_load(&bad_pages), "data_intact");
	ktap_result(!atomic_load(&op_errors), "operations_succeeded");
	/* Every operation must have run: a stress that skips one proves nothing. */
	for (int op = 0; op < NR_OPS; op++)
		all &= !(op_mask & (1u << op)) || atomic_load(&ops[op]) > 0;
	ktap_result(all, "every_operation_ran");
	/* Else no operation ever raced a free: the run proved nothing. */
	if (freeing)
		ktap_result(freed1 - freed0 > 0, "tables_freed_during_run");
	else
		ktap_skip("tables_freed_during_run", on_why);
	exit(ktap_failed ? 1 : 0);
}

int main(int argc, char **argv)
{
	unsigned long seconds = 60;
	bool eager = true;
	int on = 1;
	long pt0, pt1;
	int kmsg0, unbalanced;
	pid_t pid;
	int st;

	for (int a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--seconds") && a + 1 < argc)
			seconds = strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--regions") && a + 1 < argc)
			nregions = strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--threads") && a + 1 < argc)
			nthreads = strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--lone") && a + 1 < argc)
			nlone = strtoul(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--no-khugepaged"))
			eager = false;
		else if (!strcmp(argv[a], "--ops") && a + 1 < argc)
			op_mask = parse_ops(argv[++a]);
		else if (!strcmp(argv[a], "--switch") && a + 1 < argc)
			on = atoi(argv[++a]);
		else
			ktap_bail("unknown argument %s", argv[a]);
	}
	if (!nregions || nthreads < 1 || nthreads > 64)
		ktap_bail("need regions > 0 and 1..64 threads");

	ktap_plan(5);
	/* Off: the same work, to tell pte_ref's cost from the emulator's. */
	freeing = freeing_switch(on) && on;
	on_why = on ? no_freeing() : "freeing is off (--switch 0)";
	pt0 = pagetables_settled();
	kmsg0 = kmsg_count("non-zero pgtables_bytes");
	pid = fork();
	if (pid < 0)
		ktap_bail("fork failed");
	if (pid == 0)
		run(seconds, eager);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		ktap_bail("the stress process died (status %#x)", st);
	/* The child printed results 1 to 4 and exits 1 if one failed. */
	ktap_run = 4;
	ktap_failed = WEXITSTATUS(st) != 0;

	/*
	 * Page-table accounting balanced at every exit: the kernel checks
	 * each mm's pgtables_bytes when it is freed (the stress process, its
	 * ~700 forked children, the pressure sibling) and says so in the log.
	 * PageTables itself is only shown: it also counts kernel page tables,
	 * which the children's vmalloc'd stacks grow for good (+36..80 kB
	 * seen, with and without pte_ref).
	 */
	pt1 = pagetables_settled();
	ktap_metric("pagetables_before_kb", pt0, "kB");
	ktap_metric("pagetables_after_kb", pt1, "kB");
	unbalanced = kmsg_count("non-zero pgtables_bytes");
	if (unbalanced < 0)
		ktap_skip("pgtables_bytes_balanced", "no /dev/kmsg");
	else
		ktap_result(unbalanced == kmsg0, "pgtables_bytes_balanced");
	ktap_finish();
}
