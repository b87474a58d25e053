package singlestep

import "fmt"

// Category is a known, explained way in which a 386-class CPU legitimately
// differs from the 286 captures. A failure that matches a category is
// still a failure; the report counts it under the category as well.
type Category struct {
	Name        string // short identifier, e.g. "lock-prefix"
	Title       string // one line for the report
	Explanation string // why a 386 differs, and how the predicate decides
	// Match decides from the test and the failure alone whether the
	// failure belongs to the category, and says why.
	Match func(c *Case) (detail string, ok bool)
}

// Case is what a Category's predicate sees: one failed test.
type Case struct {
	File      string
	Test      *Test
	Failure   *Failure
	FlagsMask uint16 // the mask FLAGS were compared under
	// First is the first interrupt the CPU under test took, nil when the
	// Target does not report it (see ExceptionReporter).
	First *FirstInterrupt
}

// FirstInterrupt is what an ExceptionReporter said of the last run.
type FirstInterrupt struct {
	Took   bool // an interrupt or exception was taken
	Vector uint8
}

// flagsOnly returns the FLAGS bits the failure differs in, and true when
// every mismatch is in FLAGS or in the FLAGS word an exception pushed (and
// the CPU did not report an error).
func (c *Case) flagsOnly() (uint16, bool) {
	if c.Failure.Err != nil || len(c.Failure.Mismatches) == 0 {
		return 0, false
	}
	var diff uint16
	for i := range c.Failure.Mismatches {
		d, ok := c.Failure.Mismatches[i].flagsDiff(c.Test.Exception)
		if !ok {
			return 0, false
		}
		diff |= d
	}
	return diff, true
}

// differsIn reports whether the failure has a mismatch in register r.
func (c *Case) differsIn(r Reg) bool {
	for _, m := range c.Failure.Mismatches {
		if !m.IsRAM && m.Reg == r {
			return true
		}
	}
	return false
}

// wentElsewhere reports whether the CPU ended at another CS:IP than the
// 286 (or did not halt): the signature of taking a different exception, or
// one where the 286 took none, or none where the 286 took one.
func (c *Case) wentElsewhere() bool {
	return c.Failure.Err != nil || c.differsIn(RegIP) || c.differsIn(RegCS)
}

// raisedInstead reports whether the CPU ended elsewhere with three more
// words on the stack than it started with (FLAGS, CS, IP pushed): an
// exception taken where the 286 completed the instruction.
func (c *Case) raisedInstead() bool {
	return c.wentElsewhere() && c.Failure.Got.SP == initialRegs(c.Test).SP-6
}

// tookLimitFault reports whether the CPU under test first took #SS or #GP,
// what a 386 raises for an operand straddling a segment limit (the 286
// raised interrupt 13, having already advanced some registers).
func (c *Case) tookLimitFault() bool {
	return c.First != nil && c.First.Took && (c.First.Vector == 12 || c.First.Vector == 13)
}

// took reports whether the CPU under test first took vector v; when the
// Target does not report it, the final state decides (raisedInstead).
func (c *Case) took(v int) bool {
	if c.First == nil {
		return c.raisedInstead()
	}
	return c.First.Took && int(c.First.Vector) == v
}

// Classify returns the first category whose predicate matches the case.
func Classify(cats []Category, c *Case) (Category, string, bool) {
	for _, cat := range cats {
		if detail, ok := cat.Match(c); ok {
			return cat, detail, true
		}
	}
	return Category{}, "", false
}

// KnownDifferences returns the known 286/386 difference categories in the
// order they are tried. Each predicate is decided statically from the
// test's bytes and initial registers (and, for the FLAGS categories, from
// which bits differed), so the classification never depends on what the
// CPU under test happened to do beyond its failure.
func KnownDifferences() []Category {
	return []Category{
		{
			Name:  "length-limit",
			Title: "instruction longer than 10 bytes",
			Explanation: "The 286 limits an instruction, prefixes included, to 10 bytes and raises " +
				"#GP (interrupt 13) beyond; a 386 accepts up to 15 bytes and executes it. " +
				"Matches when the decoded instruction is longer than 10 bytes, the 286 raised interrupt 13 " +
				"and the CPU under test ended at another CS:IP.",
			Match: func(c *Case) (string, bool) {
				in := decode(c.Test.Bytes)
				if !in.ok || in.length <= maxInsnLen286 || c.Test.Exception == nil || c.Test.Exception.Vector != 13 ||
					!c.wentElsewhere() {
					return "", false
				}
				return fmt.Sprintf("%d-byte instruction, #GP on the 286", in.length), true
			},
		},
		{
			Name:  "lock-prefix",
			Title: "LOCK on an instruction a 386 does not allow it on",
			Explanation: "The 286 ignores a LOCK prefix on any instruction; a 386 raises #UD " +
				"(interrupt 6) unless the instruction is ADD, ADC, AND, OR, SBB, SUB, XOR, XCHG, " +
				"INC, DEC, NOT or NEG with a memory destination. Matches when the bytes carry F0, " +
				"the instruction is not one of those forms, and the CPU under test took an " +
				"exception instead (it ended at another CS:IP with SP 6 below its initial value).",
			Match: func(c *Case) (string, bool) {
				in := decode(c.Test.Bytes)
				if !in.lock || in.lockable386() || !c.took(6) {
					return "", false
				}
				return "LOCK prefix, #UD on a 386", true
			},
		},
		{
			Name:  "segment-wrap",
			Title: "operand or fetch straddling offset 0xFFFF",
			Explanation: "A word (or wider) access at offset 0xFFFF, or an instruction running past " +
				"it: in real mode the 286 raises interrupt 13 whatever the segment (in these captures " +
				"it did so for all 1,144 such tests and never wrapped), a 386 raises #SS (interrupt 12) " +
				"for the stack segment and #GP (13) for the others; an emulator may also wrap. Matches when the " +
				"instruction's ModRM operand, moffs operand, stack pushes or pops, string accesses " +
				"or code bytes straddle 0xFFFF, computed from the initial registers, and the CPU " +
				"under test ended at another CS:IP (another vector, or no exception) or first took " +
				"#SS/#GP: the 286 faults late, with SP, SI, DI or CX already advanced, where a 386 " +
				"faults before changing anything, so the instruction can restart.",
			Match: func(c *Case) (string, bool) {
				if !c.wentElsewhere() && !c.tookLimitFault() {
					return "", false
				}
				return segmentWrap(c.Test)
			},
		},
		{
			Name:  "fpu-escape",
			Title: "x87 escape without a coprocessor",
			Explanation: "The capture machine had no 80287: an ESC opcode (D8-DF) only computes its " +
				"address (and may fault on it). A 386-class CPU with an x87 executes it, or raises " +
				"#NM (interrupt 7) when CR0.EM or TS is set. Matches any failing ESC instruction.",
			Match: func(c *Case) (string, bool) {
				in := decode(c.Test.Bytes)
				if !in.ok || in.twoByte || in.op < 0xD8 || in.op > 0xDF {
					return "", false
				}
				return fmt.Sprintf("ESC %02X", in.op), true
			},
		},
		{
			Name:  "fs-gs",
			Title: "segment registers 4 and 5 (FS, GS) exist on a 386",
			Explanation: "MOV Ew,Sreg and MOV Sreg,Ew (8C, 8E) with ModRM reg 4 or 5 raise #UD " +
				"(interrupt 6) on the 286, which has four segment registers; a 386 moves FS or GS. " +
				"Matches when the 286 raised interrupt 6 for such an encoding and the CPU under " +
				"test took no exception.",
			Match: func(c *Case) (string, bool) {
				in := decode(c.Test.Bytes)
				if in.twoByte || (in.op != 0x8C && in.op != 0x8E) || (in.reg != 4 && in.reg != 5) ||
					c.Test.Exception == nil || c.Test.Exception.Vector != 6 || c.First == nil || c.First.Took {
					return "", false
				}
				return fmt.Sprintf("MOV with Sreg %d", in.reg), true
			},
		},
		{
			Name:  "divide-error-flags",
			Title: "FLAGS pushed by a divide error",
			Explanation: "DIV, IDIV and AAM leave CF, PF, AF, ZF, SF and OF undefined (AAM: all but " +
				"SF, ZF, PF, which a divide error leaves undefined too). When the quotient " +
				"overflows or the divisor is zero, the 286's microcode has already changed them before it raises #DE, and " +
				"the FLAGS word it pushes shows that; a 386-class CPU pushes other values (bt86, " +
				"like later Intel CPUs, the FLAGS from before the instruction). Matches when both " +
				"took #DE (the CPU under test first) and every mismatch is in arithmetic flags of " +
				"the pushed FLAGS word.",
			Match: func(c *Case) (string, bool) {
				in := decode(c.Test.Bytes)
				isDiv := (in.op == 0xF6 || in.op == 0xF7) && in.reg >= 6
				if in.twoByte || !(isDiv || in.op == 0xD4) ||
					c.Test.Exception == nil || c.Test.Exception.Vector != 0 || c.First == nil ||
					!c.First.Took || c.First.Vector != 0 {
					return "", false
				}
				diff, ok := c.flagsOnly()
				if !ok || diff&^(flagsArith|flagsHigh) != 0 {
					return "", false
				}
				return "pushed FLAGS differ in " + flagNames(diff), true
			},
		},
		{
			Name:  "idiv-overflow",
			Title: "IDIV quotient overflow the 286 misses",
			Explanation: "When a signed quotient does not fit the destination, IDIV must raise #DE. " +
				"The 286's microcode misses some of these overflows and stores a truncated " +
				"quotient and remainder; a 386 raises #DE for all of them. Matches when the true " +
				"quotient, computed from the initial registers and memory, is out of range, the 286 " +
				"completed the instruction, and the CPU under test first took #DE.",
			Match: func(c *Case) (string, bool) {
				in := decode(c.Test.Bytes)
				if in.twoByte || (in.op != 0xF6 && in.op != 0xF7) || in.reg != 7 || c.Test.Exception != nil ||
					c.First == nil || !c.First.Took || c.First.Vector != 0 {
					return "", false
				}
				q, ok := idivQuotient(c.Test, &in)
				if !ok {
					return "", false
				}
				lim := int64(128)
				if in.op == 0xF7 {
					lim = 32768
				}
				if q >= -lim && q < lim {
					return "", false
				}
				return fmt.Sprintf("true quotient %d", q), true
			},
		},
		{
			Name:  "flags-12-15",
			Title: "FLAGS bits 12-15 (IOPL, NT) in real mode",
			Explanation: "A real-mode 286 holds FLAGS bits 12-15 at zero whatever POPF or IRET " +
				"loads; a 386 loads IOPL and NT. Matches when every mismatch is in FLAGS (or in the " +
				"FLAGS word an exception pushed) and only bits 12-15 differ.",
			Match: func(c *Case) (string, bool) {
				diff, ok := c.flagsOnly()
				if !ok || diff == 0 || diff&^flagsHigh != 0 {
					return "", false
				}
				return "differs in " + flagNames(diff), true
			},
		},
		{
			Name:  "undefined-flags",
			Title: "flags Intel documents as undefined",
			Explanation: "metadata.json masks the flags the 286 leaves undefined, but Intel's 386 " +
				"documentation leaves more undefined (e.g. OF after a multi-bit shift or rotate, CF " +
				"after SHL/SHR by the operand size or more) and a 386 computes them differently. " +
				"Matches when every mismatch is in FLAGS (or the pushed FLAGS word) and the " +
				"differing bits, bits 12-15 aside, are all undefined for the instruction per the 386 manuals.",
			Match: func(c *Case) (string, bool) {
				diff, ok := c.flagsOnly()
				if !ok {
					return "", false
				}
				undef := undefinedFlags386(c.Test)
				d := diff &^ flagsHigh
				if d == 0 || d&^undef != 0 {
					return "", false
				}
				return "differs in " + flagNames(d), true
			},
		},
	}
}

// idivQuotient computes the true quotient of the IDIV in t from its initial
// registers and memory.
func idivQuotient(t *Test, in *insn) (int64, bool) {
	r := initialRegs(t)
	word := in.op == 0xF7
	var divisor int64
	if in.mod == 3 {
		v := r.Get(regOf(in.rm, word))
		if !word && in.rm >= 4 {
			v >>= 8
		}
		if word {
			divisor = int64(int16(v))
		} else {
			divisor = int64(int8(v))
		}
	} else {
		seg, off := in.ea(t.Bytes, &r)
		base := uint32(r.Get(seg)) << 4
		lo, ok1 := initByte(t, base+uint32(off))
		hi, ok2 := initByte(t, base+uint32(off+1))
		if !ok1 || (word && !ok2) {
			return 0, false
		}
		if word {
			divisor = int64(int16(uint16(lo) | uint16(hi)<<8))
		} else {
			divisor = int64(int8(lo))
		}
	}
	if divisor == 0 {
		return 0, false
	}
	if word {
		return int64(int32(uint32(r.DX)<<16|uint32(r.AX))) / divisor, true
	}
	return int64(int16(r.AX)) / divisor, true
}

// regOf maps a ModRM register number to the register holding it (for
// byte registers 4-7, the word register whose high byte it is).
func regOf(n byte, word bool) Reg {
	regs := [8]Reg{RegAX, RegCX, RegDX, RegBX, RegSP, RegBP, RegSI, RegDI}
	if !word && n >= 4 {
		return regs[n-4]
	}
	return regs[n]
}

func initByte(t *Test, addr uint32) (byte, bool) {
	for _, b := range t.Init.RAM {
		if b.Addr == addr {
			return b.Value, true
		}
	}
	return 0, false
}
