package gdbstub

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bt86/cpu"
	"bt86/decoder"
)

// loopProgram counts to 10: EAX=10, EBX=55, EDX=5 (odd EAX values).
var loopProgram = []byte{
	0xB9, 0x0A, 0x00, 0x00, 0x00, // 1000 mov ecx, 10
	0x40,       // 1005 l: inc eax
	0x01, 0xC3, // 1006 add ebx, eax
	0xA8, 0x01, // 1008 test al, 1
	0x74, 0x01, // 100a jz skip
	0x42,       // 100c inc edx
	0x49,       // 100d skip: dec ecx
	0x75, 0xF5, // 100e jnz l
	0xF4, // 1010 hlt
}

// withTables installs a GDT (null, flat code 0x08, flat data 0x10) at
// 0x5000 and an empty IDT at 0x4000 with room for 64 vectors.
func withTables(c *cpu.CPU, ram []byte) {
	binary.LittleEndian.PutUint64(ram[0x5008:], flatCode)
	binary.LittleEndian.PutUint64(ram[0x5010:], flatData)
	c.GDTR = cpu.Table{Base: 0x5000, Limit: 23}
	c.IDTR = cpu.Table{Base: 0x4000, Limit: 64*8 - 1}
}

// gate installs a 32-bit interrupt gate for vector vec to handler.
func gate(ram []byte, vec int, handler uint32) {
	lo := handler&0xFFFF | 0x08<<16
	hi := handler&0xFFFF0000 | 0x8E00
	binary.LittleEndian.PutUint32(ram[0x4000+8*vec:], lo)
	binary.LittleEndian.PutUint32(ram[0x4000+8*vec+4:], hi)
}

// executions runs code freely with the Trace hook and counts how often
// each address executes; it returns them with the final state.
func executions(t *testing.T, code []byte) (map[uint32]int, cpu.State, uint64) {
	c, _ := newFlatCPU(t, code)
	n := map[uint32]int{}
	c.Trace = func(c *cpu.CPU, _ *decoder.Inst) { n[c.EIP]++ }
	require.Equal(t, cpu.ExitHalt, c.Run(100000).Reason)
	return n, c.State, c.Retired()
}

func TestBreakpointsAreExact(t *testing.T) {
	want, final, retired := executions(t, loopProgram)
	require.Equal(t, uint32(55), final.Regs[cpu.EBX])
	for _, tc := range []struct {
		name  string
		addrs []uint32
		hits  int
	}{
		{"start address runs first", []uint32{0x1000}, 0},
		{"loop head", []uint32{0x1005}, want[0x1005]},
		{"after a taken-or-not branch", []uint32{0x100c}, want[0x100c]},
		{"branch target", []uint32{0x100d}, want[0x100d]},
		{"last instruction", []uint32{0x1010}, 1},
		{"several", []uint32{0x1005, 0x100c, 0x1010}, want[0x1005] + want[0x100c] + 1},
		{"never reached", []uint32{0x2000}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newFlatCPU(t, loopProgram)
			tg := NewCPUTarget(c)
			for _, a := range tc.addrs {
				require.NoError(t, tg.SetBreakpoint(Breakpoint{Kind: BreakSoftware, Addr: a, Len: 1}))
			}
			hits := 0
			for {
				r := tg.Continue(make(chan struct{}))
				if r.Kind != StopBreakpoint {
					require.Equal(t, StopHalted, r.Kind)
					break
				}
				assert.Contains(t, tc.addrs, c.EIP)
				assert.Equal(t, c.EIP, r.Break.Addr)
				hits++
			}
			assert.Equal(t, tc.hits, hits)
			assert.Equal(t, final.Regs, c.Regs, "same final registers as a free run")
			assert.Equal(t, retired, c.Retired(), "same instructions retired as a free run")
		})
	}
}

func TestHardwareBreakpointAndKinds(t *testing.T) {
	c, _ := newFlatCPU(t, loopProgram)
	tg := NewCPUTarget(c)
	hw := Breakpoint{Kind: BreakHardware, Addr: 0x100d, Len: 1}
	sw := Breakpoint{Kind: BreakSoftware, Addr: 0x100d, Len: 1}
	require.NoError(t, tg.SetBreakpoint(hw))
	r := tg.Continue(nil)
	assert.Equal(t, StopReason{Kind: StopBreakpoint, Break: hw}, r)
	require.NoError(t, tg.SetBreakpoint(sw))
	assert.Equal(t, BreakSoftware, tg.Continue(nil).Break.Kind, "software wins when both are set")
	require.NoError(t, tg.ClearBreakpoint(sw))
	assert.Equal(t, BreakHardware, tg.Continue(nil).Break.Kind)
	require.NoError(t, tg.ClearBreakpoint(hw))
	assert.Equal(t, StopHalted, tg.Continue(nil).Kind)
}

// onePIC raises one interrupt.
type onePIC struct {
	pending bool
	vec     uint8
}

func (p *onePIC) HasInterrupt() bool { return p.pending }
func (p *onePIC) Acknowledge() uint8 { p.pending = false; return p.vec }

func TestBreakpointOnInterruptHandler(t *testing.T) {
	code := []byte{
		0xFB,       // 1000 sti
		0x90,       // 1001 nop (interrupt shadow)
		0x90,       // 1002 nop: the interrupt comes before it
		0xEB, 0xFC, // 1003 jmp 1001
	}
	c, ram := newFlatCPU(t, code)
	withTables(c, ram)
	copy(ram[0x1100:], []byte{0x42, 0xCF}) // inc edx; iret
	gate(ram, 0x20, 0x1100)
	pic := &onePIC{pending: true, vec: 0x20}
	c.SetPIC(pic)
	tg := NewCPUTarget(c)
	require.NoError(t, tg.SetBreakpoint(Breakpoint{Kind: BreakSoftware, Addr: 0x1100, Len: 1}))
	r := tg.Continue(nil)
	require.Equal(t, StopBreakpoint, r.Kind)
	assert.Equal(t, uint32(0x1100), c.EIP)
	assert.Zero(t, c.Regs[cpu.EDX], "the handler's first instruction has not run")
	assert.Equal(t, uint64(2), c.Retired(), "sti and the shadowed nop")
	// Stepping runs exactly the handler's first instruction.
	assert.Equal(t, StopStep, tg.Step().Kind)
	assert.Equal(t, uint32(1), c.Regs[cpu.EDX])
	assert.Equal(t, uint32(0x1101), c.EIP)
	assert.Equal(t, StopStep, tg.Step().Kind) // iret
	assert.Equal(t, uint32(0x1002), c.EIP)
}

func TestStepHoldsInterruptsOff(t *testing.T) {
	c, ram := newFlatCPU(t, []byte{0x90, 0x90, 0x90, 0xF4})
	withTables(c, ram)
	copy(ram[0x1100:], []byte{0x42, 0xCF})
	gate(ram, 0x21, 0x1100)
	c.Flags |= cpu.FlagIF
	pic := &onePIC{pending: true, vec: 0x21}
	c.SetPIC(pic)
	tg := NewCPUTarget(c)
	for i := 1; i <= 3; i++ {
		require.Equal(t, StopStep, tg.Step().Kind)
		assert.Equal(t, uint32(0x1000+i), c.EIP)
	}
	assert.True(t, pic.pending, "steps do not take interrupts")
	require.NoError(t, tg.SetBreakpoint(Breakpoint{Kind: BreakHardware, Addr: 0x1100, Len: 1}))
	r := tg.Continue(nil)
	assert.Equal(t, StopBreakpoint, r.Kind)
	assert.Equal(t, uint32(0x1100), c.EIP)
}

func TestStepOverFaultStopsAtHandler(t *testing.T) {
	c, ram := newFlatCPU(t, []byte{0x0F, 0x0B}) // ud2
	withTables(c, ram)
	copy(ram[0x1100:], []byte{0x42, 0xF4}) // inc edx; hlt
	gate(ram, 6, 0x1100)
	tg := NewCPUTarget(c)
	assert.Equal(t, StopStep, tg.Step().Kind)
	assert.Equal(t, uint32(0x1100), c.EIP)
	assert.Zero(t, c.Regs[cpu.EDX])
	assert.Equal(t, StopStep, tg.Step().Kind)
	assert.Equal(t, uint32(1), c.Regs[cpu.EDX])
}

func TestShutdownAndHalt(t *testing.T) {
	// int3 with an empty IDT: #GP, #DF, triple fault.
	c, _ := newFlatCPU(t, []byte{0xCC})
	c.IDTR = cpu.Table{}
	tg := NewCPUTarget(c)
	r := tg.Continue(nil)
	assert.Equal(t, StopShutdown, r.Kind)
	assert.Contains(t, r.Detail, "triple fault")

	c, _ = newFlatCPU(t, []byte{0xF4})
	tg = NewCPUTarget(c)
	require.NoError(t, tg.SetBreakpoint(Breakpoint{Kind: BreakSoftware, Addr: 0x9999}))
	assert.Equal(t, StopHalted, tg.Continue(nil).Kind, "exact mode")
	assert.Equal(t, StopStep, tg.Step().Kind, "a step of a halted CPU does nothing")
	assert.Equal(t, uint32(0x1001), c.EIP)
}

func TestContinueStops(t *testing.T) {
	for _, exact := range []bool{false, true} {
		c, _ := newFlatCPU(t, []byte{0xEB, 0xFE}) // jmp $
		tg := NewCPUTarget(c)
		if exact {
			require.NoError(t, tg.SetBreakpoint(Breakpoint{Kind: BreakSoftware, Addr: 0x9999}))
		}
		stop := make(chan struct{})
		done := make(chan StopReason)
		go func() { done <- tg.Continue(stop) }()
		time.Sleep(10 * time.Millisecond)
		close(stop)
		select {
		case r := <-done:
			assert.Equal(t, StopInterrupted, r.Kind)
			assert.Equal(t, uint32(0x1000), c.EIP)
		case <-time.After(10 * time.Second):
			t.Fatal("Continue ignored its stop channel")
		}
	}
}

func TestWriteWatchpoint(t *testing.T) {
	code := []byte{
		0xC7, 0x05, 0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 1000 mov dword [0x3000], 0 (same value)
		0xC6, 0x05, 0x02, 0x30, 0x00, 0x00, 0x07, // 100a mov byte [0x3002], 7
		0x6A, 0x05, // 1011 push 5 (stack at 0x8000)
		0xF4, // 1013 hlt
	}
	c, _ := newFlatCPU(t, code)
	tg := NewCPUTarget(c)
	w := Breakpoint{Kind: WatchWrite, Addr: 0x3000, Len: 4}
	require.NoError(t, tg.SetBreakpoint(w))
	ws := Breakpoint{Kind: WatchWrite, Addr: 0x7FFC, Len: 4}
	require.NoError(t, tg.SetBreakpoint(ws))
	r := tg.Continue(nil)
	assert.Equal(t, StopReason{Kind: StopWatchpoint, Break: w, DataAddr: 0x3000}, r, "a write of the same value is a write")
	assert.Equal(t, uint32(0x100a), c.EIP, "stops after the writing instruction")
	r = tg.Continue(nil)
	assert.Equal(t, StopReason{Kind: StopWatchpoint, Break: w, DataAddr: 0x3002}, r)
	assert.Equal(t, uint32(0x1011), c.EIP)
	r = tg.Step()
	assert.Equal(t, StopReason{Kind: StopWatchpoint, Break: ws, DataAddr: 0x7FFC}, r, "implicit stack writes too")
	// A debugger write is not a guest write.
	require.NoError(t, tg.WriteMemory(0x3000, []byte{9}))
	require.NoError(t, tg.ClearBreakpoint(ws))
	assert.Equal(t, StopHalted, tg.Continue(nil).Kind)
	require.NoError(t, tg.ClearBreakpoint(w))
	assert.Nil(t, c.DataWatch, "the hook goes with the last watchpoint")
}

// TestReadAccessWatchpoints runs a program that reads, writes and
// read-modify-writes a watched dword, under each watch kind, with and
// without a breakpoint elsewhere (the two run modes).
func TestReadAccessWatchpoints(t *testing.T) {
	code := []byte{
		0xA1, 0x00, 0x30, 0x00, 0x00, // 1000 mov eax, [0x3000]       read
		0xC7, 0x05, 0x00, 0x30, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, // 1005 mov dword [0x3000], 1   write
		0x8B, 0x1D, 0x10, 0x30, 0x00, 0x00, // 100f mov ebx, [0x3010]  same page, not watched
		0xFF, 0x05, 0x02, 0x30, 0x00, 0x00, // 1015 inc dword [0x3002]  read+write, overlapping
		0xF4, // 101b hlt
	}
	for _, tc := range []struct {
		kind  BreakKind
		stops []uint32 // EIP after each stop
	}{
		{WatchRead, []uint32{0x1005, 0x101b}},
		{WatchWrite, []uint32{0x100f, 0x101b}},
		{WatchAccess, []uint32{0x1005, 0x100f, 0x101b}},
	} {
		for _, withBreak := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/break=%v", tc.kind, withBreak), func(t *testing.T) {
				c, ram := newFlatCPU(t, code)
				tg := NewCPUTarget(c)
				w := Breakpoint{Kind: tc.kind, Addr: 0x3000, Len: 4}
				require.NoError(t, tg.SetBreakpoint(w))
				if withBreak {
					require.NoError(t, tg.SetBreakpoint(Breakpoint{Kind: BreakSoftware, Addr: 0x9999}))
				}
				for _, eip := range tc.stops {
					r := tg.Continue(nil)
					require.Equal(t, StopWatchpoint, r.Kind, "stop at %#x", eip)
					assert.Equal(t, w, r.Break)
					assert.Equal(t, eip, c.EIP)
				}
				assert.Equal(t, StopHalted, tg.Continue(nil).Kind)
				assert.Equal(t, uint32(0x00010001), binary.LittleEndian.Uint32(ram[0x3000:]), "the guest ran normally")
			})
		}
	}
}

func TestWriteMemoryKeepsCodeCoherent(t *testing.T) {
	c, _ := newFlatCPU(t, []byte{0x40, 0xF4}) // inc eax; hlt
	tg := NewCPUTarget(c)
	assert.Equal(t, StopHalted, tg.Continue(nil).Kind)
	assert.Equal(t, uint32(1), c.Regs[cpu.EAX])
	require.NoError(t, tg.WriteMemory(0x1000, []byte{0x48})) // dec eax
	c.EIP, c.Halted = 0x1000, false
	assert.Equal(t, StopHalted, tg.Continue(nil).Kind)
	assert.Equal(t, uint32(0), c.Regs[cpu.EAX], "the cached trace was dropped")
}

// pagedCPU maps, with 32-bit paging: linear 0-1 MiB identity (4 KiB
// pages), 0x400000 -> 0x20000 (one page), 0x800000 -> 4 MiB page at 0
// when PSE is on. Page directory at 0x10000, page tables at 0x11000.
func pagedCPU(t *testing.T) (*cpu.CPU, []byte) {
	c, ram := newFlatCPU(t, []byte{0xF4})
	le := binary.LittleEndian
	le.PutUint32(ram[0x10000:], 0x11000|3)
	for i := 0; i < 256; i++ {
		le.PutUint32(ram[0x11000+4*i:], uint32(i)<<12|3)
	}
	le.PutUint32(ram[0x10000+4*1:], 0x12000|7)
	le.PutUint32(ram[0x12000:], 0x20000|7)
	le.PutUint32(ram[0x10000+4*2:], 0x00000083) // 4 MiB page at 0
	c.CR3 = 0x10000
	c.CR4 |= cpu.CR4PSE
	c.CR0 |= cpu.CR0PG
	c.DebugStateChanged()
	return c, ram
}

func TestMemoryThroughPageTables(t *testing.T) {
	c, ram := pagedCPU(t)
	tg := NewCPUTarget(c)
	copy(ram[0x20000:], "hello")
	b := make([]byte, 5)
	require.NoError(t, tg.ReadMemory(0x400000, b))
	assert.Equal(t, "hello", string(b))
	require.NoError(t, tg.ReadMemory(0x820000, b), "4 MiB page")
	assert.Equal(t, "hello", string(b))
	assert.ErrorIs(t, tg.ReadMemory(0x401000, b), ErrUnmapped)
	assert.ErrorIs(t, tg.ReadMemory(0x400FFE, b), ErrUnmapped, "crosses into an unmapped page")
	assert.ErrorIs(t, tg.WriteMemory(0x400FFE, []byte("abcd")), ErrUnmapped)
	assert.Equal(t, []byte{0, 0}, ram[0x20FFE:0x21000], "a failed write changes nothing")
	require.NoError(t, tg.WriteMemory(0x400001, []byte("ELLO")))
	assert.Equal(t, "hELLO", string(ram[0x20000:0x20005]))
	assert.Equal(t, uint32(0x11000|3), binary.LittleEndian.Uint32(ram[0x10000:]), "no accessed bit set")
	assert.Equal(t, uint32(0x20000|7), binary.LittleEndian.Uint32(ram[0x12000:]), "no accessed or dirty bit set")

	tlb := runMonitor(tg, "info tlb")
	assert.Contains(t, tlb, "00000000: 00000000 --------W\n")
	assert.Contains(t, tlb, "00400000: 00020000 -------UW\n")
	assert.Contains(t, tlb, "00800000: 00000000 --P-----W\n")
	assert.Equal(t, 256+1+1, strings.Count(tlb, "\n"))

	// Through the session: the readable prefix, then E14.
	s := &session{t: tg, srv: &Server{}}
	assert.Equal(t, "68454c4c", s.readMem([]byte("400000,4")))
	assert.Equal(t, "0000", s.readMem([]byte("400ffe,4")))
	assert.Equal(t, "E14", s.readMem([]byte("401000,4")))
	assert.Equal(t, "E14", s.writeMem([]byte("401000,1:00"), false))
}

func TestPAETranslation(t *testing.T) {
	c, ram := newFlatCPU(t, []byte{0xF4})
	le := binary.LittleEndian
	le.PutUint64(ram[0x10000:], 0x11000|1)     // PDPTE 0
	le.PutUint64(ram[0x11000:], 0x12000|3)     // PDE 0 -> PT
	le.PutUint64(ram[0x11008:], 0x000000|0x83) // PDE 1: 2 MiB page at 0
	le.PutUint64(ram[0x12000+8*5:], 0x20000|3) // 0x5000 -> 0x20000
	copy(ram[0x20000:], "pae!")
	tg := NewCPUTarget(c)
	r := tg.Regs()
	r.CR3, r.CR4, r.CR0 = 0x10000, r.CR4|cpu.CR4PAE, r.CR0|cpu.CR0PG
	require.NoError(t, tg.SetRegs(r), "the PDPTEs are loaded from the new CR3")
	b := make([]byte, 4)
	require.NoError(t, tg.ReadMemory(0x5000, b))
	assert.Equal(t, "pae!", string(b))
	require.NoError(t, tg.ReadMemory(0x220000, b))
	assert.Equal(t, "pae!", string(b))
	assert.ErrorIs(t, tg.ReadMemory(0x6000, b), ErrUnmapped)
	assert.ErrorIs(t, tg.ReadMemory(0x40000000, b), ErrUnmapped, "PDPTE 1 not present")
	tlb := runMonitor(tg, "info tlb")
	assert.Contains(t, tlb, "00005000: 000020000 --------W\n")
	assert.Contains(t, tlb, "00200000: 000000000 --P-----W\n")
}

func TestSetRegs(t *testing.T) {
	c, ram := newFlatCPU(t, []byte{0xF4})
	withTables(c, ram)
	// A data descriptor with base 0x1234 at selector 0x18.
	binary.LittleEndian.PutUint64(ram[0x5018:], 0x00CF92001234FFFF)
	c.GDTR.Limit = 31
	tg := NewCPUTarget(c)
	r := tg.Regs()
	r.GPR[cpu.EAX] = 0xDEADBEEF
	r.EIP = 0x1234
	r.DS = 0x18
	r.FStat = 3 << 11 // TOP = 3
	r.ST[0] = cpu.Float80{Mant: 0x8000000000000000, SExp: 0x3FFF}
	require.NoError(t, tg.SetRegs(r))
	assert.Equal(t, uint32(0xDEADBEEF), c.Regs[cpu.EAX])
	assert.Equal(t, uint32(0x1234), c.EIP)
	assert.Equal(t, uint32(0x1234), c.Seg[cpu.DS].Base, "the descriptor was loaded")
	assert.Zero(t, ram[0x5018+5]&1, "without setting its accessed bit")
	assert.Equal(t, uint32(0x10), uint32(c.Seg[cpu.ES].Sel), "unchanged selectors untouched")
	assert.Equal(t, r.ST[0], c.FPU.Reg[3], "st0 is physical register TOP")
	assert.Equal(t, r, tg.Regs())

	r.ES = 0x40 // beyond the GDT
	assert.Error(t, tg.SetRegs(r))
	r = tg.Regs()
	r.EFlags = 0x202 | uint32(cpu.FlagCF)
	require.NoError(t, tg.SetRegs(r))
	assert.Equal(t, uint32(0x203), c.EFlags())
}

func TestSetRegsRealMode(t *testing.T) {
	c, _ := newFlatCPU(t, []byte{0xF4})
	c.Reset()
	tg := NewCPUTarget(c)
	r := tg.Regs()
	r.DS = 0x1234
	require.NoError(t, tg.SetRegs(r))
	assert.Equal(t, uint32(0x12340), c.Seg[cpu.DS].Base)
}

func TestCPUTargetMonitor(t *testing.T) {
	c, ram := newFlatCPU(t, []byte{0xF4})
	copy(ram[0x2000:], []byte{0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55, 'h', 'i', 0})
	tg := NewCPUTarget(c)
	for _, tc := range []struct{ cmd, want string }{
		{"x/2xw 0x2000", "00002000: 0x11223344 0x55667788\n"},
		{"x/4xb 0x2000", "00002000: 0x44 0x33 0x22 0x11\n"},
		{"x/2xh 0x2000", "00002000: 0x3344 0x1122\n"},
		{"x/1xg 0x2000", "00002000: 0x5566778811223344\n"},
		{"x/2dw 0x2000", "00002000: 287454020 1432778632\n"},
		{"x/1db 0x2004", "00002004: -120\n"},
		{"x/1ub 0x2004", "00002004: 136\n"},
		{"x/1ob 0x2004", "00002004: 0210\n"},
		{"x/3c 0x2008", "00002008: 'h' 'i' '\\x00'\n"},
		{"x 0x2000", "00002000: 0x11223344\n"},
		{"x/5xw 0x2000", "00002000: 0x11223344 0x55667788 0x00006968 0x00000000\n00002010: 0x00000000\n"},
		{"xp/1xw 0x2000", "0000000000002000: 0x11223344\n"},
		{"xp/1xw 0xfffff", "Cannot access memory at address 0x100000\n"},
		{"x/2xw 0xffffc", "000ffffc: 0x00000000\nCannot access memory at address 0x100000\n"},
		{"x/1xw $eip", "00001000: 0x000000f4\n"},
		{"x/1xw $esp", "00008000: 0x00000000\n"},
		{"x/1xw $foo", "bad address \"$foo\": unknown register $foo\n"},
		{"x/1q 0", "bad format 'q' in \"x/1q\": formats x d u o c, units b h w g\n"},
		{"x/0x 0", "bad count in \"x/0x\"\n"},
		{"x/1x", "usage: x/NFU ADDR\n"},
		{"x/1x 0x100000000", "linear address 0x100000000 beyond 4 GiB\n"},
		{"x/100000xb 0", "at most 65536 bytes per dump\n"},
		{"info tlb", "paging is disabled (linear = physical)\n"},
		{"frobnicate", "unknown command \"frobnicate\"; try \"monitor help\"\n"},
		{"system_reset", "CPU reset\n"},
	} {
		assert.Equal(t, tc.want, runMonitor(tg, tc.cmd), tc.cmd)
	}
	assert.Contains(t, runMonitor(tg, "help"), "info tlb")
	assert.Contains(t, runMonitor(tg, "  info   registers "), "CS =f000 ffff0000 0000ffff")
	assert.Contains(t, runMonitor(tg, "info blocks"), "interpreter: retired=")
	tg.Blocks = func() string { return "dbt: 3 blocks" }
	assert.Equal(t, "dbt: 3 blocks\n", runMonitor(tg, "info blocks"))
	// The generic info registers (a target without its own).
	f := newFakeTarget()
	assert.Contains(t, runMonitor(f, "info registers"), "EIP=00001000 EFL=00000000 [-------]")
	assert.Equal(t, "blocks=42\n", runMonitor(f, "info blocks"))
}

// TestMachineHooks plays a machine: a timer raises IRQ 0x20 while the
// CPU idles in HLT, and HLT with interrupts off powers off.
func TestMachineHooks(t *testing.T) {
	code := []byte{
		0xFB, // 1000 sti
		0xF4, // 1001 hlt: wait for the timer
		0xFA, // 1002 cli
		0xF4, // 1003 hlt: power off
	}
	for _, exact := range []bool{false, true} {
		c, ram := newFlatCPU(t, code)
		withTables(c, ram)
		copy(ram[0x1100:], []byte{0x42, 0xCF}) // inc edx; iret
		gate(ram, 0x20, 0x1100)
		pic := &onePIC{vec: 0x20}
		c.SetPIC(pic)
		tg := NewCPUTarget(c)
		var exits []cpu.ExitReason
		tg.After = func(e cpu.Exit) (StopReason, bool) {
			exits = append(exits, e.Reason)
			if e.Reason == cpu.ExitHalt && c.Flags&cpu.FlagIF == 0 {
				return StopReason{Kind: StopExited, ExitCode: 0}, true
			}
			return StopReason{}, false
		}
		idles := 0
		tg.Idle = func(stop <-chan struct{}) bool {
			idles++
			pic.pending = true // the timer fires
			return true
		}
		tg.Budget = func() int { return 1000 }
		if exact {
			require.NoError(t, tg.SetBreakpoint(Breakpoint{Kind: BreakSoftware, Addr: 0x1100}))
			r := tg.Continue(nil)
			require.Equal(t, StopBreakpoint, r.Kind, "the handler of the timer interrupt")
			assert.Zero(t, c.Regs[cpu.EDX])
		}
		r := tg.Continue(nil)
		assert.Equal(t, StopReason{Kind: StopExited}, r)
		assert.Equal(t, 1, idles)
		assert.Equal(t, uint32(1), c.Regs[cpu.EDX])
		assert.Contains(t, exits, cpu.ExitHalt)
	}
}

type countingEngine struct {
	c     *cpu.CPU
	calls int
}

func (e *countingEngine) Run(budget int) cpu.Exit { e.calls++; return e.c.Run(budget) }

func TestEngineRunsFreeSlices(t *testing.T) {
	c, _ := newFlatCPU(t, loopProgram)
	tg := NewCPUTarget(c)
	eng := &countingEngine{c: c}
	tg.Engine, tg.Slice = eng, 7
	assert.Equal(t, StopHalted, tg.Continue(nil).Kind)
	assert.Equal(t, uint32(55), c.Regs[cpu.EBX])
	assert.Greater(t, eng.calls, 5)
}
