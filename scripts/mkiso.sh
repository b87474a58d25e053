#!/usr/bin/env bash
# mkiso.sh: build a bootable CD image (El Torito, no emulation) from
# Debian packages only: ISOLINUX (packages isolinux and syslinux-common)
# boots the kernel and initramfs with console=ttyS0; xorriso writes the
# ISO 9660 image. No root needed.
#
# usage: scripts/mkiso.sh [OUT] [KERNEL] [INITRD]
#   defaults: ~/.cache/bt86/guests/cd.iso, vmlinuz and initrd.img from the
#   same directory (scripts/fetch-guests.sh).
set -euo pipefail
GUESTS=${BT86_GUEST_DIR:-$HOME/.cache/bt86/guests}
OUT=${1:-$GUESTS/cd.iso}
KERNEL=${2:-$GUESTS/vmlinuz}
INITRD=${3:-$GUESTS/initrd.img}
ISOLINUX=/usr/lib/ISOLINUX/isolinux.bin
LDLINUX=/usr/lib/syslinux/modules/bios/ldlinux.c32
for f in "$KERNEL" "$INITRD" "$ISOLINUX" "$LDLINUX"; do
  [ -r "$f" ] || { echo "mkiso.sh: $f: not readable (run scripts/setup.sh)" >&2; exit 1; }
done
command -v xorriso >/dev/null || { echo "mkiso.sh: xorriso not found (run scripts/setup.sh)" >&2; exit 1; }

tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir "$tree/isolinux"
cp "$ISOLINUX" "$LDLINUX" "$tree/isolinux/"
cp "$KERNEL" "$tree/vmlinuz"
cp "$INITRD" "$tree/initrd.img"
cat >"$tree/isolinux/isolinux.cfg" <<'CFG'
SERIAL 0 115200
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL /vmlinuz
  INITRD /initrd.img
  APPEND console=ttyS0 nokaslr
CFG
xorriso -as mkisofs -quiet -o "$OUT" -V BT86 -J -R \
  -b isolinux/isolinux.bin -c isolinux/boot.cat \
  -no-emul-boot -boot-load-size 4 -boot-info-table "$tree"
echo "mkiso.sh: wrote $OUT (El Torito, ISOLINUX, $(basename "$KERNEL"), $(basename "$INITRD"))"
