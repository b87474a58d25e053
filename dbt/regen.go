package dbt

// Flags recomputed instead of spilled.
//
// A shadow-TLB probe clobbers the host flags, so the guest's are spilled
// to ctx.hf (pushfq; pop) before it, for its miss stub to exit with
// exact state. Often nothing reads those flags: an instruction sets them
// all again a little later (and cmp, jcc). When the last flag producer
// is a register-only ALU instruction whose operands stay in their host
// registers until that writer, the flags can instead be computed again
// where they are needed, off the hot path: in the probe's miss stub.
// OR, AND, CMP and TEST are re-executed (idempotent on their result);
// XOR and NEG twice (the first undoes them); ADD and SUB after their
// inverse; INC and DEC, which keep CF, after their inverse and after
// CF is taken from ctx.hf (where it was when they ran). Each gives the
// flags of the original instruction, bit for bit, because the host
// instruction is the same.
//
// The translation state for that is flRegen with t.regen the sequence:
// the host RFLAGS are scratch and ctx.hf is stale. spill materializes
// the flags (regen, then save) wherever anything else needs them, and
// beforeItem does so before an instruction that would write the flags
// partly or change a register the sequence reads; so a wrong lookahead
// (deferSpill) costs time, never exactness.

// regenOf returns the host instructions that recompute the flags of p
// from its registers after it ran, or nil when p is not such an
// instruction. cfSaved says ctx.hf held the guest CF when p ran (INC
// and DEC keep it).
func regenOf(p *plan, cfSaved bool) []plan {
	if (p.kind != kGeneric && p.kind != kVerbatim) || p.mem != memNone || p.fix != fixNone || p.lock || len(p.opc) != 1 {
		return nil
	}
	op := p.opc[0]
	if p.kind == kGeneric && (op == 0xFE || op == 0xFF) && p.reg <= 1 { // INC, DEC
		if !cfSaved {
			return nil
		}
		q := *p
		q.reg ^= 1
		return []plan{{kind: kRegenCF}, q, *p} // CF as ctx.hf has it
	}
	if !p.writesAll() {
		return nil
	}
	with := func(opc byte, digit int) plan {
		q := *p
		q.opc = []byte{opc}
		if digit >= 0 {
			q.reg = digit
		}
		return q
	}
	if p.kind == kVerbatim { // ALU AL/eAX, imm; TEST AL/eAX, imm
		switch op {
		case 0x0C, 0x0D, 0x24, 0x25, 0x3C, 0x3D, 0xA8, 0xA9: // OR, AND, CMP, TEST
			return []plan{*p}
		case 0x34, 0x35: // XOR
			return []plan{*p, *p}
		case 0x04, 0x05: // ADD: SUB first
			return []plan{with(op+0x28, -1), *p}
		case 0x2C, 0x2D: // SUB: ADD first
			return []plan{with(op-0x28, -1), *p}
		}
		return nil
	}
	same := p.reg == p.rm
	switch {
	case op < 0x40 && op&7 < 4: // ALU E,G / G,E
		switch op >> 3 {
		case 1, 4, 7: // OR, AND, CMP
			return []plan{*p}
		case 6: // XOR (xor r, r left 0: once is enough)
			if same {
				return []plan{*p}
			}
			return []plan{*p, *p}
		case 0: // ADD (add r, r doubled r: no inverse)
			if same {
				return nil
			}
			return []plan{with(op+0x28, -1), *p}
		case 5: // SUB (sub r, r left 0)
			if same {
				return []plan{*p}
			}
			return []plan{with(op-0x28, -1), *p}
		}
	case op == 0x84 || op == 0x85: // TEST E,G
		return []plan{*p}
	case op == 0x80 || op == 0x81 || op == 0x83: // ALU E, imm
		switch p.reg {
		case 1, 4, 7:
			return []plan{*p}
		case 6:
			return []plan{*p, *p}
		case 0:
			return []plan{with(op, 5), *p}
		case 5:
			return []plan{with(op, 0), *p}
		}
	case op == 0xF6 || op == 0xF7:
		switch p.reg {
		case 0: // TEST E, imm
			return []plan{*p}
		case 3: // NEG
			return []plan{*p, *p}
		}
	}
	return nil
}

// regenRegs returns the host registers a sequence of regenOf(p) reads.
func regenRegs(p *plan) []int {
	if p.kind == kVerbatim {
		return []int{rAX}
	}
	regs := []int{p.rm}
	if !regIsDigit(p) {
		regs = append(regs, p.reg)
	}
	if p.size == 1 {
		for _, r := range regs {
			if r >= 4 && r < 8 {
				regs = append(regs, r-4) // AH..BH
			}
		}
	}
	return regs
}

// keepsRegen reports whether q may run while the flags wait to be
// recomputed: it reads no flag, writes none (unless it writes them all,
// after its probe), leaves the block only through a probe, and leaves
// the registers in regs alone.
func keepsRegen(q *plan, regs []int) bool {
	switch {
	case q.writesAll():
		return true // its probe, if any, comes before it writes
	case q.passive() || (q.memGeneric() && !q.fw && !q.fr):
		for _, r := range regs {
			if writesReg(q, r) {
				return false
			}
		}
		return true
	}
	return false
}

// deferSpill reports whether the flags of items[i] (regenOf not nil)
// should wait in flRegen: a probe comes before an instruction that sets
// all flags again, and nothing on the way would force them out.
func deferSpill(items []item, i int) bool {
	regs := regenRegs(&items[i].p)
	probe := false
	for j := i + 1; j < len(items); j++ {
		q := &items[j].p
		if !keepsRegen(q, regs) {
			return false
		}
		if q.memGeneric() {
			probe = true
		}
		if q.writesAll() {
			return probe
		}
	}
	return false
}

// emitRegen emits seq, which recomputes the guest flags in the host
// RFLAGS (and leaves the registers as they were).
func (t *translator) emitRegen(seq []plan) {
	for k := range seq {
		if seq[k].kind == kRegenCF {
			t.a.ctxOp(false, []byte{0x0F, 0xBA}, 4, offHF) // bt dword [hf], 0
			t.a.b(0)
			continue
		}
		if seq[k].kind == kVerbatim {
			if seq[k].p66 {
				t.a.b(0x66)
			}
			t.a.b(seq[k].opc...)
			t.a.b(seq[k].imm...)
			continue
		}
		t.emitGeneric(&seq[k], false)
	}
}

// spillForProbe is spill before a shadow-TLB probe: flags that can be
// recomputed are left in flRegen for the probe's miss stub.
func (t *translator) spillForProbe() {
	if t.regen != nil && (t.fl == flDirty || t.fl == flRegen) {
		t.fl = flRegen
		return
	}
	t.spill()
}

// stubRegen returns what a step stub created now must recompute.
func (t *translator) stubRegen() []plan {
	if t.fl == flRegen {
		return t.regen
	}
	return nil
}

// beforeItem materializes flags waiting in flRegen before an item that
// does not keep them.
func (t *translator) beforeItem(p *plan) {
	if t.regen != nil && !keepsRegen(p, t.regenRegs) {
		t.spill()
		t.regen, t.regenRegs = nil, nil
	}
}

// afterItem updates the deferred flag work after item i was emitted;
// flBefore is the flag state before it.
func (t *translator) afterItem(i, flBefore int) {
	p := &t.items[i].p
	if p.writesAll() {
		if t.pending != p {
			t.pending = nil
		}
		t.regen, t.regenRegs = nil, nil
	}
	if !p.fw || t.fl != flDirty || t.regen != nil {
		return
	}
	cfSaved := flBefore == flMem || flBefore == flClean
	if seq := regenOf(p, cfSaved); seq != nil && deferSpill(t.items, i) {
		t.regen, t.regenRegs = seq, regenRegs(p)
	}
}
