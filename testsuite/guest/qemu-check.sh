#!/bin/sh
# qemu-check.sh - build every guest test program and run it on QEMU (TCG),
# the behavioural reference.  Prints one summary line per run and exits
# non-zero if any run has a FAIL line, misses DONE or exits non-zero.
#
# Programs are assembled with -DQEMU so that the checks QEMU is known to get
# wrong (CHECKQ/CHECKMEMQ, listed in README.md) print XFAIL instead of FAIL;
# the bt86 harness assembles without -DQEMU and treats every check as strict.
#
#   ./qemu-check.sh [program ...]        (default: every *.asm but boot.asm)
#   env: QEMU=qemu-system-i386  QEMU_CPU=<cpu model>  TIMEOUT=60 (seconds)
#        VERBOSE=1 (print every non-PASS line)  OUT=dir (keep images/logs)
# paging is run a second time with "-cpu qemu32,+nx" so that the NX path is
# exercised as well (the default qemu32 model has no NX).
set -u
here=$(cd "$(dirname "$0")" && pwd)
QEMU=${QEMU:-qemu-system-i386}
TIMEOUT=${TIMEOUT:-60}
out=${OUT:-$(mktemp -d /tmp/bt86-guest.XXXXXX)}
mkdir -p "$out"
SECTORS=96                              # programs must fit in 48 KiB

cd "$here" || exit 2
if [ $# -eq 0 ]; then
    set -- $(ls *.asm | grep -v '^boot\.asm$' | sed 's/\.asm$//')
fi

nasm -f bin -DSECTORS=$SECTORS -o "$out/boot.bin" boot.asm || exit 2
status=0

# run <program> <label> <cpu model or empty>
run() {
    p=$1 label=$2 cpu=$3
    img="$out/$p.img"
    log="$out/$label.out"
    rm -f "$log"
    cpuopt=""
    [ -n "$cpu" ] && cpuopt="-cpu $cpu"
    timeout "$TIMEOUT" "$QEMU" -accel tcg $cpuopt -m 32 -display none \
        -drive format=raw,file="$img",if=ide \
        -device isa-debugcon,iobase=0xe9,chardev=dbg \
        -chardev file,id=dbg,path="$log" \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -no-reboot -serial none -parallel none -monitor none </dev/null
    rc=$?
    touch "$log"
    pass=$(grep -ac '^PASS ' "$log")
    fail=$(grep -ac '^FAIL ' "$log")
    xfail=$(grep -ac '^XFAIL ' "$log")
    skip=$(grep -ac '^SKIP ' "$log")
    done_=no; grep -aq '^DONE$' "$log" && done_=yes
    # isa-debug-exit makes QEMU exit with (value << 1) | 1
    exitv="?"; [ $((rc & 1)) -eq 1 ] && exitv=$((rc >> 1))
    verdict=ok
    if [ "$fail" -ne 0 ] || [ $done_ = no ] || [ "$exitv" != 0 ]; then
        verdict=FAILED; status=1
    fi
    printf '%-11s %3d pass %3d fail %3d xfail %2d skip  done=%s exit=%s  %s\n' \
        "$label:" "$pass" "$fail" "$xfail" "$skip" "$done_" "$exitv" "$verdict"
    if [ $verdict = FAILED ] || [ -n "${VERBOSE:-}" ]; then
        grep -a -v '^PASS ' "$log" | sed 's/^/    /'
    fi
}

for p in "$@"; do
    p=${p%.asm}
    if ! nasm -f bin -DQEMU -o "$out/$p.bin" "$p.asm" 2>"$out/$p.nasm"; then
        echo "$p: BUILD FAILED"; head -20 "$out/$p.nasm"; status=1; continue
    fi
    size=$(wc -c <"$out/$p.bin")
    if [ "$size" -gt $((SECTORS * 512)) ]; then
        echo "$p: image too large ($size bytes)"; status=1; continue
    fi
    cat "$out/boot.bin" "$out/$p.bin" >"$out/$p.img"
    truncate -s 1M "$out/$p.img"
    run "$p" "$p" "${QEMU_CPU:-}"
    if [ "$p" = paging ] && [ -z "${QEMU_CPU:-}" ]; then
        run "$p" "paging+nx" "qemu32,+nx"
    fi
done
[ -z "${OUT:-}" ] && rm -rf "$out"
exit $status
