package vga

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bt86/bus"
)

// The interfaces the machine wires this device through.
var (
	_ bus.PortHandler = (*Adapter)(nil)
	_ bus.MMIOHandler = (*Adapter)(nil)
)

type rig struct {
	a   *Adapter
	bus *bus.Bus
}

func newRig(t *testing.T) *rig {
	r := &rig{a: New(), bus: bus.New()}
	require.NoError(t, r.a.Attach(r.bus))
	return r
}

// put writes s with attribute attr at row, col of an 80-column screen at
// 0xB8000, the way a guest does.
func (r *rig) put(row, col int, s string, attr uint8) {
	for i := 0; i < len(s); i++ {
		addr := uint64(TextBase + 2*(row*80+col+i))
		r.bus.WriteMMIO(addr, 2, uint64(attr)<<8|uint64(s[i]))
	}
}

func (r *rig) crtc(i, v uint8) { r.bus.Out(0x3D4, 2, uint32(v)<<8|uint32(i)) }

func TestCP437(t *testing.T) {
	assert.Equal(t, 256, utf8.RuneCountInString(cp437))
	tests := []struct {
		b uint8
		r rune
	}{
		{0x00, ' '}, {0x01, '☺'}, {0x1F, '▼'}, {0x20, ' '}, {'A', 'A'}, {0x7E, '~'}, {0x7F, '⌂'},
		{0x80, 'Ç'}, {0x9E, '₧'}, {0x9F, 'ƒ'}, {0xB0, '░'}, {0xB3, '│'}, {0xC4, '─'}, {0xC9, '╔'},
		{0xCD, '═'}, {0xDB, '█'}, {0xE1, 'ß'}, {0xE6, 'µ'}, {0xEE, 'ε'}, {0xF9, '∙'}, {0xFA, '·'},
		{0xFE, '■'}, {0xFF, '\u00a0'},
	}
	table := cp437Table()
	for _, tt := range tests {
		assert.Equal(t, tt.r, CP437(tt.b), "%#x", tt.b)
		assert.Equal(t, tt.r, table[tt.b], "%#x", tt.b)
	}
}

func TestPowerOnGeometry(t *testing.T) {
	r := newRig(t)
	assert.Equal(t, Geometry{Cols: 80, Rows: 25, Pitch: 80}, r.a.Geometry())
	lines := r.a.Text()
	assert.Len(t, lines, 25)
	for _, l := range lines {
		assert.Empty(t, l)
	}
	row, col, vis := r.a.Cursor()
	assert.Equal(t, []int{0, 0}, []int{row, col})
	assert.True(t, vis)
}

func TestText(t *testing.T) {
	r := newRig(t)
	r.put(0, 0, "Hello, world", 0x07)
	r.put(24, 70, "\xc9\xcd\xcd\xbb end", 0x1F)
	r.put(3, 79, "X", 0x07)
	lines := r.a.Text()
	assert.Equal(t, "Hello, world", lines[0])
	assert.Equal(t, strings.Repeat(" ", 70)+"╔══╗ end", lines[24])
	assert.Equal(t, strings.Repeat(" ", 79)+"X", lines[3])
	ch, attr := r.a.Cell(24, 70)
	assert.Equal(t, []uint8{0xC9, 0x1F}, []uint8{ch, attr})
}

func TestGeometryFromCRTC(t *testing.T) {
	tests := []struct {
		name string
		regs [][2]uint8 // CRTC writes, protection cleared first
		want Geometry
	}{
		{"80x50 with 8-line font", [][2]uint8{{0x09, 0x47}}, Geometry{Cols: 80, Rows: 50, Pitch: 80}},
		{"40 columns", [][2]uint8{{0x01, 0x27}, {0x13, 0x14}}, Geometry{Cols: 40, Rows: 25, Pitch: 40}},
		{"wider pitch", [][2]uint8{{0x13, 0x50}}, Geometry{Cols: 80, Rows: 25, Pitch: 160}},
		{"start address", [][2]uint8{{0x0C, 0x01}, {0x0D, 0x40}}, Geometry{Cols: 80, Rows: 25, Pitch: 80, Start: 0x140}},
		{"nonsense falls back", [][2]uint8{{0x01, 0x02}}, Geometry{Cols: 80, Rows: 25, Pitch: 80}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			r.crtc(0x11, 0x0E)
			for _, w := range tt.regs {
				r.crtc(w[0], w[1])
			}
			assert.Equal(t, tt.want, r.a.Geometry())
		})
	}
}

func TestStartAddressScrolls(t *testing.T) {
	r := newRig(t)
	r.put(0, 0, "first", 0x07)
	r.put(1, 0, "second", 0x07)
	r.crtc(0x0C, 0)
	r.crtc(0x0D, 80)
	lines := r.a.Text()
	assert.Equal(t, "second", lines[0])
	// The screen wraps around the 32 KiB window.
	r.crtc(0x0C, 0x3F)
	r.crtc(0x0D, 0xF0) // 16368: the last 16 cells, then the window start
	lines = r.a.Text()
	assert.Equal(t, strings.Repeat(" ", 16)+"first", lines[0])
}

func TestCRTCProtect(t *testing.T) {
	r := newRig(t)
	r.crtc(0x01, 0x27)
	assert.Equal(t, uint8(0x4F), r.a.State().CRTC[1], "registers 0-7 protected at power-on")
	r.crtc(0x07, 0xFF)
	assert.Equal(t, uint8(0x1F), r.a.State().CRTC[7], "only line compare bit 8 is writable")
	r.crtc(0x11, 0x0E)
	r.crtc(0x01, 0x27)
	assert.Equal(t, uint8(0x27), r.a.State().CRTC[1])
	r.crtc(0x30, 0x12) // beyond the CRTC: ignored
	r.bus.Out(0x3D4, 1, 0x0A)
	assert.Equal(t, uint32(0x0D), r.bus.In(0x3D5, 1))
	assert.Equal(t, uint32(0x0A), r.bus.In(0x3D4, 1))
}

func TestCursor(t *testing.T) {
	r := newRig(t)
	r.crtc(CRTCCursorHi, 0)
	r.crtc(CRTCCursorLo, 81)
	row, col, vis := r.a.Cursor()
	assert.Equal(t, []int{1, 1}, []int{row, col})
	assert.True(t, vis)
	r.crtc(CRTCCursorStart, 0x20)
	_, _, vis = r.a.Cursor()
	assert.False(t, vis)
	r.crtc(CRTCCursorStart, 0x0D)
	r.crtc(CRTCCursorHi, 0x07)
	r.crtc(CRTCCursorLo, 0xD0) // 2000: just past the screen
	_, _, vis = r.a.Cursor()
	assert.False(t, vis)
	r.crtc(CRTCStartLo, 0xD1)
	r.crtc(CRTCStartHi, 0x07)
	_, _, vis = r.a.Cursor()
	assert.False(t, vis, "cursor before the start address")
}

func TestDirty(t *testing.T) {
	r := newRig(t)
	assert.True(t, r.a.Dirty())
	var out bytes.Buffer
	require.NoError(t, r.a.Render(&out))
	assert.False(t, r.a.Dirty())
	steps := []struct {
		name  string
		do    func()
		dirty bool
	}{
		{"text write", func() { r.put(2, 2, "a", 0x07) }, true},
		{"same bytes again", func() { r.put(2, 2, "a", 0x07) }, false},
		{"graphics memory", func() { r.bus.WriteMMIO(MemBase, 1, 0x55) }, false},
		{"reads", func() { r.bus.ReadMMIO(TextBase, 2); r.bus.In(0x3D5, 1) }, false},
		{"cursor move", func() { r.crtc(CRTCCursorLo, 5) }, true},
		{"attribute write", func() { r.bus.In(0x3DA, 1); r.bus.Out(0x3C0, 2, 0x0120) }, true},
	}
	for _, s := range steps {
		r.a.MarkClean()
		s.do()
		assert.Equal(t, s.dirty, r.a.Dirty(), s.name)
	}
	r.a.Text()
	assert.True(t, r.a.Dirty(), "Text does not clear Dirty")
}

func TestAttributeController(t *testing.T) {
	r := newRig(t)
	r.bus.In(0x3DA, 1) // reset the flip-flop
	r.bus.Out(0x3C0, 1, 0x10)
	r.bus.Out(0x3C0, 1, 0x08) // mode control: blink
	r.bus.Out(0x3C0, 1, 0x20) // index with PAS set
	assert.Equal(t, uint32(0x20), r.bus.In(0x3C0, 1))
	r.bus.Out(0x3C0, 1, 0x00) // data for index 0 (palette 0)
	assert.Equal(t, uint8(0x08), r.a.State().Attr[0x10])
	assert.Equal(t, uint8(0x00), r.a.State().Attr[0])
	r.bus.Out(0x3C0, 1, 0x12) // index 0x12
	r.bus.In(0x3DA, 1)        // resets to index state
	r.bus.Out(0x3C0, 1, 0x33) // index 0x13 with PAS
	r.bus.Out(0x3C0, 1, 0x04)
	assert.Equal(t, uint8(0x04), r.a.State().Attr[0x13])
	assert.Equal(t, uint32(0x04), r.bus.In(0x3C1, 1))
	r.bus.Out(0x3C0, 1, 0x1F) // index beyond the registers
	r.bus.Out(0x3C0, 1, 0xAA)
	assert.Equal(t, uint8(0), r.a.State().Attr[0x1F])
}

func TestInputStatusToggles(t *testing.T) {
	r := newRig(t)
	var got []uint32
	for i := 0; i < 4; i++ {
		got = append(got, r.bus.In(0x3DA, 1)&0x09)
	}
	assert.Equal(t, []uint32{0, 9, 0, 9}, got)
	// A "wait for retrace start" loop ends.
	for i := 0; r.bus.In(0x3DA, 1)&8 != 0; i++ {
		require.Less(t, i, 3)
	}
	for i := 0; r.bus.In(0x3DA, 1)&8 == 0; i++ {
		require.Less(t, i, 3)
	}
}

func TestDAC(t *testing.T) {
	r := newRig(t)
	r.bus.Out(0x3C8, 1, 5)
	for _, v := range []uint32{0x3F, 0x20, 0x10, 0x01, 0x02, 0xFF} {
		r.bus.Out(0x3C9, 1, v)
	}
	assert.Equal(t, [3]uint8{0x3F, 0x20, 0x10}, r.a.State().DAC[5])
	assert.Equal(t, [3]uint8{0x01, 0x02, 0x3F}, r.a.State().DAC[6])
	assert.Equal(t, uint32(7), r.bus.In(0x3C8, 1))
	assert.Equal(t, uint32(0), r.bus.In(0x3C7, 1), "write mode")
	r.bus.Out(0x3C7, 1, 5)
	assert.Equal(t, uint32(3), r.bus.In(0x3C7, 1), "read mode")
	var got []uint32
	for i := 0; i < 4; i++ {
		got = append(got, r.bus.In(0x3C9, 1))
	}
	assert.Equal(t, []uint32{0x3F, 0x20, 0x10, 0x01}, got)
	r.bus.Out(0x3C6, 1, 0x0F)
	assert.Equal(t, uint32(0x0F), r.bus.In(0x3C6, 1))
}

func TestOtherRegisters(t *testing.T) {
	r := newRig(t)
	assert.Equal(t, uint32(0x67), r.bus.In(0x3CC, 1))
	r.bus.Out(0x3C2, 1, 0x63)
	assert.Equal(t, uint32(0x63), r.bus.In(0x3CC, 1))
	r.bus.Out(0x3C4, 2, 0x0F02) // sequencer map mask
	assert.Equal(t, uint32(0x02), r.bus.In(0x3C4, 1))
	assert.Equal(t, uint32(0x0F), r.bus.In(0x3C5, 1))
	r.bus.Out(0x3CE, 2, 0x0505)
	assert.Equal(t, uint32(0x0505), r.bus.In(0x3CE, 2))
	r.bus.Out(0x3DA, 1, 0x01)
	assert.Equal(t, uint32(0x01), r.bus.In(0x3CA, 1))
	r.bus.Out(0x3C3, 1, 0x00)
	assert.Equal(t, uint32(0x00), r.bus.In(0x3C3, 1))
	assert.Equal(t, uint32(0x00), r.bus.In(0x3C2, 1))
	assert.Equal(t, uint32(0xFF), r.bus.In(0x3D0, 1))
}

func TestMemoryMapSelect(t *testing.T) {
	r := newRig(t)
	r.bus.WriteMMIO(0xB0000, 2, 0x0741) // "A" in the monochrome window
	r.bus.Out(0x3CE, 2, 0x0A06)         // map B0000-B7FFF
	assert.Equal(t, "A", r.a.Text()[0])
	r.bus.Out(0x3CE, 2, 0x0206) // map A0000-BFFFF
	r.bus.WriteMMIO(0xA0000, 2, 0x0742)
	assert.Equal(t, "B", r.a.Text()[0])
	r.bus.Out(0x3CE, 2, 0x0606) // map A0000-AFFFF
	assert.Equal(t, "B", r.a.Text()[0])
}

func TestMMIOSizes(t *testing.T) {
	r := newRig(t)
	r.bus.WriteMMIO(TextBase, 8, 0x0807060504030201)
	assert.Equal(t, uint64(0x0807060504030201), r.bus.ReadMMIO(TextBase, 8))
	assert.Equal(t, uint64(0x0403), r.bus.ReadMMIO(TextBase+2, 2))
	assert.Equal(t, uint64(0x05), r.bus.ReadMMIO(TextBase+4, 1))
	// An access running off the end of the window.
	r.a.WriteMMIO(MemSize-1, 2, 0xBBAA)
	assert.Equal(t, uint64(0xFFAA), r.a.ReadMMIO(MemSize-1, 2))
}

func TestRender(t *testing.T) {
	r := newRig(t)
	r.put(0, 0, "ab", 0x07)
	r.put(1, 0, "\x01", 0x1E)
	var out bytes.Buffer
	require.NoError(t, r.a.Render(&out))
	assert.Equal(t, "ab\n☺\n"+strings.Repeat("\n", 23), out.String())

	out.Reset()
	r.crtc(CRTCCursorLo, 81)
	require.NoError(t, r.a.RenderANSI(&out))
	s := out.String()
	assert.True(t, strings.HasPrefix(s, "\x1b[?25l\x1b[H\x1b[0;37;40mab"), "%q", s[:40])
	assert.Contains(t, s, "\r\n\x1b[0;93;44m☺\x1b[0;30;40m ")
	assert.True(t, strings.HasSuffix(s, "\x1b[0m\x1b[2;2H\x1b[?25h"))
	assert.Equal(t, 24, strings.Count(s, "\r\n"))
	assert.False(t, r.a.Dirty())

	// Blink attribute with blinking enabled in the mode control register.
	r.put(0, 0, "z", 0x8F)
	out.Reset()
	require.NoError(t, r.a.RenderANSI(&out))
	assert.Contains(t, out.String(), "\x1b[0;97;40;5mz")
}

func TestResetAndState(t *testing.T) {
	r := newRig(t)
	r.put(0, 0, "keep", 0x07)
	r.crtc(0x11, 0x0E)
	r.crtc(0x01, 0x27)
	st := r.a.State()
	r2 := newRig(t)
	r2.a.SetState(st)
	assert.Equal(t, r.a.Text(), r2.a.Text())
	r.a.Reset()
	assert.Equal(t, Geometry{Cols: 80, Rows: 25, Pitch: 80}, r.a.Geometry())
	assert.Equal(t, "keep", r.a.Text()[0], "memory survives a reset")
}

func TestAttachConflict(t *testing.T) {
	b := bus.New()
	require.NoError(t, New().Attach(b))
	assert.Error(t, New().Attach(b))
}

func BenchmarkTextWrite(b *testing.B) {
	a := New()
	for i := 0; i < b.N; i++ {
		a.WriteMMIO(0x18000+uint64(i%2000)*2, 2, uint64(i))
	}
}

func BenchmarkRenderANSI(b *testing.B) {
	a := New()
	var out bytes.Buffer
	for i := 0; i < b.N; i++ {
		out.Reset()
		_ = a.RenderANSI(&out)
	}
}
