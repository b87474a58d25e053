package dbt

import (
	"encoding/binary"

	"bt86/cpu"
	"bt86/decoder"
	"bt86/mmu/shadow"
)

// The probes index the shadow TLB as shadow.Slot does, by the linear
// page number modulo shadow.Entries (TestSlotMatchesShadow), scaled by
// the entry size: (lin >> (12-entryShift)) & tlbMask is the byte offset.
const tlbMask = (shadow.Entries - 1) << entryShift

// maxBlock bounds the guest instructions of one block.
const maxBlock = 64

// Flag states while translating (where the guest's arithmetic flags are).
const (
	flMem   = iota // only in ctx.hf; the host RFLAGS are scratch
	flClean        // in the host RFLAGS and in ctx.hf, equal
	flDirty        // in the host RFLAGS only
	flRegen        // neither: t.regen recomputes them (regen.go)
)

// item is one guest instruction of a block being translated.
type item struct {
	in   decoder.Inst
	eip  uint32
	next uint32
	p    plan
}

type stepStub struct {
	label  int
	eip    uint32
	refund int
	// resume is the index of the instruction at which translated code
	// can go on once the interpreter has run count instructions from
	// this one (-1: none).
	resume int
	count  int
	// fix, when not nil, is an instruction whose flag fix-up was left
	// out of the straight-line code: the stub does it first.
	fix *plan
	// regen, when not nil, recomputes the flags first (regen.go).
	regen []plan
}

type slotStub struct {
	label  int // the stub
	field  int // the rel32 field of the chain jump
	target uint32
}

// translator turns a list of planned instructions into host code.
type translator struct {
	a        asm
	dispatch uint64 // address of the native dispatch routine
	key      uint32 // the block's mode key
	page     uint32 // the block's linear page
	n        int    // guest instructions in the block
	fl       int
	steps    []stepStub
	slots    []slotStub
	// zeroBase[s] is set when segment s has base 0 (part of the key).
	zeroBase [6]bool
	down     bool // EFLAGS.DF (part of the key)
	// repMiss, when not -1, is where memAddr goes on a miss: inside a
	// REP loop, a stub that charges the iterations done first.
	repMiss int
	// starts[i] labels the code of instruction i (starts[n]: the block's
	// end), flAt[i] the flag state there: resuming after a step jumps
	// there.
	starts []int
	flAt   []int
	items  []item
	phys   uint64 // physical address of the block's first instruction
	eip    uint32 // ... and its EIP
	stamp  uint32 // the code stamp of its page when translated
	// pending is the instruction whose flag fix-up is deferred (see
	// deferFix) until an instruction sets all the flags again; step
	// stubs created meanwhile do it.
	pending *plan
	// regen recomputes the flags while they are in flRegen, from the
	// registers regenRegs (regen.go).
	regen     []plan
	regenRegs []int
	// Base-register groups (group.go): groups of the block, the group
	// of each member (-1: none), the group whose run each item is in,
	// and the labels and flag states of the items' slow copies.
	groups          []group
	memberOf        []int
	regionOf        []int
	altStart, altFl []int
	slow            bool // emitting slow copies: no group addressing
	// crosses: the last item continues on the next page, translated
	// from physical page cross (checked before it runs).
	crosses bool
	cross   uint64
}

// slotRef is a chain slot of an emitted block: the offset of its rel32
// field within the block's code.
type slotRef struct {
	off    int
	target uint32
}

func (t *translator) spill() {
	if t.fl == flRegen {
		t.emitRegen(t.regen)
		t.fl = flDirty
	}
	if t.fl == flDirty {
		t.a.saveFlags(offHF)
		t.fl = flClean
	}
}

func (t *translator) needFlags() {
	if t.fl == flRegen {
		t.spill()
	}
	if t.fl == flMem {
		t.a.loadFlags(offHF)
		t.fl = flClean
	}
}

// readFlags makes the guest flags that p reads available to its host
// instruction and returns the opcode to emit. With the flags only in
// ctx.hf it avoids reloading all of RFLAGS (popfq is slow): BT sets
// just CF for ADC, SBB, INC and DEC (which write the other flags), and
// SETcc/CMOVcc test their condition on ctx.hf (their opcode then tests
// host ZF).
func (t *translator) readFlags(p *plan) []byte {
	if p.fr && t.fl == flRegen {
		t.spill()
	}
	if !p.fr || t.fl != flMem {
		return p.opc
	}
	a := &t.a
	switch {
	case p.frCF:
		a.ctxOp(false, []byte{0x0F, 0xBA}, 4, offHF) // bt dword [hf], 0
		a.b(0)
		return p.opc
	case p.frCC:
		cc := t.condFromMem(p.cc)
		return []byte{p.opc[0], p.opc[1]&0xF0 | cc}
	}
	t.needFlags()
	return p.opc
}

// condFromMem evaluates condition cc on the guest flags in ctx.hf into
// the host ZF and returns the host condition (NZ or Z) that is true when
// cc is. It clobbers the host flags, r10 and r11.
func (t *translator) condFromMem(cc byte) byte {
	a := &t.a
	test := func(mask uint32) {
		a.ctxOp(false, []byte{0xF7}, 0, offHF) // test dword [hf], mask
		a.u32(mask)
	}
	switch cc &^ 1 {
	case 0x0:
		test(0x800) // OF
	case 0x2:
		test(0x001) // CF
	case 0x4:
		test(0x040) // ZF
	case 0x6:
		test(0x041) // CF or ZF
	case 0x8:
		test(0x080) // SF
	case 0xA:
		test(0x004) // PF
	default: // L, LE: SF != OF (, or ZF)
		a.loadCtx32(r11, offHF)
		a.movRR32(r10, r11)
		a.b(0x41, 0xC1, 0xEA, 0x04) // shr r10d, 4: OF to bit 7
		a.b(0x45, 0x31, 0xDA)       // xor r10d, r11d
		if cc&^1 == 0xC {
			a.b(0x41, 0xF7, 0xC2) // test r10d, 0x80
			a.u32(0x80)
		} else {
			a.b(0x41, 0x81, 0xE2) // and r10d, 0x80
			a.u32(0x80)
			a.b(0x41, 0x83, 0xE3, 0x40) // and r11d, ZF
			a.b(0x45, 0x09, 0xDA)       // or r10d, r11d
		}
	}
	if cc&1 != 0 {
		return 0x4 // the negated condition: true when the test is zero
	}
	return 0x5
}

// stepStubFor returns a label that exits to the interpreter at
// instruction i of the block (refunding the budget of the instructions
// from i on).
func (t *translator) stepStubFor(i int, eip uint32) int { return t.stepStubN(i, eip, 1) }

// stepStubN is stepStubFor for count instructions from i, which the
// interpreter runs before translated code resumes after them.
func (t *translator) stepStubN(i int, eip uint32, count int) int {
	l := t.a.newLabel()
	last := &t.items[i+count-1]
	resume := i + count
	if last.p.ends || last.next>>12 != t.page {
		resume = -1
	}
	t.steps = append(t.steps, stepStub{label: l, eip: eip, refund: t.n - i, resume: resume, count: count, fix: t.pending, regen: t.stubRegen()})
	return l
}

// memAddr leaves in r9 the host address of an access of size bytes at
// the offset in r8 in segment seg, or exits to the interpreter at
// instruction i on a shadow-TLB miss. It clobbers the host flags (the
// guest's are spilled first) and r10, r11.
func (t *translator) memAddr(seg, size int, write bool, i int, eip uint32) {
	a := &t.a
	if !t.zeroBase[seg] {
		a.loadCtx32(r9, offSeg+4*seg)
		a.b(0x67, 0x47, 0x8D, 0x04, 0x08) // lea r8d, [r8d+r9d]
	}
	miss := t.repMiss
	if miss < 0 {
		miss = t.stepStubFor(i, eip)
	}
	t.probe(size, write, miss)
}

// probe leaves in r9 the host address of an access of size bytes at the
// linear address in r8d, or jumps to miss on a shadow-TLB miss (which
// includes an access crossing the page). It clobbers the host flags,
// r10 and r11.
func (t *translator) probe(size int, write bool, miss int) {
	t.probeHost(size, write, miss)
	t.a.b(0x4D, 0x01, 0xC1) // add r9, r8
}

// probeHost is probe without the final addition: r9 is left holding the
// entry's Host (host address minus linear address for the page).
func (t *translator) probeHost(size int, write bool, miss int) {
	a := &t.a
	a.movRR32(r9, r8)
	a.b(0x41, 0xC1, 0xE9, 12-entryShift) // shr r9d, 12-entryShift
	a.b(0x41, 0x81, 0xE1)                // and r9d, tlbMask: the entry's offset
	a.u32(tlbMask)
	if write {
		a.loadCtx64(r10, offTLBW)
	} else {
		a.loadCtx64(r10, offTLBR)
	}
	if size <= 128 {
		a.b(0x67, 0x45, 0x8D, 0x58, byte(size-1)) // lea r11d, [r8d+size-1]
	} else {
		a.b(0x67, 0x45, 0x8D, 0x98) // lea r11d, [r8d+size-1]
		a.u32(uint32(size - 1))
	}
	a.b(0x41, 0x81, 0xE3, 0x00, 0xF0, 0xFF, 0xFF)   // and r11d, 0xFFFFF000
	a.b(0x47, 0x3B, 0x1C, 0x0A)                     // cmp r11d, [r10+r9]: Tag
	a.jcc32(0x5, miss)                              // jne
	a.b(0x4F, 0x8B, 0x4C, 0x0A, byte(offEntryHost)) // mov r9, [r10+r9+Host]
	if t.fl != flRegen {
		t.fl = flMem
	}
}

// loadRM32 spills the flags and loads the 32-bit r/m operand of item i
// into r13: from memory through memAddr, or from host register reg.
func (t *translator) loadRM32(i int, it *item, reg int) {
	t.spill()
	if it.p.mem != memNone {
		t.eaToR8(&it.in)
		t.memAddr(int(it.in.Seg), 4, false, i, it.eip)
		t.a.b(0x45, 0x8B, 0x29) // mov r13d, [r9]
	} else {
		t.a.movRR32(r13, reg)
	}
}

// eaToR8 computes the guest effective address of in into r8d.
func (t *translator) eaToR8(in *decoder.Inst) {
	base, index := -1, -1
	if in.Base != decoder.RegNone {
		base = hostReg(int(in.Base))
	}
	if in.Index != decoder.RegNone {
		index = hostReg(int(in.Index))
	}
	t.a.leaEA32(r8, base, index, int(in.Scale), in.Disp)
}

// popR13 spills the flags and loads the dword at SS:ESP into r13 (a
// miss steps instruction i); the caller moves ESP.
func (t *translator) popR13(i int, eip uint32) {
	t.spill()
	t.stackAddr(0)
	t.memAddr(decoder.SS, 4, false, i, eip)
	t.a.b(0x45, 0x8B, 0x29) // mov r13d, [r9]
}

// stackAddr puts ESP+delta into r8d.
func (t *translator) stackAddr(delta int32) {
	t.a.leaEA32(r8, r12, -1, 0, uint32(delta))
}

// addESP is lea r12d, [r12+delta].
func (t *translator) addESP(delta int32) {
	t.a.leaEA32(r12, r12, -1, 0, uint32(delta))
}

// jumpTo leaves the block for the direct target: through a chain slot
// when the target is on the block's page, else through the dispatcher.
// The flags must be spilled.
func (t *translator) jumpTo(target uint32) {
	a := &t.a
	if target>>12 == t.page {
		a.b(0xE9)
		field := a.newLabel()
		a.bind(field)
		stub := a.newLabel()
		a.rel32(stub)
		t.slots = append(t.slots, slotStub{label: stub, field: field, target: target})
		return
	}
	a.movRImm32(r8, target)
	t.dispatchR8()
}

// dispatchR8 jumps to the native dispatcher with the target EIP in r8d.
func (t *translator) dispatchR8() {
	a := &t.a
	a.movRImm32(r9, t.key)
	a.b(0x49, 0xBA) // mov r10, imm64
	a.buf = binary.LittleEndian.AppendUint64(a.buf, t.dispatch)
	a.b(0x41, 0xFF, 0xE2) // jmp r10
}

// exitTo leaves the block with exit code code at eip.
func (t *translator) exitTo(code uint32, eip uint32) {
	t.a.movCtxImm32(offEIP, eip)
	t.a.movCtxImm32(offExit, code)
	t.a.b(0xC3)
}

// emitGeneric re-encodes a ModRM instruction on host registers, its
// memory operand (if any) at [r9].
func (t *translator) emitGeneric(p *plan, mem bool) {
	a := &t.a
	if p.p66 {
		a.b(0x66)
	}
	if p.lock {
		a.b(0xF0)
	}
	if mem && p.noREX {
		// AH..BH with a memory operand: no REX, so the address goes
		// through a legacy register t (not the one holding the 8-bit
		// register), saved in r13 meanwhile. None of these moves
		// touches the flags.
		t := rAX
		if p.reg&3 == rAX {
			t = rCX
		}
		a.b(0x49, 0x89, 0xC5|byte(t)<<3) // mov r13, t
		a.b(0x4C, 0x89, 0xC8|byte(t))    // mov t, r9
		a.b(p.opc...)
		a.b(byte(p.reg&7)<<3 | byte(t)) // [t]
		a.b(p.imm...)
		a.b(0x4C, 0x89, 0xE8|byte(t)) // mov t, r13
		return
	}
	if mem {
		a.rex(false, p.reg, 0, r9, false)
		a.b(p.opc...)
		a.b(byte(p.reg&7)<<3 | 1)
	} else {
		a.rex(false, p.reg, 0, p.rm, false)
		a.b(p.opc...)
		a.b(0xC0 | byte(p.reg&7)<<3 | byte(p.rm&7))
	}
	a.b(p.imm...)
}

// fixFlags follows an instruction with partly undefined flags: it
// stores into ctx.hf the flags the interpreter computes (the host's
// defined ones, and the undefined ones fixed up). The result is in the
// r/m register or at [r9] (shifts), or in the reg register (IMUL).
//
// In a step stub (stub set) the flags are taken from ctx.hf instead of
// the host RFLAGS, and the translation state is left alone.
func (t *translator) fixFlags(p *plan, stub bool) {
	a := &t.a
	if stub {
		a.loadCtx64(r11, offHF)
	} else {
		a.b(0x9C, 0x41, 0x5B) // pushfq; pop r11
	}
	skip := -1
	if p.clCount {
		a.b(0x41, 0xF6, 0xC5, 0x1F) // test r13b, 31
		skip = a.newLabel()
		a.jcc32(0x4, skip) // jz: a zero count changed nothing
	}
	bits := byte(p.size * 8)
	// r10d = the result, zero-extended.
	switch {
	case p.fix == fixMul && p.resReg >= 0:
		a.movRR32(r10, p.resReg)
	case p.fix == fixMul:
		a.movRR32(r10, p.reg)
	case p.mem != memNone:
		switch p.size {
		case 1:
			a.b(0x45, 0x0F, 0xB6, 0x11) // movzx r10d, byte [r9]
		case 2:
			a.b(0x45, 0x0F, 0xB7, 0x11) // movzx r10d, word [r9]
		default:
			a.b(0x45, 0x8B, 0x11) // mov r10d, [r9]
		}
	default:
		a.movRR32(r10, p.rm)
		if p.size == 1 && p.rm >= 4 { // AH..BH: bits 8-15 of the register
			a.movRR32(r10, p.rm-4)
			a.b(0x41, 0xC1, 0xEA, 0x08) // shr r10d, 8
		}
	}
	if p.size < 4 {
		a.b(0x41, 0x81, 0xE2) // and r10d, mask
		a.u32(uint32(1)<<bits - 1)
	}
	const of, af = 0x800, 0x10
	switch p.fix {
	case fixShl, fixShr:
		if p.fix == fixShr {
			a.b(0x47, 0x8D, 0x04, 0x12) // lea r8d, [r10+r10]
			a.b(0x45, 0x31, 0xC2)       // xor r10d, r8d
		}
		a.b(0x41, 0xC1, 0xEA, bits-1) // shr r10d, bits-1
		if p.fix == fixShl {
			a.b(0x45, 0x31, 0xDA) // xor r10d, r11d (CF is bit 0)
		}
		a.b(0x41, 0x83, 0xE2, 0x01) // and r10d, 1
		a.b(0x41, 0xC1, 0xE2, 0x0B) // shl r10d, 11
		a.b(0x41, 0x81, 0xE3)       // and r11d, ~(OF|AF)
		a.u32(^uint32(of | af))
		a.b(0x45, 0x09, 0xD3) // or r11d, r10d
	case fixSar:
		a.b(0x41, 0x81, 0xE3) // and r11d, ~(OF|AF)
		a.u32(^uint32(of | af))
	case fixRol, fixRor:
		if p.fix == fixRor {
			a.b(0x47, 0x8D, 0x04, 0x12) // lea r8d, [r10+r10]
			a.b(0x45, 0x31, 0xC2)       // xor r10d, r8d
		}
		a.b(0x41, 0xC1, 0xEA, 31) // shr r10d, 31
		if p.fix == fixRol {
			a.b(0x45, 0x31, 0xDA) // xor r10d, r11d (CF is bit 0)
		}
		a.b(0x41, 0x83, 0xE2, 0x01) // and r10d, 1
		a.b(0x41, 0xC1, 0xE2, 0x0B) // shl r10d, 11
		a.b(0x41, 0x81, 0xE3)       // and r11d, ~OF
		a.u32(^uint32(of))
		a.b(0x45, 0x09, 0xD3) // or r11d, r10d
	case fixDbl:
		a.b(0x45, 0x31, 0xEA)       // xor r10d, r13d: the result ^ the destination before
		a.b(0x41, 0xC1, 0xEA, 31)   // shr r10d, 31
		a.b(0x41, 0xC1, 0xE2, 0x0B) // shl r10d, 11
		a.b(0x41, 0x81, 0xE3)       // and r11d, ~(OF|AF)
		a.u32(^uint32(of | af))
		a.b(0x45, 0x09, 0xD3) // or r11d, r10d
	case fixMul:
		a.b(0x41, 0x81, 0xE3, 0x01, 0x08, 0x00, 0x00) // and r11d, CF|OF
		if p.size == 2 {
			a.b(0x45, 0x0F, 0xBF, 0xD2) // movsx r10d, r10w
		}
		a.b(0x45, 0x85, 0xD2)                         // test r10d, r10d: SF, ZF, PF of the result
		a.b(0x9C, 0x41, 0x5A)                         // pushfq; pop r10
		a.b(0x41, 0x81, 0xE2, 0xC4, 0x00, 0x00, 0x00) // and r10d, SF|ZF|PF
		a.b(0x45, 0x09, 0xD3)                         // or r11d, r10d
		a.b(0x41, 0x81, 0xCB, 0x02, 0x02, 0x00, 0x00) // or r11d, 0x202
	}
	if skip >= 0 {
		a.bind(skip)
	}
	a.storeCtx64(r11, offHF)
	if !stub {
		t.fl = flMem
	}
}

// emitString translates MOVS, STOS and LODS (no REP): the direction
// flag is part of the block's key (t.down).
func (t *translator) emitString(i int, it *item) {
	a := &t.a
	p := &it.p
	in := &it.in
	step := int32(p.size)
	if t.down {
		step = -step
	}
	// sized mov between a register and [r9]: 8-bit (88/8A), 16 (66), 32.
	movMem := func(load bool, reg int) {
		if p.size == 2 {
			a.b(0x66)
		}
		a.rex(false, reg, 0, r9, false)
		op := byte(0x89)
		if load {
			op = 0x8B
		}
		if p.size == 1 {
			op--
		}
		a.b(op, byte(reg&7)<<3|1)
	}
	// cmp reg, [r9] at the operand size: reg - [mem], as SCAS and CMPS
	// compare; the flags are kept in ctx.hf.
	cmpMem := func(reg int) {
		if p.size == 2 {
			a.b(0x66)
		}
		a.rex(false, reg, 0, r9, false)
		op := byte(0x3B)
		if p.size == 1 {
			op = 0x3A
		}
		a.b(op, byte(reg&7)<<3|1)
		a.saveFlags(offHF)
	}
	t.spill()
	op := p.opc[0]
	compare := op == 0xA6 || op == 0xA7 || op == 0xAE || op == 0xAF
	var loop, done int
	if p.rep {
		// Up to repChunk iterations, then the instruction restarts (a
		// new execution), as the interpreter's REP does.
		// The chunk ends where the counter reaches a multiple of
		// repChunk (r14 = ((ECX-1) mod repChunk) + 1 iterations), as in
		// the interpreter; ECX at the start is kept for the charge.
		loop, done = a.newLabel(), a.newLabel()
		t.repMiss = a.newLabel()
		a.storeCtx32(rCX, offRepStart)
		a.b(0x67, 0x44, 0x8D, 0x71, 0xFF) // lea r14d, [ecx-1]
		a.b(0x41, 0x81, 0xE6)             // and r14d, repChunk-1
		a.u32(repChunk - 1)
		a.b(0x41, 0xFF, 0xC6) // inc r14d
		a.bind(loop)
		a.b(0x85, 0xC9)    // test ecx, ecx
		a.jcc32(0x4, done) // jz: finished
	}
	switch {
	case op == 0xAA || op == 0xAB: // STOS: ES:[EDI] = eAX
		a.movRR32(r8, rDI)
		t.memAddr(decoder.ES, p.size, true, i, it.eip)
		movMem(false, rAX)
		a.leaEA32(rDI, rDI, -1, 0, uint32(step))
	case op == 0xAC || op == 0xAD: // LODS: eAX = seg:[ESI]
		a.movRR32(r8, rSI)
		t.memAddr(int(in.Seg), p.size, false, i, it.eip)
		movMem(true, rAX)
		a.leaEA32(rSI, rSI, -1, 0, uint32(step))
	case op == 0xAE || op == 0xAF: // SCAS: compare eAX with ES:[EDI]
		a.movRR32(r8, rDI)
		t.memAddr(decoder.ES, p.size, false, i, it.eip)
		cmpMem(rAX)
		a.leaEA32(rDI, rDI, -1, 0, uint32(step))
	case op == 0xA6 || op == 0xA7: // CMPS: compare seg:[ESI] with ES:[EDI]
		a.movRR32(r8, rSI)
		t.memAddr(int(in.Seg), p.size, false, i, it.eip)
		movMem(true, r13)
		a.movRR32(r8, rDI)
		t.memAddr(decoder.ES, p.size, false, i, it.eip)
		cmpMem(r13)
		a.leaEA32(rSI, rSI, -1, 0, uint32(step))
		a.leaEA32(rDI, rDI, -1, 0, uint32(step))
	default: // MOVS: ES:[EDI] = seg:[ESI]
		a.movRR32(r8, rSI)
		t.memAddr(int(in.Seg), p.size, false, i, it.eip)
		movMem(true, r13)
		a.movRR32(r8, rDI)
		t.memAddr(decoder.ES, p.size, true, i, it.eip)
		movMem(false, r13)
		a.leaEA32(rSI, rSI, -1, 0, uint32(step))
		a.leaEA32(rDI, rDI, -1, 0, uint32(step))
	}
	if p.rep {
		a.leaEA32(rCX, rCX, -1, 0, 0xFFFFFFFF) // ecx-- (flags untouched)
		var stop int
		if compare {
			// REPE stops when unequal, REPNE when equal (ZF from the
			// compare, still in the host flags: lea leaves them).
			stop = a.newLabel()
			cc := byte(0x5) // jnz
			if p.repne {
				cc = 0x4 // jz
			}
			a.jcc32(cc, stop)
		}
		a.b(0x41, 0xFF, 0xCE) // dec r14d
		a.jcc32(0x5, loop)    // jnz
		// The chunk is over: with ECX left, run the instruction again.
		t.repCharge()
		finished := a.newLabel()
		a.b(0x85, 0xC9)        // test ecx, ecx
		a.jcc32(0x4, finished) // jz
		t.jumpTo(it.eip)
		a.bind(finished)
		t.jumpTo(it.next)
		a.bind(done) // ECX was zero at the top of an iteration
		t.repCharge()
		t.jumpTo(it.next)
		// A TLB miss in the middle of the chunk: the interpreter goes on
		// from there, and the iterations done so far are charged as
		// they would have been by the interpreter.
		a.bind(t.repMiss)
		t.repMiss = -1
		t.repCharge()
		a.jmp32(t.stepStubFor(i, it.eip))
		if compare {
			a.bind(stop) // the condition ended the REP
			t.repCharge()
			t.jumpTo(it.next)
		}
	}
	if compare {
		t.fl = flMem
	}
}

// emitBt translates BT, BTS, BTR and BTC: the host instruction on the
// guest operand, then only CF is taken from the host flags (the
// interpreter leaves the other flags as they were).
func (t *translator) emitBt(i int, it *item) {
	a := &t.a
	p := &it.p
	in := &it.in
	t.spill()
	if p.mem != memNone {
		t.eaToR8(in)
		q := *p
		if p.btReg >= 0 {
			// A register bit offset addresses the dword holding the bit:
			// EA + (offset >> 5) * 4, signed; the host instruction then
			// gets the offset modulo 32 (in r13).
			a.movRR32(r10, p.btReg)
			a.b(0x41, 0xC1, 0xFA, 0x05) // sar r10d, 5
			a.leaEA32(r8, r8, r10, 2, 0)
			a.movRR32(r13, p.btReg)
			a.b(0x41, 0x83, 0xE5, 0x1F) // and r13d, 31
			q.reg = r13
		}
		t.memAddr(int(in.Seg), 4, p.mem != memR, i, it.eip)
		t.emitGeneric(&q, true)
	} else {
		t.emitGeneric(p, false)
	}
	a.b(0x9C, 0x41, 0x5B)       // pushfq; pop r11
	a.b(0x41, 0x83, 0xE3, 0x01) // and r11d, CF
	a.loadCtx64(r10, offHF)
	a.b(0x41, 0x83, 0xE2, 0xFE) // and r10d, ~CF
	a.b(0x45, 0x09, 0xDA)       // or r10d, r11d
	a.storeCtx64(r10, offHF)
	t.fl = flMem
}

// repCharge charges the REP iterations since the chunk started as the
// interpreter does: one unit each time the counter passed a multiple of
// cpu.RepCost ((start >> 6) - (ECX >> 6)). It clobbers r10, r13 and the
// flags.
func (t *translator) repCharge() {
	a := &t.a
	a.loadCtx32(r13, offRepStart)
	a.b(0x41, 0xC1, 0xED, repCostLog) // shr r13d, log2(RepCost)
	a.movRR32(r10, rCX)
	a.b(0x41, 0xC1, 0xEA, repCostLog)           // shr r10d, log2(RepCost)
	a.b(0x45, 0x29, 0xD5)                       // sub r13d, r10d
	a.ctxOp(true, []byte{0x29}, r13, offBudget) // sub [budget], r13
	a.ctxOp(true, []byte{0x01}, r13, offCharge) // add [charge], r13
}

// repChunk is the interpreter's number of REP iterations per execution
// (cpu/string.go).
const repChunk = 4096

// repCostLog is log2(cpu.RepCost).
const repCostLog = 6

// emit translates instruction i of the block.
func (t *translator) emit(i int, it *item) {
	a := &t.a
	p := &it.p
	in := &it.in
	switch p.kind {
	case kGeneric:
		switch p.mem {
		case memAddr:
			if p.p66 {
				a.b(0x66)
			}
			base, index := -1, -1
			if in.Base != decoder.RegNone {
				base = hostReg(int(in.Base))
			}
			if in.Index != decoder.RegNone {
				index = hostReg(int(in.Index))
			}
			a.leaEA32(p.reg, base, index, int(in.Scale), in.Disp)
			return
		case memR, memW, memRW:
			if g := t.memberOf[i]; g >= 0 && !t.slow {
				if t.groups[g].first == i {
					t.groupProbe(g)
				}
				t.groupAddr(in)
				break
			}
			t.spillForProbe()
			t.eaToR8(in)
			t.memAddr(int(in.Seg), p.size, p.mem != memR, i, it.eip)
		}
		q := *p
		q.opc = t.readFlags(p)
		if p.clCount {
			a.movRR32(r13, rCX) // the count: the shift may change ECX
		}
		if p.fix == fixDbl { // the destination before, for OF
			if p.mem != memNone {
				a.b(0x45, 0x8B, 0x29) // mov r13d, [r9]
			} else {
				a.movRR32(r13, p.rm)
			}
		}
		t.emitGeneric(&q, p.mem != memNone)
		if p.fix != fixNone {
			if deferFix(t.items, i, t.crosses) {
				t.pending = p
				t.fl = flDirty
				return
			}
			t.fixFlags(p, false)
			return
		}
	case kVerbatim:
		t.readFlags(p)
		if p.p66 {
			a.b(0x66)
		}
		a.b(p.opc...)
		a.b(p.imm...)
	case kMovImm:
		if p.p66 {
			a.b(0x66)
		}
		a.rex(false, 0, 0, p.rm, false)
		a.b(0xB8 | byte(p.rm&7))
		a.b(p.imm...)
	case kLeave:
		t.spill()
		a.movRR32(r8, rBP) // the new ESP
		t.memAddr(decoder.SS, 4, false, i, it.eip)
		a.b(0x45, 0x8B, 0x29) // mov r13d, [r9]
		a.leaEA32(r12, rBP, -1, 0, 4)
		a.movRR32(rBP, r13)
	case kString:
		t.emitString(i, it)
	case kDiv:
		t.loadRM32(i, it, p.rm)
		a.b(0x44, 0x39, 0xEA)                  // cmp edx, r13d
		a.jcc32(0x3, t.stepStubFor(i, it.eip)) // jae: #DE (or a zero divisor)
		a.b(0x41, 0xF7, 0xF5)                  // div r13d
		t.fl = flMem
	case kBt:
		t.emitBt(i, it)
		return
	case kPushf:
		// EFLAGS as PUSHF stores it: VM and RF clear, bit 1 set.
		t.spill()
		a.loadCtx32(r13, offHF)
		a.b(0x41, 0x81, 0xE5) // and r13d, arithmetic flags
		a.u32(arithFlags)
		a.loadCtx32(r10, offSys)
		a.b(0x41, 0x81, 0xE2) // and r10d, ~(arithmetic|VM|RF)
		a.u32(^uint32(arithFlags | cpu.FlagVM | cpu.FlagRF))
		a.b(0x45, 0x09, 0xD5)       // or r13d, r10d
		a.b(0x41, 0x83, 0xCD, 0x02) // or r13d, 2
		t.stackAddr(-4)
		t.memAddr(decoder.SS, 4, true, i, it.eip)
		a.b(0x45, 0x89, 0x29) // mov [r9], r13d
		t.addESP(-4)
	case kPushSeg:
		// A 32-bit push of a segment register writes its low word only
		// (as the interpreter does), after checking the whole dword.
		t.spill()
		t.stackAddr(-4)
		t.memAddr(decoder.SS, 4, true, i, it.eip)
		a.loadCtx32(r13, offSel+4*p.src)
		a.b(0x66, 0x45, 0x89, 0x29) // mov [r9], r13w
		t.addESP(-4)
	case kPopf:
		// POPFD at CPL 0: only the arithmetic flags and IF may change
		// here; anything else (TF, DF, NT, AC, ID, IOPL) is a step.
		t.popR13(i, it.eip)
		a.loadCtx32(r10, offSys)
		a.b(0x45, 0x31, 0xEA) // xor r10d, r13d
		a.b(0x41, 0xF7, 0xC2) // test r10d, the bits that must not change
		a.u32(cpu.FlagTF | cpu.FlagDF | cpu.FlagNT | cpu.FlagAC | cpu.FlagID | cpu.FlagIOPL)
		a.jcc32(0x5, t.stepStubFor(i, it.eip))
		t.addESP(4)
		// r11d = IF going from 0 to 1 (r10d still has the IF change).
		a.movRR32(r11, r13)
		a.b(0x45, 0x21, 0xD3) // and r11d, r10d
		a.movRR32(r10, r13)
		a.b(0x41, 0x81, 0xE2) // and r10d, arithmetic flags
		a.u32(arithFlags)
		a.b(0x41, 0x81, 0xCA) // or r10d, 0x202 (as runNative loads hf)
		a.u32(0x202)
		a.storeCtx64(r10, offHF)
		a.ctxOp(false, []byte{0x81}, 4, offSys) // and dword [sys], ~IF
		a.u32(^cpu.FlagIF)
		a.b(0x41, 0x81, 0xE5) // and r13d, IF
		a.u32(cpu.FlagIF)
		a.ctxOp(false, []byte{0x09}, r13, offSys) // or [sys], r13d
		t.fl = flMem
		// Interrupts just enabled with one pending: it is taken before
		// the next instruction, back in the Go loop.
		done := a.newLabel()
		a.b(0x41, 0xF7, 0xC3) // test r11d, IF
		a.u32(cpu.FlagIF)
		a.jcc32(0x4, done)                      // jz
		a.ctxOp(false, []byte{0x83}, 7, offIRQ) // cmp dword [irq], 0
		a.b(0)
		a.jcc32(0x4, done) // je
		if refund := t.n - (i + 1); refund > 0 {
			a.addCtx64Imm(offBudget, int32(refund))
		}
		t.exitTo(exitJump, it.next)
		a.bind(done)
	case kCli:
		t.spill()
		a.ctxOp(false, []byte{0x81}, 4, offSys) // and dword [sys], ~IF
		a.u32(^cpu.FlagIF)
		t.fl = flMem
	case kSti:
		// Interrupts already enabled: nothing. Else set IF, and with an
		// interrupt pending leave so that the next instruction runs in
		// STI's shadow and the interrupt is taken after it.
		t.spill()
		done := a.newLabel()
		a.ctxOp(false, []byte{0xF7}, 0, offSys) // test dword [sys], IF
		a.u32(cpu.FlagIF)
		a.jcc32(0x5, done)                      // jnz
		a.ctxOp(false, []byte{0x81}, 1, offSys) // or dword [sys], IF
		a.u32(cpu.FlagIF)
		a.ctxOp(false, []byte{0x83}, 7, offIRQ) // cmp dword [irq], 0
		a.b(0)
		a.jcc32(0x4, done) // je
		if refund := t.n - (i + 1); refund > 0 {
			a.addCtx64Imm(offBudget, int32(refund))
		}
		t.exitTo(exitInhibit, it.next)
		a.bind(done)
		t.fl = flMem
	case kCld, kStd:
		if !p.ends {
			break // DF already has that value (it is in the key)
		}
		t.spill()
		if p.kind == kCld {
			a.ctxOp(false, []byte{0x81}, 4, offSys) // and dword [sys], ~DF
			a.u32(^cpu.FlagDF)
		} else {
			a.ctxOp(false, []byte{0x81}, 1, offSys) // or dword [sys], DF
			a.u32(cpu.FlagDF)
		}
		t.fl = flMem
		// Blocks after it have another key: back to the Go loop.
		t.exitTo(exitJump, it.next)
	case kBswap:
		a.rex(false, 0, 0, p.rm, false)
		a.b(0x0F, 0xC8|byte(p.rm&7))
	case kPushEv:
		t.loadRM32(i, it, p.src)
		t.stackAddr(-4)
		t.memAddr(decoder.SS, 4, true, i, it.eip)
		a.b(0x45, 0x89, 0x29) // mov [r9], r13d
		t.addESP(-4)
	case kPush, kPushImm:
		t.spill()
		t.stackAddr(-4)
		t.memAddr(decoder.SS, 4, true, i, it.eip)
		if p.kind == kPush {
			a.rex(false, p.src, 0, r9, false)
			a.b(0x89, byte(p.src&7)<<3|1) // mov [r9], src
		} else {
			a.b(0x41, 0xC7, 0x01) // mov dword [r9], imm32
			a.u32(in.Imm)
		}
		t.addESP(-4)
	case kPop:
		t.popR13(i, it.eip)
		t.addESP(4)
		a.movRR32(p.dst, r13)
	case kJcc:
		cc := p.cc
		if t.fl == flMem {
			cc = t.condFromMem(cc)
		} else {
			t.spill()
		}
		taken := a.newLabel()
		a.jcc32(cc, taken)
		t.jumpTo(it.next)
		a.bind(taken)
		t.jumpTo(p.target)
	case kJmp:
		t.spill()
		t.jumpTo(p.target)
	case kCall:
		t.spill()
		t.stackAddr(-4)
		t.memAddr(decoder.SS, 4, true, i, it.eip)
		a.b(0x41, 0xC7, 0x01) // mov dword [r9], next
		a.u32(it.next)
		t.addESP(-4)
		t.jumpTo(p.target)
	case kRet:
		t.spill()
		t.stackAddr(0)
		t.memAddr(decoder.SS, 4, false, i, it.eip)
		a.b(0x45, 0x8B, 0x01) // mov r8d, [r9]
		t.addESP(int32(4 + p.retImm))
		t.dispatchR8()
	case kJmpInd, kCallInd:
		t.loadRM32(i, it, p.rm)
		if p.kind == kCallInd {
			t.stackAddr(-4)
			t.memAddr(decoder.SS, 4, true, i, it.eip)
			a.b(0x41, 0xC7, 0x01) // mov dword [r9], next
			a.u32(it.next)
			t.addESP(-4)
		}
		a.movRR32(r8, r13)
		t.dispatchR8()
	case kHelper:
		// The interpreter runs it, and the helpers right after it;
		// translated code resumes after them.
		if i > 0 && t.items[i-1].p.kind == kHelper {
			break // run with the first of them
		}
		count := 1
		for i+count < t.n && t.items[i+count].p.kind == kHelper {
			count++
		}
		t.spill()
		a.jmp32(t.stepStubN(i, it.eip, count))
		t.fl = flMem
	default:
		panic("dbt: unknown plan kind")
	}
	if p.fw {
		t.fl = flDirty
	}
}

// block emits the code of a block of items starting at eip. end is the
// EIP after the last item; stepAtEnd says the instruction there must be
// interpreted (it was not translatable) rather than continued from.
func (t *translator) block(items []item, eip, end uint32, stepAtEnd bool) (code []byte, slots []slotRef) {
	a := &t.a
	a.reset()
	t.steps, t.slots = t.steps[:0], t.slots[:0]
	t.repMiss = -1
	t.n = len(items)
	t.items = items
	t.page = eip >> 12
	t.fl = flMem
	t.starts, t.flAt = t.starts[:0], t.flAt[:0]
	budget := a.newLabel()
	a.addCtx64Imm(offBudget, -int32(t.n))
	a.jcc32(0xC, budget) // jl
	t.pending, t.regen, t.regenRegs = nil, nil, nil
	t.planGroups(items)
	t.altStart = resetInts(t.altStart, len(items))
	t.altFl = resetInts(t.altFl, len(items))
	for i := range items {
		t.mark()
		if t.crosses && i == len(items)-1 {
			t.crossCheck(i)
		}
		t.beforeItem(&items[i].p)
		fl := t.fl
		t.emit(i, &items[i])
		t.afterItem(i, fl)
	}
	t.mark()
	if last := &items[len(items)-1]; !last.p.ends {
		t.spill()
		if stepAtEnd {
			t.exitTo(exitStep, end)
		} else {
			t.jumpTo(end)
		}
	}
	t.slowCopies()
	// Out-of-line exits.
	a.bind(budget)
	a.addCtx64Imm(offBudget, int32(t.n))
	t.exitTo(exitBudget, eip)
	for _, s := range t.steps {
		a.bind(s.label)
		if s.regen != nil {
			t.emitRegen(s.regen)
			a.saveFlags(offHF)
		}
		if s.fix != nil {
			t.fixFlags(s.fix, true)
		}
		if s.refund > 0 {
			a.addCtx64Imm(offBudget, int32(s.refund))
		}
		if s.resume >= 0 {
			t.resumeStub(s, end)
		}
		t.exitTo(exitStep, s.eip)
	}
	for _, s := range t.slots {
		a.bind(s.label)
		a.movCtxImm32(offEIP, s.target)
		a.movCtxImm32(offExit, exitJump)
		a.b(0x4C, 0x8D, 0x05) // lea r8, [rip+field]
		a.rel32(s.field)
		a.storeCtx64(r8, offSlot)
		a.b(0xC3)
	}
	a.finish()
	for _, s := range t.slots {
		slots = append(slots, slotRef{off: a.labels[s.field], target: s.target})
	}
	return a.buf, slots
}

// crossCheck exits to the interpreter at item i (an instruction
// continuing on the next page) unless the fetch TLB maps the next linear
// page to the physical page its tail was translated from.
func (t *translator) crossCheck(i int) {
	a := &t.a
	t.spill()
	stub := t.stepStubFor(i, t.items[i].eip)
	a.loadCtx32(r8, offSeg+4*1) // CS base
	a.b(0x41, 0x81, 0xC0)       // add r8d, the next page's offset
	a.u32(t.eip&^0xFFF + 0x1000)
	a.b(0x41, 0x81, 0xE0, 0x00, 0xF0, 0xFF, 0xFF) // and r8d, 0xFFFFF000
	a.movRR32(r9, r8)
	a.b(0x41, 0xC1, 0xE9, 12-entryShift) // shr r9d, 12-entryShift
	a.b(0x41, 0x81, 0xE1)                // and r9d, tlbMask
	a.u32(tlbMask)
	a.loadCtx64(r10, offTLBF)
	a.b(0x47, 0x3B, 0x04, 0x0A) // cmp r8d, [r10+r9]: Tag
	a.jcc32(0x5, stub)
	a.b(0x47, 0x8B, 0x4C, 0x0A, byte(offEntryAddend)) // mov r9d, [r10+r9+Addend]
	a.b(0x45, 0x01, 0xC1)                             // add r9d, r8d: the physical page
	a.b(0x41, 0x81, 0xF9)                             // cmp r9d, cross
	a.u32(uint32(t.cross &^ 0xFFF))
	a.jcc32(0x5, stub)
	t.fl = flMem
}

// mark labels the current position as the start of the next
// instruction (or of the block's end) and records the flag state there.
func (t *translator) mark() {
	l := t.a.newLabel()
	t.a.bind(l)
	t.starts = append(t.starts, l)
	t.flAt = append(t.flAt, t.fl)
}

// resumeStub emits, inside step stub s, what lets the Go loop continue
// translated code after the interpreter ran the instruction: the
// address of a resume routine, the EIP and physical address it expects
// the CPU at, and the block's page stamp (so a step that rewrote the
// block's code cannot resume into it). The resume routine charges the
// instructions from there on, reloads the flags if the code there keeps
// them in the host RFLAGS, and jumps in.
func (t *translator) resumeStub(s stepStub, end uint32) {
	a := &t.a
	next := end
	if s.resume < t.n {
		next = t.items[s.resume].eip
	}
	routine := a.newLabel()
	a.b(0x4C, 0x8D, 0x05) // lea r8, [rip+routine]
	a.rel32(routine)
	a.storeCtx64(r8, offResume)
	a.movCtxImm32(offResumeEIP, next)
	a.movCtxImm32(offResumeStamp, t.stamp)
	a.movCtxImm32(offResumeCount, uint32(s.count))
	a.b(0x49, 0xB8) // mov r8, imm64: the physical address of next
	a.buf = binary.LittleEndian.AppendUint64(a.buf, t.phys+uint64(next-t.eip))
	a.storeCtx64(r8, offResumePhys)
	skip := a.newLabel()
	a.jmp32(skip)
	a.bind(routine)
	charge := t.n - s.resume
	fail := -1
	if charge > 0 {
		fail = a.newLabel()
		a.addCtx64Imm(offBudget, -int32(charge))
		a.jcc32(0xC, fail) // jl: the rest does not fit
	}
	label, fl := t.resumeAt(s.resume)
	if fl != flMem && fl != flRegen {
		a.loadFlags(offHF)
	}
	a.jmp32(label)
	if fail >= 0 {
		a.bind(fail)
		a.addCtx64Imm(offBudget, int32(charge))
		t.exitTo(exitBudget, next)
	}
	a.bind(skip)
}

// dispatcher emits the native dispatch routine: r8d is the target EIP,
// r9d the mode key. It translates the target's linear page through the
// fetch TLB (a miss exits), then probes the fast table by EIP; a hit
// whose key and physical page match jumps to the block, anything else
// exits with exitJump and no chain slot.
func dispatcher() []byte {
	var a asm
	miss := a.newLabel()
	a.loadCtx32(r10, offSeg+4*1)                      // CS base
	a.b(0x67, 0x47, 0x8D, 0x14, 0x02)                 // lea r10d, [r10d+r8d]: linear
	a.movRR32(r11, r10)                               // r11d: the entry's offset
	a.b(0x41, 0xC1, 0xEB, 12-entryShift)              // shr r11d, 12-entryShift
	a.b(0x41, 0x81, 0xE3)                             // and r11d, tlbMask
	a.u32(tlbMask)                                    //
	a.b(0x41, 0x81, 0xE2, 0x00, 0xF0, 0xFF, 0xFF)     // and r10d, 0xFFFFF000
	a.loadCtx64(r13, offTLBF)                         //
	a.b(0x47, 0x3B, 0x54, 0x1D, 0x00)                 // cmp r10d, [r13+r11]: Tag
	a.jcc32(0x5, miss)                                //
	a.b(0x47, 0x8B, 0x6C, 0x1D, byte(offEntryAddend)) // mov r13d, [r13+r11+Addend]
	a.b(0x45, 0x01, 0xD5)                             // add r13d, r10d: physical page
	a.b(0x45, 0x69, 0xD0)                             // imul r10d, r8d, fastHash: fastIndex
	a.u32(fastHash)
	a.b(0x41, 0xC1, 0xEA, 32-fastBits) // shr r10d, 32-fastBits
	a.b(0x41, 0x83, 0xE2, 0xFE)        // and r10d, ~1: the set
	a.b(0x49, 0xC1, 0xE2, 0x05)        // shl r10, 5 (32-byte entries)
	a.ctxOp(true, []byte{0x03}, r10, offFast)
	for way := range 2 {
		next := miss
		if way == 0 {
			next = a.newLabel()
		}
		a.b(0x45, 0x3B, 0x42, byte(offFastEIP)) // cmp r8d, [r10+eip]
		a.jcc32(0x5, next)
		a.b(0x45, 0x3B, 0x4A, byte(offFastKey)) // cmp r9d, [r10+key]
		a.jcc32(0x5, next)
		a.b(0x45, 0x3B, 0x6A, byte(offFastPage)) // cmp r13d, [r10+page]
		a.jcc32(0x5, next)
		a.b(0x41, 0xFF, 0x62, byte(offFastCode)) // jmp [r10+code]
		if way == 0 {
			a.bind(next)
			a.b(0x49, 0x83, 0xC2, byte(fastEntrySize)) // add r10, entry size: the other way
		}
	}
	a.bind(miss)
	a.storeCtx32(r8, offEIP)
	a.movCtxImm32(offExit, exitJump)
	a.b(0x49, 0xC7, 0x47, byte(offSlot), 0, 0, 0, 0) // mov qword [r15+slot], 0
	a.b(0xC3)
	a.finish()
	return a.buf
}
