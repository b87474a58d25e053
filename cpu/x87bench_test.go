package cpu

import (
	"math/big"
	"testing"

	"bt86/decoder"
)

// benchX87Op times one register-form x87 instruction through its handler
// (prologue, operand checks, soft-float operation, rounding, tags and
// status word), without the interpreter loop.
func benchX87Op(b *testing.B, code []byte, st0, st1 Float80) {
	c := newTestCPU(b, nil)
	in, err := decoder.New().Decode(code, false)
	if err != nil {
		b.Fatal(err)
	}
	fn := c.ops[in.Op].fn
	c.FPU.init()
	c.FPU.push(st1)
	c.FPU.push(st0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fn(c, &in)
	}
}

func BenchmarkX87FADD(b *testing.B) {
	// FADD ST(0), ST(1): 1.5 + 2^-70, inexact every time.
	benchX87Op(b, []byte{0xD8, 0xC1}, Float80{Mant: 0xC000000000000000, SExp: 0x3FFF},
		Float80{Mant: intBit, SExp: 0x3FFF - 70})
}

func BenchmarkX87FMUL(b *testing.B) {
	// FMUL ST(0), ST(1): × (1 + 2^-40).
	benchX87Op(b, []byte{0xD8, 0xC9}, Float80{Mant: 0xC000000000000000, SExp: 0x3FFF},
		Float80{Mant: intBit | 1<<23, SExp: 0x3FFF})
}

func BenchmarkX87FDIV(b *testing.B) {
	benchX87Op(b, []byte{0xD8, 0xF1}, Float80{Mant: 0xC000000000000000, SExp: 0x3FFF},
		Float80{Mant: intBit | 1<<23, SExp: 0x3FFF})
}

func BenchmarkX87FSQRT(b *testing.B) {
	benchX87Op(b, []byte{0xD9, 0xFA}, Float80{Mant: 0xC000000000000000, SExp: 0x3FFF}, Float80{})
}

// BenchmarkX87Loop runs FADD/FMUL pairs through the interpreter: 16
// x87 instructions and a LOOP per iteration; ns/op is per instruction.
func BenchmarkX87Loop(b *testing.B) {
	var code []byte
	code = append(code, 0xD9, 0xE8, 0xD9, 0xE8) // FLD1, FLD1
	code = append(code, 0xB9, 0xFF, 0xFF)       // MOV CX, 0xFFFF
	for i := 0; i < 8; i++ {
		code = append(code, 0xD8, 0xC1, 0xD8, 0xC9) // FADD ST0,ST1; FMUL ST0,ST1
	}
	code = append(code, 0xE2, 0x100-(2+32), 0xEB, 0x100-(2+2+32+3)) // LOOP; JMP back to MOV CX
	c := newTestCPU(b, code)
	c.Run(10) // warm up
	b.ReportAllocs()
	b.ResetTimer()
	c.Run(b.N)
	b.StopTimer()
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s/1e6, "MIPS")
	}
}

// The transcendental instructions (math/big series, or float64 for the
// trigonometric ones). The benchmarks reload ST(0) through FLD ST(1)
// so that every iteration computes the same thing.
func benchTrans(b *testing.B, code []byte) {
	c := newTestCPU(b, nil)
	dec := decoder.New()
	var ins []decoder.Inst
	for len(code) > 0 {
		in, err := dec.Decode(code, false)
		if err != nil {
			b.Fatal(err)
		}
		ins = append(ins, in)
		code = code[in.Len:]
	}
	c.FPU.init()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range ins {
			c.ops[ins[j].Op].fn(c, &ins[j])
		}
	}
}

// Each iteration: FLD1, FLD1, FLD1, FADDP (ST0 = 2, ST1 = 1), the
// instruction, then FFREE/FINCSTP back to an empty stack.
func transLoop(op ...byte) []byte {
	code := []byte{0xD9, 0xE8, 0xD9, 0xE8, 0xD9, 0xE8, 0xDE, 0xC1, 0xD9, 0xE8, 0xDE, 0xF9} // 1, 0.5
	code = append(code, op...)
	return append(code, 0xDB, 0xE3) // FNINIT
}

func BenchmarkX87F2XM1(b *testing.B)  { benchTrans(b, transLoop(0xD9, 0xF0)) }
func BenchmarkX87FYL2X(b *testing.B)  { benchTrans(b, transLoop(0xD9, 0xF1)) }
func BenchmarkX87FPATAN(b *testing.B) { benchTrans(b, transLoop(0xD9, 0xF3)) }
func BenchmarkX87FSIN(b *testing.B)   { benchTrans(b, transLoop(0xD9, 0xFE)) }
func BenchmarkX87Setup(b *testing.B)  { benchTrans(b, transLoop()) }

// BenchmarkBigFloatAdd is the alternative we did not take: one correctly
// rounded 64-bit addition with math/big.Float, reusing its operands.
func BenchmarkBigFloatAdd(b *testing.B) {
	x := new(big.Float).SetPrec(64).SetFloat64(1.5)
	y := new(big.Float).SetPrec(64).SetMantExp(big.NewFloat(1), -70)
	z := new(big.Float).SetPrec(64)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		z.Add(x, y)
	}
}

func BenchmarkBigFloatQuo(b *testing.B) {
	x := new(big.Float).SetPrec(64).SetFloat64(1.5)
	y := new(big.Float).SetPrec(64).SetFloat64(1.0000001)
	z := new(big.Float).SetPrec(64)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		z.Quo(x, y)
	}
}

// BenchmarkSoftFADD is the soft-float core alone (no handler).
func BenchmarkSoftFADD(b *testing.B) {
	x := Float80{Mant: 0xC000000000000000, SExp: 0x3FFF}
	y := Float80{Mant: intBit, SExp: 0x3FFF - 70}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		x, _ = f80Add(x, y, false, 0x037F)
	}
}

func BenchmarkSoftFMUL(b *testing.B) {
	x := Float80{Mant: 0xC000000000000000, SExp: 0x3FFF}
	y := Float80{Mant: intBit | 1<<23, SExp: 0x3FFF}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		x, _ = f80Mul(x, y, 0x037F)
	}
}

// BenchmarkX87FYL2XGeneral is FYL2X's series path (log2 of 1.5), without
// the instruction around it.
func BenchmarkX87FYL2XGeneral(b *testing.B) {
	c := newTestCPU(b, nil)
	x := Float80{Mant: 0xC000000000000000, SExp: 0x3FFF}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c.fyl2xVal(x, x, 0x037F)
	}
}

// BenchmarkX87F2XM1Half is F2XM1's series path (2^0.5 - 1).
func BenchmarkX87F2XM1Half(b *testing.B) {
	c := newTestCPU(b, nil)
	x := Float80{Mant: intBit, SExp: 0x3FFE}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c.f2xm1Val(x, 0x037F)
	}
}
