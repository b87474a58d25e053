package machine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime/debug"
	"strings"
	"time"

	"bt86/clock"
	"bt86/cpu"
	"bt86/gdbstub"
)

// Debugging under gdb (emu -s, -gdb, -S). The machine is a
// gdbstub.Target: gdbstub.CPUTarget does registers, memory, breakpoints,
// watchpoints and stepping on the vCPU, and the machine plugs its run
// loop into CPUTarget's hooks, so that devices tick and virtual time
// moves exactly as under Run: Before starts a slice (host time, due
// devices, input), After ends it (clock, guest resets, power-off, the
// debug exit port), Idle waits for the next event of a halted CPU. Free
// running slices use the configured engine; breakpoints, watchpoints and
// single steps use the interpreter's hooks (a translator falls back to
// the interpreter while they are active).

// GDBOptions configure ServeGDB.
type GDBOptions struct {
	// Wait keeps the guest stopped until the first debugger attaches
	// (qemu -S); otherwise it runs from the start.
	Wait bool
	// Logf, when set, receives the stub's session events and packets.
	Logf func(format string, args ...any)
}

// debugState is the bookkeeping of ServeGDB.
type debugState struct {
	ctx      context.Context
	start    time.Time // host time ServeGDB started
	retired  uint64    // instructions retired before it
	t0       time.Time // host time the current slice started
	end      *Result   // how the guest ended, once it did
	internal *InternalError
}

// DebugTarget is the machine as gdb sees it (see ServeGDB).
type DebugTarget struct {
	*gdbstub.CPUTarget
	m *Machine
}

// newDebugTarget returns the machine's Target for a debugging session
// whose idle waits end with ctx.
func (m *Machine) newDebugTarget(ctx context.Context) *DebugTarget {
	m.dbg = &debugState{ctx: ctx, start: time.Now(), retired: m.cpu.Stats.Retired}
	t := &DebugTarget{CPUTarget: gdbstub.NewCPUTarget(m.cpu), m: m}
	t.Engine = m.exec
	t.Budget = m.budget
	t.Before = t.before
	t.After = t.after
	t.Idle = t.idle
	return t
}

// ServeGDB runs the machine under the control of gdb debuggers connecting
// to ln (one at a time), until the guest powers off, triple faults or
// halts for good while no debugger is attached, gdb kills it (Result
// Reason ReasonCanceled, Detail "killed by the debugger"), or ctx is
// done. It returns like Run and closes ln. With opt.Wait and a guest
// that has not run yet, the CPU starts at a one-instruction boot stub in
// the BIOS area that jumps to the loaded entry point (as a boot loader
// or firmware would), so that a breakpoint at the entry point itself is
// reached by `continue` (gdb steps over a breakpoint at the address it
// resumes from).
func (m *Machine) ServeGDB(ctx context.Context, ln net.Listener, opt GDBOptions) (res Result, err error) {
	defer ln.Close()
	if m.closed {
		return Result{}, ErrClosed
	}
	if m.boot == nil {
		return Result{}, fmt.Errorf("nothing to run: load a kernel or a program first")
	}
	if !m.running.CompareAndSwap(false, true) {
		return Result{}, errors.New("machine: Run is already active")
	}
	defer m.running.Store(false)
	start := time.Now()
	startRetired := m.cpu.Stats.Retired
	if opt.Wait && m.cpu.Stats.Retired == 0 {
		m.enterViaStub()
	}
	m.run.epoch, m.run.epochVirt = start, m.clk.Now()
	if m.run.ips == 0 {
		m.run.ips = 50e6
	}
	t := m.newDebugTarget(ctx)
	defer func() { m.dbg = nil }()
	srv := &gdbstub.Server{Target: t, Running: !opt.Wait, ExitOnStop: true, Logf: opt.Logf}
	serr := srv.Serve(ctx, ln)
	defer func() {
		if m.cfg.Display != nil && m.vga.Dirty() {
			_ = m.vga.RenderANSI(m.cfg.Display)
		}
		res.CS, res.EIP = m.cpu.Seg[cpu.CS].Sel, m.cpu.EIP
		res.Instructions = m.cpu.Stats.Retired - startRetired
		res.HostTime = time.Since(start)
		res.VirtualTime = m.clk.Now()
		res.Resets = m.resets
		res.CPU = m.cpu.Stats
		res.MMU = m.cpu.MMU.Stats
	}()
	if ie := m.dbg.internal; ie != nil {
		return Result{}, ie
	}
	switch {
	case errors.Is(serr, gdbstub.ErrKilled):
		return Result{Reason: ReasonCanceled, Detail: "killed by the debugger"}, nil
	case serr == nil && m.dbg.end != nil:
		return *m.dbg.end, nil
	case serr == nil:
		return Result{Reason: ReasonCanceled, Detail: "the guest stopped"}, nil
	case ctx.Err() != nil:
		return Result{Reason: ReasonCanceled}, nil
	}
	return Result{}, serr
}

// bootStubAddr is where enterViaStub puts its jump: in the BIOS area,
// below the reset vector.
const bootStubAddr = BIOSEnd - 0x100

// enterViaStub makes the first instruction a jump to the loaded entry
// point, from the BIOS area: a near JMP in flat 32-bit protected mode, a
// far JMP in real mode. Other entry states are left alone.
func (m *Machine) enterViaStub() {
	c := m.cpu
	var code []byte
	switch {
	case c.CR0&cpu.CR0PE == 0:
		ip, cs := uint16(c.EIP), c.Seg[cpu.CS].Sel
		code = []byte{0xEA, byte(ip), byte(ip >> 8), byte(cs), byte(cs >> 8)} // jmp far cs:ip
		c.SetSegmentReal(cpu.CS, bootStubAddr>>4&0xF000)
		c.EIP = bootStubAddr - uint32(c.Seg[cpu.CS].Base)
	case c.Seg[cpu.CS].Base == 0 && c.Seg[cpu.CS].Big() && c.Flags&cpu.FlagVM == 0:
		rel := c.EIP - (bootStubAddr + 5)
		code = []byte{0xE9, byte(rel), byte(rel >> 8), byte(rel >> 16), byte(rel >> 24)} // jmp rel32
		c.EIP = bootStubAddr
	default:
		return
	}
	m.phys.NotifyWrite(bootStubAddr, len(code))
	copy(m.ram[bootStubAddr:], code)
	c.StateChanged()
}

// before starts a slice of budget instructions (0: an interrupt
// delivery), as Run's loop does before each slice.
func (t *DebugTarget) before(budget int) {
	m := t.m
	m.syncHostTime()
	m.tickDevices()
	m.feedInput()
	m.refreshDisplay(false)
	m.beginSlice(max(budget, 1))
	if !m.cfg.Deterministic {
		m.dbg.t0 = time.Now()
	}
}

// after ends a slice: the clock moves as under Run, and the machine
// events that end a Continue are reported.
func (t *DebugTarget) after(e cpu.Exit) (gdbstub.StopReason, bool) {
	m := t.m
	m.endSlice()
	if m.cfg.Deterministic {
		m.clk.Set(m.run.sliceStart + clock.Time(max(e.Retired, 1))*clock.Time(m.cfg.NsPerInstruction))
	} else if dt := time.Since(m.dbg.t0); e.Retired >= 1000 && dt > 0 {
		m.run.ips = 0.75*m.run.ips + 0.25*float64(e.Retired)/dt.Seconds() // as in Run
	}
	end := func(r Result, code int, detail string) (gdbstub.StopReason, bool) {
		m.dbg.end = &r
		return gdbstub.StopReason{Kind: gdbstub.StopExited, ExitCode: code, Detail: detail}, true
	}
	if m.exitStatus >= 0 {
		st := m.exitStatus
		m.exitStatus = -1
		return end(Result{Reason: ReasonDebugExit, ExitStatus: st}, st&0xFF, "debug exit port")
	}
	if m.resetReq {
		if m.cfg.NoReboot {
			m.resetReq = false
			return end(Result{Reason: ReasonReset}, 0, "reset requested")
		}
		if err := m.reset(); err != nil {
			m.dbg.internal = &InternalError{Value: fmt.Sprintf("guest reset: %v", err), CS: m.cpu.Seg[cpu.CS].Sel, EIP: m.cpu.EIP}
			return end(Result{}, 1, "reset failed")
		}
	}
	switch e.Reason {
	case cpu.ExitShutdown:
		m.dbg.end = &Result{Reason: ReasonTripleFault, Detail: e.Shutdown}
	case cpu.ExitHalt:
		if m.cpu.Flags&cpu.FlagIF == 0 {
			return end(Result{Reason: ReasonPowerOff}, 0, "power-off")
		}
	}
	return gdbstub.StopReason{}, false
}

// idle waits for the next event of a CPU halted with interrupts enabled
// (see Machine.idle), ending early when stop is closed.
func (t *DebugTarget) idle(stop <-chan struct{}) bool {
	ctx, cancel := context.WithCancel(t.m.dbg.ctx)
	defer cancel()
	go func() {
		select {
		case <-stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	t.m.idle(ctx)
	return true
}

// resume re-bases host time when the guest resumes after a stop, so time
// spent stopped in the debugger is not guest time.
func (t *DebugTarget) resume() {
	m := t.m
	m.run.epoch, m.run.epochVirt = time.Now(), m.clk.Now()
}

// guard turns a panic in the emulator into an InternalError that ends
// the session (the guest is gone).
func (t *DebugTarget) guard(r *gdbstub.StopReason) {
	if v := recover(); v != nil {
		m := t.m
		m.dbg.internal = &InternalError{Value: v, CS: m.cpu.Seg[cpu.CS].Sel, EIP: m.cpu.EIP, Stack: debug.Stack()}
		*r = gdbstub.StopReason{Kind: gdbstub.StopExited, ExitCode: 3, Detail: "internal error"}
	}
}

// Continue implements gdbstub.Target.
func (t *DebugTarget) Continue(stop <-chan struct{}) (r gdbstub.StopReason) {
	defer t.guard(&r)
	t.resume()
	return t.CPUTarget.Continue(stop)
}

// Step implements gdbstub.Target.
func (t *DebugTarget) Step() (r gdbstub.StopReason) {
	defer t.guard(&r)
	t.resume()
	return t.CPUTarget.Step()
}

// Monitor implements gdbstub.Target: the CPU target's commands, plus
// "info stats" (instructions, MIPS, engine and MMU counters since power
// on), "info blocks" with the engine named, and a machine-wide
// "system_reset".
func (t *DebugTarget) Monitor(cmd string) (string, error) {
	m := t.m
	switch cmd {
	case "info stats":
		d := time.Since(m.dbg.start)
		n := m.cpu.Stats.Retired - m.dbg.retired
		return m.StatsText() + fmt.Sprintf("this session: %d instructions in %.3f s of host time (stops included), %.1f MIPS\n",
			n, d.Seconds(), float64(n)/d.Seconds()/1e6), nil
	case "info blocks":
		s := m.cpu.Stats
		out := fmt.Sprintf("engine %s: retired=%d interpreter traces=%d trace-hits=%d invalidations=%d exceptions=%d interrupts=%d\nmmu: %s\n",
			m.cfg.Engine, s.Retired, s.Traces, s.TraceHits, s.Invalidations, s.Exceptions, s.Interrupts, m.cpu.MMU.Stats)
		if m.dbt != nil {
			out += fmt.Sprintf("dbt: %v\n", m.dbt.Stats)
		}
		return out, nil
	case "system_reset":
		if err := m.reset(); err != nil {
			return "", err
		}
		return "machine reset\n", nil
	}
	return t.CPUTarget.Monitor(cmd)
}

// StatsText describes the machine's counters since power-on: retired
// instructions, virtual time, the run loop's recent speed estimate (host
// time mode), the engine's and the shadow MMU's counters. The run loop owns them: call it from the
// goroutine running the guest, or while it is stopped.
func (m *Machine) StatsText() string {
	var b strings.Builder
	s := m.cpu.Stats
	fmt.Fprintf(&b, "instructions retired: %d\n", s.Retired)
	fmt.Fprintf(&b, "virtual time: %.6f s, guest resets: %d\n", float64(m.clk.Now())/1e9, m.resets)
	if !m.cfg.Deterministic {
		fmt.Fprintf(&b, "recent speed: %.1f MIPS (the run loop's estimate)\n", m.run.ips/1e6)
	}
	fmt.Fprintf(&b, "engine %s: traces=%d trace-hits=%d invalidations=%d exceptions=%d interrupts=%d\n",
		m.cfg.Engine, s.Traces, s.TraceHits, s.Invalidations, s.Exceptions, s.Interrupts)
	if m.dbt != nil {
		fmt.Fprintf(&b, "dbt: %v\n", m.dbt.Stats)
	}
	fmt.Fprintf(&b, "mmu: %s\n", m.cpu.MMU.Stats)
	return b.String()
}
