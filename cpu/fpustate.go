package cpu

// Float80 is an x87 extended-precision value, bit for bit: a 64-bit
// significand with an explicit integer bit, and sign+15-bit exponent.
type Float80 struct {
	Mant uint64
	SExp uint16
}

// FPU is the x87 (and FXSR) state.
type FPU struct {
	CW  uint16 // control word
	SW  uint16 // status word; TOP lives in bits 11-13
	TW  uint16 // full tag word, 2 bits per physical register
	Reg [8]Float80
	// Last instruction and operand pointers (FSTENV/FSAVE/FXSAVE).
	FIP, FDP uint32
	FCS, FDS uint16
	FOP      uint16
	MXCSR    uint32
}
