package vga

import (
	"fmt"
	"io"
	"strings"
)

// cp437 lists the 256 characters of code page 437 in order, with NUL
// shown as a space and 0xFF as a no-break space.
const cp437 = " ☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼" +
	" !\"#$%&'()*+,-./0123456789:;<=>?" +
	"@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_" +
	"`abcdefghijklmnopqrstuvwxyz{|}~⌂" +
	"ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒ" +
	"áíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐" +
	"└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀" +
	"αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0"

// CP437 returns the Unicode character for code page 437 byte b.
func CP437(b uint8) rune {
	i := 0
	for _, r := range cp437 {
		if i == int(b) {
			return r
		}
		i++
	}
	return ' '
}

// cp437Table returns the whole code page as a table.
func cp437Table() *[256]rune {
	var t [256]rune
	i := 0
	for _, r := range cp437 {
		t[i] = r
		i++
	}
	return &t
}

// Geometry is the text screen layout the CRTC describes.
type Geometry struct {
	Cols, Rows int
	Pitch      int // characters from one row to the next
	Start      int // character offset of the top-left cell
}

// Geometry returns the current text screen layout.
func (a *Adapter) Geometry() Geometry {
	c := &a.s.CRTC
	g := Geometry{Cols: int(c[CRTCHDisplayEnd]) + 1}
	vde := int(c[CRTCVDisplayEnd]) | int(c[CRTCOverflow]&0x02)<<7 | int(c[CRTCOverflow]&0x40)<<3
	g.Rows = (vde + 1) / (int(c[CRTCMaxScan]&0x1F) + 1)
	g.Pitch = int(c[CRTCOffset]) * 2
	if g.Cols < 8 || g.Cols > 160 || g.Rows < 1 || g.Rows > 100 {
		g.Cols, g.Rows = 80, 25
	}
	if g.Pitch < g.Cols {
		g.Pitch = g.Cols
	}
	g.Start = int(c[CRTCStartHi])<<8 | int(c[CRTCStartLo])
	return g
}

// Cell returns the character and attribute at row, col of the screen.
func (a *Adapter) Cell(row, col int) (ch, attr uint8) {
	g := a.Geometry()
	return a.cell(g, row, col)
}

func (a *Adapter) cell(g Geometry, row, col int) (ch, attr uint8) {
	lo, hi := a.window()
	size := int(hi - lo)
	off := ((g.Start + row*g.Pitch + col) * 2) % size
	return a.s.Mem[int(lo)+off], a.s.Mem[int(lo)+(off+1)%size]
}

// Cursor returns the cursor position on the screen and whether it shows.
func (a *Adapter) Cursor() (row, col int, visible bool) {
	g := a.Geometry()
	c := &a.s.CRTC
	pos := (int(c[CRTCCursorHi])<<8 | int(c[CRTCCursorLo])) - g.Start
	if pos < 0 {
		return 0, 0, false
	}
	row, col = pos/g.Pitch, pos%g.Pitch
	visible = c[CRTCCursorStart]&0x20 == 0 && row < g.Rows && col < g.Cols
	return row, col, visible
}

// Text returns the screen as lines of UTF-8 with trailing spaces removed.
// It does not clear Dirty.
func (a *Adapter) Text() []string {
	g := a.Geometry()
	t := cp437Table()
	lines := make([]string, g.Rows)
	var sb strings.Builder
	for r := range lines {
		sb.Reset()
		for c := 0; c < g.Cols; c++ {
			ch, _ := a.cell(g, r, c)
			sb.WriteRune(t[ch])
		}
		lines[r] = strings.TrimRight(sb.String(), " \u00a0")
	}
	return lines
}

// Render writes the screen as plain text, one line per row, and clears
// Dirty.
func (a *Adapter) Render(w io.Writer) error {
	a.MarkClean()
	_, err := io.WriteString(w, strings.Join(a.Text(), "\n")+"\n")
	return err
}

// cgaToANSI maps the CGA colour order (blue, green, red bits) to ANSI's
// (red, green, blue).
const cgaToANSI = "\x00\x04\x02\x06\x01\x05\x03\x07"

// RenderANSI redraws the whole screen on an ANSI terminal: cursor home,
// each row with its colours, the cursor placed and shown or hidden. It
// clears Dirty.
func (a *Adapter) RenderANSI(w io.Writer) error {
	a.MarkClean()
	g := a.Geometry()
	t := cp437Table()
	blink := a.s.Attr[0x10]&0x08 != 0
	b := &a.buf
	b.Reset()
	b.WriteString("\x1b[?25l\x1b[H")
	last := -1
	for r := 0; r < g.Rows; r++ {
		for c := 0; c < g.Cols; c++ {
			ch, attr := a.cell(g, r, c)
			if int(attr) != last {
				last = int(attr)
				fg, bg := attr&0x0F, attr>>4
				if blink {
					bg &= 7
				}
				fgBase, bgBase := 30, 40
				if fg&8 != 0 {
					fgBase = 90
				}
				if bg&8 != 0 {
					bgBase = 100
				}
				fmt.Fprintf(b, "\x1b[0;%d;%d", fgBase+int(cgaToANSI[fg&7]), bgBase+int(cgaToANSI[bg&7]))
				if blink && attr&0x80 != 0 {
					b.WriteString(";5")
				}
				b.WriteByte('m')
			}
			b.WriteRune(t[ch])
		}
		if r+1 < g.Rows {
			b.WriteString("\r\n")
		}
	}
	b.WriteString("\x1b[0m")
	if row, col, ok := a.Cursor(); ok {
		fmt.Fprintf(b, "\x1b[%d;%dH\x1b[?25h", row+1, col+1)
	}
	_, err := w.Write(b.Bytes())
	return err
}
