package cpu

// Protected-mode interrupt delivery (SDM vol. 3 §6.12, INT n/INTO/INT3
// pseudo-code) and IRET (SDM IRET pseudo-code). Far JMP/CALL/RET live in
// gates.go, task switches in task.go, virtual-8086 mode in v86.go.

// pmState is per-CPU protected-mode scratch (not architectural state).
type pmState struct {
	// ext is the EXT bit (1) of the error codes of faults raised while an
	// external event or an exception is being delivered, 0 otherwise.
	ext uint32
}

// tssStack returns the inner-ring stack SS:ESP for privilege cpl from the
// current TSS (16- or 32-bit), raising #TS(TR) beyond the TSS limit.
func (c *CPU) tssStack(cpl int) (uint16, uint32) {
	if c.TR.Attr&8 != 0 { // 32-bit TSS
		off := uint32(cpl)*8 + 4
		if off+7 > c.TR.Limit {
			c.fault(excTS, c.TR.Sel)
		}
		return c.sysRead16(c.TR.Base + off + 4), c.sysRead32(c.TR.Base + off)
	}
	off := uint32(cpl)*4 + 2
	if off+3 > c.TR.Limit {
		c.fault(excTS, c.TR.Sel)
	}
	return c.sysRead16(c.TR.Base + off + 2), uint32(c.sysRead16(c.TR.Base + off))
}

// innerStack checks the stack segment selector taken from the TSS for a
// change to inner privilege level cpl (#TS and #SS as the SDM says).
func (c *CPU) innerStack(sel uint16, cpl int) (desc, uint32) {
	if sel&0xFFFC == 0 {
		c.raise(excTS, c.pm.ext, true)
	}
	addr, ok := c.descAddr(sel)
	if !ok || int(sel&3) != cpl {
		c.fault(excTS, sel)
	}
	d := c.readDescAt(addr)
	if d.dpl() != cpl || !d.writable() {
		c.fault(excTS, sel)
	}
	if !d.present() {
		c.fault(excSS, sel)
	}
	return d, addr
}

// interruptPM delivers vector vec through the IDT. kind says what raised
// it (exception, INT n, external); code is pushed when hasCode.
func (c *CPU) interruptPM(vec uint8, kind int, code uint32, hasCode bool) {
	saved := c.pm.ext
	defer func() { c.pm.ext = saved }()
	c.pm.ext = 0
	if kind != intSoftware {
		c.pm.ext = 1
	}
	ret := c.EIP
	if kind == intSoftware || kind == intICEBP {
		ret = c.next
	}
	idtCode := uint32(vec)*8 + 2 + c.pm.ext
	if uint32(vec)*8+7 > uint32(c.IDTR.Limit) {
		c.raise(excGP, idtCode, true)
	}
	g := c.readDescAt(c.IDTR.Base + uint32(vec)*8)
	if !g.system() {
		c.raise(excGP, idtCode, true)
	}
	switch g.typ() {
	case sysTaskGate, sysIntGate16, sysTrapGate16, sysIntGate32, sysTrapGate32:
	default:
		c.raise(excGP, idtCode, true)
	}
	if kind == intSoftware && g.dpl() < c.CPL {
		c.raise(excGP, idtCode, true)
	}
	if !g.present() {
		c.raise(excNP, idtCode, true)
	}
	if g.typ() == sysTaskGate {
		tsel := g.gateSel()
		d, addr := c.fetchGDT(tsel, excGP)
		if !d.tssAvail() {
			c.fault(excGP, tsel)
		}
		if !d.present() {
			c.fault(excNP, tsel)
		}
		c.taskSwitch(tsel, d, addr, taskInt, ret, code, hasCode)
		return
	}

	sel := g.gateSel()
	off := g.gateOff()
	if !g.gate32() {
		off &= 0xFFFF
	}
	if sel&0xFFFC == 0 {
		c.fault(excGP, 0)
	}
	d, addr := c.fetchDesc(sel, excGP)
	if !d.code() || d.dpl() > c.CPL {
		c.fault(excGP, sel)
	}
	if !d.present() {
		c.fault(excNP, sel)
	}
	v86 := c.v86()
	flags := c.EFlags()
	f := frame{wide: g.gate32()}
	clear := FlagTF | FlagNT | FlagRF | FlagVM
	if g.typ()&1 == 0 { // interrupt gate
		clear |= FlagIF
	}
	if !d.conforming() && d.dpl() < c.CPL {
		// Inner privilege: switch to the stack of the TSS.
		cpl := d.dpl()
		if v86 && cpl != 0 {
			c.fault(excGP, sel)
		}
		ssSel, esp := c.tssStack(cpl)
		sd, saddr := c.innerStack(ssSel, cpl)
		if v86 {
			f.add(uint32(c.Seg[GS].Sel), uint32(c.Seg[FS].Sel), uint32(c.Seg[DS].Sel), uint32(c.Seg[ES].Sel))
		}
		f.add(uint32(c.Seg[SS].Sel), c.Regs[ESP], flags, uint32(c.Seg[CS].Sel), ret)
		if hasCode {
			f.add(code)
		}
		if off > d.limit() {
			c.fault(excGP, 0)
		}
		ss := sd.segment(ssSel)
		sp := c.pushFrame(&ss, esp, &f, privOf(cpl), c.errSel(ssSel))
		c.touch(saddr, sd)
		c.touch(addr, d)
		// Commit.
		c.Flags &^= clear
		if v86 {
			for _, s := range [...]int{ES, DS, FS, GS} {
				c.Seg[s] = Segment{}
				c.segUpdated(s)
			}
		}
		c.Seg[SS] = ss
		c.setStackPointer(sp)
		c.segUpdated(SS)
		c.loadCS(sel, d, addr, cpl)
	} else {
		if v86 {
			c.fault(excGP, sel)
		}
		f.add(flags, uint32(c.Seg[CS].Sel), ret)
		if hasCode {
			f.add(code)
		}
		if off > d.limit() {
			c.fault(excGP, 0)
		}
		sp := c.pushFrame(&c.Seg[SS], c.Regs[ESP], &f, c.priv, c.pm.ext)
		c.touch(addr, d)
		c.setStackPointer(sp)
		c.Flags &^= clear
		c.loadCS(sel, d, addr, c.CPL)
	}
	c.EIP = off
	c.next = off
	c.events |= evEndTrace
}

// iretPM is IRET in protected (and virtual-8086) mode.
func (c *CPU) iretPM(op32 bool) {
	switch {
	case c.v86():
		c.iretV86(op32)
	case c.Flags&FlagNT != 0:
		c.iretTask()
	default:
		c.iretProt(op32)
	}
	c.NMIBlocked = false
	c.events |= evEndTrace
}

// stackRead reads the item at byte offset off above SS:SP without popping.
func (c *CPU) stackRead(off uint32, op32 bool) uint32 {
	a := (c.Regs[ESP] + off) & c.spMask
	if op32 {
		return c.read32(SS, a)
	}
	return uint32(c.read16(SS, a))
}

// iretTask returns from a nested task through the back link of the TSS.
func (c *CPU) iretTask() {
	link := c.sysRead16(c.TR.Base)
	d, addr := c.fetchGDT(link, excTS)
	if !d.tssBusyDesc() {
		c.fault(excTS, link)
	}
	if !d.present() {
		c.fault(excNP, link)
	}
	c.taskSwitch(link, d, addr, taskIRET, c.next, 0, false)
}

func (c *CPU) iretProt(op32 bool) {
	size := uint32(2)
	if op32 {
		size = 4
	}
	eip := c.stackRead(0, op32)
	sel := uint16(c.stackRead(size, op32))
	fl := c.stackRead(2*size, op32)
	if op32 && fl&FlagVM != 0 && c.CPL == 0 {
		c.iretToV86(eip, sel, fl)
		return
	}
	d, addr := c.checkReturnCS(sel)
	rpl := int(sel & 3)
	if rpl == c.CPL {
		if eip > d.limit() {
			c.fault(excGP, 0)
		}
		c.loadCS(sel, d, addr, rpl)
		c.setSP(c.sp() + 3*size)
		c.iretFlags(fl, op32, rpl)
		c.next = eip
		return
	}
	esp := c.stackRead(3*size, op32)
	ssSel := uint16(c.stackRead(4*size, op32))
	sd, saddr := c.checkReturnSS(ssSel, rpl)
	if eip > d.limit() {
		c.fault(excGP, 0)
	}
	c.touch(addr, d)
	c.touch(saddr, sd)
	c.iretFlags(fl, op32, c.CPL) // the rules of the old CPL apply
	c.loadCS(sel, d, addr, rpl)
	c.Seg[SS] = sd.segment(ssSel)
	c.segUpdated(SS)
	c.setStackPointer(esp)
	c.nullOuterSegs()
	c.next = eip
}

// iretFlags loads the popped EFLAGS image by IRET's privilege rules at
// privilege cpl (VM is never set here).
func (c *CPU) iretFlags(fl uint32, op32 bool, cpl int) {
	mask := arithFlags | FlagTF | FlagDF | FlagNT
	if op32 {
		mask |= FlagRF | FlagAC | FlagID
	}
	if cpl <= c.iopl() {
		mask |= FlagIF
	}
	if cpl == 0 {
		mask |= FlagIOPL
		if op32 {
			mask |= FlagVIF | FlagVIP
		}
	}
	if !op32 {
		mask &= 0xFFFF
	}
	c.SetEFlags(c.EFlags()&^mask | fl&mask)
}

// iretToV86 is a 32-bit IRET at CPL 0 whose EFLAGS image has VM set: it
// pops ESP, SS, ES, DS, FS and GS too and enters virtual-8086 mode.
func (c *CPU) iretToV86(eip uint32, cs uint16, fl uint32) {
	esp := c.stackRead(12, true)
	ss := uint16(c.stackRead(16, true))
	es := uint16(c.stackRead(20, true))
	ds := uint16(c.stackRead(24, true))
	fs := uint16(c.stackRead(28, true))
	gs := uint16(c.stackRead(32, true))
	c.SetEFlags(fl)
	c.CPL = 3
	for _, x := range [...]struct {
		seg int
		sel uint16
	}{{CS, cs}, {SS, ss}, {ES, es}, {DS, ds}, {FS, fs}, {GS, gs}} {
		c.loadSegReal(x.seg, x.sel)
	}
	c.Regs[ESP] = esp
	c.modeChanged()
	c.next = eip & 0xFFFF
}
