package cpu

import (
	"math/bits"

	"bt86/decoder"
)

// Bit tests. With a register bit offset and a memory operand, the offset
// is a signed bit index from the operand's address.
func (c *CPU) btCommon(in *decoder.Inst, offset uint32, immediate bool, op int) {
	sz := osz(in)
	bitsN := uint32(8) << sz
	if in.Flags&decoder.FlagMem == 0 || immediate {
		bit := offset & (bitsN - 1)
		v := c.readEv(in)
		c.btResult(in, v, bit, op, func(nv uint32) { c.writeEv(in, nv) })
		return
	}
	// Memory with register offset: address the containing word/dword.
	var disp int32
	if sz == 2 {
		disp = int32(offset) >> 5 * 4
	} else {
		disp = int32(int16(offset)) >> 4 * 2
	}
	off := (c.ea(in) + uint32(disp)) & addrMask(in)
	bit := offset & (bitsN - 1)
	var v uint32
	if sz == 2 {
		v = c.read32(in.Seg, off)
	} else {
		v = uint32(c.read16(in.Seg, off))
	}
	c.btResult(in, v, bit, op, func(nv uint32) {
		if sz == 2 {
			c.write32(in.Seg, off, nv)
		} else {
			c.write16(in.Seg, off, uint16(nv))
		}
	})
}

func (c *CPU) btResult(in *decoder.Inst, v, bit uint32, op int, store func(uint32)) {
	set := v>>bit&1 != 0
	switch op {
	case 1: // BTS
		store(v | 1<<bit)
	case 2: // BTR
		store(v &^ (1 << bit))
	case 3: // BTC
		store(v ^ 1<<bit)
	}
	c.setCF(set)
}

func btOp(in *decoder.Inst) int {
	switch in.Opcode {
	case 0xAB:
		return 1
	case 0xB3:
		return 2
	case 0xBB:
		return 3
	case 0xBA:
		return in.Reg() - 4
	}
	return 0
}

func (c *CPU) btEvGv(in *decoder.Inst) {
	off := c.Regs[in.Reg()]
	if in.Flags&decoder.FlagOp32 == 0 {
		off = uint32(int32(int16(off)))
	}
	c.btCommon(in, off, false, btOp(in))
}

func (c *CPU) btEvIb(in *decoder.Inst) { c.btCommon(in, in.Imm&0xFF, true, btOp(in)) }

func (c *CPU) bsf(in *decoder.Inst) {
	v := c.readEv(in)
	if v == 0 {
		c.setArith(c.EFlags() | FlagZF)
		return
	}
	c.writeGv(in, uint32(bits.TrailingZeros32(v)))
	c.setArith(c.EFlags() &^ FlagZF)
}

func (c *CPU) bsr(in *decoder.Inst) {
	v := c.readEv(in)
	if v == 0 {
		c.setArith(c.EFlags() | FlagZF)
		return
	}
	c.writeGv(in, uint32(31-bits.LeadingZeros32(v)))
	c.setArith(c.EFlags() &^ FlagZF)
}

// Atomic-style instructions (single vCPU: plain read-modify-write).
func (c *CPU) xaddEbGb(in *decoder.Inst) {
	d := uint32(c.readEb(in))
	s := uint32(c.r8(in.Reg()))
	r := c.alu(aluADD, d, s, 0)
	if !in.Mem() {
		// SRC <- DEST, then DEST <- SUM: with one register for both,
		// the sum wins.
		c.setR8(in.Reg(), uint8(d))
		c.writeEb(in, uint8(r))
		return
	}
	c.writeEb(in, uint8(r)) // may fault: before any register changes
	c.setR8(in.Reg(), uint8(d))
}

func (c *CPU) xaddEvGv(in *decoder.Inst) {
	d := c.readEv(in)
	s := c.readGv(in)
	sz := osz(in)
	r := c.alu(aluADD, d, s, sz)
	if !in.Mem() {
		c.writeGv(in, d) // SRC <- DEST, then DEST <- SUM
		c.writeEv(in, r)
		return
	}
	c.writeEv(in, r)
	c.writeGv(in, d)
}

func (c *CPU) cmpxchgEbGb(in *decoder.Inst) {
	d := uint32(c.readEb(in))
	c.alu(aluCMP, c.Regs[EAX]&0xFF, d, 0)
	if c.zf() {
		c.writeEb(in, c.r8(in.Reg()))
	} else {
		c.writeEb(in, uint8(d)) // the destination is written back either way
		c.setR8(EAX, uint8(d))
	}
}

func (c *CPU) cmpxchgEvGv(in *decoder.Inst) {
	d := c.readEv(in)
	sz := osz(in)
	c.alu(aluCMP, c.Regs[EAX]&sizeMask(sz), d, sz)
	if c.zf() {
		c.writeEv(in, c.readGv(in))
	} else {
		c.writeEv(in, d)
		c.setReg(in, EAX, d)
	}
}

func (c *CPU) cmpxchg8b(in *decoder.Inst) {
	off := c.ea(in)
	lo := c.read32(in.Seg, off)
	hi := c.read32(in.Seg, (off+4)&addrMask(in))
	c.linW(in.Seg, off, 8)
	if lo == c.Regs[EAX] && hi == c.Regs[EDX] {
		c.write32(in.Seg, off, c.Regs[EBX])
		c.write32(in.Seg, (off+4)&addrMask(in), c.Regs[ECX])
		c.setArith(c.EFlags() | FlagZF)
		return
	}
	c.write32(in.Seg, off, lo)
	c.write32(in.Seg, (off+4)&addrMask(in), hi)
	c.Regs[EAX], c.Regs[EDX] = lo, hi
	c.setArith(c.EFlags() &^ FlagZF)
}

func (c *CPU) bound(in *decoder.Inst) {
	off := c.ea(in)
	if in.Flags&decoder.FlagOp32 != 0 {
		idx := int32(c.Regs[in.Reg()])
		lo := int32(c.read32(in.Seg, off))
		hi := int32(c.read32(in.Seg, (off+4)&addrMask(in)))
		if idx < lo || idx > hi {
			c.raise(excBR, 0, false)
		}
		return
	}
	idx := int16(c.Regs[in.Reg()])
	lo := int16(c.read16(in.Seg, off))
	hi := int16(c.read16(in.Seg, (off+2)&addrMask(in)))
	if idx < lo || idx > hi {
		c.raise(excBR, 0, false)
	}
}

func regBits(t *[decoder.NumOps]opInfo) {
	for _, k := range []uint16{0xA3, 0xAB, 0xB3, 0xBB} {
		def(t, decoder.TwoByte|k, (*CPU).btEvGv)
	}
	for r := 4; r < 8; r++ {
		def(t, decoder.GroupKey(decoder.Grp8, r), (*CPU).btEvIb)
	}
	def(t, decoder.TwoByte|0xBC, (*CPU).bsf)
	def(t, decoder.TwoByte|0xBD, (*CPU).bsr)
	def(t, decoder.TwoByte|0xC0, (*CPU).xaddEbGb)
	def(t, decoder.TwoByte|0xC1, (*CPU).xaddEvGv)
	def(t, decoder.TwoByte|0xB0, (*CPU).cmpxchgEbGb)
	def(t, decoder.TwoByte|0xB1, (*CPU).cmpxchgEvGv)
	def(t, decoder.GroupKey(decoder.Grp9, 1), (*CPU).cmpxchg8b)
	def(t, 0x62, (*CPU).bound)
}
