/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which kernel the guest runs, and switching freeing on for a test that
 * checks it.
 *
 * The harness boots each kernel with variant= on its command line:
 * pte_ref (the series, CONFIG_FREE_USER_PTE=y), pte_ref-n (the series,
 * =n) or base (unpatched 6.12); /init passes it on in the environment.
 * A freeing check may only be skipped where the variant says there is no
 * freeing: on a pte_ref kernel, a switch that cannot be written fails the
 * test, and so does a switch that exists where it must not.
 */
#ifndef PTE_REF_VARIANT_H
#define PTE_REF_VARIANT_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ktap.h"
#include "kstat.h"

/* "pte_ref", "pte_ref-n", "base", or NULL when run by hand. */
static inline const char *variant(void)
{
	return getenv("variant");
}

static inline bool variant_is(const char *want)
{
	return variant() && !strcmp(variant(), want);
}

/* Why a freeing check is skipped on this kernel. */
static inline const char *no_freeing(void)
{
	if (variant_is("pte_ref-n"))
		return "variant pte_ref-n: built with CONFIG_FREE_USER_PTE=n";
	if (variant_is("base"))
		return "variant base: unpatched 6.12";
	return "no variant= given and no vm.free_user_pte";
}

/*
 * Set vm.free_user_pte to @on.  True if it was set; false on a kernel
 * meant to have no pte_ref (its freeing checks skip, saying no_freeing()).
 * Ends the test as a failure where the variant and the kernel disagree.
 */
static inline bool freeing_switch(int on)
{
	bool set = set_free_user_pte(on) == 0;

	if (!set && variant_is("pte_ref"))
		ktap_bail("variant pte_ref, but %s cannot be set to %d",
			  FREE_USER_PTE_SYSCTL, on);
	if (set && variant() && !variant_is("pte_ref"))
		ktap_bail("variant %s, but this kernel has %s", variant(),
			  FREE_USER_PTE_SYSCTL);
	return set;
}

static inline bool freeing_on(void)
{
	return freeing_switch(1);
}

#endif /* PTE_REF_VARIANT_H */
