package cpu

import (
	"bt86/mmu"
	"bt86/mmu/shadow"
)

// The translator's view of the CPU (package dbt). The translator runs
// guest code natively on the same State and falls back to the
// interpreter at any instruction; these thin accessors expose what its
// native code and its Go loop need, and nothing else.

// RunInterp runs the interpreter like Run. With oneTrace it returns (with
// ExitBudget) as soon as one trace has run, so the translator can take
// over again at the next block boundary.
func (c *CPU) RunInterp(budget int, oneTrace bool) Exit {
	c.oneTrace = oneTrace
	x := c.Run(budget)
	c.oneTrace = false
	return x
}

// NeedsInterpreter reports whether the next instruction boundary needs
// the interpreter's own loop: an interrupt to deliver or an inhibited
// window, a halt, single-stepping (TF), a debug hook, or a stop request.
func (c *CPU) NeedsInterpreter() bool {
	return c.InhibitIRQ || c.Halted || c.stopReq || c.Trace != nil || c.Flags&FlagTF != 0 ||
		(c.Flags&FlagIF != 0 && c.pic != nil && c.pic.HasInterrupt())
}

// IRQPending reports whether the interrupt controller has an interrupt
// to deliver (whatever EFLAGS.IF says).
func (c *CPU) IRQPending() bool { return c.pic != nil && c.pic.HasInterrupt() }

// ClearStop forgets a pending stop request (Run does so on entry).
func (c *CPU) ClearStop() { c.stopReq = false }

// Stopped reports a pending stop request.
func (c *CPU) Stopped() bool { return c.stopReq }

// FetchPhys translates the linear code address lin for the current
// privilege level; ok is false when that would fault (the interpreter
// then raises the fault itself).
func (c *CPU) FetchPhys(lin uint32) (phys uint64, ok bool) {
	e := &c.MMU.Cur.Fetch[c.priv][shadow.Slot(lin)]
	if e.Tag == lin&^0xFFF {
		return uint64(e.Addend + lin), true
	}
	acc := mmu.AccFetch
	if c.priv != 0 {
		acc |= mmu.AccUser
	}
	mp, f := c.MMU.Fill(lin, acc)
	if f != nil {
		return 0, false
	}
	return mp.Phys, true
}

// FetchPhysCached is FetchPhys without a page walk: ok only when the
// fetch TLB already maps lin (so nothing in the guest's page tables is
// touched before the guest fetches there).
func (c *CPU) FetchPhysCached(lin uint32) (phys uint64, ok bool) {
	e := &c.MMU.Cur.Fetch[c.priv][shadow.Slot(lin)]
	if e.Tag == lin&^0xFFF {
		return uint64(e.Addend + lin), true
	}
	return 0, false
}

// CodeBytes returns the guest bytes of the RAM page holding phys from
// phys to the page end, or nil when phys is not plain RAM or ROM.
func (c *CPU) CodeBytes(phys uint64) []byte {
	host, _ := c.phys.Lookup(phys)
	return host
}

// WatchCode marks the RAM page holding phys as holding cached code, so a
// write to it bumps its stamp (CodeStamp) and the code generation, and
// calls OnCodeWrite.
func (c *CPU) WatchCode(phys uint64) {
	if phys>>12 < uint64(len(c.stamps)) {
		c.watchCode(phys)
	}
}

// CodeStamp is the write stamp of the RAM page holding phys.
func (c *CPU) CodeStamp(phys uint64) uint32 { return c.stampOf(phys) }

// SegFull reports, for segment register i, whether every offset is
// readable (read) or writable (write) without a limit check: a present,
// expand-up data (or readable code) segment with a 4 GiB limit.
func (c *CPU) SegFull(i int) (read, write bool) {
	k := &c.segc[i]
	return k.rlo == 0 && k.rspan == 0xFFFFFFFF, k.wlo == 0 && k.wspan == 0xFFFFFFFF
}

// MaterializeFlags folds the lazy arithmetic flags into State.Flags, so
// that State.Flags holds every EFLAGS bit.
func (c *CPU) MaterializeFlags() { c.materialize() }

// AddRetired accounts for n instructions the translator retired natively.
func (c *CPU) AddRetired(n int) { c.Stats.Retired += uint64(n) }
