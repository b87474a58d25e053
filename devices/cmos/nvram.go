package cmos

// NVRAM layout of a PC/AT (as SeaBIOS, QEMU and Linux use it).
const (
	NVFloppyTypes  = 0x10 // drive 0 in the high nibble, drive 1 in the low
	NVDiskTypes    = 0x12 // disk 0 in the high nibble, disk 1 in the low (0xF: see 0x19/0x1A)
	NVEquipment    = 0x14
	NVBaseMemLo    = 0x15 // conventional memory in KiB
	NVBaseMemHi    = 0x16
	NVExtMemLo     = 0x17 // memory above 1 MiB in KiB (max 65535)
	NVExtMemHi     = 0x18
	NVDisk0Ext     = 0x19 // extended type of disk 0 (47: user defined)
	NVDisk1Ext     = 0x1A
	NVDisk0Params  = 0x1B // 9 bytes of geometry for disk 0
	NVDisk1Params  = 0x24 // 9 bytes for disk 1
	NVChecksumHi   = 0x2E // sum of 0x10-0x2D, big endian
	NVChecksumLo   = 0x2F
	NVExtMem2Lo    = 0x30 // copy of 0x17-0x18
	NVExtMem2Hi    = 0x31
	NVMem16MLo     = 0x34 // memory between 16 MiB and 4 GiB in 64 KiB units
	NVMem16MHi     = 0x35
	NVMemAbove4GLo = 0x5B // memory above 4 GiB in 64 KiB units (3 bytes)
	NVMemAbove4GMi = 0x5C
	NVMemAbove4GHi = 0x5D
)

// FloppyType is a CMOS floppy drive type.
type FloppyType uint8

// Floppy drive types.
const (
	FloppyNone FloppyType = iota
	Floppy360K
	Floppy1200K
	Floppy720K
	Floppy1440K
	Floppy2880K
)

// Disk is the geometry of a hard disk; the zero value means absent.
type Disk struct {
	Cylinders, Heads, Sectors int
}

// Config describes the platform for Configure.
type Config struct {
	LowMem   uint64        // bytes of RAM below 4 GiB, conventional memory included
	HighMem  uint64        // bytes of RAM above 4 GiB
	Floppies [2]FloppyType // drives A: and B:
	Disks    [2]Disk       // first and second hard disk
	FPU      bool          // a math coprocessor is present
	PS2Mouse bool          // equipment bit 2, as QEMU sets it
}

const (
	kib = 1024
	mib = 1024 * kib
)

// Get returns NVRAM byte i (0-127) as stored, without the side effects of
// a guest read.
func (r *RTC) Get(i uint8) uint8 { return r.s.RAM[i&0x7F] }

// Set stores NVRAM byte i (0-127) without the side effects of a guest
// write. Use it for bytes outside the clock registers.
func (r *RTC) Set(i, v uint8) { r.s.RAM[i&0x7F] = v }

func (r *RTC) set16(lo uint8, v uint64) {
	if v > 0xFFFF {
		v = 0xFFFF
	}
	r.s.RAM[lo] = uint8(v)
	r.s.RAM[lo+1] = uint8(v >> 8)
}

// Configure writes the memory sizes, equipment byte, floppy and disk
// types and the standard checksum.
func (r *RTC) Configure(c Config) {
	r.set16(NVBaseMemLo, min(c.LowMem/kib, 640))
	var ext uint64
	if c.LowMem > mib {
		ext = (c.LowMem - mib) / kib
	}
	r.set16(NVExtMemLo, ext)
	r.set16(NVExtMem2Lo, ext)
	var above16 uint64
	if c.LowMem > 16*mib {
		above16 = (c.LowMem - 16*mib) / (64 * kib)
	}
	r.set16(NVMem16MLo, above16)
	high := c.HighMem / (64 * kib)
	if high > 0xFFFFFF {
		high = 0xFFFFFF
	}
	r.s.RAM[NVMemAbove4GLo] = uint8(high)
	r.s.RAM[NVMemAbove4GMi] = uint8(high >> 8)
	r.s.RAM[NVMemAbove4GHi] = uint8(high >> 16)

	r.s.RAM[NVFloppyTypes] = uint8(c.Floppies[0]&15)<<4 | uint8(c.Floppies[1]&15)
	var eq uint8
	n := 0
	for _, f := range c.Floppies {
		if f != FloppyNone {
			n++
		}
	}
	if n > 0 {
		eq |= 0x01 | uint8(n-1)<<6
	}
	if c.FPU {
		eq |= 0x02
	}
	if c.PS2Mouse {
		eq |= 0x04
	}
	r.s.RAM[NVEquipment] = eq // bits 5-4 = 00: EGA/VGA display

	var types uint8
	for i, d := range c.Disks {
		ext, params := uint8(NVDisk0Ext), uint8(NVDisk0Params)
		if i == 1 {
			ext, params = NVDisk1Ext, NVDisk1Params
		}
		if d == (Disk{}) {
			r.s.RAM[ext] = 0
			for j := uint8(0); j < 9; j++ {
				r.s.RAM[params+j] = 0
			}
			continue
		}
		types |= 0xF0 >> (4 * i)
		r.s.RAM[ext] = 47
		cyl := uint16(d.Cylinders)
		r.s.RAM[params] = uint8(cyl)
		r.s.RAM[params+1] = uint8(cyl >> 8)
		r.s.RAM[params+2] = uint8(d.Heads)
		r.s.RAM[params+3] = 0xFF // write precompensation: none
		r.s.RAM[params+4] = 0xFF
		ctl := uint8(0xC0)
		if d.Heads > 8 {
			ctl |= 0x08
		}
		r.s.RAM[params+5] = ctl
		r.s.RAM[params+6] = uint8(cyl) // landing zone
		r.s.RAM[params+7] = uint8(cyl >> 8)
		r.s.RAM[params+8] = uint8(d.Sectors)
	}
	r.s.RAM[NVDiskTypes] = types
	r.UpdateChecksum()
}

// Checksum returns the sum of bytes 0x10-0x2D.
func (r *RTC) Checksum() uint16 {
	var sum uint16
	for i := 0x10; i <= 0x2D; i++ {
		sum += uint16(r.s.RAM[i])
	}
	return sum
}

// UpdateChecksum stores Checksum at 0x2E (high byte) and 0x2F (low byte).
func (r *RTC) UpdateChecksum() {
	sum := r.Checksum()
	r.s.RAM[NVChecksumHi] = uint8(sum >> 8)
	r.s.RAM[NVChecksumLo] = uint8(sum)
}
