package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// nativeRunner runs the workloads under the guest's busybox binary on the
// host, from a directory of applet links (like the guest's /bin).
type nativeRunner struct {
	busybox string // the i386 static busybox
	bin     string // directory of applet links
}

func (n *nativeRunner) Name() string { return RunNative }
func (n *nativeRunner) Command() string {
	return shellQuote([]string{n.busybox, "sh", "-c", "..."}) + " (applet links in a temporary bin/)"
}

// newNative checks that the host can run the i386 busybox and makes the
// applet links in dir.
func newNative(busybox, dir string) (*nativeRunner, error) {
	out, err := exec.Command(busybox, "--list").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			err = fmt.Errorf("%v: %s", err, bytes.TrimSpace(ee.Stderr))
		}
		return nil, &Unavailable{Reason: fmt.Sprintf("the host cannot run the i386 busybox %s: %v", homeShort(busybox), err)}
	}
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return nil, err
	}
	names := append(strings.Fields(string(out)), "busybox")
	for _, a := range names {
		if strings.ContainsRune(a, '/') {
			continue
		}
		if err := os.Symlink(busybox, filepath.Join(bin, a)); err != nil && !os.IsExist(err) {
			return nil, err
		}
	}
	return &nativeRunner{busybox: busybox, bin: bin}, nil
}

func (n *nativeRunner) Start(context.Context, time.Duration) (Session, time.Duration, error) {
	return n, 0, nil
}

func (n *nativeRunner) BootStats() Counters { return nil }
func (n *nativeRunner) BootCPU() float64    { return -1 }
func (n *nativeRunner) Close()              {}

func (n *nativeRunner) Run(ctx context.Context, w Workload, tag string, timeout time.Duration) Result {
	if w.Boot() {
		return Result{Status: "skipped: no boot natively"}
	}
	script := "set -o pipefail; " + commandLine(w.Script(n.bin), tag)
	cmd := exec.Command(filepath.Join(n.bin, "sh"), "-c", script)
	cmd.Env = []string{"PATH=" + n.bin, "HOME=" + filepath.Dir(n.bin), "LC_ALL=C"}
	cmd.Dir = filepath.Dir(n.bin)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Result{Status: "failed: " + oneLine(err.Error())}
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out := NewTranscript()
	if err := cmd.Start(); err != nil {
		return Result{Status: "failed: " + oneLine(err.Error())}
	}
	pumped := make(chan struct{})
	go func() { out.Pump(stdout); close(pumped) }()
	waited := false
	defer func() {
		if !waited {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-pumped
			_ = cmd.Wait()
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start, err := out.Wait(ctx, 0, markerRE(markStart, tag, false))
	if err != nil {
		return Result{Status: "failed: no start marker: " + oneLine(err.Error()+" "+stderr.String())}
	}
	end, err := out.Wait(ctx, start.End, markerRE(markEnd, tag, true))
	switch {
	case err == context.DeadlineExceeded:
		return Result{Status: fmt.Sprintf("timeout (%v)", timeout)}
	case err != nil:
		return Result{Status: "failed: " + oneLine(err.Error())}
	}
	r := Result{Seconds: end.At.Sub(start.At).Seconds(), Status: "ok", CPU: -1,
		Output: cleanOutput(out.Slice(start.End, end.Start))}
	// The shell exits after the end marker: its rusage (with the
	// workload's processes, which it reaped) is the CPU time, to the
	// microsecond; it also counts the shell's start, well under 1 ms.
	<-pumped
	waited = true
	if err := cmd.Wait(); err == nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
		}
	}
	if st := end.Groups[0]; st != "0" {
		r.Status = "failed: exit status " + st
	} else if w.Expect != "" && !strings.Contains(r.Output, w.Expect) {
		r.Status = fmt.Sprintf("failed: output %q lacks %q", r.Output, w.Expect)
	}
	return r
}
