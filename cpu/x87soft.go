package cpu

import "math/bits"

// The x87 soft-float core: pure functions on Float80 values, free of CPU
// state and of allocation. Every operation computes the exact result (or
// a 128-bit significand whose lost bits are folded into a sticky bit) and
// rounds it once, in roundSig, to the precision, exponent range and
// rounding mode asked for. The x87 responses to special operands and to
// masked and unmasked exceptions live here too; callers get back the
// status-word bits raised (IE..PE and C1 as the round-up indicator).

// Status-word bits.
const (
	fpIE  uint16 = 1 << 0 // invalid operation
	fpDE  uint16 = 1 << 1 // denormal operand
	fpZE  uint16 = 1 << 2 // zero divide
	fpOE  uint16 = 1 << 3 // overflow
	fpUE  uint16 = 1 << 4 // underflow
	fpPE  uint16 = 1 << 5 // precision (inexact)
	fpSF  uint16 = 1 << 6 // stack fault
	fpES  uint16 = 1 << 7 // error summary
	fpC0  uint16 = 1 << 8
	fpC1  uint16 = 1 << 9
	fpC2  uint16 = 1 << 10
	fpC3  uint16 = 1 << 14
	fpB   uint16 = 1 << 15 // busy (mirrors ES)
	fpTop uint16 = 7 << 11

	fpExc uint16 = 0x3F // the six exception flags (and mask bits)
	fpCC  uint16 = fpC0 | fpC1 | fpC2 | fpC3
	// fpNoStore are the exceptions that, unmasked, suppress the result.
	fpNoStore = fpIE | fpDE | fpZE
)

// Rounding control (CW bits 10-11).
const (
	rcNearest uint8 = iota
	rcDown
	rcUp
	rcChop
)

// Float80 layout constants.
const (
	bias80    = 16383
	emin80    = -16382 // smallest normal exponent
	emax80    = 16383
	lsbMin80  = emin80 - 63 // weight of the smallest denormal's bit
	intBit    = uint64(1) << 63
	quietBit  = uint64(1) << 62
	indefMant = uint64(0xC000000000000000)
	indefSExp = uint16(0xFFFF)
	// wrapBias is the exponent adjustment of unmasked overflow and
	// underflow responses for register destinations.
	wrapBias = 24576
)

func indefinite() Float80 { return Float80{Mant: indefMant, SExp: indefSExp} }

// Operand classes.
type fclass uint8

const (
	clsZero fclass = iota
	clsNormal
	clsDenormal // exponent 0 with a nonzero significand (incl. pseudo-denormal)
	clsInf
	clsQNaN
	clsSNaN
	clsUnsupported // unnormal, pseudo-NaN, pseudo-infinity
)

func classify(f Float80) fclass {
	e := f.SExp & 0x7FFF
	switch {
	case e == 0:
		if f.Mant == 0 {
			return clsZero
		}
		return clsDenormal
	case e == 0x7FFF:
		switch {
		case f.Mant&intBit == 0:
			return clsUnsupported
		case f.Mant<<1 == 0:
			return clsInf
		case f.Mant&quietBit != 0:
			return clsQNaN
		}
		return clsSNaN
	case f.Mant&intBit == 0:
		return clsUnsupported
	}
	return clsNormal
}

func isNaN(c fclass) bool { return c == clsQNaN || c == clsSNaN }

func (f Float80) neg() bool { return f.SExp&0x8000 != 0 }

func signBits(neg bool) uint16 {
	if neg {
		return 0x8000
	}
	return 0
}

func infinity(neg bool) Float80 { return Float80{Mant: intBit, SExp: signBits(neg) | 0x7FFF} }

func zero80(neg bool) Float80 { return Float80{SExp: signBits(neg)} }

// unpack returns a finite nonzero value as sign, exponent and normalized
// significand: value = mant × 2^(exp-63).
func unpack(f Float80) (neg bool, exp int32, mant uint64) {
	e := int32(f.SExp & 0x7FFF)
	if e == 0 {
		e = 1 // denormals and pseudo-denormals use the minimum exponent
	}
	n := bits.LeadingZeros64(f.Mant)
	return f.neg(), e - bias80 - int32(n), f.Mant << uint(n)
}

// fromInt converts an integer exactly.
func fromInt(v int64) Float80 {
	if v == 0 {
		return Float80{}
	}
	u := uint64(v)
	neg := v < 0
	if neg {
		u = -u
	}
	n := bits.Len64(u)
	return Float80{Mant: u << uint(64-n), SExp: signBits(neg) | uint16(bias80+n-1)}
}

// fromExp converts a (small) signed exponent value exactly.
func fromExp(e int32) Float80 { return fromInt(int64(e)) }

// rounded is the result of roundSig: sig×2^(exp-63) with sig normalized,
// or zero when sig == 0.
type rounded struct {
	sig     uint64
	exp     int32
	inexact bool
	up      bool // the magnitude was rounded up
}

// roundSig rounds the value (hi:lo)×2^(exp-127) (hi normalized; bits
// lost earlier folded into lo's bit 0) to prec significant bits, keeping
// no bit of weight below 2^lsbMin (denormalization), in mode rc.
func roundSig(neg bool, exp int32, hi, lo uint64, prec int, lsbMin int32, rc uint8) rounded {
	lsb := exp - int32(prec) + 1
	if lsb < lsbMin {
		lsb = lsbMin
	}
	k := exp - lsb + 1 // bits kept, at most 64
	var keep uint64
	var rbit, sticky bool
	switch {
	case k >= 64:
		keep = hi
		rbit = lo>>63 != 0
		sticky = lo<<1 != 0
	case k >= 1:
		keep = hi >> uint(64-k)
		rem := hi << uint(k)
		rbit = rem>>63 != 0
		sticky = rem<<1 != 0 || lo != 0
	case k == 0:
		rbit = true
		sticky = hi<<1 != 0 || lo != 0
	default:
		sticky = true
	}
	r := rounded{inexact: rbit || sticky}
	inc := false
	switch rc {
	case rcNearest:
		inc = rbit && (sticky || keep&1 != 0)
	case rcDown:
		inc = neg && r.inexact
	case rcUp:
		inc = !neg && r.inexact
	}
	if inc {
		r.up = true
		keep++
		if keep == 0 { // carried out of 64 bits
			r.sig, r.exp = intBit, lsb+64
			return r
		}
	}
	if keep == 0 {
		return r
	}
	n := bits.Len64(keep)
	r.sig = keep << uint(64-n)
	r.exp = lsb + int32(n) - 1
	return r
}

// overflowToInf tells whether a masked overflow delivers infinity (true)
// or the largest finite value.
func overflowToInf(neg bool, rc uint8) bool {
	switch rc {
	case rcNearest:
		return true
	case rcDown:
		return neg
	case rcUp:
		return !neg
	}
	return false
}

// rcOf and precOf decode the control word.
func rcOf(cw uint16) uint8 { return uint8(cw>>10) & 3 }

func precOf(cw uint16) int {
	switch (cw >> 8) & 3 {
	case 0:
		return 24
	case 2:
		return 53
	}
	return 64 // 3, and the reserved 1
}

// pack80 rounds an exact value (hi:lo)×2^(exp-127) to a register value of
// prec bits with the x87 overflow and underflow responses (tininess is
// detected after rounding, as on x86).
func pack80(neg bool, exp int32, hi, lo uint64, prec int, cw uint16) (Float80, uint16) {
	rc := rcOf(cw)
	sign := signBits(neg)
	var fl uint16
	// With reduced precision the unused low bits of the significand field
	// stay zero, denormals included (SDM: rounding "clears the unused bits
	// on the right"); so the smallest bit kept is 2^(lsbMin80+64-prec).
	r := roundSig(neg, exp, hi, lo, prec, lsbMin80+int32(64-prec), rc)
	if r.sig != 0 && r.exp > emax80 {
		if cw&fpOE == 0 { // unmasked: deliver the wrapped exponent
			fl |= fpOE
			if r.inexact {
				fl |= fpPE
			}
			if r.up {
				fl |= fpC1
			}
			return Float80{Mant: r.sig, SExp: sign | uint16(r.exp-wrapBias+bias80)&0x7FFF}, fl
		}
		fl |= fpOE | fpPE
		if overflowToInf(neg, rc) {
			return infinity(neg), fl | fpC1
		}
		return Float80{Mant: ^uint64(0) << uint(64-prec), SExp: sign | (emax80 + bias80)}, fl
	}
	tiny := false
	if exp < emin80 {
		u := roundSig(neg, exp, hi, lo, prec, exp-64, rc) // unbounded exponent
		tiny = u.exp < emin80
		if tiny && cw&fpUE == 0 { // unmasked: wrapped exponent, no denormalization
			fl |= fpUE
			if u.inexact {
				fl |= fpPE
			}
			if u.up {
				fl |= fpC1
			}
			return Float80{Mant: u.sig, SExp: sign | uint16(u.exp+wrapBias+bias80)&0x7FFF}, fl
		}
	}
	if r.inexact {
		fl |= fpPE
		if tiny {
			fl |= fpUE
		}
	}
	if r.up {
		fl |= fpC1
	}
	switch {
	case r.sig == 0:
		return Float80{SExp: sign}, fl
	case r.exp < emin80:
		return Float80{Mant: r.sig >> uint(emin80-r.exp), SExp: sign}, fl
	}
	return Float80{Mant: r.sig, SExp: sign | uint16(r.exp+bias80)}, fl
}

// packUnpacked rounds a finite nonzero unpacked value (mant×2^(exp-63)).
func packUnpacked(neg bool, exp int32, mant uint64, prec int, cw uint16) (Float80, uint16) {
	return pack80(neg, exp, mant, 0, prec, cw)
}

// propagateNaN implements the x87 rules for an operation with NaN
// operands (at least one of a, b is a NaN; b may be unused with ca==cb
// of a single operand): SNaN raises IE; with two NaNs a QNaN wins over an
// SNaN, otherwise the larger significand (then the positive one).
func propagateNaN(a, b Float80, ca, cb fclass) (Float80, uint16) {
	var fl uint16
	if ca == clsSNaN || cb == clsSNaN {
		fl = fpIE
	}
	var r Float80
	switch {
	case isNaN(ca) && isNaN(cb):
		switch {
		case ca == clsSNaN && cb == clsQNaN:
			r = b
		case ca == clsQNaN && cb == clsSNaN:
			r = a
		case a.Mant > b.Mant:
			r = a
		case a.Mant < b.Mant:
			r = b
		case a.SExp < b.SExp:
			r = a
		default:
			r = b
		}
	case isNaN(ca):
		r = a
	default:
		r = b
	}
	r.Mant |= quietBit
	return r, fl
}

// nan1 quiets a single NaN operand.
func nan1(a Float80, ca fclass) (Float80, uint16) {
	return propagateNaN(a, a, ca, ca)
}

// binaryPrologue handles the operand checks shared by the two-operand
// arithmetic: unsupported formats and NaNs. done reports that r, fl are
// the final result.
func binaryPrologue(a, b Float80, ca, cb fclass) (r Float80, fl uint16, done bool) {
	if ca == clsUnsupported || cb == clsUnsupported {
		return indefinite(), fpIE, true
	}
	if isNaN(ca) || isNaN(cb) {
		r, fl = propagateNaN(a, b, ca, cb)
		return r, fl, true
	}
	return Float80{}, 0, false
}

func denormFlag(ca, cb fclass) uint16 {
	if ca == clsDenormal || cb == clsDenormal {
		return fpDE
	}
	return 0
}

// shr128Jam shifts (hi:lo) right by d, folding lost bits into bit 0.
func shr128Jam(hi, lo uint64, d int32) (uint64, uint64) {
	switch {
	case d == 0:
		return hi, lo
	case d < 64:
		jam := uint64(0)
		if lo<<uint(64-d) != 0 {
			jam = 1
		}
		return hi >> uint(d), hi<<uint(64-d) | lo>>uint(d) | jam
	case d < 128:
		jam := uint64(0)
		if (d > 64 && hi<<uint(128-d) != 0) || lo != 0 {
			jam = 1
		}
		return 0, hi>>uint(d-64) | jam
	}
	if hi|lo != 0 {
		return 0, 1
	}
	return 0, 0
}

// f80Add returns a+b, or a-b when sub, rounded per cw (precision control
// applies).
func f80Add(a, b Float80, sub bool, cw uint16) (Float80, uint16) {
	ca, cb := classify(a), classify(b)
	if ca == clsNormal && cb == clsNormal { // fast path
		if sub {
			b.SExp ^= 0x8000
		}
		neg, exp, hi, lo, isZero := addCore(a, b)
		if isZero {
			return zero80(rcOf(cw) == rcDown), 0
		}
		return pack80(neg, exp, hi, lo, precOf(cw), cw)
	}
	if r, fl, done := binaryPrologue(a, b, ca, cb); done {
		return r, fl
	}
	if sub {
		b.SExp ^= 0x8000
	}
	an, bn := a.neg(), b.neg()
	if ca == clsInf || cb == clsInf {
		if ca == clsInf && cb == clsInf && an != bn {
			return indefinite(), fpIE
		}
		if ca == clsInf {
			return infinity(an), denormFlag(ca, cb)
		}
		return infinity(bn), denormFlag(ca, cb)
	}
	fl := denormFlag(ca, cb)
	prec := precOf(cw)
	if ca == clsZero && cb == clsZero {
		if an == bn {
			return zero80(an), fl
		}
		return zero80(rcOf(cw) == rcDown), fl
	}
	if cb == clsZero {
		n, e, m := unpack(a)
		r, f := packUnpacked(n, e, m, prec, cw)
		return r, fl | f
	}
	if ca == clsZero {
		n, e, m := unpack(b)
		r, f := packUnpacked(n, e, m, prec, cw)
		return r, fl | f
	}
	neg, exp, hi, lo, isZero := addCore(a, b)
	if isZero {
		return zero80(rcOf(cw) == rcDown), fl
	}
	r, f := pack80(neg, exp, hi, lo, prec, cw)
	return r, fl | f
}

// addCore adds two finite nonzero values exactly (up to a sticky bit).
func addCore(a, b Float80) (neg bool, exp int32, hi, lo uint64, isZero bool) {
	an, ae, am := unpack(a)
	bn, be, bm := unpack(b)
	if be > ae || (be == ae && bm > am) {
		an, ae, am, bn, be, bm = bn, be, bm, an, ae, am
	}
	bh, bl := shr128Jam(bm, 0, ae-be)
	if an == bn {
		var c uint64
		lo, c = bits.Add64(0, bl, 0)
		hi, c = bits.Add64(am, bh, c)
		exp = ae
		if c != 0 {
			lo = lo>>1 | hi<<63 | lo&1
			hi = hi>>1 | intBit
			exp++
		}
		return an, exp, hi, lo, false
	}
	var br uint64
	lo, br = bits.Sub64(0, bl, 0)
	hi, _ = bits.Sub64(am, bh, br)
	if hi == 0 && lo == 0 {
		return false, 0, 0, 0, true
	}
	var n int
	if hi == 0 {
		n = 64 + bits.LeadingZeros64(lo)
	} else {
		n = bits.LeadingZeros64(hi)
	}
	hi, lo = shl128(hi, lo, n)
	return an, ae - int32(n), hi, lo, false
}

func shl128(hi, lo uint64, n int) (uint64, uint64) {
	switch {
	case n == 0:
		return hi, lo
	case n < 64:
		return hi<<uint(n) | lo>>uint(64-n), lo << uint(n)
	}
	return lo << uint(n-64), 0
}

// f80Mul returns a×b rounded per cw.
func f80Mul(a, b Float80, cw uint16) (Float80, uint16) {
	ca, cb := classify(a), classify(b)
	if r, fl, done := binaryPrologue(a, b, ca, cb); done {
		return r, fl
	}
	neg := a.neg() != b.neg()
	if ca == clsInf || cb == clsInf {
		if ca == clsZero || cb == clsZero {
			return indefinite(), fpIE
		}
		return infinity(neg), denormFlag(ca, cb)
	}
	fl := denormFlag(ca, cb)
	if ca == clsZero || cb == clsZero {
		return zero80(neg), fl
	}
	_, ae, am := unpack(a)
	_, be, bm := unpack(b)
	hi, lo := bits.Mul64(am, bm)
	exp := ae + be + 1
	if hi&intBit == 0 {
		hi = hi<<1 | lo>>63
		lo <<= 1
		exp--
	}
	r, f := pack80(neg, exp, hi, lo, precOf(cw), cw)
	return r, fl | f
}

// f80Div returns a/b rounded per cw.
func f80Div(a, b Float80, cw uint16) (Float80, uint16) {
	ca, cb := classify(a), classify(b)
	if r, fl, done := binaryPrologue(a, b, ca, cb); done {
		return r, fl
	}
	neg := a.neg() != b.neg()
	switch {
	case ca == clsInf && cb == clsInf, ca == clsZero && cb == clsZero:
		return indefinite(), fpIE
	case ca == clsInf:
		return infinity(neg), denormFlag(ca, cb)
	case cb == clsInf:
		return zero80(neg), denormFlag(ca, cb)
	case cb == clsZero:
		return infinity(neg), fpZE
	case ca == clsZero:
		return zero80(neg), denormFlag(ca, cb)
	}
	fl := denormFlag(ca, cb)
	_, ae, am := unpack(a)
	_, be, bm := unpack(b)
	hi, lo, exp := divCore(am, bm, ae-be)
	r, f := pack80(neg, exp, hi, lo, precOf(cw), cw)
	return r, fl | f
}

// divCore divides normalized significands: am/bm×2^d as a 128-bit
// significand with sticky bit and the exponent of its top bit.
func divCore(am, bm uint64, d int32) (hi, lo uint64, exp int32) {
	var r uint64
	exp = d
	if am >= bm {
		hi, r = bits.Div64(am>>1, am<<63, bm)
	} else {
		hi, r = bits.Div64(am, 0, bm)
		exp--
	}
	var r2 uint64
	lo, r2 = bits.Div64(r, 0, bm)
	if r2 != 0 {
		lo |= 1
	}
	return hi, lo, exp
}

// sqrt128 returns floor(sqrt(hi:lo)) and the remainder (hi:lo) - root².
func sqrt128(hi, lo uint64) (root, remHi, remLo uint64) {
	for i := 0; i < 64; i++ {
		var two uint64
		if i < 32 {
			two = hi >> 62
			hi <<= 2
		} else {
			two = lo >> 62
			lo <<= 2
		}
		remHi = remHi<<2 | remLo>>62
		remLo = remLo<<2 | two
		tHi, tLo := root>>62, root<<2|1
		root <<= 1
		if remHi > tHi || (remHi == tHi && remLo >= tLo) {
			var b uint64
			remLo, b = bits.Sub64(remLo, tLo, 0)
			remHi -= tHi + b
			root |= 1
		}
	}
	return root, remHi, remLo
}

// f80Sqrt returns the square root rounded per cw.
func f80Sqrt(a Float80, cw uint16) (Float80, uint16) {
	ca := classify(a)
	switch {
	case ca == clsUnsupported:
		return indefinite(), fpIE
	case isNaN(ca):
		return nan1(a, ca)
	case ca == clsZero:
		return a, 0
	case a.neg():
		return indefinite(), fpIE
	case ca == clsInf:
		return a, 0
	}
	fl := denormFlag(ca, ca)
	_, e, m := unpack(a)
	// value = m×2^(e-63) = R×2^(2t) with R = m<<64 or m<<63.
	var hi, lo uint64
	var t int32
	if (e-127)&1 == 0 {
		hi, t = m, (e-127)/2
	} else {
		hi, lo, t = m>>1, m<<63, (e-126)/2
	}
	root, rh, rl := sqrt128(hi, lo)
	var low uint64
	if rh != 0 || rl > root {
		low = 1<<63 | 1 // above the half-way point (never exactly on it)
	} else if rl != 0 {
		low = 1
	}
	r, f := pack80(false, t+63, root, low, precOf(cw), cw)
	return r, fl | f
}

// magnitude key for ordering finite and infinite values.
func magLess(a, b Float80, ca, cb fclass) int {
	if ca == clsInf || cb == clsInf {
		switch {
		case ca == cb:
			return 0
		case ca == clsInf:
			return 1
		}
		return -1
	}
	_, ae, am := unpack(a)
	_, be, bm := unpack(b)
	switch {
	case ae != be:
		if ae > be {
			return 1
		}
		return -1
	case am != bm:
		if am > bm {
			return 1
		}
		return -1
	}
	return 0
}

// Comparison results.
const (
	cmpLess = iota
	cmpEqual
	cmpGreater
	cmpUnordered
)

// f80Compare compares a with b. quiet (FUCOM) raises IE only for SNaN.
func f80Compare(a, b Float80, quiet bool) (int, uint16) {
	ca, cb := classify(a), classify(b)
	if ca == clsUnsupported || cb == clsUnsupported {
		return cmpUnordered, fpIE
	}
	if isNaN(ca) || isNaN(cb) {
		if !quiet || ca == clsSNaN || cb == clsSNaN {
			return cmpUnordered, fpIE
		}
		return cmpUnordered, 0
	}
	fl := denormFlag(ca, cb)
	az, bz := ca == clsZero, cb == clsZero
	switch {
	case az && bz:
		return cmpEqual, fl
	case az:
		if b.neg() {
			return cmpGreater, fl
		}
		return cmpLess, fl
	case bz:
		if a.neg() {
			return cmpLess, fl
		}
		return cmpGreater, fl
	case a.neg() != b.neg():
		if a.neg() {
			return cmpLess, fl
		}
		return cmpGreater, fl
	}
	m := magLess(a, b, ca, cb)
	if a.neg() {
		m = -m
	}
	return cmpEqual + m, fl
}

// f80RoundInt rounds to an integral value per RC (FRNDINT).
func f80RoundInt(a Float80, cw uint16) (Float80, uint16) {
	ca := classify(a)
	switch ca {
	case clsUnsupported:
		return indefinite(), fpIE
	case clsQNaN, clsSNaN:
		return nan1(a, ca)
	case clsZero, clsInf:
		return a, 0
	}
	fl := denormFlag(ca, ca)
	neg, e, m := unpack(a)
	if e >= 63 {
		return a, fl
	}
	r := roundSig(neg, e, m, 0, 64, 0, rcOf(cw))
	if r.inexact {
		fl |= fpPE
	}
	if r.up {
		fl |= fpC1
	}
	if r.sig == 0 {
		return zero80(neg), fl
	}
	return Float80{Mant: r.sig, SExp: signBits(neg) | uint16(r.exp+bias80)}, fl
}

// f80ToInt converts to a signed integer of n bits (16, 32, 64) per RC.
// ok is false on an invalid operation (the value is then the integer
// indefinite).
func f80ToInt(a Float80, n int, cw uint16) (int64, uint16, bool) {
	indef := int64(-1) << uint(n-1)
	ca := classify(a)
	switch ca {
	case clsUnsupported, clsQNaN, clsSNaN, clsInf:
		return indef, fpIE, false
	case clsZero:
		return 0, 0, true
	}
	neg, e, m := unpack(a)
	if e > 63 {
		return indef, fpIE, false
	}
	r := roundSig(neg, e, m, 0, 64, 0, rcOf(cw))
	var fl uint16
	if r.inexact {
		fl |= fpPE
	}
	if r.up {
		fl |= fpC1
	}
	if r.sig == 0 {
		return 0, fl, true
	}
	if r.exp > 63 {
		return indef, fpIE, false
	}
	mag := r.sig >> uint(63-r.exp)
	limit := uint64(1) << uint(n-1) // |min|
	if mag > limit || (mag == limit && !neg) {
		return indef, fpIE, false
	}
	if neg {
		return -int64(mag), fl, true
	}
	return int64(mag), fl, true
}

// memFormat describes a binary32/binary64 memory format.
type memFormat struct {
	prec      int // significand bits including the hidden bit
	emin      int32
	emax      int32
	bias      int32
	expBits   int
	totalBits int
}

func fmtSingle() memFormat {
	return memFormat{prec: 24, emin: -126, emax: 127, bias: 127, expBits: 8, totalBits: 32}
}

func fmtDouble() memFormat {
	return memFormat{prec: 53, emin: -1022, emax: 1023, bias: 1023, expBits: 11, totalBits: 64}
}

// toMem rounds a register value to a memory format per RC (precision
// control does not apply to stores). Unmasked IE, OE or UE mean the
// caller must not store.
func toMem(a Float80, f memFormat, cw uint16) (uint64, uint16) {
	fracBits := f.prec - 1
	expAll := uint64(1)<<uint(f.expBits) - 1
	signBit := uint64(0)
	if a.neg() {
		signBit = 1 << uint(f.totalBits-1)
	}
	ca := classify(a)
	switch ca {
	case clsUnsupported:
		return indefiniteMem(f), fpIE
	case clsQNaN, clsSNaN:
		var fl uint16
		if ca == clsSNaN {
			fl = fpIE
		}
		frac := (a.Mant<<1)>>uint(64-fracBits) | 1<<uint(fracBits-1)
		return signBit | expAll<<uint(fracBits) | frac, fl
	case clsInf:
		return signBit | expAll<<uint(fracBits), 0
	case clsZero:
		return signBit, 0
	}
	neg, e, m := unpack(a)
	rc := rcOf(cw)
	r := roundSig(neg, e, m, 0, f.prec, f.emin-int32(fracBits), rc)
	var fl uint16
	if r.sig != 0 && r.exp > f.emax {
		fl = fpOE | fpPE
		if cw&fpOE == 0 {
			return 0, fpOE
		}
		if overflowToInf(neg, rc) {
			return signBit | expAll<<uint(fracBits), fl | fpC1
		}
		return signBit | (expAll-1)<<uint(fracBits) | (1<<uint(fracBits) - 1), fl
	}
	tiny := false
	if e < f.emin {
		u := roundSig(neg, e, m, 0, f.prec, e-64, rc) // unbounded exponent
		tiny = u.exp < f.emin
		if tiny && cw&fpUE == 0 {
			return 0, fpUE
		}
	}
	if r.inexact {
		fl |= fpPE
		if tiny {
			fl |= fpUE
		}
	}
	if r.up {
		fl |= fpC1
	}
	switch {
	case r.sig == 0:
		return signBit, fl
	case r.exp < f.emin:
		return signBit | r.sig>>uint(64-f.prec+int(f.emin-r.exp)), fl
	}
	frac := (r.sig >> uint(64-f.prec)) & (1<<uint(fracBits) - 1)
	return signBit | uint64(r.exp+f.bias)<<uint(fracBits) | frac, fl
}

func indefiniteMem(f memFormat) uint64 {
	fracBits := f.prec - 1
	return (uint64(1)<<uint(f.expBits+1)-1)<<uint(fracBits) | 1<<uint(fracBits-1)
}

// fromMem converts a binary32/binary64 value exactly. SNaNs are kept
// signalling (arithmetic operands); denormal sources report DE.
func fromMem(v uint64, f memFormat) (Float80, uint16) {
	fracBits := uint(f.prec - 1)
	neg := v>>uint(f.totalBits-1) != 0
	e := int32(v>>fracBits) & (1<<uint(f.expBits) - 1)
	frac := v & (1<<fracBits - 1)
	sign := signBits(neg)
	switch {
	case e == 0:
		if frac == 0 {
			return Float80{SExp: sign}, 0
		}
		n := bits.Len64(frac)
		exp := f.emin - int32(fracBits) + int32(n) - 1
		return Float80{Mant: frac << uint(64-n), SExp: sign | uint16(exp+bias80)}, fpDE
	case e == 1<<uint(f.expBits)-1:
		return Float80{Mant: intBit | frac<<(63-fracBits), SExp: sign | 0x7FFF}, 0
	}
	return Float80{Mant: intBit | frac<<(63-fracBits), SExp: sign | uint16(e-f.bias+bias80)}, 0
}

// loadConvert is fromMem for FLD: an SNaN raises IE and is quieted.
func loadConvert(v uint64, f memFormat) (Float80, uint16) {
	r, fl := fromMem(v, f)
	if classify(r) == clsSNaN {
		r.Mant |= quietBit
		fl |= fpIE
	}
	return r, fl
}

// BCD.

// fromBCD converts an 18-digit packed BCD value (sign in bit 79).
func fromBCD(lo uint64, hi uint16) Float80 {
	var v int64
	for i := 15; i >= 0; i-- {
		v = v*10 + int64(lo>>(uint(i)*4)&0xF)
	}
	v = int64(hi>>4&0xF)*1e17 + int64(hi&0xF)*1e16 + v
	neg := hi&0x8000 != 0
	if v == 0 {
		return zero80(neg)
	}
	r := fromInt(v)
	if neg {
		r.SExp |= 0x8000
	}
	return r
}

// toBCD converts per RC to 18-digit packed BCD. ok is false on an
// invalid operation (the value is then the BCD indefinite).
func toBCD(a Float80, cw uint16) (lo uint64, hi uint16, fl uint16, ok bool) {
	ca := classify(a)
	if ca == clsUnsupported || isNaN(ca) || ca == clsInf {
		return 0xC000000000000000, 0xFFFF, fpIE, false
	}
	v, f, good := f80ToInt(a, 64, cw)
	if !good || v > 999999999999999999 || v < -999999999999999999 {
		return 0xC000000000000000, 0xFFFF, fpIE, false
	}
	neg := a.neg()
	u := uint64(v)
	if v < 0 {
		u = uint64(-v)
	}
	for i := 0; i < 16; i++ {
		lo |= (u % 10) << (uint(i) * 4)
		u /= 10
	}
	hi = uint16(u%10) | uint16(u/10%10)<<4
	if neg {
		hi |= 0x8000
	}
	return lo, hi, f, true
}
