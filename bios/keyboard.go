package bios

import "strings"

// The keyboard: INT 09h (IRQ1) turns set-1 scan codes from the i8042
// into BIOS key codes (scan code << 8 | ASCII) in the BDA's 16-word ring
// buffer and keeps the shift flags at 0x417; INT 16h reads them.

// Shift flag bits at 0x417.
const (
	kfRShift = 0x01
	kfLShift = 0x02
	kfCtrl   = 0x04
	kfAlt    = 0x08
	kfScroll = 0x10
	kfNum    = 0x20
	kfCaps   = 0x40
	kfInsert = 0x80

	kmE0 = 0x02 // at 0x496: the last byte was the E0h prefix
)

// keymap: for scan codes 0x01-0x39, the ASCII of the plain and the
// shifted key (0: none).
const (
	keysPlain   = "\x00\x1b1234567890-=\x08\tqwertyuiop[]\r\x00asdfghjkl;'`\x00\\zxcvbnm,./\x00*\x00 "
	keysShifted = "\x00\x1b!@#$%^&*()_+\x08\tQWERTYUIOP{}\r\x00ASDFGHJKL:\"~\x00|ZXCVBNM<>?\x00*\x00 "
)

// KeyCode translates a make code (no prefix) with the shift flags into
// the BIOS key code; ok is false for keys that give none.
func KeyCode(sc uint8, flags uint8, extended bool) (uint16, bool) {
	code := uint16(sc) << 8
	shift := flags&(kfLShift|kfRShift) != 0
	switch {
	case sc >= 0x3B && sc <= 0x44: // F1-F10
		switch {
		case flags&kfAlt != 0:
			return uint16(sc+0x2D) << 8, true
		case flags&kfCtrl != 0:
			return uint16(sc+0x23) << 8, true
		case shift:
			return uint16(sc+0x19) << 8, true
		}
		return code, true
	case sc == 0x57 || sc == 0x58: // F11, F12
		return uint16(sc+0x2E) << 8, true
	case sc >= 0x47 && sc <= 0x53: // keypad / cursor block
		if extended || flags&kfNum == 0 || sc == 0x4A || sc == 0x4E {
			switch sc {
			case 0x4A:
				return code | '-', true
			case 0x4E:
				return code | '+', true
			}
			if extended {
				return code | 0xE0, true
			}
			return code, true
		}
		return code | uint16("789-456+1230."[sc-0x47]), true
	case sc == 0x35 && extended:
		return 0xE02F, true // keypad /
	case sc == 0x1C && extended:
		return 0xE00D, true // keypad Enter
	case int(sc) < len(keysPlain):
		ch := keysPlain[sc]
		if ch == 0 {
			return 0, false
		}
		letter := ch >= 'a' && ch <= 'z'
		if shift != (letter && flags&kfCaps != 0) {
			ch = keysShifted[sc]
		}
		switch {
		case flags&kfAlt != 0:
			return code, true
		case flags&kfCtrl != 0 && letter:
			return code | uint16(ch&0x1F), true
		}
		return code | uint16(ch), true
	}
	return 0, false
}

// int09 reads one byte from the i8042 and updates the flags or the
// buffer, then ends the interrupt.
func (b *BIOS) int09() {
	defer b.host.Out(0x20, 1, 0x20)
	if b.host.In(0x64, 1)&0x01 == 0 {
		return
	}
	sc := uint8(b.host.In(0x60, 1))
	mode := b.read8(bdaKbdMode)
	if sc == 0xE0 {
		b.write8(bdaKbdMode, mode|kmE0)
		return
	}
	extended := mode&kmE0 != 0
	if extended {
		b.write8(bdaKbdMode, mode&^kmE0)
	}
	if sc == 0xFA || sc == 0xFE || sc == 0x00 || sc == 0xFF || sc == 0xE1 {
		return // acknowledgements, errors and the Pause prefix
	}
	flags := b.read8(bdaKbdFlags0)
	brk := sc&0x80 != 0
	mk := sc & 0x7F
	bit := uint8(0)
	toggle := uint8(0)
	switch mk {
	case 0x2A:
		if !extended { // E0 2A is a fake shift
			bit = kfLShift
		}
	case 0x36:
		bit = kfRShift
	case 0x1D:
		bit = kfCtrl
	case 0x38:
		bit = kfAlt
	case 0x3A:
		toggle = kfCaps
	case 0x45:
		toggle = kfNum
	case 0x46:
		toggle = kfScroll
	case 0x52:
		if !extended && flags&kfNum != 0 {
			break
		}
		toggle = kfInsert
	}
	switch {
	case bit != 0:
		if brk {
			flags &^= bit
		} else {
			flags |= bit
		}
		b.write8(bdaKbdFlags0, flags)
		return
	case toggle != 0 && mk != 0x52:
		if !brk {
			b.write8(bdaKbdFlags0, flags^toggle)
		}
		return
	case brk || (mk == 0x2A && extended):
		return
	}
	if toggle != 0 {
		b.write8(bdaKbdFlags0, flags^toggle)
	}
	if mk == 0x53 && flags&(kfCtrl|kfAlt) == kfCtrl|kfAlt {
		// Ctrl-Alt-Del: warm boot (flag 1234h at 0x472) through the
		// keyboard controller's reset line.
		b.write16(bdaResetFlag, 0x1234)
		b.host.Out(0x64, 1, 0xFE)
		return
	}
	if code, ok := KeyCode(mk, flags, extended); ok {
		b.pushKey(code)
	}
}

// pushKey appends a key code to the buffer; a full buffer drops it.
func (b *BIOS) pushKey(code uint16) bool {
	start, end := uint32(b.read16(bdaKbdStart)), uint32(b.read16(bdaKbdEnd))
	head, tail := uint32(b.read16(bdaKbdHead)), uint32(b.read16(bdaKbdTail))
	if !kbdBufferSane(start, end, head, tail) {
		start, end, head, tail = bdaKbdBuf-bdaBase, bdaKbdBuf-bdaBase+32, bdaKbdBuf-bdaBase, bdaKbdBuf-bdaBase
		b.write16(bdaKbdStart, uint16(start))
		b.write16(bdaKbdEnd, uint16(end))
		b.write16(bdaKbdHead, uint16(head))
	}
	next := tail + 2
	if next >= end {
		next = start
	}
	if next == head {
		return false
	}
	b.write16(bdaBase+tail, code)
	b.write16(bdaKbdTail, uint16(next))
	return true
}

// kbdBufferSane checks the guest-writable buffer pointers.
func kbdBufferSane(start, end, head, tail uint32) bool {
	return start < end && end <= 0x100 && start >= 0x1E && (end-start)%2 == 0 &&
		head >= start && head < end && tail >= start && tail < end && (head-start)%2 == 0 && (tail-start)%2 == 0
}

// peekKey returns the next key code without removing it.
func (b *BIOS) peekKey(remove bool) (uint16, bool) {
	start, end := uint32(b.read16(bdaKbdStart)), uint32(b.read16(bdaKbdEnd))
	head, tail := uint32(b.read16(bdaKbdHead)), uint32(b.read16(bdaKbdTail))
	if !kbdBufferSane(start, end, head, tail) || head == tail {
		return 0, false
	}
	code := b.read16(bdaBase + head)
	if remove {
		head += 2
		if head >= end {
			head = start
		}
		b.write16(bdaKbdHead, uint16(head))
	}
	return code, true
}

// legacyKey maps an extended key code to what the non-extended INT 16h
// functions return.
func legacyKey(code uint16) uint16 {
	if code&0xFF == 0xE0 {
		return code &^ 0xFF
	}
	if code>>8 == 0xE0 {
		return 0x1C00 | code&0xFF // keypad Enter and /
	}
	return code
}

// serialKeys moves the bytes COM1 has received into the keyboard buffer
// when it is the console (the input side of Config.SerialConsole).
func (b *BIOS) serialKeys() {
	if !b.cfg.SerialConsole {
		return
	}
	for range 16 {
		if b.host.In(com1+3, 1)&0x80 != 0 || b.host.In(com1+5, 1)&0x01 == 0 {
			return
		}
		if code, ok := asciiKey(uint8(b.host.In(com1, 1))); ok {
			b.pushKey(code)
		}
	}
}

// asciiKey returns the key code that types ch on a US keyboard.
func asciiKey(ch uint8) (uint16, bool) {
	switch {
	case ch == '\r' || ch == '\n':
		return 0x1C0D, true
	case ch == 0x7F || ch == 0x08:
		return 0x0E08, true
	case ch == '\t':
		return 0x0F09, true
	case ch >= 1 && ch <= 26:
		sc := strings.IndexByte(keysPlain, 'a'+ch-1)
		return uint16(sc)<<8 | uint16(ch), true
	}
	for _, keys := range []string{keysPlain, keysShifted} {
		if sc := strings.IndexByte(keys, ch); sc > 0 {
			return uint16(sc)<<8 | uint16(ch), true
		}
	}
	return 0, false
}

func (b *BIOS) int16(r *Regs) Result {
	b.serialKeys()
	switch r.AH() {
	case 0x00, 0x10:
		code, ok := b.peekKey(true)
		if !ok {
			return Wait
		}
		if r.AH() == 0x00 {
			code = legacyKey(code)
		}
		r.SetAX(code)
	case 0x01, 0x11:
		code, ok := b.peekKey(false)
		r.SetZF(!ok)
		if ok {
			if r.AH() == 0x01 {
				code = legacyKey(code)
			}
			r.SetAX(code)
		}
	case 0x02:
		r.SetAL(b.read8(bdaKbdFlags0))
	case 0x12:
		r.SetAL(b.read8(bdaKbdFlags0))
		r.SetAH(b.read8(bdaKbdFlags1))
	case 0x03:
		// Typematic rate: accepted.
	case 0x05:
		r.SetAL(0)
		if !b.pushKey(r.CX()) {
			r.SetAL(1)
		}
	case 0x09:
		r.SetAL(0x20) // functions 10h-12h supported
	default:
		// Unknown functions return with the registers unchanged.
	}
	return Done
}
