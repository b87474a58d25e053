package cpu

import (
	"encoding/binary"
	"math"
	"math/big"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"bt86/decoder"
)

// The x87 tests run real-mode code at 0000:1000 (ending in HLT) with
// data at 0000:2000 and every exception vector v pointing at a HLT at
// 0000:3000+16v, so the halt address tells which exception was taken.

const (
	x87Data    = 0x2000
	x87Handler = 0x3000
)

func x87CPU(t testing.TB, code []byte) *CPU {
	c := newTestCPU(t, append(append([]byte{}, code...), 0xF4))
	for v := 0; v < 32; v++ {
		binary.LittleEndian.PutUint16(c.ram[4*v:], uint16(x87Handler+16*v))
		binary.LittleEndian.PutUint16(c.ram[4*v+2:], 0)
		c.ram[x87Handler+16*v] = 0xF4
	}
	c.CR0 |= CR0NE
	return c
}

func x87Run(t testing.TB, c *CPU) {
	exit := c.Run(100000)
	require.Equal(t, ExitHalt, exit.Reason)
}

// vector returns the exception taken, or -1 if the code ran to its HLT.
func vector(c *CPU) int {
	if c.EIP > x87Handler && c.EIP <= x87Handler+16*32 {
		return int(c.EIP-x87Handler-1) / 16
	}
	return -1
}

func f80(sexp uint16, mant uint64) Float80 { return Float80{Mant: mant, SExp: sexp} }

func le16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// mem builds a ModRM [disp16] instruction: opcode, reg, address.
func mem(op byte, reg int, addr uint16) []byte {
	return []byte{op, byte(reg<<3 | 6), byte(addr), byte(addr >> 8)}
}

var (
	fninit = []byte{0xDB, 0xE3}
	fld1   = []byte{0xD9, 0xE8}
	fldz   = []byte{0xD9, 0xEE}
)

func fldcw(addr uint16) []byte { return mem(0xD9, 5, addr) }

type x87Case struct {
	name  string
	code  []byte
	data  []byte // at x87Data
	st    []Float80
	swSet uint16 // status-word bits that must be set
	swClr uint16 // and clear
	mem   []byte // expected at x87Data+0x100
	check func(t *testing.T, c *CPU)
}

func runX87Cases(t *testing.T, cases []x87Case) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := x87CPU(t, cat(fninit, tc.code))
			copy(c.ram[x87Data:], tc.data)
			x87Run(t, c)
			require.Equal(t, -1, vector(c), "exception")
			for i, want := range tc.st {
				require.False(t, c.FPU.empty(i), "ST(%d) empty", i)
				require.Equal(t, fmtF(want), fmtF(c.FPU.st(i)), "ST(%d)", i)
			}
			require.Equal(t, tc.swSet, c.FPU.SW&tc.swSet, "SW=%04X must have %04X", c.FPU.SW, tc.swSet)
			require.Zero(t, c.FPU.SW&tc.swClr, "SW=%04X must not have %04X", c.FPU.SW, tc.swClr)
			if tc.mem != nil {
				require.Equal(t, tc.mem, c.ram[x87Data+0x100:x87Data+0x100+len(tc.mem)])
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

const out = x87Data + 0x100 // where cases store results

func TestX87Arithmetic(t *testing.T) {
	third := func(cw uint16) []byte { return cat(fldcw(x87Data+2), fld1, mem(0xDE, 6, x87Data)) } // FIDIV m16
	data3 := func(cw uint16) []byte { return cat(le16(3), le16(cw)) }
	runX87Cases(t, []x87Case{
		{name: "1+1", code: cat(fld1, fld1, []byte{0xDE, 0xC1}), st: []Float80{f80(0x4000, intBit)},
			swClr: fpExc | fpC1, check: func(t *testing.T, c *CPU) {
				require.Equal(t, 7, c.FPU.top())
				require.Equal(t, uint16(0x3FFF), c.FPU.TW)
			}},
		{name: "1/3 pc64", code: third(0x037F), data: data3(0x037F),
			st: []Float80{f80(0x3FFD, 0xAAAAAAAAAAAAAAAB)}, swSet: fpPE | fpC1},
		{name: "1/3 pc53", code: third(0x027F), data: data3(0x027F),
			st: []Float80{f80(0x3FFD, 0xAAAAAAAAAAAAA800)}, swSet: fpPE, swClr: fpC1},
		{name: "1/3 pc24", code: third(0x007F), data: data3(0x007F),
			st: []Float80{f80(0x3FFD, 0xAAAAAB0000000000)}, swSet: fpPE | fpC1},
		{name: "1/3 chop", code: third(0x0F7F), data: data3(0x0F7F),
			st: []Float80{f80(0x3FFD, 0xAAAAAAAAAAAAAAAA)}, swSet: fpPE, swClr: fpC1},
		{name: "-1/3 down", code: cat(third(0x077F), []byte{0xD9, 0xE0}), data: data3(0x077F),
			st: []Float80{f80(0xBFFD, 0xAAAAAAAAAAAAAAAA)}, swSet: fpPE},
		{name: "sqrt2", code: cat(fld1, fld1, []byte{0xDE, 0xC1, 0xD9, 0xFA}),
			st: []Float80{f80(0x3FFF, 0xB504F333F9DE6484)}, swSet: fpPE, swClr: fpC1},
		{name: "fadd m32", code: cat(fld1, mem(0xD8, 0, x87Data)), data: le32(0x3FC00000), // 1 + 1.5
			st: []Float80{f80(0x4000, 0xA000000000000000)}},
		{name: "fsubr m64", code: cat(fld1, mem(0xDC, 5, x87Data)), data: le64(0x4024000000000000), // 10 - 1
			st: []Float80{f80(0x4002, 0x9000000000000000)}},
		{name: "fdivr st(i)", code: cat(fld1, fld1, fld1, []byte{0xDE, 0xC1, 0xDC, 0xF1}), // st1 = st0/st1 = 2/1
			st: []Float80{f80(0x4000, intBit), f80(0x4000, intBit)}},
		{name: "fdiv st(i)", code: cat(fld1, fld1, fld1, []byte{0xDE, 0xC1, 0xDC, 0xF9}), // st1 = st1/st0 = 1/2
			st: []Float80{f80(0x4000, intBit), f80(0x3FFE, intBit)}},
		{name: "fsubp", code: cat(fld1, fldz, []byte{0xDE, 0xE9}), // st1 = st1 - st0 = 1 - 0
			st: []Float80{f80(0x3FFF, intBit)}},
		{name: "fsubrp", code: cat(fld1, fldz, []byte{0xDE, 0xE1}), // st1 = st0 - st1 = -1
			st: []Float80{f80(0xBFFF, intBit)}},
		{name: "fimul m32", code: cat(fld1, mem(0xDA, 1, x87Data)), data: le32(0xFFFFFFF9),
			st: []Float80{f80(0xC001, 0xE000000000000000)}},
		{name: "div by zero", code: cat(fld1, fldz, []byte{0xDE, 0xF9}), st: []Float80{infinity(false)},
			swSet: fpZE, swClr: fpES},
		{name: "fsubp zero", code: cat(fld1, fld1, []byte{0xDE, 0xC1}, fldz, []byte{0xDE, 0xE9}),
			st: []Float80{f80(0x4000, intBit)}},
		{name: "stack underflow", code: []byte{0xD8, 0xC1}, st: []Float80{indefinite()},
			swSet: fpIE | fpSF, swClr: fpC1},
		{name: "stack overflow", code: cat(fld1, fld1, fld1, fld1, fld1, fld1, fld1, fld1, fld1),
			st: []Float80{indefinite(), f80(0x3FFF, intBit)}, swSet: fpIE | fpSF | fpC1},
		{name: "fchs fabs", code: cat(fldz, []byte{0xD9, 0xE0}, fld1, []byte{0xD9, 0xE0, 0xD9, 0xE1}),
			st: []Float80{f80(0x3FFF, intBit), zero80(true)}},
		{name: "fxch", code: cat(fld1, fldz, []byte{0xD9, 0xC9}), st: []Float80{f80(0x3FFF, intBit), {}}},
		{name: "fxch4 alias", code: cat(fld1, fldz, []byte{0xDD, 0xC9}), st: []Float80{f80(0x3FFF, intBit), {}}},
		{name: "fstp st1", code: cat(fld1, fldz, fld1, []byte{0xDD, 0xDA}), st: []Float80{{}, f80(0x3FFF, intBit)}},
		{name: "fstp1 alias", code: cat(fldz, fld1, []byte{0xD9, 0xD9}), st: []Float80{f80(0x3FFF, intBit)}},
		{name: "ffreep", code: cat(fldz, fld1, fld1, []byte{0xDF, 0xC1}),
			check: func(t *testing.T, c *CPU) {
				require.True(t, c.FPU.empty(0))
				require.Equal(t, Float80{}, c.FPU.st(1))
				require.Equal(t, 6, c.FPU.top())
			}},
		{name: "fincstp", code: cat(fld1, []byte{0xD9, 0xF7}), check: func(t *testing.T, c *CPU) {
			require.Equal(t, 0, c.FPU.top())
			require.True(t, c.FPU.empty(0))
			require.False(t, c.FPU.empty(7))
		}},
	})
}

func TestX87LoadStore(t *testing.T) {
	runX87Cases(t, []x87Case{
		{name: "fstp m32 1/3", code: cat(fld1, mem(0xDE, 6, x87Data), mem(0xD9, 3, out)), data: le16(3),
			mem: le32(0x3EAAAAAB), swSet: fpPE | fpC1},
		{name: "fstp m64 1/3", code: cat(fld1, mem(0xDE, 6, x87Data), mem(0xDD, 3, out)), data: le16(3),
			mem: le64(0x3FD5555555555555), swSet: fpPE, swClr: fpC1},
		{name: "fst m32 overflow", code: cat(mem(0xDD, 0, x87Data), mem(0xD9, 2, out)), data: le64(0x7FEFFFFFFFFFFFFF),
			mem: le32(0x7F800000), swSet: fpOE | fpPE, st: []Float80{f80(0x43FE, 0xFFFFFFFFFFFFF800)}},
		{name: "fst m32 denormal", code: cat(mem(0xDD, 0, x87Data), mem(0xD9, 2, out)),
			data: le64(0x3800000000000000), mem: le32(0x00400000), swClr: fpUE | fpPE}, // 2^-127
		{name: "fld m32 denormal", code: mem(0xD9, 0, x87Data), data: le32(1),
			st: []Float80{f80(0x3F6A, intBit)}, swSet: fpDE}, // 2^-149
		{name: "fld m32 snan", code: mem(0xD9, 0, x87Data), data: le32(0xFF800001),
			st: []Float80{f80(0xFFFF, 0xC000010000000000)}, swSet: fpIE},
		{name: "fld m80 snan kept", code: cat(mem(0xDB, 5, x87Data), mem(0xDB, 7, out)),
			data: cat(le64(0x8000000000000001), le16(0x7FFF)), mem: cat(le64(0x8000000000000001), le16(0x7FFF)),
			swClr: fpIE},
		{name: "fild m64 max", code: cat(mem(0xDF, 5, x87Data), mem(0xDF, 2, out), mem(0xDF, 7, out+2)),
			data: le64(math.MaxInt64), mem: cat(le16(0x8000), le64(math.MaxInt64)), swSet: fpIE},
		{name: "fild m64 min", code: mem(0xDF, 5, x87Data), data: le64(1 << 63),
			st: []Float80{f80(0xC03E, intBit)}},
		{name: "fild m16 -1", code: cat(mem(0xDF, 0, x87Data), mem(0xDB, 3, out)), data: le16(0xFFFF),
			mem: le32(0xFFFFFFFF)},
		{name: "fist round", code: cat(mem(0xDD, 0, x87Data), mem(0xDB, 2, out), fldcw(x87Data+8),
			mem(0xDB, 2, out+4)), data: cat(le64(0x4004000000000000), le16(0x0B7F)), // 2.5
			mem: cat(le32(2), le32(3)), swSet: fpPE | fpC1},
		{name: "fbstp", code: cat(mem(0xDF, 5, x87Data), []byte{0xD9, 0xE0}, mem(0xDF, 6, out)),
			data: le64(123456789012345678), mem: []byte{0x78, 0x56, 0x34, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12, 0x80}},
		{name: "fbld", code: mem(0xDF, 4, x87Data), data: []byte{0x21, 0x43, 0, 0, 0, 0, 0, 0, 0, 0x80},
			st: []Float80{fromInt(-4321)}},
		{name: "fbstp invalid", code: cat(mem(0xDF, 5, x87Data), mem(0xDF, 6, out)), data: le64(1e18),
			mem: []byte{0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF}, swSet: fpIE},
		{name: "fstp m32 empty", code: mem(0xD9, 3, out), mem: le32(0xFFC00000), swSet: fpIE | fpSF},
		{name: "fldcw fnstcw", code: cat(fldcw(x87Data), mem(0xD9, 7, out)), data: le16(0xFFFF), mem: le16(0x1F7F)},
		{name: "fnstsw ax", code: cat(fld1, []byte{0xDF, 0xE0}, mem(0xDD, 7, out)), check: func(t *testing.T, c *CPU) {
			require.Equal(t, uint16(0x3800), uint16(c.Regs[EAX]))
			require.Equal(t, uint16(0x3800), binary.LittleEndian.Uint16(c.ram[out:]))
		}},
	})
}

func TestX87Constants(t *testing.T) {
	for rc, pi := range []uint64{0xC90FDAA22168C235, 0xC90FDAA22168C234, 0xC90FDAA22168C235, 0xC90FDAA22168C234} {
		c := x87CPU(t, cat(fninit, fldcw(x87Data), []byte{0xD9, 0xEB, 0xD9, 0xE9, 0xD9, 0xEA, 0xD9, 0xEC, 0xD9, 0xED}))
		copy(c.ram[x87Data:], le16(0x037F|uint16(rc)<<10))
		x87Run(t, c)
		l2t := uint64(0xD49A784BCD1B8AFE)
		if rc == int(rcUp) {
			l2t++
		}
		down := uint64(0)
		if rc == int(rcDown) || rc == int(rcChop) {
			down = 1
		}
		require.Equal(t, f80(0x3FFE, 0xB17217F7D1CF79AC-down), c.FPU.st(0), "ln2 rc=%d", rc)
		require.Equal(t, f80(0x3FFD, 0x9A209A84FBCFF799-down), c.FPU.st(1), "lg2 rc=%d", rc)
		require.Equal(t, f80(0x3FFF, 0xB8AA3B295C17F0BC-down), c.FPU.st(2), "l2e rc=%d", rc)
		require.Equal(t, f80(0x4000, l2t), c.FPU.st(3), "l2t rc=%d", rc)
		require.Equal(t, f80(0x4000, pi), c.FPU.st(4), "pi rc=%d", rc)
		require.Zero(t, c.FPU.SW&(fpPE|fpC1))
	}
}

func TestX87Compare(t *testing.T) {
	fcomi := func(c *CPU) uint32 { return c.EFlags() & (FlagZF | FlagPF | FlagCF | FlagOF | FlagSF | FlagAF) }
	runX87Cases(t, []x87Case{
		{name: "fcom less", code: cat(fld1, fldz, []byte{0xD8, 0xD1}), swSet: fpC0, swClr: fpC3 | fpC2 | fpC1},
		{name: "fcom equal", code: cat(fld1, fld1, []byte{0xD8, 0xD1}), swSet: fpC3, swClr: fpC0 | fpC2},
		{name: "fcompp greater", code: cat(fldz, fld1, []byte{0xDE, 0xD9}), swClr: fpC0 | fpC2 | fpC3,
			check: func(t *testing.T, c *CPU) { require.True(t, c.FPU.empty(0)) }},
		{name: "fcom2 alias", code: cat(fld1, fldz, []byte{0xDC, 0xD1}), swSet: fpC0},
		{name: "fcom m32", code: cat(fld1, mem(0xD8, 2, x87Data)), data: le32(0x40000000), swSet: fpC0},
		{name: "ficomp m16", code: cat(fld1, mem(0xDE, 3, x87Data)), data: le16(1), swSet: fpC3,
			check: func(t *testing.T, c *CPU) { require.True(t, c.FPU.empty(0)) }},
		{name: "fucompp qnan", code: cat(fld1, mem(0xDD, 0, x87Data), []byte{0xDA, 0xE9}), data: le64(0x7FF8000000000000),
			swSet: fpC0 | fpC2 | fpC3, swClr: fpIE},
		{name: "fcompp qnan", code: cat(fld1, mem(0xDD, 0, x87Data), []byte{0xDE, 0xD9}), data: le64(0x7FF8000000000000),
			swSet: fpC0 | fpC2 | fpC3 | fpIE},
		{name: "ftst neg", code: cat(fld1, []byte{0xD9, 0xE0, 0xD9, 0xE4}), swSet: fpC0},
		{name: "fcomi less", code: cat(fld1, fldz, []byte{0xDB, 0xF1}),
			check: func(t *testing.T, c *CPU) { require.Equal(t, FlagCF, fcomi(c)) }},
		{name: "fcomip equal", code: cat(fld1, fld1, []byte{0xDF, 0xF1}),
			check: func(t *testing.T, c *CPU) {
				require.Equal(t, FlagZF, fcomi(c))
				require.Equal(t, 7, c.FPU.top())
			}},
		{name: "fucomi nan", code: cat(fld1, mem(0xDD, 0, x87Data), []byte{0xDB, 0xE9}), data: le64(0x7FF8000000000000),
			swClr: fpIE, check: func(t *testing.T, c *CPU) { require.Equal(t, FlagZF|FlagPF|FlagCF, fcomi(c)) }},
		{name: "fcmovb taken", code: cat(fld1, fldz, []byte{0xF9, 0xDA, 0xC1}), st: []Float80{f80(0x3FFF, intBit)}},
		{name: "fcmovnb not taken", code: cat(fld1, fldz, []byte{0xF9, 0xDB, 0xC1}), st: []Float80{{}}},
		{name: "fcmove", code: cat(fld1, fldz, []byte{0x31, 0xC0, 0xDA, 0xC9}), st: []Float80{f80(0x3FFF, intBit)}},
	})
	xam := []struct {
		name string
		v    []byte // m80
		cc   uint16
	}{
		{"zero", cat(le64(0), le16(0)), fpC3},
		{"-zero", cat(le64(0), le16(0x8000)), fpC3 | fpC1},
		{"normal", cat(le64(intBit), le16(0x3FFF)), fpC2},
		{"denormal", cat(le64(1), le16(0)), fpC3 | fpC2},
		{"inf", cat(le64(intBit), le16(0x7FFF)), fpC2 | fpC0},
		{"nan", cat(le64(indefMant), le16(0xFFFF)), fpC0 | fpC1},
		{"unnormal", cat(le64(1), le16(0x3FFF)), 0},
	}
	for _, x := range xam {
		c := x87CPU(t, cat(fninit, mem(0xDB, 5, x87Data), []byte{0xD9, 0xE5}))
		copy(c.ram[x87Data:], x.v)
		x87Run(t, c)
		require.Equal(t, x.cc, c.FPU.SW&fpCC, x.name)
	}
	c := x87CPU(t, cat(fninit, []byte{0xD9, 0xE5}))
	x87Run(t, c)
	require.Equal(t, fpC3|fpC0, c.FPU.SW&(fpC3|fpC2|fpC0), "empty")
}

func TestX87Exact(t *testing.T) {
	fild := func(addr uint16) []byte { return mem(0xDF, 0, addr) }
	data := cat(le16(3), le16(11), le16(10), le64(0x4004000000000000))
	runX87Cases(t, []x87Case{
		{name: "fprem 11,3", code: cat(fild(x87Data), fild(x87Data+2), []byte{0xD9, 0xF8}), data: data,
			st: []Float80{f80(0x4000, intBit)}, swSet: fpC1 | fpC3, swClr: fpC0 | fpC2},
		{name: "fprem1 11,3", code: cat(fild(x87Data), fild(x87Data+2), []byte{0xD9, 0xF5}), data: data,
			st: []Float80{f80(0xBFFF, intBit)}, swSet: fpC0, swClr: fpC1 | fpC2 | fpC3},
		{name: "fxtract 10", code: cat(fild(x87Data+4), []byte{0xD9, 0xF4}), data: data,
			st: []Float80{f80(0x3FFF, 0xA000000000000000), f80(0x4000, 0xC000000000000000)}},
		{name: "fxtract 0", code: cat(fldz, []byte{0xD9, 0xF4}), st: []Float80{{}, infinity(true)}, swSet: fpZE},
		{name: "fscale", code: cat(fild(x87Data), fld1, []byte{0xD9, 0xFD}), data: data,
			st: []Float80{f80(0x4002, intBit)}},
		{name: "frndint", code: cat(mem(0xDD, 0, x87Data+6), []byte{0xD9, 0xFC}), data: data,
			st: []Float80{f80(0x4000, intBit)}, swSet: fpPE},
	})
}

// bigRef rounds a high-precision reference value to the nearest Float80.
func bigRef(x *big.Float) Float80 {
	r, _ := refRound80(x, 64, rcNearest)
	return r
}

func TestX87Transcendental(t *testing.T) {
	sqrt2m1 := new(big.Float).SetPrec(300).Sqrt(new(big.Float).SetPrec(300).SetInt64(2))
	sqrt2m1.Sub(sqrt2m1, big.NewFloat(1))
	log2of1p5, _, err := big.ParseFloat("0.58496250072115618145373894394781650875981440769248106045575265454109822779435856", 10, 300, big.ToNearestEven)
	require.NoError(t, err)
	half := cat(le64(0x3FE0000000000000), le16(3), le16(8), le16(10))
	runX87Cases(t, []x87Case{
		{name: "f2xm1 0.5", code: cat(mem(0xDD, 0, x87Data), []byte{0xD9, 0xF0}), data: half,
			st: []Float80{bigRef(sqrt2m1)}, swSet: fpPE},
		{name: "f2xm1 -1", code: cat(fld1, []byte{0xD9, 0xE0, 0xD9, 0xF0}),
			st: []Float80{f80(0xBFFE, intBit)}, swClr: fpPE},
		{name: "fyl2x 3*log2(8)", code: cat(mem(0xDF, 0, x87Data+8), mem(0xDF, 0, x87Data+10), []byte{0xD9, 0xF1}),
			data: half, st: []Float80{fromInt(9)}, swClr: fpPE},
		{name: "fyl2x log2(10)", code: cat(fld1, mem(0xDF, 0, x87Data+12), []byte{0xD9, 0xF1}), data: half,
			st: []Float80{f80(0x4000, 0xD49A784BCD1B8AFE)}, swSet: fpPE},
		{name: "fyl2x log2(0)", code: cat(fld1, fldz, []byte{0xD9, 0xF1}), st: []Float80{infinity(true)}, swSet: fpZE},
		{name: "fyl2xp1 0.5", code: cat(fld1, mem(0xDD, 0, x87Data), []byte{0xD9, 0xF9}), data: half,
			st: []Float80{bigRef(log2of1p5)}, swSet: fpPE},
		{name: "fpatan 1,1", code: cat(fld1, fld1, []byte{0xD9, 0xF3}), st: []Float80{f80(0x3FFE, 0xC90FDAA22168C235)},
			swSet: fpPE},
		{name: "fpatan 0,-1", code: cat(fldz, fld1, []byte{0xD9, 0xE0, 0xD9, 0xF3}),
			st: []Float80{f80(0x4000, 0xC90FDAA22168C235)}},
		{name: "fsin 0", code: cat(fldz, []byte{0xD9, 0xFE}), st: []Float80{{}}, swClr: fpPE | fpC2},
		{name: "fcos 0", code: cat(fldz, []byte{0xD9, 0xFF}), st: []Float80{fromInt(1)}},
		{name: "fsincos 0.5", code: cat(mem(0xDD, 0, x87Data), []byte{0xD9, 0xFB}), data: half,
			st: []Float80{fromFloat64(math.Cos(0.5)), fromFloat64(math.Sin(0.5))}, swSet: fpPE},
		{name: "fptan 0.5", code: cat(mem(0xDD, 0, x87Data), []byte{0xD9, 0xF2}), data: half,
			st: []Float80{fromInt(1), fromFloat64(math.Tan(0.5))}},
		{name: "fsin 2^63", code: cat(mem(0xDD, 0, x87Data), []byte{0xD9, 0xFE}), data: le64(0x43E0000000000000),
			st: []Float80{f80(0x403E, intBit)}, swSet: fpC2},
	})
}

func TestX87FaultsAndWait(t *testing.T) {
	// #NM with CR0.EM, and with CR0.TS; FWAIT only with TS and MP.
	for _, tc := range []struct {
		name string
		cr0  uint32
		code []byte
		vec  int
	}{
		{"em", CR0EM, fld1, excNM},
		{"ts", CR0TS, fld1, excNM},
		{"ts fnstsw", CR0TS, []byte{0xDF, 0xE0}, excNM},
		{"wait ts", CR0TS, []byte{0x9B}, -1},
		{"wait em", CR0EM, []byte{0x9B}, -1},
		{"wait ts mp", CR0TS | CR0MP, []byte{0x9B}, excNM},
		{"fxsave em", CR0EM, []byte{0x0F, 0xAE, 0x06, 0x00, 0x24}, excNM},
		{"fxsave misaligned", 0, []byte{0x0F, 0xAE, 0x06, 0x08, 0x24}, excGP},
		{"fisttp", 0, mem(0xDB, 1, x87Data), excUD},
		{"reserved d9 d1", 0, []byte{0xD9, 0xD1}, excUD},
		{"lock", 0, []byte{0xF0, 0xD8, 0x06, 0, 0x20}, excUD},
	} {
		c := x87CPU(t, tc.code)
		c.CR0 |= tc.cr0
		x87Run(t, c)
		require.Equal(t, tc.vec, vector(c), tc.name)
	}

	// An unmasked zero-divide: the result is suppressed, ES is set and the
	// next waiting instruction raises #MF (only with CR0.NE).
	for _, ne := range []bool{true, false} {
		c := x87CPU(t, cat(fninit, fldcw(x87Data), fld1, fldz, []byte{0xDE, 0xF9}, []byte{0x9B}))
		copy(c.ram[x87Data:], le16(0x037B))
		if !ne {
			c.CR0 &^= CR0NE
		}
		x87Run(t, c)
		require.Equal(t, fpZE|fpES|fpB, c.FPU.SW&(fpZE|fpES|fpB))
		require.Equal(t, 6, c.FPU.top(), "not popped")
		require.Equal(t, Float80{}, c.FPU.st(0))
		if ne {
			require.Equal(t, excMF, vector(c))
			// The pushed return address is the FWAIT.
			ret := binary.LittleEndian.Uint16(c.ram[0x8000-6:])
			require.Equal(t, uint16(0x1000+2+4+2+2+2), ret)
		} else {
			require.Equal(t, -1, vector(c))
		}
	}

	// FNCLEX is not a waiting instruction; after it FWAIT passes.
	c := x87CPU(t, cat(fninit, fldcw(x87Data), fld1, fldz, []byte{0xDE, 0xF9, 0xDB, 0xE2, 0x9B}))
	copy(c.ram[x87Data:], le16(0x037B))
	x87Run(t, c)
	require.Equal(t, -1, vector(c))
	require.Zero(t, c.FPU.SW&(fpExc|fpES|fpB))

	// FLDCW unmasking a pending flag sets ES; the next FLD faults.
	c = x87CPU(t, cat(fninit, fld1, fldz, []byte{0xDE, 0xF9}, fldcw(x87Data), fld1))
	copy(c.ram[x87Data:], le16(0x037B))
	x87Run(t, c)
	require.Equal(t, excMF, vector(c))

	// A store beyond the segment limit faults with nothing changed.
	c = x87CPU(t, cat(fninit, fld1, mem(0xDD, 3, 0xFFFC)))
	x87Run(t, c)
	require.Equal(t, excGP, vector(c))
	require.Equal(t, 7, c.FPU.top())
	require.Equal(t, uint16(0x1002), uint16(c.FPU.FIP), "FIP is the FLD1")
}

func TestX87InstructionPointers(t *testing.T) {
	c := x87CPU(t, cat(fninit, []byte{0x90}, mem(0xD9, 0, x87Data+4), mem(0xD9, 7, out), []byte{0x9B}))
	x87Run(t, c)
	f := &c.FPU
	require.Equal(t, uint32(0x1003), f.FIP)
	require.Equal(t, uint16(0), f.FCS)
	require.Equal(t, uint16(0x106), f.FOP) // D9 06
	require.Equal(t, uint32(x87Data+4), f.FDP)
	require.Equal(t, uint16(0), f.FDS)
}

func TestX87Env(t *testing.T) {
	// FNSTENV in real mode, 16- and 32-bit layouts, then FLDENV back.
	prog := cat(fninit, fld1, mem(0xD9, 0, x87Data)) // FLD1 @1002, FLD m32 @1004
	c := x87CPU(t, cat(prog, mem(0xD9, 6, out), []byte{0x66}, mem(0xD9, 6, out+0x20)))
	copy(c.ram[x87Data:], le32(0x3F800000))
	x87Run(t, c)
	img16 := c.ram[out : out+14]
	require.Equal(t, cat(le16(0x037F), le16(0x3000), le16(0x0FFF), le16(0x1004), le16(0x0106), le16(x87Data), le16(0)),
		img16)
	img32 := c.ram[out+0x20 : out+0x20+28]
	r := uint32(envReserved)
	require.Equal(t, cat(le32(r|0x037F), le32(r|0x3000), le32(r|0x0FFF), le32(r|0x1004), le32(0x0106),
		le32(r|x87Data), le32(0)), img32)
	// FNSTENV masked all exceptions.
	require.Equal(t, uint16(0x037F), c.FPU.CW)

	// Protected-mode layouts through putEnv/getEnv directly.
	c.CR0 |= CR0PE
	c.FPU.FIP, c.FPU.FCS, c.FPU.FDP, c.FPU.FDS, c.FPU.FOP = 0x12345678, 0x0008, 0x9ABCDEF0, 0x0010, 0x5E5
	saved := c.FPU
	for _, n := range []int{14, 28} {
		b := make([]byte, n)
		c.putEnv(b)
		if n == 28 {
			require.Equal(t, cat(le32(r|0x037F), le32(r|0x3000), le32(r|0x0FFF), le32(0x12345678),
				le32(0x05E50008), le32(0x9ABCDEF0), le32(r|0x0010)), b)
		} else {
			require.Equal(t, cat(le16(0x037F), le16(0x3000), le16(0x0FFF), le16(0x5678), le16(0x0008),
				le16(0xDEF0), le16(0x0010)), b)
		}
		c.FPU = FPU{}
		c.getEnv(b)
		c.FPU.afterLoad()
		if n == 28 {
			require.Equal(t, saved.FIP, c.FPU.FIP)
			require.Equal(t, saved.FOP, c.FPU.FOP)
		}
		require.Equal(t, saved.CW, c.FPU.CW)
		require.Equal(t, saved.SW, c.FPU.SW)
		c.FPU = saved
	}
}

func TestX87SaveRestore(t *testing.T) {
	// FNSAVE (16-bit real layout: 94 bytes), which also reinitializes,
	// then FRSTOR; and FXSAVE/FXRSTOR.
	code := cat(fninit, fld1, fldz, []byte{0xD9, 0xEB}, mem(0xDD, 6, out), mem(0xDD, 4, out),
		[]byte{0x0F, 0xAE, 0x06, 0x00, 0x24}, fninit, []byte{0x0F, 0xAE, 0x0E, 0x00, 0x24})
	c := x87CPU(t, code)
	x87Run(t, c)
	require.Equal(t, -1, vector(c))
	img := c.ram[out : out+94]
	require.Equal(t, uint16(0x2800), binary.LittleEndian.Uint16(img[2:])) // TOP=5
	require.Equal(t, uint16(0x13FF), binary.LittleEndian.Uint16(img[4:]))
	require.Equal(t, cat(le64(0xC90FDAA22168C235), le16(0x4000)), img[14:24]) // ST0 = pi
	require.Equal(t, cat(le64(0), le16(0)), img[24:34])                       // ST1 = 0
	require.Equal(t, cat(le64(intBit), le16(0x3FFF)), img[34:44])             // ST2 = 1

	fx := c.ram[0x2400 : 0x2400+512]
	require.Equal(t, le16(0x037F), fx[0:2])
	require.Equal(t, le16(0x2800), fx[2:4])
	require.Equal(t, byte(0xE0), fx[4]) // physical registers 5, 6, 7
	require.Equal(t, le16(0x1EB), fx[6:8])
	require.Equal(t, le32(0x1006), fx[8:12])
	require.Equal(t, le32(0x1F80), fx[24:28])
	require.Equal(t, le32(mxcsrMask), fx[28:32])
	require.Equal(t, cat(le64(0xC90FDAA22168C235), le16(0x4000)), fx[32:42])
	// After FXRSTOR the state is back.
	require.Equal(t, 5, c.FPU.top())
	require.Equal(t, uint16(0x13FF), c.FPU.TW)
	require.Equal(t, f80(0x4000, 0xC90FDAA22168C235), c.FPU.st(0))
	require.Equal(t, f80(0x3FFF, intBit), c.FPU.st(2))
}

// Every x87 escape encoding of the P6 has a handler: check the dispatch
// table against the opcode map (memory forms and register forms).
func TestX87OpcodeCoverage(t *testing.T) {
	ops := opTable()
	udPtr := reflect.ValueOf(handler((*CPU).opUD)).Pointer()
	ud := func(k uint16) bool { return reflect.ValueOf(ops[k].fn).Pointer() == udPtr }
	// Memory forms that do not exist: D9 /1, DB /1 /4 /6, DD /1 /5, DF /1.
	noMem := map[[2]int]bool{{0xD9, 1}: true, {0xDB, 1}: true, {0xDB, 4}: true, {0xDB, 6}: true,
		{0xDD, 1}: true, {0xDD, 5}: true, {0xDF, 1}: true}
	for esc := 0xD8; esc <= 0xDF; esc++ {
		for reg := 0; reg < 8; reg++ {
			k := decoder.X87MemKey(byte(esc), reg)
			require.Equal(t, noMem[[2]int{esc, reg}], ud(k), "%02X /%d", esc, reg)
		}
	}
	undefinedReg := func(esc, m int) bool {
		switch esc {
		case 0xD9:
			return (m >= 0xD1 && m <= 0xD7) || m == 0xE2 || m == 0xE3 || m == 0xE6 || m == 0xE7 || m == 0xEF
		case 0xDA:
			return m >= 0xE0 && m != 0xE9
		case 0xDB:
			return (m >= 0xE5 && m <= 0xE7) || m >= 0xF8
		case 0xDD:
			return m >= 0xF0
		case 0xDE:
			return m >= 0xD8 && m <= 0xDF && m != 0xD9
		case 0xDF:
			return (m >= 0xE1 && m <= 0xE7) || m >= 0xF8
		}
		return false
	}
	n := 0
	for esc := 0xD8; esc <= 0xDF; esc++ {
		for m := 0xC0; m <= 0xFF; m++ {
			k := decoder.X87RegKey(byte(esc), byte(m))
			require.Equal(t, undefinedReg(esc, m), ud(k), "%02X %02X", esc, m)
			if !ud(k) {
				n++
			}
		}
	}
	require.Equal(t, 8*64-92, n)
}

// Vectors from a differential run against QEMU 7.2 (random operands and
// control words, every exception masked; the program computes ST(1)=a,
// ST(0)=b, op, and stores ST(0)). QEMU and bt86 agree on each.
func TestX87QEMUVectors(t *testing.T) {
	ops := map[string][]byte{
		"fadd": {0xD8, 0xC1}, "fsub": {0xD8, 0xE1}, "fmul": {0xD8, 0xC9}, "fdiv": {0xD8, 0xF1},
		"fsqrt": {0xD9, 0xFA}, "fprem": {0xD9, 0xF8}, "fscale": {0xD9, 0xC9, 0xD9, 0xFD},
		"f2xm1": {0xD9, 0xF0}, "fyl2x": {0xD9, 0xF1}, "fyl2xp1": {0xD9, 0xF9}, "fpatan": {0xD9, 0xF3},
	}
	for _, v := range []struct {
		op      string
		cw      uint16
		a, b, r Float80
	}{
		{"fsub", 0x0A7F, f80(0xC000, 0x8000008000000000), f80(0xBFC6, 0xD2E88B0D5CE01334), f80(0x4000, 0x8000008000000000)},
		{"fadd", 0x007F, f80(0x498E, 0xE7D7BD46C266B579), f80(0x3FEF, 0xE213F9A24285A5C6), f80(0x498E, 0xE7D7BD0000000000)},
		{"fyl2x", 0x0A7F, f80(0xBFED, 0xB13E424C9607D61B), f80(0x401F, 0xEA18D05E6D87E199), f80(0xBFF2, 0xB6113C6A3D0597A7)},
		{"fyl2xp1", 0x0E7F, f80(0xC000, 0xECC36D059477C2BF), f80(0xBFFC, 0xA31C111F41FE48C0), f80(0x3FFE, 0xED0F9FDAC6F67E91)},
		{"fscale", 0x0B7F, f80(0x4007, 0xD2C8C76ED452D12C), f80(0xB2ED, 0xC3B0D9BB745397E6), f80(0x4007, 0xD2C8C76ED452D12C)},
		{"fsqrt", 0x077F, f80(0x4002, 0xF01684D9CFAA9A8D), f80(0x4001, 0xC825592B89DFB813), f80(0x4000, 0xA00EEFC5556D2B95)},
		{"fyl2xp1", 0x007F, f80(0xFFB9, 0xFFFFFFFFFFFFFFFC), f80(0xBFE3, 0xB2844E216E92BC46), f80(0x7F9F, 0x80C5CD4ADBD8BB13)},
		{"fsub", 0x067F, f80(0xBFFF, 0xA1DC24AC8A5A7378), f80(0x4038, 0xFFFFFFFE00000000), f80(0x4038, 0xFFFFFFFE00000000)},
		{"fyl2xp1", 0x0E7F, f80(0x000B, 0xDBDCFC328321522F), f80(0xBFEA, 0x8800000000000000), f80(0x8000, 0x002A20A70B268E4B)},
		{"fyl2xp1", 0x0B7F, f80(0xBFFD, 0xF03EBCEAD618BEA0), f80(0xBFEE, 0xAAF2B1A950900A05), f80(0x3FED, 0xE772F34358A2E6E8)},
		{"fmul", 0x027F, f80(0xC002, 0x9ACDC2DDABA7F62A), f80(0x3FFB, 0x8000000004000000), f80(0xBFFE, 0x9ACDC2DDB07E6800)},
		{"fdiv", 0x047F, f80(0xC001, 0xF1CECAFC09A13534), f80(0x0000, 0x0000000000000000), f80(0x8000, 0x0000000000000000)},
		{"fdiv", 0x027F, f80(0xA591, 0xFFFFFFF800000000), f80(0x8000, 0x0000000000000000), f80(0x0000, 0x0000000000000000)},
		{"fsqrt", 0x037F, f80(0xBFF3, 0x8000000000000008), f80(0x7FEB, 0x8AFD7DE00E3AD47E), f80(0x5FF5, 0x8561C7C929265F65)},
		{"f2xm1", 0x037F, f80(0x243C, 0x8000000002000000), f80(0x3FF7, 0xCB1367E72D4AF16B), f80(0x3FF7, 0x8D106EAC6383D06F)},
		{"fpatan", 0x067F, f80(0xB45C, 0xF4ED9FF755B2B955), f80(0xFFE8, 0xFF80000000000000), f80(0xC000, 0xC90FDAA22168C235)},
		{"fyl2x", 0x077F, f80(0xFFF9, 0x8000000000000001), f80(0x4010, 0xACED3D05AC5F1CE9), f80(0xFFFD, 0x8B78DDDE90934493)},
		{"fyl2x", 0x037F, f80(0x48B3, 0x89E032C19124D984), f80(0x3FFE, 0x8100000000000000), f80(0xC8B3, 0x8853EB389E944834)},
		{"fadd", 0x0B7F, f80(0x8000, 0x0000000000000000), f80(0xBFFC, 0x8000000000000080), f80(0xBFFC, 0x8000000000000080)},
		{"fadd", 0x0B7F, f80(0xC02B, 0xFE00000000000000), f80(0xE1BC, 0xAC2D54C6FD1C0F34), f80(0xE1BC, 0xAC2D54C6FD1C0F34)},
		{"fsqrt", 0x0A7F, f80(0xBFEA, 0xA0C63DBA6E66A517), f80(0x3FD9, 0xDF450D121BB32C0A), f80(0x3FEC, 0xA90D459099311000)},
		{"f2xm1", 0x047F, f80(0x4A70, 0xFFFFFFFFFFFFFF00), f80(0xBFDE, 0xEAA4F61437D1DF42), f80(0xBFDE, 0xA2A4A1915382A9F9)},
		{"fmul", 0x0C7F, f80(0xA61A, 0xB253589C66FE8A60), f80(0x4009, 0x947FC94AF1C6F912), f80(0xA624, 0xCEE2650000000000)},
		{"fpatan", 0x0E7F, f80(0x001F, 0x8001000000000000), f80(0xFFDA, 0xF10B2529E4D45552), f80(0x4000, 0xC90FDAA22168C234)},
		{"fdiv", 0x0C7F, f80(0x3FE1, 0x8010000000000000), f80(0xBFFE, 0xB8EF074E69C697A9), f80(0xC01C, 0xB8D7EC0000000000)},
		{"fsub", 0x087F, f80(0x8029, 0x8000000040000000), f80(0x403E, 0xF7C008FF3749B6C0), f80(0x403E, 0xF7C0090000000000)},
		{"fdiv", 0x077F, f80(0xC016, 0xD3AA05BBA9983727), f80(0x3FDC, 0xE7751FB6756419FF), f80(0xBFC5, 0x8BF83C83BFA88634)},
		{"fyl2x", 0x0A7F, f80(0x8000, 0x0000000000000000), f80(0x3FE2, 0x8994D260BF6E7DC7), f80(0x0000, 0x0000000000000000)},
		{"f2xm1", 0x0F7F, f80(0xBFFC, 0x8000000000000200), f80(0xBFE5, 0xFBE1DEFFE881FCB3), f80(0xBFE5, 0xAE976D3B99919048)},
		{"fpatan", 0x077F, f80(0xBFFF, 0xC942FD6E4EC2387A), f80(0xFFEC, 0x96FEEEE0FC68BAED), f80(0xC000, 0xC90FDAA22168C235)},
		{"fmul", 0x0A7F, f80(0x41B5, 0xD1E2AEC69B259AFE), f80(0xFFBF, 0x8000100000000000), f80(0xFFFE, 0xFFFFFFFFFFFFF800)},
		{"fpatan", 0x0C7F, f80(0x3FFF, 0xF044F6130CFE0DFA), f80(0x4035, 0xF2432E52CD0CA2D8), f80(0x3FC8, 0xFDE4D91C8C873500)},
		{"fmul", 0x0E7F, f80(0x3FFC, 0xDE2427E4C4D27555), f80(0x4000, 0xDFF302E197026871), f80(0x3FFE, 0xC2545D922EBA6800)},
		{"fprem", 0x0F7F, f80(0x236D, 0xA784E17EFF169790), f80(0x400E, 0xF969DAB30C62B899), f80(0x3FEC, 0xD1D6C0A883668EC0)},
		{"fscale", 0x077F, f80(0xC000, 0xFC55C80B4F86C0D3), f80(0xBFFD, 0xFFFFFFFFFFFFFF00), f80(0xC000, 0xFC55C80B4F86C0D3)},
		{"f2xm1", 0x077F, f80(0xC002, 0xA38F27D1FACE8A2C), f80(0xBFE0, 0xFED1B51A3FEE1688), f80(0xBFE0, 0xB0A08F745C9C934C)},
		{"fprem", 0x037F, f80(0xBFC1, 0xFFFFFFFFFFFFFFF8), f80(0xC038, 0xBE205C281916AD55), f80(0xC001, 0xAD788170A0645AB0)},
		{"fprem", 0x077F, f80(0x0045, 0x8000000004000000), f80(0xBFFF, 0xEC069D2638FEB2D3), f80(0xBFC3, 0x9CE730C110000000)},
	} {
		code := cat(fninit, fldcw(x87Data), mem(0xDB, 5, x87Data+2), mem(0xDB, 5, x87Data+12), ops[v.op])
		c := x87CPU(t, code)
		copy(c.ram[x87Data:], cat(le16(v.cw), le64(v.a.Mant), le16(v.a.SExp), le64(v.b.Mant), le16(v.b.SExp)))
		x87Run(t, c)
		require.Equal(t, fmtF(v.r), fmtF(c.FPU.st(0)), "%s cw=%04X a=%s b=%s", v.op, v.cw, fmtF(v.a), fmtF(v.b))
	}
}

func TestX87AliasesAndMisc(t *testing.T) {
	one := f80(0x3FFF, intBit)
	runX87Cases(t, []x87Case{
		{name: "fcomp5", code: cat(fld1, fld1, []byte{0xDE, 0xD1}), swSet: fpC3,
			check: func(t *testing.T, c *CPU) { require.Equal(t, 7, c.FPU.top()) }},
		{name: "fcomp3", code: cat(fld1, fldz, []byte{0xDC, 0xD9}), swSet: fpC0,
			check: func(t *testing.T, c *CPU) { require.Equal(t, 7, c.FPU.top()) }},
		{name: "fstp8", code: cat(fldz, fld1, []byte{0xDF, 0xD1}), st: []Float80{one},
			check: func(t *testing.T, c *CPU) { require.Equal(t, 7, c.FPU.top()) }},
		{name: "fstp9", code: cat(fldz, fld1, []byte{0xDF, 0xD9}), st: []Float80{one}},
		{name: "fxch7", code: cat(fld1, fldz, []byte{0xDF, 0xC9}), st: []Float80{one, {}}},
		{name: "ffree", code: cat(fld1, fldz, []byte{0xDD, 0xC1}), st: []Float80{{}},
			check: func(t *testing.T, c *CPU) { require.True(t, c.FPU.empty(1)) }},
		{name: "fdecstp", code: cat(fld1, []byte{0xD9, 0xF6}), check: func(t *testing.T, c *CPU) {
			require.Equal(t, 6, c.FPU.top())
			require.Equal(t, one, c.FPU.st(1))
		}},
		{name: "feni fdisi fsetpm", code: cat(fld1, []byte{0xDB, 0xE0, 0xDB, 0xE1, 0xDB, 0xE4}), st: []Float80{one},
			check: func(t *testing.T, c *CPU) { require.Equal(t, uint32(0x1002), c.FPU.FIP) }},
		{name: "fnop sets fip", code: cat(fld1, []byte{0xD9, 0xD0}),
			check: func(t *testing.T, c *CPU) { require.Equal(t, uint32(0x1004), c.FPU.FIP) }},
		{name: "fxch empty", code: cat(fld1, []byte{0xD9, 0xC9}), st: []Float80{indefinite(), one}, swSet: fpIE | fpSF},
		{name: "fld st(i) empty", code: []byte{0xD9, 0xC3}, st: []Float80{indefinite()}, swSet: fpIE | fpSF},
		// Found by the QEMU differential run.
		{name: "pc24 denormal keeps 24 bits", code: cat(fldcw(x87Data), mem(0xDB, 5, x87Data+2), mem(0xDB, 5, x87Data+12),
			[]byte{0xD8, 0xC9}), data: cat(le16(0x0A7F), le64(0xFFFFFFFFFFFFF000), le16(0x800A),
			le64(0xEBF2A99F1508086D), le16(0x3FF3)), st: []Float80{f80(0x8000, 0x3AFCAA67C541F800)}, swSet: fpUE | fpPE},
		{name: "fyl2xp1 -0", code: cat(fld1, fldz, []byte{0xD9, 0xE0, 0xD9, 0xF9}), st: []Float80{zero80(true)}},
		{name: "fpatan tiny chop", code: cat(fldcw(x87Data), mem(0xDB, 5, x87Data+2), fld1, []byte{0xD9, 0xF3}),
			data: cat(le16(0x0C7F), le64(0xFFFFFFFFFFFFF800), le16(0x0045)),
			st:   []Float80{f80(0x0045, 0xFFFFFFFFFFFFF7FF)}, swSet: fpPE, swClr: fpC1},
		{name: "fsin tiny chop", code: cat(fldcw(x87Data), mem(0xDB, 5, x87Data+2), []byte{0xD9, 0xFE}),
			data: cat(le16(0x0C7F), le64(intBit), le16(0x3F00)), st: []Float80{f80(0x3EFF, ^uint64(0))}, swSet: fpPE},
		{name: "fcos tiny", code: cat(mem(0xDB, 5, x87Data+2), []byte{0xD9, 0xFF}),
			data: cat(le16(0x037F), le64(intBit), le16(0x3F00)), st: []Float80{one}, swSet: fpPE | fpC1},
	})
}

func TestX87FXRSTORChecks(t *testing.T) {
	// A reserved MXCSR bit makes FXRSTOR #GP(0) with the state unchanged.
	c := x87CPU(t, cat(fninit, fld1, []byte{0x0F, 0xAE, 0x0E, 0x00, 0x24}))
	copy(c.ram[0x2400+24:], le32(0x10000))
	x87Run(t, c)
	require.Equal(t, excGP, vector(c))
	require.Equal(t, 7, c.FPU.top())
	// Without FXSR in CPUID, FXSAVE is #UD.
	c = x87CPU(t, []byte{0x0F, 0xAE, 0x06, 0x00, 0x24})
	c.model.Features &^= FeatFXSR
	x87Run(t, c)
	require.Equal(t, excUD, vector(c))
}

func TestX87EnvRealMode32RoundTrip(t *testing.T) {
	// 66 FNSTENV in real mode stores 20-bit linear pointers; FLDENV of the
	// same image restores FIP/FDP as linear addresses with FCS/FDS = 0.
	c := x87CPU(t, cat(fninit, fld1, mem(0xD9, 0, x87Data), []byte{0x66}, mem(0xD9, 6, out),
		fninit, []byte{0x66}, mem(0xD9, 4, out)))
	copy(c.ram[x87Data:], le32(0x3F800000))
	c.loadSegReal(CS, 0x0100) // the code at linear 0x1000 is 0100:0000
	c.EIP = 0
	x87Run(t, c)
	require.Equal(t, -1, vector(c))
	require.Equal(t, uint32(0x1004), c.FPU.FIP)
	require.Equal(t, uint16(0), c.FPU.FCS)
	require.Equal(t, uint16(0x106), c.FPU.FOP)
	require.Equal(t, uint32(x87Data), c.FPU.FDP)
	require.Equal(t, 6, c.FPU.top())
}

// A store that crosses into a not-present page faults before writing any
// byte, and leaves the FPU unchanged (32-bit paging, flat segments).
func TestX87PageFaultAtomic(t *testing.T) {
	for _, tc := range []struct {
		name string
		code []byte
	}{
		{"fstp m64", []byte{0xDD, 0x1D, 0xFC, 0x2F, 0, 0}},
		{"fstp m80", []byte{0xDB, 0x3D, 0xF8, 0x2F, 0, 0}},
		{"fnsave", []byte{0xDD, 0x35, 0xC0, 0x2F, 0, 0}},
		{"fnstenv", []byte{0xD9, 0x35, 0xF0, 0x2F, 0, 0}},
		{"fxsave", []byte{0x0F, 0xAE, 0x05, 0x00, 0x2F, 0, 0}},
	} {
		code := cat(fninit, fld1, tc.code, []byte{0xF4})
		c := newFlat32(t, code)
		le := binary.LittleEndian
		le.PutUint32(c.ram[0x10000:], 0x11000|7)
		for i := 0; i < 1024; i++ {
			if i != 3 {
				le.PutUint32(c.ram[0x11000+4*i:], uint32(i)<<12|7)
			}
		}
		for i := 0x2E00; i < 0x3000; i++ {
			c.ram[i] = 0xAA
		}
		c.CR3 = 0x10000
		c.CR0 |= CR0PG
		c.StateChanged()
		exit := c.Run(10)
		require.Equal(t, ExitShutdown, exit.Reason, tc.name) // no IDT: the #PF cannot be delivered
		require.Equal(t, uint32(0x3000), c.CR2, tc.name)
		require.Equal(t, uint32(0x1004), c.EIP, tc.name)
		require.Equal(t, 7, c.FPU.top(), tc.name)
		require.Equal(t, uint16(0x037F), c.FPU.CW, tc.name)
		require.Equal(t, uint32(0x1002), c.FPU.FIP, tc.name)
		require.Equal(t, f80(0x3FFF, intBit), c.FPU.st(0), tc.name)
		for i := 0x2E00; i < 0x3000; i++ {
			require.Equal(t, byte(0xAA), c.ram[i], "%s: byte %#x written", tc.name, i)
		}
	}
}
