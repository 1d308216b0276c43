// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own mm selftests (tools/testing/selftests/mm of the same
 * 6.12 tree, built by harness/mm-selftests.sh into /bin/mm/), each run
 * twice in one boot: with pte_ref's freeing on, then off.  A suite nobody
 * here wrote must give the same result either way.
 *
 * /mm-selftests.list says what runs: "name timeout [skip_on=MACHINE,...]
 * program [args...]", MACHINE as uname -m says.
 * A selftest's result is its exit status, as kselftest defines it (0 pass,
 * 4 skip, anything else or the timeout a failure), and the cases its output
 * reports as failed.  Parity holds when both runs end the same way and the
 * same cases fail.  Cases that fail both ways (the guest has no swap, for
 * one) are listed; a selftest that fails both ways without naming a failed
 * case (a crash, a timeout) is a failure, so the list cannot quietly stop
 * testing anything.  Output is kept in /tmp and shown when it matters.
 * Each run's verdict and failed cases are also printed as records, which
 * the host compares with the unpatched kernel's (harness/parity.py): a
 * case that fails only on a patched kernel fails there.
 * On a kernel without pte_ref (unpatched, or CONFIG_FREE_USER_PTE=n) each
 * runs once.
 *
 * usage: mm_selftests [--only NAME]
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "kstat.h"
#include "variant.h"
#include "ktap.h"
#include "list.h"

#define LIST		"/mm-selftests.list"
#define MAX_SELFTESTS	64
#define KSFT_SKIP	4
#define TIMED_OUT	-1

struct selftest {
	char *name;
	int timeout;
	char *skip_on;		/* machines (uname -m) it does not run on */
	char **argv;		/* the program and its arguments */
};

#define OVERCOMMIT	"/proc/sys/vm/overcommit_memory"

static int read_sysctl(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = 0;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static void write_sysctl(const char *path, int v)
{
	FILE *f = fopen(path, "w");

	if (!f || fprintf(f, "%d\n", v) < 0)
		ktap_diag("cannot write %d to %s", v, path);
	if (f)
		fclose(f);
}

/*
 * Read the list: "name timeout [skip_on=MACHINE,...] program [args...]".
 * Returns the number of selftests, or -1 with @why set.
 */
static int load(struct selftest *t, const char **why)
{
	static struct list_entry e[MAX_SELFTESTS];
	static char buf[8192];
	int n;

	n = list_load(LIST, buf, sizeof(buf), e, MAX_SELFTESTS, why);
	for (int i = 0; i < n; i++) {
		char **w = e[i].word + 1;

		t[i].name = e[i].word[0];
		t[i].timeout = *w ? atoi(*w++) : 0;
		t[i].skip_on = list_option(*w, "skip_on");
		if (t[i].skip_on)
			w++;
		if (t[i].timeout <= 0 || !*w) {
			*why = "a line has no timeout or no program";
			return -1;
		}
		t[i].argv = w;
	}
	return n;
}

/* Run one selftest with its output in @log; its wait status or TIMED_OUT. */
static int run(const struct selftest *t, const char *log)
{
	double deadline = now() + t->timeout;
	char prog[128];
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return 1 << 8;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		setpgid(0, 0);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		/* Some selftests write scratch files to the current directory. */
		if (chdir("/tmp"))
			_exit(127);
		/*
		 * The same address-space layout in both runs, so only pte_ref
		 * differs between them.  Randomized, mremap_test's 40 MB
		 * destination preamble lands on the brk heap (randomized
		 * over 1 GiB) in about one run in twenty and fails with
		 * EEXIST, pte_ref on or off alike.
		 */
		if (personality(ADDR_NO_RANDOMIZE) < 0)
			printf("cannot turn off address randomization: %s\n",
			       strerror(errno));
		snprintf(prog, sizeof(prog), "/bin/mm/%s", t->argv[0]);
		execv(prog, t->argv);
		printf("cannot run %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now() > deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return TIMED_OUT;
		}
		usleep(20000);
	}
	/* A selftest's own children must not outlive it into the next run. */
	kill(-pid, SIGKILL);
	return status;
}

static const char *verdict(int st)
{
	static char buf[4][32];
	static int i;
	char *b = buf[i++ % 4];

	if (st == TIMED_OUT)
		return "timeout";
	if (WIFSIGNALED(st)) {
		snprintf(b, 32, "signal %d", WTERMSIG(st));
		return b;
	}
	if (WEXITSTATUS(st) == 0)
		return "pass";
	if (WEXITSTATUS(st) == KSFT_SKIP)
		return "skip";
	snprintf(b, 32, "fail (exit %d)", WEXITSTATUS(st));
	return b;
}

static bool failed(int st)
{
	return st == TIMED_OUT || !WIFEXITED(st) ||
	       (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != KSFT_SKIP);
}

#define MAX_FAILURES	64
#define FAILURE_LEN	160

struct failures {
	int n;
	char line[MAX_FAILURES][FAILURE_LEN];
};

static int cmp_line(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * The cases a selftest's output reports as failed: kselftest's "not ok N
 * ..." (N dropped) and khugepaged's "... Fail", which it also counts into
 * its exit status (so 4 there means four failures, not KSFT_SKIP).
 * Sorted, so two runs can be compared case by case.
 */
static void read_failures(const char *log, struct failures *f)
{
	char line[512];
	FILE *in = fopen(log, "r");

	f->n = 0;
	if (!in)
		return;
	while (fgets(line, sizeof(line), in) && f->n < MAX_FAILURES) {
		/* Progress lines redraw themselves with '\r': keep the last. */
		char *l = strrchr(line, '\r') ? strrchr(line, '\r') + 1 : line;
		char *ok = strstr(l, "not ok ");

		if (ok)
			l = ok + 7 + strspn(ok + 7, "0123456789 ");
		else if (!strstr(l, "Fail") && !strstr(l, "FAIL"))
			continue;
		l[strcspn(l, "\n")] = '\0';
		snprintf(f->line[f->n++], FAILURE_LEN, "%.*s", FAILURE_LEN - 1, l);
	}
	fclose(in);
	qsort(f->line, f->n, FAILURE_LEN, cmp_line);
}

/*
 * One run's outcome in a form the host compares with the unpatched
 * kernel's (harness/parity.py): "# mm_selftest: NAME MODE VERDICT", then
 * "# mm_selftest_case: NAME MODE CASE" for each failed case.  MODE is on,
 * off (pte_ref's switch), once (a kernel without one), or any for a
 * selftest this machine does not run (VERDICT not-run).
 */
static void record(const char *name, const char *mode, int st,
		   const struct failures *f)
{
	char token[32];

	if (st == TIMED_OUT)
		snprintf(token, sizeof(token), "timeout");
	else if (WIFSIGNALED(st))
		snprintf(token, sizeof(token), "signal-%d", WTERMSIG(st));
	else if (WEXITSTATUS(st) == 0 || (WEXITSTATUS(st) == KSFT_SKIP && !f->n))
		snprintf(token, sizeof(token), "%s", WEXITSTATUS(st) ? "skip" : "pass");
	else	/* khugepaged exits with its count of failures, 4 too */
		snprintf(token, sizeof(token), "exit-%d", WEXITSTATUS(st));
	ktap_diag("mm_selftest: %s %s %s", name, mode, token);
	for (int k = 0; k < f->n; k++)
		ktap_diag("mm_selftest_case: %s %s %s", name, mode, f->line[k]);
}

static bool same_failures(const struct failures *a, const struct failures *b)
{
	if (a->n != b->n)
		return false;
	for (int i = 0; i < a->n; i++)
		if (strcmp(a->line[i], b->line[i]))
			return false;
	return true;
}

/* The last lines of a selftest's output, as KTAP diagnostics. */
static void show_tail(const char *log, int lines)
{
	static char buf[65536];
	int fd = open(log, O_RDONLY), n = 0;
	off_t size;
	ssize_t len;
	char *p;

	if (fd < 0)
		return;
	size = lseek(fd, 0, SEEK_END);
	lseek(fd, size > (off_t)sizeof(buf) - 1 ? size - (off_t)sizeof(buf) + 1 : 0,
	      SEEK_SET);
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return;
	buf[len] = '\0';
	for (p = buf + len; p > buf; p--)
		if (p[-1] == '\n' && ++n > lines)
			break;
	ktap_diag("--- %s (last %d lines)", log, lines);
	for (char *l = strtok(p, "\n"); l; l = strtok(NULL, "\n")) {
		/* Progress lines redraw themselves with '\r': keep the last. */
		char *cr = strrchr(l, '\r');

		if (cr && cr[1])
			l = cr + 1;
		ktap_diag("  %.200s", l);
	}
}

int main(int argc, char **argv)
{
	static struct selftest t[MAX_SELFTESTS];
	const char *only = argc == 3 && !strcmp(argv[1], "--only") ? argv[2] : NULL;
	int n, planned = 0, both_pass = 0, both_skip = 0, same_fail = 0, bad = 0;
	static struct failures fail_on, fail_off;
	int was = get_free_user_pte();
	int overcommit;
	struct utsname uts;
	const char *machine = "";
	const char *why = NULL;
	bool parity = freeing_switch(was < 0 ? 1 : was);

	if (uname(&uts) == 0)
		machine = uts.machine;
	n = load(t, &why);
	if (n < 0)
		ktap_bail("%s: %s", LIST, why);
	if (!n)
		ktap_bail("%s lists no selftest", LIST);
	for (int i = 0; i < n; i++)
		planned += !only || !strcmp(only, t[i].name);
	ktap_plan(planned);
	/* gup_test and split_huge_page_test talk to debugfs. */
	mkdir("/sys/kernel/debug", 0755);
	if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) && errno != EBUSY)
		ktap_diag("cannot mount debugfs: %s", strerror(errno));
	if (!parity)
		ktap_diag("this kernel has no pte_ref switch: each selftest runs once");
	/*
	 * mremap_test and virtual_address_range map more than the guest's
	 * RAM; run_vmtests.sh's hosts have the room, heuristic overcommit
	 * here does not.
	 */
	overcommit = read_sysctl(OVERCOMMIT);
	write_sysctl(OVERCOMMIT, 1);

	for (int i = 0; i < n; i++) {
		char on_log[96], off_log[96];
		int on, off;
		double t0 = now();

		if (only && strcmp(only, t[i].name))
			continue;
		if (listed(t[i].skip_on, machine)) {
			ktap_diag("mm_selftest: %s any not-run", t[i].name);
			ktap_skip(t[i].name, "not run on this machine: see the list");
			both_skip++;
			continue;
		}
		snprintf(on_log, sizeof(on_log), "/tmp/mm-%s.on.log", t[i].name);
		snprintf(off_log, sizeof(off_log), "/tmp/mm-%s.off.log", t[i].name);
		if (parity && set_free_user_pte(1))
			ktap_bail("cannot switch pte_ref on");
		on = run(&t[i], on_log);
		if (parity) {
			if (set_free_user_pte(0))
				ktap_bail("cannot switch pte_ref off");
			off = run(&t[i], off_log);
		} else {
			off = on;
		}
		ktap_diag("%s: %.1f s", t[i].name, now() - t0);

		read_failures(on_log, &fail_on);
		read_failures(off_log, &fail_off);
		record(t[i].name, parity ? "on" : "once", on, &fail_on);
		if (parity)
			record(t[i].name, "off", off, &fail_off);
		for (int k = 0; k < fail_on.n && k < 10; k++)
			ktap_diag("  failed case: %s", fail_on.line[k]);
		if (parity && strcmp(verdict(on), verdict(off))) {
			show_tail(failed(on) ? on_log : off_log, 15);
			ktap_result(false, "%s # pte_ref on: %s, off: %s", t[i].name,
				    verdict(on), verdict(off));
			bad++;
		} else if (!failed(on) && WEXITSTATUS(on) == 0) {
			ktap_result(true, "%s%s", t[i].name,
				    parity ? " # same with pte_ref on and off: pass" : "");
			both_pass++;
		} else if (parity && !same_failures(&fail_on, &fail_off)) {
			for (int k = 0; k < fail_off.n && k < 10; k++)
				ktap_diag("  failed case with pte_ref off: %s", fail_off.line[k]);
			ktap_result(false, "%s # %d failed cases with pte_ref on, %d off, not the same",
				    t[i].name, fail_on.n, fail_off.n);
			bad++;
		} else if (fail_on.n) {
			/* The same cases fail either way: this guest cannot run them. */
			ktap_result(true, "%s # same %d failed cases with pte_ref on and off: see the list",
				    t[i].name, fail_on.n);
			same_fail++;
		} else if (failed(on)) {
			show_tail(on_log, 15);
			ktap_result(false, "%s # fails%s (%s) and names no failed case",
				    t[i].name, parity ? " with pte_ref on and off" : "",
				    verdict(on));
			bad++;
		} else {
			show_tail(on_log, 3);
			ktap_skip(t[i].name, parity ? "skipped with pte_ref on and off" :
				  "skipped");
			both_skip++;
		}
	}
	if (parity)
		set_free_user_pte(was);
	write_sysctl(OVERCOMMIT, overcommit);
	ktap_metric("selftests_pass", both_pass, "tests");
	ktap_metric("selftests_skip", both_skip, "tests");
	ktap_metric("selftests_same_failed_cases", same_fail, "tests");
	ktap_metric("selftests_differ_or_fail", bad, "tests");
	ktap_finish();
}
