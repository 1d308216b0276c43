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

# Arches built and booted at once (harness/run.sh); the benchmarks, soak
# and fuzzing measure work done per boot, so they run one at a time.
PARALLEL ?= 2

export ARCH FLAVOUR O CACHE TOP KDIR JOBS EXTRA_TESTS EXTRA_CONFIG SMP MEM \
	BOOT_TIMEOUT TEST_TIMEOUT BOOT_ARGS QEMU_EXTRA VERBOSE CCACHE KMAKE_ARGS \
	CROSS_COMPILE VARIANT SUITE PARALLEL

H := $(TOP)/harness

.PHONY: all deps tree patches apply build boot test baseline bench soak fuzz mutants mutants-ci \
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
# tests, then every arch: the fast flavour with pte_ref and with it
# compiled out (CONFIG_FREE_USER_PTE=n), the kernel's mm selftests of both
# against unpatched 6.12 (parity), the debug flavour, and the quick
# mutant run (MUTANTS_CI).
test: deps patches
	$(H)/check.sh
	$(H)/selftest.sh
	FLAVOUR=fast $(H)/run.sh
	FLAVOUR=fast VARIANT=pte_ref-n $(H)/run.sh
	$(H)/parity.sh compare
	FLAVOUR=debug $(H)/run.sh
	$(MAKE) mutants-ci

# The mm selftests of the fast pte_ref and pte_ref-n runs against the
# unpatched kernel's (tests/mm-selftests/base/, or a base boot if stale);
# parity-base boots the unpatched kernels and rewrites those records.
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

# What `make test` runs of them: the mutants below on x86_64, each booted
# with only the tests its spec says catch it (QUICK=1).
MUTANTS_CI ?= keep-no-pfnmap sweep-any-vmas mfill-no-retry
MUTANTS_CI_ARCH ?= x86_64
mutants-ci: patches
	QUICK=1 ARCH=$(MUTANTS_CI_ARCH) MUTANTS="$(MUTANTS_CI)" FLAVOUR_GIVEN= $(H)/mutants.sh

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
