package pci

import (
	"fmt"

	"bt86/bus"
)

// Ports of configuration mechanism #1.
const (
	AddressPort      = 0xCF8
	ResetControlPort = 0xCF9
	DataPort         = 0xCFC
)

// AddressEnable is CONFIG_ADDRESS bit 31.
const AddressEnable = 0x80000000

// Reset control register bits (PIIX3, port 0xCF9).
const (
	RCSystemReset = 0x02 // SRST: hard reset
	RCResetCPU    = 0x04 // RCPU: 0-to-1 starts the reset
)

// HostState is the guest-visible state of the configuration mechanism.
type HostState struct {
	Address      uint32
	ResetControl uint8
}

// Host is configuration mechanism #1 with the functions of bus 0.
type Host struct {
	s     HostState
	devs  [32][8]Device
	reset func(hard bool)
}

// New returns a host with no functions. reset, which may be nil, is
// called when the guest requests a reset through port 0xCF9.
func New(reset func(hard bool)) *Host { return &Host{reset: reset} }

// State returns a copy of the host's own guest-visible state (functions
// have their own).
func (h *Host) State() HostState { return h.s }

// SetState replaces the host's own state.
func (h *Host) SetState(s HostState) { h.s = s }

// Reset clears the address and reset control registers and resets every
// function that has a Reset method.
func (h *Host) Reset() {
	h.s = HostState{}
	for _, slot := range h.devs {
		for _, d := range slot {
			if r, ok := d.(interface{ Reset() }); ok {
				r.Reset()
			}
		}
	}
}

// Register places d at slot (0-31), function fn (0-7) of bus 0.
func (h *Host) Register(slot, fn int, d Device) error {
	if slot < 0 || slot > 31 || fn < 0 || fn > 7 {
		return fmt.Errorf("pci: bad address %02x.%d", slot, fn)
	}
	if h.devs[slot][fn] != nil {
		return fmt.Errorf("pci: 00:%02x.%d already populated", slot, fn)
	}
	h.devs[slot][fn] = d
	return nil
}

// Device returns the function at slot, fn, or nil.
func (h *Host) Device(slot, fn int) Device { return h.devs[slot&31][fn&7] }

// Attach registers ports 0xCF8-0xCFF on b.
func (h *Host) Attach(b *bus.Bus) error {
	return b.MapPorts("pci-conf1", AddressPort, DataPort+3, h)
}

// ReadConfig reads the config space of a function directly (for the
// machine or a built-in BIOS); absent functions read all ones.
func (h *Host) ReadConfig(busN, slot, fn int, off uint8, size uint8) uint32 {
	d := h.lookup(busN, slot, fn)
	if d == nil {
		return sizeMask(size)
	}
	if int(off)+int(size) > 256 {
		// An access hanging off the end: the bytes past 255 float high.
		n := uint8(256 - int(off))
		return d.ReadConfig(off, n) | sizeMask(size)&^sizeMask(n)
	}
	return d.ReadConfig(off, size)
}

// WriteConfig writes the config space of a function directly.
func (h *Host) WriteConfig(busN, slot, fn int, off uint8, size uint8, v uint32) {
	d := h.lookup(busN, slot, fn)
	if d == nil {
		return
	}
	if int(off)+int(size) > 256 {
		size = uint8(256 - int(off))
	}
	d.WriteConfig(off, size, v&sizeMask(size))
}

func (h *Host) lookup(busN, slot, fn int) Device {
	if busN != 0 || slot < 0 || slot > 31 || fn < 0 || fn > 7 {
		return nil
	}
	return h.devs[slot][fn]
}

func sizeMask(size uint8) uint32 {
	switch size {
	case 1:
		return 0xFF
	case 2:
		return 0xFFFF
	case 3:
		return 0xFFFFFF
	}
	return 0xFFFFFFFF
}

// decode splits CONFIG_ADDRESS; ok is false when the enable bit is clear.
func (h *Host) decode(port uint16) (busN, slot, fn int, off uint8, ok bool) {
	a := h.s.Address
	if a&AddressEnable == 0 {
		return 0, 0, 0, 0, false
	}
	return int(a >> 16 & 0xFF), int(a >> 11 & 0x1F), int(a >> 8 & 7), uint8(a&0xFC) + uint8(port-DataPort), true
}

// ReadPort implements bus.PortHandler.
func (h *Host) ReadPort(port uint16, size uint8) uint32 {
	switch {
	case port == AddressPort && size == 4:
		return h.s.Address
	case port == ResetControlPort && size == 1:
		return uint32(h.s.ResetControl)
	case port >= DataPort:
		if b, s, f, off, ok := h.decode(port); ok {
			return h.ReadConfig(b, s, f, off, size)
		}
	}
	return sizeMask(size)
}

// WritePort implements bus.PortHandler.
func (h *Host) WritePort(port uint16, size uint8, v uint32) {
	switch {
	case port == AddressPort && size == 4:
		h.s.Address = v & 0x80FFFFFC
	case port == ResetControlPort && size == 1:
		old := h.s.ResetControl
		h.s.ResetControl = uint8(v) & 0x0E
		if old&RCResetCPU == 0 && v&RCResetCPU != 0 && h.reset != nil {
			h.reset(v&RCSystemReset != 0)
		}
	case port >= DataPort:
		if b, s, f, off, ok := h.decode(port); ok {
			h.WriteConfig(b, s, f, off, size, v)
		}
	}
}
