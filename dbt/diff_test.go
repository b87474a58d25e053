//go:build linux && amd64

package dbt

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"bt86/bus"
	"bt86/cpu"
	"bt86/mmu"
)

// The differential tests run the same guest code on the interpreter and
// on the translator and compare the final registers, flags and RAM.

const (
	codeBase = 0x1000
	dataBase = 0x10000 // 64 KiB of data the programs address through EBX/ESI/EDI
	stackTop = 0x40000
	ramSize  = 1 << 20
)

// flatDesc is a flat 4 GiB descriptor: code (execute/read) or data
// (read/write), 32-bit, DPL 0.
func flatDesc(code bool) uint64 {
	typ := uint64(0x92)
	if code {
		typ = 0x9A
	}
	return 0xFFFF | typ<<40 | 0xF<<48 | 0xC<<52
}

// newFlatCPU returns a CPU in 32-bit flat protected mode with prog at
// codeBase and the registers seeded from seed.
func newFlatCPU(t testing.TB, prog []byte, seed uint64) (*cpu.CPU, []byte) {
	ram := make([]byte, ramSize)
	p := mmu.NewPhys(ram, bus.New())
	c := cpu.New(cpu.Config{Phys: p, Ports: bus.New()})
	c.CR0 |= cpu.CR0PE
	c.SetSegmentDescriptor(cpu.CS, 0x08, flatDesc(true))
	for _, s := range []int{cpu.DS, cpu.ES, cpu.SS, cpu.FS, cpu.GS} {
		c.SetSegmentDescriptor(s, 0x10, flatDesc(false))
	}
	copy(ram[codeBase:], prog)
	r := rand.New(rand.NewPCG(seed, 7))
	for i := range 8 {
		c.Regs[i] = r.Uint32()
	}
	for i := dataBase; i < dataBase+0x10000; i++ {
		ram[i] = byte(r.Uint32())
	}
	// Pointers into the data area (with random low bits, and some
	// page-crossing ones) and a stack.
	c.Regs[cpu.EBX] = dataBase + r.Uint32()%0x8000
	c.Regs[cpu.ESI] = dataBase + 0x8000 + r.Uint32()%0x7000
	if seed%4 == 0 {
		c.Regs[cpu.ESI] = dataBase + 0x1FFE // accesses cross a page
	}
	if seed%4 != 1 { // most programs keep EDI in the data area (string ops)
		c.Regs[cpu.EDI] = dataBase + 0x4000 + r.Uint32()%0x3000
	}
	c.Regs[cpu.ESP] = stackTop
	c.EIP = codeBase
	c.SetEFlags(0x2 | r.Uint32()&0x8D5)
	c.StateChanged()
	return c, ram
}

// runBoth runs prog on both engines and requires identical outcomes.
func runBoth(t testing.TB, prog []byte, seed uint64) Stats { return runBothN(t, prog, seed, 20) }

// runBothN is runBoth with runs Runs of 5,000 budget units per engine.
func runBothN(t testing.TB, prog []byte, seed uint64, runs int) Stats {
	ci, rami := newFlatCPU(t, prog, seed)
	xi := runEngineN(t, ci, nil, runs)
	cd, ramd := newFlatCPU(t, prog, seed)
	e, err := newEngine(cd, 1<<20)
	require.NoError(t, err)
	defer e.Close()
	xd := runEngineN(t, cd, e, runs)
	ci.MaterializeFlags()
	cd.MaterializeFlags()
	want := fmt.Sprintf("exit %v regs %08x eip %08x flags %08x ram %x", xi.Reason, ci.Regs[:8], ci.EIP, ci.Flags, sha256.Sum256(rami))
	got := fmt.Sprintf("exit %v regs %08x eip %08x flags %08x ram %x", xd.Reason, cd.Regs[:8], cd.EIP, cd.Flags, sha256.Sum256(ramd))
	require.Equal(t, want, got, "program % x (seed %d)", prog, seed)
	return e.Stats
}

func runEngine(t testing.TB, c *cpu.CPU, e *Engine) cpu.Exit { return runEngineN(t, c, e, 20) }

func runEngineN(t testing.TB, c *cpu.CPU, e *Engine, runs int) cpu.Exit {
	var ex cpu.Executor = c
	if e != nil {
		ex = e
	}
	var x cpu.Exit
	for range runs {
		x = ex.Run(5_000)
		if x.Reason != cpu.ExitBudget {
			break
		}
	}
	return x
}

// gen builds random straight-line and branching programs from
// instruction templates covering what the translator handles (and a few
// things it hands to the interpreter), ending with HLT.
type gen struct {
	r   *rand.Rand
	out []byte
}

func (g *gen) modrmMem() []byte {
	// [ebx+disp8], [esi+edi*0+disp32 small], [ebx+ecx*1] masked by the
	// program to stay in the data area is hard; use EBX/ESI bases only.
	switch g.r.IntN(3) {
	case 0:
		return []byte{0x43, byte(g.r.IntN(120))} // [ebx+disp8] (reg field filled by caller)
	case 1:
		return []byte{0x46, byte(g.r.IntN(120))} // [esi+disp8]
	}
	return []byte{0x83, byte(g.r.IntN(0x100)), byte(g.r.IntN(0x10)), 0, 0} // [ebx+disp32]
}

func (g *gen) inst() {
	r := g.r
	reg := func() byte { return byte([]int{0, 1, 2, 5, 7}[r.IntN(5)]) } // not EBX, ESI (pointers), ESP
	emitMem := func(op []byte, regf byte, imm []byte) {
		m := g.modrmMem()
		m[0] |= regf << 3
		g.out = append(g.out, op...)
		g.out = append(g.out, m...)
		g.out = append(g.out, imm...)
	}
	switch r.IntN(33) {
	case 0, 1: // ALU reg, reg
		g.out = append(g.out, byte(r.IntN(8))<<3|byte(1+2*r.IntN(2)), 0xC0|reg()<<3|reg())
	case 2: // ALU r8, r8 incl. AH..BH
		g.out = append(g.out, byte(r.IntN(8))<<3|byte(2*r.IntN(2)), 0xC0|byte(r.IntN(8))<<3|byte(r.IntN(8)))
	case 3: // ALU mem
		emitMem([]byte{byte(r.IntN(8))<<3 | byte(r.IntN(4))}, reg(), nil)
	case 4: // group 1 with imm
		if r.IntN(2) == 0 {
			g.out = append(g.out, 0x83, 0xC0|byte(r.IntN(8))<<3|reg(), byte(r.Uint32()))
		} else {
			emitMem([]byte{0x81}, byte(r.IntN(8)), binary.LittleEndian.AppendUint32(nil, r.Uint32()))
		}
	case 5: // shifts
		op := []byte{0xC1, 0xD1, 0xD3, 0xC0, 0xD0}[r.IntN(5)]
		sub := []byte{4, 5, 7, 6, 0, 1}[r.IntN(6)]
		var imm []byte
		if op == 0xC1 || op == 0xC0 {
			imm = []byte{byte(r.IntN(40))}
		}
		if r.IntN(3) == 0 {
			emitMem([]byte{op}, sub, imm)
		} else {
			g.out = append(g.out, op, 0xC0|sub<<3|byte(r.IntN(8)&^4))
			g.out = append(g.out, imm...)
		}
	case 6: // IMUL
		switch r.IntN(3) {
		case 0:
			g.out = append(g.out, 0x0F, 0xAF, 0xC0|reg()<<3|reg())
		case 1:
			g.out = append(g.out, 0x6B, 0xC0|reg()<<3|reg(), byte(r.Uint32()))
		default:
			g.out = append(g.out, 0x66, 0x0F, 0xAF, 0xC0|reg()<<3|reg())
		}
	case 7: // MOV mem
		emitMem([]byte{0x88 + byte(r.IntN(4))}, byte(r.IntN(4)), nil)
	case 8: // INC/DEC
		if r.IntN(2) == 0 {
			g.out = append(g.out, 0x40+byte(r.IntN(16))&^4|0x40)
		} else {
			emitMem([]byte{0xFF}, byte(r.IntN(2)), nil)
		}
	case 9: // PUSH/POP pair
		g.out = append(g.out, 0x50+reg(), 0x58+reg())
	case 10: // Jcc forward over one instruction
		g.out = append(g.out, 0x70+byte(r.IntN(16)), 2, 0x01, 0xC8)
	case 11: // SETcc / CMOVcc
		if r.IntN(2) == 0 {
			g.out = append(g.out, 0x0F, 0x90+byte(r.IntN(16)), 0xC0|byte(r.IntN(8)))
		} else {
			g.out = append(g.out, 0x0F, 0x40+byte(r.IntN(16)), 0xC0|reg()<<3|reg())
		}
	case 12: // MOVZX/MOVSX
		g.out = append(g.out, 0x0F, []byte{0xB6, 0xB7, 0xBE, 0xBF}[r.IntN(4)], 0xC0|reg()<<3|byte(r.IntN(8)))
	case 13: // LEA
		g.out = append(g.out, 0x8D, 0x44|reg()<<3, byte(r.IntN(256)), byte(r.IntN(120)))
	case 14: // NOT/NEG/TEST
		g.out = append(g.out, 0xF7, 0xC0|byte([]int{0, 2, 3}[r.IntN(3)])<<3|reg())
		if g.out[len(g.out)-1]&0x38 == 0 {
			g.out = binary.LittleEndian.AppendUint32(g.out, r.Uint32())
		}
	case 15: // ADC/SBB to consume CF
		g.out = append(g.out, []byte{0x11, 0x19}[r.IntN(2)], 0xC0|reg()<<3|reg())
	case 16: // CALL next; POP: EIP on the stack
		g.out = append(g.out, 0xE8, 0, 0, 0, 0, 0x58+reg())
	case 17: // something the translator hands to the interpreter
		g.out = append(g.out, []byte{0x9C, 0xF5, 0xF8, 0xF9, 0x27}[r.IntN(5)]) // pushf, cmc, clc, stc, daa
		if g.out[len(g.out)-1] == 0x9C {
			g.out = append(g.out, 0x58+reg())
		}
	case 18: // 16-bit ops
		g.out = append(g.out, 0x66, byte(r.IntN(8))<<3|1, 0xC0|reg()<<3|reg())
	case 19: // XCHG
		g.out = append(g.out, 0x87, 0xC0|reg()<<3|reg())
	case 20: // MOV r, imm
		g.out = append(g.out, 0xB8+reg())
		g.out = binary.LittleEndian.AppendUint32(g.out, r.Uint32())
	case 21: // MOV mem, imm
		emitMem([]byte{0xC7}, 0, binary.LittleEndian.AppendUint32(nil, r.Uint32()))
	case 22: // ENTER-like frame and LEAVE
		g.out = append(g.out, 0x55, 0x89, 0xE5, 0x83, 0xEC, byte(4*r.IntN(8)), 0xC9) // push ebp; mov ebp, esp; sub esp, n; leave
	case 23: // MUL/IMUL one operand
		if r.IntN(2) == 0 {
			g.out = append(g.out, 0xF7, 0xE0|byte(r.IntN(2))<<3|reg())
		} else {
			emitMem([]byte{0xF7}, byte(4+r.IntN(2)), nil)
		}
	case 24: // CMPXCHG / XADD
		op := []byte{0xB1, 0xC1}[r.IntN(2)]
		if r.IntN(2) == 0 {
			g.out = append(g.out, 0x0F, op, 0xC0|reg()<<3|reg())
		} else {
			emitMem([]byte{0x0F, op}, reg(), nil)
		}
	case 25: // BSWAP
		g.out = append(g.out, 0x0F, 0xC8+reg())
	case 27: // DIV, sometimes by zero or overflowing (the interpreter then raises #DE: no IDT, so a triple fault)
		if r.IntN(4) == 0 {
			g.out = append(g.out, 0x31, 0xD2) // xor edx, edx
		}
		if r.IntN(2) == 0 {
			g.out = append(g.out, 0xF7, 0xF0|reg())
		} else {
			emitMem([]byte{0xF7}, 6, nil)
		}
	case 28: // string operations in either direction (CLD/STD are interpreted)
		g.out = append(g.out, []byte{0xFC, 0xFD}[r.IntN(2)])
		for range 1 + r.IntN(3) {
			op := []byte{0xA4, 0xA5, 0xAA, 0xAB, 0xAC, 0xAD, 0xA6, 0xA7, 0xAE, 0xAF}[r.IntN(10)]
			if op != 0xAC && op != 0xAD && r.IntN(2) == 0 {
				// REP/REPE/REPNE with a small count (sometimes zero).
				g.out = append(g.out, 0xB9, byte(r.IntN(40)), 0, 0, 0, []byte{0xF3, 0xF2}[r.IntN(2)])
			}
			if r.IntN(4) == 0 {
				g.out = append(g.out, 0x66)
			}
			g.out = append(g.out, op)
		}
		g.out = append(g.out, 0xFC)
	case 29: // BT, BTS, BTR, BTC: register or memory, immediate or register bit offset
		op := []byte{0xA3, 0xAB, 0xB3, 0xBB, 0xBA}[r.IntN(5)]
		if r.IntN(8) == 0 {
			g.out = append(g.out, 0x66) // 16-bit: the interpreter's
		}
		var imm []byte
		regf := reg()
		if op == 0xBA {
			regf, imm = byte(4+r.IntN(4)), []byte{byte(r.IntN(256))}
		}
		switch {
		case r.IntN(2) == 0:
			g.out = append(g.out, 0x0F, op, 0xC0|regf<<3|reg())
			g.out = append(g.out, imm...)
		case op == 0xBA:
			emitMem([]byte{0x0F, op}, regf, imm)
		default:
			// A register offset reaches bytes before and after the
			// operand: keep it small (EAX = -128..383).
			g.out = append(g.out, 0xB8)
			g.out = binary.LittleEndian.AppendUint32(g.out, uint32(int32(r.IntN(512)-128)))
			emitMem([]byte{0x0F, op}, 0, nil)
		}
		if r.IntN(3) == 0 {
			g.out = append(g.out, 0x9C, 0x58+reg()) // pushf; pop: the flags as a whole
		}
	case 30: // interrupt and direction flag instructions, PUSHF
		for range 1 + r.IntN(3) {
			switch r.IntN(4) {
			case 0:
				g.out = append(g.out, []byte{0xFA, 0xFB}[r.IntN(2)]) // cli, sti
			case 1:
				g.out = append(g.out, 0xFD, 0xAD, 0xFC) // std; lodsd; cld
			case 2:
				g.out = append(g.out, 0xFC) // cld (DF is clear: nothing)
			default:
				g.out = append(g.out, 0x9C, 0x58+reg()) // pushf; pop
			}
		}
	case 31: // 8-bit ALU, TEST, XCHG and MOV between AH..BH and memory
		op := []byte{0x00, 0x02, 0x08, 0x0A, 0x10, 0x12, 0x20, 0x22, 0x28, 0x2A, 0x30, 0x32, 0x38, 0x3A, 0x84, 0x86, 0x88, 0x8A}[r.IntN(18)]
		emitMem([]byte{op}, byte(4+r.IntN(4)), nil)
	case 32: // POPFD, PUSH sreg, CMPXCHG8B, SHLD/SHRD
		switch r.IntN(4) {
		case 3: // shld/shrd r/m32, r32, imm8 (sometimes 0 or >= 32), or by CL
			op := []byte{0xA4, 0xAC, 0xA5, 0xAD}[r.IntN(4)]
			var imm []byte
			if op == 0xA4 || op == 0xAC {
				imm = []byte{byte(r.IntN(40))}
			}
			if r.IntN(3) == 0 {
				emitMem([]byte{0x0F, op}, reg(), imm)
			} else {
				g.out = append(g.out, 0x0F, op, 0xC0|reg()<<3|reg())
				g.out = append(g.out, imm...)
			}
		case 0: // push flags (arithmetic, sometimes IF, DF or AC); popfd
			v := uint32(0x2) | r.Uint32()&0x8D5
			if r.IntN(2) == 0 {
				v |= 0x200
			}
			if r.IntN(4) == 0 {
				v |= []uint32{0x400, 0x40000}[r.IntN(2)]
			}
			g.out = append(g.out, 0x68)
			g.out = binary.LittleEndian.AppendUint32(g.out, v)
			g.out = append(g.out, 0x9D, 0xFC) // popfd; cld
		case 1: // push sreg; pop
			g.out = append(g.out, [][]byte{{0x06}, {0x0E}, {0x16}, {0x1E}, {0x0F, 0xA0}, {0x0F, 0xA8}}[r.IntN(6)]...)
			g.out = append(g.out, 0x58+reg())
		default: // [lock] cmpxchg8b mem
			if r.IntN(2) == 0 {
				g.out = append(g.out, 0xF0)
			}
			emitMem([]byte{0x0F, 0xC7}, 1, nil)
		}
	case 26: // PUSH r/m32; POP
		if r.IntN(2) == 0 {
			emitMem([]byte{0xFF}, 6, nil)
		} else {
			g.out = append(g.out, 0xFF, 0xF0|reg())
		}
		g.out = append(g.out, 0x58+reg())
	}
}

// program returns a random program: a loop body run a few times (so
// blocks are chained and re-entered), then HLT.
func program(seed uint64) []byte {
	g := &gen{r: rand.New(rand.NewPCG(seed, 11))}
	g.out = append(g.out, 0xB9, 3, 0, 0, 0) // mov ecx, 3 (loop counter in ECX is clobbered: use EDX? keep simple)
	g.out = append(g.out, 0x51)             // push ecx
	body := len(g.out)
	n := 4 + g.r.IntN(24)
	for range n {
		g.inst()
	}
	g.out = append(g.out, 0x59, 0x49, 0x51) // pop ecx; dec ecx; push ecx
	rel := body - (len(g.out) + 6)
	g.out = append(g.out, 0x0F, 0x85)
	g.out = binary.LittleEndian.AppendUint32(g.out, uint32(int32(rel)))
	g.out = append(g.out, 0xF4) // hlt
	return g.out
}

func TestDifferentialRandomPrograms(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	var native, steps, blocks uint64
	for seed := range uint64(n) {
		t0 := time.Now()
		st := runBoth(t, program(seed), seed)
		if d := time.Since(t0); d > time.Second {
			t.Logf("seed %d took %v: %v", seed, d, st)
		}
		native, steps, blocks = native+st.NativeRetired, steps+st.Steps, blocks+st.Blocks
	}
	// The programs must mostly run as translated code, or the test
	// would compare the interpreter with itself.
	require.Greater(t, native, steps, "native %d, interpreted steps %d", native, steps)
	fmt.Printf("dbt-differential: %d random programs agree with the interpreter (%d blocks, %d instructions native, %d interpreted)\n", n, blocks, native, steps)
}

// FuzzDifferential runs fuzzer-chosen bytes as 32-bit code on both
// engines (after a prologue that never faults) and compares the outcome.
func FuzzDifferential(f *testing.F) {
	for seed := range uint64(20) {
		f.Add(program(seed), seed)
	}
	f.Add([]byte{0x01, 0xC8, 0xF4}, uint64(1))
	f.Fuzz(func(t *testing.T, prog []byte, seed uint64) {
		if len(prog) > 4000 {
			prog = prog[:4000]
		}
		// Fewer Runs than the template test: a fuzzed REP over
		// unmapped memory goes through the bus at every iteration, and
		// an execution must stay well under the fuzzer's hang limit on a
		// loaded machine.
		runBothN(t, append(append([]byte(nil), prog...), 0xF4), seed, 4)
	})
}
