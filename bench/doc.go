// Command bench is bt86's benchmark harness: it runs the same guest
// workloads under every runner it can find (bt86's translator and
// interpreter, QEMU's TCG and KVM, and the i386 busybox natively on the
// host), several times each, and reports medians, min-max ranges and
// ratios to native execution and to QEMU TCG.
//
//	go run ./bench -budget 30m   # up to 3 repetitions within 30 minutes
//	go run ./bench -quick        # one repetition of reduced workloads
//
// Every guest runner boots the same kernel and initramfs
// (~/.cache/bt86/guests, from scripts/fetch-guests.sh) with the serial
// console on a pipe. Once the shell prompt arrives the harness types each
// workload as one command line that echoes a start marker, runs the
// workload and echoes an end marker with its exit status; a sample is the
// time between the markers' arrival on the host, so guest clocks play no
// part. Booting (process start to the prompt) is a sample too, and all
// workloads of a repetition share one boot. Native runs use the same
// command lines under the same busybox binary.
//
// A runner that cannot run here (no KVM, no qemu, an engine emu does not
// have, a host that cannot execute i386 binaries) is reported as
// "unavailable: <reason>"; a workload that fails or exceeds its timeout is
// recorded as such, and the run goes on.
//
// Outputs: the Markdown table on stdout and, unless -results is empty,
// inserted as the newest section of bench/RESULTS.md with the date, host,
// versions and command line; samples.csv and results.json (every sample
// and bt86's engine statistics per workload, from emu -stats snapshots)
// and ratios.png (ratios to native) in -out.
package main
