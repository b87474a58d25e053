package dbt

import (
	"bt86/decoder"
)

// Kinds of translated instruction.
const (
	kGeneric  = iota // a ModRM instruction re-encoded on host registers / [r9]
	kVerbatim        // register-only bytes copied as they are (no ModRM)
	kPush            // push host register src
	kPushImm         // push imm32
	kPop             // pop into host register dst
	kJcc             // conditional branch to target
	kJmp             // direct jump to target
	kCall            // direct call to target
	kRet             // near return (imm = bytes to release)
	kJmpInd          // indirect jump through a register or memory
	kCallInd         // indirect call through a register or memory
	kMovImm          // mov r16/r32, imm
	kLeave           // mov esp, ebp; pop ebp
	kBswap           // bswap r32
	kPushEv          // push r/m32
	kDiv             // div r/m32 (flags unchanged, as the interpreter)
	kString          // MOVS, STOS, LODS without REP (DF is in the key)
	kBt              // BT, BTS, BTR, BTC (only CF changes)
	kPushf           // PUSHFD
	kCli             // CLI at CPL 0
	kSti             // STI at CPL 0
	kCld             // CLD (DF is in the key: a change ends the block)
	kStd             // STD
	kHelper          // run by the interpreter inside the block (a step that resumes)
	kPopf            // POPFD at CPL 0 (anything but IF and the arithmetic flags changing: a step)
	kPushSeg         // PUSH sreg, 32-bit (only the low word is written; src: the segment)
	kRegenCF         // only in regen sequences (regen.go): bt [hf], 0
)

// Memory access kinds of a plan.
const (
	memNone = iota
	memR
	memW
	memRW
	memAddr // LEA: the address only
)

// plan is what translating one guest instruction takes.
type plan struct {
	kind int
	mem  int
	size int // memory operand size in bytes
	// flags: fr reads arithmetic flags (so they must be in the host
	// RFLAGS), fw writes them.
	fr, fw bool
	// frCF: of the flags, only CF is read (ADC, SBB, INC/DEC keep it);
	// frCC: the flags are read through condition cc (SETcc, CMOVcc).
	frCF, frCC bool

	p66, lock bool
	opc       []byte // opcode bytes of the host instruction
	reg       int    // ModRM reg field: a host register or a /digit
	rm        int    // host register of a register-form r/m operand
	noREX     bool   // an 8-bit operand is AH..BH: REX must not be used
	btReg     int    // kBt: host register of a register bit offset, or -1
	imm       []byte // immediate bytes, as encoded

	src, dst int    // registers of push/pop
	cc       byte   // condition of kJcc
	target   uint32 // branch target
	retImm   uint32 // bytes released by RET imm16
	ends     bool   // the block ends after this instruction

	// fix makes the flags the SDM leaves undefined what the interpreter
	// computes (fixShl, ...); clCount says a shift counts by CL (a zero
	// count changes no flag).
	fix     int
	clCount bool
	resReg  int  // fixMul: the register holding the result (if not reg)
	rep     bool // REP string operation (ends the block)
	repne   bool // ... with REPNE (F2): CMPS/SCAS stop on equal
}

// writesAll reports whether p sets every arithmetic flag to a value that
// does not depend on the flags before it (with its fix-up, if any).
func (p *plan) writesAll() bool {
	if !p.fw || p.fr || p.clCount || (p.kind != kGeneric && p.kind != kVerbatim) {
		return false
	}
	return p.fix != fixRol && p.fix != fixRor
}

// memGeneric reports whether p is a ModRM instruction with a memory
// operand: its only way out of the block is its shadow-TLB probe.
func (p *plan) memGeneric() bool {
	return p.kind == kGeneric && (p.mem == memR || p.mem == memW || p.mem == memRW)
}

// passive reports whether p neither touches the arithmetic flags nor can
// leave the block.
func (p *plan) passive() bool {
	switch p.kind {
	case kMovImm, kBswap:
		return true
	case kGeneric, kVerbatim:
		return !p.fw && !p.fr && (p.mem == memNone || p.mem == memAddr)
	}
	return false
}

// touches reports whether p may read or write host register r
// (conservatively: ModRM /digits and AH..BH count as registers).
func (p *plan) touches(r int) bool {
	switch p.kind {
	case kMovImm, kBswap:
		return p.rm == r
	case kGeneric:
		if implicitRegs(p) && r <= rBX {
			return true
		}
		for _, x := range [...]int{p.reg, p.rm, p.resReg} {
			if x == r || (x >= 4 && x < 8 && x-4 == r) {
				return true
			}
		}
		return false
	}
	return true
}

// implicitRegs reports whether p is one of the ModRM instructions with
// implicit register operands among EAX, ECX, EDX and EBX: MUL, IMUL,
// DIV, IDIV (F6/F7), CMPXCHG, CMPXCHG8B.
func implicitRegs(p *plan) bool {
	op := p.opc[0]
	return op == 0xF6 || op == 0xF7 || (op == 0x0F && (p.opc[1] == 0xB0 || p.opc[1] == 0xB1 || p.opc[1] == 0xC7))
}

// fixReg returns the host register holding the result whose flags p's
// fix-up computes, or -1 when the fix-up cannot be deferred (a memory or
// CL-counted shift, a rotate, an operand that is not 32-bit).
func (p *plan) fixReg() int {
	if p.kind != kGeneric || p.mem != memNone || p.clCount || p.size != 4 || p.p66 {
		return -1
	}
	switch p.fix {
	case fixMul:
		if p.resReg >= 0 {
			return p.resReg
		}
		return p.reg
	case fixShl, fixShr, fixSar:
		return p.rm
	}
	return -1
}

// deferFix reports whether the flag fix-up of items[i] can be left out
// of the straight-line code: before anything reads the flags, an
// instruction sets all of them again, and the only exits on the way are
// shadow-TLB probes of ModRM memory instructions, at which the result
// register still holds the result (their miss stubs do the fix-up).
//
// exitAtLast says the last item is preceded by a check that can exit
// (an instruction crossing the page end).
func deferFix(items []item, i int, exitAtLast bool) bool {
	r := items[i].p.fixReg()
	if r < 0 {
		return false
	}
	changed := false // r no longer holds the result
	for j := i + 1; j < len(items); j++ {
		q := &items[j].p
		if exitAtLast && j == len(items)-1 && changed {
			return false
		}
		switch {
		case q.fr:
			return false
		case q.memGeneric():
			if changed {
				return false // a miss stub here could not do the fix-up
			}
			if q.writesAll() {
				return true
			}
			if q.fw {
				return false
			}
			changed = q.touches(r)
		case q.writesAll():
			return true
		case q.passive():
			changed = changed || q.touches(r)
		default:
			return false
		}
	}
	return false // the block ends with the flags live
}

// Flag fix-ups after instructions whose flags are partly undefined.
const (
	fixNone = iota
	fixShl  // OF = MSB ^ CF, AF = 0
	fixShr  // OF = MSB ^ MSB-1, AF = 0
	fixSar  // OF = 0, AF = 0
	fixMul  // SF, ZF, PF from the result, AF = 0 (CF, OF kept)
	fixRol  // OF = MSB ^ CF (other flags unchanged)
	fixRor  // OF = MSB ^ MSB-1 (other flags unchanged)
	fixDbl  // SHLD/SHRD: OF = MSB of result ^ destination before, AF = 0
)

// analyze decides whether in (raw bytes raw, at eip, next instruction at
// next) can be translated, and how.
func analyze(in *decoder.Inst, raw []byte, next uint32) (p plan, ok bool) {
	p.resReg, p.btReg = -1, -1
	pos := 0
	rep := false
	for pos < len(raw) {
		switch raw[pos] {
		case 0x66:
			p.p66 = true
		case 0xF0:
			p.lock = true
		case 0xF2, 0xF3:
			rep = true
		case 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65:
		case 0x67:
			return p, false // 16-bit addressing in 32-bit code
		default:
			goto opcode
		}
		pos++
	}
	return p, false
opcode:
	if !in.Addr32() || in.Op >= decoder.OpUD {
		return p, false
	}
	two := raw[pos] == 0x0F
	op := raw[pos]
	if two {
		if pos+1 >= len(raw) {
			return p, false
		}
		op = raw[pos+1]
	}
	if p.lock && !in.Mem() {
		return p, false // #UD
	}
	vsize := 2
	if in.Op32() {
		vsize = 4
	}
	immBytes := func(n int) []byte { return raw[len(raw)-n:] }
	regv := hostReg(in.Reg())
	if rep && !(!two && (op == 0xC3 || op == 0xC2)) {
		// REP MOVS/STOS; REPE/REPNE CMPS/SCAS.
		if two || !(op == 0xA4 || op == 0xA5 || op == 0xAA || op == 0xAB || op == 0xA6 || op == 0xA7 || op == 0xAE || op == 0xAF) {
			return p, false
		}
		p.rep, p.ends = true, true
		p.repne = in.Flags&decoder.FlagRepne != 0
	}
	if two {
		if op >= 0x80 && op <= 0x8F {
			p.kind, p.fr, p.cc, p.target, p.ends = kJcc, true, op&0xF, next+in.Imm, true
			return p, in.Op32()
		}
		return analyzeTwo(in, op, vsize, regv, p)
	}
	switch {
	case op < 0x40 && op&7 < 4: // ALU E,G / G,E
		alu := op >> 3
		p.kind, p.fw = kGeneric, true
		p.fr = alu == 2 || alu == 3 // ADC, SBB
		p.frCF = p.fr
		p.opc = []byte{op}
		byteOp := op&1 == 0
		p.size = vsize
		if byteOp {
			p.size = 1
		}
		toMem := op&2 == 0
		switch {
		case !in.Mem():
		case toMem && alu != 7:
			p.mem = memRW
		default:
			p.mem = memR
		}
		return p.modrm(in, byteOp, byteOp, regv)
	case op < 0x40 && (op&7 == 4 || op&7 == 5): // ALU AL/eAX, imm
		alu := op >> 3
		p.kind, p.fw, p.fr = kVerbatim, true, alu == 2 || alu == 3
		p.frCF = p.fr
		p.opc = []byte{op}
		if op&1 == 0 {
			p.imm = immBytes(1)
		} else {
			p.imm = immBytes(vsize)
		}
		return p, true
	case op >= 0x40 && op <= 0x4F: // INC/DEC r16/r32
		p.kind, p.fr, p.fw, p.frCF = kGeneric, true, true, true
		p.opc = []byte{0xFF}
		p.size = vsize
		p.reg = int(op>>3) & 1
		p.rm = hostReg(int(op & 7))
		return p, true
	case op >= 0x50 && op <= 0x57:
		if !in.Op32() {
			return p, false
		}
		p.kind, p.src, p.size = kPush, hostReg(int(op&7)), 4
		return p, true
	case op >= 0x58 && op <= 0x5F:
		if !in.Op32() {
			return p, false
		}
		p.kind, p.dst, p.size = kPop, hostReg(int(op&7)), 4
		return p, true
	case op == 0x68 || op == 0x6A:
		if !in.Op32() {
			return p, false
		}
		p.kind, p.size = kPushImm, 4
		return p, true
	case op >= 0x70 && op <= 0x7F:
		p.kind, p.fr, p.cc, p.target, p.ends = kJcc, true, op&0xF, next+in.Imm, true
		return p, in.Op32()
	case op == 0x80 || op == 0x81 || op == 0x83:
		alu := in.Reg()
		p.kind, p.fw, p.fr = kGeneric, true, alu == 2 || alu == 3
		p.frCF = p.fr
		p.opc = []byte{op}
		byteOp := op == 0x80
		p.size = vsize
		if byteOp {
			p.size = 1
		}
		if in.Mem() {
			p.mem = memRW
			if alu == 7 {
				p.mem = memR
			}
		}
		if op == 0x81 {
			p.imm = immBytes(vsize)
		} else {
			p.imm = immBytes(1)
		}
		return p.modrm(in, false, byteOp, alu)
	case op == 0x84 || op == 0x85: // TEST
		p.kind, p.fw = kGeneric, true
		p.opc = []byte{op}
		p.size = vsize
		if op == 0x84 {
			p.size = 1
		}
		if in.Mem() {
			p.mem = memR
		}
		return p.modrm(in, op == 0x84, op == 0x84, regv)
	case op == 0x86 || op == 0x87: // XCHG
		p.kind = kGeneric
		p.opc = []byte{op}
		p.size = vsize
		if op == 0x86 {
			p.size = 1
		}
		if in.Mem() {
			p.mem = memRW
		}
		return p.modrm(in, op == 0x86, op == 0x86, regv)
	case op >= 0x88 && op <= 0x8B: // MOV
		p.kind = kGeneric
		p.opc = []byte{op}
		byteOp := op&1 == 0
		p.size = vsize
		if byteOp {
			p.size = 1
		}
		if in.Mem() {
			p.mem = memR
			if op <= 0x89 {
				p.mem = memW
			}
		}
		return p.modrm(in, byteOp, byteOp, regv)
	case op == 0x8D: // LEA
		if !in.Mem() {
			return p, false
		}
		p.kind, p.mem = kGeneric, memAddr
		p.opc = []byte{op}
		p.reg = regv
		return p, true
	case op == 0x90: // NOP, and XCHG AX, AX
		p.kind, p.opc = kVerbatim, []byte{0x90}
		return p, true
	case op >= 0x91 && op <= 0x97: // XCHG eAX, r
		p.kind, p.opc = kGeneric, []byte{0x87}
		p.size = vsize
		p.reg, p.rm = rAX, hostReg(int(op&7))
		return p, true
	case op == 0x9C: // PUSHFD
		if !in.Op32() {
			return p, false
		}
		p.kind, p.size = kPushf, 4
		return p, true
	case op == 0x9D: // POPFD
		if !in.Op32() {
			return p, false
		}
		p.kind, p.size = kPopf, 4 // it writes the flags in ctx, not in the host RFLAGS
		return p, true
	case op == 0x06 || op == 0x0E || op == 0x16 || op == 0x1E: // PUSH ES, CS, SS, DS
		if !in.Op32() {
			return p, false
		}
		p.kind, p.size, p.src = kPushSeg, 4, int(op>>3)
		return p, true
	case op == 0xFA:
		p.kind = kCli
		return p, true
	case op == 0xFB:
		p.kind = kSti
		return p, true
	case op == 0xFC:
		p.kind = kCld
		return p, true
	case op == 0xFD:
		p.kind = kStd
		return p, true
	case op == 0x98 || op == 0x99:
		p.kind, p.opc = kVerbatim, []byte{op}
		return p, true
	case op >= 0xA0 && op <= 0xA3: // MOV moffs
		p.kind = kGeneric
		p.opc = []byte{[]byte{0x8A, 0x8B, 0x88, 0x89}[op-0xA0]}
		p.size = vsize
		if op&1 == 0 {
			p.size = 1
		}
		p.mem = memR
		if op >= 0xA2 {
			p.mem = memW
		}
		p.reg = rAX
		return p, true
	case op >= 0xA4 && op <= 0xAF && op != 0xA8 && op != 0xA9: // MOVS, CMPS, STOS, LODS, SCAS
		p.kind = kString
		p.fw = op == 0xA6 || op == 0xA7 || op == 0xAE || op == 0xAF
		p.opc = []byte{op}
		p.size = vsize
		if op&1 == 0 {
			p.size = 1
		}
		return p, true
	case op == 0xA8 || op == 0xA9: // TEST AL/eAX, imm
		p.kind, p.fw, p.opc = kVerbatim, true, []byte{op}
		if op == 0xA8 {
			p.imm = immBytes(1)
		} else {
			p.imm = immBytes(vsize)
		}
		return p, true
	case op >= 0xB0 && op <= 0xB7: // MOV r8, imm8 (no REX: AH..BH stay)
		p.kind, p.opc, p.imm = kVerbatim, []byte{op}, immBytes(1)
		return p, true
	case op >= 0xB8 && op <= 0xBF: // MOV r, imm
		p.kind = kMovImm
		p.rm = hostReg(int(op & 7))
		p.imm = immBytes(vsize)
		return p, true
	case op == 0xC0 || op == 0xC1 || op == 0xD0 || op == 0xD1 || op == 0xD2 || op == 0xD3: // shifts
		byteOp := op&1 == 0
		bits := vsize * 8
		if byteOp {
			bits = 8
		}
		p.kind, p.opc, p.fw = kGeneric, []byte{op}, true
		p.size = bits / 8
		switch in.Reg() {
		case 4, 6:
			p.fix = fixShl
		case 5:
			p.fix = fixShr
		case 7:
			p.fix = fixSar
		case 0, 1: // ROL, ROR: only CF and OF change
			if bits != 32 {
				return p, false
			}
			p.fix, p.fr = fixRol+in.Reg(), true
		default:
			return p, false // RCL, RCR
		}
		switch op {
		case 0xC0, 0xC1:
			n := int(in.Imm & 31)
			if n == 0 || n >= bits {
				return p, false
			}
			p.imm = immBytes(1)
		case 0xD2, 0xD3:
			if bits != 32 {
				return p, false
			}
			p.clCount, p.fr = true, true
		}
		if in.Mem() {
			p.mem = memRW
		}
		return p.modrm(in, false, byteOp, in.Reg())
	case op == 0x69 || op == 0x6B: // IMUL Gv, Ev, imm
		p.kind, p.opc, p.fw, p.fix = kGeneric, []byte{op}, true, fixMul
		p.size = vsize
		if op == 0x69 {
			p.imm = immBytes(vsize)
		} else {
			p.imm = immBytes(1)
		}
		if in.Mem() {
			p.mem = memR
		}
		return p.modrm(in, false, false, regv)
	case op == 0xC2 || op == 0xC3:
		if !in.Op32() {
			return p, false
		}
		p.kind, p.size, p.ends = kRet, 4, true
		if op == 0xC2 {
			p.retImm = in.Imm & 0xFFFF
		}
		return p, true
	case op == 0xC9: // LEAVE
		if !in.Op32() {
			return p, false
		}
		p.kind, p.size = kLeave, 4
		return p, true
	case op == 0xC6 || op == 0xC7: // MOV E, imm
		if in.Reg() != 0 {
			return p, false
		}
		p.kind, p.opc = kGeneric, []byte{op}
		p.size = vsize
		if op == 0xC6 {
			p.size = 1
			p.imm = immBytes(1)
		} else {
			p.imm = immBytes(vsize)
		}
		if in.Mem() {
			p.mem = memW
		}
		return p.modrm(in, false, op == 0xC6, 0)
	case op == 0xE8:
		if !in.Op32() {
			return p, false
		}
		p.kind, p.size, p.target, p.ends = kCall, 4, next+in.Imm, true
		return p, true
	case op == 0xE9 || op == 0xEB:
		p.kind, p.target, p.ends = kJmp, next+in.Imm, true
		return p, in.Op32()
	case op == 0xF6 || op == 0xF7:
		byteOp := op == 0xF6
		p.kind, p.opc = kGeneric, []byte{op}
		p.size = vsize
		if byteOp {
			p.size = 1
		}
		switch in.Reg() {
		case 0: // TEST imm
			p.fw = true
			if byteOp {
				p.imm = immBytes(1)
			} else {
				p.imm = immBytes(vsize)
			}
			if in.Mem() {
				p.mem = memR
			}
		case 2, 3: // NOT, NEG
			p.fw = in.Reg() == 3
			if in.Mem() {
				p.mem = memRW
			}
		case 6: // DIV r/m32: exits to the interpreter on #DE
			if byteOp || !in.Op32() {
				return p, false
			}
			p.kind = kDiv
			if in.Mem() {
				p.mem, p.size = memR, 4
			} else {
				p.rm = hostReg(in.RM())
			}
			return p, true
		case 4, 5: // MUL, IMUL: EDX:EAX = EAX * r/m
			if byteOp {
				return p, false
			}
			p.fw, p.fix = true, fixMul
			if in.Mem() {
				p.mem = memR
			}
			p, ok := p.modrm(in, false, false, in.Reg())
			p.resReg = rAX
			return p, ok
		default:
			return p, false
		}
		return p.modrm(in, false, byteOp, in.Reg())
	case op == 0xFE || op == 0xFF:
		r := in.Reg()
		switch {
		case r <= 1: // INC, DEC: keep CF
			p.kind, p.fr, p.fw, p.frCF = kGeneric, true, true, true
			p.opc = []byte{op}
			p.size = vsize
			if op == 0xFE {
				p.size = 1
			}
			if in.Mem() {
				p.mem = memRW
			}
			return p.modrm(in, false, op == 0xFE, r)
		case op == 0xFF && r == 6 && in.Op32(): // PUSH Ev
			p.kind, p.size = kPushEv, 4
			if in.Mem() {
				p.mem = memR
			} else {
				p.src = hostReg(in.RM())
			}
			return p, true
		case op == 0xFF && (r == 2 || r == 4) && in.Op32():
			p.kind, p.size, p.ends = kJmpInd, 4, true
			if r == 2 {
				p.kind = kCallInd
			}
			if in.Mem() {
				p.mem = memR
			} else {
				p.rm = hostReg(in.RM())
			}
			return p, true
		}
		return p, false
	}
	return p, false
}

// analyzeTwo handles 0F xx opcodes.
func analyzeTwo(in *decoder.Inst, op byte, vsize, regv int, p plan) (plan, bool) {
	switch {
	case op == 0xC7 && in.Reg() == 1 && in.Mem(): // CMPXCHG8B m64 (only ZF changes)
		p.kind, p.opc, p.size, p.mem = kGeneric, []byte{0x0F, 0xC7}, 8, memRW
		p.fr, p.fw, p.reg = true, true, 1
		return p, true
	case (op == 0xA4 || op == 0xAC) && in.Op32(): // SHLD, SHRD Ev, Gv, imm8
		if in.Imm&31 == 0 {
			return p, false // no flag changes: the interpreter's
		}
		p.kind, p.opc, p.size, p.fw, p.fix = kGeneric, []byte{0x0F, op}, 4, true, fixDbl
		p.imm = []byte{byte(in.Imm)}
		if in.Mem() {
			p.mem = memRW
		}
		return p.modrm(in, false, false, regv)
	case op == 0xA0 || op == 0xA8: // PUSH FS, GS
		if !in.Op32() {
			return p, false
		}
		p.kind, p.size, p.src = kPushSeg, 4, 4+int(op>>3&1)
		return p, true
	case op >= 0x90 && op <= 0x9F: // SETcc Eb
		p.kind, p.fr, p.frCC, p.cc = kGeneric, true, true, op&0xF
		p.opc = []byte{0x0F, op}
		p.size = 1
		if in.Mem() {
			p.mem = memW
		}
		return p.modrm(in, false, true, 0)
	case op == 0xB1 || op == 0xC1: // CMPXCHG, XADD Ev, Gv
		p.kind, p.opc, p.fw = kGeneric, []byte{0x0F, op}, true
		p.size = vsize
		if in.Mem() {
			p.mem = memRW
		}
		return p.modrm(in, false, false, regv)
	case op == 0xA3 || op == 0xAB || op == 0xB3 || op == 0xBB || (op == 0xBA && in.Reg() >= 4): // BT, BTS, BTR, BTC
		if !in.Op32() {
			return p, false
		}
		p.kind, p.opc, p.size, p.btReg = kBt, []byte{0x0F, op}, 4, regv
		reg := regv
		if op == 0xBA {
			p.btReg, reg = -1, in.Reg()
			p.imm = []byte{byte(in.Imm)}
		}
		if in.Mem() {
			p.mem = memRW
			if op == 0xA3 || (op == 0xBA && in.Reg() == 4) {
				p.mem = memR
			}
		}
		return p.modrm(in, false, false, reg)
	case op >= 0xC8 && op <= 0xCF: // BSWAP
		if !in.Op32() {
			return p, false
		}
		p.kind = kBswap
		p.rm = hostReg(int(op & 7))
		return p, true
	case op == 0xAF: // IMUL Gv, Ev
		p.kind, p.opc, p.fw, p.fix = kGeneric, []byte{0x0F, op}, true, fixMul
		p.size = vsize
		if in.Mem() {
			p.mem = memR
		}
		return p.modrm(in, false, false, regv)
	case op >= 0x40 && op <= 0x4F: // CMOVcc Gv, Ev
		p.kind, p.fr, p.frCC, p.cc = kGeneric, true, true, op&0xF
		p.opc = []byte{0x0F, op}
		p.size = vsize
		if in.Mem() {
			p.mem = memR
		}
		return p.modrm(in, false, false, regv)
	case op == 0xB6 || op == 0xBE || op == 0xB7 || op == 0xBF: // MOVZX/MOVSX
		p.kind = kGeneric
		p.opc = []byte{0x0F, op}
		byteSrc := op == 0xB6 || op == 0xBE
		p.size = 2
		if byteSrc {
			p.size = 1
		}
		if in.Mem() {
			p.mem = memR
		}
		return p.modrm(in, false, byteSrc, regv)
	}
	return p, false
}

// modrm fills in the ModRM operands: reg (already a host register or a
// /digit), and for register forms the r/m register; byteReg and byteRM
// say the operands are 8-bit registers (AH..BH forbid a REX prefix).
func (p plan) modrm(in *decoder.Inst, byteReg, byteRM bool, reg int) (plan, bool) {
	p.reg = reg
	if byteReg {
		p.reg = in.Reg()
		if p.reg >= 4 {
			p.noREX = true
		}
	}
	if !in.Mem() {
		if byteRM {
			p.rm = in.RM()
			if p.rm >= 4 {
				p.noREX = true
			}
		} else {
			p.rm = hostReg(in.RM())
		}
		if p.noREX && (p.reg >= 8 || p.rm >= 8) {
			return p, false
		}
		return p, true
	}
	// Memory forms address [r9], which needs REX.B; with AH..BH (no
	// REX) the address goes through a legacy register instead (see
	// emitGeneric). No r/m register: rm is -1.
	p.rm = -1
	return p, true
}
