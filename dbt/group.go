package dbt

import "bt86/decoder"

// Base-register groups.
//
// Code compiled for i386 addresses most of its data through a frame or
// structure pointer: [ebp-0x10], [ebp-0x28], [eax+0x8], [eax+0x14]. A
// group is a run of a block's ModRM memory instructions addressed
// [base+disp] with one base register that nothing in the run changes.
// Where the group starts, one shadow-TLB probe covers the span of all
// its displacements (it must lie in one page) and leaves in r14 the
// host address of guest linear 0, biased by the base register. Each
// member then costs one LEA, lea r9, [r14+base+disp], instead of a
// probe of its own, and does not clobber the host flags.
//
// When the span's probe misses (TLB miss, page boundary, MMIO, a write
// to a page without write access), the code jumps to a slow copy of the
// run, translated as if there were no group (a probe per access), which
// rejoins the straight-line code after the run. Resuming translated
// code inside a run after a step (whose r14 is lost in the exit) also
// goes to the slow copy.

// maxGroupSpan bounds the bytes one group's probe covers (a wide span
// would straddle pages often).
const maxGroupSpan = 1024

// group is one base-register group of the block being translated.
type group struct {
	first, last int // item indices of its first and last member
	base        int // host register of the base
	lo, end     int32
	members     int
	write       bool // a member writes: the probe uses the write TLB
	slow        int  // label of the slow copy
	pending     *plan
	regen       []plan // flags to recompute on entering the slow copy
}

// groupCandidate returns the host base register of a ModRM memory
// instruction addressed [base+disp] through a segment with base 0, or -1.
func (t *translator) groupCandidate(it *item) int {
	p, in := &it.p, &it.in
	if !p.memGeneric() || in.Base == decoder.RegNone || in.Index != decoder.RegNone || !t.zeroBase[in.Seg] {
		return -1
	}
	return hostReg(int(in.Base))
}

// inRegion reports whether p may come between members of a group: it
// does not end the block and does not use r14 (string instructions).
func inRegion(p *plan) bool {
	switch p.kind {
	case kGeneric, kVerbatim, kMovImm, kBswap, kPush, kPushImm, kPop, kPushEv, kBt, kDiv:
		return !p.ends
	}
	return false
}

// writesReg reports whether p may change host register r
// (conservatively).
func writesReg(p *plan, r int) bool {
	switch p.kind {
	case kMovImm, kBswap:
		return p.rm == r
	case kPush, kPushImm, kPushEv:
		return r == r12
	case kPop:
		return r == r12 || p.dst == r
	case kDiv:
		return r == rAX || r == rDX
	case kVerbatim:
		switch op := p.opc[0]; {
		case op == 0x90 || op == 0xA8 || op == 0xA9:
			return false
		case op < 0x40 || op == 0x98:
			return r == rAX
		case op == 0x99:
			return r == rDX
		case op >= 0xB0 && op <= 0xB7:
			return r == int(op&3)
		}
		return true
	case kGeneric, kBt:
		if implicitRegs(p) && r <= rBX {
			return true // MUL, IMUL, CMPXCHG, CMPXCHG8B: implicit registers
		}
		regs := [...]int{p.rm, p.resReg, p.reg}
		n := len(regs)
		if regIsDigit(p) {
			n-- // the ModRM reg field is part of the opcode
		}
		for _, x := range regs[:n] {
			if x == r || (p.size == 1 && x >= 4 && x < 8 && x-4 == r) {
				return true
			}
		}
		return false
	}
	return true
}

// regIsDigit reports whether p's ModRM reg field is an opcode extension
// (/digit) rather than a register.
func regIsDigit(p *plan) bool {
	switch op := p.opc[0]; op {
	case 0x80, 0x81, 0x83, 0x8F, 0xC0, 0xC1, 0xC6, 0xC7, 0xD0, 0xD1, 0xD2, 0xD3, 0xF6, 0xF7, 0xFE, 0xFF:
		return true
	case 0x0F:
		return len(p.opc) > 1 && (p.opc[1]&0xF0 == 0x90 || p.opc[1] == 0xBA || p.opc[1] == 0xC7)
	}
	return false
}

// planGroups finds the base-register groups of items. Only one group is
// open at a time (r14 holds one base).
func (t *translator) planGroups(items []item) {
	t.groups = t.groups[:0]
	t.memberOf = resetInts(t.memberOf, len(items))
	t.regionOf = resetInts(t.regionOf, len(items)+1)
	cur := group{first: -1}
	closeGroup := func() {
		if cur.first >= 0 && cur.members >= 2 {
			g := len(t.groups)
			for k := cur.first; k <= cur.last; k++ {
				t.regionOf[k] = g
			}
			t.groups = append(t.groups, cur)
		} else if cur.first >= 0 {
			t.memberOf[cur.first] = -1
		}
		cur = group{first: -1}
	}
	for i := range items {
		it := &items[i]
		p := &it.p
		if cur.first >= 0 && !inRegion(p) {
			closeGroup()
		}
		if b := t.groupCandidate(it); b >= 0 {
			d := int32(it.in.Disp)
			lo, end := d, d+int32(p.size)
			if cur.first >= 0 && cur.base == b {
				lo, end = min(lo, cur.lo), max(end, cur.end)
			}
			switch {
			case cur.first < 0:
				cur = group{first: i, last: i, base: b, lo: lo, end: end, members: 1, write: p.mem != memR}
				t.memberOf[i] = len(t.groups)
			case cur.base == b && end-lo <= maxGroupSpan:
				cur.last, cur.lo, cur.end = i, lo, end
				cur.members++
				cur.write = cur.write || p.mem != memR
				t.memberOf[i] = len(t.groups)
			}
			// Otherwise (another base, or too wide): an ordinary probe.
		}
		if cur.first >= 0 && writesReg(p, cur.base) {
			closeGroup()
		}
	}
	closeGroup()
}

// resetInts returns s resized to n and filled with -1.
func resetInts(s []int, n int) []int {
	if cap(s) < n {
		s = make([]int, n)
	}
	s = s[:n]
	for i := range s {
		s[i] = -1
	}
	return s
}

// groupProbe starts group g at its first member: one probe for the
// span, r14 = host address of the span's start - start offset - base.
// A miss goes to the slow copy.
func (t *translator) groupProbe(g int) {
	a := &t.a
	gr := &t.groups[g]
	t.spillForProbe()
	gr.pending, gr.regen = t.pending, t.stubRegen()
	gr.slow = a.newLabel()
	a.leaEA32(r8, gr.base, -1, 0, uint32(gr.lo))
	t.probeHost(int(gr.end-gr.lo), gr.write, gr.slow)
	// r14 = Host + r8 - lo - base: r8 is base+lo modulo 2^32, so a
	// member's r14+base+disp is right even where base+disp wraps.
	a.b(0x4F, 0x8D, 0xB4, 0x01) // lea r14, [r9+r8-lo]
	a.u32(uint32(-gr.lo))
	a.rex(true, gr.base, 0, r14, false)
	a.b(0x29, 0xC0|byte(gr.base&7)<<3|byte(r14&7)) // sub r14, base
}

// groupAddr is lea r9, [r14+base+disp]: a member's host address.
func (t *translator) groupAddr(in *decoder.Inst) {
	a := &t.a
	base := hostReg(int(in.Base))
	a.rex(true, r9, base, r14, false)
	a.b(0x8D, 0x84|byte(r9&7)<<3, byte(base&7)<<3|byte(r14&7))
	a.u32(in.Disp)
}

// slowCopies emits the slow copy of every group: its items translated
// with a probe per access, then back to the code after the group with
// the flags where that code expects them.
func (t *translator) slowCopies() {
	a := &t.a
	t.slow = true
	for g := range t.groups {
		gr := &t.groups[g]
		a.bind(gr.slow)
		if gr.regen != nil {
			t.emitRegen(gr.regen)
			a.saveFlags(offHF)
		}
		t.fl, t.pending, t.regen, t.regenRegs = flMem, gr.pending, nil, nil
		for k := gr.first; k <= gr.last; k++ {
			l := a.newLabel()
			a.bind(l)
			t.altStart[k], t.altFl[k] = l, t.fl
			if t.crosses && k == t.n-1 {
				t.crossCheck(k)
			}
			t.beforeItem(&t.items[k].p)
			fl := t.fl
			t.emit(k, &t.items[k])
			t.afterItem(k, fl)
		}
		// The code after the run expects the flags as its flag state
		// says; flRegen there takes them in any form (its registers
		// are the same on both copies).
		switch want := t.flAt[gr.last+1]; {
		case want == flRegen:
		case want == flMem:
			t.spill()
		case t.fl == flMem:
			a.loadFlags(offHF)
		case t.fl == flRegen || want == flClean:
			t.spill()
		}
		a.jmp32(t.starts[gr.last+1])
	}
	t.slow = false
	t.regen, t.regenRegs = nil, nil
}

// resumeAt returns the label and flag state where translated code
// resumes at item r: inside a group's run (after its probe), in the
// slow copy, whose code does not need r14.
func (t *translator) resumeAt(r int) (label, fl int) {
	if r < t.n {
		if g := t.regionOf[r]; g >= 0 && r > t.groups[g].first {
			return t.altStart[r], t.altFl[r]
		}
	}
	return t.starts[r], t.flAt[r]
}
