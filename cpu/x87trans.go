package cpu

import (
	"encoding/binary"
	"math"
	"math/big"
	"math/bits"

	"bt86/decoder"
)

// Transcendental instructions. F2XM1, FYL2X, FYL2XP1 and FPATAN use
// math/big.Float series at transPrec bits, rounded once; FSIN, FCOS,
// FSINCOS and FPTAN use float64 (see the precision strategy in x87.go).

const transPrec = 128

func newBig() *big.Float { return new(big.Float).SetPrec(transPrec) }

// bigOf converts a finite value exactly.
func bigOf(f Float80) *big.Float {
	x := newBig()
	if classify(f) == clsZero {
		return x
	}
	neg, e, m := unpack(f)
	x.SetUint64(m)
	x.SetMantExp(x, int(e)-63)
	if neg {
		x.Neg(x)
	}
	return x
}

// roundBig rounds a nonzero finite approximation x of a transcendental
// result to a register value per cw. The result is irrational, so it is
// always inexact: its bits beyond the 128 kept here become a sticky bit.
// When x itself is exact at 128 bits (the true value lies within far less
// than an ulp of it, e.g. atan(t) for a tiny representable t), nudge
// tells on which side: -1 the true magnitude is slightly smaller, +1
// slightly larger.
func roundBig(x *big.Float, cw uint16, nudge int) (Float80, uint16) {
	mant := newBig()
	exp := x.MantExp(mant)
	mant.Abs(mant)
	mant.SetMantExp(mant, 128)
	i, acc := mant.Int(nil)
	var buf [16]byte
	i.FillBytes(buf[:])
	hi := binary.BigEndian.Uint64(buf[:8])
	lo := binary.BigEndian.Uint64(buf[8:])
	e := int32(exp - 1)
	if acc == big.Exact && nudge < 0 {
		var b uint64
		lo, b = bits.Sub64(lo, 1, 0)
		hi -= b
		if hi&intBit == 0 {
			hi, lo = hi<<1|lo>>63, lo<<1
			e--
		}
	}
	return pack80(x.Signbit(), e, hi, lo|1, 64, cw)
}

// nudged rounds a representable v whose true value differs from it by a
// negligible amount, in the direction of nudge (see roundBig).
func nudged(v Float80, nudge int, cw uint16) (Float80, uint16) {
	return roundBig(bigOf(v), cw, nudge)
}

// bigLn2 and bigPi return the cached constants.
func (c *CPU) bigLn2() *big.Float {
	h := &c.fpuHooks
	if h.ln2 == nil {
		third := newBig().Quo(newBig().SetInt64(1), newBig().SetInt64(3))
		h.ln2 = atanhSeries(third)
		h.ln2.Mul(h.ln2, newBig().SetInt64(2))
	}
	return h.ln2
}

func (c *CPU) bigPi() *big.Float {
	h := &c.fpuHooks
	if h.pi == nil {
		one := newBig().SetInt64(1)
		a := atanSeries(newBig().Quo(one, newBig().SetInt64(5)))
		b := atanSeries(newBig().Quo(one, newBig().SetInt64(239)))
		a.Mul(a, newBig().SetInt64(16))
		b.Mul(b, newBig().SetInt64(4))
		h.pi = a.Sub(a, b)
	}
	return h.pi
}

// small reports |term| < 2^-(transPrec+8) × |sum|.
func small(term, sum *big.Float) bool {
	if term.Sign() == 0 {
		return true
	}
	if sum.Sign() == 0 {
		return false
	}
	return term.MantExp(nil) < sum.MantExp(nil)-transPrec-8
}

// atanhSeries returns z + z³/3 + z⁵/5 + ... (|z| well below 1).
func atanhSeries(z *big.Float) *big.Float { return oddSeries(z, false) }

// atanSeries returns z - z³/3 + z⁵/5 - ... (|z| <= 0.2).
func atanSeries(z *big.Float) *big.Float { return oddSeries(z, true) }

func oddSeries(z *big.Float, alternate bool) *big.Float {
	z2 := newBig().Mul(z, z)
	if alternate {
		z2.Neg(z2)
	}
	sum := newBig().Set(z)
	pow := newBig().Set(z)
	term, k := newBig(), newBig()
	for n := int64(3); ; n += 2 {
		pow.Mul(pow, z2)
		term.Quo(pow, k.SetInt64(n))
		sum.Add(sum, term)
		if small(term, sum) {
			return sum
		}
	}
}

// atanBig returns atan(t) for t >= 0: atan(k/8) from a table plus the
// series for atan((t - k/8)/(1 + t·k/8)), an argument below 1/16.
func (c *CPU) atanBig(t *big.Float) *big.Float {
	one := newBig().SetInt64(1)
	if t.Cmp(one) > 0 {
		r := c.atanBig(newBig().Quo(one, t))
		half := newBig().Quo(c.bigPi(), newBig().SetInt64(2))
		return half.Sub(half, r)
	}
	t8 := newBig().SetMantExp(t, 3)
	k, _ := t8.Add(t8, big.NewFloat(0.5)).Int64()
	if k == 0 {
		return atanSeries(t)
	}
	kb := newBig().SetInt64(k)
	kb.SetMantExp(kb, -3)
	num := newBig().Sub(t, kb)
	den := newBig().Mul(t, kb)
	den.Add(den, one)
	r := atanSeries(num.Quo(num, den))
	return r.Add(r, c.atanTable()[k])
}

// atanTable returns atan(k/8) for k = 0..8, computed once with two
// argument halvings (atan t = 2 atan(t / (1 + sqrt(1 + t²)))).
func (c *CPU) atanTable() *[9]*big.Float {
	h := &c.fpuHooks
	if h.atanK[0] == nil {
		one := newBig().SetInt64(1)
		for k := range h.atanK {
			x := newBig().SetInt64(int64(k))
			x.SetMantExp(x, -3)
			for i := 0; i < 2; i++ {
				s := newBig().Mul(x, x)
				s.Add(s, one)
				s.Sqrt(s)
				s.Add(s, one)
				x.Quo(x, s)
			}
			r := atanSeries(x)
			h.atanK[k] = r.SetMantExp(r, 2)
		}
	}
	return &h.atanK
}

// lnBig returns ln(x) for x > 0.
func (c *CPU) lnBig(x *big.Float) *big.Float {
	m := newBig()
	e := x.MantExp(m) // m in [0.5, 1)
	if m.Cmp(big.NewFloat(math.Sqrt2/2)) < 0 {
		m.SetMantExp(m, 1)
		e--
	}
	return c.lnWithExp(m, e)
}

// lnWithExp returns ln(m) + e·ln2 for m in [1/√2, √2).
func (c *CPU) lnWithExp(m *big.Float, e int) *big.Float {
	r := c.lnNear1(m)
	if e != 0 {
		l := newBig().Mul(c.bigLn2(), newBig().SetInt64(int64(e)))
		r.Add(r, l)
	}
	return r
}

// lnNear1 returns ln(m) for m in [1/√2, √2): ln(j/32) from a table (j =
// round(32m)) plus 2 atanh((r-1)/(r+1)) for r = m/(j/32), within 1/64 of
// one. Near m = 1 (j = 32) r is m itself, so the relative precision holds.
func (c *CPU) lnNear1(m *big.Float) *big.Float {
	m32 := newBig().SetMantExp(m, 5)
	j, _ := m32.Add(m32, big.NewFloat(0.5)).Int64()
	r := m
	if j != 32 {
		cj := newBig().SetInt64(j)
		r = newBig().Quo(m, cj.SetMantExp(cj, -5))
	}
	s := c.lnSeries(r)
	if j != 32 {
		s.Add(s, c.lnTable(int(j)))
	}
	return s
}

// lnSeries returns ln(r) = 2 atanh((r-1)/(r+1)).
func (c *CPU) lnSeries(r *big.Float) *big.Float {
	one := newBig().SetInt64(1)
	num := newBig().Sub(r, one)
	den := newBig().Add(r, one)
	s := atanhSeries(num.Quo(num, den))
	return s.SetMantExp(s, 1)
}

// lnTable returns ln(j/32) for 22 <= j <= 46, computed once.
func (c *CPU) lnTable(j int) *big.Float {
	h := &c.fpuHooks
	if h.lnK[j] == nil {
		cj := newBig().SetInt64(int64(j))
		h.lnK[j] = c.lnSeries(cj.SetMantExp(cj, -5))
	}
	return h.lnK[j]
}

// expm1Big returns e^t - 1 for |t| <= 1: the series at t/64, then six
// doublings expm1(2u) = expm1(u)·(expm1(u) + 2).
func expm1Big(t *big.Float) *big.Float {
	const halvings = 6
	u := newBig().SetMantExp(t, -halvings)
	sum := newBig().Set(u)
	term, k := newBig().Set(u), newBig()
	for n := int64(2); ; n++ {
		term.Mul(term, u)
		term.Quo(term, k.SetInt64(n))
		sum.Add(sum, term)
		if small(term, sum) {
			break
		}
	}
	two := newBig().SetInt64(2)
	for i := 0; i < halvings; i++ {
		k.Add(sum, two)
		sum.Mul(sum, k)
	}
	return sum
}

// f2xm1 computes 2^x - 1 (defined for -1 <= x <= 1).
func (c *CPU) f2xm1Val(a Float80, cw uint16) (Float80, uint16) {
	ca := classify(a)
	switch ca {
	case clsUnsupported:
		return indefinite(), fpIE
	case clsQNaN, clsSNaN:
		return nan1(a, ca)
	case clsZero:
		return a, 0
	case clsInf:
		if a.neg() {
			return fromInt(-1), 0
		}
		return a, 0
	}
	fl := denormFlag(ca, ca)
	neg, e, m := unpack(a)
	if m == intBit && e == 0 { // ±1
		if neg {
			return Float80{Mant: intBit, SExp: 0x8000 | (bias80 - 1)}, fl
		}
		return fromInt(1), fl
	}
	x := bigOf(a)
	var r *big.Float
	if e < 0 {
		t := x.Mul(x, c.bigLn2())
		r = expm1Big(t)
	} else {
		// Outside the architectural domain: 2^k × 2^f - 1, |f| <= 1/2.
		if e > 20 {
			if neg {
				return roundBig(newBig().SetInt64(-1), cw, -1)
			}
			e = 20
			x.SetInt64(1 << 20)
		}
		k, _ := newBig().Add(x, newBig().SetFloat64(0.5)).Int64()
		if x.Sign() < 0 {
			k, _ = newBig().Sub(x, newBig().SetFloat64(0.5)).Int64()
		}
		f := x.Sub(x, newBig().SetInt64(k))
		p := expm1Big(f.Mul(f, c.bigLn2()))
		p.Add(p, newBig().SetInt64(1))
		p.SetMantExp(p, int(k))
		r = p.Sub(p, newBig().SetInt64(1))
	}
	v, f := roundBig(r, cw, 0)
	return v, fl | f
}

func (c *CPU) f2xm1(in *decoder.Inst) {
	c.fpUnary(in, c.f2xm1Val)
}

// fyl2x: D9 F1 FYL2X (ST(1) × log2 ST(0)), D9 F9 FYL2XP1 (ST(1) ×
// log2(ST(0)+1)); both pop.
func (c *CPU) fyl2x(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	if c.FPU.empty(0) || c.FPU.empty(1) {
		if c.fpStackUnderflow(1) {
			c.FPU.pop()
		}
		return
	}
	var r Float80
	var fl uint16
	if in.ModRM == 0xF1 {
		r, fl = c.fyl2xVal(c.FPU.st(0), c.FPU.st(1), c.FPU.CW)
	} else {
		r, fl = c.fyl2xp1Val(c.FPU.st(0), c.FPU.st(1), c.FPU.CW)
	}
	if c.suppressed(fl) {
		c.fpExcept(fl)
		return
	}
	c.FPU.setST(1, r)
	c.FPU.pop()
	c.fpExcept(fl)
}

// logTimesSpecial returns y × L for the special values of y and for
// L == ±0 (lzero), where L is a logarithm with sign lneg (log2(+1) is +0
// for FYL2X, log2(1 + ±0) is ±0 for FYL2XP1).
func logTimesSpecial(y Float80, cy fclass, lneg, lzero bool) (Float80, uint16, bool) {
	switch cy {
	case clsZero:
		return zero80(y.neg() != lneg), 0, true
	case clsInf:
		if lzero {
			return indefinite(), fpIE, true
		}
		return infinity(y.neg() != lneg), 0, true
	}
	if lzero {
		return zero80(y.neg() != lneg), 0, true
	}
	return Float80{}, 0, false
}

func (c *CPU) fyl2xVal(x, y Float80, cw uint16) (Float80, uint16) {
	cx, cy := classify(x), classify(y)
	if r, fl, done := binaryPrologue(x, y, cx, cy); done {
		return r, fl
	}
	fl := denormFlag(cx, cy)
	switch {
	case cx != clsZero && x.neg():
		return indefinite(), fpIE
	case cx == clsZero:
		switch cy {
		case clsZero:
			return indefinite(), fpIE
		case clsInf:
			return infinity(!y.neg()), fl
		}
		return infinity(!y.neg()), fpZE
	case cx == clsInf:
		if cy == clsZero {
			return indefinite(), fpIE
		}
		return infinity(y.neg()), fl
	}
	_, e, m := unpack(x)
	lneg := e < 0
	if r, f, done := logTimesSpecial(y, cy, lneg, m == intBit && e == 0); done {
		return r, fl | f
	}
	if m == intBit { // a power of two: log2 is the exponent, exactly
		r, f := f80Mul(y, fromExp(e), cw|0x300)
		return r, fl | f
	}
	// log2 x = e' + ln(m')/ln2 with m' in [1/√2, √2).
	mb := newBig().SetUint64(m)
	mb.SetMantExp(mb, -63) // [1, 2)
	if mb.Cmp(big.NewFloat(math.Sqrt2)) >= 0 {
		mb.SetMantExp(mb, -1)
		e++
	}
	l := c.lnWithExp(mb, 0)
	l.Quo(l, c.bigLn2())
	l.Add(l, newBig().SetInt64(int64(e)))
	l.Mul(l, bigOf(y))
	r, f := roundBig(l, cw, 0)
	return r, fl | f
}

func (c *CPU) fyl2xp1Val(x, y Float80, cw uint16) (Float80, uint16) {
	cx, cy := classify(x), classify(y)
	if r, fl, done := binaryPrologue(x, y, cx, cy); done {
		return r, fl
	}
	fl := denormFlag(cx, cy)
	minus1 := fromInt(-1)
	rel, _ := f80Compare(x, minus1, true)
	switch {
	case rel == cmpLess:
		return indefinite(), fpIE
	case rel == cmpEqual:
		return c.fyl2xVal(Float80{}, y, cw)
	case cx == clsInf:
		return c.fyl2xVal(x, y, cw)
	}
	if r, f, done := logTimesSpecial(y, cy, x.neg(), cx == clsZero); done {
		return r, fl | f
	}
	xb := bigOf(x)
	var l *big.Float
	if x.SExp&0x7FFF < bias80-6 { // |x| < 1/64: ln(1+x) = 2 atanh(x/(2+x))
		den := newBig().Add(xb, newBig().SetInt64(2))
		l = atanhSeries(newBig().Quo(xb, den))
		l.SetMantExp(l, 1)
	} else { // 1+x is exact
		l = c.lnBig(newBig().Add(xb, newBig().SetInt64(1)))
	}
	l.Quo(l, c.bigLn2())
	l.Mul(l, bigOf(y))
	r, f := roundBig(l, cw, 0)
	return r, fl | f
}

// fpatan: D9 F3, ST(1) = atan2(ST(1), ST(0)), pop.
func (c *CPU) fpatan(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	if c.FPU.empty(0) || c.FPU.empty(1) {
		if c.fpStackUnderflow(1) {
			c.FPU.pop()
		}
		return
	}
	r, fl := c.fpatanVal(c.FPU.st(1), c.FPU.st(0), c.FPU.CW)
	if c.suppressed(fl) {
		c.fpExcept(fl)
		return
	}
	c.FPU.setST(1, r)
	c.FPU.pop()
	c.fpExcept(fl)
}

// piTimes returns ±(num/den)·π rounded per cw.
func (c *CPU) piTimes(neg bool, num, den int64, cw uint16) (Float80, uint16) {
	p := newBig().Mul(c.bigPi(), newBig().SetInt64(num))
	p.Quo(p, newBig().SetInt64(den))
	if neg {
		p.Neg(p)
	}
	return roundBig(p, cw, 0)
}

func (c *CPU) fpatanVal(y, x Float80, cw uint16) (Float80, uint16) {
	cy, cx := classify(y), classify(x)
	if r, fl, done := binaryPrologue(y, x, cy, cx); done {
		return r, fl
	}
	fl := denormFlag(cx, cy)
	yn, xn := y.neg(), x.neg()
	var r Float80
	var f uint16
	switch {
	case cy == clsZero:
		if !xn {
			return zero80(yn), fl
		}
		r, f = c.piTimes(yn, 1, 1, cw)
	case cy == clsInf:
		switch {
		case cx != clsInf:
			r, f = c.piTimes(yn, 1, 2, cw)
		case xn:
			r, f = c.piTimes(yn, 3, 4, cw)
		default:
			r, f = c.piTimes(yn, 1, 4, cw)
		}
	case cx == clsZero:
		r, f = c.piTimes(yn, 1, 2, cw)
	case cx == clsInf:
		if !xn {
			return zero80(yn), fl
		}
		r, f = c.piTimes(yn, 1, 1, cw)
	default:
		yb, xb := bigOf(y), bigOf(x)
		yb.Abs(yb)
		xb.Abs(xb)
		t := yb.Quo(yb, xb)
		nudge := 0
		var a *big.Float
		if !xn && t.MantExp(nil) < -80 {
			// atan t = t(1 - t²/3 ...): just below t.
			a, nudge = t, -1
		} else {
			a = c.atanBig(t)
			if xn {
				a.Sub(c.bigPi(), a)
			}
		}
		if yn {
			a.Neg(a)
		}
		r, f = roundBig(a, cw, nudge)
	}
	return r, fl | f
}

// Trigonometric functions through float64.

// trigArg checks ST(0) for FSIN/FCOS/FSINCOS/FPTAN. It returns the
// argument as a float64 and ok, or special results: nan (the result for
// every output), outOfRange (C2=1, nothing changes) and tiny (|x| <
// 2^-40: sin x = tan x = x, cos x = 1, inexact).
type trigKind int

const (
	trigNormal trigKind = iota
	trigNaN
	trigOutOfRange
	trigZero
	trigTiny
)

func trigArg(a Float80) (float64, trigKind, Float80, uint16) {
	ca := classify(a)
	switch ca {
	case clsUnsupported, clsInf:
		return 0, trigNaN, indefinite(), fpIE
	case clsQNaN, clsSNaN:
		r, f := nan1(a, ca)
		return 0, trigNaN, r, f
	case clsZero:
		return 0, trigZero, a, 0
	}
	fl := denormFlag(ca, ca)
	_, e, _ := unpack(a)
	switch {
	case e >= 63:
		return 0, trigOutOfRange, a, 0
	case e < -40:
		return 0, trigTiny, a, fl
	}
	v, _ := toMem(a, fmtDouble(), 0x037F)
	return math.Float64frombits(v), trigNormal, a, fl
}

func fromFloat64(v float64) Float80 {
	r, _ := fromMem(math.Float64bits(v), fmtDouble())
	return r
}

// fsincos: D9 FE FSIN, D9 FF FCOS, D9 FB FSINCOS.
func (c *CPU) fsincos(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	c.FPU.SW &^= fpC2
	both := in.ModRM == 0xFB
	if both {
		if c.fpPushCheck() {
			return
		}
	} else if c.FPU.empty(0) {
		c.fpStackUnderflow(0)
		return
	}
	v, kind, r, fl := trigArg(c.FPU.st(0))
	var s, co Float80
	switch kind {
	case trigOutOfRange:
		c.FPU.SW |= fpC2
		c.fpExcept(0)
		return
	case trigNaN:
		s, co = r, r
	case trigZero:
		s, co = r, fromInt(1)
	case trigTiny: // sin x = x(1 - x²/6 ...), cos x = 1 - x²/2 ...
		var f1, f2 uint16
		s, f1 = nudged(r, -1, c.FPU.CW)
		co, f2 = nudged(fromInt(1), -1, c.FPU.CW)
		if in.ModRM == 0xFF {
			fl |= f2
		} else {
			fl |= f1
		}
	default:
		s, co = fromFloat64(math.Sin(v)), fromFloat64(math.Cos(v))
		fl |= fpPE
	}
	if c.suppressed(fl) {
		c.fpExcept(fl)
		return
	}
	switch in.ModRM {
	case 0xFE:
		c.FPU.setST(0, s)
	case 0xFF:
		c.FPU.setST(0, co)
	default:
		c.FPU.setST(0, s)
		c.FPU.push(co)
	}
	c.fpExcept(fl)
}

// fptan: D9 F2, ST(0) = tan ST(0), then push 1.0.
func (c *CPU) fptan(in *decoder.Inst) {
	c.fpCheck()
	c.fpNote(in, 0)
	c.FPU.SW &^= fpC2
	if c.fpPushCheck() {
		return
	}
	v, kind, r, fl := trigArg(c.FPU.st(0))
	one := fromInt(1)
	switch kind {
	case trigOutOfRange:
		c.FPU.SW |= fpC2
		c.fpExcept(0)
		return
	case trigNaN:
		one = r
	case trigZero:
	case trigTiny: // tan x = x(1 + x²/3 ...)
		var f uint16
		r, f = nudged(r, 1, c.FPU.CW)
		fl |= f
	default:
		r = fromFloat64(math.Tan(v))
		fl |= fpPE
	}
	if c.suppressed(fl) {
		c.fpExcept(fl)
		return
	}
	c.FPU.setST(0, r)
	c.FPU.push(one)
	c.fpExcept(fl)
}
