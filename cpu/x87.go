package cpu

import "bt86/decoder"

// The x87 floating-point unit of a P6 (387/486/Pentium Pro instruction
// set, with FCMOVcc, FCOMI/FUCOMI and FXSAVE/FXRSTOR; no FISTTP).
//
// # Precision strategy
//
// Registers hold exact 80-bit values (Float80: sign, 15-bit exponent,
// 64-bit significand with explicit integer bit), so every value a program
// can observe is bit for bit what a P6 would hold.
//
//   - FLD/FSTP m80 and the FSAVE/FRSTOR/FXSAVE/FXRSTOR images copy bits:
//     no conversion, SNaNs and unsupported encodings are preserved.
//   - m32/m64 real loads are exact (denormals are normalized, DE raised);
//     stores round once per the rounding control with the IEEE overflow,
//     underflow and inexact responses.
//   - Integer loads and stores (m16/m32/m64) and packed BCD (m80) convert
//     through the 64-bit significand, never through float64: exact for
//     every 64-bit integer and all 18 BCD digits; stores round per RC.
//   - FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR (all forms) and FSQRT compute the
//     exact result in 128-bit integer arithmetic (math/bits: a 64x64
//     product, a 128/64 division keeping a sticky remainder, a digit-by-
//     digit square root) and round it once to the precision control (24,
//     53 or 64 bits) and rounding control, in the extended exponent range,
//     with the x87 denormalization, overflow and underflow responses
//     (tininess detected after rounding, as on x86), PE, and C1 set when
//     the magnitude was rounded up. With reduced precision the unused low
//     significand bits stay zero even in denormals, as the SDM says and
//     SoftFloat/QEMU model it. This is correctly rounded IEEE
//     arithmetic and allocates nothing. We prefer it to math/big.Float,
//     which rounds correctly too but has no bounded exponent range (a
//     denormal result would be rounded twice) and allocates; the tests
//     check this core against big.Float on random operands in every
//     precision and rounding mode.
//   - FPREM, FPREM1 (exact, with the hardware's partial-remainder step of
//     32 + D mod 32 bits when the exponents differ by 64 or more), FRNDINT,
//     FSCALE, FXTRACT, the compares, FXAM, FCHS, FABS are exact. The
//     FLDPI/FLDL2T/FLDL2E/FLDLG2/FLDLN2 constants are the 387+ 66-bit
//     constants rounded per RC, as hardware returns them.
//   - F2XM1, FYL2X, FYL2XP1 and FPATAN are evaluated with math/big.Float
//     series at 128 bits and rounded once per RC (PE and C1 reported), so
//     they are within one rounding of the true value (hardware promises
//     less than 1 ulp); exact cases (log2 of a power of two, ±0, ±1) are
//     exact, and results within a hair of a representable value (atan of
//     a tiny ratio) round on the correct side in the directed modes. They
//     allocate and cost microseconds. On ~100,000 random operations
//     (TestX87DifferentialQEMU) they match QEMU 7.2's extended-precision
//     versions bit for bit except where QEMU is an ulp off (mpmath sides
//     with bt86) or mishandles a denormal operand.
//   - Precision control affects only the operations the SDM lists (FADD,
//     FSUB(R), FMUL, FDIV(R) in all forms, FSQRT); conversions, FRNDINT,
//     FPREM, FSCALE and the transcendentals always use 64 bits (QEMU 7.2
//     wrongly applies PC to some of these).
//   - FSIN, FCOS, FSINCOS and FPTAN go through float64: the argument is
//     rounded to 53 bits and math.Sin/Cos/Tan used, so results carry
//     about 53 correct bits, not 64 (QEMU does the same). The |x| < 2^63
//     range check (C2) is exact; zero is exact and |x| < 2^-40 is handled
//     in extended precision (sin x and tan x round from x, cos x from 1).
//   - Outside their architectural domain (undefined on hardware) F2XM1
//     and FYL2XP1 follow Bochs: F2XM1(-inf) = -1, FYL2XP1(+inf) = ±inf.
//
// # Exceptions
//
// Every exception is reported in the status word; masked ones get the
// IEEE/x87 masked response. An unmasked IE, DE or ZE suppresses the
// result (the destination and stack are unchanged), an unmasked OE or UE
// on a register destination delivers the result with its exponent
// wrapped by 24576 and on a memory destination stores nothing. Any
// unmasked exception sets ES and B; the next waiting instruction (FWAIT,
// or any escape but FNINIT, FNCLEX, FNSTCW, FNSTSW, FNSTENV, FNSAVE, the
// FNENI/FNDISI/FNSETPM no-ops, FXSAVE and FXRSTOR) then raises #MF, before
// doing anything, when CR0.NE=1. With CR0.NE=0 the
// pending exception is ignored as if IGNNE# were asserted (FERR#/IRQ13 is
// not modelled). ES is recomputed whenever the control word or status
// word is loaded (FLDCW, FLDENV, FRSTOR, FXRSTOR).
//
// #NM: every escape raises it when CR0.EM or CR0.TS is set; FWAIT when
// CR0.TS and CR0.MP are both set; FXSAVE/FXRSTOR when CR0.EM or CR0.TS
// is set (as the P6-era manual, QEMU and Bochs do; today's SDM says #UD
// for EM), after #UD when CPUID lacks FXSR, and before #GP(0) for an
// operand that is not 16-byte aligned. A faulting instruction (#NM, #MF, #GP,
// #SS, #PF) leaves the FPU and memory unchanged: memory operands are read,
// and multi-byte stores are probed, before any state changes.
//
// FIP/FCS/FOP (and FDP/FDS for memory operands) are updated by every
// non-control instruction; FCS and FDS hold selectors, FIP and FDP offsets,
// and the real-mode FSTENV/FSAVE layouts form 20-bit linear addresses.

// Tag values.
const (
	tagValid   = 0
	tagZero    = 1
	tagSpecial = 2
	tagEmpty   = 3
)

// Control-word bits that software can change (bit 6 reads as one).
const cwWritable = 0x1F3F

func tagOf(v Float80) int {
	switch classify(v) {
	case clsZero:
		return tagZero
	case clsNormal:
		return tagValid
	}
	return tagSpecial
}

func (f *FPU) top() int { return int(f.SW>>11) & 7 }

func (f *FPU) setTop(t int) { f.SW = f.SW&^fpTop | uint16(t&7)<<11 }

func (f *FPU) phys(i int) int { return (f.top() + i) & 7 }

func (f *FPU) tag(p int) int { return int(f.TW>>(2*uint(p))) & 3 }

func (f *FPU) setTag(p, t int) {
	f.TW = f.TW&^(3<<(2*uint(p))) | uint16(t)<<(2*uint(p))
}

func (f *FPU) empty(i int) bool { return f.tag(f.phys(i)) == tagEmpty }

func (f *FPU) st(i int) Float80 { return f.Reg[f.phys(i)] }

func (f *FPU) setST(i int, v Float80) {
	p := f.phys(i)
	f.Reg[p] = v
	f.setTag(p, tagOf(v))
}

func (f *FPU) push(v Float80) {
	f.setTop(f.top() - 1)
	f.setST(0, v)
}

func (f *FPU) pop() {
	f.setTag(f.phys(0), tagEmpty)
	f.setTop(f.top() + 1)
}

// fullTag recomputes the tag word from the registers, keeping empties.
func (f *FPU) fullTag() uint16 {
	tw := f.TW
	for p := 0; p < 8; p++ {
		if int(tw>>(2*uint(p)))&3 != tagEmpty {
			tw = tw&^(3<<(2*uint(p))) | uint16(tagOf(f.Reg[p]))<<(2*uint(p))
		}
	}
	return tw
}

// updateES recomputes ES and B from the exception flags and masks.
func (f *FPU) updateES() {
	if f.SW&^f.CW&fpExc != 0 {
		f.SW |= fpES | fpB
	} else {
		f.SW &^= fpES | fpB
	}
}

// init is FNINIT.
func (f *FPU) init() {
	f.CW = 0x037F
	f.SW = 0
	f.TW = 0xFFFF
	f.FIP, f.FDP, f.FCS, f.FDS, f.FOP = 0, 0, 0, 0, 0
}

// fpExcept merges the bits fl reported by an operation: exception flags
// (sticky), C1 (replaced) and ES/B for unmasked exceptions.
func (c *CPU) fpExcept(fl uint16) {
	f := &c.FPU
	f.SW = f.SW&^fpC1 | fl&(fpExc|fpSF|fpC1)
	if fl&^f.CW&fpExc != 0 {
		f.SW |= fpES | fpB
	}
}

// suppressed reports whether fl holds an unmasked IE, DE or ZE, which
// leave the destination unchanged.
func (c *CPU) suppressed(fl uint16) bool { return fl&^c.FPU.CW&fpNoStore != 0 }

func (c *CPU) ieMasked() bool { return c.FPU.CW&fpIE != 0 }

// fpCheck is the prologue of a waiting x87 instruction: #NM, then a
// pending unmasked exception.
func (c *CPU) fpCheck() {
	if c.CR0&(CR0EM|CR0TS) != 0 {
		c.raise(excNM, 0, false)
	}
	if c.FPU.SW&fpES != 0 && c.CR0&CR0NE != 0 {
		c.raise(excMF, 0, false)
	}
}

// fpCheckNoWait is the prologue of the FN* control instructions.
func (c *CPU) fpCheckNoWait() {
	if c.CR0&(CR0EM|CR0TS) != 0 {
		c.raise(excNM, 0, false)
	}
}

// fpNote records the last non-control instruction (and memory operand,
// when off is valid) for FSTENV/FSAVE/FXSAVE.
func (c *CPU) fpNote(in *decoder.Inst, off uint32) {
	f := &c.FPU
	f.FIP = c.EIP
	f.FCS = c.Seg[CS].Sel
	f.FOP = uint16(in.Opcode&7)<<8 | uint16(in.ModRM)
	if in.Flags&decoder.FlagMem != 0 {
		f.FDP = off
		f.FDS = c.Seg[in.Seg].Sel
	}
}

// fpStackUnderflow reports a stack underflow (IE, SF, C1=0). Masked, the
// indefinite is written to ST(dst) (dst < 0: nowhere); it reports whether
// the masked response was taken.
func (c *CPU) fpStackUnderflow(dst int) bool {
	c.fpExcept(fpIE | fpSF)
	if !c.ieMasked() {
		return false
	}
	if dst >= 0 {
		c.FPU.setST(dst, indefinite())
	}
	return true
}

// fpStackOverflow reports a stack overflow (IE, SF, C1=1). Masked, the
// indefinite is pushed.
func (c *CPU) fpStackOverflow() {
	c.fpExcept(fpIE | fpSF | fpC1)
	if c.ieMasked() {
		c.FPU.push(indefinite())
	}
}

// fpPush pushes v with the flags of its conversion, checking for stack
// overflow first.
func (c *CPU) fpPush(v Float80, fl uint16) {
	if !c.FPU.empty(7) {
		c.fpStackOverflow()
		return
	}
	if c.suppressed(fl) {
		c.fpExcept(fl)
		return
	}
	c.FPU.push(v)
	c.fpExcept(fl)
}

// fpSetResult stores an operation's result in ST(dst) unless an unmasked
// exception suppresses it, then pops if pop.
func (c *CPU) fpSetResult(dst int, v Float80, fl uint16, pop bool) {
	if c.suppressed(fl) {
		c.fpExcept(fl)
		return
	}
	c.FPU.setST(dst, v)
	c.fpExcept(fl)
	if pop {
		c.FPU.pop()
	}
}

func regX87(t *[decoder.NumOps]opInfo) {
	m := decoder.X87MemKey
	r := func(esc byte, modrm int) uint16 { return decoder.X87RegKey(esc, byte(modrm)) }
	for op := 0; op < 8; op++ {
		for _, esc := range []byte{0xD8, 0xDA, 0xDC, 0xDE} {
			def(t, m(esc, op), (*CPU).fpArithMem)
		}
		for i := 0; i < 8; i++ {
			rm := 0xC0 + op*8 + i
			def(t, r(0xD8, rm), (*CPU).fpArithST0)
			def(t, r(0xDC, rm), (*CPU).fpArithSTi)
			if op != 3 {
				def(t, r(0xDE, rm), (*CPU).fpArithSTi)
			}
		}
	}
	def(t, r(0xDE, 0xD9), (*CPU).fcompp)
	for i := 0; i < 8; i++ {
		def(t, r(0xD9, 0xC0+i), (*CPU).fldST)
		def(t, r(0xD9, 0xC8+i), (*CPU).fxch)
		def(t, r(0xD9, 0xD8+i), (*CPU).fstST) // FSTP1
		def(t, r(0xDA, 0xC0+i), (*CPU).fcmov)
		def(t, r(0xDA, 0xC8+i), (*CPU).fcmov)
		def(t, r(0xDA, 0xD0+i), (*CPU).fcmov)
		def(t, r(0xDA, 0xD8+i), (*CPU).fcmov)
		def(t, r(0xDB, 0xC0+i), (*CPU).fcmov)
		def(t, r(0xDB, 0xC8+i), (*CPU).fcmov)
		def(t, r(0xDB, 0xD0+i), (*CPU).fcmov)
		def(t, r(0xDB, 0xD8+i), (*CPU).fcmov)
		def(t, r(0xDB, 0xE8+i), (*CPU).fcomi)
		def(t, r(0xDB, 0xF0+i), (*CPU).fcomi)
		def(t, r(0xDD, 0xC0+i), (*CPU).ffree)
		def(t, r(0xDD, 0xC8+i), (*CPU).fxch) // FXCH4
		def(t, r(0xDD, 0xD0+i), (*CPU).fstST)
		def(t, r(0xDD, 0xD8+i), (*CPU).fstST)
		def(t, r(0xDD, 0xE0+i), (*CPU).fucom)
		def(t, r(0xDD, 0xE8+i), (*CPU).fucom)
		def(t, r(0xDF, 0xC0+i), (*CPU).ffree) // FFREEP
		def(t, r(0xDF, 0xC8+i), (*CPU).fxch)  // FXCH7
		def(t, r(0xDF, 0xD0+i), (*CPU).fstST) // FSTP8
		def(t, r(0xDF, 0xD8+i), (*CPU).fstST) // FSTP9
		def(t, r(0xDF, 0xE8+i), (*CPU).fcomi)
		def(t, r(0xDF, 0xF0+i), (*CPU).fcomi)
	}
	def(t, r(0xDA, 0xE9), (*CPU).fcompp) // FUCOMPP
	def(t, r(0xD9, 0xD0), (*CPU).fnop)
	def(t, r(0xD9, 0xE0), (*CPU).fchs)
	def(t, r(0xD9, 0xE1), (*CPU).fabs)
	def(t, r(0xD9, 0xE4), (*CPU).ftst)
	def(t, r(0xD9, 0xE5), (*CPU).fxam)
	for k := 0xE8; k <= 0xEE; k++ {
		def(t, r(0xD9, k), (*CPU).fldConst)
	}
	def(t, r(0xD9, 0xF0), (*CPU).f2xm1)
	def(t, r(0xD9, 0xF1), (*CPU).fyl2x)
	def(t, r(0xD9, 0xF2), (*CPU).fptan)
	def(t, r(0xD9, 0xF3), (*CPU).fpatan)
	def(t, r(0xD9, 0xF4), (*CPU).fxtract)
	def(t, r(0xD9, 0xF5), (*CPU).fprem)
	def(t, r(0xD9, 0xF6), (*CPU).fdecstp)
	def(t, r(0xD9, 0xF7), (*CPU).fincstp)
	def(t, r(0xD9, 0xF8), (*CPU).fprem)
	def(t, r(0xD9, 0xF9), (*CPU).fyl2x)
	def(t, r(0xD9, 0xFA), (*CPU).fsqrt)
	def(t, r(0xD9, 0xFB), (*CPU).fsincos)
	def(t, r(0xD9, 0xFC), (*CPU).frndint)
	def(t, r(0xD9, 0xFD), (*CPU).fscale)
	def(t, r(0xD9, 0xFE), (*CPU).fsincos)
	def(t, r(0xD9, 0xFF), (*CPU).fsincos)
	def(t, r(0xDB, 0xE0), (*CPU).fnLegacy) // FNENI
	def(t, r(0xDB, 0xE1), (*CPU).fnLegacy) // FNDISI
	def(t, r(0xDB, 0xE2), (*CPU).fnclex)
	def(t, r(0xDB, 0xE3), (*CPU).fninit)
	def(t, r(0xDB, 0xE4), (*CPU).fnLegacy) // FNSETPM
	def(t, r(0xDF, 0xE0), (*CPU).fnstswAX)

	// Memory forms other than arithmetic.
	def(t, m(0xD9, 0), (*CPU).fldMem)
	def(t, m(0xD9, 2), (*CPU).fstMem)
	def(t, m(0xD9, 3), (*CPU).fstMem)
	def(t, m(0xD9, 4), (*CPU).fldenv)
	def(t, m(0xD9, 5), (*CPU).fldcw)
	def(t, m(0xD9, 6), (*CPU).fnstenv)
	def(t, m(0xD9, 7), (*CPU).fnstcw)
	def(t, m(0xDB, 0), (*CPU).fildMem)
	def(t, m(0xDB, 2), (*CPU).fistMem)
	def(t, m(0xDB, 3), (*CPU).fistMem)
	def(t, m(0xDB, 5), (*CPU).fldMem)
	def(t, m(0xDB, 7), (*CPU).fstMem)
	def(t, m(0xDD, 0), (*CPU).fldMem)
	def(t, m(0xDD, 2), (*CPU).fstMem)
	def(t, m(0xDD, 3), (*CPU).fstMem)
	def(t, m(0xDD, 4), (*CPU).frstor)
	def(t, m(0xDD, 6), (*CPU).fnsave)
	def(t, m(0xDD, 7), (*CPU).fnstswMem)
	def(t, m(0xDF, 0), (*CPU).fildMem)
	def(t, m(0xDF, 2), (*CPU).fistMem)
	def(t, m(0xDF, 3), (*CPU).fistMem)
	def(t, m(0xDF, 4), (*CPU).fbld)
	def(t, m(0xDF, 5), (*CPU).fildMem)
	def(t, m(0xDF, 6), (*CPU).fbstp)
	def(t, m(0xDF, 7), (*CPU).fistMem)

	def(t, 0x9B, (*CPU).fwait)
	def(t, decoder.GroupKey(decoder.Grp15, 0), (*CPU).fxsave)
	def(t, decoder.GroupKey(decoder.Grp15, 1), (*CPU).fxrstor)
}
