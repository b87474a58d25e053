package cpu

import (
	"encoding/binary"

	"bt86/decoder"
)

// ea returns the offset of the memory operand.
func (c *CPU) ea(in *decoder.Inst) uint32 {
	a := c.Regs[in.Base] + c.Regs[in.Index]<<in.Scale + in.Disp
	if in.Flags&decoder.FlagAddr32 == 0 {
		a &= 0xFFFF
	}
	return a
}

// Byte registers: 0-3 are AL, CL, DL, BL; 4-7 are AH, CH, DH, BH.
func (c *CPU) r8(r int) uint8 {
	if r < 4 {
		return uint8(c.Regs[r])
	}
	return uint8(c.Regs[r-4] >> 8)
}

func (c *CPU) setR8(r int, v uint8) {
	if r < 4 {
		c.Regs[r] = c.Regs[r]&^0xFF | uint32(v)
	} else {
		c.Regs[r-4] = c.Regs[r-4]&^0xFF00 | uint32(v)<<8
	}
}

func (c *CPU) r16(r int) uint16 { return uint16(c.Regs[r]) }

func (c *CPU) setR16(r int, v uint16) { c.Regs[r] = c.Regs[r]&^0xFFFF | uint32(v) }

// Eb/Ev operands (ModRM r/m).
func (c *CPU) readEb(in *decoder.Inst) uint8 {
	if in.Flags&decoder.FlagMem == 0 {
		return c.r8(in.RM())
	}
	return c.read8(in.Seg, c.ea(in))
}

func (c *CPU) writeEb(in *decoder.Inst, v uint8) {
	if in.Flags&decoder.FlagMem == 0 {
		c.setR8(in.RM(), v)
		return
	}
	c.write8(in.Seg, c.ea(in), v)
}

func (c *CPU) readEw(in *decoder.Inst) uint16 {
	if in.Flags&decoder.FlagMem == 0 {
		return uint16(c.Regs[in.RM()])
	}
	return c.read16(in.Seg, c.ea(in))
}

func (c *CPU) writeEw(in *decoder.Inst, v uint16) {
	if in.Flags&decoder.FlagMem == 0 {
		c.setR16(in.RM(), v)
		return
	}
	c.write16(in.Seg, c.ea(in), v)
}

func (c *CPU) readEd(in *decoder.Inst) uint32 {
	if in.Flags&decoder.FlagMem == 0 {
		return c.Regs[in.RM()]
	}
	return c.read32(in.Seg, c.ea(in))
}

func (c *CPU) writeEd(in *decoder.Inst, v uint32) {
	if in.Flags&decoder.FlagMem == 0 {
		c.Regs[in.RM()] = v
		return
	}
	c.write32(in.Seg, c.ea(in), v)
}

// readEv reads a 16- or 32-bit r/m operand (zero-extended).
func (c *CPU) readEv(in *decoder.Inst) uint32 {
	if in.Flags&decoder.FlagOp32 != 0 {
		return c.readEd(in)
	}
	return uint32(c.readEw(in))
}

func (c *CPU) writeEv(in *decoder.Inst, v uint32) {
	if in.Flags&decoder.FlagOp32 != 0 {
		c.writeEd(in, v)
	} else {
		c.writeEw(in, uint16(v))
	}
}

// Gv: the ModRM reg operand.
func (c *CPU) readGv(in *decoder.Inst) uint32 {
	if in.Flags&decoder.FlagOp32 != 0 {
		return c.Regs[in.Reg()]
	}
	return c.Regs[in.Reg()] & 0xFFFF
}

func (c *CPU) writeGv(in *decoder.Inst, v uint32) {
	c.setReg(in, in.Reg(), v)
}

// setReg writes register r at the instruction's operand size.
func (c *CPU) setReg(in *decoder.Inst, r int, v uint32) {
	if in.Flags&decoder.FlagOp32 != 0 {
		c.Regs[r] = v
	} else {
		c.setR16(r, uint16(v))
	}
}

// osz returns the operand size index (1 = 16-bit, 2 = 32-bit).
func osz(in *decoder.Inst) uint8 {
	if in.Flags&decoder.FlagOp32 != 0 {
		return 2
	}
	return 1
}

// Stack.
func (c *CPU) sp() uint32 { return c.Regs[ESP] & c.spMask }

func (c *CPU) setSP(v uint32) {
	c.Regs[ESP] = c.Regs[ESP]&^c.spMask | v&c.spMask
}

// The pushes and pops inline the memory fast path (see mem.go).
func (c *CPU) push16(v uint16) {
	sp := (c.Regs[ESP] - 2) & c.spMask
	if i, ok := c.writeIndex(SS, sp, 2); ok {
		binary.LittleEndian.PutUint16(c.ram[i:], v)
	} else {
		c.writeLin16(c.linW(SS, sp, 2), v, c.priv)
	}
	c.setSP(sp)
}

func (c *CPU) push32(v uint32) {
	sp := (c.Regs[ESP] - 4) & c.spMask
	if i, ok := c.writeIndex(SS, sp, 4); ok {
		binary.LittleEndian.PutUint32(c.ram[i:], v)
	} else {
		c.writeLin32(c.linW(SS, sp, 4), v, c.priv)
	}
	c.setSP(sp)
}

// push pushes at the instruction's operand size.
func (c *CPU) push(in *decoder.Inst, v uint32) {
	if in.Flags&decoder.FlagOp32 != 0 {
		c.push32(v)
	} else {
		c.push16(uint16(v))
	}
}

func (c *CPU) pop16() uint16 {
	sp := c.sp()
	var v uint16
	if i, ok := c.readIndex(SS, sp, 2); ok {
		v = binary.LittleEndian.Uint16(c.ram[i:])
	} else {
		v = c.readLin16(c.linR(SS, sp, 2), c.priv)
	}
	c.setSP(sp + 2)
	return v
}

func (c *CPU) pop32() uint32 {
	sp := c.sp()
	var v uint32
	if i, ok := c.readIndex(SS, sp, 4); ok {
		v = binary.LittleEndian.Uint32(c.ram[i:])
	} else {
		v = c.readLin32(c.linR(SS, sp, 4), c.priv)
	}
	c.setSP(sp + 4)
	return v
}

func (c *CPU) pop(in *decoder.Inst) uint32 {
	if in.Flags&decoder.FlagOp32 != 0 {
		return c.pop32()
	}
	return uint32(c.pop16())
}

// peek reads the stack at depth bytes above SP without popping.
func (c *CPU) peek(in *decoder.Inst, depth uint32) uint32 {
	off := (c.Regs[ESP] + depth) & c.spMask
	if in.Flags&decoder.FlagOp32 != 0 {
		return c.read32(SS, off)
	}
	return uint32(c.read16(SS, off))
}
