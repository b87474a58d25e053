package machine

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"bt86/clock"
	"bt86/cpu"
	"bt86/dbt"
	"bt86/mmu/shadow"
)

// Reason says why Run returned.
type Reason int

// Reasons.
const (
	// ReasonPowerOff: the CPU halted with interrupts disabled, which is
	// how Linux ends `poweroff -f` on a machine without ACPI (and how the
	// demo and test programs stop).
	ReasonPowerOff Reason = iota
	// ReasonTripleFault: the CPU shut down; Result.Detail has the chain.
	ReasonTripleFault
	// ReasonReset: the guest asked for a reset and Config.NoReboot is set.
	ReasonReset
	// ReasonDebugExit: the guest wrote the isa-debug-exit port.
	ReasonDebugExit
	// ReasonCanceled: Run's context was canceled.
	ReasonCanceled
	// ReasonStopCount: the instruction count given to StopAt was
	// reached, or a replay reached the end of the recorded run.
	ReasonStopCount
	// ReasonReplayEnd: a replay used up its input and the guest waits
	// for more (the recording was cut short).
	ReasonReplayEnd
)

func (r Reason) String() string {
	switch r {
	case ReasonPowerOff:
		return "poweroff"
	case ReasonTripleFault:
		return "triple-fault"
	case ReasonReset:
		return "reset"
	case ReasonDebugExit:
		return "debug-exit"
	case ReasonCanceled:
		return "canceled"
	case ReasonStopCount:
		return "stop-count"
	case ReasonReplayEnd:
		return "replay-end"
	}
	return fmt.Sprintf("reason(%d)", int(r))
}

// Result is how a Run ended, with statistics.
type Result struct {
	Reason     Reason
	Detail     string // the fault chain of a triple fault
	ExitStatus int    // ReasonDebugExit: value<<1 | 1, as QEMU reports it
	// CS and EIP where the CPU stopped.
	CS  uint16
	EIP uint32

	Instructions uint64        // retired during this Run
	HostTime     time.Duration // wall-clock time of this Run
	VirtualTime  clock.Time    // virtual time at the end
	Resets       int           // guest resets performed so far
	CPU          cpu.Stats     // interpreter counters since power-on
	DBT          *dbt.Stats    // translator counters (nil under the interpreter)
	MMU          shadow.Counters
}

// MIPS is the emulation speed of the Run in millions of instructions per
// host second.
func (r Result) MIPS() float64 {
	if r.HostTime <= 0 {
		return 0
	}
	return float64(r.Instructions) / r.HostTime.Seconds() / 1e6
}

// String describes how the guest stopped, for a status line.
func (r Result) String() string {
	switch r.Reason {
	case ReasonPowerOff:
		return "guest powered off (halted with interrupts disabled)"
	case ReasonTripleFault:
		return fmt.Sprintf("guest %s at %04x:%08x", r.Detail, r.CS, r.EIP)
	case ReasonReset:
		return "guest requested a reset (not rebooting)"
	case ReasonDebugExit:
		return fmt.Sprintf("guest exited through the debug exit port with status %d", r.ExitStatus)
	case ReasonCanceled:
		return "stopped"
	case ReasonStopCount:
		return "stopped at the instruction count"
	case ReasonReplayEnd:
		return "replay ran out of input"
	}
	return r.Reason.String()
}

// InternalError is an emulator bug caught while running a guest (a Go
// panic in the CPU or a device), with where the guest was.
type InternalError struct {
	Value any
	CS    uint16
	EIP   uint32
	Stack []byte
}

func (e *InternalError) Error() string {
	return fmt.Sprintf("internal error at guest %04x:%08x: %v", e.CS, e.EIP, e.Value)
}

// runState is the run loop's bookkeeping.
type runState struct {
	epoch       time.Time  // host time at which virtual time was epochVirt
	epochVirt   clock.Time //
	ips         float64    // host mode: measured instructions per second
	lastDisplay time.Time
	timer       *time.Timer
	// The current CPU slice, for sliceClock.
	inSlice    bool
	sliceStart clock.Time
	sliceEnd   clock.Time
	sliceCount uint64
	nsPerInstr float64
}

// Run runs the guest until it powers off, triple faults, asks for a reset
// (with Config.NoReboot), writes the debug exit port, or ctx is done.
// Guest resets are performed in place (the boot loader runs again). A
// panic inside the emulator is returned as an *InternalError.
func (m *Machine) Run(ctx context.Context) (res Result, err error) {
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
	m.calls.begin()
	defer m.calls.end()
	start := time.Now()
	startRetired := m.cpu.Stats.Retired
	defer func() {
		if r := recover(); r != nil {
			err = &InternalError{Value: r, CS: m.cpu.Seg[cpu.CS].Sel, EIP: m.cpu.EIP, Stack: debug.Stack()}
		}
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
		if m.dbt != nil {
			st := m.dbt.Stats
			res.DBT = &st
		}
	}()
	m.run.epoch, m.run.epochVirt = start, m.clk.Now()
	if m.run.ips == 0 {
		m.run.ips = 50e6
	}
	for {
		if ctx.Err() != nil {
			return Result{Reason: ReasonCanceled}, nil
		}
		m.calls.serve()
		if r, err, stop := m.turnCheck(); stop {
			return r, err
		}
		m.syncHostTime()
		m.tickDevices()
		if err := m.intake(); err != nil {
			return Result{}, err
		}
		m.feedInput()
		m.refreshDisplay(false)

		budget := m.capBudget(m.budget())
		var t0 time.Time
		if !m.cfg.Deterministic {
			t0 = time.Now()
		}
		m.beginSlice(budget)
		exit := m.exec.Run(budget)
		m.endSlice()
		if m.sliceHook != nil {
			m.sliceHook(exit)
		}
		if m.cfg.Deterministic {
			// endSlice moved the clock by the instructions retired; an
			// empty slice (an exception loop) still moves it.
			m.clk.Set(m.run.sliceStart + clock.Time(max(exit.Retired, 1))*clock.Time(m.cfg.NsPerInstruction))
		} else if dt := time.Since(t0); exit.Retired >= 1000 && dt > 0 {
			rate := float64(exit.Retired) / dt.Seconds()
			m.run.ips = 0.75*m.run.ips + 0.25*rate
		}

		if m.exitStatus >= 0 {
			st := m.exitStatus
			m.exitStatus = -1
			return Result{Reason: ReasonDebugExit, ExitStatus: st}, nil
		}
		if m.resetReq {
			if m.cfg.NoReboot {
				m.resetReq = false
				return Result{Reason: ReasonReset}, nil
			}
			if err := m.reset(); err != nil {
				return Result{}, fmt.Errorf("guest reset: %w", err)
			}
			continue
		}
		switch exit.Reason {
		case cpu.ExitShutdown:
			return Result{Reason: ReasonTripleFault, Detail: exit.Shutdown}, nil
		case cpu.ExitHalt:
			if m.cpu.Flags&cpu.FlagIF == 0 {
				return Result{Reason: ReasonPowerOff}, nil
			}
			m.idle(ctx)
		}
	}
}

// syncHostTime moves virtual time to the host's monotonic clock (host
// mode only).
func (m *Machine) syncHostTime() {
	if !m.cfg.Deterministic {
		m.clk.Set(m.run.epochVirt + clock.Time(time.Since(m.run.epoch)))
	}
}

// nextDeadline is the earliest deadline of the timed devices.
func (m *Machine) nextDeadline() clock.Time {
	dl := clock.Never
	for _, d := range m.timed {
		dl = min(dl, d.Deadline())
	}
	return dl
}

// tickDevices runs every device whose deadline has come.
func (m *Machine) tickDevices() {
	now := m.clk.Now()
	for _, d := range m.timed {
		if d.Deadline() <= now {
			d.Tick(now)
		}
	}
}

// budget is the instruction budget of the next slice: up to the next
// device deadline, at most sliceTime of guest time.
func (m *Machine) budget() int {
	span := sliceTime
	if len(m.pending) > 0 {
		// Input is waiting: end the slice after one character time at
		// 115200 baud, so input flows at least as fast as on a real line.
		span = charTime
	}
	if d := m.nextDeadline() - m.clk.Now(); d < span {
		span = max(d, 1)
	}
	if m.cfg.Deterministic {
		ns := clock.Time(m.cfg.NsPerInstruction)
		return int((span + ns - 1) / ns)
	}
	n := int(m.run.ips * float64(span) / float64(clock.Second))
	return min(max(n, 100), 100_000_000)
}

// charTime is the time one character takes on a 115200 baud line (10
// bits).
const charTime = 10 * clock.Second / 115200

// feedInput moves the input the run loop took (intake) into COM1 as far
// as its FIFO has room, and keystrokes into the i8042.
func (m *Machine) feedInput() {
	if len(m.keyq) > 0 {
		m.keyStall++
		for len(m.keyq) > 0 && m.kbc.SendSet1(m.keyq[0]) {
			m.keyq = m.keyq[1:]
			m.keyStall = 0
		}
		if m.keyStall > 5000 { // ~5 s of slices: the guest ignores the keyboard
			m.keyq, m.keyStall = nil, 0
		}
	}
	if len(m.pending) > 0 {
		n := m.com[0].Receive(m.pending)
		m.pending = m.pending[n:]
		if len(m.pending) == 0 {
			m.pending = nil
		}
	}
}

// refreshDisplay redraws the VGA text screen on Config.Display when it
// changed and the display interval has passed (or force).
func (m *Machine) refreshDisplay(force bool) {
	if m.cfg.Display == nil || !m.vga.Dirty() {
		return
	}
	if now := time.Now(); force || now.Sub(m.run.lastDisplay) >= m.cfg.DisplayInterval {
		m.run.lastDisplay = now
		_ = m.vga.RenderANSI(m.cfg.Display)
	}
}

// idle is called when the CPU halted with interrupts enabled: it moves
// to the next event. In deterministic mode virtual time jumps to the next
// device deadline; in host mode the host sleeps until it. Host input ends
// the wait early; it is taken by the next run loop turn (intake), so that
// a recording sees every input at a turn.
func (m *Machine) idle(ctx context.Context) {
	m.feedInput()
	if m.pic.HasInterrupt() || m.inputWaiting() {
		return
	}
	dl := m.nextDeadline()
	if m.cfg.Deterministic {
		if dl != clock.Never {
			m.clk.Set(dl)
			return
		}
		if m.rr.play != nil {
			m.idleForever()
			return
		}
		m.refreshDisplay(true)
		m.wait(ctx, nil)
		return
	}
	m.syncHostTime()
	wait := time.Hour
	if dl != clock.Never {
		wait = time.Duration(dl - m.clk.Now())
		if wait <= 0 {
			return
		}
	}
	m.refreshDisplay(true)
	if m.run.timer == nil {
		m.run.timer = time.NewTimer(wait)
	} else {
		m.run.timer.Reset(wait)
	}
	m.wait(ctx, m.run.timer.C)
	m.run.timer.Stop()
}

// wait blocks until timer fires, host input arrives (held for the next
// turn) or ctx is done, serving Do calls meanwhile without returning (a
// deterministic run must not see them).
func (m *Machine) wait(ctx context.Context, timer <-chan time.Time) {
	for {
		select {
		case <-timer:
		case b := <-m.input:
			m.rr.held = append(m.rr.held, inputEvent{Kind: inputSerial, Data: b})
		case k := <-m.keys:
			m.rr.held = append(m.rr.held, inputEvent{Kind: inputKey, Data: k})
		case <-m.calls.wake:
			m.calls.serve()
			continue
		case <-ctx.Done():
		}
		return
	}
}
