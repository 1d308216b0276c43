# SPDX-License-Identifier: GPL-2.0
# pte_ref: build, boot and check the pte_ref series on Linux 6.12.
# `make help` lists every target and variable.

ARCH ?= all
FLAVOUR ?= fast
O ?= $(CURDIR)/out
CACHE ?= $(HOME)/.cache/pte_ref
override O := $(abspath $(O))
override CACHE := $(abspath $(CACHE))
TOP := $(CURDIR)

# Arches built and booted at once (harness/run.sh).  1: each guest needs
# its vCPUs on host cores of their own (two guests on this 2-core machine
# slow the kernel's uffd selftests 20-60 times, unpatched 6.12 too).
PARALLEL ?= 1

export ARCH FLAVOUR O CACHE TOP KDIR JOBS EXTRA_TESTS EXTRA_CONFIG SMP MEM \
	BOOT_TIMEOUT TEST_TIMEOUT BOOT_ARGS QEMU_EXTRA VERBOSE CCACHE KMAKE_ARGS \
	CROSS_COMPILE VARIANT SUITE PARALLEL

H := $(TOP)/harness

.PHONY: all deps tree patches apply build boot test test-more baseline bench soak fuzz mutants mutants-ci mutants-quick \
	parity parity-base selftest check-iface check check-series \
	clean distclean help

# The main job: packages, tree, series, then build, boot and test each arch.
all: deps
	$(H)/run.sh

deps:
	$(H)/deps.sh

tree:
	$(H)/tree.sh

patches: tree
	$(H)/series.sh

apply: patches
	@[ "$(ARCH)" != all ] || { echo "make apply: say which ARCH= (x86_64, arm64, riscv64)" >&2; exit 1; }
	$(H)/apply.sh "$$(. $(H)/lib.sh; arch_dir $(ARCH))" $(KDIR)

build:
	NO_BOOT=1 $(H)/run.sh

boot:
	$(H)/run.sh

# The test command CI runs: static checks, the harness's own failure
# tests, then every arch: the fast flavour, its mm selftests (freeing on
# and off) against unpatched 6.12's (parity), two mutants that its tests
# must catch (mutants-ci), then the debug flavour.
# What does not fit CI's 60 minutes on this 2-core machine is in
# test-more.
test: deps patches
	$(H)/check.sh
	$(H)/selftest.sh
	FLAVOUR=fast $(H)/run.sh
	$(H)/parity.sh compare
	$(MAKE) mutants-ci
	FLAVOUR=debug $(H)/run.sh

# The rest of the suite (about 25 minutes here): every arch's fast kernel
# with CONFIG_FREE_USER_PTE=n, its mm selftests against unpatched 6.12's
# too, and the quick mutant run.
test-more: deps patches
	FLAVOUR=fast VARIANT=pte_ref-n $(H)/run.sh
	PARITY_VARIANTS="pte_ref pte_ref-n" $(H)/parity.sh compare
	$(MAKE) mutants-quick

# The mm selftests of the last fast runs (PARITY_VARIANTS: pte_ref, and
# pte_ref-n) against the unpatched kernel's (tests/mm-selftests/base/, or
# a base boot if stale); parity-base boots the unpatched kernels and
# rewrites those records.
parity:
	$(H)/parity.sh compare

parity-base: deps patches
	$(H)/parity.sh record

baseline: deps
	VARIANT=base $(H)/run.sh

# The stress test for 10 minutes per arch under the debug kernel, 4 CPUs.
soak: deps
	PARALLEL=1 SUITE=soak FLAVOUR=debug SMP=$(or $(SMP),4) BOOT_TIMEOUT=$(or $(BOOT_TIMEOUT),3000) \
		TEST_TIMEOUT=$(or $(TEST_TIMEOUT),1500) $(H)/run.sh

# trinity on the mm system calls, FUZZ_SECONDS (600) per arch, in the
# debug flavour; its seed is in the log and the results file.
FUZZ_SECONDS ?= 600
fuzz: deps
	PARALLEL=1 SUITE=fuzz FLAVOUR=debug BOOT_ARGS="$(BOOT_ARGS) fuzz_seconds=$(FUZZ_SECONDS)" \
		TEST_TIMEOUT=$$(($(FUZZ_SECONDS) + 300)) BOOT_TIMEOUT=$$(($(FUZZ_SECONDS) + 1500)) \
		$(H)/run.sh

# Each mutant in the flavour its spec names, unless FLAVOUR= is given.
mutants: patches
	FLAVOUR_GIVEN="$(filter-out default file undefined,$(origin FLAVOUR))" $(H)/mutants.sh

# The mutants below on x86_64, each in its spec's flavour and booted with
# only the tests its spec says catch it (QUICK=1): mutants-ci is what
# `make test` runs (about 3 minutes once its build dir is warm),
# mutants-quick what `make test-more` runs.
MUTANTS_CI ?= keep-no-pfnmap sweep-any-vmas
MUTANTS_QUICK ?= keep-no-uffd-wp keep-no-pfnmap sweep-any-vmas mfill-no-retry
MUTANTS_QUICK_ARCH ?= x86_64
mutants-ci: patches
	QUICK=1 ARCH=$(MUTANTS_QUICK_ARCH) MUTANTS="$(MUTANTS_CI)" FLAVOUR_GIVEN= $(H)/mutants.sh
mutants-quick: patches
	QUICK=1 ARCH=$(MUTANTS_QUICK_ARCH) MUTANTS="$(MUTANTS_QUICK)" FLAVOUR_GIVEN= $(H)/mutants.sh

# Benchmarks: the unpatched and the patched kernel of the same config,
# each in one boot, then their ratios.  Each arch profile's
# BENCH_QEMU_ARGS (-icount where it works) makes guest time count
# instructions: TCG wall-clock figures differ by +-30% between boots.
bench: deps
	PARALLEL=1 SUITE=bench VARIANT=base $(H)/run.sh
	PARALLEL=1 SUITE=bench VARIANT=pte_ref $(H)/run.sh
	$(H)/compare.py $(O)/results $(FLAVOUR) bench pte_ref base

selftest:
	$(H)/selftest.sh

check-iface:
	$(H)/check-iface.sh

# Static checks against the unpatched tree: sparse, W=1, checkpatch, iface.
check: patches
	$(H)/check.sh

# Bisectability: build after every patch of every series.
check-series: patches
	$(H)/check-series.sh

clean:
	rm -rf $(O)

distclean: clean
	rm -rf $(CACHE)

help:
	@cat $(H)/help.txt
