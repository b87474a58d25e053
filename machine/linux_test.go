package machine

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

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
	// The same scripted session under every engine gives the same output.
	var first []string
	for _, eng := range Engines() {
		t.Run(eng, func(t *testing.T) {
			outs := bootLinux(t, eng, kernel, initrd)
			if first == nil {
				first = outs
				return
			}
			require.Equal(t, first, outs, "the session's output under %s differs from %s's", eng, Engines()[0])
		})
	}
}

// bootLinux boots Linux on engine, runs the scripted session and powers
// off; it returns the output of each command.
func bootLinux(t *testing.T, engine string, kernel, initrd []byte) (outputs []string) {
	con := newConsole()
	var serial io.Writer = con
	if p := os.Getenv("BT86_SERIAL_LOG"); p != "" { // follow the boot with tail -f
		f, err := os.Create(p)
		require.NoError(t, err)
		defer f.Close()
		serial = io.MultiWriter(con, f)
	}
	m, err := New(Config{MemoryMiB: 256, Serial: serial, Deterministic: true, Engine: engine})
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.LoadLinux(kernel, initrd, "console=ttyS0 nokaslr"))
	outputs, res := shellSession(t, m, con, "linux-boot["+engine+"]")
	if res.DBT != nil {
		fmt.Printf("linux-boot[%s]: dbt %v\n", engine, *res.DBT)
	}
	return outputs
}
