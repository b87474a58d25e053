package pit

import (
	"testing"

	"bt86/bus"
	"bt86/clock"
)

type nullSink struct{}

func (nullSink) SetIRQ(int, bool) {}

// FuzzTimer programs the timer arbitrarily while time moves, like a run
// loop that services deadlines, and checks that servicing a deadline
// always moves the next one past the present (so the loop progresses).
func FuzzTimer(f *testing.F) {
	f.Add([]byte{3, 0x34, 0, 0xA9, 0, 0x04, 4, 200, 4, 255})
	f.Add([]byte{3, 0xB6, 2, 0x02, 2, 0x00, 5, 0x01, 4, 10, 3, 0xC2, 1, 0})
	f.Add([]byte{3, 0x38, 0, 1, 0, 0, 4, 3, 3, 0x30, 0, 5, 0, 0, 4, 9})
	ports := []uint16{0x40, 0x41, 0x42, 0x43, 0x61}
	f.Fuzz(func(t *testing.T, data []byte) {
		clk := &clock.Clock{}
		p := New(clk, nullSink{})
		b := bus.New()
		if err := p.Attach(b); err != nil {
			t.Fatal(err)
		}
		for len(data) >= 2 {
			op, v := data[0], data[1]
			data = data[2:]
			switch op % 7 {
			case 0, 1, 2, 3:
				b.Out(ports[op%4], 1, uint32(v))
			case 5:
				b.Out(PortB, 1, uint32(v))
			case 6:
				b.In(ports[int(op/7)%len(ports)], 1)
			case 4:
				end := clk.Now() + clock.Time(v)*clock.Time(v)*1000
				for i := 0; ; i++ {
					d := p.Deadline()
					if d > end {
						break
					}
					if i > 100000 {
						t.Fatal("run loop does not progress")
					}
					clk.Set(d)
					p.Tick(clk.Now())
					if nd := p.Deadline(); nd <= clk.Now() {
						t.Fatalf("deadline %d not after now %d", nd, clk.Now())
					}
				}
				clk.Set(end)
			}
		}
	})
}
