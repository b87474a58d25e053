package cpu

// Task switching (SDM vol. 3 §7.3): through JMP/CALL to a TSS or task
// gate, IRET with NT set, and interrupts/exceptions through task gates,
// with 16- and 32-bit TSSs.

// Task switch sources.
const (
	taskJmp = iota
	taskCall
	taskIRET
	taskInt
)

// TSS field offsets.
const (
	tss32CR3   = 0x1C
	tss32EIP   = 0x20
	tss32Flags = 0x24
	tss32Regs  = 0x28 // EAX..EDI, 4 bytes each
	tss32Segs  = 0x48 // ES, CS, SS, DS, FS, GS, 4 bytes each
	tss32LDT   = 0x60
	tss32Trap  = 0x64
	tss32IOMap = 0x66

	tss16IP    = 0x0E
	tss16Flags = 0x10
	tss16Regs  = 0x12 // AX..DI, 2 bytes each
	tss16Segs  = 0x22 // ES, CS, SS, DS
	tss16LDT   = 0x2A
)

// tssImage is the dynamic state read from a TSS.
type tssImage struct {
	cr3, eip, flags uint32
	regs            [8]uint32
	segs            [6]uint16
	ldt             uint16
	trap            bool
}

// readTSS reads the state of the task whose TSS is at base.
func (c *CPU) readTSS(base uint32, is32 bool) tssImage {
	var t tssImage
	if is32 {
		t.cr3 = c.sysRead32(base + tss32CR3)
		t.eip = c.sysRead32(base + tss32EIP)
		t.flags = c.sysRead32(base + tss32Flags)
		for i := range t.regs {
			t.regs[i] = c.sysRead32(base + tss32Regs + uint32(i)*4)
		}
		for i := range t.segs {
			t.segs[i] = c.sysRead16(base + tss32Segs + uint32(i)*4)
		}
		t.ldt = c.sysRead16(base + tss32LDT)
		t.trap = c.sysRead16(base+tss32Trap)&1 != 0
		return t
	}
	t.eip = uint32(c.sysRead16(base + tss16IP))
	t.flags = uint32(c.sysRead16(base + tss16Flags))
	for i := range t.regs {
		// A 16-bit TSS leaves the high words of the registers all ones.
		t.regs[i] = 0xFFFF0000 | uint32(c.sysRead16(base+tss16Regs+uint32(i)*2))
	}
	for i := 0; i < 4; i++ {
		t.segs[i] = c.sysRead16(base + tss16Segs + uint32(i)*2)
	}
	t.ldt = c.sysRead16(base + tss16LDT)
	return t
}

// saveTSS writes the current task's dynamic state (EIP eip, EFLAGS
// flags) into its TSS at base.
func (c *CPU) saveTSS(base uint32, is32 bool, eip, flags uint32) {
	if is32 {
		c.sysWrite32(base+tss32EIP, eip)
		c.sysWrite32(base+tss32Flags, flags)
		for i := 0; i < 8; i++ {
			c.sysWrite32(base+tss32Regs+uint32(i)*4, c.Regs[i])
		}
		for i := range c.Seg {
			c.sysWrite16(base+tss32Segs+uint32(i)*4, c.Seg[i].Sel)
		}
		return
	}
	c.sysWrite16(base+tss16IP, uint16(eip))
	c.sysWrite16(base+tss16Flags, uint16(flags))
	for i := 0; i < 8; i++ {
		c.sysWrite16(base+tss16Regs+uint32(i)*2, uint16(c.Regs[i]))
	}
	for i := 0; i < 4; i++ {
		c.sysWrite16(base+tss16Segs+uint32(i)*2, c.Seg[i].Sel)
	}
}

// setBusy sets or clears the busy bit of the TSS descriptor at addr.
func (c *CPU) setBusy(addr uint32, busy bool) {
	b := c.sysRead8(addr + 5)
	if busy {
		b |= tssBusy
	} else {
		b &^= tssBusy
	}
	c.sysWrite8(addr+5, b)
}

// taskSwitch switches to the task of TSS descriptor d (selector sel, at
// linear address addr), already checked by the caller for privilege,
// type and presence. ret is the EIP saved in the old task; for a switch
// through an interrupt task gate, code is pushed on the new stack when
// hasCode. Faults before the commit point leave everything unchanged;
// faults after it (segment loads of the new task) are delivered in the
// new task, as the SDM says.
func (c *CPU) taskSwitch(sel uint16, d desc, addr uint32, src int, ret, code uint32, hasCode bool) {
	new32 := d.typ()&8 != 0
	newBase := d.base()
	minLimit := uint32(0x2B)
	if new32 {
		minLimit = 0x67
	}
	if d.limit() < minLimit {
		c.fault(excTS, sel)
	}
	old32 := c.TR.Attr&8 != 0
	oldBase := c.TR.Base
	oldMin := uint32(0x29)
	if old32 {
		oldMin = 0x5F
	}
	if c.TR.Limit < oldMin {
		c.fault(excTS, c.TR.Sel)
	}
	oldDesc := c.GDTR.Base + uint32(c.TR.Sel&^7)

	// Read the new state and probe every write, so that a page fault
	// here changes nothing.
	t := c.readTSS(newBase, new32)
	if old32 {
		c.probeWrite(oldBase+tss32EIP, tss32Segs+6*4-tss32EIP, 0)
	} else {
		c.probeWrite(oldBase+tss16IP, tss16Segs+4*2-tss16IP, 0)
	}
	if src == taskCall || src == taskInt {
		c.probeWrite(newBase, 2, 0)
	}
	clearOld := (src == taskJmp || src == taskIRET) && c.TR.Sel&0xFFFC != 0
	if clearOld {
		c.probeWrite(oldDesc+5, 1, 0)
	}
	if src != taskIRET {
		c.probeWrite(addr+5, 1, 0)
	}

	// Old task: busy bit and saved state.
	flags := c.EFlags()
	if src == taskIRET {
		flags &^= FlagNT
	}
	if clearOld {
		c.setBusy(oldDesc, false)
	}
	c.saveTSS(oldBase, old32, ret, flags)
	if src == taskCall || src == taskInt {
		c.sysWrite16(newBase, c.TR.Sel)
		t.flags |= FlagNT
	}
	if src != taskIRET {
		c.setBusy(addr, true)
	}

	// Commit point: the new task's state is loaded.
	c.TR = d.segment(sel)
	c.TR.Attr |= tssBusy
	c.CR0 |= CR0TS
	c.DR[7] &^= 0x155 // local breakpoint enables
	c.EIP = t.eip
	c.next = t.eip
	c.Regs[EAX], c.Regs[ECX], c.Regs[EDX], c.Regs[EBX] = t.regs[0], t.regs[1], t.regs[2], t.regs[3]
	c.Regs[ESP], c.Regs[EBP], c.Regs[ESI], c.Regs[EDI] = t.regs[4], t.regs[5], t.regs[6], t.regs[7]
	c.SetEFlags(t.flags)
	for i := range c.Seg {
		c.Seg[i].Sel = t.segs[i]
		c.Seg[i].Valid = false
	}
	c.LDTR = Segment{Sel: t.ldt}
	c.events |= evEndTrace
	if new32 && c.CR0&CR0PG != 0 {
		if err := c.MMU.SetCR3(t.cr3); err != nil {
			c.fault(excTS, 0)
		}
		c.CR3 = t.cr3
	}

	// LDTR.
	if t.ldt&4 != 0 {
		c.fault(excTS, t.ldt)
	}
	if t.ldt&0xFFFC != 0 {
		ld, _ := c.fetchGDT(t.ldt, excTS)
		if !ld.system() || ld.typ() != sysLDT || !ld.present() {
			c.fault(excTS, t.ldt)
		}
		c.LDTR = ld.segment(t.ldt)
	}

	// Segment registers.
	if t.flags&FlagVM != 0 {
		c.CPL = 3
		for i := range c.Seg {
			c.loadSegReal(i, t.segs[i])
		}
	} else {
		c.CPL = int(t.segs[CS] & 3)
		for i := range c.Seg {
			c.segUpdated(i)
		}
		for _, i := range [...]int{CS, SS, ES, DS, FS, GS} {
			c.taskLoadSeg(i, t.segs[i])
		}
	}
	c.modeChanged()

	if hasCode {
		f := frame{wide: new32}
		f.add(code)
		c.setStackPointer(c.pushFrame(&c.Seg[SS], c.Regs[ESP], &f, c.priv, c.pm.ext))
	}
	if c.EIP > c.Seg[CS].Limit {
		c.fault(excGP, 0)
	}
	if t.trap && new32 {
		c.DR[6] |= 1 << 15 // BT: a debug trap before the new task's first instruction
		c.raise(excDB, 0, false)
	}
}

// taskLoadSeg loads segment register seg of the new task (after the
// commit point): #TS for bad selectors and types, #NP (#SS for SS) for
// absent segments.
func (c *CPU) taskLoadSeg(seg int, sel uint16) {
	if sel&0xFFFC == 0 {
		if seg == CS || seg == SS {
			c.fault(excTS, sel)
		}
		c.loadNull(seg, sel)
		return
	}
	d, addr := c.fetchDesc(sel, excTS)
	if d.system() {
		c.fault(excTS, sel)
	}
	rpl, dpl := int(sel&3), d.dpl()
	switch seg {
	case CS:
		if !d.code() || (d.conforming() && dpl > rpl) || (!d.conforming() && dpl != rpl) {
			c.fault(excTS, sel)
		}
	case SS:
		if !d.writable() || dpl != c.CPL || rpl != c.CPL {
			c.fault(excTS, sel)
		}
	default:
		if !d.readable() || (!d.conforming() && (dpl < c.CPL || dpl < rpl)) {
			c.fault(excTS, sel)
		}
	}
	if !d.present() {
		if seg == SS {
			c.fault(excSS, sel)
		}
		c.fault(excNP, sel)
	}
	c.touch(addr, d)
	c.Seg[seg] = d.segment(sel)
	c.segUpdated(seg)
}
