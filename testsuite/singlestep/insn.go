package singlestep

import "fmt"

// This file is a deliberately small, independent 80286 real-mode
// instruction analyser: enough to find an instruction's length, its ModRM
// memory operand and the implicit stack and string accesses, so that the
// known-difference classifier can decide from a test's initial state alone
// whether the instruction straddles offset 0xFFFF or is longer than 10
// bytes. It does not depend on the project's decoder on purpose: the test
// oracle must not share code with the thing under test.

// Flag bits of the 16-bit FLAGS register.
const (
	flagCF = 1 << 0
	flagPF = 1 << 2
	flagAF = 1 << 4
	flagZF = 1 << 6
	flagSF = 1 << 7
	flagDF = 1 << 10
	flagOF = 1 << 11
	// flagsHigh are FLAGS bits 12-15 (IOPL, NT, reserved): a real-mode 286
	// always reads them as zero.
	flagsHigh = 0xF000
	// flagsArith are the six arithmetic flags.
	flagsArith = flagCF | flagPF | flagAF | flagZF | flagSF | flagOF
)

// maxInsnLen286 is the 286's instruction length limit: a longer
// instruction (counting prefixes) raises #GP (interrupt 13).
const maxInsnLen286 = 10

// insn is a decoded instruction.
type insn struct {
	ok      bool // fully decoded within the test's bytes
	length  int  // prefixes through immediate
	nPrefix int
	lock    bool
	rep     byte // 0, 0xF2 or 0xF3
	seg     int  // segment override as a Reg (RegES..RegDS), -1 none
	op      byte // opcode (after 0F for two-byte opcodes)
	twoByte bool // 0F xx
	modrm   bool
	mod     byte
	reg     byte
	rm      byte
	immOff  int // offset of the first immediate byte in the bytes, -1 none
}

// opSpec describes a one-byte opcode: whether a ModRM byte follows, the
// size of its immediate (or displacement/pointer) bytes, and the size of
// the memory operand its ModRM names (0: no access, as LEA).
type opSpec struct {
	modrm bool
	imm   int
	width int
}

// spec returns the opSpec of a one-byte opcode; reg is the ModRM reg field
// (needed for F6/F7, whose TEST forms carry an immediate).
func spec(op, reg byte) opSpec {
	switch {
	case op < 0x40 && op&7 < 4: // ALU r/m forms
		return opSpec{modrm: true, width: 1 + int(op&1)}
	case op < 0x40 && op&7 == 4: // ALU AL,imm8
		return opSpec{imm: 1}
	case op < 0x40 && op&7 == 5: // ALU AX,imm16
		return opSpec{imm: 2}
	}
	switch op {
	case 0x62: // BOUND r16,m16&16
		return opSpec{modrm: true, width: 4}
	case 0x63: // ARPL (invalid in real mode)
		return opSpec{modrm: true, width: 2}
	case 0x68:
		return opSpec{imm: 2}
	case 0x69:
		return opSpec{modrm: true, imm: 2, width: 2}
	case 0x6A:
		return opSpec{imm: 1}
	case 0x6B:
		return opSpec{modrm: true, imm: 1, width: 2}
	case 0x80, 0x82, 0xC0, 0xC6:
		return opSpec{modrm: true, imm: 1, width: 1}
	case 0x81, 0xC7:
		return opSpec{modrm: true, imm: 2, width: 2}
	case 0x83, 0xC1:
		return opSpec{modrm: true, imm: 1, width: 2}
	case 0x84, 0x86, 0x88, 0x8A, 0xD0, 0xD2, 0xFE:
		return opSpec{modrm: true, width: 1}
	case 0x85, 0x87, 0x89, 0x8B, 0x8C, 0x8E, 0x8F, 0xD1, 0xD3:
		return opSpec{modrm: true, width: 2}
	case 0x8D: // LEA: no memory access
		return opSpec{modrm: true}
	case 0xC4, 0xC5: // LES, LDS: m16:16
		return opSpec{modrm: true, width: 4}
	case 0x9A, 0xEA: // far pointer
		return opSpec{imm: 4}
	case 0xA0, 0xA1, 0xA2, 0xA3: // moffs16
		return opSpec{imm: 2}
	case 0xA8, 0xCD, 0xD4, 0xD5, 0xE4, 0xE5, 0xE6, 0xE7, 0xEB:
		return opSpec{imm: 1}
	case 0xA9, 0xC2, 0xCA, 0xE8, 0xE9:
		return opSpec{imm: 2}
	case 0xC8: // ENTER imm16,imm8
		return opSpec{imm: 3}
	case 0xD8, 0xDA: // ESC m32
		return opSpec{modrm: true, width: 4}
	case 0xDC: // ESC m64
		return opSpec{modrm: true, width: 8}
	case 0xD9, 0xDB, 0xDD, 0xDE, 0xDF: // ESC, operand size varies; word at least
		return opSpec{modrm: true, width: 2}
	case 0xF6:
		if reg < 2 {
			return opSpec{modrm: true, imm: 1, width: 1}
		}
		return opSpec{modrm: true, width: 1}
	case 0xF7:
		if reg < 2 {
			return opSpec{modrm: true, imm: 2, width: 2}
		}
		return opSpec{modrm: true, width: 2}
	case 0xFF:
		if reg == 3 || reg == 5 { // CALL/JMP far m16:16
			return opSpec{modrm: true, width: 4}
		}
		return opSpec{modrm: true, width: 2}
	}
	if op >= 0x70 && op <= 0x7F || op >= 0xE0 && op <= 0xE3 || op >= 0xB0 && op <= 0xB7 {
		return opSpec{imm: 1}
	}
	if op >= 0xB8 && op <= 0xBF {
		return opSpec{imm: 2}
	}
	return opSpec{}
}

// spec0F returns the opSpec of a 286 two-byte opcode 0F xx.
func spec0F(op byte) opSpec {
	switch op {
	case 0x00, 0x01: // group 6/7: SLDT..VERW, SGDT..LMSW (word; descriptor tables wider)
		return opSpec{modrm: true, width: 2}
	case 0x02, 0x03: // LAR, LSL
		return opSpec{modrm: true, width: 2}
	}
	return opSpec{} // LOADALL, CLTS, and invalid opcodes
}

// decode decodes the instruction at the start of b.
func decode(b []byte) insn {
	in := insn{seg: -1, immOff: -1}
	i := 0
prefixes:
	for ; i < len(b); i++ {
		switch b[i] {
		case 0x26:
			in.seg = int(RegES)
		case 0x2E:
			in.seg = int(RegCS)
		case 0x36:
			in.seg = int(RegSS)
		case 0x3E:
			in.seg = int(RegDS)
		case 0xF0:
			in.lock = true
		case 0xF2, 0xF3:
			in.rep = b[i]
		default:
			break prefixes
		}
	}
	in.nPrefix = i
	if i >= len(b) {
		return in
	}
	in.op = b[i]
	i++
	var sp opSpec
	if in.op == 0x0F {
		if i >= len(b) {
			return in
		}
		in.twoByte, in.op = true, b[i]
		i++
		sp = spec0F(in.op)
	} else {
		sp = spec(in.op, 0)
	}
	if sp.modrm {
		if i >= len(b) {
			return in
		}
		m := b[i]
		i++
		in.modrm, in.mod, in.reg, in.rm = true, m>>6, m>>3&7, m&7
		if !in.twoByte {
			sp = spec(in.op, in.reg)
		}
		switch {
		case in.mod == 0 && in.rm == 6:
			i += 2
		case in.mod == 1:
			i++
		case in.mod == 2:
			i += 2
		}
	}
	if sp.imm > 0 {
		in.immOff = i
	}
	i += sp.imm
	if i > len(b) {
		return in
	}
	in.length, in.ok = i, true
	return in
}

// width returns the size of the ModRM memory operand (0 when the ModRM
// names a register or the instruction does not access memory through it).
func (in *insn) width() int {
	if !in.modrm || in.mod == 3 {
		return 0
	}
	if in.twoByte {
		return spec0F(in.op).width
	}
	return spec(in.op, in.reg).width
}

// ea computes the ModRM effective address (16-bit, wrapping) and its
// default or overridden segment, from the test's initial registers.
func (in *insn) ea(b []byte, r *Regs16) (seg Reg, off uint16) {
	dispAt := in.nPrefix + 2
	if in.twoByte {
		dispAt++
	}
	disp := func(n int) uint16 {
		if dispAt+n > len(b) {
			return 0
		}
		if n == 1 {
			return uint16(int16(int8(b[dispAt])))
		}
		return uint16(b[dispAt]) | uint16(b[dispAt+1])<<8
	}
	seg = RegDS
	switch in.rm {
	case 0:
		off = r.BX + r.SI
	case 1:
		off = r.BX + r.DI
	case 2:
		off, seg = r.BP+r.SI, RegSS
	case 3:
		off, seg = r.BP+r.DI, RegSS
	case 4:
		off = r.SI
	case 5:
		off = r.DI
	case 6:
		if in.mod == 0 {
			return in.segOr(RegDS), disp(2)
		}
		off, seg = r.BP, RegSS
	case 7:
		off = r.BX
	}
	switch in.mod {
	case 1:
		off += disp(1)
	case 2:
		off += disp(2)
	}
	return in.segOr(seg), off
}

func (in *insn) segOr(def Reg) Reg {
	if in.seg >= 0 {
		return Reg(in.seg)
	}
	return def
}

// imm8 returns the first immediate byte (0 if none).
func (in *insn) imm8(b []byte) byte {
	if in.immOff < 0 || in.immOff >= len(b) {
		return 0
	}
	return b[in.immOff]
}

// access is one memory access of an instruction.
type access struct {
	seg  Reg
	off  uint16
	size int
	what string
}

// straddles reports whether the access runs past offset 0xFFFF.
func (a access) straddles() bool { return int(a.off)+a.size-1 > 0xFFFF }

func (a access) String() string {
	return fmt.Sprintf("%d-byte %s at %s:%04X", a.size, a.what, a.seg, a.off)
}

// wordsAt returns n word accesses starting at off, stepping by step.
func wordsAt(seg Reg, off uint16, n int, step int, what string) []access {
	acc := make([]access, 0, n)
	for k := 0; k < n; k++ {
		acc = append(acc, access{seg, off + uint16(step*k), 2, what})
	}
	return acc
}

// stackAccesses lists the word accesses an instruction makes to the stack,
// from its initial SP (pushes first word at SP-2, pops first word at SP).
func (in *insn) stackAccesses(t *Test, r *Regs16) []access {
	push := func(n int) []access { return wordsAt(RegSS, r.SP-2, n, -2, "push") }
	pop := func(n int) []access { return wordsAt(RegSS, r.SP, n, 2, "pop") }
	var acc []access
	if !in.twoByte {
		switch op := in.op; {
		case op >= 0x50 && op <= 0x57, op == 0x06, op == 0x0E, op == 0x16, op == 0x1E,
			op == 0x68, op == 0x6A, op == 0x9C, op == 0xE8:
			acc = push(1)
		case op == 0x60: // PUSHA
			acc = push(8)
		case op == 0x9A: // CALL far
			acc = push(2)
		case op == 0xFF && in.reg == 2:
			acc = push(1)
		case op == 0xFF && in.reg == 3:
			acc = push(2)
		case op == 0xFF && in.reg == 6:
			acc = push(1)
		case op == 0xC8: // ENTER
			acc = push(1)
		case op >= 0x58 && op <= 0x5F, op == 0x07, op == 0x17, op == 0x1F,
			op == 0x9D, op == 0xC2, op == 0xC3:
			acc = pop(1)
		case op == 0x8F && in.reg == 0:
			acc = pop(1)
		case op == 0x61: // POPA
			acc = pop(8)
		case op == 0xCA, op == 0xCB: // RETF
			acc = pop(2)
		case op == 0xCF: // IRET
			acc = pop(3)
		case op == 0xC9: // LEAVE: SP = BP, then pop BP
			acc = wordsAt(RegSS, r.BP, 1, 2, "pop")
		}
	}
	if t.Exception != nil { // interrupt or exception: FLAGS, CS, IP pushed
		acc = append(acc, push(3)...)
	}
	return acc
}

// stringAccesses lists the word accesses of a word string instruction that
// straddle offset 0xFFFF. With a REP prefix the iterations are those the
// 286 ran (initial CX minus final CX: REPE/REPNE may stop early), plus the
// one that faulted when the test raised an exception.
func (in *insn) stringAccesses(t *Test, r *Regs16) []access {
	if in.twoByte {
		return nil
	}
	var src, dst bool
	switch in.op {
	case 0xA5, 0xA7: // MOVSW, CMPSW
		src, dst = true, true
	case 0xAD, 0x6F: // LODSW, OUTSW
		src = true
	case 0xAB, 0xAF, 0x6D: // STOSW, SCASW, INSW
		dst = true
	default:
		return nil
	}
	n := 1
	if in.rep != 0 {
		left := r.CX
		if t.Final.Has(RegCX) {
			left = t.Final.Regs[RegCX]
		}
		n = int(r.CX - left)
		if t.Exception != nil && left != 0 {
			n++
		}
	}
	step := 2
	if r.Flags&flagDF != 0 {
		step = -2
	}
	// Only accesses that straddle matter; find the first iteration whose
	// index register sits at 0xFFFF (at most one per register).
	var acc []access
	first := func(start uint16) (int, bool) {
		for k := 0; k < n; k++ {
			if start+uint16(step*k) == 0xFFFF {
				return k, true
			}
		}
		return 0, false
	}
	if src {
		if k, ok := first(r.SI); ok {
			acc = append(acc, access{in.segOr(RegDS), r.SI + uint16(step*k), 2, "string source"})
		}
	}
	if dst {
		if k, ok := first(r.DI); ok {
			acc = append(acc, access{RegES, r.DI + uint16(step*k), 2, "string destination"})
		}
	}
	return acc
}

// segmentWrap reports the first access of the test's instruction that runs
// past offset 0xFFFF of its segment (code fetch included), with a reason.
func segmentWrap(t *Test) (string, bool) {
	in := decode(t.Bytes)
	if !in.ok {
		return "", false
	}
	if t.Exception != nil && t.Exception.Vector == 6 {
		// Invalid opcode (e.g. MOV CS,m16): raised at decode, before any
		// operand access.
		return "", false
	}
	r := initialRegs(t)
	// The instruction and the HLT after it (when it does not transfer
	// control) are fetched from CS:IP onwards.
	if int(r.IP)+in.length > 0xFFFF {
		return fmt.Sprintf("%d-byte instruction at CS:%04X runs past offset FFFF", in.length, r.IP), true
	}
	var acc []access
	if w := in.width(); w > 1 {
		seg, off := in.ea(t.Bytes, &r)
		acc = append(acc, access{seg, off, w, "memory operand"})
	}
	if !in.twoByte && (in.op == 0xA1 || in.op == 0xA3) && in.immOff >= 0 {
		off := uint16(t.Bytes[in.immOff]) | uint16(t.Bytes[in.immOff+1])<<8
		acc = append(acc, access{in.segOr(RegDS), off, 2, "memory operand"})
	}
	acc = append(acc, in.stackAccesses(t, &r)...)
	acc = append(acc, in.stringAccesses(t, &r)...)
	for _, a := range acc {
		if a.straddles() {
			return a.String() + " straddles offset FFFF", true
		}
	}
	return "", false
}

// lockable386 reports whether a 386 accepts LOCK on the instruction: the
// read-modify-write forms with a memory destination only (ADD, ADC, AND,
// OR, SBB, SUB, XOR, XCHG, INC, DEC, NOT, NEG; BT* do not exist on a 286).
func (in *insn) lockable386() bool {
	if !in.modrm || in.mod == 3 || in.twoByte {
		return false
	}
	op := in.op
	switch {
	case op < 0x40 && op&7 < 2 && op>>3 != 7: // ALU r/m,reg except CMP
		return true
	case op >= 0x80 && op <= 0x83:
		return in.reg != 7 // not CMP
	case op == 0x86, op == 0x87:
		return true
	case op == 0xF6, op == 0xF7:
		return in.reg == 2 || in.reg == 3
	case op == 0xFE, op == 0xFF:
		return in.reg <= 1
	}
	return false
}

// undefinedFlags386 returns the FLAGS bits Intel documents as undefined
// after the instruction (386 manuals), from its initial state.
func undefinedFlags386(t *Test) uint16 {
	in := decode(t.Bytes)
	if !in.ok || in.twoByte {
		return 0
	}
	const logic = flagAF
	const mul = flagSF | flagZF | flagAF | flagPF
	const div = flagOF | flagSF | flagZF | flagAF | flagPF | flagCF
	op := in.op
	switch {
	case op < 0x40 && (op>>3 == 1 || op>>3 == 4 || op>>3 == 6) && op&7 < 6: // OR, AND, XOR
		return logic
	case op == 0x84, op == 0x85, op == 0xA8, op == 0xA9: // TEST
		return logic
	case op >= 0x80 && op <= 0x83 && (in.reg == 1 || in.reg == 4 || in.reg == 6):
		return logic
	case op == 0x27, op == 0x2F: // DAA, DAS
		return flagOF
	case op == 0x37, op == 0x3F: // AAA, AAS
		return flagOF | flagSF | flagZF | flagPF
	case op == 0xD4, op == 0xD5: // AAM, AAD
		return flagOF | flagAF | flagCF
	case op == 0x69, op == 0x6B:
		return mul
	case op == 0xF6, op == 0xF7:
		switch in.reg {
		case 0, 1:
			return logic
		case 4, 5:
			return mul
		case 6, 7:
			return div
		}
	case op >= 0xC0 && op <= 0xC1, op >= 0xD0 && op <= 0xD3:
		r := initialRegs(t)
		count := 1
		switch op {
		case 0xC0, 0xC1:
			count = int(in.imm8(t.Bytes))
		case 0xD2, 0xD3:
			count = int(r.CX & 0xFF)
		}
		count &= 0x1F
		if count == 0 {
			return 0
		}
		var u uint16
		if count != 1 {
			u |= flagOF
		}
		if in.reg >= 4 { // shifts
			u |= flagAF
			size := 8
			if op&1 != 0 {
				size = 16
			}
			if in.reg != 7 && count >= size { // SHL/SHR/SAL
				u |= flagCF
			}
		}
		return u
	}
	return 0
}

// initialRegs returns a test's initial registers as the runner loads them
// (FLAGS bits 12-15 cleared).
func initialRegs(t *Test) Regs16 {
	r := regsFromArray(&t.Init.Regs)
	r.Flags &^= flagsHigh
	return r
}
