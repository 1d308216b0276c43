/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest tests' options: "--NAME VALUE" pairs with positive integer
 * values.  An unknown option, a missing value or a value that is not a
 * positive number ends the test (ktap_bail()): a typo in a test list must
 * not run a test with its defaults and pass.
 */
#ifndef PTE_REF_ARGS_H
#define PTE_REF_ARGS_H

#include <stdlib.h>
#include <string.h>

#include "ktap.h"

struct opt {
	const char *name;	/* "--seconds" */
	unsigned long *val;	/* holds the default until parsed */
};

static inline void parse_opts(int argc, char **argv, const struct opt *opts,
			      int nopts)
{
	for (int a = 1; a < argc; a += 2) {
		const struct opt *o = NULL;
		char *end;

		for (int i = 0; i < nopts; i++)
			if (!strcmp(argv[a], opts[i].name))
				o = &opts[i];
		if (!o)
			ktap_bail("unknown argument %s", argv[a]);
		if (a + 1 >= argc)
			ktap_bail("%s needs a value", argv[a]);
		*o->val = strtoul(argv[a + 1], &end, 0);
		if (*end || !*o->val)
			ktap_bail("%s must be a number > 0, not '%s'", argv[a], argv[a + 1]);
	}
}

#endif /* PTE_REF_ARGS_H */
