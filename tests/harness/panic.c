// SPDX-License-Identifier: GPL-2.0
/*
 * A guest "test" that crashes the kernel on purpose (sysrq 'c'), for the
 * harness's own test: a panicking guest must make the run fail.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY);

	if (fd < 0 || write(fd, "c", 1) != 1)
		perror("panic: /proc/sysrq-trigger");
	return 1;
}
