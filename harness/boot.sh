#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot one kernel with its initramfs under QEMU (TCG) and keep the serial
# log.  The guest's /init reboots when its tests are done and QEMU runs
# with -no-reboot, so a finished guest ends QEMU by itself; one that does
# not finish is killed at BOOT_TIMEOUT.
#
# usage: boot.sh ARCH_DIR KERNEL_IMAGE INITRAMFS LOG
# env:   SMP (2), MEM (2G), BOOT_TIMEOUT (s), TEST_TIMEOUT (s),
#        SUITE (tests|bench), BOOT_ARGS (extra kernel arguments),
#        QEMU_EXTRA (extra QEMU arguments), VERBOSE=1 (echo the console);
#        with SUITE=bench the profile's BENCH_QEMU_ARGS come first
. "$(dirname "$0")/lib.sh"

load_profile "$1"
kernel=$2 initrd=$3 log=$4
need_cmd "$QEMU" "$QEMU_PKG"
[ -z "${FIRMWARE_PKG:-}" ] || dpkg -s "$FIRMWARE_PKG" >/dev/null 2>&1 ||
	die "$NAME guests need firmware from the Debian package '$FIRMWARE_PKG'"

if [ "$FLAVOUR" = debug ]; then
	mem=${MEM:-2G} timeout=${BOOT_TIMEOUT:-1500} ttimeout=${TEST_TIMEOUT:-1200}
else
	# 2 GiB: khugepaged's selftest collapses 512 THPs (1 GiB) at once.
	mem=${MEM:-2G} timeout=${BOOT_TIMEOUT:-1200} ttimeout=${TEST_TIMEOUT:-300}
fi
# Debug kernels of pte_ref widen its race windows (CONFIG_DEBUG_FREE_USER_PTE):
# a random spin of up to DEBUG_DELAY_US where a pmd was read and not yet
# locked or pinned.
delay=
if [ "$FLAVOUR" = debug ] && [ "${VARIANT:-pte_ref}" = pte_ref ]; then
	delay="pte_ref.debug_delay_us=${DEBUG_DELAY_US:-20}"
fi
cmdline="console=$CONSOLE ${KERNEL_ARGS:-} $delay panic=-1 rdinit=/init suite=${SUITE:-tests} flavour=$FLAVOUR variant=${VARIANT:-pte_ref} test_timeout=$ttimeout cpus=${SMP:-2} ${BOOT_ARGS:-}"

mkdir -p "$(dirname "$log")"
# shellcheck disable=SC2086 # QEMU_ARGS/QEMU_EXTRA are word lists by design.
set -- "$QEMU" $QEMU_ARGS -smp "${SMP:-2}" -m "$mem" -nodefaults \
	-display none -no-reboot -serial stdio -monitor none \
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
	$([ "${SUITE:-tests}" != bench ] || echo "${BENCH_QEMU_ARGS:-}") ${QEMU_EXTRA:-}
echo "# $*" > "$log"
info "booting $NAME (timeout ${timeout}s, log $log)"
start=$(date +%s)
rc=0
if [ "${VERBOSE:-0}" = 1 ]; then
	timeout -k 10 "$timeout" "$@" < /dev/null 2>&1 | tee -a "$log" || rc=${PIPESTATUS[0]}
else
	timeout -k 10 "$timeout" "$@" < /dev/null >> "$log" 2>&1 || rc=$?
fi
echo "$(( $(date +%s) - start ))" > "$log.seconds"
case $rc in
0) ;;
124|137) die "$NAME guest did not finish within ${timeout}s and was killed; log: $log" ;;
*) die "$QEMU exited with status $rc; log: $log" ;;
esac
