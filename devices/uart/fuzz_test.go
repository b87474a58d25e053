package uart

import (
	"io"
	"testing"

	"bt86/bus"
)

type levelSink struct{ level bool }

func (s *levelSink) SetIRQ(_ int, high bool) { s.level = high }

// FuzzPort checks that the IRQ line always equals "an interrupt is
// identified and OUT2 is set", whatever the guest and host do.
func FuzzPort(f *testing.F) {
	f.Add([]byte{4, 0x08, 1, 0x0F, 2, 0xC1, 8, 5, 10, 0, 0, 'x'})
	f.Add([]byte{4, 0x1B, 1, 0x0F, 0, 'a', 0, 'b', 13, 0, 9, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		irq := &levelSink{}
		p := New(COM1Base, COM1IRQ, irq, io.Discard)
		b := bus.New()
		if err := p.Attach(b); err != nil {
			t.Fatal(err)
		}
		for len(data) >= 2 {
			op, v := data[0], data[1]
			data = data[2:]
			switch {
			case op < 8:
				b.Out(COM1Base+uint16(op), 1, uint32(v))
			case op < 16:
				b.In(COM1Base+uint16(op-8), 1)
			case op < 24:
				p.Receive(make([]byte, v%20))
			default:
				p.SetModemStatus(v)
			}
			want := p.iir()&IIRNoInt == 0 && p.s.MCR&MCROUT2 != 0
			if irq.level != want {
				t.Fatalf("IRQ line %v, want %v", irq.level, want)
			}
			if p.s.RXCount > p.capacity() {
				t.Fatalf("FIFO holds %d", p.s.RXCount)
			}
		}
	})
}
