package pic

import (
	"testing"

	"bt86/bus"
)

// FuzzPorts drives the pair with arbitrary port writes, reads, line
// changes and acknowledges, checking that the cached pending flag always
// matches a full recomputation and that the cascade line follows the
// slave.
func FuzzPorts(f *testing.F) {
	f.Add([]byte{0, 0x11, 1, 0x08, 1, 0x04, 1, 0x01, 8, 3, 12, 0})
	f.Add([]byte{0, 0x13, 1, 0x20, 1, 0x03, 8, 0x15, 4, 0xC, 12, 0, 2, 0x68})
	ports := []uint16{0x20, 0x21, 0xA0, 0xA1, 0x4D0, 0x4D1}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := New()
		b := bus.New()
		if err := c.Attach(b); err != nil {
			t.Fatal(err)
		}
		for len(data) >= 2 {
			op, v := data[0], data[1]
			data = data[2:]
			switch op % 4 {
			case 0:
				b.Out(ports[int(op/4)%len(ports)], 1, uint32(v))
			case 1:
				b.In(ports[int(op/4)%len(ports)], 1)
			case 2:
				c.SetIRQ(int(v%16), v&0x10 != 0)
			case 3:
				if c.HasInterrupt() {
					c.Acknowledge()
				}
			}
			if got, want := c.HasInterrupt(), c.s.Master.request(true) >= 0; got != want {
				t.Fatalf("cached pending %v, recomputed %v", got, want)
			}
			slave := c.s.Slave.request(false) >= 0
			if (c.s.Master.Lines&4 != 0) != slave {
				t.Fatalf("cascade line %v, slave INT %v", c.s.Master.Lines&4 != 0, slave)
			}
		}
	})
}
