package bios

// INT 1Ah: the tick count, the RTC (through CMOS ports 0x70/0x71) and the
// PCI BIOS.

const (
	cmosIndex = 0x70
	cmosData  = 0x71
)

func (b *BIOS) int1a(r *Regs) {
	switch r.AH() {
	case 0x00:
		t := b.read32(bdaTicks)
		r.SetCX(uint16(t >> 16))
		r.SetDX(uint16(t))
		r.SetAL(b.read8(bdaMidnight))
		b.write8(bdaMidnight, 0)
		r.SetCF(false)
	case 0x01:
		b.write32(bdaTicks, uint32(r.CX())<<16|uint32(r.DX()))
		b.write8(bdaMidnight, 0)
		r.ok()
	case 0x02:
		h, m, s := b.rtcTime()
		r.SetCH(toBCD(h))
		r.SetCL(toBCD(m))
		r.SetDH(toBCD(s))
		r.SetDL(0)
		r.ok()
	case 0x03:
		b.rtcSet([]uint8{0x04, 0x02, 0x00}, []uint8{r.CH(), r.CL(), r.DH()})
		r.ok()
	case 0x04:
		c, y, mo, d := b.rtcDate()
		r.SetCH(toBCD(c))
		r.SetCL(toBCD(y))
		r.SetDH(toBCD(mo))
		r.SetDL(toBCD(d))
		r.ok()
	case 0x05:
		b.rtcSet([]uint8{0x32, 0x09, 0x08, 0x07}, []uint8{r.CH(), r.CL(), r.DH(), r.DL()})
		r.ok()
	case 0xB1:
		b.pciBIOS(r)
	default:
		r.unsupported()
	}
}

// cmos reads CMOS register i.
func (b *BIOS) cmos(i uint8) uint8 {
	b.host.Out(cmosIndex, 1, uint32(i))
	return uint8(b.host.In(cmosData, 1))
}

// clockValue converts a clock register value to binary according to
// the data mode in register B.
func clockValue(regB, v uint8) uint8 {
	if regB&0x04 != 0 {
		return v
	}
	return fromBCD(v)
}

// cmosBinary reads a clock register as a binary value.
func (b *BIOS) cmosBinary(i uint8) uint8 { return clockValue(b.cmos(0x0B), b.cmos(i)) }

// rtcTime reads the time of day (24-hour) from the RTC.
func (b *BIOS) rtcTime() (h, m, s uint8) {
	regB := b.cmos(0x0B)
	raw := b.cmos(0x04)
	h = clockValue(regB, raw&0x7F)
	if regB&0x02 == 0 { // 12-hour mode: bit 7 is PM
		h %= 12
		if raw&0x80 != 0 {
			h += 12
		}
	}
	return h, clockValue(regB, b.cmos(0x02)), clockValue(regB, b.cmos(0x00))
}

func (b *BIOS) rtcDate() (century, year, month, day uint8) {
	return b.cmosBinary(0x32), b.cmosBinary(0x09), b.cmosBinary(0x08), b.cmosBinary(0x07)
}

// rtcSet writes BCD values to clock registers, converting to binary when
// the RTC runs in binary mode.
func (b *BIOS) rtcSet(regs, bcd []uint8) {
	binaryMode := b.cmos(0x0B)&0x04 != 0
	for i, reg := range regs {
		v := bcd[i]
		if binaryMode {
			v = fromBCD(v)
		}
		b.host.Out(cmosIndex, 1, uint32(reg))
		b.host.Out(cmosData, 1, uint32(v))
	}
}

func toBCD(v uint8) uint8   { return v/10<<4 | v%10 }
func fromBCD(v uint8) uint8 { return v>>4*10 + v&0x0F }

// PCI BIOS (INT 1Ah AH=B1h) over configuration mechanism #1; bus 0 only
// is reported (the machine has one bus).
const (
	pciAddr = 0xCF8
	pciData = 0xCFC

	pciSuccessful     = 0x00
	pciFuncNotSupport = 0x81
	pciBadVendor      = 0x83
	pciDeviceNotFound = 0x86
	pciBadRegister    = 0x87
)

func (b *BIOS) pciBIOS(r *Regs) {
	ret := func(code uint8) {
		r.SetAH(code)
		r.SetCF(code != pciSuccessful)
	}
	bdf := uint32(r.BX())
	reg := uint32(r.DI())
	switch r.AL() {
	case 0x01: // installation check
		r.EDX = 0x20494350 // "PCI "
		r.SetAL(0x01)      // configuration mechanism #1
		r.SetBX(0x0210)    // version 2.10
		r.SetCL(0)         // last bus
		r.EDI = 0          // no protected-mode entry point
		ret(pciSuccessful)
	case 0x02: // find device CX, vendor DX, index SI
		if r.DX() == 0xFFFF {
			ret(pciBadVendor)
			return
		}
		want := uint32(r.CX())<<16 | uint32(r.DX())
		b.pciFind(r, func(id, _ uint32) bool { return id == want }, ret)
	case 0x03: // find class ECX[23:0], index SI
		want := r.ECX & 0xFFFFFF
		b.pciFind(r, func(_, class uint32) bool { return class>>8 == want }, ret)
	case 0x08, 0x09, 0x0A: // read byte, word, dword
		size := uint32(1) << (r.AL() - 0x08)
		if reg&(size-1) != 0 || reg > 0xFF {
			ret(pciBadRegister)
			return
		}
		v := b.pciRead(bdf, reg)
		v >>= (reg & 3) * 8
		switch size {
		case 1:
			r.SetCL(uint8(v))
		case 2:
			r.SetCX(uint16(v))
		default:
			r.ECX = v
		}
		ret(pciSuccessful)
	case 0x0B, 0x0C, 0x0D: // write byte, word, dword
		size := uint8(1) << (r.AL() - 0x0B)
		if reg&uint32(size-1) != 0 || reg > 0xFF {
			ret(pciBadRegister)
			return
		}
		b.host.Out(pciAddr, 4, pciAddress(bdf, reg))
		b.host.Out(pciData+uint16(reg&3), size, r.ECX)
		ret(pciSuccessful)
	default:
		ret(pciFuncNotSupport)
	}
}

// pciAddress is the CONFIG_ADDRESS value for bus/devfn bdf, register reg.
func pciAddress(bdf, reg uint32) uint32 { return 0x80000000 | bdf<<8 | reg&0xFC }

func (b *BIOS) pciRead(bdf, reg uint32) uint32 {
	b.host.Out(pciAddr, 4, pciAddress(bdf, reg))
	return b.host.In(pciData, 4)
}

// pciFind returns in BX the SI-th function on bus 0 matching.
func (b *BIOS) pciFind(r *Regs, match func(id, class uint32) bool, ret func(uint8)) {
	index := int(r.SI())
	for devfn := uint32(0); devfn < 256; devfn++ {
		id := b.pciRead(devfn, 0)
		if id == 0xFFFFFFFF || id == 0 {
			continue
		}
		// ID is vendor | device<<16; compare as device<<16 | vendor.
		if match(id, b.pciRead(devfn, 8)) {
			if index == 0 {
				r.SetBX(uint16(devfn))
				ret(pciSuccessful)
				return
			}
			index--
		}
	}
	ret(pciDeviceNotFound)
}
