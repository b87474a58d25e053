package bios

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
)

// patternDisk returns an image whose sector n starts with n (uint32).
func patternDisk(size int) MemDrive {
	d := make(MemDrive, size)
	for lba := 0; lba < size/SectorSize; lba++ {
		binary.LittleEndian.PutUint32(d[lba*SectorSize:], uint32(lba))
		d[lba*SectorSize+SectorSize-1] = 0xEE
	}
	return d
}

func TestGeometry(t *testing.T) {
	for _, tc := range []struct {
		size int64
		want Geometry
	}{
		{1 << 20, Geometry{2, 16, 63}},
		{32 << 20, Geometry{65, 16, 63}},
		{504 << 20, Geometry{1024, 16, 63}},
		{1 << 30, Geometry{1040 / 2, 64, 63}},
		{8 << 30, Geometry{1024, 255, 63}},
		{100 << 30, Geometry{1024, 255, 63}},
		{100, Geometry{1, 16, 63}},
	} {
		require.Equal(t, tc.want, HardDiskGeometry(tc.size), "size %d", tc.size)
	}
	for _, tc := range []struct {
		size int64
		want Geometry
		ok   bool
	}{
		{1440 << 10, Geometry{80, 2, 18}, true},
		{2880 << 10, Geometry{80, 2, 36}, true},
		{720 << 10, Geometry{80, 2, 9}, true},
		{1000, Geometry{}, false},
	} {
		g, ok := floppyGeometry(tc.size)
		require.Equal(t, tc.ok, ok)
		require.Equal(t, tc.want, g)
	}
}

func TestInt13CHS(t *testing.T) {
	hd := patternDisk(32 << 20)
	fd := patternDisk(1440 << 10)
	b, h := newTestBIOS(t, Config{HardDisks: []Drive{hd}, Floppies: []Drive{fd}})
	chs := func(c, hd, s uint32) (uint32, uint32) { // CX, DH
		return c&0xFF<<8 | c>>2&0xC0 | s, hd
	}
	for _, tc := range []struct {
		name      string
		dl        uint8
		c, hd, s  uint32
		count     uint8
		ah        uint8
		wantLBA   uint32
		wantCount uint8
	}{
		{"hd first", 0x80, 0, 0, 1, 1, 0, 0, 1},
		{"hd head 1", 0x80, 0, 1, 1, 2, 0, 63, 2},
		{"hd cylinder 64", 0x80, 64, 15, 63, 1, 0, (64*16+15)*63 + 62, 1},
		{"fd track 1", 0x00, 1, 0, 1, 18, 0, 36, 18},
		{"fd head 1", 0x00, 0, 1, 18, 1, 0, 35, 1},
		{"sector 0", 0x80, 0, 0, 0, 1, diskAddrMark, 0, 0},
		{"sector too big", 0x00, 0, 0, 19, 1, diskAddrMark, 0, 0},
		{"head too big", 0x80, 0, 16, 1, 1, diskAddrMark, 0, 0},
		{"cylinder too big", 0x80, 65, 0, 1, 1, diskAddrMark, 0, 0},
		{"count 0", 0x80, 0, 0, 1, 0, diskAddrMark, 0, 0},
		{"missing drive", 0x81, 0, 0, 1, 1, diskBadCommand, 0, 0},
		{"missing floppy", 0x01, 0, 0, 1, 1, diskBadCommand, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clear(h.mem[0x20000:0x30000])
			cx, dh := chs(tc.c, tc.hd, tc.s)
			r := Regs{EAX: 0x0200 | uint32(tc.count), ECX: cx, EDX: dh<<8 | uint32(tc.dl), ES: 0x2000, EBX: 0}
			b.Call(0x13, &r)
			require.Equal(t, tc.ah, r.AH())
			require.Equal(t, tc.ah != 0, r.CF())
			if tc.ah != 0 {
				return
			}
			require.Equal(t, tc.wantCount, r.AL())
			for i := range uint32(tc.wantCount) {
				require.Equal(t, tc.wantLBA+i, h.r32(0x20000+i*SectorSize))
			}
			r = Regs{EAX: 0x0100, EDX: uint32(tc.dl)}
			b.Call(0x13, &r)
			require.Equal(t, uint8(0), r.AH())
		})
	}
	// The last status after an error.
	r := Regs{EAX: 0x0201, ECX: 0, EDX: 0x80, ES: 0x2000}
	b.Call(0x13, &r)
	r = Regs{EAX: 0x0100, EDX: 0x80}
	b.Call(0x13, &r)
	require.Equal(t, uint8(diskAddrMark), r.AH())
	require.True(t, r.CF())

	// Write sector 5 of the hard disk, read it back.
	copy(h.mem[0x30000:], "written by INT 13h")
	r = Regs{EAX: 0x0301, ECX: 6, EDX: 0x80, ES: 0x3000}
	b.Call(0x13, &r)
	require.False(t, r.CF())
	require.Equal(t, "written by INT 13h", string(hd[5*SectorSize:5*SectorSize+18]))
	// A read into the ROM is dropped, never reaching the BIOS image.
	r = Regs{EAX: 0x0201, ECX: 1, EDX: 0x80, ES: 0xF000, EBX: 0x8000}
	b.Call(0x13, &r)
	require.False(t, r.CF())
	require.Equal(t, ROM()[0x8000:0x8200], h.mem[0xF8000:0xF8200])
}

func TestInt13Params(t *testing.T) {
	hd := patternDisk(32 << 20)
	b, h := newTestBIOS(t, Config{HardDisks: []Drive{hd, patternDisk(1 << 20)}, Floppies: []Drive{patternDisk(1440 << 10)}})
	r := Regs{EAX: 0x0800, EDX: 0x80}
	b.Call(0x13, &r)
	require.False(t, r.CF())
	require.Equal(t, uint16(64&0xFF)<<8|63, r.CX(), "64 cylinders, 63 sectors")
	require.Equal(t, uint16(15<<8|2), r.DX(), "16 heads, 2 disks")
	r = Regs{EAX: 0x0800, EDX: 0x00}
	b.Call(0x13, &r)
	require.False(t, r.CF())
	require.Equal(t, uint16(79<<8|18), r.CX())
	require.Equal(t, uint16(1<<8|1), r.DX())
	require.Equal(t, uint8(4), r.BL())
	require.Equal(t, uint32(ROMBase+offDisketteParams), linear(r.ES, r.DI()))
	r = Regs{EAX: 0x0800, EDX: 0x82}
	b.Call(0x13, &r)
	require.True(t, r.CF())
	require.Equal(t, uint8(2), r.DL())

	// Drive type.
	r = Regs{EAX: 0x1500, EDX: 0x80}
	b.Call(0x13, &r)
	require.Equal(t, uint8(3), r.AH())
	require.Equal(t, uint32(32<<20/SectorSize), uint32(r.CX())<<16|uint32(r.DX()))
	r = Regs{EAX: 0x1500, EDX: 0x01}
	b.Call(0x13, &r)
	require.Equal(t, uint8(0), r.AH(), "no such floppy")

	// EDD.
	r = Regs{EAX: 0x4100, EBX: 0x55AA, EDX: 0x80}
	b.Call(0x13, &r)
	require.False(t, r.CF())
	require.Equal(t, uint16(0xAA55), r.BX())
	require.Equal(t, uint16(1), r.CX()&1)
	r = Regs{EAX: 0x4100, EBX: 0x55AA, EDX: 0x00}
	b.Call(0x13, &r)
	require.True(t, r.CF(), "no EDD on floppies")

	for _, size := range []uint16{0x1A, 0x1E, 0x42} {
		clear(h.mem[0x5000:0x5100])
		binary.LittleEndian.PutUint16(h.mem[0x5000:], size)
		r = Regs{EAX: 0x4800, EDX: 0x80, DS: 0x500}
		b.Call(0x13, &r)
		require.False(t, r.CF())
		n := min(size, 0x1E)
		require.Equal(t, n, h.r16(0x5000))
		require.Equal(t, uint32(65), h.r32(0x5004))
		require.Equal(t, uint32(16), h.r32(0x5008))
		require.Equal(t, uint32(63), h.r32(0x500C))
		require.Equal(t, uint64(32<<20/SectorSize), binary.LittleEndian.Uint64(h.mem[0x5010:]))
		require.Equal(t, uint16(512), h.r16(0x5018))
		if n == 0x1E {
			require.Equal(t, uint32(0xFFFFFFFF), h.r32(0x501A))
		}
		require.Equal(t, byte(0), h.mem[0x5000+uint32(n)], "nothing past the size")
	}
	binary.LittleEndian.PutUint16(h.mem[0x5000:], 0x10)
	r = Regs{EAX: 0x4800, EDX: 0x80, DS: 0x500}
	b.Call(0x13, &r)
	require.True(t, r.CF(), "buffer too small")
}

func TestInt13Extended(t *testing.T) {
	hd := patternDisk(32 << 20)
	b, h := newTestBIOS(t, Config{HardDisks: []Drive{hd}})
	dap := func(count uint16, seg, off uint16, lba uint64, flat uint64) {
		p := h.mem[0x6000:0x6018]
		clear(p)
		p[0] = 0x10
		if flat != 0 {
			p[0] = 0x18
			binary.LittleEndian.PutUint64(p[0x10:], flat)
		}
		binary.LittleEndian.PutUint16(p[2:], count)
		binary.LittleEndian.PutUint16(p[4:], off)
		binary.LittleEndian.PutUint16(p[6:], seg)
		binary.LittleEndian.PutUint64(p[8:], lba)
	}
	total := uint64(32 << 20 / SectorSize)
	for _, tc := range []struct {
		name    string
		count   uint16
		lba     uint64
		flat    bool
		ah      uint8
		moved   uint16
		wantLBA uint32
	}{
		{"one", 1, 0, false, 0, 1, 0},
		{"many", 100, 1000, false, 0, 100, 1000},
		{"flat buffer", 4, 77, true, 0, 4, 77},
		{"past the end", 4, total - 2, false, diskAddrMark, 2, uint32(total - 2)},
		{"huge LBA", 1, 1 << 62, false, diskAddrMark, 0, 0},
		{"too many", 128, 0, false, diskBadCommand, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clear(h.mem[0x100000:0x120000])
			clear(h.mem[0x30000:0x50000])
			flat := uint64(0)
			seg, off := uint16(0x3000), uint16(0)
			addr := uint32(0x30000)
			if tc.flat {
				flat, seg, off, addr = 0x100000, 0xFFFF, 0xFFFF, 0x100000
			}
			dap(tc.count, seg, off, tc.lba, flat)
			r := Regs{EAX: 0x4200, EDX: 0x80, DS: 0x600}
			b.Call(0x13, &r)
			require.Equal(t, tc.ah, r.AH())
			require.Equal(t, tc.ah != 0, r.CF())
			if tc.ah != diskBadCommand {
				require.Equal(t, tc.moved, h.r16(0x6002), "blocks transferred")
			}
			for i := range uint32(tc.moved) {
				require.Equal(t, tc.wantLBA+i, h.r32(addr+i*SectorSize))
			}
		})
	}
	// Extended write.
	copy(h.mem[0x30000:], "EDD write")
	dap(1, 0x3000, 0, 9, 0)
	r := Regs{EAX: 0x4300, EDX: 0x80, DS: 0x600}
	b.Call(0x13, &r)
	require.False(t, r.CF())
	require.Equal(t, "EDD write", string(hd[9*SectorSize:9*SectorSize+9]))
}

func TestParseDAP(t *testing.T) {
	pkt := func(size byte, count uint16, off, seg uint16, lba, flat uint64) []byte {
		p := make([]byte, 0x18)
		p[0] = size
		binary.LittleEndian.PutUint16(p[2:], count)
		binary.LittleEndian.PutUint16(p[4:], off)
		binary.LittleEndian.PutUint16(p[6:], seg)
		binary.LittleEndian.PutUint64(p[8:], lba)
		binary.LittleEndian.PutUint64(p[16:], flat)
		return p
	}
	for _, tc := range []struct {
		name string
		p    []byte
		want DAP
		ok   bool
	}{
		{"plain", pkt(0x10, 3, 0x10, 0x2000, 99, 0), DAP{0x10, 3, 0x20010, 99}, true},
		{"wraps past 1 MiB", pkt(0x10, 1, 0xFFFF, 0xFFF0, 0, 0), DAP{0x10, 1, 0xFFF0<<4 + 0xFFFF, 0}, true},
		{"flat", pkt(0x18, 1, 0xFFFF, 0xFFFF, 5, 0x200000), DAP{0x18, 1, 0x200000, 5}, true},
		{"flat in a short packet", pkt(0x10, 1, 0xFFFF, 0xFFFF, 5, 0x200000), DAP{}, false},
		{"flat above 4 GiB", pkt(0x18, 1, 0xFFFF, 0xFFFF, 5, 1<<32), DAP{}, false},
		{"size too small", pkt(0x0F, 1, 0, 0, 0, 0), DAP{}, false},
		{"too many blocks", pkt(0x10, 128, 0, 0, 0, 0), DAP{}, false},
		{"truncated", make([]byte, 8), DAP{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, ok := ParseDAP(tc.p)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, d)
		})
	}
}

func FuzzParseDAP(f *testing.F) {
	f.Add([]byte{0x10, 0, 1, 0, 0, 0, 0, 0x20, 5, 0, 0, 0, 0, 0, 0, 0})
	f.Add(append([]byte{0x18, 0, 1, 0, 0xFF, 0xFF, 0xFF, 0xFF, 5, 0, 0, 0, 0, 0, 0, 0}, 0, 0, 0x10, 0, 0, 0, 0, 0))
	f.Fuzz(func(t *testing.T, p []byte) {
		d, ok := ParseDAP(p)
		if !ok {
			require.Equal(t, DAP{}, d)
			return
		}
		require.GreaterOrEqual(t, len(p), 0x10)
		require.LessOrEqual(t, d.Count, uint16(dapMaxCount))
		require.GreaterOrEqual(t, d.Size, uint8(0x10))
	})
}

// FuzzServices calls every service with guest-chosen registers and
// memory: no panic, and the ROM never changes.
func FuzzServices(f *testing.F) {
	f.Add(uint8(0x13), uint32(0x4200), uint32(0), uint32(0), uint32(0x80), uint16(0x600), uint16(0), uint32(0), []byte{0x10, 0, 0x7F, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0})
	f.Add(uint8(0x15), uint32(0xE820), uint32(7), uint32(24), uint32(smap), uint16(0), uint16(0xFFFF), uint32(0xFFF0), []byte{})
	f.Add(uint8(0x15), uint32(0x8700), uint32(0), uint32(0xFFFF), uint32(0), uint16(0), uint16(0x600), uint32(0), []byte{})
	f.Add(uint8(0x10), uint32(0x1301), uint32(0x0007), uint32(0xFFFF), uint32(0x1850), uint16(0), uint16(0xF000), uint32(0), []byte("x"))
	f.Add(uint8(0x16), uint32(0x0500), uint32(0), uint32(0x1E61), uint32(0), uint16(0), uint16(0), uint32(0), []byte{})
	f.Fuzz(func(t *testing.T, vec uint8, eax, ebx, ecx, edx uint32, ds, es uint16, esi uint32, mem []byte) {
		hd := patternDisk(1 << 20)
		b, h := newTestBIOS(t, Config{HardDisks: []Drive{hd}, Floppies: []Drive{patternDisk(1440 << 10)}})
		copy(h.mem[0x6000:0x7000], mem)
		copy(h.mem[0x400:0x500], mem) // hostile BDA pointers too
		r := Regs{EAX: eax, EBX: ebx, ECX: ecx, EDX: edx, ESI: esi, EDI: esi, EBP: esi, DS: ds, ES: es}
		id := int(vec)
		if vec == 0x19 || vec == 0x18 {
			id = IDPost
		}
		for range 3 {
			if b.Call(id, &r) != Wait {
				break
			}
		}
		require.Equal(t, ROM(), h.mem[ROMBase:ROMBase+ROMSize])
		require.Equal(t, int64(1<<20), hd.Size())
	})
}
