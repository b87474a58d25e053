#!/usr/bin/env bash
# bench-disk-boot.sh: time from power-on to the busybox shell prompt when
# booting the SYSLINUX disk image of scripts/mkdisk.sh through Debian's
# SeaBIOS, on bt86 (emu, host time) and on QEMU TCG, with the same image,
# firmware and RAM. Prints one line per run: runner, seconds.
#
# usage: scripts/bench-disk-boot.sh [RUNS]   (default 1 run each)
# Needs scripts/setup.sh's guests and tools, and qemu-system-i386
# (Debian package qemu-system-x86).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GUESTS=${BT86_GUEST_DIR:-$HOME/.cache/bt86/guests}
RUNS=${1:-1}
BIOS=$GUESTS/seabios/bios.bin
command -v qemu-system-i386 >/dev/null || { echo "bench-disk-boot.sh: install qemu-system-x86" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash "$ROOT/scripts/mkdisk.sh" "$work/disk.img" >/dev/null
(cd "$ROOT" && go build -o "$work/emu" ./cmd/emu)

# prompt_time LOG CMD...: runs CMD, returns when LOG shows the prompt,
# prints the elapsed seconds, and stops CMD.
prompt_time() {
  local log=$1; shift
  : >"$log"
  local t0 t1
  t0=$(date +%s.%N)
  "$@" </dev/null >/dev/null 2>&1 &
  local pid=$!
  until grep -q '~ # ' "$log" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { echo "bench-disk-boot.sh: $1 exited before the prompt" >&2; tail -5 "$log" >&2; return 1; }
    sleep 0.05
  done
  t1=$(date +%s.%N)
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }'
}

for i in $(seq "$RUNS"); do
  echo "qemu-tcg $(prompt_time "$work/q.log" qemu-system-i386 -accel tcg -m 256 -bios "$BIOS" \
    -drive file="$work/disk.img",format=raw,if=ide,snapshot=on -display none -serial file:"$work/q.log" -no-reboot) s (load $(cut -d' ' -f1 /proc/loadavg))"
  echo "bt86-interp $(prompt_time "$work/b.log" "$work/emu" -nographic -m 256 -bios "$BIOS" -snapshot \
    -hda "$work/disk.img" -serial file:"$work/b.log") s (load $(cut -d' ' -f1 /proc/loadavg))"
done
