package cpu

import (
	"syscall"
	"testing"
	"time"

	"bt86/bus"
	"bt86/mmu"
)

// newFlat32 returns a CPU in 32-bit protected mode with flat 4 GiB
// segments, code at 0x1000 and the stack at 0x80000.
func newFlat32(tb testing.TB, code []byte) *CPU {
	tb.Helper()
	return newFlat32RAM(tb, code, 4<<20)
}

// newFlat32RAM is newFlat32 with size bytes of RAM.
func newFlat32RAM(tb testing.TB, code []byte, size int) *CPU {
	tb.Helper()
	ram := make([]byte, size)
	b := bus.New()
	c := New(Config{Phys: mmu.NewFlat(ram, b), Ports: b})
	copy(ram[0x1000:], code)
	flat := Segment{Base: 0, Limit: 0xFFFFFFFF, Attr: AttrP | AttrS | AttrRW | AttrAccessed | AttrDB | AttrG, Valid: true}
	for i := range c.Seg {
		c.Seg[i] = flat
	}
	c.Seg[CS].Attr |= AttrCode
	c.Seg[CS].Sel, c.Seg[SS].Sel, c.Seg[DS].Sel, c.Seg[ES].Sel = 0x08, 0x10, 0x10, 0x10
	c.CR0 |= CR0PE
	c.EIP = 0x1000
	c.Regs[ESP] = 0x80000
	c.StateChanged()
	return c
}

// cpuTime returns the user+system CPU time the process has used so far.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchGuest runs code (which must loop forever) for b.N instructions and
// reports guest MIPS by wall time ("MIPS") and by the CPU time the
// process used ("MIPS-cpu"), which stays comparable on a loaded host.
func benchGuest(b *testing.B, code []byte) {
	c := newFlat32(b, code)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime(b)
	left := b.N
	for left > 0 {
		n := min(left, 1_000_000)
		exit := c.Run(n)
		if exit.Reason != ExitBudget {
			b.Fatalf("guest stopped: %v %s", exit.Reason, exit.Shutdown)
		}
		left -= exit.Retired
	}
	b.StopTimer()
	used := cpuTime(b) - cpu0
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s/1e6, "MIPS")
	}
	if s := used.Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s/1e6, "MIPS-cpu")
	}
}

// BenchmarkInterpTightLoop: add eax, ecx; dec ecx; jnz (a register-only
// loop, three instructions per iteration).
func BenchmarkInterpTightLoop(b *testing.B) {
	benchGuest(b, []byte{
		0x01, 0xC8, // l: add eax, ecx
		0x49,       // dec ecx
		0x75, 0xFB, // jnz l
		0xEB, 0xF9, // jmp l (ECX wrapped)
	})
}

// BenchmarkInterpMixed: loads, stores, stack, a call/ret pair, a string
// store and a conditional branch per iteration, as compiled code does.
func BenchmarkInterpMixed(b *testing.B) {
	benchGuest(b, []byte{
		0xBE, 0x00, 0x00, 0x20, 0x00, // mov esi, 0x200000
		0xBF, 0x00, 0x00, 0x31, 0x00, // mov edi, 0x310000
		// loop:
		0x8B, 0x16, // mov edx, [esi]
		0x01, 0x17, // add [edi], edx
		0x51,                         // push ecx
		0xE8, 0x10, 0x00, 0x00, 0x00, // call f
		0x59,             // pop ecx
		0x8D, 0x76, 0x04, // lea esi, [esi+4]
		0x81, 0xE6, 0xFF, 0x0F, 0x20, 0x00, // and esi, 0x200FFF
		0xAB,       // stosd
		0x49,       // dec ecx
		0x75, 0xE8, // jnz loop
		0xEB, 0xE6, // jmp loop
		0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
		// f:
		0x89, 0xD0, // mov eax, edx
		0xC1, 0xE0, 0x02, // shl eax, 2
		0x81, 0xE7, 0xFF, 0x0F, 0x31, 0x00, // and edi, 0x310FFF
		0xC3, // ret
	})
}

// BenchmarkInterpCalls: a function called from four sites per iteration,
// so that its RET has four targets (more than a trace's links hold).
func BenchmarkInterpCalls(b *testing.B) {
	benchGuest(b, []byte{
		0xE8, 0x14, 0x00, 0x00, 0x00, // l: call f
		0xE8, 0x0F, 0x00, 0x00, 0x00, // call f
		0xE8, 0x0A, 0x00, 0x00, 0x00, // call f
		0xE8, 0x05, 0x00, 0x00, 0x00, // call f
		0x49,       // dec ecx
		0x75, 0xE9, // jnz l
		0xEB, 0xE7, // jmp l (ECX wrapped)
		0x01, 0xC8, // f: add eax, ecx
		0xC3, // ret
	})
}
