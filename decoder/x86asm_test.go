package decoder

// Differential test: the decoder against golang.org/x/arch/x86/x86asm.
//
// x86asm is a disassembler, not a model of one CPU: it decodes later ISA
// extensions that our P6-without-MMX/SSE treats as #UD, it omits a few
// undocumented aliases real P6 hardware executes, and it has quirks of its
// own. Every such disagreement must match a named entry of refExceptions
// (with the reason it is not our bug); each entry's hit count is logged.
// Any other disagreement fails the test: fix it in the decoder.

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"

	"golang.org/x/arch/x86/x86asm"
)

// diffKind is one way the decoder and x86asm can disagree.
type diffKind uint8

const (
	diffNone     diffKind = iota
	diffOursOnly          // we decode a valid instruction, x86asm rejects the bytes
	diffRefOnly           // x86asm decodes, we say OpUD or OpTooLong
	diffLen               // both decode, lengths differ
	diffMem               // memory operand presence, base, index, scale, disp or segment
	diffImm               // immediate values
	diffSize              // operand or address size
)

var diffKindNames = [...]string{"none", "ours-valid/ref-invalid", "ref-valid/ours-invalid", "length", "memory operand", "immediate", "operand/address size"}

func (k diffKind) String() string { return diffKindNames[k] }

// probe is one input decoded by both decoders, plus an independent parse
// of its prefixes and opcode bytes for the exception predicates (which must
// not trust the decoder under test).
type probe struct {
	b    []byte
	mode int // 16 or 32

	// Independent parse.
	npfx      int // number of legacy prefix bytes
	lock      bool
	rep       byte // last F2/F3, or 0
	omap      int  // 0 one-byte, 1 0F, 2 0F 38, 3 0F 3A
	op        byte // the opcode byte in its map (0 when absent)
	modrm     int  // the byte after the opcode (the ModRM byte if it has one), or -1
	afterOp   int  // index of the byte after the opcode
	ours      Inst
	oursErr   error
	ref       x86asm.Inst
	refErr    error
	refValid  bool
	oursValid bool
}

func (p *probe) reg() int { return (p.modrm >> 3) & 7 }
func (p *probe) mod() int { return p.modrm >> 6 }
func (p *probe) regForm() bool {
	return p.modrm >= 0xC0
}

func (p *probe) String() string {
	var s strings.Builder
	fmt.Fprintf(&s, "mode%d % x: ", p.mode, p.b)
	if p.oursErr != nil {
		fmt.Fprintf(&s, "ours=%v", p.oursErr)
	} else {
		fmt.Fprintf(&s, "ours=%s", fmtInst(&p.ours))
	}
	if p.refErr != nil {
		fmt.Fprintf(&s, " ref=%v", p.refErr)
	} else {
		inv := ""
		if !p.refValid {
			inv = " (invalid)"
		}
		fmt.Fprintf(&s, " ref={%v len=%d%s}", p.ref, p.ref.Len, inv)
	}
	return s.String()
}

func fmtInst(in *Inst) string {
	return fmt.Sprintf("{Op:%#x Len:%d Flags:%#x ModRM:%#02x Seg:%d Base:%d Index:%d Scale:%d Disp:%#x Imm:%#x Imm2:%#x}",
		in.Op, in.Len, in.Flags, in.ModRM, in.Seg, in.Base, in.Index, in.Scale, in.Disp, in.Imm, in.Imm2)
}

func isPrefix(b byte) bool {
	switch b {
	case 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67, 0xF0, 0xF2, 0xF3:
		return true
	}
	return false
}

// parse fills the independent-parse fields of p.
func (p *probe) parse() {
	i := 0
	for i < len(p.b) && isPrefix(p.b[i]) {
		switch p.b[i] {
		case 0xF0:
			p.lock = true
		case 0xF2, 0xF3:
			p.rep = p.b[i]
		}
		i++
	}
	p.npfx = i
	p.modrm = -1
	if i >= len(p.b) {
		p.afterOp = i
		return
	}
	p.op = p.b[i]
	i++
	if p.op == 0x0F && i < len(p.b) {
		p.omap = 1
		p.op = p.b[i]
		i++
		if (p.op == 0x38 || p.op == 0x3A) && i < len(p.b) {
			p.omap = 2
			if p.op == 0x3A {
				p.omap = 3
			}
			p.op = p.b[i]
			i++
		}
	}
	p.afterOp = i
	if i < len(p.b) {
		p.modrm = int(p.b[i])
	}
}

// refDecode runs x86asm. It never sees fewer bytes than an instruction
// needs in our tests (it would report truncation as a one-byte "prefix"
// instruction), so any failure is a rejection. A LOCK prefix x86asm marks
// PrefixInvalid makes the instruction invalid (#UD).
func (p *probe) refDecode() {
	p.ref, p.refErr = x86asm.Decode(p.b, p.mode)
	p.refValid = p.refErr == nil && p.ref.Op != 0
	if p.refValid {
		for _, pf := range p.ref.Prefix {
			if pf == 0 {
				break
			}
			if pf&x86asm.PrefixInvalid != 0 {
				p.refValid = false
			}
		}
	}
}

func newProbe(d *Decoder, b []byte, mode int) *probe {
	p := &probe{b: b, mode: mode}
	p.parse()
	p.ours, p.oursErr = d.Decode(b, mode == 32)
	p.oursValid = p.oursErr == nil && p.ours.Op != OpUD && p.ours.Op != OpTooLong
	p.refDecode()
	return p
}

// refReg maps an x86asm general register (16 or 32 bits) to our number.
func refReg(r x86asm.Reg) uint8 {
	switch {
	case r == 0:
		return RegNone
	case r >= x86asm.AX && r <= x86asm.DI:
		return uint8(r - x86asm.AX)
	case r >= x86asm.EAX && r <= x86asm.EDI:
		return uint8(r - x86asm.EAX)
	}
	return 0xFF
}

// refStringOp lists x86asm ops whose implicit operands x86asm spells as
// Mem arguments though they have no ModRM memory operand.
func refStringOp(op x86asm.Op) bool {
	switch op {
	case x86asm.INSB, x86asm.INSW, x86asm.INSD, x86asm.OUTSB, x86asm.OUTSW, x86asm.OUTSD,
		x86asm.MOVSB, x86asm.MOVSW, x86asm.MOVSD, x86asm.CMPSB, x86asm.CMPSW, x86asm.CMPSD,
		x86asm.LODSB, x86asm.LODSW, x86asm.LODSD, x86asm.STOSB, x86asm.STOSW, x86asm.STOSD,
		x86asm.SCASB, x86asm.SCASW, x86asm.SCASD, x86asm.XLATB:
		return true
	}
	return false
}

// compare reports how p's two decodings disagree, with a description.
func (p *probe) compare() (diffKind, string) {
	if p.oursErr != nil {
		// Inputs here always hold at least MaxLen bytes.
		return diffRefOnly, "ours: " + p.oursErr.Error()
	}
	switch {
	case p.oursValid && !p.refValid:
		return diffOursOnly, ""
	case !p.oursValid && p.refValid:
		return diffRefOnly, ""
	case !p.oursValid:
		return diffNone, ""
	}
	in, ref := &p.ours, &p.ref
	if int(in.Len) != ref.Len {
		return diffLen, fmt.Sprintf("len %d vs %d", in.Len, ref.Len)
	}
	if (in.Flags&FlagAddr32 != 0) != (ref.AddrSize == 32) || (in.Flags&FlagOp32 != 0) != (ref.DataSize == 32) {
		return diffSize, fmt.Sprintf("flags %#x vs addr%d data%d", in.Flags, ref.AddrSize, ref.DataSize)
	}
	// Memory operand.
	var mem *x86asm.Mem
	var imms []int64
	for _, a := range ref.Args {
		switch a := a.(type) {
		case x86asm.Mem:
			if mem == nil && !refStringOp(ref.Op) {
				m := a
				mem = &m
			}
		case x86asm.Imm:
			imms = append(imms, int64(a))
		case x86asm.Rel:
			imms = append(imms, int64(a))
		}
	}
	if refStringOp(ref.Op) {
		// The source operand's segment (DS or the override) is our Seg.
		for _, a := range ref.Args {
			if m, ok := a.(x86asm.Mem); ok && (m.Segment != x86asm.ES || refReg(m.Base) != EDI) && uint8(m.Segment-x86asm.ES) != in.Seg {
				return diffMem, fmt.Sprintf("string source segment %d vs %v", in.Seg, m.Segment)
			}
		}
	}
	if (mem != nil) != in.Mem() {
		return diffMem, fmt.Sprintf("mem presence %v vs %v", in.Mem(), mem != nil)
	}
	if mem != nil {
		if in.Base != refReg(mem.Base) {
			return diffMem, "base"
		}
		if in.Index != refReg(mem.Index) {
			return diffMem, "index"
		}
		if in.Index != RegNone && 1<<in.Scale != mem.Scale {
			return diffMem, "scale"
		}
		if in.Addr32() && in.Disp != uint32(mem.Disp) || !in.Addr32() && uint16(in.Disp) != uint16(mem.Disp) {
			return diffMem, "disp"
		}
		seg := uint8(DS)
		if mem.Segment != 0 {
			seg = uint8(mem.Segment - x86asm.ES)
			if in.Flags&FlagSegOvr == 0 {
				return diffMem, "override flag"
			}
		} else if b := refReg(mem.Base); b == EBP || b == ESP {
			seg = SS // x86asm leaves default segments out
		}
		if in.Seg != seg {
			return diffMem, fmt.Sprintf("segment %d vs %d", in.Seg, seg)
		}
	}
	// Immediates: drop the constant operands x86asm spells as Imm
	// (the 1 of D0-D3 shifts, the 3 of INT3).
	if p.omap == 0 && (p.op >= 0xD0 && p.op <= 0xD1 || p.op == 0xCC) && len(imms) == 1 {
		imms = nil
	}
	var want []uint32
	switch {
	case p.omap == 0 && (p.op == 0x9A || p.op == 0xEA):
		want = []uint32{in.Imm2, in.Imm} // selector, offset
	case p.omap == 0 && p.op == 0xC8:
		want = []uint32{in.Imm, in.Imm2}
	case len(imms) == 0:
		if in.Imm != 0 || in.Imm2 != 0 {
			return diffImm, "ours has an immediate"
		}
	default:
		want = []uint32{in.Imm}
	}
	if len(want) != len(imms) {
		return diffImm, fmt.Sprintf("immediate count %d vs %d", len(want), len(imms))
	}
	for i, w := range want {
		if !p.immEqual(w, imms[i]) {
			return diffImm, fmt.Sprintf("immediate %d: %#x vs %#x", i, w, imms[i])
		}
	}
	return diffNone, ""
}

// immEqual compares our immediate with x86asm's. Rel operands and
// immediates we sign-extend must agree exactly; x86asm also sign-extends
// some 8-bit immediates we zero-extend (80 /r ib, MOV r8,ib, ...), where
// the low 8 bits must agree.
func (p *probe) immEqual(ours uint32, ref int64) bool {
	if ours == uint32(ref) {
		return true
	}
	signed := p.omap == 0 && (p.op == 0x6A || p.op == 0x6B || p.op == 0x83 || inRange(p.op, 0x70, 0x7F) || inRange(p.op, 0xE0, 0xE3) || p.op == 0xEB)
	return !signed && ours <= 0xFF && ref >= -0x80 && ref < 0 && uint8(ours) == uint8(ref)
}

// sharedDecoder serves exception predicates that re-decode a variant.
var sharedDecoder = New()

// refException explains a class of disagreement that is not our bug.
type refException struct {
	name   string
	reason string
	match  func(p *probe, k diffKind) bool
}

func inRange(b byte, lo, hi byte) bool { return b >= lo && b <= hi }

// x87Alias reports the register forms of the x87 escapes that are
// undocumented aliases on real hardware (x86asm omits them).
func x87Alias(op byte, modrm int) bool {
	if modrm < 0xC0 {
		return false
	}
	m := byte(modrm)
	switch op {
	case 0xD9:
		return inRange(m, 0xD8, 0xDF) // FSTP1
	case 0xDC:
		return inRange(m, 0xD0, 0xDF) // FCOM2, FCOMP3
	case 0xDD:
		return inRange(m, 0xC8, 0xCF) // FXCH4
	case 0xDE:
		return inRange(m, 0xD0, 0xD7) // FCOMP5
	case 0xDF:
		return inRange(m, 0xC0, 0xDF) // FFREEP, FXCH7, FSTP8, FSTP9
	}
	return false
}

// refExceptions is the named list of known x86asm gaps and ISA-level
// differences. Order matters only for counting: the first match wins.
var refExceptions = []refException{
	{
		name:   "alias-82",
		reason: "82 /r is an alias of 80 /r in 16- and 32-bit modes (only 64-bit mode makes it #UD); x86asm does not decode it",
		match: func(p *probe, k diffKind) bool {
			return k == diffOursOnly && p.omap == 0 && p.op == 0x82
		},
	},
	{
		name:   "salc",
		reason: "D6 is SALC, undocumented but present on every Intel CPU up to 64-bit mode; x86asm does not decode it",
		match: func(p *probe, k diffKind) bool {
			return k == diffOursOnly && p.omap == 0 && p.op == 0xD6
		},
	},
	{
		name:   "alias-test-f6f7-1",
		reason: "F6 /1 and F7 /1 are undocumented aliases of TEST Eb,Ib / Ev,Iz; x86asm does not decode them",
		match: func(p *probe, k diffKind) bool {
			return k == diffOursOnly && p.omap == 0 && (p.op == 0xF6 || p.op == 0xF7) && p.reg() == 1
		},
	},
	{
		name:   "alias-sal-6",
		reason: "C0/C1/D0-D3 /6 is an undocumented alias of SHL (SAL); x86asm does not decode it",
		match: func(p *probe, k diffKind) bool {
			return k == diffOursOnly && p.omap == 0 && (p.op == 0xC0 || p.op == 0xC1 || inRange(p.op, 0xD0, 0xD3)) && p.reg() == 6
		},
	},
	{
		name:   "alias-x87",
		reason: "x87 register-form aliases real hardware executes (D9 D8-DF FSTP1, DC D0-DF FCOM2/FCOMP3, DD C8-CF FXCH4, DE D0-D7 FCOMP5, DF C0-C7 FFREEP, DF C8-DF FXCH7/FSTP8/FSTP9); x86asm lacks some",
		match: func(p *probe, k diffKind) bool {
			return k == diffOursOnly && p.omap == 0 && x87Alias(p.op, p.modrm)
		},
	},
	{
		name:   "x87-287-nops",
		reason: "DB E0/E1/E4 (FENI, FDISI, FSETPM) are 8087/287 instructions the 387 and later execute as NOPs; x86asm does not decode them",
		match: func(p *probe, k diffKind) bool {
			return k == diffOursOnly && p.omap == 0 && p.op == 0xDB && (p.modrm == 0xE0 || p.modrm == 0xE1 || p.modrm == 0xE4)
		},
	},
	{
		name:   "endbr32-as-rep",
		reason: "x86asm decodes F3 0F 1E FA/FB (ENDBR64/32) as a bare one-byte REP with no instruction; on a P6 it is the hint NOP 0F 1E /7 behind a REP prefix",
		match: func(p *probe, k diffKind) bool {
			return k == diffOursOnly && p.omap == 1 && p.op == 0x1E && p.rep == 0xF3 && (p.modrm == 0xFA || p.modrm == 0xFB)
		},
	},
	{
		name:   "hint-nop",
		reason: "0F 0D and 0F 18-1F with any ModRM are hint NOPs (reserved-NOP space, multi-byte NOP) on P6; x86asm decodes only the PREFETCH/NOP forms it knows",
		match: func(p *probe, k diffKind) bool {
			return k == diffOursOnly && p.omap == 1 && (p.op == 0x0D || inRange(p.op, 0x18, 0x1F))
		},
	},
	{
		name:   "lock-mov-cr8",
		reason: "x86asm takes LOCK MOV CRn (F0 0F 20/22) as AMD's alternate CR8 encoding; Intel P6 raises #UD",
		match: func(p *probe, k diffKind) bool {
			return k == diffRefOnly && p.omap == 1 && (p.op == 0x20 || p.op == 0x22) && p.lock
		},
	},
	{
		name:   "mov-crdr-mod",
		reason: "MOV to/from CRn/DRn (0F 20-23) ignore ModRM.mod and always name a register, so no SIB or displacement follows; x86asm consumes them when mod!=3 (and may then exceed 15 bytes); with mod forced to 3 it agrees",
		match: func(p *probe, k diffKind) bool {
			if k != diffLen && k != diffOursOnly || p.omap != 1 || !inRange(p.op, 0x20, 0x23) || p.modrm < 0 || p.mod() == 3 {
				return false
			}
			b := bytes.Clone(p.b)
			b[p.afterOp] |= 0xC0
			q := newProbe(sharedDecoder, b, p.mode)
			return q.refValid && q.ref.Len == int(p.ours.Len)
		},
	},
	{
		name:   "mov-cr-reserved",
		reason: "CR1 and CR5-CR7 do not exist: MOV to/from them is #UD in every mode; x86asm decodes them",
		match: func(p *probe, k diffKind) bool {
			r := p.reg()
			return k == diffRefOnly && p.omap == 1 && (p.op == 0x20 || p.op == 0x22) && (r == 1 || r >= 5)
		},
	},
	{
		name:   "mov-cs",
		reason: "MOV CS,Ew (8E /1) was an 8086 jump; since the 80186 it is #UD; x86asm decodes it",
		match: func(p *probe, k diffKind) bool {
			return k == diffRefOnly && p.omap == 0 && p.op == 0x8E && p.reg() == 1
		},
	},
	{
		name:   "fisttp-sse3",
		reason: "DB/DD/DF /1 with a memory operand is FISTTP, new in SSE3: #UD on a P6",
		match: func(p *probe, k diffKind) bool {
			return k == diffRefOnly && p.omap == 0 && (p.op == 0xDB || p.op == 0xDD || p.op == 0xDF) && p.reg() == 1 && p.mod() != 3
		},
	},
	{
		name:   "tsx",
		reason: "C6 F8 / C7 F8 are XABORT/XBEGIN (TSX); on a P6, C6/C7 with reg!=0 are #UD",
		match: func(p *probe, k diffKind) bool {
			return k == diffRefOnly && p.omap == 0 && (p.op == 0xC6 || p.op == 0xC7) && p.modrm == 0xF8
		},
	},
	{
		name:   "0f01-reg-post-p6",
		reason: "0F 01 register forms other than SMSW (/4) and LMSW (/6) are later extensions (VMX, MONITOR/MWAIT, XGETBV, SWAPGS, RDTSCP, ...): #UD on a P6",
		match: func(p *probe, k diffKind) bool {
			return k == diffRefOnly && p.omap == 1 && p.op == 0x01 && p.mod() == 3 && p.reg() != 4 && p.reg() != 6
		},
	},
	{
		name:   "mov-tr",
		reason: "0F 24/0F 26 (MOV to/from test registers) existed on the 386/486 only: #UD on a P6",
		match: func(p *probe, k diffKind) bool {
			return k == diffRefOnly && p.omap == 1 && (p.op == 0x24 || p.op == 0x26)
		},
	},
	{
		name:   "rsm",
		reason: "RSM (0F AA) is #UD outside system-management mode, which bt86 does not model",
		match: func(p *probe, k diffKind) bool {
			return k == diffRefOnly && p.omap == 1 && p.op == 0xAA
		},
	},
	{
		name:   "0fae-post-p6",
		reason: "0F AE /2-/7 and its register forms (LDMXCSR, STMXCSR, XSAVE*, CLFLUSH, LFENCE/MFENCE/SFENCE) are SSE and later; a P6 has only FXSAVE/FXRSTOR",
		match: func(p *probe, k diffKind) bool {
			return k == diffRefOnly && p.omap == 1 && p.op == 0xAE && (p.reg() >= 2 || p.mod() == 3)
		},
	},
	{
		name:   "0fc7-post-p6",
		reason: "0F C7 other than CMPXCHG8B (/1 memory) is later (XRSTORS, XSAVEC, XSAVES, RDRAND, RDSEED, ...): #UD on a P6",
		match: func(p *probe, k diffKind) bool {
			return k == diffRefOnly && p.omap == 1 && p.op == 0xC7 && (p.reg() != 1 || p.mod() == 3)
		},
	},
	{
		name:   "popcnt",
		reason: "F3 0F B8 is POPCNT (SSE4.2 era); on a P6, 0F B8 is #UD",
		match: func(p *probe, k diffKind) bool {
			return k == diffRefOnly && p.omap == 1 && p.op == 0xB8
		},
	},
	{
		name:   "ud0-ud1",
		reason: "0F B9 (UD1) and 0F FF (UD0) exist only to raise #UD; x86asm decodes their operands, we return OpUD",
		match: func(p *probe, k diffKind) bool {
			return k == diffRefOnly && p.omap == 1 && (p.op == 0xB9 || p.op == 0xFF)
		},
	},
	{
		name:   "vex-evex",
		reason: "C4/C5/62 with ModRM mod=3 in 32-bit mode are VEX/EVEX prefixes on AVX CPUs; on a P6 they are LES/LDS/BOUND with a register operand (#UD)",
		match: func(p *probe, k diffKind) bool {
			return (k == diffRefOnly || k == diffLen) && p.mode == 32 && p.npfx == 0 && p.omap == 0 && (p.op == 0xC4 || p.op == 0xC5 || p.op == 0x62) && p.mod() == 3
		},
	},
	{
		name:   "mmx-sse",
		reason: "MMX/SSE/SSE2+ opcodes (0F 10-17, 0F 28-2F, 0F 50-7F, 0F C2-C6, 0F D0-FF, 0F 38 xx, 0F 3A xx) are #UD on a P6 without MMX/SSE",
		match: func(p *probe, k diffKind) bool {
			if k != diffRefOnly || p.omap == 0 {
				return false
			}
			o := p.op
			return p.omap >= 2 || inRange(o, 0x10, 0x17) || inRange(o, 0x28, 0x2F) || inRange(o, 0x50, 0x7F) ||
				inRange(o, 0xC2, 0xC6) || inRange(o, 0xD0, 0xFF)
		},
	},
}

// classify returns the exception explaining p's disagreement k, or nil.
func classify(p *probe, k diffKind) *refException {
	for i := range refExceptions {
		if refExceptions[i].match(p, k) {
			return &refExceptions[i]
		}
	}
	return nil
}

// diffStats accumulates a differential run.
type diffStats struct {
	total, agree int
	bothInvalid  int
	perException map[string]int
	// Unexplained disagreements, grouped by a coarse signature with a
	// count and the first example.
	bugs     map[string]int
	bugFirst map[string]string
}

func newDiffStats() *diffStats {
	return &diffStats{perException: map[string]int{}, bugs: map[string]int{}, bugFirst: map[string]string{}}
}

func (s *diffStats) add(p *probe) {
	s.total++
	k, why := p.compare()
	if k == diffNone {
		s.agree++
		if !p.oursValid {
			s.bothInvalid++
		}
		return
	}
	if e := classify(p, k); e != nil {
		s.perException[e.name]++
		return
	}
	sig := fmt.Sprintf("%-24s map%d op=%02x", k, p.omap, p.op)
	if p.modrm >= 0 {
		sig += fmt.Sprintf(" reg=%d mod3=%v", p.reg(), p.regForm())
	}
	s.bugs[sig]++
	if _, ok := s.bugFirst[sig]; !ok {
		s.bugFirst[sig] = p.String() + " " + why
	}
}

// report logs the per-exception counts and fails on unexplained
// disagreements.
func (s *diffStats) report(t *testing.T) {
	t.Helper()
	t.Logf("%d inputs: %d agree (%d both invalid), %d explained, %d unexplained",
		s.total, s.agree, s.bothInvalid, sum(s.perException), sum(s.bugs))
	for _, e := range refExceptions {
		if n := s.perException[e.name]; n > 0 {
			t.Logf("  exception %-18s %8d  (%s)", e.name, n, e.reason)
		}
	}
	if len(s.bugs) == 0 {
		return
	}
	sigs := make([]string, 0, len(s.bugs))
	for k := range s.bugs {
		sigs = append(sigs, k)
	}
	sort.Strings(sigs)
	limit := 40
	if os.Getenv("BT86_DIFF_ALL") != "" {
		limit = len(sigs)
	}
	for i, sig := range sigs {
		if i == limit {
			t.Errorf("... and %d more signatures (BT86_DIFF_ALL=1 lists all)", len(sigs)-limit)
			break
		}
		t.Errorf("%s  x%d\n\te.g. %s", sig, s.bugs[sig], s.bugFirst[sig])
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// fillers follow the opcode and ModRM byte in the systematic enumeration:
// SIB bytes covering no-base, no-index, scaled and EBP/ESP-based forms,
// then displacement and immediate bytes with both signs.
var fillers = [][]byte{
	{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
	{0x25, 0x78, 0x56, 0x34, 0x12, 0xF0, 0xDE, 0xBC, 0x9A, 0x11, 0x22, 0x33}, // SIB no base no index, disp32
	{0x65, 0x81, 0x92, 0xA3, 0xB4, 0xC5, 0xD6, 0xE7, 0xF8, 0x09, 0x1A, 0x2B}, // SIB base EBP (disp32 when mod=0), no index but scale bits set
	{0xAC, 0x80, 0x7F, 0x01, 0x80, 0xFE, 0xFF, 0x7F, 0x80, 0x44, 0x55, 0x66}, // SIB [ESP+EBP*4]
	{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
}

// prefixSets are tried in front of every opcode.
var prefixSets = [][]byte{
	nil,
	{0x66},
	{0x67},
	{0x66, 0x67},
	{0xF0},
	{0xF3},
	{0xF2, 0x66},
	{0x26, 0x64},
	{0x36},
}

// enumerate calls f with every one-byte and 0F opcode, each ModRM value
// and filler, behind every prefix set, in both modes. Only the plain,
// 66, 67 and 66 67 sets get every filler; the others get two.
func enumerate(f func(b []byte, mode int)) {
	buf := make([]byte, 0, 32)
	for _, mode := range []int{16, 32} {
		for pi, ps := range prefixSets {
			fl := fillers
			if pi >= 4 {
				fl = fillers[1:3]
			}
			for two := 0; two < 2; two++ {
				for op := 0; op < 256; op++ {
					if two == 0 && (op == 0x0F || isPrefix(byte(op))) {
						continue // reached as a map or a prefix
					}
					for modrm := 0; modrm < 256; modrm++ {
						for _, fill := range fl {
							buf = append(buf[:0], ps...)
							if two == 1 {
								buf = append(buf, 0x0F)
							}
							buf = append(buf, byte(op), byte(modrm))
							buf = append(buf, fill...)
							f(buf, mode)
						}
					}
				}
			}
		}
	}
}

func TestX86asmEnumerate(t *testing.T) {
	if testing.Short() {
		t.Skip("systematic enumeration (several million inputs) skipped in -short mode")
	}
	d := New()
	s := newDiffStats()
	enumerate(func(b []byte, mode int) {
		s.add(newProbe(d, b, mode))
	})
	s.report(t)
}

// randomInsn returns MaxLen bytes biased towards interesting encodings:
// a few prefixes, often a 0F escape, then random bytes.
func randomInsn(r *rand.Rand, buf []byte) []byte {
	buf = buf[:0]
	for r.IntN(3) == 0 && len(buf) < 4 {
		buf = append(buf, []byte{0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67, 0xF0, 0xF2, 0xF3}[r.IntN(11)])
	}
	if r.IntN(3) == 0 {
		buf = append(buf, 0x0F)
	}
	for len(buf) < MaxLen {
		buf = append(buf, byte(r.Uint32()))
	}
	return buf
}

func TestX86asmRandom(t *testing.T) {
	n := 200_000
	if testing.Short() {
		n = 20_000
	}
	d := New()
	s := newDiffStats()
	r := rand.New(rand.NewPCG(0xB786, 0x1986))
	buf := make([]byte, 0, MaxLen)
	for i := 0; i < n; i++ {
		b := randomInsn(r, buf)
		for _, mode := range []int{16, 32} {
			s.add(newProbe(d, b, mode))
		}
	}
	s.report(t)
}

// TestX86asmPrefixRuns checks long prefix runs around the 15-byte limit
// against x86asm, which caps instructions at 15 bytes too.
func TestX86asmPrefixRuns(t *testing.T) {
	d := New()
	s := newDiffStats()
	for _, tail := range [][]byte{{0x90}, {0x05, 1, 2, 3, 4}, {0x0F, 0xB6, 0xC0}, {0x81, 0x84, 0x24, 1, 2, 3, 4, 5, 6, 7, 8}} {
		for n := 0; n <= 16; n++ {
			for _, pf := range []byte{0x66, 0x2E, 0xF3, 0x67} {
				b := make([]byte, 0, 32)
				for i := 0; i < n; i++ {
					b = append(b, pf)
				}
				b = append(b, tail...)
				for len(b) < MaxLen+1 {
					b = append(b, 0x90)
				}
				for _, mode := range []int{16, 32} {
					s.add(newProbe(d, b, mode))
				}
			}
		}
	}
	s.report(t)
}
