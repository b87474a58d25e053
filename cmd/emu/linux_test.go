package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"bt86/machine"
)

// output collects a process's stdout and lets a test wait for text.
type output struct {
	mu     sync.Mutex
	buf    []byte
	notify chan struct{}
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf = append(o.buf, p...)
	close(o.notify)
	o.notify = make(chan struct{})
	return len(p), nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return string(o.buf)
}

// waitFor waits until text appears at or after offset from and returns
// the offset just past it.
func (o *output) waitFor(ctx context.Context, from int, text string) (int, error) {
	for {
		o.mu.Lock()
		i := -1
		if from <= len(o.buf) {
			i = bytes.Index(o.buf[from:], []byte(text))
		}
		ch := o.notify
		o.mu.Unlock()
		if i >= 0 {
			return from + i + len(text), nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return 0, fmt.Errorf("waiting for %q: %w", text, ctx.Err())
		}
	}
}

// emuProc is emu running in a new process.
type emuProc struct {
	t      *testing.T
	ctx    context.Context
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	out    *output
	stderr bytes.Buffer
	pos    int
}

func startEmuSession(t *testing.T, ctx context.Context, args ...string) *emuProc {
	p := &emuProc{t: t, ctx: ctx, out: &output{notify: make(chan struct{})}}
	p.cmd = exec.CommandContext(ctx, os.Args[0], args...)
	p.cmd.Env = append(os.Environ(), "BT86_EMU_MAIN=1")
	p.cmd.Stdout = p.out
	p.cmd.Stderr = &p.stderr
	var err error
	p.stdin, err = p.cmd.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	return p
}

// expect waits for text in the output after what was already expected.
func (p *emuProc) expect(text string) {
	p.t.Helper()
	pos, err := p.out.waitFor(p.ctx, p.pos, text)
	if err != nil {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
		out := p.out.String()
		p.t.Fatalf("%v\nstderr: %s\nstdout tail: %q", err, p.stderr.String(), out[max(0, len(out)-2000):])
	}
	p.pos = pos
}

func (p *emuProc) send(s string) {
	p.t.Helper()
	_, err := io.WriteString(p.stdin, s)
	require.NoError(p.t, err)
}

// wait waits for the process to exit and returns its exit code.
func (p *emuProc) wait() int {
	p.t.Helper()
	err := p.cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	require.NoError(p.t, err, "stderr: %s", p.stderr.String())
	return 0
}

var hashRE = regexp.MustCompile(`bt86: state hash ([0-9a-f]{64}) at instruction (\d+)`)

// finalHash returns the state hash line's hash and instruction count.
func finalHash(t *testing.T, stderr string) (string, string) {
	t.Helper()
	m := hashRE.FindStringSubmatch(stderr)
	require.NotNil(t, m, "no state hash in %q", stderr)
	return m[1], m[2]
}

func guestFiles(t *testing.T) (kernel, initrd string) {
	dir := os.Getenv("BT86_GUEST_DIR")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".cache", "bt86", "guests")
	}
	kernel, initrd = filepath.Join(dir, "vmlinuz"), filepath.Join(dir, "initrd.img")
	for _, f := range []string{kernel, initrd} {
		if _, err := os.Stat(f); err != nil {
			t.Skipf("Linux guest not available (%v): run scripts/fetch-guests.sh", err)
		}
	}
	return kernel, initrd
}

// TestLinuxRecordReplaySnapshot boots Debian's kernel twice per engine,
// through emu in new processes:
//
//  1. a deterministic boot recorded with -record: at the shell prompt the
//     monitor (Ctrl-A c) saves a snapshot and reports the status, then a
//     command runs and `poweroff -f` ends the run;
//  2. a replay of the recording (-replay): byte-identical serial output,
//     the same instruction count and the same final state hash;
//
// then restores the snapshot in a third process (-loadvm, no boot) and
// checks that the shell answers a command.
func TestLinuxRecordReplaySnapshot(t *testing.T) {
	if testing.Short() {
		t.Skip("boots Linux twice: minutes on the interpreter")
	}
	kernel, initrd := guestFiles(t)
	limit := 60 * time.Minute
	if dl, ok := t.Deadline(); ok {
		limit = min(limit, time.Until(dl)-30*time.Second)
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for _, engine := range machine.Engines() {
		t.Run(engine, func(t *testing.T) {
			dir := t.TempDir()
			rec, snap := filepath.Join(dir, "boot.rec"), filepath.Join(dir, "prompt.snap")

			start := time.Now()
			p := startEmuSession(t, ctx, "-nographic", "-m", "256", "-kernel", kernel, "-initrd", initrd,
				"-append", "console=ttyS0 nokaslr", "-record", rec, "-engine", engine)
			p.expect("~ # ")
			prompt := time.Since(start)
			p.send("\x01c")
			p.expect(monitorPrompt)
			p.send("savevm " + snap + "\n")
			p.expect("saved " + snap)
			p.send("info status\n")
			p.expect("VM status: running")
			p.expect("deterministic, recording; instruction ")
			p.send("\x01c")
			p.expect(monitorLeave)
			p.send("echo rec-$((6*7))\n")
			p.expect("rec-42")
			p.send("poweroff -f\n")
			require.Equal(t, exitOK, p.wait(), "stderr: %s", p.stderr.String())
			require.Contains(t, p.stderr.String(), "bt86: guest powered off")
			hash, count := finalHash(t, p.stderr.String())
			recorded := p.out.String()
			i, j := strings.Index(recorded, monitorBanner), strings.Index(recorded, monitorLeave)
			require.True(t, i >= 0 && j > i, "monitor session in the output")
			guestOut := recorded[:i] + recorded[j+len(monitorLeave):]
			t.Logf("recorded boot: prompt after %.0f s, %s instructions (host time, load included)", prompt.Seconds(), count)

			start = time.Now()
			r := startEmuSession(t, ctx, "-nographic", "-replay", rec, "-engine", engine)
			require.NoError(t, r.stdin.Close())
			require.Equal(t, exitOK, r.wait(), "stderr: %s", r.stderr.String())
			require.Contains(t, r.stderr.String(), "bt86: guest powered off")
			hash2, count2 := finalHash(t, r.stderr.String())
			require.Equal(t, count, count2, "instruction count")
			require.Equal(t, guestOut, r.out.String(), "serial output")
			require.Equal(t, hash, hash2, "final state hash")
			t.Logf("replay: %.0f s", time.Since(start).Seconds())

			fi, err := os.Stat(snap)
			require.NoError(t, err)
			start = time.Now()
			l := startEmuSession(t, ctx, "-nographic", "-loadvm", snap, "-engine", engine)
			l.send("echo snap-$((6*7))\n")
			l.expect("snap-42")
			t.Logf("snapshot at the prompt: %d bytes; restored in a new process, the shell answered after %.1f s", fi.Size(), time.Since(start).Seconds())
			l.send("poweroff -f\n")
			require.Equal(t, exitOK, l.wait(), "stderr: %s", l.stderr.String())
			require.Contains(t, l.stderr.String(), "bt86: guest powered off")
		})
	}
}
