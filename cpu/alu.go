package cpu

import "bt86/decoder"

// ALU operation numbers (the reg field of group 1 and bits 3-5 of the
// 00-3F opcodes).
const (
	aluADD = iota
	aluOR
	aluADC
	aluSBB
	aluAND
	aluSUB
	aluXOR
	aluCMP
)

// alu computes a op b at size sz, sets the lazy flags and returns the
// result (CMP's result is not written back by callers).
func (c *CPU) alu(op int, a, b uint32, sz uint8) uint32 {
	sh := lazyShift(sz) // compare at the operation's size
	var r uint32
	switch op {
	case aluADD:
		r = a + b
		c.setLazy(lzAdd, sz, r<<sh < a<<sh, r, a, b)
	case aluOR:
		r = a | b
		c.setLazy(lzLogic, sz, false, r, a, b)
	case aluADC:
		if c.cf() {
			r = a + b + 1
			c.setLazy(lzAdd, sz, r<<sh <= a<<sh, r, a, b)
		} else {
			r = a + b
			c.setLazy(lzAdd, sz, r<<sh < a<<sh, r, a, b)
		}
	case aluSBB:
		if c.cf() {
			r = a - b - 1
			c.setLazy(lzSub, sz, a<<sh <= b<<sh, r, a, b)
		} else {
			r = a - b
			c.setLazy(lzSub, sz, a<<sh < b<<sh, r, a, b)
		}
	case aluAND:
		r = a & b
		c.setLazy(lzLogic, sz, false, r, a, b)
	case aluSUB, aluCMP:
		r = a - b
		c.setLazy(lzSub, sz, a<<sh < b<<sh, r, a, b)
	case aluXOR:
		r = a ^ b
		c.setLazy(lzLogic, sz, false, r, a, b)
	}
	return r
}

func aluOp(in *decoder.Inst) int { return int(in.Opcode>>3) & 7 }

func (c *CPU) aluEbGb(in *decoder.Inst) {
	op := aluOp(in)
	r := c.alu(op, uint32(c.readEb(in)), uint32(c.r8(in.Reg())), 0)
	if op != aluCMP {
		c.writeEb(in, uint8(r))
	}
}

func (c *CPU) aluEvGv(in *decoder.Inst) {
	op := aluOp(in)
	if in.Flags&decoder.FlagMem == 0 {
		rm, reg := in.RM(), in.Reg()
		if in.Flags&decoder.FlagOp32 != 0 {
			r := c.alu(op, c.Regs[rm], c.Regs[reg], 2)
			if op != aluCMP {
				c.Regs[rm] = r
			}
			return
		}
		r := c.alu(op, c.Regs[rm]&0xFFFF, c.Regs[reg]&0xFFFF, 1)
		if op != aluCMP {
			c.setR16(rm, uint16(r))
		}
		return
	}
	r := c.alu(op, c.readEv(in), c.readGv(in), osz(in))
	if op != aluCMP {
		c.writeEv(in, r)
	}
}

func (c *CPU) aluGbEb(in *decoder.Inst) {
	op := aluOp(in)
	r := c.alu(op, uint32(c.r8(in.Reg())), uint32(c.readEb(in)), 0)
	if op != aluCMP {
		c.setR8(in.Reg(), uint8(r))
	}
}

func (c *CPU) aluGvEv(in *decoder.Inst) {
	op := aluOp(in)
	r := c.alu(op, c.readGv(in), c.readEv(in), osz(in))
	if op != aluCMP {
		c.writeGv(in, r)
	}
}

func (c *CPU) aluALIb(in *decoder.Inst) {
	op := aluOp(in)
	r := c.alu(op, uint32(uint8(c.Regs[EAX])), in.Imm&0xFF, 0)
	if op != aluCMP {
		c.setR8(EAX, uint8(r))
	}
}

func (c *CPU) aluEAXIz(in *decoder.Inst) {
	op := aluOp(in)
	r := c.alu(op, c.Regs[EAX]&sizeMask(osz(in)), in.Imm&sizeMask(osz(in)), osz(in))
	if op != aluCMP {
		c.setReg(in, EAX, r)
	}
}

// Group 1: op Eb/Ev, immediate.
func (c *CPU) grp1Eb(in *decoder.Inst) {
	op := in.Reg()
	r := c.alu(op, uint32(c.readEb(in)), in.Imm&0xFF, 0)
	if op != aluCMP {
		c.writeEb(in, uint8(r))
	}
}

func (c *CPU) grp1Ev(in *decoder.Inst) {
	op := in.Reg()
	sz := osz(in)
	r := c.alu(op, c.readEv(in), in.Imm&sizeMask(sz), sz)
	if op != aluCMP {
		c.writeEv(in, r)
	}
}

func (c *CPU) testEbGb(in *decoder.Inst) {
	c.alu(aluAND, uint32(c.readEb(in)), uint32(c.r8(in.Reg())), 0)
}

func (c *CPU) testEvGv(in *decoder.Inst) {
	c.alu(aluAND, c.readEv(in), c.readGv(in), osz(in))
}

func (c *CPU) testALIb(in *decoder.Inst) {
	c.alu(aluAND, c.Regs[EAX]&0xFF, in.Imm&0xFF, 0)
}

func (c *CPU) testEAXIz(in *decoder.Inst) {
	c.alu(aluAND, c.Regs[EAX], in.Imm, osz(in))
}

// INC/DEC keep CF.
func (c *CPU) incdec(a uint32, dec bool, sz uint8) uint32 {
	if dec {
		r := a - 1
		c.setLazy(lzSub, sz, c.cf(), r, a, 1)
		return r
	}
	r := a + 1
	c.setLazy(lzAdd, sz, c.cf(), r, a, 1)
	return r
}

func (c *CPU) incReg(in *decoder.Inst) {
	r := int(in.Opcode & 7)
	c.setReg(in, r, c.incdec(c.Regs[r]&sizeMask(osz(in)), false, osz(in)))
}

func (c *CPU) decReg(in *decoder.Inst) {
	r := int(in.Opcode & 7)
	c.setReg(in, r, c.incdec(c.Regs[r]&sizeMask(osz(in)), true, osz(in)))
}

func (c *CPU) incEb(in *decoder.Inst) { c.writeEb(in, uint8(c.incdec(uint32(c.readEb(in)), false, 0))) }
func (c *CPU) decEb(in *decoder.Inst) { c.writeEb(in, uint8(c.incdec(uint32(c.readEb(in)), true, 0))) }
func (c *CPU) incEv(in *decoder.Inst) { c.writeEv(in, c.incdec(c.readEv(in), false, osz(in))) }
func (c *CPU) decEv(in *decoder.Inst) { c.writeEv(in, c.incdec(c.readEv(in), true, osz(in))) }

// Group 3.
func (c *CPU) testEbIb(in *decoder.Inst) { c.alu(aluAND, uint32(c.readEb(in)), in.Imm&0xFF, 0) }
func (c *CPU) testEvIz(in *decoder.Inst) {
	c.alu(aluAND, c.readEv(in), in.Imm&sizeMask(osz(in)), osz(in))
}
func (c *CPU) notEb(in *decoder.Inst) { c.writeEb(in, ^c.readEb(in)) }
func (c *CPU) notEv(in *decoder.Inst) { c.writeEv(in, ^c.readEv(in)) }

func (c *CPU) negEb(in *decoder.Inst) {
	v := uint32(c.readEb(in))
	c.writeEb(in, uint8(c.alu(aluSUB, 0, v, 0)))
}

func (c *CPU) negEv(in *decoder.Inst) {
	v := c.readEv(in)
	c.writeEv(in, c.alu(aluSUB, 0, v, osz(in)))
}

func regALU(t *[decoder.NumOps]opInfo) {
	for base := uint16(0); base < 0x40; base += 8 {
		def(t, base+0, (*CPU).aluEbGb)
		def(t, base+1, (*CPU).aluEvGv)
		def(t, base+2, (*CPU).aluGbEb)
		def(t, base+3, (*CPU).aluGvEv)
		def(t, base+4, (*CPU).aluALIb)
		def(t, base+5, (*CPU).aluEAXIz)
	}
	for r := 0; r < 8; r++ {
		def(t, decoder.GroupKey(decoder.Grp1EbIb, r), (*CPU).grp1Eb)
		def(t, decoder.GroupKey(decoder.Grp1EvIz, r), (*CPU).grp1Ev)
		def(t, decoder.GroupKey(decoder.Grp1EvIb, r), (*CPU).grp1Ev)
	}
	def(t, 0x84, (*CPU).testEbGb)
	def(t, 0x85, (*CPU).testEvGv)
	def(t, 0xA8, (*CPU).testALIb)
	def(t, 0xA9, (*CPU).testEAXIz)
	for r := uint16(0); r < 8; r++ {
		def(t, 0x40+r, (*CPU).incReg)
		def(t, 0x48+r, (*CPU).decReg)
	}
	def(t, decoder.GroupKey(decoder.Grp4, 0), (*CPU).incEb)
	def(t, decoder.GroupKey(decoder.Grp4, 1), (*CPU).decEb)
	def(t, decoder.GroupKey(decoder.Grp5, 0), (*CPU).incEv)
	def(t, decoder.GroupKey(decoder.Grp5, 1), (*CPU).decEv)
	for _, g := range []int{decoder.Grp3Eb, decoder.Grp3Ev} {
		eb := g == decoder.Grp3Eb
		pick := func(b, v handler) handler {
			if eb {
				return b
			}
			return v
		}
		def(t, decoder.GroupKey(g, 0), pick((*CPU).testEbIb, (*CPU).testEvIz))
		def(t, decoder.GroupKey(g, 1), pick((*CPU).testEbIb, (*CPU).testEvIz))
		def(t, decoder.GroupKey(g, 2), pick((*CPU).notEb, (*CPU).notEv))
		def(t, decoder.GroupKey(g, 3), pick((*CPU).negEb, (*CPU).negEv))
	}
}
