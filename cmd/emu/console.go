package main

import (
	"fmt"
	"io"
	"os"
	"sync"

	"golang.org/x/term"
)

// ctrlA is QEMU's escape character on a multiplexed stdio console.
const ctrlA = 0x01

// console is the host terminal: raw mode while COM1 is on stdio, the VGA
// screen drawn on the alternate screen, and the Ctrl-A escapes.
type console struct {
	h        hostIO
	mu       sync.Mutex // serialises writes to the terminal
	rawState *term.State
	rawFD    int
	altOn    bool
	// mon, when set, is the monitor Ctrl-A c switches to; while monOn,
	// serial output is held (up to maxHeld bytes) and shown on return.
	mon   *monitor
	monOn bool
	held  []byte
	frame []byte // the last VGA frame, redrawn when the monitor closes
}

// maxHeld bounds the serial output held while the monitor is shown.
const maxHeld = 1 << 20

func newConsole(h hostIO) *console { return &console{h: h, rawFD: -1} }

func fdOf(x any) (int, bool) {
	f, ok := x.(*os.File)
	if !ok {
		return 0, false
	}
	return int(f.Fd()), true
}

// isTerminalOut reports whether stdout is a terminal.
func (c *console) isTerminalOut() bool {
	fd, ok := fdOf(c.h.out)
	return ok && term.IsTerminal(fd)
}

func (c *console) isTerminalIn() bool {
	fd, ok := fdOf(c.h.in)
	return ok && term.IsTerminal(fd)
}

// lockedWriter writes to w under the console's lock.
type lockedWriter struct {
	c *console
	w io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.c.mu.Lock()
	defer l.c.mu.Unlock()
	return l.w.Write(p)
}

// serialOut is where COM1's output goes when it is on stdio.
func (c *console) serialOut() io.Writer { return serialWriter{c} }

// serialWriter writes COM1's output to the terminal, or holds it while
// the monitor is shown.
type serialWriter struct{ c *console }

func (s serialWriter) Write(p []byte) (int, error) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.monOn {
		c.held = append(c.held, p[:min(len(p), maxHeld-len(c.held))]...)
		return len(p), nil
	}
	return c.h.out.Write(p)
}

// print writes console messages under the lock.
func (c *console) print(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	io.WriteString(c.h.out, s)
}

// toggleMonitor switches between the guest console and the monitor.
func (c *console) toggleMonitor() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.monOn = !c.monOn
	if c.monOn {
		if c.altOn { // over the VGA screen: start from a clear one
			io.WriteString(c.h.out, "\x1b[0m\x1b[2J\x1b[H\x1b[?25h")
		}
		io.WriteString(c.h.out, monitorBanner+monitorPrompt)
		return
	}
	io.WriteString(c.h.out, monitorLeave)
	c.h.out.Write(c.held)
	c.held = nil
	if c.altOn && c.frame != nil {
		io.WriteString(c.h.out, "\x1b[2J")
		c.h.out.Write(c.frame)
	}
}

// displayOut is where the VGA screen is drawn: each write is a whole
// frame; the last one is kept, to be drawn again when the console
// returns from the monitor (frames are not drawn while it is shown).
func (c *console) displayOut() io.Writer { return displayWriter{c} }

type displayWriter struct{ c *console }

func (d displayWriter) Write(p []byte) (int, error) {
	c := d.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frame = append(c.frame[:0], p...)
	if c.monOn {
		return len(p), nil
	}
	return c.h.out.Write(p)
}

// start puts the terminal in raw mode when COM1 or the screen uses it,
// switches to the alternate screen for the VGA display, and forwards
// stdin until Ctrl-A x calls quit: to serial when COM1 is on stdio,
// otherwise as keystrokes to keys when the screen is shown.
func (c *console) start(showVGA, serialStdio bool, serial, keys func([]byte), quit func()) error {
	if (showVGA || serialStdio) && c.isTerminalIn() {
		fd, _ := fdOf(c.h.in)
		st, err := term.MakeRaw(fd)
		if err != nil {
			return fmt.Errorf("terminal raw mode: %w", err)
		}
		c.rawState, c.rawFD = st, fd
	}
	if showVGA {
		c.mu.Lock()
		io.WriteString(c.h.out, "\x1b[?1049h\x1b[2J")
		c.altOn = true
		c.mu.Unlock()
	}
	if c.h.in == nil || !(showVGA || serialStdio) {
		return nil
	}
	send := serial
	if !serialStdio {
		send = func(b []byte) {
			for _, ch := range b {
				if k := keystroke(ch); k != nil {
					keys(k)
				}
			}
		}
	}
	go c.forward(send, quit)
	return nil
}

// forward reads stdin: Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A, Ctrl-A
// h prints help, Ctrl-A c switches to the monitor and back (when there is
// one); everything else goes to send, or to the monitor while it is
// shown.
func (c *console) forward(send func([]byte), quit func()) {
	buf := make([]byte, 1024)
	escaped := false
	for {
		n, err := c.h.in.Read(buf)
		var out []byte
		for _, b := range buf[:n] {
			switch {
			case escaped:
				escaped = false
				switch b {
				case 'x', 'X':
					if len(out) > 0 {
						send(out)
					}
					quit()
					return
				case 'h', 'H', '?':
					c.print("\r\nC-a x    exit emu\r\nC-a c    switch between the guest console and the monitor\r\nC-a C-a  send C-a\r\nC-a h    this help\r\n")
				case 'c', 'C':
					if c.mon == nil {
						out = append(out, ctrlA, b)
						break
					}
					if len(out) > 0 {
						send(out)
						out = nil
					}
					c.toggleMonitor()
				case ctrlA:
					if c.monOn {
						break
					}
					out = append(out, ctrlA)
				default:
					out = append(out, ctrlA, b)
				}
			case b == ctrlA:
				escaped = true
			case c.monOn:
				c.print(c.mon.input([]byte{b}))
			default:
				out = append(out, b)
			}
		}
		if len(out) > 0 {
			send(out)
		}
		if err != nil {
			return
		}
	}
}

// stop restores the terminal.
func (c *console) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.altOn {
		io.WriteString(c.h.out, "\x1b[0m\x1b[?25h\x1b[?1049l")
		c.altOn = false
	}
	if c.rawState != nil {
		_ = term.Restore(c.rawFD, c.rawState)
		c.rawState = nil
		io.WriteString(c.h.out, "\r\n")
	}
}
