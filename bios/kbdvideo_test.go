package bios

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestKeyCode(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sc       uint8
		flags    uint8
		extended bool
		want     uint16
		ok       bool
	}{
		{"a", 0x1E, 0, false, 0x1E61, true},
		{"A shift", 0x1E, kfLShift, false, 0x1E41, true},
		{"A caps", 0x1E, kfCaps, false, 0x1E41, true},
		{"a caps+shift", 0x1E, kfCaps | kfRShift, false, 0x1E61, true},
		{"1 caps", 0x02, kfCaps, false, 0x0231, true},
		{"! shift", 0x02, kfLShift, false, 0x0221, true},
		{"ctrl-c", 0x2E, kfCtrl, false, 0x2E03, true},
		{"alt-x", 0x2D, kfAlt, false, 0x2D00, true},
		{"enter", 0x1C, 0, false, 0x1C0D, true},
		{"keypad enter", 0x1C, 0, true, 0xE00D, true},
		{"esc", 0x01, 0, false, 0x011B, true},
		{"backspace", 0x0E, 0, false, 0x0E08, true},
		{"space", 0x39, 0, false, 0x3920, true},
		{"F1", 0x3B, 0, false, 0x3B00, true},
		{"shift-F1", 0x3B, kfLShift, false, 0x5400, true},
		{"F12", 0x58, 0, false, 0x8600, true},
		{"up (keypad)", 0x48, 0, false, 0x4800, true},
		{"up (arrows)", 0x48, 0, true, 0x48E0, true},
		{"keypad 8 numlock", 0x48, kfNum, false, 0x4838, true},
		{"left ctrl make", 0x1D, 0, false, 0, false},
		{"unknown", 0x70, 0, false, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := KeyCode(tc.sc, tc.flags, tc.extended)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, got)
		})
	}
}

// typeKeys runs INT 09h once per scan code byte.
func typeKeys(b *BIOS, h *fakeHost, codes ...uint8) {
	for _, c := range codes {
		h.kbd = append(h.kbd, c)
		b.Call(0x09, &Regs{})
	}
}

func TestKeyboard(t *testing.T) {
	b, h := newTestBIOS(t, Config{})
	r := Regs{EAX: 0x0100}
	b.Call(0x16, &r)
	require.True(t, r.Flags&FlagZF != 0, "empty buffer")
	require.Equal(t, Wait, b.Call(0x16, &Regs{EAX: 0x0000}), "a read waits")

	// h, shift+i, shift released, E0-prefixed up arrow, ack byte ignored.
	typeKeys(b, h, 0x23, 0xA3, 0x2A, 0x17, 0x97, 0xAA, 0xE0, 0x48, 0xE0, 0xC8, 0xFA)
	require.Contains(t, h.outs, uint32(0x200020), "end of interrupt")
	r = Regs{EAX: 0x0100}
	b.Call(0x16, &r)
	require.False(t, r.Flags&FlagZF != 0)
	require.Equal(t, uint16(0x2368), r.AX(), "peek does not remove")
	for _, want := range []struct {
		ah   uint32
		code uint16
	}{{0x00, 0x2368}, {0x00, 0x1749}, {0x10, 0x48E0}} {
		r = Regs{EAX: want.ah << 8}
		require.Equal(t, Done, b.Call(0x16, &r))
		require.Equal(t, want.code, r.AX())
	}
	require.Equal(t, Wait, b.Call(0x16, &Regs{EAX: 0x1000}))

	// Shift flags.
	typeKeys(b, h, 0x1D, 0x3A, 0xBA)
	r = Regs{EAX: 0x0200}
	b.Call(0x16, &r)
	require.Equal(t, uint8(kfCtrl|kfCaps), r.AL())
	typeKeys(b, h, 0x9D)

	// Ctrl-Alt-Del resets through the i8042.
	typeKeys(b, h, 0x1D, 0x38, 0xE0, 0x53)
	require.Equal(t, uint32(0x6400FE), h.outs[len(h.outs)-2], "reset, then end of interrupt")
	require.Equal(t, uint16(0x1234), h.r16(bdaResetFlag))
	typeKeys(b, h, 0xE0, 0xD3, 0xB8, 0x9D)

	// AH=05h stores keys until the buffer is full (15 entries).
	for i := range 16 {
		r = Regs{EAX: 0x0500, ECX: uint32(0x1E61 + i)}
		b.Call(0x16, &r)
		require.Equal(t, i == 15, r.AL() == 1, "key %d", i)
	}
	r = Regs{EAX: 0x1000}
	b.Call(0x16, &r)
	require.Equal(t, uint16(0x1E61), r.AX())

	// Hostile buffer pointers are not followed: reading finds nothing,
	// the next key resets the buffer.
	h.mem[bdaKbdStart], h.mem[bdaKbdEnd] = 0xF0, 0x10
	r = Regs{EAX: 0x0100}
	b.Call(0x16, &r)
	require.True(t, r.Flags&FlagZF != 0)
	typeKeys(b, h, 0x1E)
	r = Regs{EAX: 0x0100}
	b.Call(0x16, &r)
	require.False(t, r.Flags&FlagZF != 0)
	require.Equal(t, uint16(0x1E41), r.AX(), "A: caps lock is on")
}

func TestSerialConsoleKeys(t *testing.T) {
	for _, console := range []bool{false, true} {
		b, h := newTestBIOS(t, Config{SerialConsole: console})
		h.rx = []byte("aZ!\r\x7f\x03\x1b~\t\x80")
		var got []uint16
		for {
			r := Regs{EAX: 0x1000}
			if b.Call(0x16, &r) == Wait {
				break
			}
			got = append(got, r.AX())
		}
		if !console {
			require.Empty(t, got)
			require.Len(t, h.rx, 10, "COM1 left alone")
			continue
		}
		require.Equal(t, []uint16{0x1E61, 0x2C5A, 0x0221, 0x1C0D, 0x0E08, 0x2E03, 0x011B, 0x297E, 0x0F09}, got)
	}
}

// screenRow returns row's characters on page 0.
func screenRow(h *fakeHost, row int) string {
	s := make([]byte, textCols)
	for i := range s {
		s[i] = h.mem[textBase+(row*textCols+i)*2]
	}
	return string(s)
}

func TestVideo(t *testing.T) {
	b, h := newTestBIOS(t, Config{SerialConsole: true})
	h.serial = nil
	tty := func(s string) {
		for i := range len(s) {
			b.Call(0x10, &Regs{EAX: 0x0E00 | uint32(s[i])})
		}
	}
	r := Regs{EAX: 0x0003}
	b.Call(0x10, &r)
	tty("one\r\ntwo\x08o")
	require.Equal(t, "one\r\ntwo\x08o", string(h.serial), "echoed to COM1")
	require.Equal(t, "one ", screenRow(h, 0)[:4])
	require.Equal(t, "tw  ", screenRow(h, 1)[:4][:2]+"  ")
	require.Equal(t, "two", screenRow(h, 1)[:3], "backspace then o overwrites")
	r = Regs{EAX: 0x0300}
	b.Call(0x10, &r)
	require.Equal(t, uint16(0x0103), r.DX())
	require.Equal(t, uint16(0x0607), r.CX())
	require.Contains(t, h.outs, uint32(0x3D4000F), "hardware cursor programmed")

	// Scrolling at the bottom.
	b.Call(0x10, &Regs{EAX: 0x0200, EDX: 24<<8 | 0})
	tty("bottom\r\n")
	require.Equal(t, "bottom", screenRow(h, 23)[:6])
	require.Equal(t, "two", screenRow(h, 0)[:3])
	r = Regs{EAX: 0x0300}
	b.Call(0x10, &r)
	require.Equal(t, uint16(24<<8), r.DX())

	// Scroll the window rows 0-1 down by one; read a cell back.
	b.Call(0x10, &Regs{EAX: 0x0701, EBX: 0x1700, ECX: 0, EDX: 1<<8 | 79})
	require.Equal(t, "   ", screenRow(h, 0)[:3])
	require.Equal(t, "two", screenRow(h, 1)[:3])
	require.Equal(t, byte(0x17), h.mem[textBase+1])
	b.Call(0x10, &Regs{EAX: 0x0200, EDX: 1<<8 | 1})
	r = Regs{EAX: 0x0800}
	b.Call(0x10, &r)
	require.Equal(t, uint16(0x0777), r.AX())

	// Write string with attribute pairs, cursor not moved.
	copy(h.mem[0x7000:], "H\x1fi\x2f")
	b.Call(0x10, &Regs{EAX: 0x1302, ECX: 2, EDX: 5<<8 | 10, ES: 0x700, EBP: 0})
	require.Equal(t, "Hi", screenRow(h, 5)[10:12])
	require.Equal(t, byte(0x2f), h.mem[textBase+(5*80+11)*2+1])
	r = Regs{EAX: 0x0300}
	b.Call(0x10, &r)
	require.Equal(t, uint16(1<<8|1), r.DX())

	// Mode query, VGA identification, EGA info, no VESA.
	r = Regs{EAX: 0x0F00}
	b.Call(0x10, &r)
	require.Equal(t, uint16(80<<8|3), r.AX())
	r = Regs{EAX: 0x1A00}
	b.Call(0x10, &r)
	require.Equal(t, uint8(0x1A), r.AL())
	require.Equal(t, uint8(0x08), r.BL())
	r = Regs{EAX: 0x1200, EBX: 0x10}
	b.Call(0x10, &r)
	require.Equal(t, uint16(0x0003), r.BX())
	r = Regs{EAX: 0x4F00}
	b.Call(0x10, &r)
	require.NotEqual(t, uint16(0x004F), r.AX())
}

func TestBoot(t *testing.T) {
	sector := func(sig bool) MemDrive {
		d := make(MemDrive, 1440<<10)
		copy(d, "boot code")
		if sig {
			d[510], d[511] = 0x55, 0xAA
		}
		return d
	}
	for _, tc := range []struct {
		name string
		cfg  Config
		res  Result
		dl   uint32
		msg  string
	}{
		{"hard disk", Config{HardDisks: []Drive{sector(true)}, Floppies: []Drive{sector(true)}}, Done, 0x80, "Booting from drive 0x80"},
		{"floppy", Config{HardDisks: []Drive{sector(true)}, Floppies: []Drive{sector(true)}, Boot: BootFloppy}, Done, 0x00, "Booting from drive 0x00"},
		{"floppy by default", Config{Floppies: []Drive{sector(true)}}, Done, 0x00, "drive 0x00"},
		{"no signature", Config{HardDisks: []Drive{sector(false)}}, Fail, 0, "not bootable"},
		{"no drives", Config{}, Fail, 0, "no disk configured"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, h := newTestBIOS(t, tc.cfg)
			r := Regs{EDX: 0x1234}
			require.Equal(t, tc.res, b.Call(0x19, &r))
			text := ""
			for row := range 3 {
				text += screenRow(h, row)
			}
			require.Contains(t, text, tc.msg)
			if tc.res == Done {
				require.Equal(t, tc.dl, r.EDX)
				require.Equal(t, "boot code", string(h.mem[bootSector:bootSector+9]))
			}
		})
	}
}
