package cpu

import (
	"fmt"
	"math"
	"math/big"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
)

// The reference model: exact results computed with math/big (or rounded
// to odd at 256 bits, which any later rounding to 64 bits or fewer cannot
// tell from exact), then rounded with big.Float's own rounding to the
// precision left at the result's exponent, in the extended exponent range.

func bigExact(f Float80) *big.Float {
	x := new(big.Float).SetPrec(64)
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

// toOdd makes an inexact truncated x odd in its last place.
func toOdd(x *big.Float, inexact bool) *big.Float {
	if !inexact {
		return x
	}
	prec := x.Prec()
	m := new(big.Float)
	e := x.MantExp(m)
	m.SetMantExp(m, int(prec))
	i, _ := m.Int(nil)
	i.SetBit(i, 0, 1)
	r := new(big.Float).SetPrec(prec).SetInt(i)
	return r.SetMantExp(r, e-int(prec))
}

func bigMode(rc uint8, neg bool) big.RoundingMode {
	switch rc {
	case rcNearest:
		return big.ToNearestEven
	case rcChop:
		return big.ToZero
	case rcDown:
		if neg {
			return big.AwayFromZero
		}
		return big.ToZero
	}
	if neg {
		return big.ToZero
	}
	return big.AwayFromZero
}

// refRoundAt rounds |x| to prec bits with no bit below 2^lsbMin.
func refRoundAt(ax *big.Float, prec int, lsbMin int, mode big.RoundingMode) *big.Float {
	e := ax.MantExp(nil) - 1
	lsb := e - prec + 1
	if lsb < lsbMin {
		lsb = lsbMin
	}
	k := e - lsb + 1
	if k >= 1 {
		return new(big.Float).SetMode(mode).SetPrec(uint(k)).Set(ax)
	}
	unit := new(big.Float).SetMantExp(big.NewFloat(1), lsb)
	half := new(big.Float).SetMantExp(big.NewFloat(1), lsb-1)
	up := false
	switch mode {
	case big.AwayFromZero:
		up = true
	case big.ToNearestEven:
		up = ax.Cmp(half) > 0
	}
	if up {
		return unit
	}
	return new(big.Float)
}

// refRound80 is the reference for register results with every exception
// masked.
func refRound80(x *big.Float, prec int, rc uint8) (Float80, uint16) {
	neg := x.Signbit()
	ax := new(big.Float).Abs(x)
	mode := bigMode(rc, neg)
	r := refRoundAt(ax, prec, lsbMin80+64-prec, mode)
	var fl uint16
	c := r.Cmp(ax)
	if c != 0 {
		fl |= fpPE
	}
	if c > 0 {
		fl |= fpC1
	}
	sign := signBits(neg)
	if r.Sign() != 0 && r.MantExp(nil)-1 > emax80 {
		fl = fpOE | fpPE
		if overflowToInf(neg, rc) {
			return infinity(neg), fl | fpC1
		}
		return Float80{Mant: ^uint64(0) << uint(64-prec), SExp: sign | 0x7FFE}, fl
	}
	if ax.MantExp(nil)-1 < emin80 && c != 0 {
		u := refRoundAt(ax, prec, ax.MantExp(nil)-200, mode) // unbounded exponent
		if u.MantExp(nil)-1 < emin80 {
			fl |= fpUE
		}
	}
	if r.Sign() == 0 {
		return Float80{SExp: sign}, fl
	}
	er := r.MantExp(nil) - 1
	if er < emin80 {
		m, _ := new(big.Float).SetMantExp(r, -lsbMin80).Uint64()
		return Float80{Mant: m, SExp: sign}, fl
	}
	m, _ := new(big.Float).SetMantExp(r, 63-er).Uint64()
	return Float80{Mant: m, SExp: sign | uint16(er+bias80)}, fl
}

// randFinite returns a random finite nonzero value of a few flavours.
func randFinite(rng *rand.Rand) Float80 {
	var e int
	switch rng.Intn(6) {
	case 0, 1:
		e = bias80 + rng.Intn(130) - 65
	case 2:
		e = rng.Intn(0x7FFF)
	case 3:
		e = rng.Intn(70) // around the denormal range
	case 4:
		e = 0x7FFE - rng.Intn(70)
	default:
		e = bias80 + rng.Intn(8) - 4
	}
	var m uint64
	switch rng.Intn(5) {
	case 0:
		m = ^uint64(0) << uint(rng.Intn(64))
	case 1:
		m = intBit | uint64(1)<<uint(rng.Intn(63))
	default:
		m = rng.Uint64() | intBit
	}
	if e == 0 {
		m &^= intBit
		if m == 0 {
			m = 1
		}
	}
	if rng.Intn(2) == 0 {
		return Float80{Mant: m, SExp: 0x8000 | uint16(e)}
	}
	return Float80{Mant: m, SExp: uint16(e)}
}

func allCW() []uint16 {
	var cws []uint16
	for _, pc := range []uint16{0, 2, 3} {
		for rc := uint16(0); rc < 4; rc++ {
			cws = append(cws, 0x037F&^0x0F00|pc<<8|rc<<10)
		}
	}
	return cws
}

func fmtF(f Float80) string { return fmt.Sprintf("%04X:%016X", f.SExp, f.Mant) }

func checkRef(t *testing.T, what string, a, b Float80, cw uint16, got Float80, gotFl uint16, exact *big.Float) {
	t.Helper()
	want, wantFl := refRound80(exact, precOf(cw), rcOf(cw))
	if got != want || gotFl&(fpPE|fpUE|fpOE|fpC1) != wantFl {
		t.Fatalf("%s %s, %s cw=%04X: got %s fl=%04X want %s fl=%04X", what, fmtF(a), fmtF(b), cw,
			fmtF(got), gotFl, fmtF(want), wantFl)
	}
}

func TestSoftFloatArithmeticVsBig(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	n := 4000
	if testing.Short() {
		n = 500
	}
	for _, cw := range allCW() {
		for i := 0; i < n; i++ {
			a, b := randFinite(rng), randFinite(rng)
			if rng.Intn(4) == 0 { // nearby exponents: cancellation
				b.SExp = b.SExp&0x8000 | a.SExp&0x7FFF
				if b.SExp&0x7FFF != 0 {
					b.Mant |= intBit
				}
			}
			ba, bb := bigExact(a), bigExact(b)
			// a + b and a - b: exact with enough precision.
			_, ea, _ := unpack(a)
			_, eb, _ := unpack(b)
			d := ea - eb
			if d < 0 {
				d = -d
			}
			prec := uint(d) + 130
			for _, sub := range []bool{false, true} {
				got, fl := f80Add(a, b, sub, cw)
				s := new(big.Float).SetPrec(prec)
				if sub {
					s.Sub(ba, bb)
				} else {
					s.Add(ba, bb)
				}
				if s.Sign() == 0 {
					require.Equal(t, zero80(rcOf(cw) == rcDown), got)
					continue
				}
				checkRef(t, fmt.Sprintf("add(sub=%v)", sub), a, b, cw, got, fl, s)
			}
			got, fl := f80Mul(a, b, cw)
			p := new(big.Float).SetPrec(130).Mul(ba, bb)
			checkRef(t, "mul", a, b, cw, got, fl, p)

			got, fl = f80Div(a, b, cw)
			q := new(big.Float).SetPrec(256).SetMode(big.ToZero).Quo(ba, bb)
			checkRef(t, "div", a, b, cw, got, fl, toOdd(q, q.Acc() != big.Exact))

			if !a.neg() {
				got, fl = f80Sqrt(a, cw)
				r := new(big.Float).SetPrec(300).Sqrt(ba)
				r2 := new(big.Float).SetPrec(256).SetMode(big.ToZero).Set(r)
				sq := new(big.Float).SetPrec(600).Mul(r2, r2)
				checkRef(t, "sqrt", a, a, cw, got, fl, toOdd(r2, sq.Cmp(ba) != 0))
			}
		}
	}
}

func TestSoftFloatConversionsVsGo(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for i := 0; i < 20000; i++ {
		a := randFinite(rng)
		ba := bigExact(a)
		f64, _ := ba.Float64()
		got, _ := toMem(a, fmtDouble(), 0x037F)
		require.Equal(t, math.Float64bits(f64), got, "to double %s", fmtF(a))
		f32, _ := ba.Float32()
		got, _ = toMem(a, fmtSingle(), 0x037F)
		require.Equal(t, uint64(math.Float32bits(f32)), got, "to single %s", fmtF(a))
		// And back, exactly.
		back, _ := fromMem(math.Float64bits(f64), fmtDouble())
		if f64 != 0 && !math.IsInf(f64, 0) {
			require.Equal(t, 0, bigExact(back).Cmp(big.NewFloat(f64)))
		}
	}
	// Every RC against the reference model, through binary64 and binary32.
	for _, cw := range allCW() {
		for i := 0; i < 3000; i++ {
			a := randFinite(rng)
			for _, f := range []memFormat{fmtSingle(), fmtDouble()} {
				got, fl := toMem(a, f, cw)
				ax := new(big.Float).Abs(bigExact(a))
				r := refRoundAt(ax, f.prec, int(f.emin)-(f.prec-1), bigMode(rcOf(cw), a.neg()))
				if r.Sign() != 0 && r.MantExp(nil)-1 > int(f.emax) {
					require.NotZero(t, fl&fpOE)
					continue
				}
				v := r
				if a.neg() {
					v = new(big.Float).Neg(r)
				}
				var want uint64
				if f.prec == 24 {
					x, _ := v.Float32()
					want = uint64(math.Float32bits(x))
				} else {
					x, _ := v.Float64()
					want = math.Float64bits(x)
				}
				require.Equal(t, want, got, "%s cw=%04X prec=%d", fmtF(a), cw, f.prec)
				require.Equal(t, r.Cmp(ax) != 0, fl&fpPE != 0)
			}
		}
	}
}

func TestSoftFloatIntegers(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	vals := []int64{0, 1, -1, math.MaxInt64, math.MinInt64, math.MaxInt32, math.MinInt32, 1<<53 + 1, -(1<<63 - 1)}
	for i := 0; i < 5000; i++ {
		vals = append(vals, int64(rng.Uint64()), int64(rng.Uint64()>>uint(rng.Intn(64))))
	}
	for _, v := range vals {
		f := fromInt(v)
		got, fl, ok := f80ToInt(f, 64, 0x037F)
		require.True(t, ok)
		require.Zero(t, fl)
		require.Equal(t, v, got)
		bi, _ := bigExact(f).Int(nil)
		require.Equal(t, v, bi.Int64())
	}
	// Rounding of halves per RC, and the integer indefinite.
	type tc struct {
		x    float64
		rc   uint8
		want int64
	}
	for _, c := range []tc{
		{2.5, rcNearest, 2}, {3.5, rcNearest, 4}, {-2.5, rcNearest, -2}, {-3.5, rcNearest, -4},
		{2.5, rcDown, 2}, {-2.5, rcDown, -3}, {2.5, rcUp, 3}, {-2.5, rcUp, -2},
		{2.7, rcChop, 2}, {-2.7, rcChop, -2}, {0.3, rcUp, 1}, {-0.3, rcDown, -1},
	} {
		got, fl, ok := f80ToInt(fromFloat64(c.x), 32, 0x037F|uint16(c.rc)<<10)
		require.True(t, ok)
		require.Equal(t, c.want, got, "%v rc=%d", c.x, c.rc)
		require.Equal(t, fpPE, fl&fpPE)
	}
	_, fl, ok := f80ToInt(fromInt(32768), 16, 0x037F)
	require.False(t, ok)
	require.Equal(t, fpIE, fl)
	v, _, ok := f80ToInt(fromInt(-32768), 16, 0x037F)
	require.True(t, ok)
	require.Equal(t, int64(-32768), v)
	_, _, ok = f80ToInt(fromFloat64(-32768.6), 16, 0x037F|uint16(rcChop)<<10)
	require.True(t, ok)
	_, _, ok = f80ToInt(fromFloat64(-32768.6), 16, 0x037F)
	require.False(t, ok)
}

func TestSoftFloatBCD(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	for i := 0; i < 5000; i++ {
		v := rng.Int63n(1e18)
		if rng.Intn(2) == 0 {
			v = -v
		}
		lo, hi, fl, ok := toBCD(fromInt(v), 0x037F)
		require.True(t, ok)
		require.Zero(t, fl)
		// Check the digits independently through the decimal string.
		s := fmt.Sprintf("%018d", abs64(v))
		var wantLo uint64
		for j := 0; j < 16; j++ {
			wantLo |= uint64(s[17-j]-'0') << (4 * uint(j))
		}
		wantHi := uint16(s[1]-'0') | uint16(s[0]-'0')<<4
		if v < 0 {
			wantHi |= 0x8000
		}
		require.Equal(t, wantLo, lo)
		require.Equal(t, wantHi, hi)
		require.Equal(t, fromInt(v), fromBCD(lo, hi))
	}
	lo, hi, fl, ok := toBCD(fromInt(1e18), 0x037F)
	require.False(t, ok)
	require.Equal(t, fpIE, fl)
	require.Equal(t, Float80{Mant: 0xC000000000000000, SExp: 0xFFFF}, Float80{Mant: lo, SExp: hi})
	require.Equal(t, zero80(true), fromBCD(0, 0x8000))
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// Hand-checked special cases of the arithmetic core.
func TestSoftFloatSpecials(t *testing.T) {
	const cw = 0x037F
	one := fromInt(1)
	inf := infinity(false)
	ninf := infinity(true)
	qnan := Float80{Mant: 0xC000000000000001, SExp: 0x7FFF}
	snan := Float80{Mant: 0x8000000000000001, SExp: 0x7FFF}
	snanBig := Float80{Mant: 0x8000000000000009, SExp: 0x7FFF}
	unnormal := Float80{Mant: 0x4000000000000000, SExp: 0x3FFF}
	denorm := Float80{Mant: 1, SExp: 0}
	pseudoDenorm := Float80{Mant: intBit, SExp: 0}
	type tc struct {
		name string
		got  func() (Float80, uint16)
		want Float80
		fl   uint16
	}
	for _, c := range []tc{
		{"inf-inf", func() (Float80, uint16) { return f80Add(inf, inf, true, cw) }, indefinite(), fpIE},
		{"inf+inf", func() (Float80, uint16) { return f80Add(inf, inf, false, cw) }, inf, 0},
		{"0*inf", func() (Float80, uint16) { return f80Mul(Float80{}, ninf, cw) }, indefinite(), fpIE},
		{"0/0", func() (Float80, uint16) { return f80Div(Float80{}, zero80(true), cw) }, indefinite(), fpIE},
		{"1/-0", func() (Float80, uint16) { return f80Div(one, zero80(true), cw) }, ninf, fpZE},
		{"denorm/0", func() (Float80, uint16) { return f80Div(denorm, Float80{}, cw) }, inf, fpZE},
		{"qnan+1", func() (Float80, uint16) { return f80Add(qnan, one, false, cw) }, qnan, 0},
		{"1+snan", func() (Float80, uint16) { return f80Add(one, snan, false, cw) },
			Float80{Mant: 0xC000000000000001, SExp: 0x7FFF}, fpIE},
		{"snan+qnan", func() (Float80, uint16) { return f80Add(snanBig, qnan, false, cw) }, qnan, fpIE},
		{"snan*snan", func() (Float80, uint16) { return f80Mul(snan, snanBig, cw) },
			Float80{Mant: 0xC000000000000009, SExp: 0x7FFF}, fpIE},
		{"unnormal", func() (Float80, uint16) { return f80Add(unnormal, one, false, cw) }, indefinite(), fpIE},
		{"sqrt(-1)", func() (Float80, uint16) { return f80Sqrt(fromInt(-1), cw) }, indefinite(), fpIE},
		{"sqrt(-0)", func() (Float80, uint16) { return f80Sqrt(zero80(true), cw) }, zero80(true), 0},
		{"x-x", func() (Float80, uint16) { return f80Add(one, one, true, cw) }, Float80{}, 0},
		{"x-x down", func() (Float80, uint16) { return f80Add(one, one, true, cw|0x400) }, zero80(true), 0},
		{"-0+-0", func() (Float80, uint16) { return f80Add(zero80(true), zero80(true), false, cw) }, zero80(true), 0},
		{"denorm+0", func() (Float80, uint16) { return f80Add(denorm, Float80{}, false, cw) }, denorm, fpDE},
		{"pseudo-denorm+0", func() (Float80, uint16) { return f80Add(pseudoDenorm, Float80{}, false, cw) },
			Float80{Mant: intBit, SExp: 1}, fpDE},
		{"2^-16382/2", func() (Float80, uint16) { return f80Div(Float80{Mant: intBit, SExp: 1}, fromInt(2), cw) },
			Float80{Mant: 1 << 62}, 0},
		{"tiny*tiny", func() (Float80, uint16) {
			return f80Mul(Float80{Mant: intBit, SExp: 1}, Float80{Mant: intBit, SExp: 1}, cw)
		}, Float80{}, fpUE | fpPE},
		{"max*2", func() (Float80, uint16) { return f80Mul(Float80{Mant: ^uint64(0), SExp: 0x7FFE}, fromInt(2), cw) },
			inf, fpOE | fpPE | fpC1},
		{"max*2 chop", func() (Float80, uint16) {
			return f80Mul(Float80{Mant: ^uint64(0), SExp: 0x7FFE}, fromInt(2), cw|0xC00)
		}, Float80{Mant: ^uint64(0), SExp: 0x7FFE}, fpOE | fpPE},
		{"max*2 unmasked", func() (Float80, uint16) {
			return f80Mul(Float80{Mant: ^uint64(0), SExp: 0x7FFE}, fromInt(2), cw&^fpOE)
		}, Float80{Mant: ^uint64(0), SExp: 0x7FFF - 24576}, fpOE},
		{"tiny*tiny unmasked", func() (Float80, uint16) {
			return f80Mul(Float80{Mant: intBit, SExp: 1}, Float80{Mant: intBit, SExp: 1}, cw&^fpUE)
		}, Float80{Mant: intBit, SExp: uint16(2*-16382 + 24576 + bias80)}, fpUE},
		// Found by the QEMU differential test: a scale of 2^31-1 and a
		// far underflow to zero.
		{"fscale huge", func() (Float80, uint16) {
			return f80Scale(Float80{Mant: 0xB4BB6FC3D7FCC31A, SExp: 0x4009}, Float80{Mant: 0xFFFFFFFFFFFFFFFE, SExp: 0x401D}, 0x0B7F)
		}, infinity(false), fpOE | fpPE | fpC1},
		{"fscale tiny", func() (Float80, uint16) {
			return f80Scale(fromInt(20), Float80{Mant: 0xBBFF8E1B306AECFC, SExp: 0xC01D}, 0x0F7F)
		}, Float80{}, fpUE | fpPE},
	} {
		got, fl := c.got()
		require.Equal(t, fmtF(c.want), fmtF(got), c.name)
		require.Equal(t, c.fl, fl&^fpC1|fl&c.fl&fpC1, c.name)
	}
}

func TestSoftFloatCompare(t *testing.T) {
	one, two := fromInt(1), fromInt(2)
	for _, c := range []struct {
		a, b  Float80
		quiet bool
		rel   int
		fl    uint16
	}{
		{one, two, false, cmpLess, 0},
		{two, one, false, cmpGreater, 0},
		{fromInt(-2), one, false, cmpLess, 0},
		{zero80(true), Float80{}, false, cmpEqual, 0},
		{infinity(true), fromInt(-5), false, cmpLess, 0},
		{Float80{Mant: 1}, Float80{}, false, cmpGreater, fpDE},
		{indefinite(), one, true, cmpUnordered, 0},
		{indefinite(), one, false, cmpUnordered, fpIE},
		{Float80{Mant: intBit | 1, SExp: 0x7FFF}, one, true, cmpUnordered, fpIE},
		{Float80{Mant: intBit, SExp: 0}, Float80{Mant: intBit, SExp: 1}, false, cmpEqual, fpDE},
	} {
		rel, fl := f80Compare(c.a, c.b, c.quiet)
		require.Equal(t, c.rel, rel, "%s vs %s", fmtF(c.a), fmtF(c.b))
		require.Equal(t, c.fl, fl)
	}
}

func TestSoftFloatRemainder(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for i := 0; i < 20000; i++ {
		a, b := randFinite(rng), randFinite(rng)
		_, ea, _ := unpack(a)
		_, eb, _ := unpack(b)
		if ea-eb >= 64 || ea-eb < -3 {
			continue
		}
		for _, ieee := range []bool{false, true} {
			r, q, partial, _ := f80Rem(a, b, ieee, 0x037F)
			require.False(t, partial)
			// Reference: n = trunc or round-half-even of a/b, r = a - n×b.
			ba, bb := bigExact(a), bigExact(b)
			quo := new(big.Float).SetPrec(400).Quo(ba, bb)
			n, _ := quo.Int(nil) // truncates
			if ieee {
				frac := new(big.Float).SetPrec(400).Sub(quo, new(big.Float).SetInt(n))
				frac.Abs(frac)
				c := frac.Cmp(big.NewFloat(0.5))
				if c > 0 || (c == 0 && n.Bit(0) == 1) {
					if quo.Sign() < 0 {
						n.Sub(n, big.NewInt(1))
					} else {
						n.Add(n, big.NewInt(1))
					}
				}
			}
			want := new(big.Float).SetPrec(20000).Mul(new(big.Float).SetInt(n), bb)
			want.Sub(ba, want)
			if want.Sign() == 0 {
				require.Equal(t, zero80(a.neg()), r)
			} else {
				w, _ := refRound80(want, 64, rcNearest)
				require.Equal(t, fmtF(w), fmtF(r), "rem(%v) %s %s", ieee, fmtF(a), fmtF(b))
			}
			an := new(big.Int).Abs(n)
			require.Equal(t, an.Uint64()&7, q&7, "quotient bits")
		}
	}
	// Partial remainder: exponents 100 apart reduce by 32 + 100%32 = 36.
	a := Float80{Mant: 0xC000000000000000, SExp: bias80 + 100}
	r, _, partial, _ := f80Rem(a, fromInt(3), false, 0x037F)
	require.True(t, partial)
	_, er, _ := unpack(r)
	require.Less(t, er, int32(100-30))
}

func TestConstantsAgainstSeries(t *testing.T) {
	c := newTestCPU(t, nil)
	ln2 := c.bigLn2()
	pi := c.bigPi()
	ln10 := c.lnBig(new(big.Float).SetPrec(transPrec).SetInt64(10))
	lg2 := new(big.Float).SetPrec(transPrec).Quo(ln2, ln10)
	l2t := new(big.Float).SetPrec(transPrec).Quo(ln10, ln2)
	l2e := new(big.Float).SetPrec(transPrec).Quo(big.NewFloat(1), ln2)
	// Sanity of the series against float64.
	f, _ := pi.Float64()
	require.Equal(t, math.Pi, f)
	f, _ = ln2.Float64()
	require.Equal(t, math.Ln2, f)
	for k, v := range map[int]*big.Float{1: l2t, 2: l2e, 3: pi, 4: lg2, 5: ln2} {
		for rc := uint8(0); rc < 4; rc++ {
			want, _ := refRound80(v, 64, rc)
			require.Equal(t, fmtF(want), fmtF(fpConst(k, rc)), "constant %d rc %d", k, rc)
		}
	}
}
