#!/usr/bin/env bash
# soak.sh: boots Debian's i386 kernel under emu N times in a row in
# deterministic mode (emu -icount) and checks that every run's serial
# output is byte-for-byte identical to the first's.
#
#   scripts/soak.sh [N]        N runs (default 100)
#
# Each run boots ~/.cache/bt86/guests/vmlinuz (scripts/setup.sh fetches
# it) with an initramfs whose init is scripts/soak-init.sh: a scripted
# session on the serial console (uname, /proc files, md5sum, gzip, a
# shell loop) that ends with `poweroff -f`. Printk timestamps are off, so
# the output is a function of the guest's instructions only.
#
# Environment: ENGINE (emu -engine; default emu's default engine, e.g.
# ENGINE=dbt for the translator), MEM (MiB, default 128), SOAK_DIR
# (keeps every run's output; default a temp dir), BT86_GUESTS (guest
# directory), SOAK_TIMEOUT (seconds per run, default 1800).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
runs=${1:-100}
guests=${BT86_GUESTS:-$HOME/.cache/bt86/guests}
mem=${MEM:-128}
limit=${SOAK_TIMEOUT:-1800}
dir=${SOAK_DIR:-$(mktemp -d -t bt86-soak.XXXXXX)}
mkdir -p "$dir"
for f in vmlinuz busybox; do
  [ -f "$guests/$f" ] || { echo "soak: $guests/$f missing (run scripts/setup.sh)"; exit 2; }
done
engine_flag=()
[ -n "${ENGINE:-}" ] && engine_flag=(-engine "$ENGINE")

go build -o "$dir/emu" ./cmd/emu || exit 2
go run ./guest/mkinitramfs -busybox "$guests/busybox" -extra "soak.sh=$ROOT/scripts/soak-init.sh" \
  -o "$dir/soak-initrd.img" >/dev/null || exit 2

failed=0
for i in $(seq 1 "$runs"); do
  out="$dir/run$i.serial"
  start=$(date +%s)
  timeout "$limit" "$dir/emu" -icount -nographic -m "$mem" "${engine_flag[@]}" \
    -kernel "$guests/vmlinuz" -initrd "$dir/soak-initrd.img" \
    -append "console=ttyS0 printk.time=0 rdinit=/soak.sh" \
    </dev/null >"$out" 2>"$dir/run$i.stderr"
  rc=$?
  secs=$(( $(date +%s) - start ))
  status=ok
  if [ $rc -ne 0 ]; then
    status="exit $rc"
  elif ! grep -q '^SOAK-END' "$out"; then
    status="no SOAK-END"
  elif [ "$i" -gt 1 ] && ! cmp -s "$dir/run1.serial" "$out"; then
    status="output differs from run 1"
  fi
  echo "soak: run $i/$runs: $status (${secs} s, $(tail -n 1 "$dir/run$i.stderr"))"
  if [ "$status" != ok ]; then
    failed=$((failed + 1))
    [ "$i" -gt 1 ] && diff "$dir/run1.serial" "$out" | head -n 20
  fi
done
echo "soak: $((runs - failed)) of $runs runs identical and complete (outputs in $dir)"
[ $failed -eq 0 ]
