package cmos

import (
	"testing"
	"time"

	"bt86/bus"
	"bt86/clock"
)

type nullSink struct{}

func (nullSink) SetIRQ(int, bool) {}

// FuzzRTC writes arbitrary registers while time moves and checks that a
// serviced deadline always lies behind the next one.
func FuzzRTC(f *testing.F) {
	f.Add([]byte{0x0B, 0x72, 1, 0x80, 0x0A, 0x2F, 1, 5, 0x0C, 0, 1, 200})
	f.Add([]byte{0x01, 0xC0, 0x03, 0xC0, 0x05, 0xC0, 0x0B, 0x22, 1, 30, 0x0C, 0, 1, 9})
	f.Add([]byte{0x0B, 0x80, 0x00, 0x99, 0x08, 0x13, 0x0B, 0x12, 1, 250})
	f.Fuzz(func(t *testing.T, data []byte) {
		clk := &clock.Clock{}
		r := New(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), clk, nullSink{})
		b := bus.New()
		if err := r.Attach(b); err != nil {
			t.Fatal(err)
		}
		for len(data) >= 2 {
			op, v := data[0], data[1]
			data = data[2:]
			switch {
			case op == 1: // let time pass, servicing deadlines
				end := clk.Now() + clock.Time(v)*clock.Time(v)*clock.Millisecond
				for i := 0; ; i++ {
					d := r.Deadline()
					if d > end {
						break
					}
					if i > 100000 {
						t.Fatal("run loop does not progress")
					}
					clk.Set(d)
					r.Tick(clk.Now())
					if nd := r.Deadline(); nd <= clk.Now() {
						t.Fatalf("deadline %d not after now %d", nd, clk.Now())
					}
				}
				clk.Set(end)
			case op&0x80 != 0:
				b.Out(IndexPort, 1, uint32(op))
				b.In(DataPort, 1)
			default:
				b.Out(IndexPort, 1, uint32(op))
				b.Out(DataPort, 1, uint32(v))
			}
		}
	})
}
