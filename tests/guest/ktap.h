/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal KTAP v1 emitter for pte_ref's guest tests
 * (Documentation/dev-tools/ktap.rst).  Each test program is one KTAP
 * document; the guest's /init nests it under its own plan.
 *
 * Figures go out as diagnostics of the form "# metric: NAME=VALUE UNIT",
 * which the host harness collects into its results file.
 */
#ifndef PTE_REF_KTAP_H
#define PTE_REF_KTAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static int ktap_planned, ktap_run, ktap_failed;

static inline void ktap_plan(int n)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	ktap_planned = n;
	printf("KTAP version 1\n1..%d\n", n);
}

static inline void ktap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	fputs("\n", stdout);
	va_end(ap);
	fflush(stdout);
}

static inline void ktap_metric(const char *name, long long value,
			       const char *unit)
{
	printf("# metric: %s=%lld %s\n", name, value, unit);
	fflush(stdout);
}

/* Report one result; returns @pass so callers can chain on it. */
static inline bool ktap_result(bool pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("%s %d ", pass ? "ok" : "not ok", ++ktap_run);
	vprintf(fmt, ap);
	fputs("\n", stdout);
	va_end(ap);
	fflush(stdout);
	if (!pass)
		ktap_failed++;
	return pass;
}

static inline void ktap_skip(const char *name, const char *why)
{
	printf("ok %d %s # SKIP %s\n", ++ktap_run, name, why);
	fflush(stdout);
}

/* Exit status: 0 all passed, 1 a failure or a short plan. */
static inline void __attribute__((noreturn)) ktap_finish(void)
{
	if (ktap_run != ktap_planned) {
		ktap_diag("planned %d tests, ran %d", ktap_planned, ktap_run);
		exit(1);
	}
	exit(ktap_failed ? 1 : 0);
}

/* Stop the whole test program on a failure that makes the rest moot. */
static inline void __attribute__((noreturn)) ktap_bail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("Bail out! ", stdout);
	vprintf(fmt, ap);
	fputs("\n", stdout);
	va_end(ap);
	exit(1);
}

#endif /* PTE_REF_KTAP_H */
