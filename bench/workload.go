package main

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"
)

// Workload is one benchmark. Boot is the boot to the shell prompt;
// every other workload is a shell command line run in the guest's busybox
// shell (and natively under the host's copy of the same busybox).
type Workload struct {
	Name  string // short name, used in tags and files
	Title string // what it does, for the table
	// Script is the command line; bin is the directory holding busybox's
	// applet links (/bin in the guest).
	Script func(bin string) string
	// Expect, if not empty, must appear in the workload's output.
	Expect string
}

// Boot reports whether w is the boot workload.
func (w Workload) Boot() bool { return w.Script == nil }

// sizes are the workloads' parameters.
type sizes struct {
	loop    int // sh arithmetic loop iterations
	md5MiB  int // MiB of zeros through md5sum
	gzipBB  int // copies of the busybox binary through gzip
	forks   int // runs of /bin/true
	ddBytes int // bytes copied by dd bs=1
	touchMB int // MiB read into one fresh buffer (page faults)
}

var (
	fullSizes  = sizes{loop: 100000, md5MiB: 64, gzipBB: 8, forks: 1000, ddBytes: 200000, touchMB: 128}
	quickSizes = sizes{loop: 10000, md5MiB: 8, gzipBB: 1, forks: 100, ddBytes: 20000, touchMB: 32}
)

// busyboxSize is the size in bytes of the busybox binary the gzip
// workload compresses, for its title (0: unknown).
func workloads(s sizes, busyboxSize int64) []Workload {
	gz := fmt.Sprintf("gzip -c of %d copies of the busybox binary", s.gzipBB)
	if s.gzipBB == 1 {
		gz = "gzip -c of the busybox binary"
	}
	if busyboxSize > 0 {
		gz += fmt.Sprintf(" (%.1f MiB)", float64(busyboxSize)*float64(s.gzipBB)/(1<<20))
	}
	return []Workload{
		{Name: "boot", Title: "boot to the shell prompt"},
		{
			Name:   "sh-loop",
			Title:  fmt.Sprintf("sh arithmetic loop, %d iterations", s.loop),
			Script: func(string) string { return fmt.Sprintf("i=0; while [ $i -lt %d ]; do i=$((i+1)); done", s.loop) },
		},
		{
			Name:  "md5sum",
			Title: fmt.Sprintf("md5sum of %d MiB from /dev/zero (through a pipe)", s.md5MiB),
			Script: func(bin string) string {
				return fmt.Sprintf("%s/dd if=/dev/zero bs=1048576 count=%d 2>/dev/null | %s/md5sum", bin, s.md5MiB, bin)
			},
			Expect: zeroMD5(s.md5MiB << 20),
		},
		{
			Name:  "gzip",
			Title: gz,
			Script: func(bin string) string {
				return fmt.Sprintf("for i in %s; do %s/cat %s/busybox; done | %s/gzip -c | %s/wc -c",
					strings.TrimSpace(strings.Repeat("x ", s.gzipBB)), bin, bin, bin, bin)
			},
		},
		{
			Name:  "fork-exec",
			Title: fmt.Sprintf("%d runs of /bin/true (fork and exec)", s.forks),
			Script: func(bin string) string {
				return fmt.Sprintf("i=0; while [ $i -lt %d ]; do %s/true; i=$((i+1)); done", s.forks, bin)
			},
		},
		{
			Name:  "syscall",
			Title: fmt.Sprintf("dd bs=1 count=%d (2 system calls a byte)", s.ddBytes),
			Script: func(bin string) string {
				return fmt.Sprintf("%s/dd if=/dev/zero of=/dev/null bs=1 count=%d 2>/dev/null", bin, s.ddBytes)
			},
		},
		{
			Name:  "page-fault",
			Title: fmt.Sprintf("touch %d MiB (dd into one fresh %d MiB buffer)", s.touchMB, s.touchMB),
			Script: func(bin string) string {
				return fmt.Sprintf("%s/dd if=/dev/zero of=/dev/null bs=%d count=1 2>/dev/null", bin, s.touchMB<<20)
			},
		},
	}
}

// zeroMD5 is md5sum's answer for n zero bytes.
func zeroMD5(n int) string {
	h := md5.New()
	var buf [64 << 10]byte
	for n > 0 {
		k := min(n, len(buf))
		h.Write(buf[:k])
		n -= k
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Marker lines. The command line spells each marker with an empty
// quoted string inside ("BT86""-S-"), so the terminal's echo of the
// command never matches: only the shell's output does.
const (
	markStart = "BT86-S-"
	markEnd   = "BT86-E-"
	markSync  = "BT86-Y-"
)

// commandLine wraps a workload's script in its markers. The end marker
// carries the exit status ($? of the script; pipefail is set).
func commandLine(script, tag string) string {
	return fmt.Sprintf(`echo BT86""-S-%s; %s; echo BT86""-E-%s-$?`, tag, script, tag)
}
