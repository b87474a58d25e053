package cpu

import "bt86/decoder"

func (c *CPU) daa(in *decoder.Inst) {
	f := c.EFlags()
	al := uint32(uint8(c.Regs[EAX]))
	oldAL, oldCF := al, f&FlagCF != 0
	cf, af := false, false
	if al&0xF > 9 || f&FlagAF != 0 {
		al += 6
		cf = oldCF || al > 0xFF
		af = true
	}
	if oldAL > 0x99 || oldCF {
		al += 0x60
		cf = true
	}
	c.bcdResult(al, cf, af, f)
}

func (c *CPU) das(in *decoder.Inst) {
	f := c.EFlags()
	al := uint32(uint8(c.Regs[EAX]))
	oldAL, oldCF := al, f&FlagCF != 0
	cf, af := false, false
	if al&0xF > 9 || f&FlagAF != 0 {
		cf = oldCF || al < 6
		al -= 6
		af = true
	}
	if oldAL > 0x99 || oldCF {
		al -= 0x60
		cf = true
	}
	c.bcdResult(al, cf, af, f)
}

func (c *CPU) bcdResult(al uint32, cf, af bool, f uint32) {
	c.setR8(EAX, uint8(al))
	nf := szp(al, 0) | f&FlagOF
	if cf {
		nf |= FlagCF
	}
	if af {
		nf |= FlagAF
	}
	c.setArith(nf)
}

func (c *CPU) aaa(in *decoder.Inst) {
	f := c.EFlags()
	ax := c.Regs[EAX] & 0xFFFF
	adj := ax&0xF > 9 || f&FlagAF != 0
	if adj {
		ax += 0x106
	}
	c.setR16(EAX, uint16(ax&0xFF0F))
	c.asciiFlags(f, adj)
}

func (c *CPU) aas(in *decoder.Inst) {
	f := c.EFlags()
	ax := c.Regs[EAX] & 0xFFFF
	adj := ax&0xF > 9 || f&FlagAF != 0
	if adj {
		ax = (ax - 6) & 0xFFFF
		ax -= 0x100
	}
	c.setR16(EAX, uint16(ax&0xFF0F))
	c.asciiFlags(f, adj)
}

func (c *CPU) asciiFlags(f uint32, adj bool) {
	nf := f &^ (FlagCF | FlagAF)
	if adj {
		nf |= FlagCF | FlagAF
	}
	c.setArith(nf)
}

func (c *CPU) aam(in *decoder.Inst) {
	base := in.Imm & 0xFF
	if base == 0 {
		c.divide()
	}
	al := c.Regs[EAX] & 0xFF
	r := (al/base)<<8 | al%base
	c.setR16(EAX, uint16(r))
	c.setLazy(lzLogic, 0, false, r&0xFF, 0, 0)
}

func (c *CPU) aad(in *decoder.Inst) {
	base := in.Imm & 0xFF
	al := c.Regs[EAX] & 0xFF
	ah := (c.Regs[EAX] >> 8) & 0xFF
	prod := (ah * base) & 0xFF
	r := c.alu(aluADD, al, prod, 0) & 0xFF
	c.setR16(EAX, uint16(r))
}

func regBCD(t *[decoder.NumOps]opInfo) {
	def(t, 0x27, (*CPU).daa)
	def(t, 0x2F, (*CPU).das)
	def(t, 0x37, (*CPU).aaa)
	def(t, 0x3F, (*CPU).aas)
	def(t, 0xD4, (*CPU).aam)
	def(t, 0xD5, (*CPU).aad)
}
