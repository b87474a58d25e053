package main

// Terminal bytes to PS/2 keystrokes (scan code set 1, US layout), for
// guests that read the keyboard while the VGA screen is shown.

const (
	scLShift = 0x2A
	scCtrl   = 0x1D
	scBreak  = 0x80
)

// keyRow lists the characters of a row of keys, unshifted and shifted,
// starting at scan code first.
type keyRow struct {
	first          uint8
	plain, shifted string
}

func keyRows() []keyRow {
	return []keyRow{
		{0x02, "1234567890-=", "!@#$%^&*()_+"},
		{0x10, "qwertyuiop[]", "QWERTYUIOP{}"},
		{0x1E, "asdfghjkl;'`", "ASDFGHJKL:\"~"},
		{0x2B, "\\zxcvbnm,./", "|ZXCVBNM<>?"},
	}
}

// keystroke returns the set 1 bytes that type b (make and break codes,
// with Shift or Ctrl around them), or nil for bytes with no key.
func keystroke(b byte) []byte {
	press := func(code uint8) []byte { return []byte{code, code | scBreak} }
	with := func(mod uint8, k []byte) []byte {
		return append(append([]byte{mod}, k...), mod|scBreak)
	}
	switch b {
	case '\r', '\n':
		return press(0x1C)
	case ' ':
		return press(0x39)
	case '\t':
		return press(0x0F)
	case 0x7F, 0x08:
		return press(0x0E)
	case 0x1B:
		return press(0x01)
	}
	for _, r := range keyRows() {
		for i := 0; i < len(r.plain); i++ {
			code := r.first + uint8(i)
			if b == r.plain[i] {
				return press(code)
			}
			if b == r.shifted[i] {
				return with(scLShift, press(code))
			}
		}
	}
	if b >= 1 && b <= 26 { // Ctrl-A..Ctrl-Z
		return with(scCtrl, keystroke('a'+b-1))
	}
	return nil
}
