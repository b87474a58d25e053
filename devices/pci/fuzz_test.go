package pci

import (
	"testing"
)

// FuzzConfig hammers the board's config space through the ports and
// checks the read-only identity registers survive.
func FuzzConfig(f *testing.F) {
	f.Add([]byte{0x80, 0, 0x08, 0x59, 0xFF, 0x33})
	f.Add([]byte{0x80, 0, 0x09, 0x20, 0xFF, 0xFF, 0x80, 0, 0x08, 0x60, 0x0B, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		b := newBoard(t)
		for len(data) >= 6 {
			a := uint32(data[0])<<24 | uint32(data[1])<<16 | uint32(data[2])<<8 | uint32(data[3])
			v := uint32(data[4]) | uint32(data[5])<<8
			size := uint8(1) << (data[3] & 3 % 3)
			port := DataPort + uint16(data[3]&3)
			data = data[6:]
			b.bus.Out(AddressPort, 4, a)
			b.bus.Out(port, size, v|v<<16)
			b.bus.In(port, size)
			b.isa.SetINTx(int(a>>11&31), int(a&3), v&1 != 0)
		}
		b.bus.Out(AddressPort, 4, addr(0, 1, 1, 0))
		if got := b.bus.In(DataPort, 4); got != 0x70108086 {
			t.Fatalf("IDE identity changed: %#x", got)
		}
		b.bus.Out(AddressPort, 4, addr(0, 0, 0, 8))
		if got := b.bus.In(DataPort, 4); got != 0x06000002 {
			t.Fatalf("host bridge class changed: %#x", got)
		}
	})
}
