package gdbstub

import (
	"testing"

	"bt86/cpu"
)

// benchLoop runs 4-instruction loop iterations: inc eax; add ebx, eax;
// dec ecx; jnz (ECX counts down from b.N/4), then hlt.
func benchLoop(b *testing.B, setup func(*CPUTarget)) {
	code := []byte{0x40, 0x01, 0xC3, 0x49, 0x75, 0xFA, 0xF4}
	c, _ := newFlatCPU(b, code)
	c.Regs[cpu.ECX] = uint32(max(b.N/4, 1))
	tg := NewCPUTarget(c)
	setup(tg)
	b.ResetTimer()
	r := tg.Continue(nil)
	b.StopTimer()
	if r.Kind != StopHalted {
		b.Fatalf("stopped with %v", r.Kind)
	}
	b.ReportMetric(float64(c.Retired())/b.Elapsed().Seconds()/1e6, "MIPS")
}

// BenchmarkContinueFree is Continue with nothing inserted (interpreter
// slices).
func BenchmarkContinueFree(b *testing.B) { benchLoop(b, func(*CPUTarget) {}) }

// BenchmarkContinueBreakpoints is Continue with breakpoints inserted that
// are never hit (one instruction per Run, exact).
func BenchmarkContinueBreakpoints(b *testing.B) {
	benchLoop(b, func(t *CPUTarget) {
		for a := uint32(0x9000); a < 0x9010; a++ {
			t.SetBreakpoint(Breakpoint{Kind: BreakSoftware, Addr: a, Len: 1})
		}
	})
}

// BenchmarkContinueWatchpoint is Continue with a 4-byte write watchpoint.
func BenchmarkContinueWatchpoint(b *testing.B) {
	benchLoop(b, func(t *CPUTarget) {
		t.SetBreakpoint(Breakpoint{Kind: WatchWrite, Addr: 0x3000, Len: 4})
	})
}

// BenchmarkContinueBreakpointsStepOnly is the same with one instruction
// per Run (the mode used with watchpoints or TF).
func BenchmarkContinueBreakpointsStepOnly(b *testing.B) {
	benchLoop(b, func(t *CPUTarget) {
		t.stepOnly = true
		for a := uint32(0x9000); a < 0x9010; a++ {
			t.SetBreakpoint(Breakpoint{Kind: BreakSoftware, Addr: a, Len: 1})
		}
	})
}
