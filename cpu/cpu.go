package cpu

import (
	"bt86/decoder"
	"bt86/mmu"
	"bt86/mmu/shadow"
)

// PortIO is the CPU's view of I/O ports (bus.Bus satisfies it).
type PortIO interface {
	In(port uint16, size uint8) uint32
	Out(port uint16, size uint8, v uint32)
}

// InterruptController is the CPU's view of the interrupt controller
// (pic.Controller satisfies it).
type InterruptController interface {
	HasInterrupt() bool
	Acknowledge() uint8
}

// ExitReason says why Run returned.
type ExitReason uint8

// Exit reasons.
const (
	ExitBudget   ExitReason = iota // the instruction budget ran out
	ExitHalt                       // HLT with no interrupt to take
	ExitShutdown                   // triple fault (or a fault the CPU cannot deliver)
	ExitStop                       // Stop was requested (debugger, machine)
)

func (r ExitReason) String() string {
	switch r {
	case ExitBudget:
		return "budget"
	case ExitHalt:
		return "halt"
	case ExitShutdown:
		return "shutdown"
	case ExitStop:
		return "stop"
	}
	return "unknown"
}

// Exit is the result of Run.
type Exit struct {
	Reason  ExitReason
	Retired int // instructions retired by this Run
	// Spent is the budget this Run used: Retired plus one unit per
	// delivered exception and the REP iterations' share (RepCost).
	Spent int
	// Shutdown carries the faults that led to a triple fault.
	Shutdown string
}

// Executor is the seam shared by the interpreter and the translator: run
// the vCPU until an exit or until budget instructions have retired.
type Executor interface {
	Run(budget int) Exit
}

// Config wires a CPU to its machine.
type Config struct {
	Phys  *mmu.Phys
	Ports PortIO
	PIC   InterruptController // may be nil
	// CPUID overrides the model bt86 reports; zero means the default.
	Model *Model
}

// segCheck holds a copy of a segment's base and its limits for reads and
// writes, for the access fast path. The offsets lo..hi are allowed; the
// check of an access of n bytes at off, lo <= off && off+n-1 <= hi, is
// made as off-lo (modulo 2^32) + n-1 <= hi-lo, one comparison (off below
// lo wraps to more than hi-lo). An unusable access kind has a span of -1.
type segCheck struct {
	base         uint32
	rlo, wlo     uint32
	rspan, wspan int64
}

// segSpan returns the span of the offsets lo..hi, -1 if there are none.
func segSpan(lo, hi uint32) int64 {
	if lo > hi {
		return -1
	}
	return int64(hi) - int64(lo)
}

// readOK reports whether a read of n bytes at off is within the limits.
func (k *segCheck) readOK(off, n uint32) bool { return int64(off-k.rlo)+int64(n-1) <= k.rspan }

// writeOK reports whether a write of n bytes at off is within the limits.
func (k *segCheck) writeOK(off, n uint32) bool { return int64(off-k.wlo)+int64(n-1) <= k.wspan }

// Stats are interpreter counters.
type Stats struct {
	Retired uint64
	Traces  uint64 // traces decoded
	// TraceHits counts lookups answered by the jump cache or the trace
	// cache; transfers that follow a trace's links are not counted.
	TraceHits     uint64
	Invalidations uint64 // traces dropped by code writes
	Exceptions    uint64
	Interrupts    uint64
}

// CPU is one x86 vCPU with its reference interpreter.
type CPU struct {
	State

	MMU   *shadow.MMU
	phys  *mmu.Phys
	ram   []byte
	ports PortIO
	pic   InterruptController
	dec   *decoder.Decoder
	ops   *[decoder.NumOps]opInfo
	model Model

	// Per-instruction scratch.
	next   uint32 // EIP of the next instruction
	events uint32 // reasons to leave the current trace
	ran    int    // instructions retired in the current runSome
	// repCharge is budget used by REP iterations in the current runSome
	// (see repRun), on top of c.ran.
	repCharge int
	priv      int         // shadow-TLB privilege index: 1 at CPL 3
	segc      [8]segCheck // by segment register; 6 and 7 are unusable
	// tlbR and tlbW are the shadow-TLB read and write arrays of the
	// current space at privilege priv (see mmuChanged).
	tlbR, tlbW *[shadow.Entries]shadow.Entry
	spMask     uint32 // 0xFFFF or 0xFFFFFFFF by SS.B
	ipMask     uint32 // 0xFFFF or 0xFFFFFFFF by CS.D

	exc exception // the exception being raised (panic payload)
	// gen is the code generation: it changes with the mode, CS, the
	// privilege level, every write to cached code and every change of the
	// MMU's fetch translations, and validates trace links.
	gen      uint64
	traces   []*trace
	jumps    [jumpSlots]traceLink // see lookup
	stamps   []uint32             // code write stamps, one per RAM page
	stopReq  bool
	oneTrace bool // RunInterp: return after one trace
	Stats    Stats
	fpuHooks fpuHooks
	pm       pmState // protected-mode scratch (pm.go)
	// Trace, when set, is called before every instruction (debugging).
	Trace func(c *CPU, in *decoder.Inst)
	// TimeSource, when set, gives the time the TSC counts (in TSC ticks,
	// before State.TSC's offset); the machine sets it to its virtual clock
	// so the TSC and the timers agree. Unset, the TSC counts retired
	// instructions.
	TimeSource func() uint64
	// OnInterrupt, when set, is called as each interrupt or exception is
	// delivered (before the transfer), for tracing (-d int) and tests.
	OnInterrupt func(c *CPU, vector uint8, code uint32, hasCode bool)
	// OnCodeWrite, when set, is called when the guest writes a RAM page
	// holding cached code (the translator drops its blocks there).
	OnCodeWrite func(page uint64)
	// OnBlock, when set, is called as each block of guest code is
	// decoded (interpreter traces; translated blocks), for -d in_asm.
	OnBlock func(c *CPU, b *Block)
	// DataWatch, when set, is called after every guest data access that
	// takes the slow path (see debug_hooks.go): debuggers make the pages
	// they watch take it with MMU.WatchLinear.
	DataWatch func(c *CPU, lin uint32, n int, write bool)
}

// Event bits that end the current trace.
const (
	evEndTrace uint32 = 1 << iota // control flow or mode changed
	evSMC                         // code of a cached trace was written
	evInhibit                     // interrupts inhibited for one instruction
	evHalt
)

// New returns a CPU in the power-on state.
func New(cfg Config) *CPU {
	c := &CPU{
		phys:  cfg.Phys,
		ram:   cfg.Phys.RAM,
		ports: cfg.Ports,
		pic:   cfg.PIC,
		dec:   decoder.New(),
		ops:   opTable(),
	}
	if cfg.Model != nil {
		c.model = *cfg.Model
	} else {
		c.model = DefaultModel()
	}
	c.MMU = shadow.New(cfg.Phys)
	c.MMU.OnChange = c.mmuChanged
	c.traces = make([]*trace, traceSlots)
	c.stamps = make([]uint32, (len(c.ram)+mmu.PageSize-1)/mmu.PageSize)
	cfg.Phys.AddWatchHook(c.onCodeWrite)
	c.Reset()
	return c
}

// SetPIC connects the interrupt controller.
func (c *CPU) SetPIC(p InterruptController) { c.pic = p }

// Reset puts the CPU in its power-on state (real mode, CS:IP = F000:FFF0
// with CS base 0xFFFF0000).
func (c *CPU) Reset() {
	fpu := FPU{CW: 0x40, TW: 0x5555, MXCSR: 0x1F80}
	c.State = State{FPU: fpu}
	c.Flags = flagRes1
	c.Regs[EDX] = c.model.Signature
	c.CR0 = CR0ET | CR0CD | CR0NW
	for i := range c.Seg {
		c.Seg[i] = Segment{Limit: 0xFFFF, Attr: AttrP | AttrS | AttrRW | AttrAccessed, Valid: true}
	}
	c.Seg[CS] = Segment{Sel: 0xF000, Base: 0xFFFF0000, Limit: 0xFFFF, Attr: AttrP | AttrS | AttrCode | AttrRW | AttrAccessed, Valid: true}
	c.EIP = 0xFFF0
	c.IDTR.Limit = 0xFFFF
	c.GDTR.Limit = 0xFFFF
	c.LDTR = Segment{Limit: 0xFFFF, Attr: AttrP | 2, Valid: true}
	c.TR = Segment{Limit: 0xFFFF, Attr: AttrP | 3, Valid: true}
	c.DR[6] = 0xFFFF0FF0
	c.DR[7] = 0x400
	c.MSR.APICBase = 0xFEE00900
	c.MSR.PAT = 0x0007040600070406
	c.MSR.MTRRCap = 0x508
	c.MSR.MCGCap = 0
	c.StateChanged()
}

// StateChanged recomputes everything derived from State after the caller
// changed it directly (test harnesses, snapshots, debuggers).
func (c *CPU) StateChanged() {
	for i := range c.Seg {
		c.segUpdated(i)
	}
	for i := len(c.Seg); i < len(c.segc); i++ {
		c.segc[i] = segCheck{rspan: -1, wspan: -1}
	}
	c.modeChanged()
	c.MMU.SetControl(c.mmuControl())
	c.MMU.Flush()
}

func (c *CPU) mmuControl() mmu.Control {
	ctl := mmu.Control{CR0: c.CR0, CR3: c.CR3, CR4: c.CR4, EFER: c.EFER}
	if ctl.Paging() && ctl.PAE() {
		// The PDPTE registers are part of the CPU: a harness or a restore
		// that sets State directly reloads them from the guest's PDPT as
		// a MOV CR3 would (the MMU raises #GP for reserved bits only on a
		// guest write, so a bad PDPT here leaves the entries zero).
		if pd, err := mmu.LoadPDPTEs(c.phys, ctl.CR3); err == nil {
			ctl.PDPTE = pd
		}
	}
	return ctl
}

// mmuChanged is the MMU's change hook: the current space or its fetch
// translations changed.
func (c *CPU) mmuChanged() {
	c.gen++
	c.tlbR, c.tlbW = &c.MMU.Cur.Read[c.priv], &c.MMU.Cur.Write[c.priv]
}

// modeChanged recomputes the derived per-mode values.
func (c *CPU) modeChanged() {
	c.priv = 0
	if c.CPL == 3 {
		c.priv = 1
	}
	c.mmuChanged()
	c.spMask = 0xFFFF
	if c.Seg[SS].Big() {
		c.spMask = 0xFFFFFFFF
	}
	c.ipMask = 0xFFFF
	if c.Seg[CS].Big() {
		c.ipMask = 0xFFFFFFFF
	}
	c.gen++
	c.events |= evEndTrace
}

// segUpdated recomputes the fast-path limit checks of segment i.
func (c *CPU) segUpdated(i int) {
	s := &c.Seg[i]
	k := &c.segc[i]
	if !s.Valid || s.Attr&AttrP == 0 {
		*k = segCheck{base: s.Base, rspan: -1, wspan: -1}
		return
	}
	lo, hi := uint32(0), s.Limit
	if s.Attr&(AttrS|AttrCode|AttrDC) == AttrS|AttrDC { // expand-down data
		lo, hi = s.Limit+1, 0xFFFF
		if s.Big() {
			hi = 0xFFFFFFFF
		}
		if lo == 0 { // limit 0xFFFFFFFF: nothing is valid
			lo, hi = 1, 0
		}
	}
	*k = segCheck{base: s.Base, rlo: lo, wlo: lo, rspan: segSpan(lo, hi), wspan: segSpan(lo, hi)}
	if c.protected() && !c.v86() {
		code := s.Attr&AttrCode != 0
		if code && s.Attr&AttrRW == 0 {
			k.rspan = -1
		}
		if code || s.Attr&AttrRW == 0 {
			k.wspan = -1
		}
	}
	if i == SS || i == CS {
		c.modeChanged()
	}
}

func (c *CPU) protected() bool { return c.CR0&CR0PE != 0 }

func (c *CPU) v86() bool { return c.Flags&FlagVM != 0 }

// Stop asks Run to return at the next instruction boundary.
func (c *CPU) Stop() { c.stopReq = true; c.events |= evEndTrace }

// Retired is the number of instructions retired since power-on, as of
// the last return from Run.
func (c *CPU) Retired() uint64 { return c.Stats.Retired }

// InstructionCount is the exact number of instructions retired since
// power-on at any point, including inside Run (from an I/O port handler or
// an instruction that reads the TSC): time sources use it so that guest
// time moves within a CPU slice.
func (c *CPU) InstructionCount() uint64 { return c.Stats.Retired + uint64(c.ran) }
