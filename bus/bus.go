package bus

import (
	"fmt"
	"sort"
)

// PortHandler serves I/O port accesses. size is 1, 2 or 4 bytes.
type PortHandler interface {
	ReadPort(port uint16, size uint8) uint32
	WritePort(port uint16, size uint8, v uint32)
}

// MMIOHandler serves memory-mapped accesses; off is relative to the start
// of the region the handler was mapped at. size is 1, 2, 4 or 8 bytes.
type MMIOHandler interface {
	ReadMMIO(off uint64, size uint8) uint64
	WriteMMIO(off uint64, size uint8, v uint64)
}

// IRQSink receives interrupt-line level changes (an interrupt controller).
type IRQSink interface {
	SetIRQ(line int, high bool)
}

// Region is one MMIO mapping.
type Region struct {
	Base, Size uint64
	Name       string
	Handler    MMIOHandler
}

// Bus is the I/O port table and MMIO region list of one machine.
type Bus struct {
	ports     [65536]PortHandler
	portNames map[uint16]string
	regions   []Region // sorted by Base, non-overlapping
	// IOTrace, when non-nil, sees every port access (for -d io).
	IOTrace func(write bool, port uint16, size uint8, v uint32)
	// MMIOTrace, when non-nil, sees every device memory access (-d io).
	MMIOTrace func(write bool, addr uint64, size uint8, v uint64)
}

// New returns an empty bus.
func New() *Bus {
	return &Bus{portNames: make(map[uint16]string)}
}

// MapPorts registers h for ports first..last inclusive. Overlapping an
// already mapped port is an error naming both owners.
func (b *Bus) MapPorts(name string, first, last uint16, h PortHandler) error {
	if last < first {
		return fmt.Errorf("bus: %s: empty port range %#x-%#x", name, first, last)
	}
	for p := uint32(first); p <= uint32(last); p++ {
		if b.ports[p] != nil {
			return fmt.Errorf("bus: %s: port %#x already used by %s", name, p, b.portNames[uint16(p)])
		}
	}
	for p := uint32(first); p <= uint32(last); p++ {
		b.ports[p] = h
		b.portNames[uint16(p)] = name
	}
	return nil
}

// UnmapPorts removes whatever handles ports first..last.
func (b *Bus) UnmapPorts(first, last uint16) {
	for p := uint32(first); p <= uint32(last); p++ {
		b.ports[p] = nil
		delete(b.portNames, uint16(p))
	}
}

// In reads size bytes from port. Unmapped ports read as all ones.
func (b *Bus) In(port uint16, size uint8) uint32 {
	var v uint32
	if h := b.ports[port]; h != nil {
		v = h.ReadPort(port, size)
	} else {
		v = ^uint32(0)
	}
	v &= sizeMask32(size)
	if b.IOTrace != nil {
		b.IOTrace(false, port, size, v)
	}
	return v
}

// Out writes size bytes to port. Writes to unmapped ports are dropped.
func (b *Bus) Out(port uint16, size uint8, v uint32) {
	v &= sizeMask32(size)
	if b.IOTrace != nil {
		b.IOTrace(true, port, size, v)
	}
	if h := b.ports[port]; h != nil {
		h.WritePort(port, size, v)
	}
}

func sizeMask32(size uint8) uint32 {
	switch size {
	case 1:
		return 0xFF
	case 2:
		return 0xFFFF
	}
	return 0xFFFFFFFF
}

// MapMMIO registers h for physical addresses [base, base+size).
func (b *Bus) MapMMIO(name string, base, size uint64, h MMIOHandler) error {
	if size == 0 || base+size < base {
		return fmt.Errorf("bus: %s: bad MMIO range %#x+%#x", name, base, size)
	}
	for _, r := range b.regions {
		if base < r.Base+r.Size && r.Base < base+size {
			return fmt.Errorf("bus: %s: MMIO %#x+%#x overlaps %s", name, base, size, r.Name)
		}
	}
	b.regions = append(b.regions, Region{Base: base, Size: size, Name: name, Handler: h})
	sort.Slice(b.regions, func(i, j int) bool { return b.regions[i].Base < b.regions[j].Base })
	return nil
}

// UnmapMMIO removes the region starting at base, if any.
func (b *Bus) UnmapMMIO(base uint64) {
	for i, r := range b.regions {
		if r.Base == base {
			b.regions = append(b.regions[:i], b.regions[i+1:]...)
			return
		}
	}
}

// Regions returns the MMIO regions, sorted by base address.
func (b *Bus) Regions() []Region { return b.regions }

// FindMMIO returns the region holding addr.
func (b *Bus) FindMMIO(addr uint64) (*Region, bool) {
	i := sort.Search(len(b.regions), func(i int) bool { return b.regions[i].Base+b.regions[i].Size > addr })
	if i < len(b.regions) && b.regions[i].Base <= addr {
		return &b.regions[i], true
	}
	return nil, false
}

// ReadMMIO reads size bytes at physical address addr. Unmapped addresses
// read as all ones.
func (b *Bus) ReadMMIO(addr uint64, size uint8) uint64 {
	v := ^uint64(0)
	if r, ok := b.FindMMIO(addr); ok {
		v = r.Handler.ReadMMIO(addr-r.Base, size)
	} else if size != 8 {
		v = uint64(sizeMask32(size))
	}
	if b.MMIOTrace != nil {
		b.MMIOTrace(false, addr, size, v)
	}
	return v
}

// WriteMMIO writes size bytes at physical address addr. Writes to
// unmapped addresses are dropped.
func (b *Bus) WriteMMIO(addr uint64, size uint8, v uint64) {
	if b.MMIOTrace != nil {
		b.MMIOTrace(true, addr, size, v)
	}
	if r, ok := b.FindMMIO(addr); ok {
		r.Handler.WriteMMIO(addr-r.Base, size, v)
	}
}
