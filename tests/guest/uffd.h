/* SPDX-License-Identifier: GPL-2.0 */
/*
 * userfaultfd for the guest tests: open one, register a range for missing
 * faults, unregister it.
 */
#ifndef PTE_REF_UFFD_H
#define PTE_REF_UFFD_H

#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A non-blocking userfaultfd with the basic API, or -1 (no userfaultfd). */
static inline int uffd_open(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd >= 0 && ioctl(fd, UFFDIO_API, &api)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static inline int uffd_register(int fd, void *start, size_t len)
{
	struct uffdio_register reg = {
		.range = { .start = (unsigned long)start, .len = len },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};

	return ioctl(fd, UFFDIO_REGISTER, &reg);
}

static inline int uffd_unregister(int fd, void *start, size_t len)
{
	struct uffdio_range range = { .start = (unsigned long)start, .len = len };

	return ioctl(fd, UFFDIO_UNREGISTER, &range);
}

#endif
