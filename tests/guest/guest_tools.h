/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Debian's programs a guest may carry (harness/guest-tools.sh packs what
 * the arch profile's GUEST_TOOLS lists).  A guest without them has
 * /guest-tools.why, and a test that needs one skips saying that; a guest
 * whose profile lists a tool never lacks it (the harness fails first).
 */
#ifndef PTE_REF_GUEST_TOOLS_H
#define PTE_REF_GUEST_TOOLS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Return if @path can be run; else the whole test is one KTAP skip. */
static inline void need_tool(const char *path)
{
	char why[256];
	FILE *f;

	if (!access(path, X_OK))
		return;
	snprintf(why, sizeof(why), "no %s in this guest", path);
	f = fopen("/guest-tools.why", "r");
	if (f) {
		if (fgets(why, sizeof(why), f))
			why[strcspn(why, "\n")] = 0;
		fclose(f);
	}
	printf("KTAP version 1\n1..0 # SKIP %s\n", why);
	exit(4);
}

#endif /* PTE_REF_GUEST_TOOLS_H */
