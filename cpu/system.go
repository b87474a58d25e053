package cpu

import (
	"bt86/decoder"
)

// System instructions: descriptor-table registers, LDTR/TR, control and
// debug registers, LAR/LSL/VERR/VERW/ARPL, CLI/STI, RDTSC/RDPMC,
// SYSENTER/SYSEXIT, cache and TLB control.

// pmOnly raises #UD outside protected mode (real and v8086 mode).
func (c *CPU) pmOnly() {
	if !c.protected() || c.v86() {
		c.ud()
	}
}

// cpl0 raises #GP(0) unless the CPU runs at privilege 0 (real mode
// counts as 0; v8086 mode as 3).
func (c *CPU) cpl0() {
	if c.protected() && (c.v86() || c.CPL != 0) {
		c.gp(0)
	}
}

// setZF changes ZF only.
func (c *CPU) setZF(on bool) {
	c.materialize()
	if on {
		c.Flags |= FlagZF
	} else {
		c.Flags &^= FlagZF
	}
}

// ---- GDTR, IDTR, LDTR, TR, MSW ----

func (c *CPU) sgdt(in *decoder.Inst) { c.storeTable(in, c.GDTR) }
func (c *CPU) sidt(in *decoder.Inst) { c.storeTable(in, c.IDTR) }

// storeTable stores a descriptor-table register: the limit, then the
// base (its high byte zero with a 16-bit operand size).
func (c *CPU) storeTable(in *decoder.Inst, t Table) {
	ea := c.ea(in)
	base := t.Base
	if !in.Op32() {
		base &= 0xFFFFFF
	}
	a1 := c.linW(in.Seg, ea, 2)
	a2 := c.linW(in.Seg, (ea+2)&addrMask(in), 4)
	c.probeWrite(a1, 2, c.priv)
	c.probeWrite(a2, 4, c.priv)
	c.writeLin16(a1, t.Limit, c.priv)
	c.writeLin32(a2, base, c.priv)
}

// loadTable reads a descriptor-table register image for LGDT/LIDT.
func (c *CPU) loadTable(in *decoder.Inst) Table {
	c.cpl0()
	ea := c.ea(in)
	limit := c.read16(in.Seg, ea)
	base := c.read32(in.Seg, (ea+2)&addrMask(in))
	if !in.Op32() {
		base &= 0xFFFFFF
	}
	return Table{Base: base, Limit: limit}
}

func (c *CPU) lgdt(in *decoder.Inst) { c.GDTR = c.loadTable(in) }
func (c *CPU) lidt(in *decoder.Inst) { c.IDTR = c.loadTable(in) }

// storeSel stores a selector (SLDT, STR): a register destination gets it
// zero-extended at the operand size, memory gets 16 bits.
func (c *CPU) storeSel(in *decoder.Inst, sel uint16) {
	if in.Mem() {
		c.write16(in.Seg, c.ea(in), sel)
		return
	}
	c.setReg(in, in.RM(), uint32(sel))
}

func (c *CPU) sldt(in *decoder.Inst) { c.pmOnly(); c.storeSel(in, c.LDTR.Sel) }
func (c *CPU) str(in *decoder.Inst)  { c.pmOnly(); c.storeSel(in, c.TR.Sel) }

func (c *CPU) lldt(in *decoder.Inst) {
	c.pmOnly()
	c.cpl0()
	sel := c.readEw(in)
	if sel&0xFFFC == 0 {
		c.LDTR = Segment{Sel: sel}
		return
	}
	d, _ := c.fetchGDT(sel, excGP)
	if !d.system() || d.typ() != sysLDT {
		c.fault(excGP, sel)
	}
	if !d.present() {
		c.fault(excNP, sel)
	}
	c.LDTR = d.segment(sel)
}

func (c *CPU) ltr(in *decoder.Inst) {
	c.pmOnly()
	c.cpl0()
	sel := c.readEw(in)
	if sel&0xFFFC == 0 {
		c.fault(excGP, 0)
	}
	d, addr := c.fetchGDT(sel, excGP)
	if !d.tssAvail() {
		c.fault(excGP, sel)
	}
	if !d.present() {
		c.fault(excNP, sel)
	}
	c.setBusy(addr, true)
	c.TR = d.segment(sel)
	c.TR.Attr |= tssBusy
}

func (c *CPU) smsw(in *decoder.Inst) {
	if in.Mem() {
		c.write16(in.Seg, c.ea(in), uint16(c.CR0))
		return
	}
	c.setReg(in, in.RM(), c.CR0)
}

func (c *CPU) lmsw(in *decoder.Inst) {
	c.cpl0()
	v := uint32(c.readEw(in))
	// LMSW sets PE but never clears it.
	c.writeCR0(c.CR0&^(CR0MP|CR0EM|CR0TS) | v&(CR0PE|CR0MP|CR0EM|CR0TS))
}

func (c *CPU) clts(in *decoder.Inst) {
	c.cpl0()
	c.writeCR0(c.CR0 &^ CR0TS)
}

// ---- control registers ----

// cr0Writable are the CR0 bits software sets (ET is fixed at one).
const cr0Writable = CR0PE | CR0MP | CR0EM | CR0TS | CR0NE | CR0WP | CR0AM | CR0NW | CR0CD | CR0PG

// writeCR0 is a guest write to CR0 (MOV, LMSW, CLTS).
func (c *CPU) writeCR0(v uint32) {
	v = v&cr0Writable | CR0ET
	if v&CR0PG != 0 && v&CR0PE == 0 {
		c.gp(0)
	}
	if v&CR0NW != 0 && v&CR0CD == 0 {
		c.gp(0)
	}
	if err := c.MMU.WriteControl(v, c.CR4, c.EFER); err != nil {
		c.gp(0)
	}
	old := c.CR0
	c.CR0 = v
	if (old^v)&CR0PE != 0 {
		if v&CR0PE == 0 {
			c.CPL = 0
		}
		for i := range c.Seg {
			c.segUpdated(i)
		}
	}
	c.modeChanged()
}

// cr4Allowed returns the CR4 bits the model supports.
func (c *CPU) cr4Allowed() uint32 {
	f := c.model.Features
	a := uint32(CR4PCE)
	for _, x := range [...]struct{ feat, bits uint32 }{
		{FeatVME, CR4VME | CR4PVI},
		{FeatTSC, CR4TSD},
		{FeatDE, CR4DE},
		{FeatPSE, CR4PSE},
		{FeatPAE, CR4PAE},
		{featMCE, CR4MCE},
		{FeatPGE, CR4PGE},
		{FeatFXSR, CR4OSFXSR},
		{featSSE, 1 << 10}, // OSXMMEXCPT
	} {
		if f&x.feat != 0 {
			a |= x.bits
		}
	}
	return a
}

func (c *CPU) writeCR4(v uint32) {
	if v&^c.cr4Allowed() != 0 {
		c.gp(0)
	}
	if err := c.MMU.WriteControl(c.CR0, v, c.EFER); err != nil {
		c.gp(0)
	}
	c.CR4 = v
	c.modeChanged()
}

func (c *CPU) writeCR3(v uint32) {
	if err := c.MMU.SetCR3(v); err != nil {
		c.gp(0)
	}
	c.CR3 = v
	c.events |= evEndTrace
}

// movRdCd is MOV r32, CRn (0F 20).
func (c *CPU) movRdCd(in *decoder.Inst) {
	n := in.Reg()
	if n == 1 || n > 4 {
		c.ud()
	}
	c.cpl0()
	var v uint32
	switch n {
	case 0:
		v = c.CR0
	case 2:
		v = c.CR2
	case 3:
		v = c.CR3
	case 4:
		v = c.CR4
	}
	c.Regs[in.RM()] = v
}

// movCdRd is MOV CRn, r32 (0F 22).
func (c *CPU) movCdRd(in *decoder.Inst) {
	n := in.Reg()
	if n == 1 || n > 4 {
		c.ud()
	}
	c.cpl0()
	v := c.Regs[in.RM()]
	switch n {
	case 0:
		c.writeCR0(v)
	case 2:
		c.CR2 = v
	case 3:
		c.writeCR3(v)
	case 4:
		c.writeCR4(v)
	}
}

// ---- debug registers ----

// Debug register bits.
const (
	dr6Fixed = 0xFFFF0FF0 // reserved bits reading as one
	dr6BD    = 1 << 13
	dr7GD    = 1 << 13
)

// drIndex maps DR4/DR5 to DR6/DR7 (CR4.DE clear) or raises #UD.
func (c *CPU) drIndex(n int) int {
	if n == 4 || n == 5 {
		if c.CR4&CR4DE != 0 {
			c.ud()
		}
		n += 2
	}
	if c.DR[7]&dr7GD != 0 {
		c.DR[6] |= dr6BD
		c.DR[7] &^= dr7GD
		c.raise(excDB, 0, false)
	}
	return n
}

func (c *CPU) movRdDd(in *decoder.Inst) {
	c.cpl0()
	n := c.drIndex(in.Reg())
	c.Regs[in.RM()] = c.DR[n]
}

func (c *CPU) movDdRd(in *decoder.Inst) {
	c.cpl0()
	n := c.drIndex(in.Reg())
	v := c.Regs[in.RM()]
	switch n {
	case 6:
		v = v&0xE00F | dr6Fixed
	case 7:
		v = v&^(1<<11|1<<12|1<<14|1<<15) | 1<<10
	}
	c.DR[n] = v
}

// ---- TLB and caches ----

func (c *CPU) invlpg(in *decoder.Inst) {
	c.cpl0()
	c.MMU.FlushPage(c.Seg[in.Seg].Base + c.ea(in))
	c.events |= evEndTrace
}

func (c *CPU) invd(in *decoder.Inst) { c.cpl0() }

// ---- segment inspection ----

// inspect reads the descriptor of sel for LAR/LSL/VERR/VERW: ok is false
// for a null selector or one outside its table, or when the privilege
// rule (DPL >= CPL and DPL >= RPL unless conforming code) fails.
func (c *CPU) inspect(sel uint16) (d desc, ok bool) {
	if sel&0xFFFC == 0 {
		return d, false
	}
	addr, in := c.descAddr(sel)
	if !in {
		return d, false
	}
	d = c.readDescAt(addr)
	if !d.conforming() && (d.dpl() < c.CPL || d.dpl() < int(sel&3)) {
		return d, false
	}
	return d, true
}

// LAR accepts these system types; LSL the TSS and LDT ones only.
const (
	larTypes = 1<<sysTSS16 | 1<<sysLDT | 1<<sysTSS16Busy | 1<<sysCallGate16 | 1<<sysTaskGate |
		1<<sysTSS32 | 1<<sysTSS32Busy | 1<<sysCallGate32
	lslTypes = 1<<sysTSS16 | 1<<sysLDT | 1<<sysTSS16Busy | 1<<sysTSS32 | 1<<sysTSS32Busy
)

func (c *CPU) lar(in *decoder.Inst) {
	c.pmOnly()
	d, ok := c.inspect(c.readEw(in))
	ok = ok && (!d.system() || larTypes&(1<<d.typ()) != 0)
	c.setZF(ok)
	if ok {
		c.writeGv(in, d.hi&0x00FFFF00)
	}
}

func (c *CPU) lsl(in *decoder.Inst) {
	c.pmOnly()
	d, ok := c.inspect(c.readEw(in))
	ok = ok && (!d.system() || lslTypes&(1<<d.typ()) != 0)
	c.setZF(ok)
	if ok {
		c.writeGv(in, d.limit())
	}
}

func (c *CPU) verr(in *decoder.Inst) {
	c.pmOnly()
	d, ok := c.inspect(c.readEw(in))
	c.setZF(ok && !d.system() && d.readable())
}

func (c *CPU) verw(in *decoder.Inst) {
	c.pmOnly()
	d, ok := c.inspect(c.readEw(in))
	c.setZF(ok && d.writable())
}

func (c *CPU) arpl(in *decoder.Inst) {
	c.pmOnly()
	dst := c.readEw(in)
	src := uint16(c.Regs[in.Reg()])
	if dst&3 < src&3 {
		c.writeEw(in, dst&^3|src&3)
		c.setZF(true)
		return
	}
	c.setZF(false)
}

// ---- interrupt flag ----

func (c *CPU) cli(in *decoder.Inst) {
	switch {
	case !c.protected():
	case c.v86():
		if c.iopl() < 3 {
			if c.CR4&CR4VME == 0 {
				c.gp(0)
			}
			c.Flags &^= FlagVIF
			return
		}
	case c.CPL > c.iopl():
		if c.CPL != 3 || c.CR4&CR4PVI == 0 {
			c.gp(0)
		}
		c.Flags &^= FlagVIF
		return
	}
	c.Flags &^= FlagIF
}

func (c *CPU) sti(in *decoder.Inst) {
	virtual := false
	switch {
	case !c.protected():
	case c.v86():
		virtual = c.iopl() < 3
		if virtual && c.CR4&CR4VME == 0 {
			c.gp(0)
		}
	case c.CPL > c.iopl():
		virtual = true
		if c.CPL != 3 || c.CR4&CR4PVI == 0 {
			c.gp(0)
		}
	}
	if virtual {
		if c.Flags&FlagVIP != 0 {
			c.gp(0)
		}
		c.Flags |= FlagVIF
		return
	}
	if c.Flags&FlagIF == 0 {
		c.Flags |= FlagIF
		c.inhibit()
		c.events |= evEndTrace
	}
}

// ---- time stamp and performance counters ----

// tscBase is what the TSC counts: the machine's time source, or retired
// instructions.
func (c *CPU) tscBase() uint64 {
	if c.TimeSource != nil {
		return c.TimeSource()
	}
	return c.InstructionCount()
}

// readTSC returns the time-stamp counter: State.TSC plus the instructions
// retired, kept strictly increasing.
func (c *CPU) readTSC() uint64 {
	v := c.TSC + c.tscBase()
	if v <= c.LastTSC {
		v = c.LastTSC + 1
	}
	c.LastTSC = v
	return v
}

// writeTSC sets the time-stamp counter (WRMSR 0x10).
func (c *CPU) writeTSC(v uint64) {
	c.TSC = v - c.tscBase()
	c.LastTSC = v - 1
}

func (c *CPU) rdtsc(in *decoder.Inst) {
	if c.CR4&CR4TSD != 0 {
		c.cpl0()
	}
	v := c.readTSC()
	c.Regs[EAX], c.Regs[EDX] = uint32(v), uint32(v>>32)
}

func (c *CPU) rdpmc(in *decoder.Inst) {
	if c.CR4&CR4PCE == 0 {
		c.cpl0()
	}
	n := c.Regs[ECX]
	if n > 1 {
		c.gp(0)
	}
	v := c.MSR.Perf[n]
	c.Regs[EAX], c.Regs[EDX] = uint32(v), uint32(v>>32)&0xFF
}

// ---- fast system calls ----

// flatSeg returns a flat 4 GiB segment with the given selector, type
// (low attribute bits) and DPL, as SYSENTER and SYSEXIT load them.
func flatSeg(sel uint16, typ uint16, dpl int) Segment {
	return Segment{Sel: sel, Base: 0, Limit: 0xFFFFFFFF, Valid: true,
		Attr: typ | AttrS | AttrP | uint16(dpl)<<AttrDPLShift | AttrDB | AttrG}
}

func (c *CPU) sysenter(in *decoder.Inst) {
	cs := uint16(c.MSR.SysenterCS)
	if !c.protected() || cs&0xFFFC == 0 {
		c.gp(0)
	}
	c.Flags &^= FlagVM | FlagIF | FlagRF
	c.CPL = 0
	c.Seg[CS] = flatSeg(cs&0xFFFC, AttrCode|AttrRW|AttrAccessed, 0)
	c.Seg[SS] = flatSeg(cs&0xFFFC+8, AttrRW|AttrAccessed, 0)
	c.segUpdated(CS)
	c.segUpdated(SS)
	for _, s := range [...]int{ES, DS, FS, GS} { // leaving v8086 mode
		c.segUpdated(s)
	}
	c.Regs[ESP] = c.MSR.SysenterESP
	c.next = c.MSR.SysenterEIP
	c.events |= evEndTrace
}

func (c *CPU) sysexit(in *decoder.Inst) {
	cs := uint16(c.MSR.SysenterCS)
	if !c.protected() || c.v86() || cs&0xFFFC == 0 || c.CPL != 0 {
		c.gp(0)
	}
	c.CPL = 3
	c.Seg[CS] = flatSeg(cs&0xFFFC+16|3, AttrCode|AttrRW|AttrAccessed, 3)
	c.Seg[SS] = flatSeg(cs&0xFFFC+24|3, AttrRW|AttrAccessed, 3)
	c.segUpdated(CS)
	c.segUpdated(SS)
	c.Regs[ESP] = c.Regs[ECX]
	c.next = c.Regs[EDX]
	c.events |= evEndTrace
}

func regSystem(t *[decoder.NumOps]opInfo) {
	g6 := func(r int) uint16 { return decoder.GroupKey(decoder.Grp6, r) }
	g7 := func(r int) uint16 { return decoder.GroupKey(decoder.Grp7, r) }
	def(t, g6(0), (*CPU).sldt)
	def(t, g6(1), (*CPU).str)
	def(t, g6(2), (*CPU).lldt)
	def(t, g6(3), (*CPU).ltr)
	def(t, g6(4), (*CPU).verr)
	def(t, g6(5), (*CPU).verw)
	def(t, g7(0), (*CPU).sgdt)
	def(t, g7(1), (*CPU).sidt)
	def(t, g7(2), (*CPU).lgdt)
	def(t, g7(3), (*CPU).lidt)
	def(t, g7(4), (*CPU).smsw)
	defBranch(t, g7(6), (*CPU).lmsw)
	defBranch(t, g7(7), (*CPU).invlpg)
	def(t, decoder.TwoByte|0x02, (*CPU).lar)
	def(t, decoder.TwoByte|0x03, (*CPU).lsl)
	defBranch(t, decoder.TwoByte|0x06, (*CPU).clts)
	def(t, decoder.TwoByte|0x08, (*CPU).invd)
	def(t, decoder.TwoByte|0x09, (*CPU).invd)
	def(t, decoder.TwoByte|0x20, (*CPU).movRdCd)
	def(t, decoder.TwoByte|0x21, (*CPU).movRdDd)
	defBranch(t, decoder.TwoByte|0x22, (*CPU).movCdRd)
	def(t, decoder.TwoByte|0x23, (*CPU).movDdRd)
	def(t, decoder.TwoByte|0x31, (*CPU).rdtsc)
	def(t, decoder.TwoByte|0x33, (*CPU).rdpmc)
	defBranch(t, decoder.TwoByte|0x34, (*CPU).sysenter)
	defBranch(t, decoder.TwoByte|0x35, (*CPU).sysexit)
	def(t, 0x63, (*CPU).arpl)
	def(t, 0xFA, (*CPU).cli)
	defBranch(t, 0xFB, (*CPU).sti)
}
