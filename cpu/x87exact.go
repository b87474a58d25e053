package cpu

import "math/bits"

// Exact x87 operations: FSCALE, FXTRACT, FPREM/FPREM1.

// f80Scale returns a × 2^trunc(b) (FSCALE; precision control does not
// apply).
func f80Scale(a, b Float80, cw uint16) (Float80, uint16) {
	ca, cb := classify(a), classify(b)
	if r, fl, done := binaryPrologue(a, b, ca, cb); done {
		return r, fl
	}
	fl := denormFlag(ca, cb)
	if cb == clsInf {
		switch {
		case b.neg() && ca == clsInf, !b.neg() && ca == clsZero:
			return indefinite(), fpIE
		case b.neg():
			return zero80(a.neg()), fl
		}
		return infinity(a.neg()), fl
	}
	if ca == clsZero || ca == clsInf {
		return a, fl
	}
	var n int32
	if cb != clsZero {
		bn, be, bm := unpack(b)
		switch {
		case be < 0:
		case be >= 30: // far beyond the exponent range either way
			n = 1 << 30
		default:
			n = int32(bm >> uint(63-be))
		}
		if bn {
			n = -n
		}
	}
	an, ae, am := unpack(a)
	r, f := pack80(an, ae+n, am, 0, 64, cw)
	return r, fl | f
}

// f80Extract splits a into its unbiased exponent and its significand
// (FXTRACT).
func f80Extract(a Float80) (exp, sig Float80, fl uint16) {
	ca := classify(a)
	switch ca {
	case clsUnsupported:
		return indefinite(), indefinite(), fpIE
	case clsQNaN, clsSNaN:
		r, f := nan1(a, ca)
		return r, r, f
	case clsZero:
		return infinity(true), a, fpZE
	case clsInf:
		return infinity(false), a, 0
	}
	neg, e, m := unpack(a)
	return fromExp(e), Float80{Mant: m, SExp: signBits(neg) | bias80}, denormFlag(ca, ca)
}

// f80Rem computes the partial remainder of a by b: FPREM (truncated
// quotient) or, when ieee, FPREM1 (quotient rounded to nearest even). q
// holds the low bits of the quotient; partial reports an incomplete
// reduction (exponents 64 or more apart: one step reduces them by
// 32 + D mod 32 bits, as Intel and AMD processors do, truncating).
func f80Rem(a, b Float80, ieee bool, cw uint16) (r Float80, q uint64, partial bool, fl uint16) {
	ca, cb := classify(a), classify(b)
	if r, fl, done := binaryPrologue(a, b, ca, cb); done {
		return r, 0, false, fl
	}
	if ca == clsInf || cb == clsZero {
		return indefinite(), 0, false, fpIE
	}
	fl = denormFlag(ca, cb)
	if ca == clsZero || cb == clsInf {
		return a, 0, false, fl
	}
	an, ae, am := unpack(a)
	_, be, bm := unpack(b)
	d := ae - be
	if d >= 64 {
		n := 32 + d%32
		be += d - n
		d = n
		partial = true
		ieee = false
	}
	sign := an
	var rem uint64
	remExp := be // rem × 2^(remExp-63)
	switch {
	case d < -1 || (d == -1 && (!ieee || am <= bm)) || (d < 0 && !ieee):
		return a, 0, false, fl
	case d == -1:
		// FPREM1 with |b|/2 < |a| < |b|: the quotient rounds to 1.
		rem, remExp, q, sign = bm-(am-bm), ae, 1, !an
	default:
		rem = am
		for i := int32(0); i <= d; i++ {
			var carry uint64
			if i > 0 {
				carry = rem >> 63
				rem <<= 1
				q <<= 1
			}
			if carry != 0 || rem >= bm {
				rem -= bm
				q |= 1
			}
		}
		if ieee && (rem > bm-rem || (rem == bm-rem && q&1 != 0)) {
			rem = bm - rem
			q++
			sign = !sign
		}
	}
	if rem == 0 {
		return zero80(an), q, partial, fl
	}
	n := bits.LeadingZeros64(rem)
	res, f := pack80(sign, remExp-int32(n), rem<<uint(n), 0, 64, cw)
	return res, q, partial, fl | f&^fpC1
}
