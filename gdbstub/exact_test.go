package gdbstub

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bt86/cpu"
)

// An exactness program: its code (at 0x1000) and what else it needs.
type exactProgram struct {
	name  string
	code  []byte
	setup func(c *cpu.CPU, ram []byte)
}

func exactPrograms() []exactProgram {
	withHandlers := func(c *cpu.CPU, ram []byte) {
		withTables(c, ram)
		copy(ram[0x1100:], []byte{0x42, 0xCF})                        // 1100 inc edx; iret
		copy(ram[0x1120:], []byte{0x83, 0x04, 0x24, 0x02, 0xCF})      // 1120 add dword [esp], 2; iret
		copy(ram[0x1140:], []byte{0x81, 0x64, 0x24, 0x08, 0xFF, 0xFE, // 1140 and dword [esp+8], ~TF
			0xFF, 0xFF, 0x43, 0xCF}) // inc ebx; iret
		gate(ram, 0x21, 0x1100)
		gate(ram, 0x20, 0x1100)
		gate(ram, 6, 0x1120)
		gate(ram, 1, 0x1140)
	}
	return []exactProgram{
		{name: "loop", code: loopProgram},
		{name: "interrupt shadows", code: []byte{
			0x66, 0xB8, 0x10, 0x00, // 1000 mov ax, 0x10
			0x8E, 0xD0, // 1004 mov ss, ax
			0xEB, 0x02, // 1006 jmp 100a (in the MOV SS shadow)
			0x90, 0x90, // 1008
			0x90,       // 100a
			0xFB,       // 100b sti
			0xEB, 0x01, // 100c jmp 100f (in the STI shadow)
			0x90,       // 100e
			0x90,       // 100f
			0x17,       // 1010 pop ss (0x10 pushed below)
			0xEB, 0x00, // 1011 jmp 1013 (in the POP SS shadow)
			0xF4, // 1013 hlt
		}, setup: func(c *cpu.CPU, ram []byte) {
			withTables(c, ram)
			c.Regs[cpu.ESP] = 0x7FFC
			binary.LittleEndian.PutUint32(ram[0x7FFC:], 0x10)
		}},
		{name: "rep movsb in chunks", code: []byte{
			0xBE, 0x00, 0x00, 0x01, 0x00, // 1000 mov esi, 0x10000
			0xBF, 0x00, 0x00, 0x02, 0x00, // 1005 mov edi, 0x20000
			0xB9, 0x10, 0x27, 0x00, 0x00, // 100a mov ecx, 10000
			0xF3, 0xA4, // 100f rep movsb
			0x90, // 1011
			0xF4, // 1012
		}},
		{name: "int and exceptions", code: []byte{
			0xCD, 0x21, // 1000 int 0x21
			0x0F, 0x0B, // 1002 ud2 (the handler skips it)
			0x90, // 1004
			0xF4, // 1005
		}, setup: withHandlers},
		{name: "trap flag", code: []byte{
			0x9C,                                     // 1000 pushf
			0x81, 0x0C, 0x24, 0x00, 0x01, 0x00, 0x00, // 1001 or dword [esp], TF
			0x9D,       // 1008 popf
			0xEB, 0x01, // 1009 jmp 100c (single-stepped)
			0x90, // 100b
			0x40, // 100c inc eax
			0xF4, // 100d hlt
		}, setup: withHandlers},
		{name: "external interrupt", code: []byte{
			0xFB,       // 1000 sti
			0x90,       // 1001 (shadow)
			0x90,       // 1002 the interrupt comes before it
			0xEB, 0x00, // 1003 jmp 1005
			0xF4, // 1005 hlt
		}, setup: func(c *cpu.CPU, ram []byte) {
			withHandlers(c, ram)
			c.SetPIC(&onePIC{pending: true, vec: 0x20})
		}},
		{name: "self-modifying code", code: []byte{
			0xC6, 0x05, 0x0A, 0x10, 0x00, 0x00, 0x40, // 1000 mov byte [0x100a], 0x40
			0x90, 0x90, 0x90, // 1007
			0x90, // 100a becomes inc eax
			0xF4, // 100b
		}},
	}
}

// countHits continues until the program halts with one breakpoint at
// addr and returns the hits and the final state.
func countHits(t *testing.T, p exactProgram, addr uint32, stepOnly bool) (int, cpu.State, uint64) {
	c, ram := newFlatCPU(t, p.code)
	if p.setup != nil {
		p.setup(c, ram)
	}
	tg := NewCPUTarget(c)
	tg.stepOnly = stepOnly
	require.NoError(t, tg.SetBreakpoint(Breakpoint{Kind: BreakSoftware, Addr: addr, Len: 1}))
	hits := 0
	for i := 0; ; i++ {
		require.Less(t, i, 100000, "runaway")
		r := tg.Continue(nil)
		if r.Kind != StopBreakpoint {
			require.Equal(t, StopHalted, r.Kind, "%s: %s", r.Kind, r.Detail)
			break
		}
		require.Equal(t, addr, c.EIP)
		hits++
	}
	return hits, c.State, c.Retired()
}

// TestHookedSlicesMatchSteps puts a breakpoint on every byte of each
// program and its handlers in turn, and checks that hooked slices stop
// exactly where one-instruction steps do.
func TestHookedSlicesMatchSteps(t *testing.T) {
	for _, p := range exactPrograms() {
		t.Run(p.name, func(t *testing.T) {
			total := 0
			addrs := []uint32{}
			for a := uint32(0x1000); a < 0x1000+uint32(len(p.code)); a++ {
				addrs = append(addrs, a)
			}
			for a := uint32(0x1100); a < 0x114A; a++ {
				addrs = append(addrs, a)
			}
			for _, a := range addrs {
				want, wantState, wantRetired := countHits(t, p, a, true)
				got, gotState, gotRetired := countHits(t, p, a, false)
				msg := fmt.Sprintf("breakpoint at %#x", a)
				assert.Equal(t, want, got, msg)
				assert.Equal(t, wantState.Regs, gotState.Regs, msg)
				assert.Equal(t, wantState.EIP, gotState.EIP, msg)
				assert.Equal(t, wantRetired, gotRetired, msg)
				total += want
			}
			assert.Positive(t, total)
		})
	}
}

// TestExactHitCounts pins the step mode itself on what the programs do.
func TestExactHitCounts(t *testing.T) {
	progs := map[string]exactProgram{}
	for _, p := range exactPrograms() {
		progs[p.name] = p
	}
	for _, tc := range []struct {
		prog string
		addr uint32
		hits int
	}{
		{"interrupt shadows", 0x100a, 1},
		{"interrupt shadows", 0x100f, 1},
		{"interrupt shadows", 0x1013, 1},
		{"rep movsb in chunks", 0x100f, 1},
		{"rep movsb in chunks", 0x1011, 1},
		{"int and exceptions", 0x1100, 1},
		{"int and exceptions", 0x1120, 1},
		{"int and exceptions", 0x1004, 1},
		{"trap flag", 0x1009, 1},
		{"trap flag", 0x1140, 1},
		{"trap flag", 0x100c, 1},
		{"trap flag", 0x100b, 0},
		{"external interrupt", 0x1100, 1},
		{"external interrupt", 0x1002, 1},
		{"self-modifying code", 0x100a, 1},
	} {
		for _, stepOnly := range []bool{true, false} {
			hits, st, _ := countHits(t, progs[tc.prog], tc.addr, stepOnly)
			assert.Equal(t, tc.hits, hits, "%s at %#x (step only %v)", tc.prog, tc.addr, stepOnly)
			if tc.prog == "self-modifying code" {
				assert.Equal(t, uint32(1), st.Regs[cpu.EAX])
			}
		}
	}
}
