package debugport

import (
	"io"

	"bt86/bus"
)

// Ports.
const (
	ConsolePort = 0xE9
	POSTPort    = 0x80
	// ExitPort is where QEMU's isa-debug-exit device usually lives.
	ExitPort = 0xF4
)

// State is the guest-visible state of the ports.
type State struct {
	POST uint8 // last byte written to port 0x80
}

// Options configure the ports. Every field may be left zero.
type Options struct {
	// Console receives the bytes written to port 0xE9 (nil: discard).
	Console io.Writer
	// OnPOST, if set, sees every byte written to port 0x80.
	OnPOST func(code uint8)
	// Exit, if set, maps ExitPort (or ExitPortAt) and receives the
	// status a guest requests: value<<1 | 1, as QEMU reports it.
	Exit func(status int)
	// ExitPortAt overrides ExitPort when non-zero.
	ExitPortAt uint16
}

// Ports is the set of debug ports.
type Ports struct {
	s   State
	opt Options
	buf [1]byte
}

// New returns the debug ports.
func New(opt Options) *Ports {
	if opt.ExitPortAt == 0 {
		opt.ExitPortAt = ExitPort
	}
	return &Ports{opt: opt}
}

// State returns a copy of the guest-visible state.
func (p *Ports) State() State { return p.s }

// SetState replaces the guest-visible state.
func (p *Ports) SetState(s State) { p.s = s }

// POST returns the last POST code written to port 0x80.
func (p *Ports) POST() uint8 { return p.s.POST }

// Attach registers ports 0xE9 and 0x80 (and the exit port if Exit is
// set) on b.
func (p *Ports) Attach(b *bus.Bus) error {
	if err := b.MapPorts("debugcon", ConsolePort, ConsolePort, p); err != nil {
		return err
	}
	if err := b.MapPorts("post", POSTPort, POSTPort, p); err != nil {
		return err
	}
	if p.opt.Exit != nil {
		return b.MapPorts("debug-exit", p.opt.ExitPortAt, p.opt.ExitPortAt, p)
	}
	return nil
}

// ReadPort implements bus.PortHandler.
func (p *Ports) ReadPort(port uint16, size uint8) uint32 {
	switch port {
	case ConsolePort:
		return ConsolePort
	case POSTPort:
		return uint32(p.s.POST)
	}
	return 0xFFFFFFFF
}

// WritePort implements bus.PortHandler.
func (p *Ports) WritePort(port uint16, size uint8, v uint32) {
	switch port {
	case POSTPort:
		p.s.POST = uint8(v)
		if p.opt.OnPOST != nil {
			p.opt.OnPOST(uint8(v))
		}
	case ConsolePort:
		if p.opt.Console != nil {
			p.buf[0] = uint8(v)
			// The guest has no way to learn of host write errors.
			_, _ = p.opt.Console.Write(p.buf[:])
		}
	case p.opt.ExitPortAt:
		if p.opt.Exit != nil {
			p.opt.Exit(int(v)<<1 | 1)
		}
	}
}
