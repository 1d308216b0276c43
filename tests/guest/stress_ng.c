// SPDX-License-Identifier: GPL-2.0
/*
 * Debian's stress-ng with its virtual-memory stressors, as a KTAP test.
 *
 * harness/guest-tools.sh packs /bin/stress-ng (dynamically linked, with
 * its libraries, from Debian's archive for the guest's architecture) where
 * the arch profile lists it; elsewhere this test skips, saying why.
 * stress-ng's own output goes to /tmp/stress-ng.log and only its summary
 * to the console: its "fail" and "warn" lines are not the kernel's, and
 * the kernel's own splats are what the harness looks for.
 *
 * usage: stress_ng SECONDS
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_tools.h"
#include "kstat.h"
#include "ktap.h"

#define STRESS_NG	"/bin/stress-ng"
#define LOG		"/tmp/stress-ng.log"

int main(int argc, char **argv)
{
	const char *seconds = argc > 1 ? argv[1] : "60";
	char timeout[32], line[256];
	long long freed_before, freed_after;
	int status, fd;
	FILE *log;
	pid_t pid;

	need_tool(STRESS_NG);
	ktap_plan(1);
	snprintf(timeout, sizeof(timeout), "%ss", seconds);
	freed_before = vmstat("pte_ref_freed");
	pid = fork();
	if (pid == 0) {
		fd = open(LOG, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		/*
		 * Two of each stressor that makes, walks, moves or drops page
		 * tables; --verify checks the data the vm stressor wrote.
		 */
		execl(STRESS_NG, "stress-ng", "--vm", "2", "--vm-bytes", "64M",
		      "--mmap", "2", "--mmap-bytes", "64M", "--madvise", "2",
		      "--mremap", "2", "--pagemove", "1", "--fork", "2",
		      "--verify", "--timeout", timeout, "--metrics-brief",
		      (char *)NULL);
		printf("cannot run %s: %s\n", STRESS_NG, strerror(errno));
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		ktap_bail("cannot run stress-ng");
	freed_after = vmstat("pte_ref_freed");

	log = fopen(LOG, "r");
	while (log && fgets(line, sizeof(line), log)) {
		/* The summary: what ran, what passed, and anything that failed. */
		if (strstr(line, "metrc:") || strstr(line, "passed:") ||
		    strstr(line, "failed:") || strstr(line, "successful run") ||
		    strstr(line, "unsuccessful"))
			ktap_diag("%s", strtok(line, "\n"));
	}
	if (log)
		fclose(log);
	ktap_result(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "stress_ng_vm_stressors # exit status %d",
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	/*
	 * Only a figure: stress-ng's stressors mostly unmap what they map, so
	 * in 60 s of a debug kernel they may empty no table by MADV_DONTNEED.
	 */
	if (freed_before >= 0)
		ktap_metric("pte_tables_freed", freed_after - freed_before, "tables");
	ktap_finish();
}
