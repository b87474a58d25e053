#!/usr/bin/env bash
# setup.sh: everything bt86's tests and guests need on a fresh Debian
# machine: the Debian tools (nasm assembles the in-guest test programs,
# cpio checks our initramfs writer, gdb drives the gdb stub's end-to-end
# tests; syslinux, syslinux-common, mtools and dosfstools build the
# bootable disk image of scripts/mkdisk.sh; isolinux and xorriso the CD
# image of scripts/mkiso.sh; QEMU is the benchmark's baseline), then the
# guest kernel, busybox,
# SeaBIOS and memtest86+ from Debian's archive (scripts/fetch-guests.sh).
# Idempotent; run as root or with sudo available.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SUDO=
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
need=()
for pkg in nasm cpio gdb syslinux syslinux-common mtools dosfstools isolinux xorriso; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup.sh: installing ${need[*]}"
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
# QEMU for the benchmark harness (go run ./bench): optional, the harness
# reports a runner it cannot find as unavailable.
if ! command -v qemu-system-i386 >/dev/null 2>&1; then
  echo "setup.sh: installing qemu-system-x86 (benchmark baseline)"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends qemu-system-x86 ||
    echo "setup.sh: qemu-system-x86 not installed; go run ./bench will report QEMU unavailable"
fi
(cd "$ROOT" && go mod download)
bash "$ROOT/scripts/fetch-guests.sh"
