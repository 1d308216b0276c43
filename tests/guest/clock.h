/* SPDX-License-Identifier: GPL-2.0 */
/* Monotonic time in seconds, for deadlines and durations of guest tests. */
#ifndef PTE_REF_CLOCK_H
#define PTE_REF_CLOCK_H

#include <time.h>

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif /* PTE_REF_CLOCK_H */
