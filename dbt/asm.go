package dbt

import "encoding/binary"

// Host registers (x86-64 encoding numbers).
const (
	rAX = iota
	rCX
	rDX
	rBX
	rSP
	rBP
	rSI
	rDI
	r8
	r9
	r10
	r11
	r12
	r13
	r14
	r15
)

// hostReg maps a guest 16/32-bit register (ModRM numbering) to the host
// register that holds it in translated code: the same number except ESP,
// which lives in R12 (the host stack pointer stays the host's).
func hostReg(g int) int {
	if g == 4 {
		return r12
	}
	return g
}

// Scratch registers of translated code: r8 (linear address, pending
// values), r9 (host address), r10, r11, r13. r15 holds the context.
const ctxReg = r15

// asm is a little x86-64 assembler for the instructions translated code
// uses: bytes are appended to buf; labels are positions in buf and
// rel32 fields referring to them are patched by finish.
type asm struct {
	buf    []byte
	labels []int // position of each label, -1 until bound
	fix    []fixup
}

type fixup struct {
	at    int // position of a rel32 field
	label int
}

func (a *asm) reset() {
	a.buf = a.buf[:0]
	a.labels = a.labels[:0]
	a.fix = a.fix[:0]
}

func (a *asm) b(bs ...byte) { a.buf = append(a.buf, bs...) }

func (a *asm) u32(v uint32) { a.buf = binary.LittleEndian.AppendUint32(a.buf, v) }

func (a *asm) u16(v uint16) { a.buf = binary.LittleEndian.AppendUint16(a.buf, v) }

func (a *asm) newLabel() int {
	a.labels = append(a.labels, -1)
	return len(a.labels) - 1
}

func (a *asm) bind(l int) { a.labels[l] = len(a.buf) }

// rel32 appends a rel32 field referring to label l.
func (a *asm) rel32(l int) {
	a.fix = append(a.fix, fixup{at: len(a.buf), label: l})
	a.u32(0)
}

// finish resolves label references; every referenced label must be bound.
func (a *asm) finish() {
	for _, f := range a.fix {
		to := a.labels[f.label]
		if to < 0 {
			panic("dbt: unbound label")
		}
		binary.LittleEndian.PutUint32(a.buf[f.at:], uint32(int32(to-(f.at+4))))
	}
}

// rex emits a REX prefix when any bit is needed (or force is set).
func (a *asm) rex(w bool, reg, index, base int, force bool) {
	v := byte(0x40)
	if w {
		v |= 8
	}
	if reg >= 8 {
		v |= 4
	}
	if index >= 8 {
		v |= 2
	}
	if base >= 8 {
		v |= 1
	}
	if v != 0x40 || force {
		a.b(v)
	}
}

// modrmCtx emits ModRM (+disp) for [r15+off] with the given reg field.
func (a *asm) modrmCtx(reg int, off int) {
	if off >= -128 && off < 128 {
		a.b(0x40|byte(reg&7)<<3|byte(ctxReg&7), byte(int8(off)))
		return
	}
	a.b(0x80 | byte(reg&7)<<3 | byte(ctxReg&7))
	a.u32(uint32(int32(off)))
}

// ctxOp emits "op reg, [r15+off]" style instructions: opcode with a
// register (or /digit) operand and a context field.
func (a *asm) ctxOp(w bool, opcode []byte, reg int, off int) {
	a.rex(w, reg, 0, ctxReg, false)
	a.b(opcode...)
	a.modrmCtx(reg, off)
}

// loadCtx32 is mov reg32, [r15+off].
func (a *asm) loadCtx32(reg, off int) { a.ctxOp(false, []byte{0x8B}, reg, off) }

// storeCtx32 is mov [r15+off], reg32.
func (a *asm) storeCtx32(reg, off int) { a.ctxOp(false, []byte{0x89}, reg, off) }

// loadCtx64 is mov reg64, [r15+off].
func (a *asm) loadCtx64(reg, off int) { a.ctxOp(true, []byte{0x8B}, reg, off) }

// storeCtx64 is mov [r15+off], reg64.
func (a *asm) storeCtx64(reg, off int) { a.ctxOp(true, []byte{0x89}, reg, off) }

// movCtxImm32 is mov dword [r15+off], imm32.
func (a *asm) movCtxImm32(off int, v uint32) {
	a.ctxOp(false, []byte{0xC7}, 0, off)
	a.u32(v)
}

// addCtx64Imm is add qword [r15+off], imm (sub when imm < 0).
func (a *asm) addCtx64Imm(off int, imm int32) {
	digit := 0
	if imm < 0 {
		digit, imm = 5, -imm
	}
	if imm < 128 {
		a.ctxOp(true, []byte{0x83}, digit, off)
		a.b(byte(imm))
		return
	}
	a.ctxOp(true, []byte{0x81}, digit, off)
	a.u32(uint32(imm))
}

// saveFlags is pushfq; pop qword [r15+off].
func (a *asm) saveFlags(off int) {
	a.b(0x9C)
	a.ctxOp(false, []byte{0x8F}, 0, off)
}

// loadFlags is push qword [r15+off]; popfq.
func (a *asm) loadFlags(off int) {
	a.ctxOp(false, []byte{0xFF}, 6, off)
	a.b(0x9D)
}

// jcc32 is jcc rel32 to label l (cc is the condition nibble).
func (a *asm) jcc32(cc byte, l int) {
	a.b(0x0F, 0x80|cc)
	a.rel32(l)
}

// jmp32 is jmp rel32 to label l.
func (a *asm) jmp32(l int) {
	a.b(0xE9)
	a.rel32(l)
}

// movRR32 is mov dst32, src32.
func (a *asm) movRR32(dst, src int) {
	a.rex(false, src, 0, dst, false)
	a.b(0x89, 0xC0|byte(src&7)<<3|byte(dst&7))
}

// movRImm32 is mov reg32, imm32.
func (a *asm) movRImm32(reg int, v uint32) {
	a.rex(false, 0, 0, reg, false)
	a.b(0xB8 | byte(reg&7))
	a.u32(v)
}

// ea32 emits ModRM, SIB and disp32 for a 32-bit-address memory operand
// [base + index<<scale + disp] with host registers (-1 for none), always
// in SIB form with a 32-bit displacement (simple and position-free). The
// caller emits the 0x67 prefix and a REX prefix from eaRex.
func (a *asm) ea32(reg, base, index, scale int, disp uint32) {
	sibIndex, sibBase := byte(4), byte(5)
	mod := byte(0)
	if index >= 0 {
		sibIndex = byte(index & 7)
	}
	if base >= 0 {
		sibBase = byte(base & 7)
		mod = 2
	}
	a.b(mod<<6|byte(reg&7)<<3|4, byte(scale)<<6|sibIndex<<3|sibBase)
	a.u32(disp)
}

// leaEA32 is lea dst32, [base + index<<scale + disp] computed with a
// 32-bit address size (wrapping as the guest's does).
func (a *asm) leaEA32(dst, base, index, scale int, disp uint32) {
	a.b(0x67)
	a.rex(false, dst, max(index, 0), max(base, 0), false)
	a.b(0x8D)
	a.ea32(dst, base, index, scale, disp)
}
