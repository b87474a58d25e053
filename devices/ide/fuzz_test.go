package ide

import (
	"testing"

	"bt86/bus"
)

// FuzzPorts drives the channel ports with random accesses: no panics,
// and no access outside the disk.
func FuzzPorts(f *testing.F) {
	f.Add([]byte{6, 0xE0, 2, 1, 7, 0x20, 0, 0, 0, 0})
	f.Add([]byte{6, 0xE0, 2, 0, 5, 0xFF, 7, 0x34, 0, 1, 0, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		b := bus.New()
		c := New(&irqLog{})
		if err := c.Attach(b); err != nil {
			t.Fatal(err)
		}
		d := &memDisk{b: make([]byte, 64*SectorSize)}
		if err := c.SetDisk(0, 0, d); err != nil {
			t.Fatal(err)
		}
		if err := c.SetCDROM(1, 1, &memDisk{b: make([]byte, 3*CDSectorSize+100)}); err != nil {
			t.Fatal(err)
		}
		ports := []uint16{PrimaryCmd, PrimaryCtl, SecondaryCmd, SecondaryCtl}
		for len(data) >= 2 {
			op, v := data[0], data[1]
			data = data[2:]
			port := ports[op>>6&3]
			if port == PrimaryCmd || port == SecondaryCmd {
				port += uint16(op & 7)
			}
			size := uint8(1) << (op >> 3 & 3 % 3)
			if op&0x20 != 0 {
				b.Out(port, size, uint32(v)*0x01010101)
			} else {
				b.In(port, size)
			}
		}
		if len(d.b) != 64*SectorSize {
			t.Fatal("disk grew")
		}
	})
}
