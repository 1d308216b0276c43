/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pte_ref.debug_delay_us for a test that widens its race window beyond
 * the boot's setting (debug guests boot with 20): raise it for the run,
 * then put the boot's value back, so that the tests after it keep theirs.
 */
#ifndef PTE_REF_DEBUG_DELAY_H
#define PTE_REF_DEBUG_DELAY_H

#include <stdio.h>

#include "kstat.h"

#define DEBUG_DELAY_PARAM	"/sys/module/pte_ref/parameters/debug_delay_us"

/*
 * Set the delay to @us; the value it had, or -1 where there is no such
 * knob (not a CONFIG_DEBUG_FREE_USER_PTE kernel) and nothing was set.
 */
static inline long debug_delay_raise(unsigned long us)
{
	FILE *f = fopen(DEBUG_DELAY_PARAM, "r");
	long was = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &was) != 1)
		was = -1;
	fclose(f);
	if (was < 0 || write_int(DEBUG_DELAY_PARAM, us))
		return -1;
	return was;
}

static inline void debug_delay_restore(long was)
{
	if (was >= 0)
		write_int(DEBUG_DELAY_PARAM, was);
}

#endif /* PTE_REF_DEBUG_DELAY_H */
