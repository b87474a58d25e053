package dbt

import (
	"testing"

	"bt86/bus"
	"bt86/cpu"
	"bt86/mmu"

	"github.com/stretchr/testify/require"
)

// flagProbe is an MMIO page that records the guest EFLAGS each time it
// is read: what an exception frame or a debugger would see at a memory
// access that leaves translated code.
type flagProbe struct {
	c    *cpu.CPU
	seen []uint32
}

func (f *flagProbe) ReadMMIO(off uint64, size uint8) uint64 {
	f.c.MaterializeFlags()
	f.seen = append(f.seen, f.c.Flags&arithFlags)
	return 0x1234
}

func (f *flagProbe) WriteMMIO(off uint64, size uint8, v uint64) {}

// probeAddr is in the VGA hole, which is device memory: every access
// there misses the shadow TLB.
const probeAddr = 0xA0000

// runProbe runs prog on one engine and returns the flags the probe saw
// and the final flags.
func runProbe(t *testing.T, prog []byte, dbt bool) ([]uint32, uint32) {
	b := bus.New()
	ram := make([]byte, ramSize)
	c := cpu.New(cpu.Config{Phys: mmu.NewPhys(ram, b), Ports: bus.New()})
	probe := &flagProbe{c: c}
	require.NoError(t, b.MapMMIO("probe", probeAddr, 0x1000, probe))
	c.CR0 |= cpu.CR0PE
	c.SetSegmentDescriptor(cpu.CS, 0x08, flatDesc(true))
	for _, s := range []int{cpu.DS, cpu.ES, cpu.SS, cpu.FS, cpu.GS} {
		c.SetSegmentDescriptor(s, 0x10, flatDesc(false))
	}
	copy(ram[codeBase:], prog)
	c.Regs[cpu.ESP] = stackTop
	c.EIP = codeBase
	c.SetEFlags(0x2)
	c.StateChanged()
	var e *Engine
	if dbt {
		var err error
		e, err = newEngine(c, 1<<20)
		require.NoError(t, err)
		defer e.Close()
	}
	x := runEngine(t, c, e)
	require.Equal(t, cpu.ExitHalt, x.Reason)
	c.MaterializeFlags()
	return probe.seen, c.Flags & arithFlags
}

// probeSetup loads the registers the flag-at-a-miss tests compute on:
// EAX and ECX with values whose sums and differences carry and overflow,
// ESI with the address of the MMIO flag probe.
func probeSetup() []byte {
	return []byte{
		0xB8, 0x01, 0x00, 0x00, 0xC0, // mov eax, 0xC0000001
		0xB9, 0x03, 0x00, 0x01, 0x80, // mov ecx, 0x80010003
		0xBE, 0x00, 0x00, 0x0A, 0x00, // mov esi, probe
	}
}

// sameFlagsAtMiss runs prog on both engines and requires the same
// EFLAGS at each access to the MMIO flag probe (a shadow-TLB miss in
// translated code) and at the end.
func sameFlagsAtMiss(t *testing.T, prog []byte) {
	t.Helper()
	wantSeen, wantFlags := runProbe(t, prog, false)
	gotSeen, gotFlags := runProbe(t, prog, true)
	require.NotEmpty(t, wantSeen)
	require.Equal(t, wantSeen, gotSeen, "flags at the miss")
	require.Equal(t, wantFlags, gotFlags, "final flags")
}

// TestDeferredFixups checks the flags at a shadow-TLB miss that comes
// between an instruction whose undefined flags are fixed up and the next
// instruction setting all the flags: the translator leaves the fix-up to
// the miss stub, which must give the interpreter's values.
func TestDeferredFixups(t *testing.T) {
	load := []byte{0x8B, 0x15, 0x00, 0x00, 0x0A, 0x00} // mov edx, [probe]
	loadESI := []byte{0x8B, 0x3E}                      // mov edi, [esi]
	setup := probeSetup()
	tail := []byte{0x01, 0xC8, 0xF4} // add eax, ecx; hlt
	cases := []struct {
		name string
		op   []byte
		mid  []byte // between the instruction and the load
	}{
		{"shl", []byte{0xC1, 0xE0, 0x01}, nil},
		{"shl-3", []byte{0xC1, 0xE0, 0x03}, nil},
		{"shr", []byte{0xC1, 0xE8, 0x1F}, nil},
		{"shr-1", []byte{0xD1, 0xE8}, nil},
		{"sar", []byte{0xC1, 0xF8, 0x04}, nil},
		{"imul-2", []byte{0x0F, 0xAF, 0xC1}, nil},
		{"imul-3", []byte{0x6B, 0xC1, 0x07}, nil},
		{"mul", []byte{0xF7, 0xE1}, nil},
		{"imul-1", []byte{0xF7, 0xE9}, nil},
		{"shr-zero", []byte{0xC1, 0xE9, 0x1F}, []byte{0x89, 0xD3}},      // result 1; mov ebx, edx
		{"shl-mov", []byte{0xC1, 0xE0, 0x02}, []byte{0x8D, 0x1C, 0x08}}, // lea ebx, [eax+ecx]
		{"two-loads", []byte{0x0F, 0xAF, 0xC1}, loadESI},
		{"clobbered", []byte{0xC1, 0xE0, 0x01}, []byte{0x89, 0xC8}}, // mov eax, ecx: inline fix-up
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sameFlagsAtMiss(t, append(append(append(append(append([]byte{}, setup...), tc.op...), tc.mid...), load...), tail...))
		})
	}
}

// TestRegenFlags checks the flags at a shadow-TLB miss between a
// register-only ALU instruction and the next instruction setting all the
// flags: the translator leaves out the spill and the miss stub computes
// the flags again (regen.go), which must give the interpreter's values.
func TestRegenFlags(t *testing.T) {
	load := []byte{0x8B, 0x15, 0x00, 0x00, 0x0A, 0x00} // mov edx, [probe]
	group := []byte{0x8B, 0x16, 0x8B, 0x7E, 0x04}      // mov edx, [esi]; mov edi, [esi+4]
	setup := probeSetup()
	tail := []byte{0x39, 0xC8, 0xF4} // cmp eax, ecx; hlt
	cases := []struct {
		name     string
		op, mid  []byte
		viaGroup bool
	}{
		{"add", []byte{0x01, 0xC1}, nil, false},
		{"add-G,E", []byte{0x03, 0xC8}, nil, false},
		{"sub", []byte{0x29, 0xC1}, nil, false},
		{"sub-self", []byte{0x29, 0xC9}, nil, false},
		{"add-imm8", []byte{0x83, 0xC1, 0x7F}, nil, false},
		{"sub-imm32", []byte{0x81, 0xE9, 0x04, 0x00, 0x01, 0x80}, nil, false},
		{"xor", []byte{0x31, 0xC1}, nil, false},
		{"xor-self", []byte{0x31, 0xC9}, nil, false},
		{"xor-imm", []byte{0x81, 0xF1, 0xFF, 0x00, 0x00, 0x80}, nil, false},
		{"and-imm", []byte{0x81, 0xE1, 0x00, 0x00, 0x00, 0x80}, nil, false},
		{"or-ah", []byte{0x08, 0xE1}, nil, false},
		{"cmp", []byte{0x39, 0xC1}, nil, false},
		{"test", []byte{0x85, 0xC1}, nil, false},
		{"test-ah-imm", []byte{0xF6, 0xC4, 0x80}, nil, false},
		{"neg", []byte{0xF7, 0xD9}, nil, false},
		{"add-al", []byte{0x04, 0x7F}, nil, false},
		{"sub-eax", []byte{0x2D, 0x02, 0x00, 0x00, 0xC0}, nil, false},
		{"xor-eax", []byte{0x35, 0x01, 0x00, 0x00, 0x40}, nil, false},
		{"add-16", []byte{0x66, 0x01, 0xC1}, nil, false},
		// stc; jmp +0 (a new block, flags in ctx.hf); then INC/DEC, which
		// keep CF.
		{"inc", []byte{0xF9, 0xEB, 0x00, 0x41}, nil, false},
		{"dec", []byte{0xF9, 0xEB, 0x00, 0xFF, 0xC9}, nil, false},
		{"dec-cl", []byte{0xF9, 0xEB, 0x00, 0xFE, 0xC9}, nil, false},
		{"inc-clc", []byte{0xF8, 0xEB, 0x00, 0x41}, nil, false},
		{"lea-between", []byte{0x01, 0xC1}, []byte{0x8D, 0x1C, 0x08}, false}, // lea ebx, [eax+ecx]
		{"clobbered", []byte{0x01, 0xC1}, []byte{0x89, 0xD9}, false},         // mov ecx, ebx: spilled before
		{"group", []byte{0x29, 0xC1}, nil, true},                             // the group's slow copy
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := load
			if tc.viaGroup {
				l = group
			}
			sameFlagsAtMiss(t, append(append(append(append(append([]byte{}, setup...), tc.op...), tc.mid...), l...), tail...))
		})
	}
}

// haltBoth runs prog from newFlatCPU(seed) on the interpreter and on the
// translator, requires both to halt with the same registers, flags and
// RAM, and returns the translator (closed when the test ends).
func haltBoth(t *testing.T, prog []byte, seed uint64) *Engine {
	ci, rami := newFlatCPU(t, prog, seed)
	xi := runEngine(t, ci, nil)
	cd, ramd := newFlatCPU(t, prog, seed)
	e, err := newEngine(cd, 1<<20)
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	xd := runEngine(t, cd, e)
	require.Equal(t, cpu.ExitHalt, xi.Reason)
	require.Equal(t, xi.Reason, xd.Reason)
	ci.MaterializeFlags()
	cd.MaterializeFlags()
	require.Equal(t, ci.Regs, cd.Regs)
	require.Equal(t, ci.Flags, cd.Flags)
	require.Equal(t, rami, ramd)
	return e
}

// TestGroups runs base-register groups through their fast path, their
// slow copy (span across a page boundary, device memory) and resumption
// inside the run after a step, against the interpreter.
func TestGroups(t *testing.T) {
	movEBP := func(v uint32) []byte { return []byte{0xBD, byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }
	body := []byte{
		0xBE, 0x00, 0x00, 0x0A, 0x00, // mov esi, probe
		0x8B, 0x45, 0x00, // mov eax, [ebp]
		0x8B, 0x4D, 0x04, // mov ecx, [ebp+4]
		0x01, 0x4D, 0x08, // add [ebp+8], ecx
		0x8B, 0x16, // mov edx, [esi]: a miss, then a resume inside the run
		0x0F, 0xAF, 0x45, 0x0C, // imul eax, [ebp+12]
		0x89, 0x45, 0xFC, // mov [ebp-4], eax
		0x13, 0x5D, 0x10, // adc ebx, [ebp+16]
		0x88, 0x65, 0x01, // mov [ebp+1], ah
		0xC1, 0x65, 0x04, 0x03, // shl dword [ebp+4], 3
		0x8B, 0x6D, 0x08, // mov ebp, [ebp+8]: the base changes
		0x8B, 0x0C, 0x24, // mov ecx, [esp]
		0x4F,       // dec edi
		0x75, 0x00, // jnz top (patched below)
		0xF4, // hlt
	}
	for _, tc := range []struct {
		name string
		ebp  uint32
	}{
		{"one-page", dataBase + 0x100},
		{"straddles", dataBase + 0x1FF8},
		{"device", probeAddr + 0x10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// mov edi, 3; top: mov ebp, X; body; dec edi; jnz top; hlt:
			// later iterations run the fast path.
			prog := append(append([]byte{0xBF, 3, 0, 0, 0}, movEBP(tc.ebp)...), body...)
			prog[len(prog)-2] = byte(5 - (len(prog) - 1))
			haltBoth(t, prog, 3)
		})
	}
}

// TestPageCrossing runs a loop whose blocks end with an instruction
// crossing a page end, starting a block with one, and rewriting the
// part on the second page, against the interpreter.
func TestPageCrossing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		entry uint32 // where the loop starts: before or at the crossing MOV
	}{{"ends-block", 0x1FF8}, {"starts-block", 0x1FFD}} {
		t.Run(tc.name, func(t *testing.T) {
			prog := make([]byte, 0x1020)
			for i := range prog {
				prog[i] = 0x90
			}
			at := func(addr uint32, b ...byte) { copy(prog[addr-codeBase:], b) }
			rel := int32(tc.entry) - 0x100C
			at(0x1000, 0xB9, 6, 0, 0, 0, // mov ecx, 6
				0x31, 0xDB, // xor ebx, ebx
				0xE9, byte(rel), byte(rel>>8), byte(rel>>16), byte(rel>>24)) // jmp entry
			at(0x1FF8, 0x01, 0xC3)                   // add ebx, eax
			at(0x1FFD, 0xB8, 0x11, 0x22, 0x33, 0x44) // mov eax, 0x44332211 (across)
			at(0x2002, 0x01, 0xC3,                   // add ebx, eax
				0x83, 0xF9, 0x04, // cmp ecx, 4
				0x75, 0x07, // jne +7
				0xC6, 0x05, 0x00, 0x20, 0x00, 0x00, 0x55, // mov byte [0x2000], 0x55
				0x49,                               // dec ecx
				0x75, byte(int32(tc.entry)-0x2013), // jnz entry
				0xF4) // hlt
			e := haltBoth(t, prog, 5)
			var crossing bool
			for _, b := range e.blocks {
				crossing = crossing || b.crosses
			}
			require.True(t, crossing, "no block with the crossing instruction")
		})
	}
}

// TestKernelInstructions compares CMPXCHG8B, POPFD (translated when only the arithmetic
// flags and IF change, else a step) and 32-bit PUSH sreg (the low word
// only) with the interpreter.
func TestKernelInstructions(t *testing.T) {
	for _, tc := range []struct {
		name string
		prog []byte
	}{
		{"arith", []byte{0x68, 0xD7, 0x08, 0x00, 0x00, 0x9D, 0x9C, 0x5A}},          // push 0x8D7; popfd; pushfd; pop edx
		{"if", []byte{0x68, 0x02, 0x02, 0x00, 0x00, 0x9D, 0x9C, 0x5A, 0xFA}},       // push IF; popfd; pushfd; pop edx; cli
		{"df", []byte{0x68, 0x02, 0x04, 0x00, 0x00, 0x9D, 0x9C, 0x5A, 0xFC}},       // push DF; popfd; ...; cld
		{"nt-ac", []byte{0x68, 0x02, 0x40, 0x04, 0x00, 0x9D, 0x9C, 0x5A}},          // NT, AC
		{"iopl", []byte{0x68, 0x02, 0x30, 0x00, 0x00, 0x9D, 0x9C, 0x5A}},           // IOPL 3
		{"then-add", []byte{0x68, 0xC1, 0x08, 0x00, 0x00, 0x9D, 0x11, 0xC8, 0x9C}}, // popfd; adc eax, ecx; pushfd
		// cmpxchg8b [ebx]: unequal (loads EDX:EAX), then equal (stores
		// ECX:EBX); lock, a DS prefix; then setz/adc read the flags.
		{"cmpxchg8b", []byte{0x0F, 0xC7, 0x0B, 0x0F, 0x94, 0xC0, 0x0F, 0xC7, 0x0B, 0x0F, 0x94, 0xC4, 0x11, 0xC6}},
		{"lock-cmpxchg8b", []byte{0xF0, 0x3E, 0x0F, 0xC7, 0x4B, 0x08, 0x9C, 0x5E, 0xF0, 0x0F, 0xC7, 0x4B, 0x08}},
		{"push-sregs", []byte{0x6A, 0xFF, 0x6A, 0xFF, 0x6A, 0xFF, 0x83, 0xC4, 0x0C, // three push -1, add esp, 12
			0x06, 0x0E, 0x16, 0x1E, 0x0F, 0xA0, 0x0F, 0xA8, 0x5A, 0x59, 0x5B}}, // push es..gs; pop edx, ecx, ebx
	} {
		t.Run(tc.name, func(t *testing.T) {
			// mov edi, 3; top: prog; dec edi; jnz top; hlt: the later
			// iterations run with the stack page in the TLB.
			prog := append(append([]byte{0xBF, 3, 0, 0, 0}, tc.prog...), 0x4F, 0x75, byte(-len(tc.prog)-3), 0xF4)
			st := runBoth(t, prog, 11)
			require.NotZero(t, st.NativeRetired)
		})
	}
}

// TestDispatchHits checks that returns find their block through the
// native dispatcher's table (the Go side and the dispatcher agree on
// fastIndex), including two targets in one set.
func TestDispatchHits(t *testing.T) {
	// mov ecx, 1000; top: call f; call g; dec ecx; jnz top; hlt;
	// f: ret; g: ret
	prog := []byte{0xB9, 0xE8, 0x03, 0, 0, // mov ecx, 1000
		0xE8, 0x0A, 0, 0, 0, // call f (0x1014)
		0xE8, 0x06, 0, 0, 0, // call g (0x1015)
		0x49, 0x75, 0xF3, // dec ecx; jnz top (0x1005)
		0xF4,       // hlt
		0x90, 0xC3, // f: nop; ret  (f at 0x1014)
		0xC3, // g: ret
	}
	st := runBoth(t, prog, 2)
	require.Less(t, st.Exits[exitJump], uint64(20), "dispatches back to Go")
	// Two EIPs of one set both stay in the table.
	e := &Engine{fast: new([fastSlots]fastEntry)}
	var a, b uint32 = 0x1000, 0x1001
	for fastIndex(b) != fastIndex(a) {
		b++
	}
	e.insertFast(&block{blockKey: blockKey{eip: a}, entry: 1})
	e.insertFast(&block{blockKey: blockKey{eip: b}, entry: 2})
	e.insertFast(&block{blockKey: blockKey{eip: a}, entry: 1})
	i := fastIndex(a)
	require.ElementsMatch(t, []uintptr{1, 2}, []uintptr{e.fast[i].code, e.fast[i+1].code})
}
