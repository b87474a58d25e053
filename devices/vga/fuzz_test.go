package vga

import (
	"io"
	"testing"
)

// FuzzAdapter programs arbitrary registers and memory and renders: the
// renderer must cope with any CRTC contents.
func FuzzAdapter(f *testing.F) {
	f.Add([]byte{0x14, 0x11, 0x0E, 0x14, 0x01, 0xFF, 0x14, 0x13, 0x00, 0x0E, 0x06, 0x02})
	f.Add([]byte{0x14, 0x09, 0x1F, 0x14, 0x12, 0x00, 0x14, 0x0C, 0xFF, 0x00, 0x3C, 0x41})
	f.Fuzz(func(t *testing.T, data []byte) {
		a := New()
		for len(data) >= 3 {
			port := 0x3C0 + uint16(data[0]&0x1F)
			a.WritePort(port, 1, uint32(data[1]))
			a.WritePort(port+1, 1, uint32(data[2]))
			a.ReadPort(port, 2)
			a.WriteMMIO(uint64(data[1])<<9|uint64(data[2])<<1, 2, uint64(data[0]))
			data = data[3:]
		}
		g := a.Geometry()
		if g.Cols < 1 || g.Rows < 1 || g.Pitch < g.Cols {
			t.Fatalf("bad geometry %+v", g)
		}
		if n := len(a.Text()); n != g.Rows {
			t.Fatalf("%d lines for %d rows", n, g.Rows)
		}
		if err := a.RenderANSI(io.Discard); err != nil {
			t.Fatal(err)
		}
	})
}
