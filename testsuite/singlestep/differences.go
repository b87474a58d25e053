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
				if !in.lock || in.lockable386() || !c.raisedInstead() {
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
				"under test ended at another CS:IP (another vector, or no exception).",
			Match: func(c *Case) (string, bool) {
				if !c.wentElsewhere() {
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
