// SPDX-License-Identifier: GPL-2.0
/*
 * /init of pte_ref's test guests.
 *
 * Mounts proc, sysfs and devtmpfs, runs every test listed in /<suite>.list
 * ("name [timeout=SECONDS] [flavour=FLAVOUR] program [args...]", programs
 * in /bin) with a per-test timeout (test_timeout unless the line gives its
 * own), skipping a test meant for another flavour,
 * nests each test's own KTAP output under a top-level plan on the console,
 * then reboots: QEMU runs with -no-reboot, so that ends the run.
 *
 * Kernel command-line words the kernel does not know reach us as
 * environment variables: suite=tests|bench, flavour=fast|debug,
 * test_timeout=SECONDS, cpus=N (QEMU's -smp: the guest must have them all,
 * or tests of concurrency would quietly run on one CPU), skip=NAME,... (tests
 * left out of this run, e.g. by `make mutants`; each says so as a SKIP),
 * only=NAME,... (every other test left out, each saying so as a SKIP:
 * a mutant's quick run boots with only the tests its spec says catch it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "list.h"

#define MAX_TESTS	64
#define KSFT_SKIP	4

struct test {
	char *name;
	int timeout;		/* seconds; 0: the suite's test_timeout */
	char *flavour;		/* run only in this kernel flavour; NULL: all */
	char **argv;		/* the program and its arguments */
};

static void setup(void)
{
	int fd;

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) && errno != EBUSY)
		perror("init: mount devtmpfs");
	fd = open("/dev/console", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* CPUs this process may run on: all the online ones, for /init. */
static int cpus_online(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	return CPU_COUNT(&set);
}

/*
 * Read /<suite>.list: "name [timeout=SECONDS] [flavour=FLAVOUR] program
 * [args...]".  Returns the number of tests, or -1 with @why set.
 */
static int load(const char *suite, struct test *t, const char **why)
{
	static struct list_entry e[MAX_TESTS];
	static char buf[16384];
	char path[64], *v;
	int n;

	snprintf(path, sizeof(path), "/%s.list", suite);
	n = list_load(path, buf, sizeof(buf), e, MAX_TESTS, why);
	for (int i = 0; i < n; i++) {
		char **w = e[i].word + 1;

		t[i].name = e[i].word[0];
		t[i].timeout = 0;
		t[i].flavour = NULL;
		for (; *w; w++) {
			/* "name timeout=SECONDS program ...": a longer test. */
			if ((v = list_option(*w, "timeout")))
				t[i].timeout = atoi(v);
			/* "name flavour=fast program ...": one flavour only. */
			else if ((v = list_option(*w, "flavour")))
				t[i].flavour = v;
			else
				break;
		}
		if (!*w) {
			*why = "a line names no program";
			return -1;
		}
		t[i].argv = w;
	}
	return n;
}

/* Copy the child's output to the console, two spaces in (a KTAP subtest). */
static void relay(char *buf, ssize_t len, int *at_bol)
{
	for (ssize_t i = 0; i < len; i++) {
		if (*at_bol)
			fputs("  ", stdout);
		putchar(buf[i]);
		*at_bol = buf[i] == '\n';
	}
	fflush(stdout);
}

/* Returns the wait status, or -1 if the test ran out of time. */
static int run(struct test *t, int timeout)
{
	double deadline = now() + timeout;
	int pfd[2], at_bol = 1, status;
	char buf[4096], prog[128];
	pid_t pid;

	if (pipe(pfd))
		return 1 << 8;
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		chdir("/tmp");
		snprintf(prog, sizeof(prog), "/bin/%s", t->argv[0]);
		execv(prog, t->argv);
		printf("Bail out! cannot run %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int left = (int)((deadline - now()) * 1000);
		ssize_t len;

		if (left <= 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			close(pfd[0]);
			if (!at_bol)
				putchar('\n');
			return -1;
		}
		if (poll(&p, 1, left) <= 0)
			continue;
		len = read(pfd[0], buf, sizeof(buf));
		if (len <= 0)
			break;
		relay(buf, len, &at_bol);
	}
	close(pfd[0]);
	if (!at_bol)
		putchar('\n');
	/* The output pipe is closed; the test itself must still end in time. */
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now() > deadline) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		usleep(10000);
	}
	return status;
}

/* Every name in @only (comma-separated) is a test of the suite. */
static bool only_names_tests(const char *only, const struct test *t, int n)
{
	char name[64];

	for (const char *p = only; p && *p; p += strcspn(p, ",") + !!p[strcspn(p, ",")]) {
		bool found = false;

		snprintf(name, sizeof(name), "%.*s", (int)strcspn(p, ","), p);
		for (int i = 0; i < n && !found; i++)
			found = !strcmp(t[i].name, name);
		if (!found)
			return false;
	}
	return true;
}

int main(void)
{
	static struct test tests[MAX_TESTS];
	const char *suite = getenv("suite") ? getenv("suite") : "tests";
	int timeout = getenv("test_timeout") ? atoi(getenv("test_timeout")) : 300;
	const char *flavour = getenv("flavour");
	const char *cpus_wanted = getenv("cpus");
	int cpus = cpus_online();
	int n, pass = 0, fail = 0, skip = 0;
	const char *why = NULL;

	setup();
	n = load(suite, tests, &why);
	printf("KTAP version 1\n");
	if (n < 0) {
		printf("1..0\nBail out! /%s.list: %s\n", suite, why);
		goto out;
	}
	printf("# pte_ref guest: suite %s, %d tests, %d s timeout each\n",
	       suite, n, timeout);
	if (cpus_wanted && cpus != atoi(cpus_wanted)) {
		printf("1..0\nBail out! %d CPUs online, %s started (-smp): the kernel did not bring them all up\n",
		       cpus, cpus_wanted);
		goto out;
	}
	if ((getenv("only") && !*getenv("only")) ||
	    !only_names_tests(getenv("only"), tests, n)) {
		printf("1..0\nBail out! only=%s names a test that /%s.list does not have\n",
		       getenv("only"), suite);
		goto out;
	}
	printf("1..%d\n", n);
	for (int i = 0; i < n; i++) {
		double t0 = now();

		if (listed(getenv("skip"), tests[i].name)) {
			printf("ok %d %s # SKIP left out by skip= on the command line\n",
			       i + 1, tests[i].name);
			skip++;
			continue;
		}
		if (getenv("only") && !listed(getenv("only"), tests[i].name)) {
			printf("ok %d %s # SKIP left out by only= on the command line\n",
			       i + 1, tests[i].name);
			skip++;
			continue;
		}
		if (tests[i].flavour && flavour && strcmp(tests[i].flavour, flavour)) {
			printf("ok %d %s # SKIP %s flavour only\n", i + 1,
			       tests[i].name, tests[i].flavour);
			skip++;
			continue;
		}
		int limit = tests[i].timeout ? tests[i].timeout : timeout;
		int st = run(&tests[i], limit);

		printf("# %s: %.1f s\n", tests[i].name, now() - t0);
		if (st == -1) {
			printf("not ok %d %s # TIMEOUT after %d s\n", i + 1,
			       tests[i].name, limit);
			fail++;
		} else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			printf("ok %d %s\n", i + 1, tests[i].name);
			pass++;
		} else if (WIFEXITED(st) && WEXITSTATUS(st) == KSFT_SKIP) {
			printf("ok %d %s # SKIP\n", i + 1, tests[i].name);
			skip++;
		} else {
			printf("not ok %d %s # %s %d\n", i + 1, tests[i].name,
			       WIFSIGNALED(st) ? "killed by signal" : "exit status",
			       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
			fail++;
		}
	}
	printf("# pte_ref guest: %d passed, %d failed, %d skipped\n",
	       pass, fail, skip);
out:
	fflush(stdout);
	sync();
	reboot(RB_AUTOBOOT);
	return 0;
}
