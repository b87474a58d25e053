package cpu

import "bt86/decoder"

func (c *CPU) movEbGb(in *decoder.Inst) { c.writeEb(in, c.r8(in.Reg())) }
func (c *CPU) movGbEb(in *decoder.Inst) { c.setR8(in.Reg(), c.readEb(in)) }

func (c *CPU) movEvGv(in *decoder.Inst) {
	if in.Flags&(decoder.FlagMem|decoder.FlagOp32) == decoder.FlagOp32 {
		c.Regs[in.RM()] = c.Regs[in.Reg()]
		return
	}
	c.writeEv(in, c.Regs[in.Reg()])
}

func (c *CPU) movGvEv(in *decoder.Inst) {
	if in.Flags&(decoder.FlagMem|decoder.FlagOp32) == decoder.FlagOp32 {
		c.Regs[in.Reg()] = c.Regs[in.RM()]
		return
	}
	c.writeGv(in, c.readEv(in))
}

func (c *CPU) movEbIb(in *decoder.Inst) { c.writeEb(in, uint8(in.Imm)) }
func (c *CPU) movEvIz(in *decoder.Inst) { c.writeEv(in, in.Imm) }
func (c *CPU) movRbIb(in *decoder.Inst) { c.setR8(int(in.Opcode&7), uint8(in.Imm)) }
func (c *CPU) movRvIz(in *decoder.Inst) { c.setReg(in, int(in.Opcode&7), in.Imm) }

// MOV AL/eAX <-> moffs.
func (c *CPU) movALOb(in *decoder.Inst) { c.setR8(EAX, c.read8(in.Seg, in.Disp)) }
func (c *CPU) movObAL(in *decoder.Inst) { c.write8(in.Seg, in.Disp, uint8(c.Regs[EAX])) }

func (c *CPU) movEAXOv(in *decoder.Inst) {
	if in.Flags&decoder.FlagOp32 != 0 {
		c.Regs[EAX] = c.read32(in.Seg, in.Disp)
	} else {
		c.setR16(EAX, c.read16(in.Seg, in.Disp))
	}
}

func (c *CPU) movOvEAX(in *decoder.Inst) {
	if in.Flags&decoder.FlagOp32 != 0 {
		c.write32(in.Seg, in.Disp, c.Regs[EAX])
	} else {
		c.write16(in.Seg, in.Disp, uint16(c.Regs[EAX]))
	}
}

func (c *CPU) lea(in *decoder.Inst) {
	c.writeGv(in, c.ea(in))
}

func addrMask(in *decoder.Inst) uint32 {
	if in.Flags&decoder.FlagAddr32 != 0 {
		return 0xFFFFFFFF
	}
	return 0xFFFF
}

func (c *CPU) xchgEbGb(in *decoder.Inst) {
	a := c.readEb(in)
	b := c.r8(in.Reg())
	c.writeEb(in, b)
	c.setR8(in.Reg(), a)
}

func (c *CPU) xchgEvGv(in *decoder.Inst) {
	a := c.readEv(in)
	b := c.readGv(in)
	c.writeEv(in, b)
	c.writeGv(in, a)
}

func (c *CPU) xchgEAX(in *decoder.Inst) {
	r := int(in.Opcode & 7)
	a := c.Regs[EAX]
	if in.Flags&decoder.FlagOp32 != 0 {
		c.Regs[EAX], c.Regs[r] = c.Regs[r], a
	} else {
		c.setR16(EAX, uint16(c.Regs[r]))
		c.setR16(r, uint16(a))
	}
}

func (c *CPU) nop(in *decoder.Inst) {}

func (c *CPU) cbw(in *decoder.Inst) {
	if in.Flags&decoder.FlagOp32 != 0 {
		c.Regs[EAX] = uint32(int32(int16(c.Regs[EAX])))
	} else {
		c.setR16(EAX, uint16(int16(int8(c.Regs[EAX]))))
	}
}

func (c *CPU) cwd(in *decoder.Inst) {
	if in.Flags&decoder.FlagOp32 != 0 {
		c.Regs[EDX] = uint32(int32(c.Regs[EAX]) >> 31)
	} else {
		c.setR16(EDX, uint16(int16(c.Regs[EAX])>>15))
	}
}

func (c *CPU) movzxGvEb(in *decoder.Inst) { c.writeGv(in, uint32(c.readEb(in))) }
func (c *CPU) movzxGvEw(in *decoder.Inst) { c.writeGv(in, uint32(c.readEw(in))) }
func (c *CPU) movsxGvEb(in *decoder.Inst) { c.writeGv(in, uint32(int32(int8(c.readEb(in))))) }
func (c *CPU) movsxGvEw(in *decoder.Inst) { c.writeGv(in, uint32(int32(int16(c.readEw(in))))) }

func (c *CPU) cmovGvEv(in *decoder.Inst) {
	v := c.readEv(in) // the source is read (and may fault) even if the condition is false
	if c.cond(in.Opcode & 0xF) {
		c.writeGv(in, v)
	} else if in.Flags&decoder.FlagOp32 != 0 {
		c.Regs[in.Reg()] = c.Regs[in.Reg()] // 32-bit CMOV writes its destination either way
	}
}

func (c *CPU) setccEb(in *decoder.Inst) {
	var v uint8
	if c.cond(in.Opcode & 0xF) {
		v = 1
	}
	c.writeEb(in, v)
}

func (c *CPU) xlat(in *decoder.Inst) {
	off := (c.Regs[EBX] + c.Regs[EAX]&0xFF) & addrMask(in)
	c.setR8(EAX, c.read8(in.Seg, off))
}

func (c *CPU) lahf(in *decoder.Inst) { c.setR8(4, uint8(c.EFlags())) }

func (c *CPU) sahf(in *decoder.Inst) {
	ah := uint32(c.r8(4))
	c.setArith(c.EFlags()&^0xFF | ah&(FlagCF|FlagPF|FlagAF|FlagZF|FlagSF) | c.EFlags()&FlagOF)
}

func (c *CPU) salc(in *decoder.Inst) {
	if c.cf() {
		c.setR8(EAX, 0xFF)
	} else {
		c.setR8(EAX, 0)
	}
}

func (c *CPU) clc(in *decoder.Inst) { c.setCF(false) }
func (c *CPU) stc(in *decoder.Inst) { c.setCF(true) }
func (c *CPU) cmc(in *decoder.Inst) { c.setCF(!c.cf()) }
func (c *CPU) cld(in *decoder.Inst) { c.Flags &^= FlagDF }
func (c *CPU) std(in *decoder.Inst) { c.Flags |= FlagDF }

func (c *CPU) bswap(in *decoder.Inst) {
	r := int(in.Opcode & 7)
	v := c.Regs[r]
	if in.Flags&decoder.FlagOp32 != 0 {
		c.Regs[r] = v>>24 | v>>8&0xFF00 | v<<8&0xFF0000 | v<<24
	} else {
		c.setR16(r, 0) // BSWAP with a 16-bit operand is undefined; P6 and later clear the word
	}
}

func regMove(t *[decoder.NumOps]opInfo) {
	def(t, 0x88, (*CPU).movEbGb)
	def(t, 0x89, (*CPU).movEvGv)
	def(t, 0x8A, (*CPU).movGbEb)
	def(t, 0x8B, (*CPU).movGvEv)
	def(t, 0x8D, (*CPU).lea)
	def(t, decoder.GroupKey(decoder.Grp11EbIb, 0), (*CPU).movEbIb)
	def(t, decoder.GroupKey(decoder.Grp11EvIz, 0), (*CPU).movEvIz)
	for r := uint16(0); r < 8; r++ {
		def(t, 0xB0+r, (*CPU).movRbIb)
		def(t, 0xB8+r, (*CPU).movRvIz)
		def(t, decoder.TwoByte|0xC8+r, (*CPU).bswap)
	}
	for r := uint16(1); r < 8; r++ {
		def(t, 0x90+r, (*CPU).xchgEAX)
	}
	def(t, 0x90, (*CPU).nop)
	def(t, 0xA0, (*CPU).movALOb)
	def(t, 0xA1, (*CPU).movEAXOv)
	def(t, 0xA2, (*CPU).movObAL)
	def(t, 0xA3, (*CPU).movOvEAX)
	def(t, 0x86, (*CPU).xchgEbGb)
	def(t, 0x87, (*CPU).xchgEvGv)
	def(t, 0x98, (*CPU).cbw)
	def(t, 0x99, (*CPU).cwd)
	def(t, 0x9E, (*CPU).sahf)
	def(t, 0x9F, (*CPU).lahf)
	def(t, 0xD6, (*CPU).salc)
	def(t, 0xD7, (*CPU).xlat)
	def(t, 0xF5, (*CPU).cmc)
	def(t, 0xF8, (*CPU).clc)
	def(t, 0xF9, (*CPU).stc)
	def(t, 0xFC, (*CPU).cld)
	def(t, 0xFD, (*CPU).std)
	def(t, decoder.TwoByte|0xB6, (*CPU).movzxGvEb)
	def(t, decoder.TwoByte|0xB7, (*CPU).movzxGvEw)
	def(t, decoder.TwoByte|0xBE, (*CPU).movsxGvEb)
	def(t, decoder.TwoByte|0xBF, (*CPU).movsxGvEw)
	for cc := uint16(0); cc < 16; cc++ {
		def(t, decoder.TwoByte|0x40+cc, (*CPU).cmovGvEv)
		def(t, decoder.TwoByte|0x90+cc, (*CPU).setccEb)
	}
	// Hint NOPs: 0F 0D, 0F 18-1F (NOP Ev decodes its operand but does
	// not access memory).
	def(t, decoder.TwoByte|0x0D, (*CPU).nop)
	for k := uint16(0x18); k <= 0x1F; k++ {
		def(t, decoder.TwoByte|k, (*CPU).nop)
	}
}
