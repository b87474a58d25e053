package gdbstub

import (
	"fmt"
	"strings"

	"bt86/cpu"
	"bt86/decoder"
)

// CPUTarget is a Target over a bare *cpu.CPU: the reference interpreter
// and its memory, with no devices or clock of its own (a machine that
// ticks devices implements Target itself, or wraps this one).
//
// With no breakpoint inserted, Continue runs the CPU (or Engine, while
// no watchpoint is set either) in slices of Slice instructions. With
// breakpoints inserted it runs the interpreter in slices with the Trace hook, which ends a slice
// after any instruction whose successor could be a breakpoint (its
// fall-through address is one, or it may not fall through:
// cpu.DebugFallsThrough) and after every interrupt or exception
// delivery; between slices the linear address of the next instruction
// (CS base + EIP) is compared with the breakpoints. External interrupts
// are delivered only between slices (cpu.DeliverInterrupt), before the
// check, so the first instruction of a handler is checked too. While
// EFLAGS.TF or an interrupt shadow make the interpreter skip the Trace
// hook it runs one instruction per cpu.RunMasked(1).
// No instruction is skipped or executed twice, and a REP instruction
// that runs in chunks hits its breakpoint once. Without asynchronous
// interrupts a run with breakpoints retires exactly the instructions of
// a free run; an interrupt that becomes pending inside a slice is taken
// at the end of the slice (in a free run at the end of the interpreter
// trace; both are valid x86 interrupt latencies).
//
// Speed on a tight 4-instruction loop (2-CPU host): free ~125-175
// MIPS, with breakpoints ~27-37 MIPS (one instruction per Run: ~13),
// with a write watchpoint ~5 MIPS (see bench_test.go).
//
// Watchpoints (write, read, access) make the watched linear pages take
// the interpreter's slow path (shadow.MMU.WatchLinear) and set the CPU's
// DataWatch hook, which sees every completed data access there (also
// the stack writes of an interrupt delivery) and stops the CPU after the
// accessing instruction; a write is reported even if it stores the value
// already there (gdb then decides whether a `watch` stops). With
// watchpoints but no breakpoints the interpreter runs its ordinary loop,
// interrupts included; the fast path costs nothing while no watchpoint
// is set.
type CPUTarget struct {
	CPU *cpu.CPU
	// Slice is the instruction budget of one Run while nothing is
	// inserted; 0 means 100000.
	Slice int
	// Blocks, when set, answers "monitor info blocks"; by default the
	// interpreter's and the shadow MMU's counters.
	Blocks func() string

	// Hooks for a machine with devices and a clock (all optional; a bare
	// CPU needs none).
	//
	// Engine runs the free-running slices (nil: the interpreter,
	// CPU.Run): a translator that keeps the CPU's state exact at exits
	// plugs in here. Breakpoints and watchpoints always single-step the
	// interpreter.
	Engine cpu.Executor
	// Budget sizes the next free-running slice (up to the next device
	// deadline); nil: Slice.
	Budget func() int
	// Before is called before every slice, step and interrupt delivery
	// with its instruction budget (0 for a delivery): the machine starts
	// its slice clock and runs the devices that are due.
	Before func(budget int)
	// After is called after every slice, step and interrupt delivery
	// with its exit: the machine advances its clock and runs the devices
	// that are due. A true result ends Continue or Step with the reason
	// returned (power-off, a guest reset, the debug exit port).
	After func(e cpu.Exit) (StopReason, bool)
	// Idle is called when Continue finds the CPU halted with nothing to
	// wake it: the machine waits for, or skips to, its next device event
	// and reports whether one can come (false makes Continue return
	// StopHalted). It must return promptly once stop is closed. nil:
	// Continue returns StopHalted.
	Idle func(stop <-chan struct{}) bool

	breaks  map[uint32]uint8 // linear address -> bit 1<<BreakKind
	bloom   [bloomBits / 64]uint64
	watches []Breakpoint
	// watchHit is the first watchpoint hit since the last run began.
	watchHit  StopReason
	hit       bool
	prevWatch func(c *cpu.CPU, lin uint32, n int, write bool)
	dec       *decoder.Decoder
	// Run state of runExact.
	last     uint32 // EIP of the last instruction started
	hookStop bool   // the Trace or interrupt hook asked the CPU to stop
	stepOnly bool   // tests: never use hooked slices
}

// NewCPUTarget returns a Target driving c.
func NewCPUTarget(c *cpu.CPU) *CPUTarget {
	return &CPUTarget{CPU: c, breaks: make(map[uint32]uint8), dec: decoder.New()}
}

// Regs implements Target.
func (t *CPUTarget) Regs() Registers {
	c := t.CPU
	var r Registers
	copy(r.GPR[:], c.Regs[:8])
	r.EIP = c.EIP
	r.EFlags = c.EFlags()
	r.CS, r.SS, r.DS = c.Seg[cpu.CS].Sel, c.Seg[cpu.SS].Sel, c.Seg[cpu.DS].Sel
	r.ES, r.FS, r.GS = c.Seg[cpu.ES].Sel, c.Seg[cpu.FS].Sel, c.Seg[cpu.GS].Sel
	f := &c.FPU
	top := int(f.SW>>11) & 7
	for i := range r.ST {
		r.ST[i] = f.Reg[(top+i)&7]
	}
	r.FCtrl, r.FStat, r.FTag = uint32(f.CW), uint32(f.SW), uint32(f.TW)
	r.FISeg, r.FIOff, r.FOSeg, r.FOOff = uint32(f.FCS), f.FIP, uint32(f.FDS), f.FDP
	r.FOp = uint32(f.FOP)
	r.CR0, r.CR2, r.CR3, r.CR4 = c.CR0, c.CR2, c.CR3, c.CR4
	return r
}

// SetRegs implements Target: control registers first (they decide how
// selectors load), then EFLAGS, then changed selectors.
func (t *CPUTarget) SetRegs(n Registers) error {
	c := t.CPU
	cur := t.Regs()
	if n == cur {
		return nil
	}
	copy(c.Regs[:8], n.GPR[:])
	c.EIP = n.EIP
	changed := false
	if n.CR0 != cur.CR0 || n.CR2 != cur.CR2 || n.CR3 != cur.CR3 || n.CR4 != cur.CR4 {
		c.CR0, c.CR2, c.CR3, c.CR4 = n.CR0, n.CR2, n.CR3, n.CR4
		changed = true
	}
	if n.EFlags != cur.EFlags {
		c.SetEFlags(n.EFlags)
		changed = changed || (n.EFlags^cur.EFlags)&cpu.FlagVM != 0
	}
	if changed {
		c.DebugStateChanged()
	}
	segs := []struct {
		idx      int
		new, old uint16
	}{{cpu.CS, n.CS, cur.CS}, {cpu.SS, n.SS, cur.SS}, {cpu.DS, n.DS, cur.DS}, {cpu.ES, n.ES, cur.ES}, {cpu.FS, n.FS, cur.FS}, {cpu.GS, n.GS, cur.GS}}
	var err error
	for _, s := range segs {
		if s.new != s.old && !c.DebugLoadSegment(s.idx, s.new) && err == nil {
			err = fmt.Errorf("gdbstub: cannot load selector %#04x", s.new)
		}
	}
	f := &c.FPU
	f.CW, f.SW, f.TW = uint16(n.FCtrl), uint16(n.FStat), uint16(n.FTag)
	top := int(f.SW>>11) & 7
	for i, v := range n.ST {
		f.Reg[(top+i)&7] = v
	}
	f.FCS, f.FIP, f.FDS, f.FDP = uint16(n.FISeg), n.FIOff, uint16(n.FOSeg), n.FOOff
	f.FOP = uint16(n.FOp) & 0x7FF
	return err
}

// ReadMemory implements Target.
func (t *CPUTarget) ReadMemory(lin uint32, b []byte) error {
	if !t.CPU.DebugReadLinear(lin, b) {
		return fmt.Errorf("%w: linear %#x+%d", ErrUnmapped, lin, len(b))
	}
	return nil
}

// WriteMemory implements Target. The debugger's writes are not guest
// accesses: they never trigger watchpoints.
func (t *CPUTarget) WriteMemory(lin uint32, b []byte) error {
	if !t.CPU.DebugWriteLinear(lin, b) {
		return fmt.Errorf("%w: linear %#x+%d", ErrUnmapped, lin, len(b))
	}
	return nil
}

// ReadPhysical implements Target.
func (t *CPUTarget) ReadPhysical(addr uint64, b []byte) error {
	if !t.CPU.DebugReadPhys(addr, b) {
		return fmt.Errorf("%w: physical %#x+%d", ErrUnmapped, addr, len(b))
	}
	return nil
}

// SetBreakpoint implements Target.
func (t *CPUTarget) SetBreakpoint(bp Breakpoint) error {
	switch bp.Kind {
	case BreakSoftware, BreakHardware:
		t.breaks[bp.Addr] |= 1 << bp.Kind
		t.rebuildBloom()
	case WatchWrite, WatchRead, WatchAccess:
		if len(t.watches) == 0 {
			t.prevWatch = t.CPU.DataWatch
			t.CPU.DataWatch = t.dataWatch
		}
		t.watches = append(t.watches, bp)
		t.forPages(bp, t.CPU.MMU.WatchLinear)
	default:
		return fmt.Errorf("%w: %s", ErrUnsupported, bp.Kind)
	}
	return nil
}

// forPages calls f with each linear page watchpoint bp covers.
func (t *CPUTarget) forPages(bp Breakpoint, f func(lin uint32)) {
	first := uint64(bp.Addr) &^ 0xFFF
	last := (uint64(bp.Addr) + uint64(max(bp.Len, 1)) - 1) &^ 0xFFF
	for p := first; p <= last; p += 0x1000 {
		f(uint32(p))
	}
}

// dataWatch is the CPU's DataWatch hook while watchpoints are set.
func (t *CPUTarget) dataWatch(c *cpu.CPU, lin uint32, n int, write bool) {
	if t.prevWatch != nil {
		t.prevWatch(c, lin, n, write)
	}
	for _, w := range t.watches {
		match := w.Kind == WatchAccess || (w.Kind == WatchWrite) == write
		if !match || !w.Overlaps(lin, uint32(n)) {
			continue
		}
		if !t.hit {
			t.hit = true
			t.watchHit = StopReason{Kind: StopWatchpoint, Break: w, DataAddr: max(lin, w.Addr)}
		}
		c.Stop()
		t.hookStop = true
		return
	}
}

// ClearBreakpoint implements Target.
func (t *CPUTarget) ClearBreakpoint(bp Breakpoint) error {
	switch bp.Kind {
	case BreakSoftware, BreakHardware:
		if k := t.breaks[bp.Addr] &^ (1 << bp.Kind); k != 0 {
			t.breaks[bp.Addr] = k
		} else {
			delete(t.breaks, bp.Addr)
		}
		t.rebuildBloom()
	default:
		for i, w := range t.watches {
			if w == bp {
				t.watches = append(t.watches[:i], t.watches[i+1:]...)
				t.forPages(bp, t.CPU.MMU.UnwatchLinear)
				if len(t.watches) == 0 {
					t.CPU.DataWatch, t.prevWatch = t.prevWatch, nil
				}
				break
			}
		}
	}
	return nil
}

// checkWatches reports the first watchpoint hit since it was last
// called.
func (t *CPUTarget) checkWatches() (StopReason, bool) {
	if !t.hit {
		return StopReason{}, false
	}
	t.hit = false
	return t.watchHit, true
}

func (t *CPUTarget) breakAt() (StopReason, bool) {
	c := t.CPU
	lin := c.Seg[cpu.CS].Base + c.EIP
	if !t.mayBreak(lin) {
		return StopReason{}, false
	}
	k := t.breaks[lin]
	kind := BreakSoftware
	if k&(1<<BreakSoftware) == 0 {
		kind = BreakHardware
	}
	return StopReason{Kind: StopBreakpoint, Break: Breakpoint{Kind: kind, Addr: lin, Len: 1}}, true
}

// exitStop maps a Run exit that ends a Continue to its stop reason.
func exitStop(e cpu.Exit) (StopReason, bool) {
	switch e.Reason {
	case cpu.ExitHalt:
		return StopReason{Kind: StopHalted, Detail: "HLT with no interrupt to wake the CPU"}, true
	case cpu.ExitShutdown:
		return StopReason{Kind: StopShutdown, Detail: e.Shutdown}, true
	case cpu.ExitStop:
		return StopReason{Kind: StopInterrupted, Detail: "cpu.Stop"}, true
	}
	return StopReason{}, false
}

// Step implements Target. A halted CPU takes a pending interrupt, since
// it can do nothing else.
func (t *CPUTarget) Step() StopReason {
	c := t.CPU
	var e cpu.Exit
	t.hit = false
	if c.Halted {
		var delivered bool
		t.before(0)
		delivered, e = c.DeliverInterrupt()
		if !delivered {
			t.afterRun(e)
			return StopReason{Kind: StopStep}
		}
	} else {
		t.before(1)
		e = c.RunMasked(1)
	}
	if t.After != nil {
		if r, end := t.After(e); end {
			return r
		}
	}
	if e.Reason == cpu.ExitShutdown {
		return StopReason{Kind: StopShutdown, Detail: e.Shutdown}
	}
	if r, hit := t.checkWatches(); hit {
		return r
	}
	return StopReason{Kind: StopStep}
}

// afterExit runs the After and Idle hooks for exit e of Continue and
// says whether Continue ends, with which reason.
func (t *CPUTarget) afterExit(e cpu.Exit, stop <-chan struct{}) (StopReason, bool) {
	if e.Reason == cpu.ExitStop && t.hookStop {
		e.Reason = cpu.ExitBudget // our hooks stopped it, not a Stop call
	}
	if t.After != nil {
		if r, end := t.After(e); end {
			return r, true
		}
	}
	r, done := exitStop(e)
	if done && r.Kind == StopHalted && t.Idle != nil && t.Idle(stop) {
		return StopReason{}, false
	}
	return r, done
}

// before calls the Before hook.
func (t *CPUTarget) before(budget int) {
	if t.Before != nil {
		t.Before(budget)
	}
}

// afterRun calls the After hook for a run whose result is not used.
func (t *CPUTarget) afterRun(e cpu.Exit) {
	if t.After != nil {
		t.After(e)
	}
}

// Continue implements Target.
func (t *CPUTarget) Continue(stop <-chan struct{}) StopReason {
	t.hit = false
	if len(t.breaks) == 0 {
		return t.runFree(stop)
	}
	return t.runExact(stop)
}

func stopped(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// runFree runs without breakpoints: the engine, or the interpreter
// while watchpoints are set (its slow path reports the accesses).
func (t *CPUTarget) runFree(stop <-chan struct{}) StopReason {
	var engine cpu.Executor = t.CPU
	if t.Engine != nil && len(t.watches) == 0 {
		engine = t.Engine
	}
	for {
		if stopped(stop) {
			return StopReason{Kind: StopInterrupted}
		}
		n := t.sliceBudget()
		t.before(n)
		t.hookStop = false
		e := engine.Run(n)
		if r, done := t.afterExit(e, stop); done {
			return r
		}
		if r, hit := t.checkWatches(); hit {
			return r
		}
	}
}

// checkEvery is how many runs runExact makes between looks at the stop
// channel.
const checkEvery = 64

// runExact runs with breakpoints inserted (and maybe watchpoints). It
// runs interpreter slices with the Trace hook,
// which stops the slice after any instruction whose successor could be
// a breakpoint (its fall-through address is one, or it may not fall
// through: cpu.DebugFallsThrough) and after any interrupt or exception
// delivery (OnInterrupt); between slices it checks EIP. While EFLAGS.TF
// or an interrupt shadow make the interpreter skip the hook, it runs one
// instruction at a time. External interrupts are
// taken only between runs (cpu.DeliverInterrupt), so the first
// instruction of every handler is checked.
func (t *CPUTarget) runExact(stop <-chan struct{}) StopReason {
	c := t.CPU
	hooked := !t.stepOnly
	if hooked {
		prevTrace, prevIntr := c.Trace, c.OnInterrupt
		c.Trace = func(c *cpu.CPU, in *decoder.Inst) {
			if prevTrace != nil {
				prevTrace(c, in)
			}
			t.traceHook(c, in)
		}
		c.OnInterrupt = func(c *cpu.CPU, vec uint8, code uint32, hasCode bool) {
			if prevIntr != nil {
				prevIntr(c, vec, code, hasCode)
			}
			c.Stop()
			t.hookStop = true
		}
		defer func() { c.Trace, c.OnInterrupt = prevTrace, prevIntr }()
	}
	// The instruction at the starting EIP runs even if it is a
	// breakpoint (that is how gdb resumes from one), also when an
	// interrupt is taken first, like the x86 resume flag.
	resume, resumeAt := true, c.Seg[cpu.CS].Base+c.EIP
	repeat := false    // the last instruction restarted itself (REP chunks)
	delivered := false // an interrupt was just delivered
	for i := 0; ; i++ {
		if i%checkEvery == 0 && stopped(stop) {
			return StopReason{Kind: StopInterrupted}
		}
		// Interrupts before the breakpoint check: a pending maskable
		// interrupt has priority over a code breakpoint (SDM vol. 3
		// 6.9). As the interpreter does, one instruction runs after a
		// delivery before the next can be taken.
		var e cpu.Exit
		if !delivered && c.InterruptReady() {
			t.before(0)
			t.hookStop = false
			delivered, e = c.DeliverInterrupt()
			if r, done := t.afterExit(e, stop); done {
				return r
			}
			if r, hit := t.checkWatches(); hit {
				return r
			}
			if delivered {
				repeat = false
				continue
			}
		}
		delivered = false
		cs := c.Seg[cpu.CS].Base
		lin := cs + c.EIP
		if !repeat && !(resume && lin == resumeAt) {
			if r, hit := t.breakAt(); hit {
				return r
			}
		}
		if lin == resumeAt {
			resume = false
		}
		t.last = c.EIP
		t.hookStop = false
		n := 1
		if hooked && c.Flags&cpu.FlagTF == 0 && !c.InhibitIRQ {
			n = t.sliceBudget()
		}
		t.before(n)
		e = c.RunMasked(n)
		// A REP string instruction that restarts (it runs in chunks) is
		// one instruction: its breakpoint is not hit again.
		repeat = c.EIP == t.last && c.Seg[cpu.CS].Base == cs && t.isRepString()
		if r, done := t.afterExit(e, stop); done {
			return r
		}
		if r, hit := t.checkWatches(); hit {
			return r
		}
	}
}

// traceHook runs before every instruction of a hooked slice.
func (t *CPUTarget) traceHook(c *cpu.CPU, in *decoder.Inst) {
	t.last = c.EIP
	if t.hookStop {
		return
	}
	mask := uint32(0xFFFF)
	if c.Seg[cpu.CS].Big() {
		mask = 0xFFFFFFFF
	}
	next := c.Seg[cpu.CS].Base + (c.EIP+uint32(in.Len))&mask
	if !c.DebugFallsThrough(in) || t.mayBreak(next) {
		c.Stop()
		t.hookStop = true
	}
}

// mayBreak is a quick filter: false means no breakpoint at lin.
func (t *CPUTarget) mayBreak(lin uint32) bool {
	h := (lin ^ lin>>16) & (bloomBits - 1)
	if t.bloom[h/64]&(1<<(h%64)) == 0 {
		return false
	}
	_, ok := t.breaks[lin]
	return ok
}

// bloomBits is the size of the breakpoint filter.
const bloomBits = 1 << 16

func (t *CPUTarget) rebuildBloom() {
	clear(t.bloom[:])
	for lin := range t.breaks {
		h := (lin ^ lin>>16) & (bloomBits - 1)
		t.bloom[h/64] |= 1 << (h % 64)
	}
}

// isRepString reports whether the instruction at CS:t.last is a string
// instruction with a REP prefix.
func (t *CPUTarget) isRepString() bool {
	c := t.CPU
	var b [decoder.MaxLen]byte
	lin := c.Seg[cpu.CS].Base + t.last
	n := len(b)
	for n > 0 && !c.DebugReadLinear(lin, b[:n]) {
		n-- // the instruction may end before an unmapped page
	}
	in, err := t.dec.Decode(b[:n], c.Seg[cpu.CS].Big())
	if err != nil || in.Flags&(decoder.FlagRep|decoder.FlagRepne) == 0 {
		return false
	}
	op := in.Op
	return op >= 0xA4 && op <= 0xA7 || op >= 0xAA && op <= 0xAF || op >= 0x6C && op <= 0x6F
}

func (t *CPUTarget) sliceBudget() int {
	n := t.Slice
	if t.Budget != nil {
		n = t.Budget()
	}
	if n <= 0 {
		n = 100000
	}
	return n
}

// Monitor implements Target: a detailed "info registers", "info blocks"
// and "system_reset" (a CPU reset).
func (t *CPUTarget) Monitor(cmd string) (string, error) {
	c := t.CPU
	switch cmd {
	case "info registers":
		return cpuRegisters(c), nil
	case "info blocks":
		if t.Blocks != nil {
			return t.Blocks(), nil
		}
		s := c.Stats
		return fmt.Sprintf("interpreter: retired=%d traces=%d trace-hits=%d invalidations=%d exceptions=%d interrupts=%d\nmmu: %s\n",
			s.Retired, s.Traces, s.TraceHits, s.Invalidations, s.Exceptions, s.Interrupts, c.MMU.Stats), nil
	case "system_reset":
		c.Reset()
		return "CPU reset\n", nil
	}
	return "", ErrUnknownCommand
}

// cpuRegisters is info registers with the hidden state, in QEMU's layout.
func cpuRegisters(c *cpu.CPU) string {
	var b strings.Builder
	r := &c.Regs
	fl := c.EFlags()
	fmt.Fprintf(&b, "EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n", r[cpu.EAX], r[cpu.EBX], r[cpu.ECX], r[cpu.EDX])
	fmt.Fprintf(&b, "ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n", r[cpu.ESI], r[cpu.EDI], r[cpu.EBP], r[cpu.ESP])
	fmt.Fprintf(&b, "EIP=%08x EFL=%08x %s CPL=%d II=%d HLT=%d\n", c.EIP, fl, eflagsString(fl), c.CPL, b2i(c.InhibitIRQ), b2i(c.Halted))
	seg := func(name string, s cpu.Segment) {
		valid := ""
		if !s.Valid {
			valid = " (unusable)"
		}
		fmt.Fprintf(&b, "%-3s=%04x %08x %08x %04x DPL=%d%s\n", name, s.Sel, s.Base, s.Limit, s.Attr, s.DPL(), valid)
	}
	for _, s := range []struct {
		name string
		idx  int
	}{{"ES", cpu.ES}, {"CS", cpu.CS}, {"SS", cpu.SS}, {"DS", cpu.DS}, {"FS", cpu.FS}, {"GS", cpu.GS}} {
		seg(s.name, c.Seg[s.idx])
	}
	seg("LDT", c.LDTR)
	seg("TR", c.TR)
	fmt.Fprintf(&b, "GDT=     %08x %08x\n", c.GDTR.Base, c.GDTR.Limit)
	fmt.Fprintf(&b, "IDT=     %08x %08x\n", c.IDTR.Base, c.IDTR.Limit)
	fmt.Fprintf(&b, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n", c.CR0, c.CR2, c.CR3, c.CR4)
	fmt.Fprintf(&b, "DR0=%08x DR1=%08x DR2=%08x DR3=%08x\n", c.DR[0], c.DR[1], c.DR[2], c.DR[3])
	fmt.Fprintf(&b, "DR6=%08x DR7=%08x\n", c.DR[6], c.DR[7])
	fmt.Fprintf(&b, "EFER=%016x\n", c.EFER)
	f := &c.FPU
	fmt.Fprintf(&b, "FCW=%04x FSW=%04x [ST=%d] FTW=%04x FOP=%04x FIP=%04x:%08x FDP=%04x:%08x\n",
		f.CW, f.SW, f.SW>>11&7, f.TW, f.FOP, f.FCS, f.FIP, f.FDS, f.FDP)
	top := int(f.SW>>11) & 7
	for i := 0; i < 8; i++ {
		v := f.Reg[(top+i)&7]
		sep := " "
		if i%2 == 1 {
			sep = "\n"
		}
		fmt.Fprintf(&b, "FPR%d=%016x %04x%s", i, v.Mant, v.SExp, sep)
	}
	return b.String()
}

func b2i(v bool) int {
	if v {
		return 1
	}
	return 0
}
