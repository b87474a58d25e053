package gdbstub

import (
	"errors"
	"fmt"

	"bt86/cpu"
)

// Target is the machine a debugger drives: one vCPU and its memory.
//
// The stub calls a Target from one goroutine at a time, and only while
// the guest is stopped, except that Continue runs the guest and returns
// when it stops. Addresses called linear are guest-linear (segment base
// already added, before paging), as QEMU's gdbstub uses them: in a flat
// 32-bit guest they are the addresses the program uses.
type Target interface {
	// Regs returns the registers gdb sees.
	Regs() Registers
	// SetRegs writes back a Registers value, usually Regs() with some
	// fields changed. Only the fields that differ from the current state
	// are applied. A changed segment selector is loaded as a debugger
	// load (see cpu.CPU.DebugLoadSegment); an unchanged one keeps its
	// hidden descriptor cache.
	SetRegs(Registers) error

	// ReadMemory and WriteMemory access guest-linear memory through the
	// guest page tables, without access-rights checks, without setting
	// accessed/dirty bits, without raising guest exceptions and without
	// touching device space. An address that is not mapped, or maps to
	// no RAM or ROM, gives an error wrapping ErrUnmapped (gdb's E14). A
	// write that fails must leave memory unchanged.
	ReadMemory(lin uint32, b []byte) error
	WriteMemory(lin uint32, b []byte) error
	// ReadPhysical reads guest-physical RAM or ROM (monitor xp, info
	// tlb); device space gives an error wrapping ErrUnmapped.
	ReadPhysical(addr uint64, b []byte) error

	// Step executes exactly one guest instruction, or delivers the
	// exception the instruction raises (EIP is then the handler's first
	// instruction, not executed). External interrupts are held off while
	// stepping, as QEMU's gdbstub does. A watchpoint hit by the
	// instruction is reported as StopWatchpoint, otherwise StopStep.
	Step() StopReason
	// Continue runs the guest until it reaches an inserted breakpoint
	// (stopping before the instruction executes, including the first
	// instruction of an interrupt or exception handler), triggers a
	// watchpoint (stopping after the accessing instruction), stops by
	// itself (halt, shutdown, power-off), or stop is closed (Ctrl-C:
	// StopInterrupted, returned promptly). A breakpoint at the EIP where
	// Continue starts does not stop it: that instruction runs first.
	// Breakpoints are exact: no instruction is skipped or run twice.
	Continue(stop <-chan struct{}) StopReason

	// SetBreakpoint inserts a breakpoint or watchpoint; ClearBreakpoint
	// removes one inserted with the same value. The stub never inserts a
	// value twice nor clears one it did not insert. Software breakpoints
	// are never written into guest memory: the run loop compares the
	// linear address of the next instruction (CS base + EIP). Watchpoints
	// cover [Addr, Addr+Len) in linear addresses; a hit is any access of
	// the watched kind overlapping the range. Return an error wrapping
	// ErrUnsupported for a kind the target cannot watch (gdb then says so
	// or falls back to software watchpoints).
	SetBreakpoint(Breakpoint) error
	ClearBreakpoint(Breakpoint) error

	// Monitor runs a target-specific monitor command (gdb's `monitor`),
	// such as "info registers" with hidden segment state or "info
	// blocks" with engine statistics. Return an error wrapping
	// ErrUnknownCommand for commands it does not know: the stub then
	// tries its generic ones (x, xp, info tlb, a plain info registers).
	Monitor(cmd string) (string, error)
}

// Errors a Target returns (wrapped or not).
var (
	ErrUnmapped       = errors.New("gdbstub: address not mapped")
	ErrUnsupported    = errors.New("gdbstub: not supported by this target")
	ErrUnknownCommand = errors.New("gdbstub: unknown monitor command")
)

// Registers are the registers of the target description (target.xml):
// gdb's i386 core feature, then CR0, CR2, CR3 and CR4.
type Registers struct {
	GPR    [8]uint32 // EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI (cpu.EAX..cpu.EDI)
	EIP    uint32
	EFlags uint32
	// Segment selectors (gdb transfers them as 32-bit values).
	CS, SS, DS, ES, FS, GS uint16
	// ST holds ST(0)..ST(7) in stack order (ST(0) is physical register
	// TOP), as gdb's st0..st7.
	ST [8]cpu.Float80
	// x87 control registers: FTag is the full 16-bit tag word (two bits
	// per physical register, as FSTENV stores it); FStat includes TOP.
	FCtrl, FStat, FTag uint32
	FISeg, FIOff       uint32 // last instruction pointer (FCS:FIP)
	FOSeg, FOOff       uint32 // last operand pointer (FDS:FDP)
	FOp                uint32
	CR0, CR2, CR3, CR4 uint32
}

// BreakKind is the kind of a breakpoint or watchpoint (the Z packet type).
type BreakKind uint8

// Breakpoint kinds, numbered as Z0..Z4.
const (
	BreakSoftware BreakKind = iota // Z0: stop before executing Addr
	BreakHardware                  // Z1: the same, counted as a hardware breakpoint
	WatchWrite                     // Z2: stop after a write to [Addr, Addr+Len)
	WatchRead                      // Z3: stop after a read
	WatchAccess                    // Z4: stop after a read or a write
)

func (k BreakKind) String() string {
	switch k {
	case BreakSoftware:
		return "breakpoint"
	case BreakHardware:
		return "hw-breakpoint"
	case WatchWrite:
		return "watch"
	case WatchRead:
		return "rwatch"
	case WatchAccess:
		return "awatch"
	}
	return fmt.Sprintf("kind%d", uint8(k))
}

// IsWatch reports whether k is a watchpoint kind.
func (k BreakKind) IsWatch() bool { return k >= WatchWrite && k <= WatchAccess }

// Breakpoint is one inserted breakpoint or watchpoint. For breakpoints
// Len is gdb's "kind" (1 on x86) and is not used to match.
type Breakpoint struct {
	Kind BreakKind
	Addr uint32 // guest-linear
	Len  uint32
}

// Overlaps reports whether the watchpoint covers any byte of [addr,
// addr+n).
func (b Breakpoint) Overlaps(addr, n uint32) bool {
	return uint64(addr) < uint64(b.Addr)+uint64(max(b.Len, 1)) && uint64(b.Addr) < uint64(addr)+uint64(n)
}

// StopKind says why the guest stopped.
type StopKind uint8

// Stop kinds and the stop replies they become.
const (
	StopStep        StopKind = iota // a Step completed: T05
	StopBreakpoint                  // at Break.Addr, not executed: T05 with swbreak/hwbreak
	StopWatchpoint                  // after an access to DataAddr: T05 with watch/rwatch/awatch
	StopInterrupted                 // the stop channel was closed (Ctrl-C): T02
	StopHalted                      // HLT and nothing can wake the CPU: T05
	StopShutdown                    // triple fault (Detail has the chain): T0b (SIGSEGV)
	StopExited                      // the machine powered off: W with ExitCode
)

func (k StopKind) String() string {
	switch k {
	case StopStep:
		return "step"
	case StopBreakpoint:
		return "breakpoint"
	case StopWatchpoint:
		return "watchpoint"
	case StopInterrupted:
		return "interrupted"
	case StopHalted:
		return "halted"
	case StopShutdown:
		return "shutdown"
	case StopExited:
		return "exited"
	}
	return fmt.Sprintf("stop%d", uint8(k))
}

// StopReason is the result of Step and Continue.
type StopReason struct {
	Kind StopKind
	// Break is the breakpoint or watchpoint hit (StopBreakpoint,
	// StopWatchpoint).
	Break Breakpoint
	// DataAddr is the linear address whose access triggered a
	// watchpoint (inside Break's range).
	DataAddr uint32
	ExitCode int    // StopExited
	Detail   string // for StopShutdown and logs
}

// Signals used in stop replies (gdb's numbering).
const (
	sigINT  = 2
	sigTRAP = 5
	sigSEGV = 11
)
