package gdbstub

import (
	"fmt"
	"sync"
)

// fakeTarget is a scripted Target: 64 KiB of memory at linear 0, the
// registers as plain values, and Continue results taken from a queue
// (an empty queue means "run until stopped").
type fakeTarget struct {
	mu      sync.Mutex
	regs    Registers
	mem     [64 << 10]byte
	stops   []StopReason
	bps     []Breakpoint
	calls   []string
	running chan struct{} // closed when a Continue that blocks starts
}

func newFakeTarget() *fakeTarget {
	f := &fakeTarget{running: make(chan struct{}, 1)}
	f.regs.EIP = 0x1000
	f.regs.GPR[4] = 0x8000
	f.regs.CS, f.regs.SS = 0x08, 0x10
	return f
}

func (f *fakeTarget) log(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
}

func (f *fakeTarget) Regs() Registers { return f.regs }

func (f *fakeTarget) SetRegs(r Registers) error {
	f.log("SetRegs eip=%x eax=%x", r.EIP, r.GPR[0])
	f.regs = r
	return nil
}

func (f *fakeTarget) ReadMemory(lin uint32, b []byte) error {
	if uint64(lin)+uint64(len(b)) > uint64(len(f.mem)) {
		return fmt.Errorf("%w: %#x", ErrUnmapped, lin)
	}
	copy(b, f.mem[lin:])
	return nil
}

func (f *fakeTarget) WriteMemory(lin uint32, b []byte) error {
	if uint64(lin)+uint64(len(b)) > uint64(len(f.mem)) {
		return fmt.Errorf("%w: %#x", ErrUnmapped, lin)
	}
	f.log("WriteMemory %x %x", lin, b)
	copy(f.mem[lin:], b)
	return nil
}

func (f *fakeTarget) ReadPhysical(addr uint64, b []byte) error {
	if addr+uint64(len(b)) > uint64(len(f.mem)) {
		return ErrUnmapped
	}
	copy(b, f.mem[addr:])
	return nil
}

func (f *fakeTarget) Step() StopReason {
	f.log("Step")
	f.regs.EIP++
	return StopReason{Kind: StopStep}
}

func (f *fakeTarget) Continue(stop <-chan struct{}) StopReason {
	f.log("Continue")
	if len(f.stops) > 0 {
		r := f.stops[0]
		f.stops = f.stops[1:]
		return r
	}
	select {
	case f.running <- struct{}{}:
	default:
	}
	<-stop
	return StopReason{Kind: StopInterrupted}
}

func (f *fakeTarget) SetBreakpoint(bp Breakpoint) error {
	if bp.Kind == WatchRead {
		return fmt.Errorf("%w: rwatch", ErrUnsupported)
	}
	f.log("Set %s %x %d", bp.Kind, bp.Addr, bp.Len)
	f.bps = append(f.bps, bp)
	return nil
}

func (f *fakeTarget) ClearBreakpoint(bp Breakpoint) error {
	f.log("Clear %s %x %d", bp.Kind, bp.Addr, bp.Len)
	for i, b := range f.bps {
		if b == bp {
			f.bps = append(f.bps[:i], f.bps[i+1:]...)
			break
		}
	}
	return nil
}

func (f *fakeTarget) Monitor(cmd string) (string, error) {
	if cmd == "info blocks" {
		return "blocks=42", nil
	}
	return "", ErrUnknownCommand
}

func (f *fakeTarget) callLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}
