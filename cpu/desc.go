package cpu

import "bt86/mmu/shadow"

// Segment descriptors (Intel SDM vol. 3 §3.4.5, §5): reading GDT/LDT
// entries, the protected-mode checks of segment register loads, and the
// descriptor cache.

// desc is a raw 8-byte segment or gate descriptor: lo is bytes 0-3, hi
// bytes 4-7.
type desc struct{ lo, hi uint32 }

// System descriptor types (S = 0).
const (
	sysTSS16      = 1
	sysLDT        = 2
	sysTSS16Busy  = 3
	sysCallGate16 = 4
	sysTaskGate   = 5
	sysIntGate16  = 6
	sysTrapGate16 = 7
	sysTSS32      = 9
	sysTSS32Busy  = 11
	sysCallGate32 = 12
	sysIntGate32  = 14
	sysTrapGate32 = 15

	// tssBusy is the busy bit of a TSS type.
	tssBusy = 2
)

func (d desc) typ() int       { return int(d.hi>>8) & 0xF }
func (d desc) system() bool   { return d.hi&(1<<12) == 0 }
func (d desc) code() bool     { return !d.system() && d.hi&(1<<11) != 0 }
func (d desc) data() bool     { return !d.system() && d.hi&(1<<11) == 0 }
func (d desc) dpl() int       { return int(d.hi>>13) & 3 }
func (d desc) present() bool  { return d.hi&(1<<15) != 0 }
func (d desc) accessed() bool { return d.hi&(1<<8) != 0 }

// conforming reports a conforming code segment.
func (d desc) conforming() bool { return d.code() && d.hi&(1<<10) != 0 }

// readable reports a data segment or a readable code segment.
func (d desc) readable() bool { return d.data() || d.hi&(1<<9) != 0 }

// writable reports a writable data segment.
func (d desc) writable() bool { return d.data() && d.hi&(1<<9) != 0 }

func (d desc) base() uint32 { return d.lo>>16 | (d.hi&0xFF)<<16 | d.hi&0xFF000000 }

// limit returns the byte-granular limit (scaled by G).
func (d desc) limit() uint32 {
	l := d.lo&0xFFFF | d.hi&0xF0000
	if d.hi&(1<<23) != 0 {
		l = l<<12 | 0xFFF
	}
	return l
}

// attr returns the Segment.Attr form of the descriptor's attributes.
func (d desc) attr() uint16 { return uint16(d.hi>>8) & 0xF0FF }

// Gate fields.
func (d desc) gateSel() uint16   { return uint16(d.lo >> 16) }
func (d desc) gateOff() uint32   { return d.lo&0xFFFF | d.hi&0xFFFF0000 }
func (d desc) gateCount() int    { return int(d.hi) & 0x1F }
func (d desc) gate32() bool      { return d.typ()&8 != 0 }
func (d desc) tss() bool         { t := d.typ(); return d.system() && t&^(8|tssBusy) == sysTSS16 }
func (d desc) tssAvail() bool    { return d.tss() && d.typ()&tssBusy == 0 }
func (d desc) tssBusyDesc() bool { return d.tss() && d.typ()&tssBusy != 0 }

// segment returns the descriptor cache contents for sel. The accessed bit
// is set, as the load sets it in memory.
func (d desc) segment(sel uint16) Segment {
	a := d.attr()
	if !d.system() {
		a |= AttrAccessed
	}
	return Segment{Sel: sel, Base: d.base(), Limit: d.limit(), Attr: a, Valid: true}
}

// errSel is the error code of a fault naming selector sel, with the EXT
// bit of the event being delivered.
func (c *CPU) errSel(sel uint16) uint32 { return uint32(sel&0xFFFC) | c.pm.ext }

// fault raises vector with the error code for sel (sel 0 gives the
// "null selector" code, that is just EXT).
func (c *CPU) fault(vector uint8, sel uint16) { c.raise(vector, c.errSel(sel), true) }

// descAddr returns the linear address of sel's descriptor; ok is false if
// the selector is outside its table (or names a null LDT).
func (c *CPU) descAddr(sel uint16) (addr uint32, ok bool) {
	off := uint32(sel &^ 7)
	if sel&4 != 0 {
		if !c.LDTR.Valid || off+7 > c.LDTR.Limit {
			return 0, false
		}
		return c.LDTR.Base + off, true
	}
	if off+7 > uint32(c.GDTR.Limit) {
		return 0, false
	}
	return c.GDTR.Base + off, true
}

// readDescAt reads the descriptor at linear address addr (a supervisor
// access).
func (c *CPU) readDescAt(addr uint32) desc {
	return desc{lo: c.sysRead32(addr), hi: c.sysRead32(addr + 4)}
}

// fetchDesc reads sel's descriptor, raising vector(sel) when the selector
// is outside its table.
func (c *CPU) fetchDesc(sel uint16, vector uint8) (desc, uint32) {
	addr, ok := c.descAddr(sel)
	if !ok {
		c.fault(vector, sel)
	}
	return c.readDescAt(addr), addr
}

// fetchGDT reads a descriptor that must be in the GDT (TSS, LDT): a
// selector with TI set or beyond the GDT limit raises vector(sel).
func (c *CPU) fetchGDT(sel uint16, vector uint8) (desc, uint32) {
	off := uint32(sel &^ 7)
	if sel&4 != 0 || off+7 > uint32(c.GDTR.Limit) {
		c.fault(vector, sel)
	}
	addr := c.GDTR.Base + off
	return c.readDescAt(addr), addr
}

// touch sets the accessed bit of a code or data descriptor in memory.
func (c *CPU) touch(addr uint32, d desc) {
	if !d.system() && !d.accessed() {
		c.sysWrite8(addr+5, uint8(d.hi>>8)|1)
	}
}

// loadSegPM loads DS, ES, FS, GS or SS in protected mode (SDM MOV/POP
// Sreg), with every check before anything changes.
func (c *CPU) loadSegPM(seg int, sel uint16) {
	rpl := int(sel & 3)
	if seg == SS {
		if sel&0xFFFC == 0 {
			c.fault(excGP, 0)
		}
		d, addr := c.fetchDesc(sel, excGP)
		if rpl != c.CPL || !d.writable() || d.dpl() != c.CPL {
			c.fault(excGP, sel)
		}
		if !d.present() {
			c.fault(excSS, sel)
		}
		c.touch(addr, d)
		c.Seg[SS] = d.segment(sel)
		c.segUpdated(SS)
		return
	}
	if sel&0xFFFC == 0 {
		c.loadNull(seg, sel)
		return
	}
	d, addr := c.fetchDesc(sel, excGP)
	if !d.readable() || d.system() {
		c.fault(excGP, sel)
	}
	if !d.conforming() && (rpl > d.dpl() || c.CPL > d.dpl()) {
		c.fault(excGP, sel)
	}
	if !d.present() {
		c.fault(excNP, sel)
	}
	c.touch(addr, d)
	c.Seg[seg] = d.segment(sel)
	c.segUpdated(seg)
}

// loadNull makes a data segment register unusable (a null selector).
func (c *CPU) loadNull(seg int, sel uint16) {
	s := &c.Seg[seg]
	s.Sel = sel
	s.Valid = false
	c.segUpdated(seg)
}

// loadCS loads CS with the code descriptor d (already checked) at
// privilege cpl; the selector's RPL becomes cpl.
func (c *CPU) loadCS(sel uint16, d desc, addr uint32, cpl int) {
	c.touch(addr, d)
	c.CPL = cpl
	c.Seg[CS] = d.segment(sel&^3 | uint16(cpl))
	c.segUpdated(CS) // calls modeChanged
}

// checkCodeTarget applies the checks of a far JMP/CALL directly to a
// code segment (SDM JMP/CALL "IF segment type is code"): vector is #GP
// for every check but presence (#NP).
func (c *CPU) checkCodeTarget(sel uint16, d desc) {
	if !d.code() {
		c.fault(excGP, sel)
	}
	if d.conforming() {
		if d.dpl() > c.CPL {
			c.fault(excGP, sel)
		}
	} else if int(sel&3) > c.CPL || d.dpl() != c.CPL {
		c.fault(excGP, sel)
	}
	if !d.present() {
		c.fault(excNP, sel)
	}
}

// checkReturnCS applies the checks of RETF/IRET to the popped CS.
func (c *CPU) checkReturnCS(sel uint16) (desc, uint32) {
	if sel&0xFFFC == 0 {
		c.fault(excGP, 0)
	}
	d, addr := c.fetchDesc(sel, excGP)
	rpl := int(sel & 3)
	if !d.code() || rpl < c.CPL {
		c.fault(excGP, sel)
	}
	if d.conforming() {
		if d.dpl() > rpl {
			c.fault(excGP, sel)
		}
	} else if d.dpl() != rpl {
		c.fault(excGP, sel)
	}
	if !d.present() {
		c.fault(excNP, sel)
	}
	return d, addr
}

// checkReturnSS applies the checks of RETF/IRET to an outer SS selector
// popped from the stack, for a return to privilege rpl.
func (c *CPU) checkReturnSS(sel uint16, rpl int) (desc, uint32) {
	if sel&0xFFFC == 0 {
		c.fault(excGP, 0)
	}
	d, addr := c.fetchDesc(sel, excGP)
	if int(sel&3) != rpl || !d.writable() || d.dpl() != rpl {
		c.fault(excGP, sel)
	}
	if !d.present() {
		c.fault(excSS, sel)
	}
	return d, addr
}

// nullOuterSegs nulls the data segment registers a return to an outer
// privilege level may not keep: data or non-conforming code segments
// whose DPL is below the new CPL.
func (c *CPU) nullOuterSegs() {
	for _, seg := range [...]int{ES, DS, FS, GS} {
		s := &c.Seg[seg]
		conforming := s.Attr&(AttrCode|AttrDC) == AttrCode|AttrDC
		if s.Valid && !conforming && s.DPL() < c.CPL {
			s.Sel = 0
			s.Valid = false
			c.segUpdated(seg)
		}
	}
}

// writeBounds returns the offsets lo..hi a write through s may touch.
func writeBounds(s *Segment) (lo, hi uint32) {
	if !s.Valid || s.Attr&AttrP == 0 {
		return 1, 0
	}
	if s.Attr&(AttrS|AttrCode|AttrDC) == AttrS|AttrDC { // expand-down
		hi = 0xFFFF
		if s.Big() {
			hi = 0xFFFFFFFF
		}
		if s.Limit == hi {
			return 1, 0
		}
		return s.Limit + 1, hi
	}
	return 0, s.Limit
}

// frame is a list of stack pushes, in push order, all of one width.
type frame struct {
	v    [40]uint32
	n    int
	wide bool // 32-bit pushes
}

func (f *frame) add(v ...uint32) {
	for _, x := range v {
		f.v[f.n] = x
		f.n++
	}
}

// pushFrame pushes f onto the stack segment s (which need not be loaded
// in SS yet) at sp, at privilege index priv, and returns the new stack
// pointer. Every limit check (#SS(code)) and paging check (#PF) is made
// before the first write, so a fault changes nothing.
func (c *CPU) pushFrame(s *Segment, sp uint32, f *frame, priv int, code uint32) uint32 {
	size := uint32(2)
	if f.wide {
		size = 4
	}
	mask := uint32(0xFFFF)
	if s.Big() {
		mask = 0xFFFFFFFF
	}
	lo, hi := writeBounds(s)
	var lin [len(f.v)]uint32
	for i := 0; i < f.n; i++ {
		sp = (sp - size) & mask
		if sp < lo || uint64(sp)+uint64(size-1) > uint64(hi) {
			c.raise(excSS, code, true)
		}
		lin[i] = s.Base + sp
		c.probeWrite(lin[i], size, priv)
	}
	for i := 0; i < f.n; i++ {
		if f.wide {
			c.writeLin32(lin[i], f.v[i], priv)
		} else {
			c.writeLin16(lin[i], uint16(f.v[i]), priv)
		}
	}
	return sp
}

// probeWrite checks that a write of n bytes at lin would not page fault,
// using the shadow TLB when it can.
func (c *CPU) probeWrite(lin uint32, n uint32, priv int) {
	e := &c.MMU.Cur.Write[priv][shadow.Slot(lin)]
	if e.Tag == lin&^0xFFF && lin&0xFFF <= 0x1000-n {
		return
	}
	c.checkWrite(lin, int(n), priv)
}

// setStackPointer sets ESP (32-bit stack) or SP (16-bit stack) for the
// stack segment now in SS.
func (c *CPU) setStackPointer(v uint32) {
	if c.Seg[SS].Big() {
		c.Regs[ESP] = v
	} else {
		c.setR16(ESP, uint16(v))
	}
}

func privOf(cpl int) int {
	if cpl == 3 {
		return 1
	}
	return 0
}
