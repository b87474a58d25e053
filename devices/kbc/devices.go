package kbc

// Bytes the PS/2 devices send.
const (
	ACK      = 0xFA
	Resend   = 0xFE
	BATOK    = 0xAA
	Echo     = 0xEE
	breakSet = 0xF0 // set 2 break prefix
)

// translate is the 8042's fixed set 2 to set 1 translation table (a
// property of the chip's ROM, as every PC compatible has it), indexed by
// the set 2 byte.
const translate = "" +
	"\xff\x43\x41\x3f\x3d\x3b\x3c\x58\x64\x44\x42\x40\x3e\x0f\x29\x59" +
	"\x65\x38\x2a\x70\x1d\x10\x02\x5a\x66\x71\x2c\x1f\x1e\x11\x03\x5b" +
	"\x67\x2e\x2d\x20\x12\x05\x04\x5c\x68\x39\x2f\x21\x14\x13\x06\x5d" +
	"\x69\x31\x30\x23\x22\x15\x07\x5e\x6a\x72\x32\x24\x16\x08\x09\x5f" +
	"\x6b\x33\x25\x17\x18\x0b\x0a\x60\x6c\x34\x35\x26\x27\x19\x0c\x61" +
	"\x6d\x73\x28\x74\x1a\x0d\x62\x6e\x3a\x36\x1c\x1b\x75\x2b\x63\x76" +
	"\x55\x56\x77\x78\x79\x7a\x0e\x7b\x7c\x4f\x7d\x4b\x47\x7e\x7f\x6f" +
	"\x52\x53\x50\x4c\x4d\x48\x01\x45\x57\x4e\x51\x4a\x37\x49\x46\x54" +
	"\x80\x81\x82\x41\x54\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f" +
	"\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f" +
	"\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae\xaf" +
	"\xb0\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xbb\xbc\xbd\xbe\xbf" +
	"\xc0\xc1\xc2\xc3\xc4\xc5\xc6\xc7\xc8\xc9\xca\xcb\xcc\xcd\xce\xcf" +
	"\xd0\xd1\xd2\xd3\xd4\xd5\xd6\xd7\xd8\xd9\xda\xdb\xdc\xdd\xde\xdf" +
	"\xe0\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea\xeb\xec\xed\xee\xef" +
	"\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xfe\xff"

// set1ToSet2 returns the set 2 make code of a set 1 make code (0x01-0x7F).
func set1ToSet2(c uint8) (uint8, bool) {
	switch c {
	case 0x41: // F7
		return 0x83, true
	case 0x54: // Alt+SysRq
		return 0x84, true
	}
	for s := 1; s < 0x80; s++ {
		if translate[s] == c {
			return uint8(s), true
		}
	}
	return 0, false
}

// set2To1 converts a set 2 byte sequence to set 1.
func set2To1(codes []byte) []byte {
	out := make([]byte, 0, len(codes))
	brk := false
	for _, b := range codes {
		switch b {
		case breakSet:
			brk = true
			continue
		case 0xE0, 0xE1:
			out = append(out, b)
			continue
		}
		t := translate[b]
		if brk {
			t |= 0x80
			brk = false
		}
		out = append(out, t)
	}
	return out
}

// set1To2 converts a set 1 byte sequence to set 2.
func set1To2(codes []byte) ([]byte, bool) {
	out := make([]byte, 0, 2*len(codes))
	for _, b := range codes {
		if b == 0xE0 || b == 0xE1 {
			out = append(out, b)
			continue
		}
		s, ok := set1ToSet2(b & 0x7F)
		if !ok {
			return nil, false
		}
		if b&0x80 != 0 {
			out = append(out, breakSet)
		}
		out = append(out, s)
	}
	return out, true
}

// --- host side ---

// SendScancodes queues bytes as a scan code set 2 keyboard sends them
// (make codes, 0xF0 break prefixes, 0xE0/0xE1 escapes). It reports
// whether the whole sequence was accepted.
func (c *Controller) SendScancodes(set2 []byte) bool {
	if c.s.Kbd.ScanSet == 1 {
		return c.keys(set2To1(set2))
	}
	return c.keys(set2)
}

// SendSet1 queues scan code set 1 bytes (make codes, make|0x80 breaks,
// 0xE0/0xE1 escapes). With the keyboard in its default set 2 they are
// converted to set 2, which the controller's translation turns back into
// the same set 1 bytes.
func (c *Controller) SendSet1(set1 []byte) bool {
	if c.s.Kbd.ScanSet == 1 {
		return c.keys(set1)
	}
	s2, ok := set1To2(set1)
	return ok && c.keys(s2)
}

func (c *Controller) keys(b []byte) bool {
	if !c.s.Kbd.Enabled || len(b) == 0 {
		return false
	}
	if !c.s.Kbd.Queue.push(b...) {
		return false
	}
	c.s.Kbd.Last = b[len(b)-1]
	c.fill()
	return true
}

// MouseMove queues a movement packet: dx to the right, dy upwards,
// buttons bit 0 left, 1 right, 2 middle. It reports whether the mouse
// took it (reporting enabled in stream mode, room in its queue).
func (c *Controller) MouseMove(dx, dy int, buttons uint8) bool {
	m := &c.s.Mouse
	m.Buttons = buttons & 7
	if !m.Enabled || m.Remote || m.Wrap {
		return false
	}
	if !m.Queue.push(c.mousePacket(dx, dy)...) {
		return false
	}
	c.fill()
	return true
}

func (c *Controller) mousePacket(dx, dy int) []byte {
	b0 := 0x08 | c.s.Mouse.Buttons
	clamp := func(v int, sign, over uint8) uint8 {
		if v < -256 || v > 255 {
			b0 |= over
			v = max(-256, min(255, v))
		}
		if v < 0 {
			b0 |= sign
		}
		return uint8(v)
	}
	x := clamp(dx, 0x10, 0x40)
	y := clamp(dy, 0x20, 0x80)
	return []byte{b0, x, y}
}

// --- keyboard ---

func (c *Controller) kbdDefaults() {
	c.s.Kbd.ScanSet = 2
	c.s.Kbd.Typematic = 0x2B // 10.9 cps, 500 ms
	c.s.Kbd.Pending = 0
}

func (c *Controller) kbdSend(b ...uint8) {
	c.s.Kbd.Queue.push(b...)
	c.s.Kbd.Last = b[len(b)-1]
}

func (c *Controller) kbdWrite(v uint8) {
	k := &c.s.Kbd
	if p := k.Pending; p != 0 && v < 0xED {
		k.Pending = 0
		switch p {
		case 0xED:
			k.LEDs = v & 7
			c.kbdSend(ACK)
		case 0xF3:
			k.Typematic = v & 0x7F
			c.kbdSend(ACK)
		case 0xF0:
			switch v {
			case 0:
				c.kbdSend(ACK, k.ScanSet)
			case 1, 2, 3:
				k.ScanSet = v
				c.kbdSend(ACK)
			default:
				c.kbdSend(Resend)
			}
		}
		return
	}
	k.Pending = 0
	switch v {
	case 0xED, 0xF0, 0xF3:
		k.Pending = v
		c.kbdSend(ACK)
	case 0xEE:
		c.kbdSend(Echo)
	case 0xF2:
		c.kbdSend(ACK, 0xAB, 0x83)
	case 0xF4:
		k.Queue.clear()
		k.Enabled = true
		c.kbdSend(ACK)
	case 0xF5:
		k.Queue.clear()
		c.kbdDefaults()
		k.Enabled = false
		c.kbdSend(ACK)
	case 0xF6:
		k.Queue.clear()
		c.kbdDefaults()
		k.Enabled = true
		c.kbdSend(ACK)
	case 0xF7, 0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD:
		c.kbdSend(ACK)
	case 0xFE:
		c.kbdSend(k.Last)
	case 0xFF:
		k.Queue.clear()
		c.kbdDefaults()
		k.Enabled = true
		k.LEDs = 0
		c.kbdSend(ACK, BATOK)
	default:
		c.kbdSend(Resend)
	}
}

// --- mouse ---

func (c *Controller) mouseDefaults() {
	m := &c.s.Mouse
	m.Enabled = false
	m.Remote = false
	m.Scaling21 = false
	m.Rate = 100
	m.Resolution = 2
	m.Pending = 0
}

func (c *Controller) mouseSend(b ...uint8) {
	c.s.Mouse.Queue.push(b...)
	c.s.Mouse.Last = b[len(b)-1]
}

func (c *Controller) mouseWrite(v uint8) {
	m := &c.s.Mouse
	if m.Wrap && v != 0xEC && v != 0xFF {
		c.mouseSend(v)
		return
	}
	if p := m.Pending; p != 0 {
		m.Pending = 0
		switch p {
		case 0xE8:
			m.Resolution = v & 3
		case 0xF3:
			m.Rate = v
		}
		c.mouseSend(ACK)
		return
	}
	switch v {
	case 0xE6:
		m.Scaling21 = false
		c.mouseSend(ACK)
	case 0xE7:
		m.Scaling21 = true
		c.mouseSend(ACK)
	case 0xE8, 0xF3:
		m.Pending = v
		c.mouseSend(ACK)
	case 0xE9:
		var st uint8
		if m.Remote {
			st |= 0x40
		}
		if m.Enabled {
			st |= 0x20
		}
		if m.Scaling21 {
			st |= 0x10
		}
		// Status byte buttons: bit 2 left, bit 1 middle, bit 0 right.
		st |= (m.Buttons&1)<<2 | (m.Buttons&4)>>1 | (m.Buttons&2)>>1
		c.mouseSend(ACK, st, m.Resolution, m.Rate)
	case 0xEA:
		m.Remote = false
		c.mouseSend(ACK)
	case 0xEB:
		c.mouseSend(ACK)
		c.mouseSend(c.mousePacket(0, 0)...)
	case 0xEC:
		m.Wrap = false
		c.mouseSend(ACK)
	case 0xEE:
		m.Wrap = true
		c.mouseSend(ACK)
	case 0xF0:
		m.Remote = true
		c.mouseSend(ACK)
	case 0xF2:
		c.mouseSend(ACK, 0x00)
	case 0xF4:
		m.Enabled = true
		c.mouseSend(ACK)
	case 0xF5:
		m.Enabled = false
		c.mouseSend(ACK)
	case 0xF6:
		c.mouseDefaults()
		c.mouseSend(ACK)
	case 0xFE:
		c.mouseSend(m.Last)
	case 0xFF:
		m.Queue.clear()
		m.Wrap = false
		c.mouseDefaults()
		c.mouseSend(ACK, BATOK, 0x00)
	default:
		c.mouseSend(Resend)
	}
}
