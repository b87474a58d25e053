package machine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// guestDir is where scripts/fetch-guests.sh caches the guest files.
func guestDir() string {
	if d := os.Getenv("BT86_GUEST_DIR"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "bt86", "guests")
}

// readGuest returns the kernel and initrd, or skips the test.
func readGuest(t *testing.T) (kernel, initrd []byte) {
	dir := guestDir()
	var err error
	if kernel, err = os.ReadFile(filepath.Join(dir, "vmlinuz")); err == nil {
		initrd, err = os.ReadFile(filepath.Join(dir, "initrd.img"))
	}
	if err != nil {
		t.Skipf("Linux guest not available (%v): run scripts/fetch-guests.sh", err)
	}
	return kernel, initrd
}

// console collects a guest's serial output and lets a test wait for text.
type console struct {
	mu     sync.Mutex
	buf    []byte
	notify chan struct{} // closed and replaced on every write
}

func newConsole() *console { return &console{notify: make(chan struct{})} }

func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.buf = append(c.buf, p...)
	close(c.notify)
	c.notify = make(chan struct{})
	c.mu.Unlock()
	return len(p), nil
}

func (c *console) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.buf)
}

// waitFor waits until text appears at or after offset from and returns
// the offset just past it.
func (c *console) waitFor(ctx context.Context, from int, text string) (int, error) {
	for {
		c.mu.Lock()
		i := -1
		if from <= len(c.buf) {
			i = strings.Index(string(c.buf[from:]), text)
		}
		ch := c.notify
		c.mu.Unlock()
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

func (c *console) tail(n int) string {
	s := c.String()
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return s
}

// TestLinuxBoot boots Debian's i386 kernel with the busybox initramfs to
// a shell, runs a few commands and powers off. It needs the guest files
// of scripts/fetch-guests.sh and takes minutes on the interpreter; set
// BT86_SERIAL_LOG=FILE to follow the serial console while it runs.
func TestLinuxBoot(t *testing.T) {
	if testing.Short() {
		t.Skip("boots Linux: minutes on the interpreter")
	}
	kernel, initrd := readGuest(t)
	con := newConsole()
	var serial io.Writer = con
	if p := os.Getenv("BT86_SERIAL_LOG"); p != "" { // follow the boot with tail -f
		f, err := os.Create(p)
		require.NoError(t, err)
		defer f.Close()
		serial = io.MultiWriter(con, f)
	}
	m, err := New(Config{MemoryMiB: 256, Serial: serial, Deterministic: true})
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.LoadLinux(kernel, initrd, "console=ttyS0 nokaslr"))

	limit := 40 * time.Minute
	if dl, ok := t.Deadline(); ok {
		limit = min(limit, time.Until(dl)-20*time.Second)
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	var res Result
	var runErr error
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		res, runErr = m.Run(ctx)
		cancel()
	}()
	defer func() { cancel(); <-done }() // before m.Close
	fail := func(format string, args ...any) {
		cancel()
		<-done
		t.Fatalf("%s\nrun: %v %v (%s) after %d instructions\nserial tail:\n%s",
			fmt.Sprintf(format, args...), res.Reason, runErr, res, res.Instructions, con.tail(3000))
	}

	pos, err := con.waitFor(ctx, 0, "BT86-INIT-READY")
	if err != nil {
		fail("%v", err)
	}
	ready := time.Since(start)
	if pos, err = con.waitFor(ctx, pos, "~ # "); err != nil {
		fail("%v", err)
	}
	prompt := time.Since(start)
	fmt.Printf("linux-boot: BT86-INIT-READY after %.1f s, shell prompt after %.1f s (host time, deterministic mode)\n",
		ready.Seconds(), prompt.Seconds())

	for _, c := range []struct {
		cmd  string
		want []string
	}{
		{"uname -a", []string{"Linux (none) 6.1.0-50-686 #1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1", "i686 GNU/Linux"}},
		// Linux names a family 6 model 6 part by its cache size, not by
		// the brand string.
		{"cat /proc/cpuinfo", []string{"vendor_id\t: GenuineIntel", "cpu family\t: 6", "model\t\t: 6", "flags\t\t: fpu vme de pse tsc msr pae cx8 sep mtrr pge cmov"}},
		{"ls /", []string{"bin", "dev", "init", "proc", "sys"}},
		{"dd if=/dev/zero bs=1M count=16 | md5sum", []string{"16+0 records out", "2c7ab85a893283e98c931e9511add182  -"}},
	} {
		t0 := time.Now()
		m.SendSerial([]byte(c.cmd + "\n"))
		end, err := con.waitFor(ctx, pos, "\n~ # ")
		if err != nil {
			fail("%s: %v", c.cmd, err)
		}
		out := con.String()[pos:end]
		pos = end
		for _, w := range c.want {
			require.Contains(t, out, w, "output of %s", c.cmd)
		}
		fmt.Printf("linux-boot: %q took %.1f s\n", c.cmd, time.Since(t0).Seconds())
	}

	m.SendSerial([]byte("poweroff -f\n"))
	select {
	case <-done:
	case <-ctx.Done():
		<-done
	}
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		fail("run: %v", runErr)
	}
	require.Equal(t, ReasonPowerOff, res.Reason, "serial tail:\n%s", con.tail(2000))
	require.Contains(t, con.String()[pos:], "reboot: System halted")
	// The kernel log: no oops or warning splat, and a calibrated timer
	// (the TSC measured against the PIT, as on a real P6).
	log := con.String()
	for _, bad := range []string{"Oops", "BUG:", "Call Trace:", "WARNING:", "Kernel panic",
		"tsc: Unable to calibrate", "Marking TSC unstable", "Unknown CPU"} {
		require.NotContains(t, log, bad)
	}
	require.Contains(t, log, "tsc: Detected")
	require.Contains(t, log, "clocksource: Switched to clocksource tsc")
	fmt.Printf("linux-boot: powered off after %.1f s, %d instructions, %.1f MIPS, virtual %.1f s\n",
		time.Since(start).Seconds(), res.Instructions, res.MIPS(), float64(res.VirtualTime)/1e9)
}
