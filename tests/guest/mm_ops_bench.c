// SPDX-License-Identifier: GPL-2.0
/*
 * What the operations pte_ref changes cost, one by one, for `make bench`
 * to compare against the unpatched kernel of the same config (metrics
 * NAME_us_r<i>, one per repetition) and, where freeing can be switched,
 * freeing on against off in the same boot (NAME_on_us_r<i>,
 * NAME_off_us_r<i>, the two interleaved within each repetition):
 *
 *   madv1g    one MADV_DONTNEED of 1 GiB in which one page per 2 MiB is
 *             mapped: 512 tables emptied (freed, with freeing on), and
 *             the TLB flushes the call costs (pte_ref's own counter, and
 *             x86's nr_tlb_* where CONFIG_DEBUG_TLBFLUSH has them)
 *   gup_fast  vmsplice() of a populated 2 MiB buffer into a pipe, 64 KiB
 *             at a time, read back out: pin_user_pages_fast(), which
 *             walks the tables without locks (GUP-fast)
 *   munmap    munmap() of 50 GiB with one page per 2 MiB mapped
 *   exit      a child maps the same and exits: exit_mmap()'s teardown,
 *             timed from its last word to waitpid()
 *   fork      fork() of a process with 256 MiB mapped and populated
 *
 * Under `-icount` guest time counts instructions, so ratios between boots
 * measure the kernel's work.  The per-call flush count is a count, not a
 * time: it is the figure that shows what a many-core server would pay.
 *
 * usage: mm_ops_bench [--reps 7] [--only NAME]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "ktap.h"
#include "kstat.h"
#include "region.h"
#include "variant.h"

#define SZ_1G		(1UL << 30)
#define SPARSE_GIB	50
#define FORK_MIB	256
#define SPLICE_CHUNK	(64UL << 10)
#define MAX_REPS	32

static int reps = 7;
static bool switchable;		/* vm.free_user_pte exists: on/off runs */

static void metric_r(const char *name, const char *suffix, int r, double us)
{
	char key[96];

	snprintf(key, sizeof(key), "%s%s_us_r%d", name, suffix, r);
	ktap_metric(key, (long long)us, "us");
}

/* Touch one page in each 2 MiB of [p, p + len): a PTE table each. */
static void touch_sparse(char *p, unsigned long len)
{
	madvise(p, len, MADV_NOHUGEPAGE);
	for (unsigned long off = 0; off < len; off += SZ_2M)
		p[off] = 1;
}

/* Full TLB flushes counted by x86 debug kernels, or -1. */
static long long tlb_full_flushes(void)
{
	long long l = vmstat("nr_tlb_local_flush_all");
	long long r = vmstat("nr_tlb_remote_flush");

	return l < 0 || r < 0 ? -1 : l + r;
}

/* One MADV_DONTNEED of 1 GiB with 512 tables populated; its time in us. */
static double madv1g_once(char *g, long long *flushes, long long *tlb)
{
	long long f0, t0;
	double t;

	touch_sparse(g, SZ_1G);
	f0 = vmstat("pte_ref_flush");
	t0 = tlb_full_flushes();
	t = now();
	if (madvise(g, SZ_1G, MADV_DONTNEED))
		ktap_bail("madvise(MADV_DONTNEED) of 1 GiB failed");
	t = (now() - t) * 1e6;
	*flushes = f0 < 0 ? -1 : vmstat("pte_ref_flush") - f0;
	*tlb = t0 < 0 ? -1 : tlb_full_flushes() - t0;
	return t;
}

static void bench_madv1g(void)
{
	long long fl_on = -1, tlb_on = -1, fl, tlb;
	char *g = map_aligned(SZ_1G, SZ_1G);

	if (!g)
		ktap_bail("cannot map 1 GiB");
	madv1g_once(g, &fl, &tlb);	/* warm up */
	for (int r = 0; r < reps; r++) {
		if (!switchable) {
			metric_r("madv1g", "", r, madv1g_once(g, &fl, &tlb));
			continue;
		}
		/* Alternate which goes first, so neither is always warmer. */
		for (int i = 0; i < 2; i++) {
			int on = (r + i) % 2;
			double us;

			set_free_user_pte(on);
			us = madv1g_once(g, &fl, &tlb);
			metric_r("madv1g", on ? "_on" : "_off", r, us);
			if (on) {
				/* Against base: the shipped default, freeing on. */
				metric_r("madv1g", "", r, us);
				fl_on = fl;
				tlb_on = tlb;
			}
		}
	}
	if (switchable) {
		set_free_user_pte(1);
		ktap_metric("madv1g_pte_ref_flushes_per_call", fl_on, "flushes");
		if (tlb_on >= 0)
			ktap_metric("madv1g_tlb_full_flushes_per_call", tlb_on, "flushes");
		ktap_diag("1 GiB MADV_DONTNEED, 512 tables freed: %lld pte_ref flushes, %lld full TLB flushes%s",
			  fl_on, tlb_on, tlb_on < 0 ? " (not counted by this kernel)" : "");
	}
	munmap(g, SZ_1G);
	ktap_result(true, "madv1g");
}

static void bench_gup_fast(void)
{
	char *buf = map_aligned(SZ_2M, SZ_2M), *sink = malloc(SPLICE_CHUNK);
	int p[2];

	if (!buf || !sink || pipe(p) || fcntl(p[1], F_SETPIPE_SZ, SPLICE_CHUNK) < 0)
		ktap_bail("cannot set up the vmsplice pipe");
	madvise(buf, SZ_2M, MADV_NOHUGEPAGE);	/* PTE tables, not a huge pmd */
	fill(buf, SZ_2M, 1);
	for (int r = -1; r < reps; r++) {	/* r = -1: warm up */
		double t = now();

		for (int round = 0; round < 16; round++)
			for (unsigned long off = 0; off < SZ_2M; off += SPLICE_CHUNK) {
				struct iovec iov = { buf + off, SPLICE_CHUNK };

				if (vmsplice(p[1], &iov, 1, 0) != (ssize_t)SPLICE_CHUNK ||
				    read(p[0], sink, SPLICE_CHUNK) != (ssize_t)SPLICE_CHUNK)
					ktap_bail("vmsplice round trip failed");
			}
		if (r >= 0)
			metric_r("gup_fast", "", r, (now() - t) * 1e6);
	}
	close(p[0]);
	close(p[1]);
	munmap(buf, SZ_2M);
	free(sink);
	ktap_result(true, "gup_fast");
}

static char *map_sparse(void)
{
	char *s = map_aligned(SPARSE_GIB * SZ_1G, SZ_2M);

	if (!s)
		ktap_bail("cannot map %d GiB", SPARSE_GIB);
	touch_sparse(s, SPARSE_GIB * SZ_1G);
	return s;
}

static void bench_munmap(void)
{
	for (int r = -1; r < reps; r++) {
		char *s = map_sparse();
		double t = now();

		if (munmap(s, SPARSE_GIB * SZ_1G))
			ktap_bail("munmap failed");
		if (r >= 0)
			metric_r("munmap", "", r, (now() - t) * 1e6);
	}
	ktap_result(true, "munmap");
}

static void bench_exit(void)
{
	for (int r = -1; r < reps; r++) {
		int p[2], status;
		double t;
		pid_t pid;
		char c;

		if (pipe(p))
			ktap_bail("pipe failed");
		pid = fork();
		if (pid < 0)
			ktap_bail("fork failed");
		if (!pid) {
			map_sparse();
			_exit(write(p[1], "x", 1) == 1 ? 0 : 1);
		}
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			ktap_bail("the child died before its mapping was ready");
		t = now();
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			ktap_bail("the child failed");
		if (r >= 0)
			metric_r("exit", "", r, (now() - t) * 1e6);
		close(p[0]);
	}
	ktap_result(true, "exit");
}

static void bench_fork(void)
{
	unsigned long len = (unsigned long)FORK_MIB << 20;
	char *m = map_aligned(len, SZ_2M);

	if (!m)
		ktap_bail("cannot map %d MiB", FORK_MIB);
	madvise(m, len, MADV_NOHUGEPAGE);	/* fork copies PTE tables */
	fill(m, len, 1);
	for (int r = -1; r < reps; r++) {
		double t = now();
		pid_t pid = fork();
		int status;

		if (pid < 0)
			ktap_bail("fork failed");
		if (!pid)
			_exit(0);
		t = (now() - t) * 1e6;
		if (waitpid(pid, &status, 0) != pid)
			ktap_bail("waitpid failed");
		if (r >= 0)
			metric_r("fork", "", r, t);
	}
	munmap(m, len);
	ktap_result(true, "fork");
}

static const struct {
	const char *name;
	void (*run)(void);
} benches[] = {
	{ "madv1g", bench_madv1g },
	{ "gup_fast", bench_gup_fast },
	{ "munmap", bench_munmap },
	{ "exit", bench_exit },
	{ "fork", bench_fork },
};

int main(int argc, char **argv)
{
	const char *only = NULL;
	int n = sizeof(benches) / sizeof(benches[0]), planned = 0;

	for (int a = 1; a < argc; a += 2) {
		if (a + 1 >= argc)
			ktap_bail("%s needs a value", argv[a]);
		if (!strcmp(argv[a], "--reps"))
			reps = atoi(argv[a + 1]);
		else if (!strcmp(argv[a], "--only"))
			only = argv[a + 1];
		else
			ktap_bail("unknown argument %s", argv[a]);
	}
	if (reps < 1 || reps > MAX_REPS)
		ktap_bail("--reps must be 1..%d", MAX_REPS);
	for (int i = 0; i < n; i++)
		planned += !only || !strcmp(only, benches[i].name);
	if (!planned)
		ktap_bail("no benchmark named %s", only);

	ktap_plan(planned);
	/* Freeing on, as shipped; on a kernel without pte_ref nothing to set. */
	switchable = freeing_switch(1);
	for (int i = 0; i < n; i++)
		if (!only || !strcmp(only, benches[i].name))
			benches[i].run();
	ktap_finish();
}
