#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the harness needs, if any are missing:
# the common build tools plus, per arch profile, its cross compiler, libc,
# QEMU and firmware.  Needs root only when something must be installed.
. "$(dirname "$0")/lib.sh"

pkgs=(make gcc libc6-dev git bc flex bison libelf-dev libssl-dev cpio
	python3 python3-ply python3-git ccache sparse linux-source-6.12 kmod
	binutils)
for a in $(resolve_arches); do
	load_profile "$a"
	pkgs+=("$XC_PKG" "$XLIBC_PKG" "$QEMU_PKG" ${FIRMWARE_PKG:+"$FIRMWARE_PKG"})
done

missing=()
for p in $(printf '%s\n' "${pkgs[@]}" | sort -u); do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	info "all Debian packages present"
	exit 0
fi
[ "$(id -u)" = 0 ] ||
	die "missing Debian packages: ${missing[*]}; as root run: apt-get install ${missing[*]}"
info "installing: ${missing[*]}"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
