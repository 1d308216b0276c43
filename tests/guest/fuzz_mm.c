// SPDX-License-Identifier: GPL-2.0
/*
 * Debian's trinity fuzzing the system calls that make, walk, move and
 * drop page tables, as an unprivileged user, with freeing on.
 *
 * harness/guest-tools.sh packs /bin/trinity where the arch profile lists
 * it (GUEST_TOOLS); elsewhere the test skips, saying why (guest_tools.h).
 * The seed is printed first, so a run that finds something can be
 * replayed (fuzz_mm --seed N).  What fails: a
 * splat in the console (the harness's judge; trinity also stops when the
 * kernel is tainted), trinity dying of anything but our stop signal, or
 * trinity not getting through its system calls at all.
 *
 * usage: fuzz_mm [--seconds 30] [--seed N] [--children 4]
 * A fuzz_seconds=N word on the kernel command line (`make fuzz`)
 * overrides --seconds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "guest_tools.h"
#include "ktap.h"
#include "kstat.h"
#include "variant.h"

#define TRINITY		"/bin/trinity"
#define LOG		"/tmp/trinity.log"
#define NOBODY		65534
#define TAIL_LINES	12

/* What the mm calls are: trinity names, one -c each. */
static const char *const syscalls[] = {
	"mmap", "munmap", "mremap", "mprotect", "madvise", "process_madvise",
	"mlock", "mlock2", "munlock", "mlockall", "munlockall", "msync",
	"mincore", "brk", "remap_file_pages", "process_vm_readv",
	"process_vm_writev", "userfaultfd", "mbind", "set_mempolicy",
	"migrate_pages", "move_pages", "pkey_mprotect", "memfd_create",
};
#define NR_SYSCALLS	(sizeof(syscalls) / sizeof(syscalls[0]))

/* The child: drop to nobody in /tmp, run trinity with its output in LOG. */
static void __attribute__((noreturn)) run_trinity(unsigned long seed, int children)
{
	char *argv[2 * NR_SYSCALLS + 16];
	struct utsname uts;
	char seed_arg[32], children_arg[16];
	int n = 0, fd = open(LOG, O_WRONLY | O_CREAT | O_TRUNC, 0666);

	/* A group of its own: trinity's children and watchdog go with it. */
	if (fd < 0 || setpgid(0, 0) || fchown(fd, NOBODY, NOBODY) || dup2(fd, 1) < 0 ||
	    dup2(fd, 2) < 0 || chdir("/tmp") || setgid(NOBODY) || setuid(NOBODY))
		_exit(126);
	snprintf(seed_arg, sizeof(seed_arg), "-s%lu", seed);
	snprintf(children_arg, sizeof(children_arg), "-C%d", children);
	argv[n++] = "trinity";
	argv[n++] = "-q";
	argv[n++] = "-l";
	argv[n++] = "off";
	/*
	 * Files and memfds to map are what the mm calls want from its fd
	 * pool; setting up the rest (sockets of every family, perf, ...)
	 * took all of a 30 s run in a debug guest.
	 */
	argv[n++] = "--disable-fds=sockets,pipes,perf,epoll,eventfd,pseudo,timerfd,drm";
	/* 64-bit calls only: the kernels here have no 32-bit emulation. */
	if (!uname(&uts) && !strcmp(uts.machine, "x86_64"))
		argv[n++] = "-a64";
	argv[n++] = seed_arg;
	argv[n++] = children_arg;
	for (unsigned int i = 0; i < NR_SYSCALLS; i++) {
		argv[n++] = "-c";
		argv[n++] = (char *)syscalls[i];
	}
	argv[n] = NULL;
	execv(TRINITY, argv);
	_exit(127);
}

int main(int argc, char **argv)
{
	unsigned long seed = 0;
	int seconds = 30, children = 4, status = 0;
	long long freed0, freed1, ran = -1;
	bool stopped = false, killed = false;
	char tail[TAIL_LINES][160];
	int lines = 0;
	char line[512];
	double end;
	FILE *log;
	pid_t pid;

	for (int a = 1; a < argc; a += 2) {
		if (a + 1 >= argc)
			ktap_bail("%s needs a value", argv[a]);
		if (!strcmp(argv[a], "--seconds"))
			seconds = atoi(argv[a + 1]);
		else if (!strcmp(argv[a], "--seed"))
			seed = strtoul(argv[a + 1], NULL, 0);
		else if (!strcmp(argv[a], "--children"))
			children = atoi(argv[a + 1]);
		else
			ktap_bail("unknown argument %s", argv[a]);
	}
	/* The guest's clock starts near 0: the seed comes from the kernel. */
	while (!seed && getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		;
	seed &= 0xffffffff;
	if (getenv("fuzz_seconds"))
		seconds = atoi(getenv("fuzz_seconds"));
	if (seconds <= 0 || children <= 0)
		ktap_bail("need --seconds > 0 and --children > 0");
	need_tool(TRINITY);

	ktap_plan(2);
	freeing_on();
	ktap_diag("trinity seed %lu, %d children, %d s (replay: fuzz_mm --seed %lu)",
		  seed, children, seconds, seed);
	ktap_metric("seed", (long long)seed, "");
	freed0 = pte_tables_freed();
	pid = fork();
	if (pid < 0)
		ktap_bail("fork failed");
	if (pid == 0)
		run_trinity(seed, children);
	end = now() + seconds;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now() >= end && !stopped) {
			/* trinity stops its children and prints its totals. */
			kill(-pid, SIGINT);
			stopped = true;
			end = now() + 30;
		} else if (now() >= end) {
			ktap_diag("trinity still running 30 s after SIGINT: killed");
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			killed = true;
			break;
		}
		usleep(100 * 1000);
	}
	freed1 = pte_tables_freed();

	/*
	 * How far it got: its progress lines ("N iterations") as it goes, its
	 * total ("Ran N syscalls") when it stops.  The end of its log is shown.
	 */
	log = fopen(LOG, "r");
	while (log && fgets(line, sizeof(line), log)) {
		char *p;
		long long n;

		if ((p = strstr(line, "Ran ")) && sscanf(p, "Ran %lld syscalls", &n) == 1)
			ran = n > ran ? n : ran;
		else if ((p = strstr(line, "] ")) && sscanf(p, "] %lld iterations", &n) == 1)
			ran = n > ran ? n : ran;
		snprintf(tail[lines++ % TAIL_LINES], sizeof(tail[0]), "%s", strtok(line, "\n") ?: "");
	}
	if (log)
		fclose(log);
	for (int i = lines > TAIL_LINES ? lines - TAIL_LINES : 0; i < lines; i++)
		ktap_diag("trinity: %s", tail[i % TAIL_LINES]);
	ktap_metric("syscalls", ran, "calls");
	if (freed0 >= 0)
		ktap_metric("tables_freed", freed1 - freed0, "tables");
	ktap_result(!killed && WIFEXITED(status) && (WEXITSTATUS(status) == 0 || stopped),
		    "trinity_ran_to_the_end # status %#x", status);
	ktap_result(ran > 0, "trinity_made_system_calls");
	ktap_finish();
}
