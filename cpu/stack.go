package cpu

import "bt86/decoder"

func (c *CPU) pushReg(in *decoder.Inst) {
	r := int(in.Opcode & 7)
	v := c.Regs[r]
	c.push(in, v) // PUSH ESP pushes the value before the push
}

func (c *CPU) popReg(in *decoder.Inst) {
	r := int(in.Opcode & 7)
	v := c.pop(in)
	c.setReg(in, r, v)
}

func (c *CPU) pushIz(in *decoder.Inst) { c.push(in, in.Imm) }

func (c *CPU) pushEv(in *decoder.Inst) { c.push(in, c.readEv(in)) }

func (c *CPU) popEv(in *decoder.Inst) {
	// The destination address is computed with ESP already incremented.
	v := c.peek(in, 0)
	n := uint32(2)
	if in.Flags&decoder.FlagOp32 != 0 {
		n = 4
	}
	old := c.Regs[ESP]
	c.setSP(c.sp() + n)
	done := false
	defer func() {
		if !done {
			c.Regs[ESP] = old
		}
	}()
	c.writeEv(in, v)
	done = true
}

// segOf maps PUSH/POP segment opcodes to segment registers.
func segOf(in *decoder.Inst) int {
	switch in.Op {
	case 0x06, 0x07:
		return ES
	case 0x0E:
		return CS
	case 0x16, 0x17:
		return SS
	case 0x1E, 0x1F:
		return DS
	case decoder.TwoByte | 0xA0, decoder.TwoByte | 0xA1:
		return FS
	}
	return GS
}

func (c *CPU) pushSeg(in *decoder.Inst) {
	v := uint32(c.Seg[segOf(in)].Sel)
	if in.Flags&decoder.FlagOp32 != 0 {
		// A 32-bit push of a segment register writes only the low word
		// on P6-class CPUs.
		sp := (c.Regs[ESP] - 4) & c.spMask
		c.linW(SS, sp, 4)
		c.write16(SS, sp, uint16(v))
		c.setSP(sp)
		return
	}
	c.push16(uint16(v))
}

func (c *CPU) popSeg(in *decoder.Inst) {
	seg := segOf(in)
	v := c.peek(in, 0)
	c.loadSeg(seg, uint16(v))
	n := uint32(2)
	if in.Flags&decoder.FlagOp32 != 0 {
		n = 4
	}
	c.setSP(c.sp() + n)
	if seg == SS {
		c.inhibit()
	}
}

// inhibit blocks interrupts (and traps) for the next instruction.
func (c *CPU) inhibit() {
	c.InhibitIRQ = true
	c.events |= evInhibit
}

func (c *CPU) pusha(in *decoder.Inst) {
	sp := c.Regs[ESP]
	if in.Flags&decoder.FlagOp32 != 0 {
		c.checkStack(32)
		for r := EAX; r <= EDI; r++ {
			if r == ESP {
				c.push32(sp)
			} else {
				c.push32(c.Regs[r])
			}
		}
		return
	}
	c.checkStack(16)
	for r := EAX; r <= EDI; r++ {
		if r == ESP {
			c.push16(uint16(sp))
		} else {
			c.push16(uint16(c.Regs[r]))
		}
	}
}

func (c *CPU) popa(in *decoder.Inst) {
	step := uint32(2)
	if in.Flags&decoder.FlagOp32 != 0 {
		step = 4
	}
	var v [8]uint32
	for i := 0; i < 8; i++ {
		v[7-i] = c.peek(in, uint32(i)*step)
	}
	for r := EAX; r <= EDI; r++ {
		if r != ESP {
			c.setReg(in, r, v[r])
		}
	}
	c.setSP(c.sp() + 8*step)
}

func (c *CPU) pushf(in *decoder.Inst) {
	if c.v86() && c.iopl() < 3 {
		c.pushfV86(in) // #GP(0) unless CR4.VME (v86.go)
		return
	}
	f := c.EFlags() &^ (FlagVM | FlagRF)
	c.push(in, f)
}

func (c *CPU) popf(in *decoder.Inst) {
	if c.v86() && c.iopl() < 3 {
		c.popfV86(in) // #GP(0) unless CR4.VME (v86.go)
		return
	}
	v := c.pop(in)
	c.writeFlagsPop(v, in.Flags&decoder.FlagOp32 != 0)
	c.events |= evEndTrace
}

// writeFlagsPop applies POPF's privilege rules.
func (c *CPU) writeFlagsPop(v uint32, op32 bool) {
	mask := arithFlags | FlagTF | FlagDF | FlagNT
	if op32 {
		mask |= FlagAC | FlagID
	}
	switch {
	case !c.protected():
		mask |= FlagIF | FlagIOPL
	case c.v86():
		mask |= FlagIF
	default:
		if c.CPL == 0 {
			mask |= FlagIOPL
		}
		if c.CPL <= c.iopl() {
			mask |= FlagIF
		}
	}
	cur := c.EFlags()
	c.SetEFlags(cur&^mask | v&mask)
}

func (c *CPU) enter(in *decoder.Inst) {
	size := in.Imm & 0xFFFF
	level := in.Imm2 & 31
	op32 := in.Flags&decoder.FlagOp32 != 0
	w := uint32(2)
	if op32 {
		w = 4
	}
	bp := c.Regs[EBP]
	frameTemp := (c.Regs[ESP] - w) & c.spMask
	// Check the whole frame first so a fault changes nothing.
	c.checkStack(w * (1 + level))
	c.push(in, bp)
	if level > 0 {
		for i := uint32(1); i < level; i++ {
			var v uint32
			if c.spMask == 0xFFFF {
				bp = bp&^0xFFFF | (bp-w)&0xFFFF
				if op32 {
					v = c.read32(SS, bp&0xFFFF)
				} else {
					v = uint32(c.read16(SS, bp&0xFFFF))
				}
			} else {
				bp -= w
				if op32 {
					v = c.read32(SS, bp)
				} else {
					v = uint32(c.read16(SS, bp))
				}
			}
			c.push(in, v)
		}
		c.push(in, frameTemp)
	}
	if op32 {
		c.Regs[EBP] = frameTemp
	} else {
		c.setR16(EBP, uint16(frameTemp))
	}
	c.setSP(c.sp() - size)
	if c.Seg[SS].Big() {
		c.linW(SS, c.sp(), 1)
	}
}

func (c *CPU) leave(in *decoder.Inst) {
	bp := c.Regs[EBP] & c.spMask
	var v uint32
	if in.Flags&decoder.FlagOp32 != 0 {
		v = c.read32(SS, bp)
		c.setSP(bp + 4)
		c.Regs[EBP] = v
	} else {
		v = uint32(c.read16(SS, bp))
		c.setSP(bp + 2)
		c.setR16(EBP, uint16(v))
	}
}

// Segment register loads.
func (c *CPU) movSwEw(in *decoder.Inst) {
	seg := in.Reg()
	if seg == CS || seg > GS {
		c.ud()
	}
	c.loadSeg(seg, c.readEw(in))
	if seg == SS {
		c.inhibit()
	}
}

func (c *CPU) movEwSw(in *decoder.Inst) {
	seg := in.Reg()
	if seg > GS {
		c.ud()
	}
	v := c.Seg[seg].Sel
	if in.Flags&decoder.FlagMem == 0 {
		c.setReg(in, in.RM(), uint32(v)) // register form zero-extends at 32 bits
		return
	}
	c.write16(in.Seg, c.ea(in), v)
}

// loadSeg loads a data or stack segment register by the rules of the
// current mode.
func (c *CPU) loadSeg(seg int, sel uint16) {
	if !c.protected() || c.v86() {
		c.loadSegReal(seg, sel)
		return
	}
	c.loadSegPM(seg, sel)
}

func (c *CPU) loadFarPtr(in *decoder.Inst, seg int) {
	sel, off := c.readFarPtr(in)
	c.loadSeg(seg, sel)
	c.writeGv(in, off)
}

func (c *CPU) les(in *decoder.Inst) { c.loadFarPtr(in, ES) }
func (c *CPU) lds(in *decoder.Inst) { c.loadFarPtr(in, DS) }
func (c *CPU) lss(in *decoder.Inst) { c.loadFarPtr(in, SS) }
func (c *CPU) lfs(in *decoder.Inst) { c.loadFarPtr(in, FS) }
func (c *CPU) lgs(in *decoder.Inst) { c.loadFarPtr(in, GS) }

func regStack(t *[decoder.NumOps]opInfo) {
	for r := uint16(0); r < 8; r++ {
		def(t, 0x50+r, (*CPU).pushReg)
		def(t, 0x58+r, (*CPU).popReg)
	}
	def(t, 0x68, (*CPU).pushIz)
	def(t, 0x6A, (*CPU).pushIz)
	def(t, decoder.GroupKey(decoder.Grp5, 6), (*CPU).pushEv)
	def(t, decoder.GroupKey(decoder.Grp1aPop, 0), (*CPU).popEv)
	for _, k := range []uint16{0x06, 0x0E, 0x16, 0x1E, decoder.TwoByte | 0xA0, decoder.TwoByte | 0xA8} {
		def(t, k, (*CPU).pushSeg)
	}
	for _, k := range []uint16{0x07, 0x1F, decoder.TwoByte | 0xA1, decoder.TwoByte | 0xA9} {
		def(t, k, (*CPU).popSeg)
	}
	defBranch(t, 0x17, (*CPU).popSeg)
	def(t, 0x60, (*CPU).pusha)
	def(t, 0x61, (*CPU).popa)
	def(t, 0x9C, (*CPU).pushf)
	defBranch(t, 0x9D, (*CPU).popf)
	def(t, 0xC8, (*CPU).enter)
	def(t, 0xC9, (*CPU).leave)
	def(t, 0x8E, (*CPU).movSwEw)
	def(t, 0x8C, (*CPU).movEwSw)
	def(t, 0xC4, (*CPU).les)
	def(t, 0xC5, (*CPU).lds)
	defBranch(t, decoder.TwoByte|0xB2, (*CPU).lss)
	def(t, decoder.TwoByte|0xB4, (*CPU).lfs)
	def(t, decoder.TwoByte|0xB5, (*CPU).lgs)
}
