package cpu

import "bt86/decoder"

// jump sets the next EIP to target, truncated to the operand size.
func (c *CPU) jumpTo(in *decoder.Inst, target uint32) {
	if in.Flags&decoder.FlagOp32 == 0 {
		target &= 0xFFFF
	}
	if target > c.Seg[CS].Limit {
		c.gp(0)
	}
	c.next = target
}

func (c *CPU) jccJb(in *decoder.Inst) {
	if c.cond(in.Opcode & 0xF) {
		c.jumpTo(in, c.next+in.Imm)
	}
}

func (c *CPU) jmpRel(in *decoder.Inst) { c.jumpTo(in, c.next+in.Imm) }

func (c *CPU) callRel(in *decoder.Inst) {
	target := c.next + in.Imm
	if in.Flags&decoder.FlagOp32 == 0 {
		target &= 0xFFFF
	}
	if target > c.Seg[CS].Limit {
		c.gp(0)
	}
	c.push(in, c.next)
	c.next = target
}

func (c *CPU) jmpEv(in *decoder.Inst) { c.jumpTo(in, c.readEv(in)) }

func (c *CPU) callEv(in *decoder.Inst) {
	target := c.readEv(in)
	if in.Flags&decoder.FlagOp32 == 0 {
		target &= 0xFFFF
	}
	if target > c.Seg[CS].Limit {
		c.gp(0)
	}
	c.push(in, c.next)
	c.next = target
}

func (c *CPU) retNear(in *decoder.Inst) {
	target := c.peek(in, 0)
	if target > c.Seg[CS].Limit {
		c.gp(0)
	}
	n := uint32(2)
	if in.Flags&decoder.FlagOp32 != 0 {
		n = 4
	}
	if in.Opcode == 0xC2 {
		n += in.Imm & 0xFFFF
	}
	c.setSP(c.sp() + n)
	c.next = target
}

// counter returns CX or ECX by address size.
func (c *CPU) counter(in *decoder.Inst) uint32 {
	if in.Flags&decoder.FlagAddr32 != 0 {
		return c.Regs[ECX]
	}
	return c.Regs[ECX] & 0xFFFF
}

func (c *CPU) setCounter(in *decoder.Inst, v uint32) {
	if in.Flags&decoder.FlagAddr32 != 0 {
		c.Regs[ECX] = v
	} else {
		c.setR16(ECX, uint16(v))
	}
}

func (c *CPU) loop(in *decoder.Inst) {
	n := c.counter(in) - 1
	c.setCounter(in, n)
	if n&addrMask(in) == 0 {
		return
	}
	switch in.Opcode {
	case 0xE0: // LOOPNE
		if c.zf() {
			return
		}
	case 0xE1: // LOOPE
		if !c.zf() {
			return
		}
	}
	c.jumpTo(in, c.next+in.Imm)
}

func (c *CPU) jcxz(in *decoder.Inst) {
	if c.counter(in) == 0 {
		c.jumpTo(in, c.next+in.Imm)
	}
}

// Far transfers.
func (c *CPU) jmpFarAp(in *decoder.Inst)  { c.farJump(uint16(in.Imm2), in.Imm, in) }
func (c *CPU) callFarAp(in *decoder.Inst) { c.farCall(uint16(in.Imm2), in.Imm, in) }

// readFarPtr reads a far pointer (offset then selector) at the memory operand.
func (c *CPU) readFarPtr(in *decoder.Inst) (sel uint16, off uint32) {
	ea := c.ea(in)
	if in.Flags&decoder.FlagOp32 != 0 {
		off = c.read32(in.Seg, ea)
		sel = c.read16(in.Seg, (ea+4)&addrMask(in))
	} else {
		off = uint32(c.read16(in.Seg, ea))
		sel = c.read16(in.Seg, (ea+2)&addrMask(in))
	}
	return sel, off
}

func (c *CPU) jmpFarEp(in *decoder.Inst) {
	sel, off := c.readFarPtr(in)
	c.farJump(sel, off, in)
}

func (c *CPU) callFarEp(in *decoder.Inst) {
	sel, off := c.readFarPtr(in)
	c.farCall(sel, off, in)
}

func (c *CPU) farJump(sel uint16, off uint32, in *decoder.Inst) {
	if in.Flags&decoder.FlagOp32 == 0 {
		off &= 0xFFFF
	}
	if !c.protected() || c.v86() {
		if off > c.Seg[CS].Limit {
			c.gp(0)
		}
		c.loadSegReal(CS, sel)
		c.next = off
		return
	}
	c.farJumpPM(sel, off, in.Flags&decoder.FlagOp32 != 0)
}

func (c *CPU) farCall(sel uint16, off uint32, in *decoder.Inst) {
	if in.Flags&decoder.FlagOp32 == 0 {
		off &= 0xFFFF
	}
	if !c.protected() || c.v86() {
		cs := c.Seg[CS].Sel
		// Both pushes are checked before anything changes.
		if in.Flags&decoder.FlagOp32 != 0 {
			c.checkStack(8)
			c.push32(uint32(cs))
			c.push32(c.next)
		} else {
			c.checkStack(4)
			c.push16(cs)
			c.push16(uint16(c.next))
		}
		if off > c.Seg[CS].Limit {
			c.gp(0)
		}
		c.loadSegReal(CS, sel)
		c.next = off
		return
	}
	c.farCallPM(sel, off, in.Flags&decoder.FlagOp32 != 0)
}

// checkStack verifies that n bytes can be pushed (segment limit and
// paging), so multi-push instructions fault before changing anything.
func (c *CPU) checkStack(n uint32) {
	sp := (c.Regs[ESP] - n) & c.spMask
	if sp+n-1 <= c.spMask {
		lin := c.linW(SS, sp, n)
		c.checkWrite(lin, int(n), c.priv)
		return
	}
	// The pushes wrap around the top of a 16-bit stack: check the two
	// contiguous pieces; a single item straddling the wrap faults in the
	// push itself.
	low := c.spMask + 1 - sp
	c.checkWrite(c.linW(SS, sp, low), int(low), c.priv)
	if rest := n - low; rest > 0 {
		c.checkWrite(c.linW(SS, 0, rest), int(rest), c.priv)
	}
}

func (c *CPU) retFar(in *decoder.Inst) {
	extra := uint32(0)
	if in.Opcode == 0xCA {
		extra = in.Imm & 0xFFFF
	}
	if !c.protected() || c.v86() {
		var off uint32
		var sel uint16
		if in.Flags&decoder.FlagOp32 != 0 {
			off = c.peek(in, 0)
			sel = uint16(c.peek(in, 4))
			c.setSP(c.sp() + 8 + extra)
		} else {
			off = c.peek(in, 0)
			sel = uint16(c.peek(in, 2))
			c.setSP(c.sp() + 4 + extra)
		}
		c.loadSegReal(CS, sel)
		if off > c.Seg[CS].Limit {
			c.gp(0)
		}
		c.next = off
		return
	}
	c.retFarPM(in.Flags&decoder.FlagOp32 != 0, extra)
}

func (c *CPU) iret(in *decoder.Inst) {
	if c.protected() {
		c.iretPM(in.Flags&decoder.FlagOp32 != 0)
		return
	}
	if in.Flags&decoder.FlagOp32 != 0 {
		off := c.peek(in, 0)
		sel := uint16(c.peek(in, 4))
		fl := c.peek(in, 8)
		if off > c.Seg[CS].Limit {
			c.gp(0)
		}
		c.setSP(c.sp() + 12)
		c.loadSegReal(CS, sel)
		c.next = off
		c.SetEFlags(fl&0x257FD5 | c.Flags&(FlagVM|FlagVIF|FlagVIP))
	} else {
		off := c.peek(in, 0)
		sel := uint16(c.peek(in, 2))
		fl := c.peek(in, 4)
		c.setSP(c.sp() + 6)
		c.loadSegReal(CS, sel)
		c.next = off
		c.SetEFlags(c.EFlags()&0xFFFF0000 | fl&0xFFFF)
	}
	c.NMIBlocked = false
	c.events |= evEndTrace
}

func (c *CPU) intIb(in *decoder.Inst) {
	if c.v86() {
		c.intV86(uint8(in.Imm)) // IOPL and VME redirection rules (v86.go)
		return
	}
	c.softInt(uint8(in.Imm), intSoftware)
}

func (c *CPU) int3(in *decoder.Inst) { c.softInt(excBP, intSoftware) }

func (c *CPU) into(in *decoder.Inst) {
	if c.of() {
		c.softInt(excOF, intSoftware)
	}
}

func (c *CPU) int1(in *decoder.Inst) { c.softInt(excDB, intICEBP) }

func (c *CPU) softInt(vec uint8, kind int) {
	c.interrupt(vec, kind, 0, false)
	// interrupt set EIP and next to the handler.
}

func (c *CPU) iopl() int { return int(c.Flags>>12) & 3 }

func (c *CPU) hlt(in *decoder.Inst) {
	if c.protected() && c.CPL != 0 {
		c.gp(0)
	}
	c.Halted = true
	c.events |= evHalt
}

func regCtrl(t *[decoder.NumOps]opInfo) {
	for cc := uint16(0); cc < 16; cc++ {
		defBranch(t, 0x70+cc, (*CPU).jccJb)
		defBranch(t, decoder.TwoByte|0x80+cc, (*CPU).jccJb)
	}
	defBranch(t, 0xE0, (*CPU).loop)
	defBranch(t, 0xE1, (*CPU).loop)
	defBranch(t, 0xE2, (*CPU).loop)
	defBranch(t, 0xE3, (*CPU).jcxz)
	defBranch(t, 0xE8, (*CPU).callRel)
	defBranch(t, 0xE9, (*CPU).jmpRel)
	defBranch(t, 0xEB, (*CPU).jmpRel)
	defBranch(t, 0xEA, (*CPU).jmpFarAp)
	defBranch(t, 0x9A, (*CPU).callFarAp)
	defBranch(t, 0xC2, (*CPU).retNear)
	defBranch(t, 0xC3, (*CPU).retNear)
	defBranch(t, 0xCA, (*CPU).retFar)
	defBranch(t, 0xCB, (*CPU).retFar)
	defBranch(t, 0xCC, (*CPU).int3)
	defBranch(t, 0xCD, (*CPU).intIb)
	defBranch(t, 0xCE, (*CPU).into)
	defBranch(t, 0xCF, (*CPU).iret)
	defBranch(t, 0xF1, (*CPU).int1)
	defBranch(t, 0xF4, (*CPU).hlt)
	defBranch(t, decoder.GroupKey(decoder.Grp5, 2), (*CPU).callEv)
	defBranch(t, decoder.GroupKey(decoder.Grp5, 3), (*CPU).callFarEp)
	defBranch(t, decoder.GroupKey(decoder.Grp5, 4), (*CPU).jmpEv)
	defBranch(t, decoder.GroupKey(decoder.Grp5, 5), (*CPU).jmpFarEp)
}
