package cpu

import "bt86/decoder"

// x87 arithmetic, compare and simple register instructions.

// fpArith applies arithmetic operation op (the ModRM reg field of D8:
// 0 ADD, 1 MUL, 4 SUB, 5 SUBR, 6 DIV, 7 DIVR) to a and b.
func (c *CPU) fpArith(op int, a, b Float80) (Float80, uint16) {
	cw := c.FPU.CW
	switch op {
	case 0:
		return f80Add(a, b, false, cw)
	case 1:
		return f80Mul(a, b, cw)
	case 4:
		return f80Add(a, b, true, cw)
	case 5:
		return f80Add(b, a, true, cw)
	case 6:
		return f80Div(a, b, cw)
	}
	return f80Div(b, a, cw)
}

// withLoadFlags adds the flags of a memory operand's conversion (DE for a
// denormal single/double) unless a higher-priority exception or a NaN
// operand took over.
func withLoadFlags(fl, lf uint16, other Float80) uint16 {
	if lf == 0 || fl&(fpIE|fpZE) != 0 || isNaN(classify(other)) {
		return fl
	}
	return fl | lf
}

// fpArithMem: D8 (m32real), DC (m64real), DA (m32int), DE (m16int).
func (c *CPU) fpArithMem(in *decoder.Inst) {
	c.fpCheck()
	off := c.ea(in)
	var b Float80
	var lf uint16
	switch in.Opcode {
	case 0xD8:
		b, lf = fromMem(uint64(c.read32(in.Seg, off)), fmtSingle())
	case 0xDC:
		b, lf = fromMem(c.fpRead64(in.Seg, off), fmtDouble())
	case 0xDA:
		b = fromInt(int64(int32(c.read32(in.Seg, off))))
	default:
		b = fromInt(int64(int16(c.read16(in.Seg, off))))
	}
	c.fpNote(in, off)
	op := in.Reg()
	if op == 2 || op == 3 {
		c.fpCompareST0(b, false, lf, false, op-2)
		return
	}
	if c.FPU.empty(0) {
		c.fpStackUnderflow(0)
		return
	}
	a := c.FPU.st(0)
	r, fl := c.fpArith(op, a, b)
	c.fpSetResult(0, r, withLoadFlags(fl, lf, a), false)
}

// fpArithST0: D8 C0-FF, ST(0) = ST(0) op ST(i).
func (c *CPU) fpArithST0(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	i, op := in.RM(), in.Reg()
	if op == 2 || op == 3 {
		c.fpCompareST0(c.FPU.st(i), c.FPU.empty(i), 0, false, op-2)
		return
	}
	if c.FPU.empty(0) || c.FPU.empty(i) {
		c.fpStackUnderflow(0)
		return
	}
	r, fl := c.fpArith(op, c.FPU.st(0), c.FPU.st(i))
	c.fpSetResult(0, r, fl, false)
}

// fpArithSTi: DC C0-FF, ST(i) = ST(i) op ST(0), and DE (the same, then
// pop). The SUB/SUBR and DIV/DIVR encodings are swapped relative to D8.
// DC D0-DF and DE D0-D7 are the FCOM2/FCOMP3/FCOMP5 aliases.
func (c *CPU) fpArithSTi(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	i, op := in.RM(), in.Reg()
	pop := in.Opcode == 0xDE
	if op == 2 || op == 3 {
		pops := op - 2
		if pop {
			pops = 1
		}
		c.fpCompareST0(c.FPU.st(i), c.FPU.empty(i), 0, false, pops)
		return
	}
	if op >= 4 {
		op ^= 1
	}
	if c.FPU.empty(0) || c.FPU.empty(i) {
		if c.fpStackUnderflow(i) && pop {
			c.FPU.pop()
		}
		return
	}
	r, fl := c.fpArith(op, c.FPU.st(i), c.FPU.st(0))
	c.fpSetResult(i, r, fl, pop)
}

// setCC sets C0, C2 and C3 for a comparison result (C1 is left to
// fpExcept).
func (c *CPU) setCC(rel int) {
	var cc uint16
	switch rel {
	case cmpLess:
		cc = fpC0
	case cmpEqual:
		cc = fpC3
	case cmpUnordered:
		cc = fpC0 | fpC2 | fpC3
	}
	c.FPU.SW = c.FPU.SW&^(fpC0|fpC2|fpC3) | cc
}

func (c *CPU) fpPops(n int) {
	for ; n > 0; n-- {
		c.FPU.pop()
	}
}

// fpCompareST0 compares ST(0) with b (bEmpty: b is an empty register)
// and pops pops times.
func (c *CPU) fpCompareST0(b Float80, bEmpty bool, lf uint16, quiet bool, pops int) {
	if c.FPU.empty(0) || bEmpty {
		c.fpExcept(fpIE | fpSF)
		c.setCC(cmpUnordered)
		if c.ieMasked() {
			c.fpPops(pops)
		}
		return
	}
	a := c.FPU.st(0)
	rel, fl := f80Compare(a, b, quiet)
	fl = withLoadFlags(fl, lf, a)
	if c.suppressed(fl) {
		c.fpExcept(fl)
		return
	}
	c.setCC(rel)
	c.fpExcept(fl)
	c.fpPops(pops)
}

// fcompp: DE D9 FCOMPP, DA E9 FUCOMPP.
func (c *CPU) fcompp(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	c.fpCompareST0(c.FPU.st(1), c.FPU.empty(1), 0, in.Opcode == 0xDA, 2)
}

// fucom: DD E0+i FUCOM, DD E8+i FUCOMP.
func (c *CPU) fucom(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	i := in.RM()
	c.fpCompareST0(c.FPU.st(i), c.FPU.empty(i), 0, true, in.Reg()-4)
}

// fcomi: DB E8 FUCOMI, DB F0 FCOMI, DF E8 FUCOMIP, DF F0 FCOMIP.
func (c *CPU) fcomi(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	i := in.RM()
	quiet := in.Reg() == 5
	pops := 0
	if in.Opcode == 0xDF {
		pops = 1
	}
	if c.FPU.empty(0) || c.FPU.empty(i) {
		c.fpExcept(fpIE | fpSF)
		c.setArith(FlagZF | FlagPF | FlagCF)
		if c.ieMasked() {
			c.fpPops(pops)
		}
		return
	}
	rel, fl := f80Compare(c.FPU.st(0), c.FPU.st(i), quiet)
	if c.suppressed(fl) {
		c.fpExcept(fl)
		return
	}
	var f uint32
	switch rel {
	case cmpLess:
		f = FlagCF
	case cmpEqual:
		f = FlagZF
	case cmpUnordered:
		f = FlagZF | FlagPF | FlagCF
	}
	c.setArith(f)
	c.fpExcept(fl)
	c.fpPops(pops)
}

// ftst: D9 E4, compare ST(0) with +0.0.
func (c *CPU) ftst(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	c.fpCompareST0(Float80{}, false, 0, false, 0)
}

// fxam: D9 E5, classify ST(0) into C3 C2 C0 and its sign into C1.
func (c *CPU) fxam(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	v := c.FPU.st(0)
	var cc uint16
	if v.neg() {
		cc = fpC1
	}
	if c.FPU.empty(0) {
		cc |= fpC3 | fpC0
	} else {
		switch classify(v) {
		case clsUnsupported:
		case clsQNaN, clsSNaN:
			cc |= fpC0
		case clsNormal:
			cc |= fpC2
		case clsInf:
			cc |= fpC2 | fpC0
		case clsZero:
			cc |= fpC3
		case clsDenormal:
			cc |= fpC3 | fpC2
		}
	}
	c.FPU.SW = c.FPU.SW&^fpCC | cc
}

// fpUnary runs a one-operand operation on ST(0).
func (c *CPU) fpUnary(in *decoder.Inst, fn func(Float80, uint16) (Float80, uint16)) {
	c.fpCheck()
	c.fpNote(in, 0)
	if c.FPU.empty(0) {
		c.fpStackUnderflow(0)
		return
	}
	r, fl := fn(c.FPU.st(0), c.FPU.CW)
	c.fpSetResult(0, r, fl, false)
}

func (c *CPU) fchs(in *decoder.Inst) {
	c.fpUnary(in, func(a Float80, _ uint16) (Float80, uint16) {
		a.SExp ^= 0x8000
		return a, 0
	})
}

func (c *CPU) fabs(in *decoder.Inst) {
	c.fpUnary(in, func(a Float80, _ uint16) (Float80, uint16) {
		a.SExp &^= 0x8000
		return a, 0
	})
}

func (c *CPU) fsqrt(in *decoder.Inst) { c.fpUnary(in, f80Sqrt) }

func (c *CPU) frndint(in *decoder.Inst) { c.fpUnary(in, f80RoundInt) }

// fscale: D9 FD, ST(0) = ST(0) × 2^trunc(ST(1)).
func (c *CPU) fscale(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	if c.FPU.empty(0) || c.FPU.empty(1) {
		c.fpStackUnderflow(0)
		return
	}
	r, fl := f80Scale(c.FPU.st(0), c.FPU.st(1), c.FPU.CW)
	c.fpSetResult(0, r, fl, false)
}

// fxtract: D9 F4, replace ST(0) by its exponent and push its significand.
func (c *CPU) fxtract(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	if c.fpPushCheck() {
		return
	}
	exp, sig, fl := f80Extract(c.FPU.st(0))
	if c.suppressed(fl) {
		c.fpExcept(fl)
		return
	}
	c.FPU.setST(0, exp)
	c.FPU.push(sig)
	c.fpExcept(fl)
}

// fpPushCheck handles the stack checks of the instructions that replace
// ST(0) and push (FXTRACT, FPTAN, FSINCOS): it reports true when a stack
// fault was handled (masked: indefinite in ST(0) and pushed).
func (c *CPU) fpPushCheck() bool {
	if !c.FPU.empty(0) && c.FPU.empty(7) {
		return false
	}
	if c.FPU.empty(0) {
		c.fpExcept(fpIE | fpSF)
	} else {
		c.fpExcept(fpIE | fpSF | fpC1)
	}
	if c.ieMasked() {
		c.FPU.setST(0, indefinite())
		c.FPU.push(indefinite())
	}
	return true
}

// fprem: D9 F8 FPREM, D9 F5 FPREM1.
func (c *CPU) fprem(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	c.FPU.SW &^= fpC2
	if c.FPU.empty(0) || c.FPU.empty(1) {
		c.fpStackUnderflow(0)
		return
	}
	r, q, partial, fl := f80Rem(c.FPU.st(0), c.FPU.st(1), in.ModRM == 0xF5, c.FPU.CW)
	if c.suppressed(fl) {
		c.fpExcept(fl)
		return
	}
	c.FPU.setST(0, r)
	fl &^= fpC1
	var cc uint16
	if partial {
		cc = fpC2
	} else {
		if q&1 != 0 {
			cc |= fpC1
		}
		if q&2 != 0 {
			cc |= fpC3
		}
		if q&4 != 0 {
			cc |= fpC0
		}
	}
	c.FPU.SW = c.FPU.SW&^fpCC | cc
	c.fpExcept(fl | cc&fpC1)
}

// fcmov: DA C0-DF FCMOVB/E/BE/U, DB C0-DF FCMOVNB/NE/NBE/NU.
func (c *CPU) fcmov(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	i := in.RM()
	if c.FPU.empty(0) || c.FPU.empty(i) {
		c.fpStackUnderflow(0)
		return
	}
	var cond bool
	switch in.Reg() & 3 {
	case 0:
		cond = c.cf()
	case 1:
		cond = c.zf()
	case 2:
		cond = c.cf() || c.zf()
	default:
		cond = c.pf()
	}
	if in.Opcode == 0xDB {
		cond = !cond
	}
	if cond {
		c.FPU.setST(0, c.FPU.st(i))
	}
	c.fpExcept(0)
}
