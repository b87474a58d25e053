package bios

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"bt86/bios/bootparam"
)

func TestROMLayout(t *testing.T) {
	r := ROM()
	require.Len(t, r, ROMSize)
	// Reset vector: JMP F000:post.
	require.Equal(t, []byte{0xEA, 0x40, 0x02, 0x00, 0xF0}, r[0xFFF0:0xFFF5])
	require.Equal(t, "11/25/26", string(r[0xFFF5:0xFFFD]))
	require.Equal(t, byte(0xFC), r[0xFFFE])
	require.Equal(t, byte(0xCF), r[offIRETDefault], "IRET")
	require.Equal(t, []byte{0x08, 0x00, 0xFC}, r[offConfigTable:offConfigTable+3])
	require.Equal(t, byte(18), r[offDisketteParams+4], "sectors per track")
	require.Equal(t, []byte{0x50, 0xB0, 0x20, 0xE6, 0x20}, r[offIRQMaster:offIRQMaster+5])
	require.Equal(t, []byte{0x1E, 0x66, 0x50}, r[offInt08:offInt08+3], "push ds; push eax")
	require.Equal(t, []byte{0x50, 0xB0, 0x0C}, r[offInt70:offInt70+3])
	for _, id := range []int{0x09, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, IDPost} {
		off := SlotAddr(id) - ROMBase
		require.Equal(t, []byte{0xE6, TrapPort}, r[off:off+2], "slot %#x starts with OUT TrapPort, AL", id)
		require.Equal(t, id, SlotID(SlotAddr(id)))
		require.Equal(t, id, SlotID(SlotAddr(id)+slotSize-1))
	}
	require.Equal(t, -1, SlotID(SlotAddr(0)-1))
	require.Equal(t, -1, SlotID(SlotAddr(IDPost+1)))
	require.False(t, HasFrame(IDPost))
	require.True(t, HasFrame(0x13))
}

// TestROMUpToDate re-assembles rom.asm when nasm exists.
func TestROMUpToDate(t *testing.T) {
	nasm, err := exec.LookPath("nasm")
	if err != nil {
		t.Skip("nasm not installed (scripts/setup.sh installs it)")
	}
	out := filepath.Join(t.TempDir(), "rom.bin")
	msg, err := exec.Command(nasm, "-f", "bin", "-o", out, "rom.asm").CombinedOutput()
	require.NoError(t, err, "nasm: %s", msg)
	want, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, want, ROM(), "rom.bin is stale: nasm -f bin -o rom.bin rom.asm")
}

func TestNewErrors(t *testing.T) {
	h := newFakeHost()
	disk := make(MemDrive, 1<<20)
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"small RAM", Config{RAMSize: 1000}, "at least 1 MiB"},
		{"five disks", Config{RAMSize: 1 << 24, HardDisks: []Drive{disk, disk, disk, disk, disk}}, "at most 4"},
		{"three floppies", Config{RAMSize: 1 << 24, Floppies: []Drive{disk, disk, disk}}, "at most 2"},
		{"odd floppy", Config{RAMSize: 1 << 24, Floppies: []Drive{make(MemDrive, 1000)}}, "no floppy format"},
		{"nil drive", Config{RAMSize: 1 << 24, HardDisks: []Drive{nil}}, "is nil"},
		{"missing hard disk", Config{RAMSize: 1 << 24, Floppies: []Drive{make(MemDrive, 1440<<10)}, Boot: BootHardDisk}, "boot from the hard disk, but there is none"},
		{"missing floppy", Config{RAMSize: 1 << 24, HardDisks: []Drive{disk}, Boot: BootFloppy}, "boot from the floppy, but there is none"},
		{"bad boot device", Config{RAMSize: 1 << 24, Boot: 7}, "unknown boot device 7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg, h)
			require.ErrorContains(t, err, tc.want)
		})
	}
	_, err := New(Config{RAMSize: 1 << 24}, nil)
	require.Error(t, err)
}

func TestPOST(t *testing.T) {
	_, h := newTestBIOS(t, Config{RAMSize: 64 << 20, HardDisks: []Drive{make(MemDrive, 1<<20)}, Floppies: []Drive{make(MemDrive, 1440<<10)}})
	vec := func(v uint32) uint32 { return h.r32(v * 4) }
	require.Equal(t, uint32(0xF0000000|offInt08), vec(0x08))
	require.Equal(t, uint32(0xF0000000)|(SlotAddr(0x13)-ROMBase), vec(0x13))
	require.Equal(t, uint32(0xF0000000|offIRQSlave), vec(0x71))
	require.Equal(t, uint32(0xF0000000|offIRETDefault), vec(0x80))
	require.Equal(t, uint32(0xF0000000|offDisketteParams), vec(0x1E))
	require.Equal(t, uint16(0x3F8), h.r16(bdaCOM))
	require.Equal(t, uint16(ebdaSeg), h.r16(bdaEBDASeg))
	require.Equal(t, uint16(639), h.r16(bdaMemKiB))
	require.Equal(t, uint16(ebdaKiB), h.r16(ebdaBase))
	require.Equal(t, uint16(0x0827), h.r16(bdaEquipment), "1 floppy, FPU, mouse, 80x25 colour, 4 COM ports")
	require.Equal(t, byte(1), h.mem[bdaNumHD])
	require.Equal(t, byte(3), h.mem[bdaVideoMode])
	// 21:30:15 in ticks.
	require.Equal(t, uint32((21*3600+30*60+15)*ticksPerDay/86400), h.r32(bdaTicks))
	// PIC: ICW1-4 and masks, PIT channel 0 at 18.2 Hz.
	require.Subset(t, h.outs, []uint32{0x200011, 0xA00011, 0x210008, 0xA10070, 0x2100F8, 0xA100FF, 0x430036, 0x400000})
	require.Equal(t, byte('b'), h.mem[textBase], "banner on the screen")
}

func TestE820(t *testing.T) {
	for _, ram := range []uint64{2 << 20, 32 << 20, 256 << 20, 3 << 30} {
		b, h := newTestBIOS(t, Config{RAMSize: ram})
		want := bootparam.DefaultE820(ram)
		var got []bootparam.E820Entry
		r := Regs{}
		for i := 0; ; i++ {
			require.Less(t, i, 10)
			r.EAX, r.EDX, r.ECX, r.ES = 0xE820, smap, 24, 0x1000
			r.EDI = 0x10
			b.Call(0x15, &r)
			require.False(t, r.CF())
			require.Equal(t, uint32(smap), r.EAX)
			require.Equal(t, uint32(24), r.ECX)
			a := uint32(0x10010)
			got = append(got, bootparam.E820Entry{
				Addr: binary.LittleEndian.Uint64(h.mem[a:]),
				Size: binary.LittleEndian.Uint64(h.mem[a+8:]),
				Type: bootparam.E820Type(h.r32(a + 16)),
			})
			require.Equal(t, uint32(1), h.r32(a+20), "ACPI 3.0 attributes: enabled")
			if r.EBX == 0 {
				break
			}
		}
		require.Equal(t, want, got, "RAM %d", ram)

		// 20-byte buffers, bad continuation values, short buffers.
		r = Regs{EAX: 0xE820, EDX: smap, ECX: 20, EBX: 1, ES: 0x1000}
		b.Call(0x15, &r)
		require.False(t, r.CF())
		require.Equal(t, uint32(20), r.ECX)
		for _, bad := range []Regs{
			{EAX: 0xE820, EDX: smap, ECX: 20, EBX: uint32(len(want))},
			{EAX: 0xE820, EDX: smap, ECX: 20, EBX: 0xFFFFFFFF},
			{EAX: 0xE820, EDX: smap, ECX: 19},
		} {
			b.Call(0x15, &bad)
			require.True(t, bad.CF())
		}
	}
}

func TestMemorySize(t *testing.T) {
	for _, tc := range []struct {
		ram           uint64
		ax, bx, ext88 uint16
	}{
		{2 << 20, 1024, 0, 1024},
		{16 << 20, 15 << 10, 0, 15 << 10},
		{32 << 20, 15 << 10, 256, 31 << 10},
		{256 << 20, 15 << 10, 240 << 4, 63 << 10},
		{3 << 30, 15 << 10, (3<<30 - 16<<20) >> 16, 63 << 10},
	} {
		b, _ := newTestBIOS(t, Config{RAMSize: tc.ram})
		r := Regs{EAX: 0xE801}
		b.Call(0x15, &r)
		require.False(t, r.CF())
		require.Equal(t, tc.ax, r.AX(), "RAM %d", tc.ram)
		require.Equal(t, tc.ax, r.CX())
		require.Equal(t, tc.bx, r.BX())
		require.Equal(t, tc.bx, r.DX())
		r = Regs{EAX: 0x8800}
		b.Call(0x15, &r)
		require.Equal(t, tc.ext88, r.AX())
		r = Regs{}
		b.Call(0x12, &r)
		require.Equal(t, uint16(639), r.AX())
	}
}

func TestInt15Misc(t *testing.T) {
	b, h := newTestBIOS(t, Config{})
	// A20.
	for _, tc := range []struct {
		ax     uint16
		port92 uint32
		al     uint8
	}{
		{0x2401, 0x02, 0}, {0x2402, 0x02, 1}, {0x2400, 0x00, 0}, {0x2402, 0x00, 0},
	} {
		r := Regs{EAX: uint32(tc.ax)}
		b.Call(0x15, &r)
		require.False(t, r.CF())
		require.Equal(t, tc.port92, h.port92, "AX=%04x", tc.ax)
		if tc.ax == 0x2402 {
			require.Equal(t, tc.al, r.AL())
		}
	}
	// C0h: the configuration table.
	r := Regs{EAX: 0xC000}
	b.Call(0x15, &r)
	require.False(t, r.CF())
	require.Equal(t, uint16(ROMSegment), r.ES)
	require.Equal(t, byte(0xFC), h.mem[linear(r.ES, r.BX())+2])
	// Unknown functions.
	for _, ax := range []uint32{0x5300, 0xE980, 0xC200, 0x8900} {
		r := Regs{EAX: ax}
		b.Call(0x15, &r)
		require.True(t, r.CF(), "AX=%04x", ax)
		require.Equal(t, uint8(0x86), r.AH())
	}
	// 87h: block move between two descriptors.
	copy(h.mem[0x150000:], "block move!!")
	gdt := make([]byte, 0x30)
	desc := func(i int, base uint32) {
		d := gdt[i*8:]
		binary.LittleEndian.PutUint16(d, 0xFFFF)
		d[2], d[3], d[4], d[5], d[7] = byte(base), byte(base>>8), byte(base>>16), 0x93, byte(base>>24)
	}
	desc(2, 0x150000)
	desc(3, 0x20000)
	copy(h.mem[0x3000:], gdt)
	h.port92 = 0
	r = Regs{EAX: 0x8700, ECX: 6, ES: 0x300}
	b.Call(0x15, &r)
	require.False(t, r.CF())
	require.Equal(t, "block move!!", string(h.mem[0x20000:0x2000C]))
	require.Equal(t, uint32(0), h.port92, "A20 restored")
}

func TestWait(t *testing.T) {
	b, h := newTestBIOS(t, Config{})
	h.now = 1_000_000
	r := Regs{EAX: 0x8600, ECX: 0x0001, EDX: 0x0000} // 65536 us
	require.Equal(t, Wait, b.Call(0x15, &r))
	require.Equal(t, uint8(0x42), h.cmos[0x0B], "periodic interrupt on")
	h.now += 65_000_000
	require.Equal(t, Wait, b.Call(0x15, &r))
	h.now += 536_000
	require.Equal(t, Done, b.Call(0x15, &r))
	require.False(t, r.CF())
	require.Equal(t, uint8(0x02), h.cmos[0x0B], "periodic interrupt off")
	// A new wait starts from the current time.
	r = Regs{EAX: 0x8600, EDX: 10}
	require.Equal(t, Wait, b.Call(0x15, &r))
	h.now += 10_000
	require.Equal(t, Done, b.Call(0x15, &r))
}

func TestInt1A(t *testing.T) {
	b, h := newTestBIOS(t, Config{})
	r := Regs{EAX: 0x0200}
	b.Call(0x1A, &r)
	require.Equal(t, uint16(0x2130), r.CX())
	require.Equal(t, uint8(0x15), r.DH())
	r = Regs{EAX: 0x0400}
	b.Call(0x1A, &r)
	require.Equal(t, uint16(0x2026), r.CX())
	require.Equal(t, uint16(0x1125), r.DX())
	// Binary mode and 12-hour mode read the same time.
	h.cmos[0x0B] = 0x04
	h.cmos[0x00], h.cmos[0x02], h.cmos[0x04] = 15, 30, 0x80|9
	r = Regs{EAX: 0x0200}
	b.Call(0x1A, &r)
	require.Equal(t, uint16(0x2130), r.CX())
	// Set the date in binary mode.
	r = Regs{EAX: 0x0500, ECX: 0x2027, EDX: 0x0102}
	b.Call(0x1A, &r)
	require.Equal(t, []uint8{2, 1, 27}, []uint8{h.cmos[7], h.cmos[8], h.cmos[9]})
	// Ticks and the midnight flag.
	r = Regs{EAX: 0x0100, ECX: 0x0017, EDX: 0xFFFF}
	b.Call(0x1A, &r)
	h.mem[bdaMidnight] = 1
	r = Regs{EAX: 0x0000}
	b.Call(0x1A, &r)
	require.Equal(t, uint16(0x0017), r.CX())
	require.Equal(t, uint16(0xFFFF), r.DX())
	require.Equal(t, uint8(1), r.AL())
	require.Equal(t, byte(0), h.mem[bdaMidnight])
}

func TestPCIBIOS(t *testing.T) {
	b, h := newTestBIOS(t, Config{})
	r := Regs{EAX: 0xB101}
	b.Call(0x1A, &r)
	require.False(t, r.CF())
	require.Equal(t, uint32(0x20494350), r.EDX)
	require.Equal(t, uint16(0x0210), r.BX())
	require.Equal(t, uint8(1), r.AL())

	for _, tc := range []struct {
		name string
		r    Regs
		ah   uint8
		bx   uint16
	}{
		{"find ISA bridge", Regs{EAX: 0xB102, ECX: 0x7000, EDX: 0x8086}, 0, 8},
		{"find host bridge", Regs{EAX: 0xB102, ECX: 0x1237, EDX: 0x8086}, 0, 0},
		{"second ISA bridge", Regs{EAX: 0xB102, ECX: 0x7000, EDX: 0x8086, ESI: 1}, 0x86, 0},
		{"bad vendor", Regs{EAX: 0xB102, ECX: 0x7000, EDX: 0xFFFF}, 0x83, 0},
		{"find class ISA bridge", Regs{EAX: 0xB103, ECX: 0x060100}, 0, 8},
		{"find class none", Regs{EAX: 0xB103, ECX: 0x020000}, 0x86, 0},
		{"unknown", Regs{EAX: 0xB1FF}, 0x81, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			b.Call(0x1A, &r)
			require.Equal(t, tc.ah, r.AH())
			require.Equal(t, tc.ah != 0, r.CF())
			if tc.ah == 0 {
				require.Equal(t, tc.bx, r.BX())
			}
		})
	}
	for _, tc := range []struct {
		al   uint8
		reg  uint16
		want uint32
	}{
		{0x08, 0x00, 0x86}, {0x09, 0x02, 0x7000}, {0x0A, 0x00, 0x70008086}, {0x08, 0x0B, 0x06},
	} {
		r := Regs{EAX: 0xB100 | uint32(tc.al), EBX: 8, EDI: uint32(tc.reg)}
		b.Call(0x1A, &r)
		require.False(t, r.CF())
		require.Equal(t, tc.want, r.ECX&(0xFFFFFFFF>>(32-8<<(tc.al-8))))
	}
	r = Regs{EAX: 0xB109, EBX: 8, EDI: 1}
	b.Call(0x1A, &r)
	require.Equal(t, uint8(0x87), r.AH(), "unaligned word")
	r = Regs{EAX: 0xB10C, EBX: 8, EDI: 0x3C, ECX: 0x0B0A}
	b.Call(0x1A, &r)
	require.False(t, r.CF())
	require.Equal(t, byte(0x0A), h.pciCfg[8][0x3C])
	require.Equal(t, byte(0x0B), h.pciCfg[8][0x3D])
}
