//go:build linux && amd64

package dbt

import (
	"syscall"
	"testing"
	"time"

	"bt86/cpu"
)

// The guest programs are those of cpu/bench_test.go, so the translator's
// MIPS compare directly with the interpreter's (BenchmarkInterp*).

var (
	benchTight = []byte{
		0x01, 0xC8, // l: add eax, ecx
		0x49,       // dec ecx
		0x75, 0xFB, // jnz l
		0xEB, 0xF9, // jmp l (ECX wrapped)
	}
	benchMixed = []byte{
		0xBE, 0x00, 0x00, 0x02, 0x00, // mov esi, 0x20000
		0xBF, 0x00, 0x00, 0x03, 0x00, // mov edi, 0x30000
		// loop:
		0x8B, 0x16, // mov edx, [esi]
		0x01, 0x17, // add [edi], edx
		0x51,                         // push ecx
		0xE8, 0x10, 0x00, 0x00, 0x00, // call f
		0x59,             // pop ecx
		0x8D, 0x76, 0x04, // lea esi, [esi+4]
		0x81, 0xE6, 0xFF, 0x0F, 0x02, 0x00, // and esi, 0x20FFF
		0xAB,       // stosd
		0x49,       // dec ecx
		0x75, 0xE8, // jnz loop
		0xEB, 0xE6, // jmp loop
		0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
		// f:
		0x89, 0xD0, // mov eax, edx
		0xC1, 0xE0, 0x02, // shl eax, 2
		0x81, 0xE7, 0xFF, 0x0F, 0x03, 0x00, // and edi, 0x30FFF
		0xC3, // ret
	}
	benchCalls = []byte{
		0xE8, 0x14, 0x00, 0x00, 0x00, // l: call f
		0xE8, 0x0F, 0x00, 0x00, 0x00, // call f
		0xE8, 0x0A, 0x00, 0x00, 0x00, // call f
		0xE8, 0x05, 0x00, 0x00, 0x00, // call f
		0x49,       // dec ecx
		0x75, 0xE9, // jnz l
		0xEB, 0xE7, // jmp l (ECX wrapped)
		0x01, 0xC8, // f: add eax, ecx
		0xC3, // ret
	}
)

func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchDBT runs code (an endless loop) on the translator for b.N
// instructions and reports MIPS by wall time and by process CPU time.
func benchDBT(b *testing.B, code []byte) {
	c, _ := newFlatCPU(b, code, 1)
	c.Regs[cpu.ESP] = stackTop
	e, err := New(c)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime(b)
	for left := b.N; left > 0; {
		n := min(left, 1_000_000)
		x := e.Run(n)
		if x.Reason != cpu.ExitBudget {
			b.Fatalf("exit %v at %08x", x.Reason, c.EIP)
		}
		left -= x.Retired
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "MIPS")
	b.ReportMetric(float64(b.N)/(cpuTime(b)-cpu0).Seconds()/1e6, "MIPS-cpu")
	b.ReportMetric(float64(e.Stats.NativeRetired)/float64(b.N)*100, "%native")
}

func BenchmarkDBTTightLoop(b *testing.B) { benchDBT(b, benchTight) }
func BenchmarkDBTMixed(b *testing.B)     { benchDBT(b, benchMixed) }
func BenchmarkDBTCalls(b *testing.B)     { benchDBT(b, benchCalls) }

// BenchmarkTranslate measures translating one block (the mixed loop's
// body: loads, a read-modify-write, stack operations and a call), from
// decoding to placing the code.
func BenchmarkTranslate(b *testing.B) {
	c, _ := newFlatCPU(b, benchMixed, 1)
	e, err := New(c)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	c.EIP = codeBase + 10
	k := blockKey{phys: codeBase + 10, eip: c.EIP, key: e.modeKey()}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if e.mem.used > codeSize/2 {
			e.flush()
		}
		blk := e.translate(k)
		if blk == nil || blk.entry == 0 {
			b.Fatal("not translated")
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(e.Stats.CodeBytes)/float64(e.Stats.Blocks), "bytes/block")
	b.ReportMetric(float64(len(e.items)), "insns/block")
}
