package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// loadAverage is /proc/loadavg's first three fields, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// hostDescription names the CPU, the number of CPUs and the OS kernel.
func hostDescription() string {
	model := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	kernel := ""
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = " " + strings.TrimSpace(string(b))
	}
	return fmt.Sprintf("%s, %d CPUs, %s%s/%s", model, runtime.NumCPU(), runtime.GOOS, kernel, runtime.GOARCH)
}

// firstLine runs a command and returns the first line of its output.
func firstLine(name string, args ...string) string {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil && len(out) == 0 {
		return ""
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(line)
}

// versions lists what the figures depend on.
func versions(root, guests, qemu string) []string {
	v := []string{runtime.Version()}
	if c := firstLine("git", "-C", root, "rev-parse", "--short", "HEAD"); c != "" {
		if firstLine("git", "-C", root, "status", "--porcelain", "--untracked-files=no") != "" {
			c += " (with uncommitted changes)"
		}
		v = append(v, "bt86 "+c)
	}
	if qemu != "" {
		if q := firstLine(qemu, "--version"); q != "" {
			v = append(v, q)
		}
	}
	if b, err := os.ReadFile(filepath.Join(guests, "MANIFEST")); err == nil {
		for line := range strings.Lines(string(b)) {
			f := strings.Fields(line)
			if len(f) >= 3 && f[0] == "package" && (f[1] == "busybox-static" || strings.HasPrefix(f[1], "linux-image-")) {
				v = append(v, f[1]+" "+f[2])
			}
		}
	}
	return v
}
