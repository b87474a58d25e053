package cpu

import (
	"encoding/binary"

	"bt86/decoder"
)

// x87 loads, stores, constants and stack manipulation.

// Memory access. Every operand is checked against its segment as a whole
// and a store that crosses a page is probed first, so a faulting access
// changes nothing.

func (c *CPU) fpRead64(seg uint8, off uint32) uint64 {
	lin := c.linR(seg, off, 8)
	lo := c.readLin32(lin, c.priv)
	hi := c.readLin32(lin+4, c.priv)
	return uint64(hi)<<32 | uint64(lo)
}

func (c *CPU) fpRead80(seg uint8, off uint32) Float80 {
	lin := c.linR(seg, off, 10)
	lo := c.readLin32(lin, c.priv)
	mid := c.readLin32(lin+4, c.priv)
	hi := c.readLin16(lin+8, c.priv)
	return Float80{Mant: uint64(mid)<<32 | uint64(lo), SExp: hi}
}

// fpWriteLin checks a store of n bytes and returns its linear address.
func (c *CPU) fpWriteLin(seg uint8, off uint32, n int) uint32 {
	lin := c.linW(seg, off, uint32(n))
	if int(lin&0xFFF)+n > 0x1000 {
		c.checkWrite(lin, n, c.priv)
	}
	return lin
}

func (c *CPU) fpWrite64(seg uint8, off uint32, v uint64) {
	lin := c.fpWriteLin(seg, off, 8)
	c.writeLin32(lin, uint32(v), c.priv)
	c.writeLin32(lin+4, uint32(v>>32), c.priv)
}

func (c *CPU) fpWrite80(seg uint8, off uint32, v Float80) {
	lin := c.fpWriteLin(seg, off, 10)
	c.writeLin32(lin, uint32(v.Mant), c.priv)
	c.writeLin32(lin+4, uint32(v.Mant>>32), c.priv)
	c.writeLin16(lin+8, v.SExp, c.priv)
}

// fpReadBlock reads len(buf) bytes at seg:off.
func (c *CPU) fpReadBlock(seg uint8, off uint32, buf []byte) {
	lin := c.linR(seg, off, uint32(len(buf)))
	i := 0
	for ; i+4 <= len(buf); i += 4 {
		binary.LittleEndian.PutUint32(buf[i:], c.readLin32(lin+uint32(i), c.priv))
	}
	for ; i < len(buf); i++ {
		buf[i] = c.readLin8(lin+uint32(i), c.priv)
	}
}

// fpWriteBlock writes buf at seg:off after checking span bytes (span >=
// len(buf)) for segment limits and page faults.
func (c *CPU) fpWriteBlock(seg uint8, off uint32, buf []byte, span int) {
	lin := c.linW(seg, off, uint32(span))
	c.checkWrite(lin, span, c.priv)
	i := 0
	for ; i+4 <= len(buf); i += 4 {
		c.writeLin32(lin+uint32(i), binary.LittleEndian.Uint32(buf[i:]), c.priv)
	}
	for ; i < len(buf); i++ {
		c.writeLin8(lin+uint32(i), buf[i], c.priv)
	}
}

// fldMem: D9 /0 FLD m32real, DD /0 FLD m64real, DB /5 FLD m80real.
func (c *CPU) fldMem(in *decoder.Inst) {
	c.fpCheck()
	off := c.ea(in)
	var v Float80
	var fl uint16
	switch in.Opcode {
	case 0xD9:
		v, fl = loadConvert(uint64(c.read32(in.Seg, off)), fmtSingle())
	case 0xDD:
		v, fl = loadConvert(c.fpRead64(in.Seg, off), fmtDouble())
	default:
		v = c.fpRead80(in.Seg, off)
	}
	c.fpNote(in, off)
	c.fpPush(v, fl)
}

// fstMem: D9 /2 /3 FST(P) m32real, DD /2 /3 FST(P) m64real, DB /7 FSTP
// m80real.
func (c *CPU) fstMem(in *decoder.Inst) {
	c.fpCheck()
	off := c.ea(in)
	f := &c.FPU
	pop := in.Reg() != 2
	var v uint64
	var x Float80
	var fl uint16
	if f.empty(0) {
		fl = fpIE | fpSF
		x = indefinite()
		switch in.Opcode {
		case 0xD9:
			v = indefiniteMem(fmtSingle())
		case 0xDD:
			v = indefiniteMem(fmtDouble())
		}
	} else {
		x = f.st(0)
		switch in.Opcode {
		case 0xD9:
			v, fl = toMem(x, fmtSingle(), f.CW)
		case 0xDD:
			v, fl = toMem(x, fmtDouble(), f.CW)
		}
	}
	if fl&^f.CW&(fpIE|fpOE|fpUE) != 0 {
		c.fpNote(in, off)
		c.fpExcept(fl)
		return
	}
	switch in.Opcode {
	case 0xD9:
		c.write32(in.Seg, off, uint32(v))
	case 0xDD:
		c.fpWrite64(in.Seg, off, v)
	default:
		c.fpWrite80(in.Seg, off, x)
	}
	c.fpNote(in, off)
	c.fpExcept(fl)
	if pop {
		f.pop()
	}
}

// intSize returns the integer width of DB (32), DF /0-/3 (16) and DF
// /5 /7 (64).
func intSize(in *decoder.Inst) int {
	switch {
	case in.Opcode == 0xDB:
		return 32
	case in.Reg() >= 4:
		return 64
	}
	return 16
}

// fildMem: DF /0 FILD m16int, DB /0 FILD m32int, DF /5 FILD m64int.
func (c *CPU) fildMem(in *decoder.Inst) {
	c.fpCheck()
	off := c.ea(in)
	var v int64
	switch intSize(in) {
	case 16:
		v = int64(int16(c.read16(in.Seg, off)))
	case 32:
		v = int64(int32(c.read32(in.Seg, off)))
	default:
		v = int64(c.fpRead64(in.Seg, off))
	}
	c.fpNote(in, off)
	c.fpPush(fromInt(v), 0)
}

// fistMem: DF /2 /3 FIST(P) m16int, DB /2 /3 FIST(P) m32int, DF /7 FISTP
// m64int.
func (c *CPU) fistMem(in *decoder.Inst) {
	c.fpCheck()
	off := c.ea(in)
	f := &c.FPU
	n := intSize(in)
	pop := in.Reg() != 2
	var v int64
	var fl uint16
	if f.empty(0) {
		v, fl = int64(-1)<<uint(n-1), fpIE|fpSF
	} else {
		v, fl, _ = f80ToInt(f.st(0), n, f.CW)
	}
	if fl&^f.CW&fpIE != 0 {
		c.fpNote(in, off)
		c.fpExcept(fl)
		return
	}
	switch n {
	case 16:
		c.write16(in.Seg, off, uint16(v))
	case 32:
		c.write32(in.Seg, off, uint32(v))
	default:
		c.fpWrite64(in.Seg, off, uint64(v))
	}
	c.fpNote(in, off)
	c.fpExcept(fl)
	if pop {
		f.pop()
	}
}

// fbld: DF /4 FBLD m80bcd.
func (c *CPU) fbld(in *decoder.Inst) {
	c.fpCheck()
	off := c.ea(in)
	v := c.fpRead80(in.Seg, off)
	c.fpNote(in, off)
	c.fpPush(fromBCD(v.Mant, v.SExp), 0)
}

// fbstp: DF /6 FBSTP m80bcd.
func (c *CPU) fbstp(in *decoder.Inst) {
	c.fpCheck()
	off := c.ea(in)
	f := &c.FPU
	var lo uint64
	var hi, fl uint16
	if f.empty(0) {
		lo, hi, fl = indefMant, indefSExp, fpIE|fpSF
	} else {
		lo, hi, fl, _ = toBCD(f.st(0), f.CW)
	}
	if fl&^f.CW&fpIE != 0 {
		c.fpNote(in, off)
		c.fpExcept(fl)
		return
	}
	c.fpWrite80(in.Seg, off, Float80{Mant: lo, SExp: hi})
	c.fpNote(in, off)
	c.fpExcept(fl)
	f.pop()
}

// fldST: D9 C0+i FLD ST(i).
func (c *CPU) fldST(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	f := &c.FPU
	i := in.RM()
	if !f.empty(7) {
		c.fpStackOverflow()
		return
	}
	if f.empty(i) {
		c.fpExcept(fpIE | fpSF)
		if c.ieMasked() {
			f.push(indefinite())
		}
		return
	}
	f.push(f.st(i))
	c.fpExcept(0)
}

// fstST: DD D0+i FST ST(i), DD D8+i FSTP ST(i), and the FSTP aliases
// D9 D8+i (FSTP1), DF D0+i (FSTP8), DF D8+i (FSTP9).
func (c *CPU) fstST(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	f := &c.FPU
	i := in.RM()
	pop := !(in.Opcode == 0xDD && in.Reg() == 2)
	if f.empty(0) {
		if c.fpStackUnderflow(i) && pop {
			f.pop()
		}
		return
	}
	f.setST(i, f.st(0))
	c.fpExcept(0)
	if pop {
		f.pop()
	}
}

// fxch: D9 C8+i FXCH ST(i), and the aliases DD C8+i (FXCH4) and DF C8+i
// (FXCH7).
func (c *CPU) fxch(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	f := &c.FPU
	i := in.RM()
	a, b := f.st(0), f.st(i)
	if f.empty(0) || f.empty(i) {
		c.fpExcept(fpIE | fpSF)
		if !c.ieMasked() {
			return
		}
		if f.empty(0) {
			a = indefinite()
		}
		if f.empty(i) {
			b = indefinite()
		}
	} else {
		c.fpExcept(0)
	}
	f.setST(0, b)
	f.setST(i, a)
}

// ffree: DD C0+i FFREE ST(i), DF C0+i FFREEP ST(i).
func (c *CPU) ffree(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	c.FPU.setTag(c.FPU.phys(in.RM()), tagEmpty)
	if in.Opcode == 0xDF {
		c.FPU.pop()
	}
}

func (c *CPU) fincstp(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	c.FPU.setTop(c.FPU.top() + 1)
	c.fpExcept(0)
}

func (c *CPU) fdecstp(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	c.FPU.setTop(c.FPU.top() - 1)
	c.fpExcept(0)
}

func (c *CPU) fnop(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
}

// fpConst returns constant k (D9 E8+k) as the 387+ delivers it: the
// 66-bit internal value rounded per RC.
func fpConst(k int, rc uint8) Float80 {
	down := rc == rcDown || rc == rcChop
	adj := func(m uint64, roundsUp bool) uint64 {
		// m is the value rounded to nearest; roundsUp tells whether that
		// rounding went up (so down/chop give m-1) or down (so up gives m+1).
		switch {
		case roundsUp && down:
			return m - 1
		case !roundsUp && rc == rcUp:
			return m + 1
		}
		return m
	}
	switch k {
	case 0: // FLD1
		return Float80{Mant: intBit, SExp: bias80}
	case 1: // FLDL2T
		return Float80{Mant: adj(0xD49A784BCD1B8AFE, false), SExp: bias80 + 1}
	case 2: // FLDL2E
		return Float80{Mant: adj(0xB8AA3B295C17F0BC, true), SExp: bias80}
	case 3: // FLDPI
		return Float80{Mant: adj(0xC90FDAA22168C235, true), SExp: bias80 + 1}
	case 4: // FLDLG2
		return Float80{Mant: adj(0x9A209A84FBCFF799, true), SExp: bias80 - 2}
	case 5: // FLDLN2
		return Float80{Mant: adj(0xB17217F7D1CF79AC, true), SExp: bias80 - 1}
	}
	return Float80{} // FLDZ
}

// fldConst: D9 E8-EE FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ.
func (c *CPU) fldConst(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	c.fpPush(fpConst(int(in.ModRM-0xE8), rcOf(c.FPU.CW)), 0)
}
