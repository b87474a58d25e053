package machine

import (
	"io"
	"syscall"
	"testing"
	"time"

	"bt86/cpu"
)

// BenchmarkTracing measures the cost of tracing compiled in: the
// machine's engine running a guest loop (16-bit: inc, add to memory,
// dec, jnz) with no tracer ever installed ("plain"), with SetTrace
// called and every category off ("off"), with categories on whose hooks
// never fire in this loop ("io": no port access; "in_asm": the loop's
// traces are decoded once), and with "int" (an interrupt hook; none
// arrives). MIPS is guest instructions per host second; b.N counts
// instructions; MIPS-cpu divides by the process's CPU time instead of
// wall time, which stays comparable on a loaded host.
func BenchmarkTracing(b *testing.B) {
	loop := []byte{
		0x40,                   // 0: inc ax
		0x01, 0x06, 0x00, 0x11, // 1: add [0x1100], ax (not the code page)
		0x4B,       // 5: dec bx
		0x75, 0xF8, // 6: jnz 0
		0xEB, 0xF6, // 8: jmp 0
	}
	for _, tc := range []struct {
		name  string
		flags TraceFlags
		set   bool
	}{
		{"plain", 0, false},
		{"off", 0, true},
		{"io", TraceIO, true},
		{"in_asm", TraceInAsm, true},
		{"int", TraceInt, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			m, err := New(Config{MemoryMiB: 4, Deterministic: true})
			if err != nil {
				b.Fatal(err)
			}
			defer m.Close()
			if err := m.LoadProgram(loop); err != nil {
				b.Fatal(err)
			}
			if tc.set {
				m.SetTrace(TraceConfig{Flags: tc.flags, Out: io.Discard})
			}
			m.exec.Run(10_000) // warm the trace cache
			b.ResetTimer()
			cpu0 := processCPUTime(b)
			for left := b.N; left > 0; {
				e := m.exec.Run(min(left, 1_000_000))
				if e.Reason != cpu.ExitBudget {
					b.Fatalf("guest stopped: %v", e.Reason)
				}
				left -= e.Retired
			}
			b.StopTimer()
			used := processCPUTime(b) - cpu0
			if s := b.Elapsed().Seconds(); s > 0 {
				b.ReportMetric(float64(b.N)/s/1e6, "MIPS")
			}
			if s := used.Seconds(); s > 0 {
				b.ReportMetric(float64(b.N)/s/1e6, "MIPS-cpu")
			}
		})
	}
}

// processCPUTime returns the user+system CPU time the process has used.
func processCPUTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
