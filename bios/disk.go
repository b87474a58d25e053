package bios

import (
	"encoding/binary"
	"io"
)

// INT 13h status codes.
const (
	diskOK         = 0x00
	diskBadCommand = 0x01 // invalid function or drive
	diskAddrMark   = 0x02 // sector not found
	diskReadError  = 0x10 // uncorrectable read error
	diskWriteFault = 0xCC
)

// SectorSize is the only sector size the BIOS serves.
const SectorSize = 512

// Geometry is a drive's CHS geometry as INT 13h reports it.
type Geometry struct {
	Cylinders, Heads, Sectors uint32
}

// floppyGeometry returns the geometry of a floppy image by its size.
func floppyGeometry(size int64) (Geometry, bool) {
	for _, g := range []struct {
		size int64
		geo  Geometry
	}{
		{160 << 10, Geometry{40, 1, 8}},
		{180 << 10, Geometry{40, 1, 9}},
		{320 << 10, Geometry{40, 2, 8}},
		{360 << 10, Geometry{40, 2, 9}},
		{720 << 10, Geometry{80, 2, 9}},
		{1200 << 10, Geometry{80, 2, 15}},
		{1440 << 10, Geometry{80, 2, 18}},
		{2880 << 10, Geometry{80, 2, 36}},
	} {
		if size == g.size {
			return g.geo, true
		}
	}
	return Geometry{}, false
}

// HardDiskGeometry returns the CHS geometry a hard disk of size bytes is
// given: 16 heads and 63 sectors while the cylinders fit in 1024, then
// LBA-assist translation (32, 64, 128, 255 heads); cylinders are capped
// at 1024 (larger disks are reached with EDD).
func HardDiskGeometry(size int64) Geometry {
	sectors := uint64(size) / SectorSize
	heads := uint64(16)
	for _, h := range []uint64{16, 32, 64, 128, 255} {
		heads = h
		if sectors/(h*63) <= 1024 {
			break
		}
	}
	cyl := sectors / (heads * 63)
	return Geometry{Cylinders: uint32(min(max(cyl, 1), 1024)), Heads: uint32(heads), Sectors: 63}
}

// drive returns the configured drive for BIOS drive number dl, its
// geometry, and whether it is a floppy.
func (b *BIOS) drive(dl uint8) (Drive, Geometry, bool, bool) {
	if dl >= 0x80 {
		i := int(dl - 0x80)
		if i >= len(b.cfg.HardDisks) {
			return nil, Geometry{}, false, false
		}
		d := b.cfg.HardDisks[i]
		return d, HardDiskGeometry(d.Size()), false, true
	}
	if int(dl) >= len(b.cfg.Floppies) {
		return nil, Geometry{}, false, false
	}
	d := b.cfg.Floppies[dl]
	g, _ := floppyGeometry(d.Size())
	return d, g, true, true
}

// setStatus records and returns an INT 13h status (AH, CF, BDA).
func (b *BIOS) setStatus(r *Regs, dl uint8, st uint8) {
	if dl >= 0x80 {
		b.write8(bdaDiskStat, st)
	} else {
		b.write8(bdaFloppyStat, st)
	}
	r.SetAH(st)
	r.SetCF(st != diskOK)
}

func (b *BIOS) int13(r *Regs) {
	dl := r.DL()
	d, geo, floppy, ok := b.drive(dl)
	fn := r.AH()
	if !ok {
		switch {
		case fn == 0x08 && dl >= 0x80:
			// Drive parameters of a missing hard disk still report the
			// number of hard disks (DL), as callers count them so.
			r.SetDL(uint8(len(b.cfg.HardDisks)))
			b.setStatus(r, dl, diskBadCommand)
		case fn == 0x15 && dl < 0x80:
			r.SetAH(0)
			r.SetCF(false)
		default:
			b.setStatus(r, dl, diskBadCommand)
		}
		return
	}
	switch fn {
	case 0x00, 0x0D: // reset
		b.setStatus(r, dl, diskOK)
	case 0x01: // last status
		st := b.read8(bdaDiskStat)
		if floppy {
			st = b.read8(bdaFloppyStat)
		}
		r.SetAH(st)
		r.SetCF(st != diskOK)
	case 0x02, 0x03, 0x04: // read, write, verify (CHS)
		b.chsTransfer(r, d, geo)
	case 0x08:
		b.driveParams(r, geo, floppy)
	case 0x0C, 0x10, 0x11: // seek, test ready, recalibrate
		b.setStatus(r, dl, diskOK)
	case 0x15: // drive type
		r.SetCF(false)
		if floppy {
			r.SetAH(0x02) // floppy with change line
			return
		}
		n := uint32(uint64(d.Size()) / SectorSize)
		r.SetCX(uint16(n >> 16))
		r.SetDX(uint16(n))
		r.SetAH(0x03)
	case 0x16: // change line: not changed
		b.setStatus(r, dl, diskOK)
	case 0x41:
		if floppy || r.BX() != 0x55AA {
			b.setStatus(r, dl, diskBadCommand)
			return
		}
		r.SetBX(0xAA55)
		r.SetAH(0x21) // EDD 1.1
		r.SetCX(0x0001)
		r.SetCF(false)
	case 0x42, 0x43, 0x44: // extended read, write, verify
		if floppy {
			b.setStatus(r, dl, diskBadCommand)
			return
		}
		b.extTransfer(r, d)
	case 0x47: // extended seek
		b.setStatus(r, dl, diskOK)
	case 0x48:
		if floppy {
			b.setStatus(r, dl, diskBadCommand)
			return
		}
		b.extParams(r, d, geo)
	default:
		b.setStatus(r, dl, diskBadCommand)
	}
}

// chsTransfer serves AH=02h/03h/04h: AL sectors from cylinder CH (+ CL
// bits 6-7 as bits 8-9), sector CL bits 0-5, head DH, to/from ES:BX.
func (b *BIOS) chsTransfer(r *Regs, d Drive, geo Geometry) {
	count := uint32(r.AL())
	cyl := uint32(r.CH()) | uint32(r.CL()&0xC0)<<2
	sec := uint32(r.CL() & 0x3F)
	head := uint32(r.DH())
	if count == 0 || count > 128 || sec == 0 || sec > geo.Sectors || head >= geo.Heads || cyl >= geo.Cylinders {
		r.SetAL(0)
		b.setStatus(r, r.DL(), diskAddrMark)
		return
	}
	lba := (cyl*geo.Heads+head)*geo.Sectors + sec - 1
	done, st := b.transfer(d, r.AH() == 0x03, r.AH() == 0x04, uint64(lba), count, linear(r.ES, r.BX()))
	r.SetAL(uint8(done))
	b.setStatus(r, r.DL(), st)
}

// transfer moves count sectors between LBA lba of d and guest memory at
// addr; verify only reads the disk. It returns the sectors moved.
func (b *BIOS) transfer(d Drive, write, verify bool, lba uint64, count uint32, addr uint32) (uint32, uint8) {
	total := uint64(d.Size()) / SectorSize
	buf := make([]byte, SectorSize)
	for i := range count {
		s := lba + uint64(i)
		if s >= total || s < lba {
			return i, diskAddrMark
		}
		off := int64(s * SectorSize)
		dst := addr + i*SectorSize
		if write {
			b.host.ReadPhys(uint64(dst), buf)
			if _, err := d.WriteAt(buf, off); err != nil {
				return i, diskWriteFault
			}
			continue
		}
		if n, err := d.ReadAt(buf, off); n < SectorSize && (err == nil || err == io.EOF) {
			clear(buf[n:])
		} else if err != nil && err != io.EOF {
			return i, diskReadError
		}
		if !verify {
			b.host.WritePhys(uint64(dst), buf)
		}
	}
	return count, diskOK
}

// driveParams is AH=08h.
func (b *BIOS) driveParams(r *Regs, geo Geometry, floppy bool) {
	maxCyl := geo.Cylinders - 1
	r.SetCH(uint8(maxCyl))
	r.SetCL(uint8(geo.Sectors) | uint8(maxCyl>>2)&0xC0)
	r.SetDH(uint8(geo.Heads - 1))
	if floppy {
		r.SetDL(uint8(len(b.cfg.Floppies)))
		r.SetBX(0x0004) // 1.44 MB drive type
		if geo.Sectors == 36 {
			r.SetBL(0x05)
		}
		r.ES = ROMSegment
		r.SetDI(offDisketteParams)
	} else {
		r.SetDL(uint8(len(b.cfg.HardDisks)))
		r.SetBX(0)
	}
	r.SetAX(0)
	r.SetCF(false)
	b.setStatus(r, r.DL(), diskOK)
}

// DAP is an EDD disk address packet (INT 13h AH=42h-44h at DS:SI).
type DAP struct {
	Size   uint8  // 0x10, or 0x18 with a 64-bit flat buffer address
	Count  uint16 // blocks to transfer
	Buffer uint32 // physical address of the buffer
	LBA    uint64
}

// dapMaxCount is the most blocks one request may move (as Phoenix EDD).
const dapMaxCount = 127

// ParseDAP decodes the packet p (at least 16 bytes are needed); a
// segment:offset of FFFF:FFFF with Size >= 0x18 selects the 64-bit
// address at 0x10, which must lie below 4 GiB. ok is false for a packet
// the BIOS rejects.
func ParseDAP(p []byte) (DAP, bool) {
	if len(p) < 0x10 || p[0] < 0x10 {
		return DAP{}, false
	}
	d := DAP{
		Size:  p[0],
		Count: binary.LittleEndian.Uint16(p[2:]),
		LBA:   binary.LittleEndian.Uint64(p[8:]),
	}
	off, seg := binary.LittleEndian.Uint16(p[4:]), binary.LittleEndian.Uint16(p[6:])
	d.Buffer = linear(seg, off)
	if off == 0xFFFF && seg == 0xFFFF {
		if d.Size < 0x18 || len(p) < 0x18 {
			return DAP{}, false
		}
		flat := binary.LittleEndian.Uint64(p[0x10:])
		if flat >= 1<<32 {
			return DAP{}, false
		}
		d.Buffer = uint32(flat)
	}
	if d.Count > dapMaxCount {
		return DAP{}, false
	}
	return d, true
}

// extTransfer serves AH=42h/43h/44h.
func (b *BIOS) extTransfer(r *Regs, d Drive) {
	at := linear(r.DS, r.SI())
	dap, ok := ParseDAP(b.read(at, 0x18))
	if !ok {
		b.setStatus(r, r.DL(), diskBadCommand)
		return
	}
	done, st := b.transfer(d, r.AH() == 0x43, r.AH() == 0x44, dap.LBA, uint32(dap.Count), dap.Buffer)
	b.write16(at+2, uint16(done))
	b.setStatus(r, r.DL(), st)
}

// extParams serves AH=48h: the result buffer at DS:SI says its size.
func (b *BIOS) extParams(r *Regs, d Drive, geo Geometry) {
	at := linear(r.DS, r.SI())
	size := b.read16(at)
	if size < 0x1A {
		b.setStatus(r, r.DL(), diskBadCommand)
		return
	}
	out := make([]byte, 0x1E)
	n := uint16(0x1A)
	if size >= 0x1E {
		n = 0x1E
		binary.LittleEndian.PutUint32(out[0x1A:], 0xFFFFFFFF) // no DPTE
	}
	binary.LittleEndian.PutUint16(out[0:], n)
	binary.LittleEndian.PutUint16(out[2:], 0x0002) // CHS information valid
	binary.LittleEndian.PutUint32(out[4:], geo.Cylinders)
	binary.LittleEndian.PutUint32(out[8:], geo.Heads)
	binary.LittleEndian.PutUint32(out[12:], geo.Sectors)
	binary.LittleEndian.PutUint64(out[16:], uint64(d.Size())/SectorSize)
	binary.LittleEndian.PutUint16(out[24:], SectorSize)
	b.write(at, out[:n])
	b.setStatus(r, r.DL(), diskOK)
}
