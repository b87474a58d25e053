package cpu

// Far JMP, CALL and RET in protected mode (SDM JMP, CALL and RET
// pseudo-code): to code segments, through call gates (with the change to
// an inner privilege level and the parameter copy), to task gates and
// TSS descriptors (task switches), and returns to outer privilege levels.

// checkGateTarget checks the code segment a call gate names for a JMP
// (jmp true: its DPL must equal CPL unless conforming) or a CALL (its DPL
// may be below CPL).
func (c *CPU) checkGateTarget(sel uint16, jmp bool) (desc, uint32) {
	if sel&0xFFFC == 0 {
		c.fault(excGP, 0)
	}
	d, addr := c.fetchDesc(sel, excGP)
	if !d.code() {
		c.fault(excGP, sel)
	}
	switch {
	case d.conforming() || !jmp:
		if d.dpl() > c.CPL {
			c.fault(excGP, sel)
		}
	case d.dpl() != c.CPL:
		c.fault(excGP, sel)
	}
	if !d.present() {
		c.fault(excNP, sel)
	}
	return d, addr
}

// checkGateDesc applies the checks common to call gates, task gates and
// TSS descriptors named by a far JMP or CALL.
func (c *CPU) checkGateDesc(sel uint16, d desc) {
	if d.dpl() < c.CPL || d.dpl() < int(sel&3) {
		c.fault(excGP, sel)
	}
	if !d.present() {
		c.fault(excNP, sel)
	}
}

// taskGateTarget checks the TSS a task gate names.
func (c *CPU) taskGateTarget(g desc) (uint16, desc, uint32) {
	tsel := g.gateSel()
	d, addr := c.fetchGDT(tsel, excGP)
	if !d.tssAvail() {
		c.fault(excGP, tsel)
	}
	if !d.present() {
		c.fault(excNP, tsel)
	}
	return tsel, d, addr
}

func (c *CPU) farJumpPM(sel uint16, off uint32, op32 bool) {
	if sel&0xFFFC == 0 {
		c.fault(excGP, 0)
	}
	d, addr := c.fetchDesc(sel, excGP)
	if !d.system() {
		c.checkCodeTarget(sel, d)
		if off > d.limit() {
			c.fault(excGP, 0)
		}
		c.loadCS(sel, d, addr, c.CPL)
		c.next = off
		return
	}
	switch d.typ() {
	case sysCallGate16, sysCallGate32:
		c.checkGateDesc(sel, d)
		td, taddr := c.checkGateTarget(d.gateSel(), true)
		off = d.gateOff()
		if !d.gate32() {
			off &= 0xFFFF
		}
		if off > td.limit() {
			c.fault(excGP, 0)
		}
		c.loadCS(d.gateSel(), td, taddr, c.CPL)
		c.next = off
	case sysTaskGate:
		c.checkGateDesc(sel, d)
		tsel, td, taddr := c.taskGateTarget(d)
		c.taskSwitch(tsel, td, taddr, taskJmp, c.next, 0, false)
	case sysTSS16, sysTSS32:
		c.checkGateDesc(sel, d)
		c.taskSwitch(sel, d, addr, taskJmp, c.next, 0, false)
	default:
		c.fault(excGP, sel)
	}
}

func (c *CPU) farCallPM(sel uint16, off uint32, op32 bool) {
	if sel&0xFFFC == 0 {
		c.fault(excGP, 0)
	}
	d, addr := c.fetchDesc(sel, excGP)
	if !d.system() {
		c.checkCodeTarget(sel, d)
		f := frame{wide: op32}
		f.add(uint32(c.Seg[CS].Sel), c.next)
		if off > d.limit() {
			c.fault(excGP, 0)
		}
		sp := c.pushFrame(&c.Seg[SS], c.Regs[ESP], &f, c.priv, 0)
		c.setStackPointer(sp)
		c.loadCS(sel, d, addr, c.CPL)
		c.next = off
		return
	}
	switch d.typ() {
	case sysCallGate16, sysCallGate32:
		c.checkGateDesc(sel, d)
		c.callGate(d)
	case sysTaskGate:
		c.checkGateDesc(sel, d)
		tsel, td, taddr := c.taskGateTarget(d)
		c.taskSwitch(tsel, td, taddr, taskCall, c.next, 0, false)
	case sysTSS16, sysTSS32:
		c.checkGateDesc(sel, d)
		c.taskSwitch(sel, d, addr, taskCall, c.next, 0, false)
	default:
		c.fault(excGP, sel)
	}
}

// callGate is a far CALL through call gate g (already checked).
func (c *CPU) callGate(g desc) {
	tsel := g.gateSel()
	td, taddr := c.checkGateTarget(tsel, false)
	off := g.gateOff()
	size := uint32(2)
	if g.gate32() {
		size = 4
	} else {
		off &= 0xFFFF
	}
	f := frame{wide: g.gate32()}
	if td.conforming() || td.dpl() == c.CPL {
		f.add(uint32(c.Seg[CS].Sel), c.next)
		if off > td.limit() {
			c.fault(excGP, 0)
		}
		sp := c.pushFrame(&c.Seg[SS], c.Regs[ESP], &f, c.priv, 0)
		c.setStackPointer(sp)
		c.loadCS(tsel, td, taddr, c.CPL)
		c.next = off
		return
	}
	// More privilege: new stack from the TSS, copy the parameters.
	cpl := td.dpl()
	ssSel, esp := c.tssStack(cpl)
	sd, saddr := c.innerStack(ssSel, cpl)
	f.add(uint32(c.Seg[SS].Sel), c.Regs[ESP])
	for i := g.gateCount() - 1; i >= 0; i-- {
		f.add(c.stackRead(uint32(i)*size, g.gate32()))
	}
	f.add(uint32(c.Seg[CS].Sel), c.next)
	if off > td.limit() {
		c.fault(excGP, 0)
	}
	ss := sd.segment(ssSel)
	sp := c.pushFrame(&ss, esp, &f, privOf(cpl), c.errSel(ssSel))
	c.touch(taddr, td)
	c.touch(saddr, sd)
	c.Seg[SS] = ss
	c.setStackPointer(sp)
	c.segUpdated(SS)
	c.loadCS(tsel, td, taddr, cpl)
	c.next = off
}

// retFarPM is RETF (and RETF n: extra bytes released) in protected mode.
func (c *CPU) retFarPM(op32 bool, extra uint32) {
	size := uint32(2)
	if op32 {
		size = 4
	}
	eip := c.stackRead(0, op32)
	sel := uint16(c.stackRead(size, op32))
	d, addr := c.checkReturnCS(sel)
	rpl := int(sel & 3)
	if rpl == c.CPL {
		if eip > d.limit() {
			c.fault(excGP, 0)
		}
		c.loadCS(sel, d, addr, rpl)
		c.setSP(c.sp() + 2*size + extra)
		c.next = eip
		return
	}
	esp := c.stackRead(2*size+extra, op32)
	ssSel := uint16(c.stackRead(3*size+extra, op32))
	sd, saddr := c.checkReturnSS(ssSel, rpl)
	if eip > d.limit() {
		c.fault(excGP, 0)
	}
	c.touch(addr, d)
	c.touch(saddr, sd)
	c.loadCS(sel, d, addr, rpl)
	c.Seg[SS] = sd.segment(ssSel)
	c.segUpdated(SS)
	c.setStackPointer(esp + extra)
	c.nullOuterSegs()
	c.next = eip
}
