package sysctl

import "bt86/bus"

// Port is the I/O port of System Control Port A.
const Port = 0x92

// Bits of the port.
const (
	BitReset = 0x01
	BitA20   = 0x02
	BitLock  = 0x08
)

// State is the guest-visible state of the port.
type State struct {
	Value uint8
}

// Callbacks connect the port to the machine.
type Callbacks struct {
	SetA20 func(enabled bool)
	Reset  func()
}

// PortA is System Control Port A.
type PortA struct {
	s  State
	cb Callbacks
}

// New returns the port with every bit clear (A20 gate off).
func New(cb Callbacks) *PortA { return &PortA{cb: cb} }

// Reset clears the port without calling the callbacks.
func (p *PortA) Reset() { p.s = State{} }

// State returns a copy of the guest-visible state.
func (p *PortA) State() State { return p.s }

// SetState replaces the guest-visible state.
func (p *PortA) SetState(s State) { p.s = s }

// A20 reports the fast A20 gate bit.
func (p *PortA) A20() bool { return p.s.Value&BitA20 != 0 }

// Attach registers port 0x92 on b.
func (p *PortA) Attach(b *bus.Bus) error { return b.MapPorts("sysctl-a", Port, Port, p) }

// ReadPort implements bus.PortHandler.
func (p *PortA) ReadPort(port uint16, size uint8) uint32 {
	v := uint32(p.s.Value)
	for i := uint8(1); i < size; i++ {
		v |= 0xFF << (8 * i)
	}
	return v
}

// WritePort implements bus.PortHandler. Only the low byte reaches port
// 0x92.
func (p *PortA) WritePort(port uint16, size uint8, v uint32) {
	old := p.s.Value
	p.s.Value = uint8(v)
	if (old^p.s.Value)&BitA20 != 0 && p.cb.SetA20 != nil {
		p.cb.SetA20(p.s.Value&BitA20 != 0)
	}
	if old&BitReset == 0 && p.s.Value&BitReset != 0 && p.cb.Reset != nil {
		p.cb.Reset()
	}
}
