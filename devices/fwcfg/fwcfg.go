package fwcfg

import (
	"encoding/binary"
	"fmt"
	"sort"

	"bt86/bus"
)

// Ports of the traditional interface.
const (
	SelectorPort = 0x510
	DataPort     = 0x511
)

// Well-known keys.
const (
	KeySignature    = 0x0000
	KeyID           = 0x0001
	KeyRAMSize      = 0x0003
	KeyNbCPUs       = 0x0005
	KeyIRQ0Override = 0x000A
	KeyBootMenu     = 0x000E
	KeyMaxCPUs      = 0x000F
	KeyFileDir      = 0x0019
	firstFile       = 0x0020
	maxFiles        = 0x1000
	nameLen         = 56
)

// State is the guest-visible state: the selected key and the read offset.
type State struct {
	Key    uint16
	Offset int
}

// Device is the fw_cfg device.
type Device struct {
	s       State
	entries map[uint16][]byte
	files   map[string]uint16
}

// New returns a device with the signature, ID and an empty file directory.
func New() *Device {
	d := &Device{entries: make(map[uint16][]byte), files: make(map[string]uint16)}
	d.entries[KeySignature] = []byte("QEMU")
	d.entries[KeyID] = binary.LittleEndian.AppendUint32(nil, 1)
	d.updateDir()
	return d
}

// SetEntry sets numbered entry key (below 0x20, not a fixed one).
func (d *Device) SetEntry(key uint16, data []byte) error {
	if key >= firstFile || key == KeySignature || key == KeyID || key == KeyFileDir {
		return fmt.Errorf("fwcfg: key %#x is not a settable entry", key)
	}
	d.entries[key] = append([]byte(nil), data...)
	return nil
}

// AddFile adds a named file (for example "vgaroms/vgabios.bin").
func (d *Device) AddFile(name string, data []byte) error {
	switch {
	case name == "" || len(name) >= nameLen:
		return fmt.Errorf("fwcfg: file name %q: want 1 to %d bytes", name, nameLen-1)
	case len(d.files) >= maxFiles:
		return fmt.Errorf("fwcfg: too many files")
	}
	if _, dup := d.files[name]; dup {
		return fmt.Errorf("fwcfg: file %q already added", name)
	}
	key := uint16(firstFile + len(d.files))
	d.files[name] = key
	d.entries[key] = append([]byte(nil), data...)
	d.updateDir()
	return nil
}

// updateDir rebuilds the file directory entry.
func (d *Device) updateDir() {
	names := make([]string, 0, len(d.files))
	for n := range d.files {
		names = append(names, n)
	}
	sort.Strings(names)
	dir := binary.BigEndian.AppendUint32(nil, uint32(len(names)))
	for _, n := range names {
		key := d.files[n]
		dir = binary.BigEndian.AppendUint32(dir, uint32(len(d.entries[key])))
		dir = binary.BigEndian.AppendUint16(dir, key)
		dir = binary.BigEndian.AppendUint16(dir, 0)
		var name [nameLen]byte
		copy(name[:], n)
		dir = append(dir, name[:]...)
	}
	d.entries[KeyFileDir] = dir
}

// Attach maps the selector and data ports on b.
func (d *Device) Attach(b *bus.Bus) error {
	return b.MapPorts("fw_cfg", SelectorPort, DataPort, d)
}

// Reset selects the signature.
func (d *Device) Reset() { d.s = State{} }

// State returns the guest-visible state.
func (d *Device) State() State { return d.s }

// SetState replaces the guest-visible state.
func (d *Device) SetState(s State) { d.s = s }

// ReadPort implements bus.PortHandler.
func (d *Device) ReadPort(port uint16, size uint8) uint32 {
	if port == SelectorPort {
		return uint32(d.s.Key)
	}
	var v uint32
	e := d.entries[d.s.Key]
	for i := uint8(0); i < size; i++ {
		if d.s.Offset < len(e) {
			v |= uint32(e[d.s.Offset]) << (8 * i)
			d.s.Offset++
		}
	}
	return v
}

// WritePort implements bus.PortHandler.
func (d *Device) WritePort(port uint16, size uint8, v uint32) {
	if port == SelectorPort && size >= 2 {
		d.s = State{Key: uint16(v)}
	}
}
