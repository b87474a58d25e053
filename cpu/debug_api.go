package cpu

import (
	"encoding/binary"

	"bt86/decoder"
	"bt86/mmu"
)

// Debugger access (owned by gdbstub's authors). A debugger must observe
// the guest without changing it: these helpers never set accessed or
// dirty bits, never fill the shadow TLB, never raise guest exceptions
// and never touch device space (a read of a VGA or UART register has side
// effects), and they leave every interpreter cache coherent.

// DebugTranslate returns the physical address of guest-linear address lin
// under the current paging mode (none, 32-bit with PSE, or PAE using the
// PDPTE registers), ignoring access rights. ok is false when the address
// is not mapped (a not-present entry or a reserved bit). It is the MMU's
// own walker in peek mode (mmu.AccPeek), so no A/D bit is set.
func (c *CPU) DebugTranslate(lin uint32) (phys uint64, ok bool) {
	ctl := c.MMU.Control()
	mp, f := mmu.Walk(c.phys, ctl, lin, mmu.AccPeek)
	if f != nil {
		return 0, false
	}
	return mp.Phys & c.phys.A20Mask(), true
}

// DebugReadPhys copies guest RAM or ROM at physical address addr into b;
// it returns false (having copied a prefix) at the first byte in device
// space or beyond memory.
func (c *CPU) DebugReadPhys(addr uint64, b []byte) bool {
	for len(b) > 0 {
		h, _ := c.phys.Lookup(addr)
		if h == nil {
			return false
		}
		n := copy(b, h)
		b = b[n:]
		addr += uint64(n)
	}
	return true
}

// DebugWritePhys copies b into guest RAM or ROM (a debugger may patch
// ROM) at physical address addr, telling the watch hooks first so that
// cached code and shadowed page tables stay coherent. It returns false
// (having written a prefix) at the first byte in device space.
func (c *CPU) DebugWritePhys(addr uint64, b []byte) bool {
	for len(b) > 0 {
		h, _ := c.phys.Lookup(addr)
		if h == nil {
			return false
		}
		n := min(len(h), len(b))
		c.phys.NotifyWrite(addr, n)
		copy(h, b[:n])
		b = b[n:]
		addr += uint64(n)
	}
	return true
}

// DebugReadLinear reads guest-linear memory through DebugTranslate. It
// returns false if any byte is unmapped or outside RAM and ROM.
func (c *CPU) DebugReadLinear(lin uint32, b []byte) bool {
	return c.debugLinear(lin, b, c.DebugReadPhys)
}

// DebugWriteLinear writes guest-linear memory through DebugTranslate,
// ignoring page protection as debuggers do. The pages are checked first,
// so an unmapped byte (the result is false) leaves memory unchanged.
func (c *CPU) DebugWriteLinear(lin uint32, b []byte) bool {
	var probe [1]byte
	for off := 0; off < len(b); {
		p, ok := c.DebugTranslate(lin + uint32(off))
		if !ok || !c.DebugReadPhys(p, probe[:]) {
			return false
		}
		off += mmu.PageSize - int((lin+uint32(off))&0xFFF)
	}
	return c.debugLinear(lin, b, c.DebugWritePhys)
}

func (c *CPU) debugLinear(lin uint32, b []byte, access func(uint64, []byte) bool) bool {
	for len(b) > 0 {
		n := min(len(b), mmu.PageSize-int(lin&0xFFF))
		p, ok := c.DebugTranslate(lin)
		if !ok || !access(p, b[:n]) {
			return false
		}
		b = b[n:]
		lin += uint32(n)
	}
	return true
}

// DebugLoadSegment loads segment register seg (ES..GS) with selector sel
// as a debugger's write to it: in real and v8086 mode as the CPU would;
// in protected mode from the GDT or LDT entry, read without setting its
// accessed bit and without privilege checks (a null selector makes a
// data segment unusable). Loading CS sets CPL to the selector's RPL. It
// returns false, changing nothing, for a selector outside its table, a
// system descriptor, or a null CS or SS.
func (c *CPU) DebugLoadSegment(seg int, sel uint16) bool {
	if seg < ES || seg > GS {
		return false
	}
	if !c.protected() || c.v86() {
		c.loadSegReal(seg, sel)
		return true
	}
	if sel&0xFFFC == 0 {
		if seg == CS || seg == SS {
			return false
		}
		c.loadNull(seg, sel)
		return true
	}
	addr, ok := c.descAddr(sel)
	var raw [8]byte
	if !ok || !c.DebugReadLinear(addr, raw[:]) {
		return false
	}
	d := desc{lo: binary.LittleEndian.Uint32(raw[:4]), hi: binary.LittleEndian.Uint32(raw[4:])}
	if d.system() {
		return false
	}
	c.Seg[seg] = d.segment(sel)
	if seg == CS {
		c.CPL = int(sel & 3)
	}
	c.segUpdated(seg)
	return true
}

// DebugStateChanged is StateChanged for a debugger that changed control
// registers or EFLAGS directly: with PAE paging it also reloads the
// PDPTE registers from CR3 (StateChanged installs none), keeping the old
// ones if the table has reserved bits set.
func (c *CPU) DebugStateChanged() {
	c.StateChanged() // reloads the PDPTE registers under PAE paging
}

// InterruptController returns the interrupt controller the CPU polls.
func (c *CPU) InterruptController() InterruptController { return c.pic }

// DeliverInterrupt takes the external interrupt the CPU would take at
// this instruction boundary (IF set, no interrupt shadow, the controller
// has one), exactly as Run's interrupt window does, but executes no
// instruction: afterwards EIP is the handler's first instruction, not
// yet executed, so a debugger can check it against its breakpoints.
// delivered reports whether an interrupt was taken; exit.Reason is
// ExitShutdown if delivering it faulted beyond a double fault.
func (c *CPU) DeliverInterrupt() (delivered bool, exit Exit) {
	if c.InhibitIRQ || c.Flags&FlagIF == 0 || c.pic == nil || !c.pic.HasInterrupt() {
		return false, Exit{Reason: ExitBudget}
	}
	exit = Exit{Reason: ExitBudget}
	defer func() {
		if r := recover(); r != nil {
			x, ok := r.(*exception)
			if !ok || x != &c.exc {
				panic(r)
			}
			delivered = true
			if e, done := c.afterException(*x); done {
				exit = e
			}
		}
	}()
	c.Halted = false
	vec := c.pic.Acknowledge()
	c.Stats.Interrupts++
	c.next = c.EIP
	c.interrupt(vec, intExternal, 0, false)
	return true, exit
}

// RunMasked is Run with external interrupts held off: pending ones stay
// pending (the controller is not polled), as QEMU's gdbstub steps by
// default. Exceptions and software interrupts are delivered as usual.
// RunMasked(1) retires exactly one instruction, or delivers the
// exception it raised, or returns ExitHalt at once if the CPU is halted.
func (c *CPU) RunMasked(budget int) Exit {
	p := c.pic
	c.pic = nil
	defer func() { c.pic = p }()
	return c.Run(budget)
}

// DebugFallsThrough reports whether instruction in, about to execute at
// EIP (as the Trace hook sees it), can only continue at the instruction
// after it, restart itself (REP chunks) or raise an exception: it is no
// control transfer, changes no mode and opens no interrupt shadow. A
// debugger that runs with the Trace hook and calls Stop after every
// instruction for which it is false, and from OnInterrupt, sees every
// discontinuity before the next instruction runs: instructions the
// interpreter runs without calling Trace (after an interrupt shadow, or
// with EFLAGS.TF) only follow instructions for which it is false.
func (c *CPU) DebugFallsThrough(in *decoder.Inst) bool {
	if c.ops[in.Op].endsTrace {
		return false
	}
	return !(in.Op == 0x8E && in.Reg() == SS) // MOV SS opens a shadow
}

// InterruptReady reports whether DeliverInterrupt would take an external
// interrupt now (IF set, no interrupt shadow, one pending).
func (c *CPU) InterruptReady() bool {
	return !c.InhibitIRQ && c.Flags&FlagIF != 0 && c.pic != nil && c.pic.HasInterrupt()
}
