#!/usr/bin/env bash
# fetch-guests.sh: fetch the guest software bt86 boots in its tests and
# benchmarks, from Debian's package archive, into a cache directory.
#
#   ${BT86_GUEST_DIR:-$HOME/.cache/bt86/guests}/
#     vmlinuz               Debian's i386 "686" kernel (bzImage)
#     busybox               busybox-static, i386
#     initrd.img            gzip newc initramfs built by guest/mkinitramfs
#     seabios/bios.bin      SeaBIOS (+ bios-256k.bin and the vgabios-*.bin)
#     memtest86+ia32.bin    memtest86+, 32-bit build
#     MANIFEST              package names, versions and sha256 of each file
#
# Idempotent: packages are downloaded once (use --force to fetch again);
# initrd.img and MANIFEST are rebuilt on every run (reproducibly).
# Needs root for `dpkg --add-architecture i386` and `apt-get update` (uses
# sudo when not root), and Go for building the initramfs.
set -euo pipefail

force=0
for a in "$@"; do
  case "$a" in
    --force) force=1 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "fetch-guests.sh: unknown argument $a" >&2; exit 2 ;;
  esac
done

DIR=${BT86_GUEST_DIR:-$HOME/.cache/bt86/guests}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
echo "fetch-guests.sh: guest directory: $DIR"
mkdir -p "$DIR"

SUDO=
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
fi
# apt-get download as root warns that the _apt sandbox user cannot write
# to our temporary directory; download as root on purpose instead.
APT_OPTS=()
if [ "$(id -u)" -eq 0 ]; then APT_OPTS=(-o APT::Sandbox::User=root); fi

log() { echo "fetch-guests.sh: $*" >&2; }

apt_update() {
  log "apt-get update"
  # A mirror that is mid-sync makes apt-get update fail for one list while
  # the ones we need are fine: carry on and let the download decide.
  $SUDO apt-get update -qq || log "warning: apt-get update reported errors; continuing"
}

have_i386_lists() {
  compgen -G "/var/lib/apt/lists/*_binary-i386_Packages*" >/dev/null
}

# kernel_package prints the real kernel package linux-image-686 depends on.
kernel_package() {
  apt-cache depends linux-image-686:i386 2>/dev/null |
    awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { sub(/:i386$/, "", $2); print $2; exit }'
}

cached() {
  [ -f "$DIR/.packages" ] && [ -f "$DIR/vmlinuz" ] && [ -f "$DIR/busybox" ] &&
    [ -f "$DIR/seabios/bios.bin" ] && [ -f "$DIR/memtest86+ia32.bin" ]
}

fetch() {
  if ! dpkg --print-foreign-architectures | grep -qx i386; then
    log "dpkg --add-architecture i386"
    $SUDO dpkg --add-architecture i386
    apt_update
  elif ! have_i386_lists; then
    apt_update
  fi

  local kpkg
  kpkg=$(kernel_package)
  if [ -z "$kpkg" ]; then
    apt_update
    kpkg=$(kernel_package)
  fi
  if [ -z "$kpkg" ]; then
    log "cannot resolve linux-image-686:i386 to a kernel package"
    exit 1
  fi
  log "kernel package: $kpkg"

  local tmp
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  local pkgs=("$kpkg:i386" busybox-static:i386 seabios memtest86+)
  if ! (cd "$tmp" && apt-get "${APT_OPTS[@]}" download "${pkgs[@]}"); then
    apt_update
    (cd "$tmp" && apt-get "${APT_OPTS[@]}" download "${pkgs[@]}")
  fi

  local x="$tmp/x" out="$tmp/out" deb
  mkdir -p "$x" "$out/seabios"
  : >"$out/.packages"
  for deb in "$tmp"/*.deb; do
    dpkg-deb -x "$deb" "$x"
    printf '%s %s %s %s\n' \
      "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)" \
      "$(dpkg-deb -f "$deb" Architecture)" "$(sha256sum "$deb" | cut -d' ' -f1)" >>"$out/.packages"
  done

  local kernels=("$x"/boot/vmlinuz-*-686)
  if [ "${#kernels[@]}" -ne 1 ] || [ ! -f "${kernels[0]}" ]; then
    log "expected one vmlinuz-*-686 in $kpkg, found: ${kernels[*]}"
    exit 1
  fi
  cp "${kernels[0]}" "$out/vmlinuz"
  basename "${kernels[0]}" | sed 's/^vmlinuz-//' >"$out/.kernel-release"
  cp "$x/bin/busybox" "$out/busybox"
  chmod 0755 "$out/busybox"
  cp "$x"/usr/share/seabios/bios.bin "$x"/usr/share/seabios/bios-256k.bin "$x"/usr/share/seabios/vgabios*.bin "$out/seabios/"
  cp "$x/boot/memtest86+ia32.bin" "$out/memtest86+ia32.bin"

  # Move into place; .packages goes last, as it marks a complete fetch.
  mkdir -p "$DIR/seabios"
  cp "$out"/vmlinuz "$out"/busybox "$out"/memtest86+ia32.bin "$out"/.kernel-release "$DIR/"
  cp "$out"/seabios/* "$DIR/seabios/"
  cp "$out/.packages" "$DIR/.packages"
  rm -rf "$tmp"
  trap - EXIT
}

if [ "$force" -eq 1 ] || ! cached; then
  fetch
else
  log "packages already fetched (use --force to fetch again)"
fi

# Build the initramfs.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  PATH=$PATH:/usr/local/go/bin
fi
(cd "$ROOT" && go run ./guest/mkinitramfs -busybox "$DIR/busybox" -o "$DIR/initrd.img")

# MANIFEST.
{
  echo "# bt86 guest files, made by scripts/fetch-guests.sh"
  echo "# kernel release: $(cat "$DIR/.kernel-release")"
  echo "# packages: name version architecture sha256-of-.deb"
  sed 's/^/package /' "$DIR/.packages"
  echo "# files: sha256 size path"
  (cd "$DIR" && find . -type f ! -name 'MANIFEST*' ! -name '.*' | sed 's|^\./||' | LC_ALL=C sort |
    while read -r f; do
      printf 'file %s %s %s\n' "$(sha256sum "$f" | cut -d' ' -f1)" "$(stat -c %s "$f")" "$f"
    done)
} >"$DIR/MANIFEST.tmp"
mv "$DIR/MANIFEST.tmp" "$DIR/MANIFEST"

log "kernel $(cat "$DIR/.kernel-release"): vmlinuz $(stat -c %s "$DIR/vmlinuz") bytes, initrd.img $(stat -c %s "$DIR/initrd.img") bytes"
echo "$DIR"
