#!/usr/bin/env bash
# mkdisk.sh: build a bootable PC hard disk image from Debian packages only,
# without root or loop mounts: an MBR (syslinux's mbr.bin) with one active
# FAT16 partition at 1 MiB (dosfstools' mkfs.fat on the image file at an
# offset), the kernel and initramfs copied in with mtools' mcopy, and the
# SYSLINUX boot loader installed with `syslinux --install --offset` on the
# image file. syslinux.cfg boots Linux with console=ttyS0 and SYSLINUX
# itself prints on COM1 too.
#
# usage: scripts/mkdisk.sh [OUT] [KERNEL] [INITRD] [SIZE_MIB]
#   defaults: ~/.cache/bt86/guests/disk.img, vmlinuz and initrd.img from
#   the same directory (scripts/fetch-guests.sh), 32 MiB.
# Needs the Debian packages syslinux, syslinux-common, mtools and
# dosfstools (scripts/setup.sh installs them).
set -euo pipefail
GUESTS=${BT86_GUEST_DIR:-$HOME/.cache/bt86/guests}
OUT=${1:-$GUESTS/disk.img}
KERNEL=${2:-$GUESTS/vmlinuz}
INITRD=${3:-$GUESTS/initrd.img}
SIZE_MIB=${4:-32}
MBR=/usr/lib/syslinux/mbr/mbr.bin

for f in "$KERNEL" "$INITRD" "$MBR"; do
  [ -r "$f" ] || { echo "mkdisk.sh: $f: not readable (run scripts/setup.sh)" >&2; exit 1; }
done
for tool in syslinux mcopy mkfs.fat; do
  command -v "$tool" >/dev/null || { echo "mkdisk.sh: $tool not found (run scripts/setup.sh)" >&2; exit 1; }
done
case $SIZE_MIB in ''|*[!0-9]*) echo "mkdisk.sh: size must be MiB, a number" >&2; exit 2;; esac
[ "$SIZE_MIB" -ge 16 ] || { echo "mkdisk.sh: at least 16 MiB" >&2; exit 2; }

START=2048                              # partition start, in sectors (1 MiB)
TOTAL=$((SIZE_MIB * 2048))              # image size, in sectors
PSECT=$((TOTAL - START))                # partition size, in sectors
tmp=$(mktemp "${OUT}.XXXXXX")
trap 'rm -f "$tmp"' EXIT

truncate -s "${SIZE_MIB}M" "$tmp"

# le32 VALUE: four little-endian bytes as printf escapes.
le32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }

# The boot code of syslinux's MBR (446 bytes at most: the code area), then
# one partition entry: active, CHS fields saturated (LBA is what counts),
# type 0x06 (FAT16), LBA start and size; then the 0x55AA signature.
dd if="$MBR" of="$tmp" conv=notrunc bs=440 count=1 status=none
printf "\x80\xfe\xff\xff\x06\xfe\xff\xff$(le32 $START)$(le32 $PSECT)" |
  dd of="$tmp" conv=notrunc bs=1 seek=446 status=none
printf '\x55\xaa' | dd of="$tmp" conv=notrunc bs=1 seek=510 status=none

mkfs.fat -F 16 -n BT86 --offset "$START" "$tmp" $((PSECT / 2)) >/dev/null

img="$tmp@@$((START * 512))"
cat >"$tmp.cfg" <<'CFG'
SERIAL 0 115200
SAY bt86 disk: SYSLINUX loading Linux
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL /VMLINUZ
  INITRD /INITRD.IMG
  APPEND console=ttyS0 nokaslr
CFG
trap 'rm -f "$tmp" "$tmp.cfg"' EXIT
MTOOLS_SKIP_CHECK=1 mcopy -i "$img" "$KERNEL" ::/VMLINUZ
MTOOLS_SKIP_CHECK=1 mcopy -i "$img" "$INITRD" ::/INITRD.IMG
MTOOLS_SKIP_CHECK=1 mcopy -i "$img" "$tmp.cfg" ::/SYSLINUX.CFG
syslinux --install --offset $((START * 512)) "$tmp"
mv "$tmp" "$OUT"
echo "mkdisk.sh: wrote $OUT (${SIZE_MIB} MiB: MBR, FAT16 partition at 1 MiB, SYSLINUX, $(basename "$KERNEL"), $(basename "$INITRD"))"
