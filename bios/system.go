package bios

import (
	"encoding/binary"

	"bt86/bios/bootparam"
)

const smap = 0x534D4150 // "SMAP"

// E820 returns the memory map the BIOS reports: the same map the direct
// Linux boot hands over (bootparam.DefaultE820).
func (b *BIOS) E820() []bootparam.E820Entry { return bootparam.DefaultE820(b.cfg.RAMSize) }

func (b *BIOS) int15(r *Regs) Result {
	switch {
	case r.EAX == 0xE820 && r.EDX == smap:
		b.e820(r)
	case r.AX() == 0xE801:
		ext := b.cfg.RAMSize - 1<<20
		low := min(ext, 15<<20) >> 10
		var high uint64
		if b.cfg.RAMSize > 16<<20 {
			high = min(b.cfg.RAMSize-16<<20, 0xFFFF<<16) >> 16
		}
		r.SetAX(uint16(low))
		r.SetCX(uint16(low))
		r.SetBX(uint16(high))
		r.SetDX(uint16(high))
		r.SetCF(false)
	case r.AH() == 0x88:
		r.SetAX(uint16(min((b.cfg.RAMSize-1<<20)>>10, 63<<10)))
		r.SetCF(false)
	case r.AH() == 0x24:
		b.a20(r)
	case r.AH() == 0x86:
		return b.wait(r)
	case r.AH() == 0x87:
		b.blockMove(r)
	case r.AH() == 0xC0:
		r.ES = ROMSegment
		r.SetBX(offConfigTable)
		r.ok()
	default:
		r.unsupported()
	}
	return Done
}

// e820 returns entry EBX of the map at ES:DI (20 bytes, or 24 with the
// ACPI 3.0 attributes when ECX >= 24); EBX becomes the next index, 0
// after the last.
func (b *BIOS) e820(r *Regs) {
	m := b.E820()
	i, ok := E820Index(r.EBX, len(m))
	if !ok || r.ECX < 20 {
		r.unsupported()
		return
	}
	e := m[i]
	out := make([]byte, 24)
	binary.LittleEndian.PutUint64(out[0:], e.Addr)
	binary.LittleEndian.PutUint64(out[8:], e.Size)
	binary.LittleEndian.PutUint32(out[16:], uint32(e.Type))
	binary.LittleEndian.PutUint32(out[20:], 1) // enabled
	n := uint32(20)
	if r.ECX >= 24 {
		n = 24
	}
	b.write(linear(r.ES, r.DI()), out[:n])
	r.ECX = n
	r.EAX = smap
	r.EBX = uint32(i + 1)
	if i+1 == len(m) {
		r.EBX = 0
	}
	r.SetCF(false)
}

// E820Index checks a guest's E820 continuation value against a map of n
// entries.
func E820Index(ebx uint32, n int) (int, bool) {
	if uint64(ebx) >= uint64(n) {
		return 0, false
	}
	return int(ebx), true
}

// a20 serves AX=2400h-2403h through port 0x92.
func (b *BIOS) a20(r *Regs) {
	v := b.host.In(0x92, 1)
	switch r.AL() {
	case 0x00:
		b.host.Out(0x92, 1, v&^0x03)
	case 0x01:
		b.host.Out(0x92, 1, v&^0x01|0x02)
	case 0x02:
		r.SetAL(uint8(v>>1) & 1)
		r.SetCX(0)
	case 0x03:
		r.SetBX(0x0002) // fast A20 (port 0x92)
	default:
		r.unsupported()
		return
	}
	r.ok()
}

// wait serves AH=86h: CX:DX microseconds of virtual time. The first call
// records the deadline in the EBDA and turns on the RTC's periodic
// interrupt (1024 Hz, IRQ8), so that the stub, which halts between
// calls, wakes about every millisecond; the last call turns it off.
func (b *BIOS) wait(r *Regs) Result {
	now := b.host.Now()
	if b.read8(ebdaWaiting) == 0 {
		us := int64(r.CX())<<16 | int64(r.DX())
		b.write(ebdaWaitEnd, binary.LittleEndian.AppendUint64(nil, uint64(now+us*1000)))
		b.write8(ebdaWaiting, 1)
		b.periodic(true)
	}
	end := int64(binary.LittleEndian.Uint64(b.read(ebdaWaitEnd, 8)))
	if now < end {
		return Wait
	}
	b.write8(ebdaWaiting, 0)
	b.periodic(false)
	r.ok()
	return Done
}

// periodic turns the RTC's periodic interrupt on (unmasking IRQ8 and the
// cascade) or off.
func (b *BIOS) periodic(on bool) {
	regB := b.cmos(0x0B)
	if on {
		regB |= 0x40
		b.host.Out(0xA1, 1, b.host.In(0xA1, 1)&^0x01)
		b.host.Out(0x21, 1, b.host.In(0x21, 1)&^0x04)
	} else {
		regB &^= 0x40
	}
	b.host.Out(cmosIndex, 1, 0x0B)
	b.host.Out(cmosData, 1, uint32(regB))
}

// blockMove serves AH=87h: CX words from the source descriptor (GDT
// entry 2 at ES:SI) to the destination (entry 3), by physical address.
func (b *BIOS) blockMove(r *Regs) {
	gdt := b.read(linear(r.ES, r.SI()), 0x20)
	base := func(d []byte) uint32 {
		return uint32(d[2]) | uint32(d[3])<<8 | uint32(d[4])<<16 | uint32(d[7])<<24
	}
	src, dst := base(gdt[0x10:]), base(gdt[0x18:])
	n := uint32(r.CX()) * 2
	if n > 0x10000 {
		r.fail(0x01)
		return
	}
	// The move runs with A20 on, as the BIOS switches to protected mode
	// for it; the gate is restored after.
	p92 := b.host.In(0x92, 1)
	if p92&0x02 == 0 {
		b.host.Out(0x92, 1, p92&^0x01|0x02)
	}
	buf := make([]byte, n)
	b.host.ReadPhys(uint64(src), buf)
	b.host.WritePhys(uint64(dst), buf)
	if p92&0x02 == 0 {
		b.host.Out(0x92, 1, p92&^0x01)
	}
	r.ok()
}
