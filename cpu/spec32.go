package cpu

import (
	"encoding/binary"

	"bt86/decoder"
)

// Handler variants chosen when a trace is decoded. A generic handler
// tests the operand size and the register or memory form of every
// instruction it runs; for the instructions compiled 32-bit code runs
// most, the dispatch table also holds a pick function that chooses, once
// per decoded instruction, a variant with those tests resolved (and, for
// the ALU, the operation too). A variant does exactly what the generic
// handler does for the instructions it is picked for;
// TestSpecialisedHandlers runs both on random states and compares.
//
// Names follow the manual's operand forms with the size resolved (Ed, Gd,
// Id: dword) and R or M for the register or memory form of Ed.

// aluOp32 is a 32-bit ALU operation: it returns a op b and sets the lazy
// flags.
type aluOp32 func(c *CPU, a, b uint32) uint32

func (c *CPU) add32(a, b uint32) uint32 { return c.lazy32(lzAdd, a+b < a, a+b, a, b) }
func (c *CPU) or32(a, b uint32) uint32  { return c.lazy32(lzLogic, false, a|b, a, b) }
func (c *CPU) and32(a, b uint32) uint32 { return c.lazy32(lzLogic, false, a&b, a, b) }
func (c *CPU) sub32(a, b uint32) uint32 { return c.lazy32(lzSub, a < b, a-b, a, b) }
func (c *CPU) xor32(a, b uint32) uint32 { return c.lazy32(lzLogic, false, a^b, a, b) }

func (c *CPU) adc32(a, b uint32) uint32 {
	if c.cf() {
		return c.lazy32(lzAdd, a+b+1 <= a, a+b+1, a, b)
	}
	return c.add32(a, b)
}

func (c *CPU) sbb32(a, b uint32) uint32 {
	if c.cf() {
		return c.lazy32(lzSub, a <= b, a-b-1, a, b)
	}
	return c.sub32(a, b)
}

// lazy32 records the lazy flags of a 32-bit operation and returns its
// result.
func (c *CPU) lazy32(kind uint8, cf bool, r, a, b uint32) uint32 {
	c.setLazy32(kind, cf, r, a, b)
	return r
}

// rmw32 replaces the dword memory operand m of in by op(m, b). When the
// fast path allows the write, the operand is read and written in place
// with one translation; otherwise it is read, then written, as the
// generic handlers do.
func (c *CPU) rmw32(in *decoder.Inst, b uint32, op aluOp32) {
	off := c.ea(in)
	if i, ok := c.writeIndex(in.Seg, off, 4); ok {
		p := c.ram[i : i+4]
		binary.LittleEndian.PutUint32(p, op(c, binary.LittleEndian.Uint32(p), b))
		return
	}
	c.write32(in.Seg, off, op(c, c.read32(in.Seg, off), b))
}

// Register forms: Ed is register in.RM(); Id forms include the
// accumulator forms (05, 0D, ...), which have no ModRM byte, so RM() is
// EAX. The form helpers inline, and op with them.
func (c *CPU) aluEdGdR(in *decoder.Inst, op aluOp32) {
	rm := in.RM()
	c.Regs[rm] = op(c, c.Regs[rm], c.Regs[in.Reg()])
}

func (c *CPU) aluGdEdR(in *decoder.Inst, op aluOp32) {
	r := in.Reg()
	c.Regs[r] = op(c, c.Regs[r], c.Regs[in.RM()])
}

func (c *CPU) aluEdIdR(in *decoder.Inst, op aluOp32) {
	rm := in.RM()
	c.Regs[rm] = op(c, c.Regs[rm], in.Imm)
}

func (c *CPU) addEdGdR(in *decoder.Inst) { c.aluEdGdR(in, (*CPU).add32) }
func (c *CPU) orEdGdR(in *decoder.Inst)  { c.aluEdGdR(in, (*CPU).or32) }
func (c *CPU) andEdGdR(in *decoder.Inst) { c.aluEdGdR(in, (*CPU).and32) }
func (c *CPU) subEdGdR(in *decoder.Inst) { c.aluEdGdR(in, (*CPU).sub32) }
func (c *CPU) xorEdGdR(in *decoder.Inst) { c.aluEdGdR(in, (*CPU).xor32) }
func (c *CPU) adcEdGdR(in *decoder.Inst) { c.aluEdGdR(in, (*CPU).adc32) }
func (c *CPU) sbbEdGdR(in *decoder.Inst) { c.aluEdGdR(in, (*CPU).sbb32) }
func (c *CPU) cmpEdGdR(in *decoder.Inst) { c.sub32(c.Regs[in.RM()], c.Regs[in.Reg()]) }

func (c *CPU) addGdEdR(in *decoder.Inst) { c.aluGdEdR(in, (*CPU).add32) }
func (c *CPU) orGdEdR(in *decoder.Inst)  { c.aluGdEdR(in, (*CPU).or32) }
func (c *CPU) andGdEdR(in *decoder.Inst) { c.aluGdEdR(in, (*CPU).and32) }
func (c *CPU) subGdEdR(in *decoder.Inst) { c.aluGdEdR(in, (*CPU).sub32) }
func (c *CPU) xorGdEdR(in *decoder.Inst) { c.aluGdEdR(in, (*CPU).xor32) }
func (c *CPU) adcGdEdR(in *decoder.Inst) { c.aluGdEdR(in, (*CPU).adc32) }
func (c *CPU) sbbGdEdR(in *decoder.Inst) { c.aluGdEdR(in, (*CPU).sbb32) }
func (c *CPU) cmpGdEdR(in *decoder.Inst) { c.sub32(c.Regs[in.Reg()], c.Regs[in.RM()]) }

func (c *CPU) addEdIdR(in *decoder.Inst) { c.aluEdIdR(in, (*CPU).add32) }
func (c *CPU) orEdIdR(in *decoder.Inst)  { c.aluEdIdR(in, (*CPU).or32) }
func (c *CPU) andEdIdR(in *decoder.Inst) { c.aluEdIdR(in, (*CPU).and32) }
func (c *CPU) subEdIdR(in *decoder.Inst) { c.aluEdIdR(in, (*CPU).sub32) }
func (c *CPU) xorEdIdR(in *decoder.Inst) { c.aluEdIdR(in, (*CPU).xor32) }
func (c *CPU) adcEdIdR(in *decoder.Inst) { c.aluEdIdR(in, (*CPU).adc32) }
func (c *CPU) sbbEdIdR(in *decoder.Inst) { c.aluEdIdR(in, (*CPU).sbb32) }
func (c *CPU) cmpEdIdR(in *decoder.Inst) { c.sub32(c.Regs[in.RM()], in.Imm) }

// Memory forms.
func (c *CPU) addEdGdM(in *decoder.Inst) { c.rmw32(in, c.Regs[in.Reg()], (*CPU).add32) }
func (c *CPU) orEdGdM(in *decoder.Inst)  { c.rmw32(in, c.Regs[in.Reg()], (*CPU).or32) }
func (c *CPU) andEdGdM(in *decoder.Inst) { c.rmw32(in, c.Regs[in.Reg()], (*CPU).and32) }
func (c *CPU) subEdGdM(in *decoder.Inst) { c.rmw32(in, c.Regs[in.Reg()], (*CPU).sub32) }
func (c *CPU) xorEdGdM(in *decoder.Inst) { c.rmw32(in, c.Regs[in.Reg()], (*CPU).xor32) }
func (c *CPU) adcEdGdM(in *decoder.Inst) { c.rmw32(in, c.Regs[in.Reg()], (*CPU).adc32) }
func (c *CPU) sbbEdGdM(in *decoder.Inst) { c.rmw32(in, c.Regs[in.Reg()], (*CPU).sbb32) }
func (c *CPU) cmpEdGdM(in *decoder.Inst) { c.sub32(c.readM32(in), c.Regs[in.Reg()]) }

func (c *CPU) addGdEdM(in *decoder.Inst) { c.Regs[in.Reg()] = c.add32(c.Regs[in.Reg()], c.readM32(in)) }
func (c *CPU) orGdEdM(in *decoder.Inst)  { c.Regs[in.Reg()] = c.or32(c.Regs[in.Reg()], c.readM32(in)) }
func (c *CPU) andGdEdM(in *decoder.Inst) { c.Regs[in.Reg()] = c.and32(c.Regs[in.Reg()], c.readM32(in)) }
func (c *CPU) subGdEdM(in *decoder.Inst) { c.Regs[in.Reg()] = c.sub32(c.Regs[in.Reg()], c.readM32(in)) }
func (c *CPU) xorGdEdM(in *decoder.Inst) { c.Regs[in.Reg()] = c.xor32(c.Regs[in.Reg()], c.readM32(in)) }
func (c *CPU) adcGdEdM(in *decoder.Inst) { c.Regs[in.Reg()] = c.adc32(c.Regs[in.Reg()], c.readM32(in)) }
func (c *CPU) sbbGdEdM(in *decoder.Inst) { c.Regs[in.Reg()] = c.sbb32(c.Regs[in.Reg()], c.readM32(in)) }
func (c *CPU) cmpGdEdM(in *decoder.Inst) { c.sub32(c.Regs[in.Reg()], c.readM32(in)) }

func (c *CPU) addEdIdM(in *decoder.Inst) { c.rmw32(in, in.Imm, (*CPU).add32) }
func (c *CPU) orEdIdM(in *decoder.Inst)  { c.rmw32(in, in.Imm, (*CPU).or32) }
func (c *CPU) andEdIdM(in *decoder.Inst) { c.rmw32(in, in.Imm, (*CPU).and32) }
func (c *CPU) subEdIdM(in *decoder.Inst) { c.rmw32(in, in.Imm, (*CPU).sub32) }
func (c *CPU) xorEdIdM(in *decoder.Inst) { c.rmw32(in, in.Imm, (*CPU).xor32) }
func (c *CPU) adcEdIdM(in *decoder.Inst) { c.rmw32(in, in.Imm, (*CPU).adc32) }
func (c *CPU) sbbEdIdM(in *decoder.Inst) { c.rmw32(in, in.Imm, (*CPU).sbb32) }
func (c *CPU) cmpEdIdM(in *decoder.Inst) { c.sub32(c.readM32(in), in.Imm) }

func (c *CPU) testEdGdR(in *decoder.Inst) { c.and32(c.Regs[in.RM()], c.Regs[in.Reg()]) }
func (c *CPU) testEdGdM(in *decoder.Inst) { c.and32(c.readM32(in), c.Regs[in.Reg()]) }
func (c *CPU) testEdIdR(in *decoder.Inst) { c.and32(c.Regs[in.RM()], in.Imm) }
func (c *CPU) testEdIdM(in *decoder.Inst) { c.and32(c.readM32(in), in.Imm) }

// MUL and IMUL: CF = OF = the result does not fit the low half; SF, ZF
// and PF from the low half (as mulFlags).
func (c *CPU) mulFlags32(low uint32, over bool) {
	var of uint32
	if over {
		of = 1 << 31
	}
	c.setLazy32(lzResult, over, low, 0, of)
}

func (c *CPU) mul32(src uint32) {
	r := uint64(c.Regs[EAX]) * uint64(src)
	c.Regs[EAX], c.Regs[EDX] = uint32(r), uint32(r>>32)
	c.mulFlags32(uint32(r), r>>32 != 0)
}

func (c *CPU) imul32(src uint32) {
	r := int64(int32(c.Regs[EAX])) * int64(int32(src))
	c.Regs[EAX], c.Regs[EDX] = uint32(r), uint32(uint64(r)>>32)
	c.mulFlags32(uint32(r), int64(int32(r)) != r)
}

// imulGd sets Gd to a*b (two- and three-operand IMUL).
func (c *CPU) imulGd(in *decoder.Inst, a, b uint32) {
	r := int64(int32(a)) * int64(int32(b))
	c.Regs[in.Reg()] = uint32(r)
	c.mulFlags32(uint32(r), int64(int32(r)) != r)
}

func (c *CPU) mulEdR(in *decoder.Inst)      { c.mul32(c.Regs[in.RM()]) }
func (c *CPU) mulEdM(in *decoder.Inst)      { c.mul32(c.readM32(in)) }
func (c *CPU) imulEdR(in *decoder.Inst)     { c.imul32(c.Regs[in.RM()]) }
func (c *CPU) imulEdM(in *decoder.Inst)     { c.imul32(c.readM32(in)) }
func (c *CPU) imulGdEdR(in *decoder.Inst)   { c.imulGd(in, c.Regs[in.Reg()], c.Regs[in.RM()]) }
func (c *CPU) imulGdEdM(in *decoder.Inst)   { c.imulGd(in, c.Regs[in.Reg()], c.readM32(in)) }
func (c *CPU) imulGdEdIdR(in *decoder.Inst) { c.imulGd(in, c.Regs[in.RM()], in.Imm) }
func (c *CPU) imulGdEdIdM(in *decoder.Inst) { c.imulGd(in, c.readM32(in), in.Imm) }

// INC/DEC keep CF.
func (c *CPU) inc32(a uint32) uint32 { return c.lazy32(lzAdd, c.cf(), a+1, a, 1) }
func (c *CPU) dec32(a uint32) uint32 { return c.lazy32(lzSub, c.cf(), a-1, a, 1) }

func (c *CPU) incRd(in *decoder.Inst)  { c.Regs[in.Opcode&7] = c.inc32(c.Regs[in.Opcode&7]) }
func (c *CPU) decRd(in *decoder.Inst)  { c.Regs[in.Opcode&7] = c.dec32(c.Regs[in.Opcode&7]) }
func (c *CPU) incEdR(in *decoder.Inst) { c.Regs[in.RM()] = c.inc32(c.Regs[in.RM()]) }
func (c *CPU) decEdR(in *decoder.Inst) { c.Regs[in.RM()] = c.dec32(c.Regs[in.RM()]) }
func (c *CPU) incEdM(in *decoder.Inst) { c.writeM32(in, c.inc32(c.readM32(in))) }
func (c *CPU) decEdM(in *decoder.Inst) { c.writeM32(in, c.dec32(c.readM32(in))) }

// MOV, MOVZX, MOVSX, LEA.
func (c *CPU) movEdGdR(in *decoder.Inst) { c.Regs[in.RM()] = c.Regs[in.Reg()] }
func (c *CPU) movEdGdM(in *decoder.Inst) { c.writeM32(in, c.Regs[in.Reg()]) }
func (c *CPU) movGdEdR(in *decoder.Inst) { c.Regs[in.Reg()] = c.Regs[in.RM()] }
func (c *CPU) movGdEdM(in *decoder.Inst) { c.Regs[in.Reg()] = c.readM32(in) }
func (c *CPU) movEdIdR(in *decoder.Inst) { c.Regs[in.RM()] = in.Imm }
func (c *CPU) movEdIdM(in *decoder.Inst) { c.writeM32(in, in.Imm) }
func (c *CPU) movRdId(in *decoder.Inst)  { c.Regs[in.Opcode&7] = in.Imm }
func (c *CPU) movEAXOd(in *decoder.Inst) { c.Regs[EAX] = c.read32(in.Seg, in.Disp) }
func (c *CPU) movOdEAX(in *decoder.Inst) { c.write32(in.Seg, in.Disp, c.Regs[EAX]) }

func (c *CPU) movzxGdEbR(in *decoder.Inst) { c.Regs[in.Reg()] = uint32(c.r8(in.RM())) }
func (c *CPU) movzxGdEbM(in *decoder.Inst) { c.Regs[in.Reg()] = uint32(c.read8(in.Seg, c.ea(in))) }
func (c *CPU) movzxGdEwR(in *decoder.Inst) { c.Regs[in.Reg()] = c.Regs[in.RM()] & 0xFFFF }
func (c *CPU) movzxGdEwM(in *decoder.Inst) { c.Regs[in.Reg()] = uint32(c.read16(in.Seg, c.ea(in))) }
func (c *CPU) movsxGdEbR(in *decoder.Inst) { c.Regs[in.Reg()] = uint32(int32(int8(c.r8(in.RM())))) }
func (c *CPU) movsxGdEbM(in *decoder.Inst) {
	c.Regs[in.Reg()] = uint32(int32(int8(c.read8(in.Seg, c.ea(in)))))
}
func (c *CPU) movsxGdEwR(in *decoder.Inst) { c.Regs[in.Reg()] = uint32(int32(int16(c.Regs[in.RM()]))) }
func (c *CPU) movsxGdEwM(in *decoder.Inst) {
	c.Regs[in.Reg()] = uint32(int32(int16(c.read16(in.Seg, c.ea(in)))))
}

// leaGdM32 is LEA with 32-bit operand and address sizes.
func (c *CPU) leaGdM32(in *decoder.Inst) {
	c.Regs[in.Reg()] = c.Regs[in.Base] + c.Regs[in.Index]<<in.Scale + in.Disp
}

// Stack.
func (c *CPU) pushRd(in *decoder.Inst) { c.push32(c.Regs[in.Opcode&7]) }
func (c *CPU) popRd(in *decoder.Inst)  { c.Regs[in.Opcode&7] = c.pop32() }
func (c *CPU) pushId(in *decoder.Inst) { c.push32(in.Imm) }

// Control transfers with a 32-bit operand size.
func (c *CPU) jmpJd(in *decoder.Inst) { c.jump32(c.next + in.Imm) }

// jump32 transfers control to target within CS.
func (c *CPU) jump32(target uint32) {
	if target > c.Seg[CS].Limit {
		c.gp(0)
	}
	c.next = target
}

func (c *CPU) callJd(in *decoder.Inst) {
	target := c.next + in.Imm
	if target > c.Seg[CS].Limit {
		c.gp(0)
	}
	c.push32(c.next)
	c.next = target
}

func (c *CPU) retNear32(in *decoder.Inst) {
	sp := c.sp()
	target := c.pop32()
	if target > c.Seg[CS].Limit {
		c.setSP(sp) // a fault leaves ESP alone
		c.gp(0)
	}
	c.next = target
}

// jcc32 returns the Jcc handler for condition code cc with a 32-bit
// operand size, each condition evaluated by the cheapest test.
func jcc32(cc uint8) handler {
	switch cc {
	case 0x0:
		return func(c *CPU, in *decoder.Inst) {
			if c.of() {
				c.jump32(c.next + in.Imm)
			}
		}
	case 0x1:
		return func(c *CPU, in *decoder.Inst) {
			if !c.of() {
				c.jump32(c.next + in.Imm)
			}
		}
	case 0x2:
		return func(c *CPU, in *decoder.Inst) {
			if c.cf() {
				c.jump32(c.next + in.Imm)
			}
		}
	case 0x3:
		return func(c *CPU, in *decoder.Inst) {
			if !c.cf() {
				c.jump32(c.next + in.Imm)
			}
		}
	case 0x4:
		return func(c *CPU, in *decoder.Inst) {
			if c.zf() {
				c.jump32(c.next + in.Imm)
			}
		}
	case 0x5:
		return func(c *CPU, in *decoder.Inst) {
			if !c.zf() {
				c.jump32(c.next + in.Imm)
			}
		}
	case 0x6:
		return func(c *CPU, in *decoder.Inst) {
			if c.belowEq() {
				c.jump32(c.next + in.Imm)
			}
		}
	case 0x7:
		return func(c *CPU, in *decoder.Inst) {
			if !c.belowEq() {
				c.jump32(c.next + in.Imm)
			}
		}
	case 0x8:
		return func(c *CPU, in *decoder.Inst) {
			if c.sf() {
				c.jump32(c.next + in.Imm)
			}
		}
	case 0x9:
		return func(c *CPU, in *decoder.Inst) {
			if !c.sf() {
				c.jump32(c.next + in.Imm)
			}
		}
	case 0xA:
		return func(c *CPU, in *decoder.Inst) {
			if c.pf() {
				c.jump32(c.next + in.Imm)
			}
		}
	case 0xB:
		return func(c *CPU, in *decoder.Inst) {
			if !c.pf() {
				c.jump32(c.next + in.Imm)
			}
		}
	case 0xC:
		return func(c *CPU, in *decoder.Inst) {
			if c.less() {
				c.jump32(c.next + in.Imm)
			}
		}
	case 0xD:
		return func(c *CPU, in *decoder.Inst) {
			if !c.less() {
				c.jump32(c.next + in.Imm)
			}
		}
	case 0xE:
		return func(c *CPU, in *decoder.Inst) {
			if c.lessEq() {
				c.jump32(c.next + in.Imm)
			}
		}
	}
	return func(c *CPU, in *decoder.Inst) {
		if !c.lessEq() {
			c.jump32(c.next + in.Imm)
		}
	}
}

// Shifts by a count n in 1..31 (a zero count changes no flag).
func (c *CPU) shl32(v, n uint32) uint32 {
	r := v << n
	cf := v >> (32 - n) & 1
	c.setLazy32(lzResult, cf != 0, r, 0, r^cf<<31) // OF = MSB ^ CF
	return r
}

func (c *CPU) shr32(v, n uint32) uint32 {
	r := v >> n
	c.setLazy32(lzResult, v>>(n-1)&1 != 0, r, 0, r^r<<1) // OF = old MSB for n = 1
	return r
}

func (c *CPU) sar32(v, n uint32) uint32 {
	r := uint32(int32(v) >> n)
	c.setLazy32(lzResult, int32(v)>>(n-1)&1 != 0, r, 0, 0)
	return r
}

// shiftOp32 is a 32-bit shift by a count in 1..31.
type shiftOp32 func(c *CPU, v, n uint32) uint32

// shiftEdR and shiftEdM are the forms of the group 2 shifts; the memory
// operand is read even when the count is zero.
func (c *CPU) shiftEdR(in *decoder.Inst, op shiftOp32) {
	if n := c.shiftCount(in); n != 0 {
		rm := in.RM()
		c.Regs[rm] = op(c, c.Regs[rm], n)
	}
}

func (c *CPU) shiftEdM(in *decoder.Inst, op shiftOp32) {
	off := c.ea(in)
	v := c.read32(in.Seg, off)
	if n := c.shiftCount(in); n != 0 {
		c.write32(in.Seg, off, op(c, v, n))
	}
}

func (c *CPU) shlEdR(in *decoder.Inst) { c.shiftEdR(in, (*CPU).shl32) }
func (c *CPU) shrEdR(in *decoder.Inst) { c.shiftEdR(in, (*CPU).shr32) }
func (c *CPU) sarEdR(in *decoder.Inst) { c.shiftEdR(in, (*CPU).sar32) }
func (c *CPU) shlEdM(in *decoder.Inst) { c.shiftEdM(in, (*CPU).shl32) }
func (c *CPU) shrEdM(in *decoder.Inst) { c.shiftEdM(in, (*CPU).shr32) }
func (c *CPU) sarEdM(in *decoder.Inst) { c.shiftEdM(in, (*CPU).sar32) }

// String instructions without a REP prefix, 32-bit addresses.
func (c *CPU) stosdA32(in *decoder.Inst) {
	c.write32(ES, c.Regs[EDI], c.Regs[EAX])
	c.Regs[EDI] += c.strDelta(4)
}

func (c *CPU) stosbA32(in *decoder.Inst) {
	c.write8(ES, c.Regs[EDI], uint8(c.Regs[EAX]))
	c.Regs[EDI] += c.strDelta(1)
}

func (c *CPU) lodsdA32(in *decoder.Inst) {
	c.Regs[EAX] = c.read32(in.Seg, c.Regs[ESI])
	c.Regs[ESI] += c.strDelta(4)
}

func (c *CPU) lodsbA32(in *decoder.Inst) {
	c.setR8(EAX, c.read8(in.Seg, c.Regs[ESI]))
	c.Regs[ESI] += c.strDelta(1)
}

func (c *CPU) movsdA32(in *decoder.Inst) {
	v := c.read32(in.Seg, c.Regs[ESI])
	c.write32(ES, c.Regs[EDI], v)
	d := c.strDelta(4)
	c.Regs[ESI] += d
	c.Regs[EDI] += d
}

func (c *CPU) movsbA32(in *decoder.Inst) {
	v := c.read8(in.Seg, c.Regs[ESI])
	c.write8(ES, c.Regs[EDI], v)
	d := c.strDelta(1)
	c.Regs[ESI] += d
	c.Regs[EDI] += d
}

// A picker returns the variant of a generic handler for one decoded
// instruction, or nil to keep the generic one.
type picker func(in *decoder.Inst) handler

// op32RM picks r or m for the register or memory form of an instruction
// with a 32-bit operand size.
func op32RM(r, m handler) picker {
	return func(in *decoder.Inst) handler {
		switch {
		case !in.Op32():
			return nil
		case in.Mem():
			return m
		}
		return r
	}
}

// op32 picks h for an instruction with a 32-bit operand size.
func op32(h handler) picker {
	return func(in *decoder.Inst) handler {
		if !in.Op32() {
			return nil
		}
		return h
	}
}

// a32 picks h for an instruction with a 32-bit address size and no REP
// prefix (string instructions).
func a32(h handler) picker {
	return func(in *decoder.Inst) handler {
		if !in.Addr32() || in.Flags&(decoder.FlagRep|decoder.FlagRepne) != 0 {
			return nil
		}
		return h
	}
}

func regSpec32(t *[decoder.NumOps]opInfo) {
	// The ALU rows: EdGd, GdEd, Id (accumulator and group 1), per
	// operation.
	type forms struct{ edgdR, edgdM, gdedR, gdedM, edidR, edidM handler }
	alu := map[int]forms{
		aluADD: {(*CPU).addEdGdR, (*CPU).addEdGdM, (*CPU).addGdEdR, (*CPU).addGdEdM, (*CPU).addEdIdR, (*CPU).addEdIdM},
		aluOR:  {(*CPU).orEdGdR, (*CPU).orEdGdM, (*CPU).orGdEdR, (*CPU).orGdEdM, (*CPU).orEdIdR, (*CPU).orEdIdM},
		aluADC: {(*CPU).adcEdGdR, (*CPU).adcEdGdM, (*CPU).adcGdEdR, (*CPU).adcGdEdM, (*CPU).adcEdIdR, (*CPU).adcEdIdM},
		aluSBB: {(*CPU).sbbEdGdR, (*CPU).sbbEdGdM, (*CPU).sbbGdEdR, (*CPU).sbbGdEdM, (*CPU).sbbEdIdR, (*CPU).sbbEdIdM},
		aluAND: {(*CPU).andEdGdR, (*CPU).andEdGdM, (*CPU).andGdEdR, (*CPU).andGdEdM, (*CPU).andEdIdR, (*CPU).andEdIdM},
		aluSUB: {(*CPU).subEdGdR, (*CPU).subEdGdM, (*CPU).subGdEdR, (*CPU).subGdEdM, (*CPU).subEdIdR, (*CPU).subEdIdM},
		aluXOR: {(*CPU).xorEdGdR, (*CPU).xorEdGdM, (*CPU).xorGdEdR, (*CPU).xorGdEdM, (*CPU).xorEdIdR, (*CPU).xorEdIdM},
		aluCMP: {(*CPU).cmpEdGdR, (*CPU).cmpEdGdM, (*CPU).cmpGdEdR, (*CPU).cmpGdEdM, (*CPU).cmpEdIdR, (*CPU).cmpEdIdM},
	}
	for op, f := range alu {
		base := uint16(op) << 3
		spec(t, base+1, op32RM(f.edgdR, f.edgdM))
		spec(t, base+3, op32RM(f.gdedR, f.gdedM))
		spec(t, base+5, op32(f.edidR))
		spec(t, decoder.GroupKey(decoder.Grp1EvIz, op), op32RM(f.edidR, f.edidM))
		spec(t, decoder.GroupKey(decoder.Grp1EvIb, op), op32RM(f.edidR, f.edidM))
	}
	spec(t, 0x85, op32RM((*CPU).testEdGdR, (*CPU).testEdGdM))
	spec(t, 0xA9, op32((*CPU).testEdIdR))
	spec(t, decoder.GroupKey(decoder.Grp3Ev, 0), op32RM((*CPU).testEdIdR, (*CPU).testEdIdM))
	spec(t, decoder.GroupKey(decoder.Grp3Ev, 1), op32RM((*CPU).testEdIdR, (*CPU).testEdIdM))

	spec(t, decoder.GroupKey(decoder.Grp3Ev, 4), op32RM((*CPU).mulEdR, (*CPU).mulEdM))
	spec(t, decoder.GroupKey(decoder.Grp3Ev, 5), op32RM((*CPU).imulEdR, (*CPU).imulEdM))
	spec(t, decoder.TwoByte|0xAF, op32RM((*CPU).imulGdEdR, (*CPU).imulGdEdM))
	spec(t, 0x69, op32RM((*CPU).imulGdEdIdR, (*CPU).imulGdEdIdM))
	spec(t, 0x6B, op32RM((*CPU).imulGdEdIdR, (*CPU).imulGdEdIdM))

	for r := uint16(0); r < 8; r++ {
		spec(t, 0x40+r, op32((*CPU).incRd))
		spec(t, 0x48+r, op32((*CPU).decRd))
		spec(t, 0x50+r, op32((*CPU).pushRd))
		spec(t, 0x58+r, op32((*CPU).popRd))
		spec(t, 0xB8+r, op32((*CPU).movRdId))
	}
	spec(t, decoder.GroupKey(decoder.Grp5, 0), op32RM((*CPU).incEdR, (*CPU).incEdM))
	spec(t, decoder.GroupKey(decoder.Grp5, 1), op32RM((*CPU).decEdR, (*CPU).decEdM))

	spec(t, 0x89, op32RM((*CPU).movEdGdR, (*CPU).movEdGdM))
	spec(t, 0x8B, op32RM((*CPU).movGdEdR, (*CPU).movGdEdM))
	spec(t, decoder.GroupKey(decoder.Grp11EvIz, 0), op32RM((*CPU).movEdIdR, (*CPU).movEdIdM))
	spec(t, 0xA1, op32((*CPU).movEAXOd))
	spec(t, 0xA3, op32((*CPU).movOdEAX))
	spec(t, decoder.TwoByte|0xB6, op32RM((*CPU).movzxGdEbR, (*CPU).movzxGdEbM))
	spec(t, decoder.TwoByte|0xB7, op32RM((*CPU).movzxGdEwR, (*CPU).movzxGdEwM))
	spec(t, decoder.TwoByte|0xBE, op32RM((*CPU).movsxGdEbR, (*CPU).movsxGdEbM))
	spec(t, decoder.TwoByte|0xBF, op32RM((*CPU).movsxGdEwR, (*CPU).movsxGdEwM))
	spec(t, 0x8D, func(in *decoder.Inst) handler {
		if !in.Op32() || !in.Addr32() {
			return nil
		}
		return (*CPU).leaGdM32
	})

	spec(t, 0x68, op32((*CPU).pushId))
	spec(t, 0x6A, op32((*CPU).pushId))
	spec(t, 0xE8, op32((*CPU).callJd))
	spec(t, 0xE9, op32((*CPU).jmpJd))
	spec(t, 0xEB, op32((*CPU).jmpJd))
	spec(t, 0xC3, op32((*CPU).retNear32))
	for cc := uint16(0); cc < 16; cc++ {
		h := jcc32(uint8(cc))
		spec(t, 0x70+cc, op32(h))
		spec(t, decoder.TwoByte|0x80+cc, op32(h))
	}

	for _, g := range []int{decoder.Grp2EvIb, decoder.Grp2Ev1, decoder.Grp2EvCL} {
		spec(t, decoder.GroupKey(g, 4), op32RM((*CPU).shlEdR, (*CPU).shlEdM))
		spec(t, decoder.GroupKey(g, 5), op32RM((*CPU).shrEdR, (*CPU).shrEdM))
		spec(t, decoder.GroupKey(g, 6), op32RM((*CPU).shlEdR, (*CPU).shlEdM))
		spec(t, decoder.GroupKey(g, 7), op32RM((*CPU).sarEdR, (*CPU).sarEdM))
	}

	spec(t, 0xA4, a32((*CPU).movsbA32))
	spec(t, 0xA5, func(in *decoder.Inst) handler {
		if !in.Op32() {
			return nil
		}
		return a32((*CPU).movsdA32)(in)
	})
	spec(t, 0xAA, a32((*CPU).stosbA32))
	spec(t, 0xAB, func(in *decoder.Inst) handler {
		if !in.Op32() {
			return nil
		}
		return a32((*CPU).stosdA32)(in)
	})
	spec(t, 0xAC, a32((*CPU).lodsbA32))
	spec(t, 0xAD, func(in *decoder.Inst) handler {
		if !in.Op32() {
			return nil
		}
		return a32((*CPU).lodsdA32)(in)
	})
}
