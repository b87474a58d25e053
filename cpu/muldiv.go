package cpu

import "bt86/decoder"

// mulFlags sets CF=OF=over, SF/ZF/PF from the low result (undefined
// architecturally; P6 derives them from the low half as here) and clears
// AF.
func (c *CPU) mulFlags(low uint32, sz uint8, over bool) {
	var of uint32
	if over {
		of = signBit(sz)
	}
	c.setLazy(lzResult, sz, over, low, 0, of)
}

func (c *CPU) mulEb(in *decoder.Inst) {
	r := uint32(uint8(c.Regs[EAX])) * uint32(c.readEb(in))
	c.setR16(EAX, uint16(r))
	c.mulFlags(r, 0, r>>8 != 0)
}

func (c *CPU) imulEb(in *decoder.Inst) {
	r := int32(int8(c.Regs[EAX])) * int32(int8(c.readEb(in)))
	c.setR16(EAX, uint16(r))
	c.mulFlags(uint32(r), 0, int32(int8(r)) != r)
}

func (c *CPU) mulEv(in *decoder.Inst) {
	src := c.readEv(in)
	if in.Flags&decoder.FlagOp32 != 0 {
		r := uint64(c.Regs[EAX]) * uint64(src)
		c.Regs[EAX], c.Regs[EDX] = uint32(r), uint32(r>>32)
		c.mulFlags(uint32(r), 2, r>>32 != 0)
		return
	}
	r := (c.Regs[EAX] & 0xFFFF) * src
	c.setR16(EAX, uint16(r))
	c.setR16(EDX, uint16(r>>16))
	c.mulFlags(r, 1, r>>16 != 0)
}

func (c *CPU) imulEv(in *decoder.Inst) {
	src := c.readEv(in)
	if in.Flags&decoder.FlagOp32 != 0 {
		r := int64(int32(c.Regs[EAX])) * int64(int32(src))
		c.Regs[EAX], c.Regs[EDX] = uint32(r), uint32(uint64(r)>>32)
		c.mulFlags(uint32(r), 2, int64(int32(r)) != r)
		return
	}
	r := int32(int16(c.Regs[EAX])) * int32(int16(src))
	c.setR16(EAX, uint16(r))
	c.setR16(EDX, uint16(uint32(r)>>16))
	c.mulFlags(uint32(r), 1, int32(int16(r)) != r)
}

// imul3 computes Gv = a * b (two- and three-operand IMUL).
func (c *CPU) imul3(in *decoder.Inst, a, b uint32) {
	if in.Flags&decoder.FlagOp32 != 0 {
		r := int64(int32(a)) * int64(int32(b))
		c.Regs[in.Reg()] = uint32(r)
		c.mulFlags(uint32(r), 2, int64(int32(r)) != r)
		return
	}
	r := int32(int16(a)) * int32(int16(b))
	c.setR16(in.Reg(), uint16(r))
	c.mulFlags(uint32(r), 1, int32(int16(r)) != r)
}

func (c *CPU) imulGvEv(in *decoder.Inst)   { c.imul3(in, c.readGv(in), c.readEv(in)) }
func (c *CPU) imulGvEvIz(in *decoder.Inst) { c.imul3(in, c.readEv(in), in.Imm) }

func (c *CPU) divide() { c.raise(excDE, 0, false) }

func (c *CPU) divEb(in *decoder.Inst) {
	d := uint32(c.readEb(in))
	if d == 0 {
		c.divide()
	}
	n := c.Regs[EAX] & 0xFFFF
	q := n / d
	if q > 0xFF {
		c.divide()
	}
	c.setR16(EAX, uint16(q|(n%d)<<8))
}

func (c *CPU) idivEb(in *decoder.Inst) {
	d := int32(int8(c.readEb(in)))
	if d == 0 {
		c.divide()
	}
	n := int32(int16(c.Regs[EAX]))
	q := n / d
	if q != int32(int8(q)) {
		c.divide()
	}
	c.setR16(EAX, uint16(uint8(q))|uint16(uint8(n%d))<<8)
}

func (c *CPU) divEv(in *decoder.Inst) {
	d := c.readEv(in)
	if d == 0 {
		c.divide()
	}
	if in.Flags&decoder.FlagOp32 != 0 {
		n := uint64(c.Regs[EDX])<<32 | uint64(c.Regs[EAX])
		q := n / uint64(d)
		if q > 0xFFFFFFFF {
			c.divide()
		}
		c.Regs[EAX], c.Regs[EDX] = uint32(q), uint32(n%uint64(d))
		return
	}
	n := (c.Regs[EDX]&0xFFFF)<<16 | c.Regs[EAX]&0xFFFF
	q := n / d
	if q > 0xFFFF {
		c.divide()
	}
	c.setR16(EAX, uint16(q))
	c.setR16(EDX, uint16(n%d))
}

func (c *CPU) idivEv(in *decoder.Inst) {
	if in.Flags&decoder.FlagOp32 != 0 {
		d := int64(int32(c.readEd(in)))
		if d == 0 {
			c.divide()
		}
		n := int64(uint64(c.Regs[EDX])<<32 | uint64(c.Regs[EAX]))
		if n == -1<<63 && d == -1 {
			c.divide()
		}
		q := n / d
		if q != int64(int32(q)) {
			c.divide()
		}
		c.Regs[EAX], c.Regs[EDX] = uint32(q), uint32(n%d)
		return
	}
	d := int32(int16(c.readEw(in)))
	if d == 0 {
		c.divide()
	}
	n := int32((c.Regs[EDX]&0xFFFF)<<16 | c.Regs[EAX]&0xFFFF)
	if n == -1<<31 && d == -1 {
		c.divide()
	}
	q := n / d
	if q != int32(int16(q)) {
		c.divide()
	}
	c.setR16(EAX, uint16(q))
	c.setR16(EDX, uint16(n%d))
}

func regMulDiv(t *[decoder.NumOps]opInfo) {
	def(t, decoder.GroupKey(decoder.Grp3Eb, 4), (*CPU).mulEb)
	def(t, decoder.GroupKey(decoder.Grp3Eb, 5), (*CPU).imulEb)
	def(t, decoder.GroupKey(decoder.Grp3Eb, 6), (*CPU).divEb)
	def(t, decoder.GroupKey(decoder.Grp3Eb, 7), (*CPU).idivEb)
	def(t, decoder.GroupKey(decoder.Grp3Ev, 4), (*CPU).mulEv)
	def(t, decoder.GroupKey(decoder.Grp3Ev, 5), (*CPU).imulEv)
	def(t, decoder.GroupKey(decoder.Grp3Ev, 6), (*CPU).divEv)
	def(t, decoder.GroupKey(decoder.Grp3Ev, 7), (*CPU).idivEv)
	def(t, decoder.TwoByte|0xAF, (*CPU).imulGvEv)
	def(t, 0x69, (*CPU).imulGvEvIz)
	def(t, 0x6B, (*CPU).imulGvEvIz)
}
