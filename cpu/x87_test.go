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
