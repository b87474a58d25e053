package bios

// Text video: one 80x25 colour text screen at 0xB8000 (modes 2, 3 and 7
// are accepted and all shown as mode 3), eight pages of 4 KiB.

const (
	textBase  = 0xB8000
	textCols  = 80
	textRows  = 25
	pageSize  = 0x1000
	numPages  = 8
	crtcIndex = 0x3D4
	crtcData  = 0x3D5
	com1      = 0x3F8
)

func (b *BIOS) int10(r *Regs) {
	switch r.AH() {
	case 0x00:
		b.setMode(r.AL()&0x7F, r.AL()&0x80 == 0)
		r.SetAL(0x30)
	case 0x01:
		b.write16(bdaCursorType, r.CX())
		b.crtc(0x0A, r.CH())
		b.crtc(0x0B, r.CL())
	case 0x02:
		b.setCursor(r.BH()&7, r.DH(), r.DL())
	case 0x03:
		row, col := b.cursor(r.BH() & 7)
		r.SetDH(row)
		r.SetDL(col)
		r.SetCX(b.read16(bdaCursorType))
	case 0x05:
		p := r.AL() & 7
		b.write8(bdaVideoPage, p)
		b.write16(bdaVideoStart, uint16(p)*pageSize)
		start := uint16(p) * pageSize / 2
		b.crtc(0x0C, uint8(start>>8))
		b.crtc(0x0D, uint8(start))
		row, col := b.cursor(p)
		b.setCursor(p, row, col)
	case 0x06, 0x07:
		b.scroll(r.AH() == 0x07, r.AL(), r.BH(), r.CH(), r.CL(), r.DH(), r.DL())
	case 0x08:
		p := r.BH() & 7
		row, col := b.cursor(p)
		r.SetAX(b.read16(cellAddr(p, row, col)))
	case 0x09, 0x0A:
		p := r.BH() & 7
		row, col := b.cursor(p)
		addr := cellAddr(p, row, col)
		n := min(int(r.CX()), textCols*textRows-int(row)*textCols-int(col))
		for i := range n {
			if r.AH() == 0x09 {
				b.write16(addr+uint32(i)*2, uint16(r.BL())<<8|uint16(r.AL()))
			} else {
				b.write8(addr+uint32(i)*2, r.AL())
			}
		}
	case 0x0E:
		b.teletype(r.AL(), b.read8(bdaVideoPage), 0)
	case 0x0F:
		r.SetAL(b.read8(bdaVideoMode))
		r.SetAH(uint8(b.read16(bdaVideoCols)))
		r.SetBH(b.read8(bdaVideoPage))
	case 0x10:
		// Palette: the text screen's colours are fixed; accepted.
	case 0x11:
		if r.AL() == 0x30 {
			// Font information: 16-line characters, 25 rows; no font
			// pointer (ES:BP = 0).
			r.SetCX(16)
			r.SetDL(textRows - 1)
			r.ES = 0
			set16(&r.EBP, 0)
		}
	case 0x12:
		if r.BL() == 0x10 {
			r.SetBX(0x0003) // colour, 256 KiB
			r.SetCX(0x0009) // feature bits 0, switches 1001
		}
	case 0x13:
		b.writeString(r)
	case 0x1A:
		if r.AL() == 0x00 {
			r.SetAL(0x1A)
			r.SetBX(0x0008) // VGA with colour display
		}
	}
	// Other functions (VESA 4Fxxh among them) leave the registers as
	// they were, which callers read as "not supported".
}

// setMode sets a text mode and clears the screen unless told not to.
func (b *BIOS) setMode(mode uint8, clearScreen bool) {
	switch mode {
	case 2, 3, 7:
	default:
		mode = 3
	}
	b.write8(bdaVideoMode, mode)
	b.write16(bdaVideoCols, textCols)
	b.write16(bdaVideoSize, pageSize)
	b.write16(bdaVideoStart, 0)
	b.write(bdaCursorPos, make([]byte, 16))
	b.write16(bdaCursorType, 0x0607)
	b.write8(bdaVideoPage, 0)
	b.write16(bdaCRTCBase, crtcIndex)
	b.write8(bdaVideoCtl, 0x29)
	b.write8(bdaVideoPal, 0x30)
	b.write8(bdaVideoRows, textRows-1)
	b.write16(bdaCharHeight, 16)
	b.write8(bdaVideoMisc, 0x60)
	b.write8(bdaVideoSwit, 0x09)
	b.write8(bdaVideoFlags, 0x51)
	b.write8(bdaVideoDCC, 0x0B)
	b.crtc(0x0A, 0x06)
	b.crtc(0x0B, 0x07)
	b.crtc(0x0C, 0)
	b.crtc(0x0D, 0)
	if clearScreen {
		blank := make([]byte, pageSize*numPages/2)
		for i := 0; i < len(blank); i += 2 {
			blank[i], blank[i+1] = ' ', 0x07
		}
		b.write(textBase, blank)
		b.write(textBase+uint32(len(blank)), blank)
	}
	b.setCursor(0, 0, 0)
}

// crtc writes CRTC register i.
func (b *BIOS) crtc(i, v uint8) {
	b.host.Out(crtcIndex, 1, uint32(i))
	b.host.Out(crtcData, 1, uint32(v))
}

// cellAddr is the address of a character cell.
func cellAddr(page, row, col uint8) uint32 {
	return textBase + uint32(page)*pageSize + (uint32(row)*textCols+uint32(col))*2
}

// cursor returns page p's cursor.
func (b *BIOS) cursor(p uint8) (row, col uint8) {
	v := b.read16(bdaCursorPos + uint32(p)*2)
	return uint8(v >> 8), uint8(v)
}

// setCursor moves page p's cursor (clipped to the screen); the hardware
// cursor follows the active page.
func (b *BIOS) setCursor(p, row, col uint8) {
	row, col = min(row, textRows-1), min(col, textCols-1)
	b.write16(bdaCursorPos+uint32(p)*2, uint16(row)<<8|uint16(col))
	if p == b.read8(bdaVideoPage) {
		pos := uint16(p)*pageSize/2 + uint16(row)*textCols + uint16(col)
		b.crtc(0x0E, uint8(pos>>8))
		b.crtc(0x0F, uint8(pos))
	}
}

// scroll moves the window (top, left)-(bottom, right) of the active page
// up or down by n lines (0: clear it), filling with attr blanks.
func (b *BIOS) scroll(down bool, n, attr, top, left, bottom, right uint8) {
	bottom, right = min(bottom, textRows-1), min(right, textCols-1)
	if top > bottom || left > right {
		return
	}
	p := b.read8(bdaVideoPage)
	height := bottom - top + 1
	if n == 0 || n > height {
		n = height
	}
	width := int(right-left+1) * 2
	blank := make([]byte, width)
	for i := 0; i < width; i += 2 {
		blank[i], blank[i+1] = ' ', attr
	}
	line := func(row uint8) uint32 { return cellAddr(p, row, left) }
	if !down {
		for row := top; row+n <= bottom; row++ {
			b.write(line(row), b.read(line(row+n), width))
		}
		for row := bottom - n + 1; row <= bottom && row >= top; row++ {
			b.write(line(row), blank)
		}
		return
	}
	for row := bottom; row >= top+n; row-- {
		b.write(line(row), b.read(line(row-n), width))
	}
	for row := top; row < top+n; row++ {
		b.write(line(row), blank)
	}
}

// teletype writes ch at page p's cursor with BEL, BS, CR and LF
// interpreted, scrolling at the bottom; attr 0 keeps the cell's colour.
// With a serial console the byte is echoed to COM1.
func (b *BIOS) teletype(ch, p, attr uint8) {
	if b.cfg.SerialConsole {
		b.serialOut(ch)
	}
	row, col := b.cursor(p)
	switch ch {
	case 0x07:
		return
	case 0x08:
		if col > 0 {
			col--
		}
	case '\r':
		col = 0
	case '\n':
		row++
	default:
		addr := cellAddr(p, row, col)
		if attr == 0 {
			b.write8(addr, ch)
		} else {
			b.write16(addr, uint16(attr)<<8|uint16(ch))
		}
		col++
		if col >= textCols {
			col = 0
			row++
		}
	}
	if row >= textRows {
		if p == b.read8(bdaVideoPage) {
			b.scroll(false, 1, 0x07, 0, 0, textRows-1, textCols-1)
		}
		row = textRows - 1
	}
	b.setCursor(p, row, col)
}

// serialOut sends ch to COM1 unless the guest has the divisor latch open.
func (b *BIOS) serialOut(ch uint8) {
	if b.host.In(com1+3, 1)&0x80 == 0 {
		b.host.Out(com1, 1, uint32(ch))
	}
}

// print writes s through the teletype on the active page.
func (b *BIOS) print(s string) {
	p := b.read8(bdaVideoPage)
	for i := range len(s) {
		b.teletype(s[i], p, 0)
	}
}

// writeString is INT 10h AH=13h: CX characters at ES:BP, at (DH, DL) of
// page BH; AL bit 0 moves the cursor, bit 1 means (char, attr) pairs.
func (b *BIOS) writeString(r *Regs) {
	p := r.BH() & 7
	oldRow, oldCol := b.cursor(p)
	b.setCursor(p, r.DH(), r.DL())
	step := uint32(1)
	if r.AL()&2 != 0 {
		step = 2
	}
	src := linear(r.ES, r.BP())
	for i := range uint32(r.CX()) {
		ch := b.read8(src + i*step)
		attr := r.BL()
		if step == 2 {
			attr = b.read8(src + i*step + 1)
		}
		b.teletype(ch, p, attr)
	}
	if r.AL()&1 == 0 {
		b.setCursor(p, oldRow, oldCol)
	}
}
