package dbt

import (
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/arch/x86/x86asm"

	"bt86/cpu"
)

// TestAsmEncodings pairs each instruction shape the translator emits
// with its disassembly by x86asm (64-bit mode, Intel syntax).
func TestAsmEncodings(t *testing.T) {
	for _, c := range []struct {
		want string
		emit func(a *asm)
	}{
		{"mov eax, dword ptr [r15+0x20]", func(a *asm) { a.loadCtx32(rAX, 0x20) }},
		{"mov dword ptr [r15+0x10], r12d", func(a *asm) { a.storeCtx32(r12, 0x10) }},
		{"mov r10, qword ptr [r15+0x40]", func(a *asm) { a.loadCtx64(r10, 0x40) }},
		{"mov qword ptr [r15+0x200], r8", func(a *asm) { a.storeCtx64(r8, 0x200) }},
		{"mov dword ptr [r15+0x24], 0x3", func(a *asm) { a.movCtxImm32(0x24, 3) }},
		{"sub qword ptr [r15+0x30], 0x7", func(a *asm) { a.addCtx64Imm(0x30, -7) }},
		{"add qword ptr [r15+0x30], 0x1000", func(a *asm) { a.addCtx64Imm(0x30, 0x1000) }},
		{"pushfq", func(a *asm) { a.saveFlags(0x28) }},
		{"push qword ptr [r15+0x28]", func(a *asm) { a.loadFlags(0x28) }},
		{"mov r9d, r8d", func(a *asm) { a.movRR32(r9, r8) }},
		{"mov ebp, r13d", func(a *asm) { a.movRR32(rBP, r13) }},
		{"mov r12d, 0x12345678", func(a *asm) { a.movRImm32(r12, 0x12345678) }},
		{"lea r8d, ptr [r12d+4*ebx+0x10]", func(a *asm) { a.leaEA32(r8, r12, rBX, 2, 0x10) }},
		{"lea r8d, ptr [0x1234]", func(a *asm) { a.leaEA32(r8, -1, -1, 0, 0x1234) }},
		{"lea eax, ptr [ebp+esi-0x4]", func(a *asm) { a.leaEA32(rAX, rBP, rSI, 0, 0xFFFFFFFC) }},
	} {
		var a asm
		c.emit(&a)
		inst, err := x86asm.Decode(a.buf, 64)
		require.NoError(t, err, "% x", a.buf)
		got := x86asm.IntelSyntax(inst, 0, nil)
		require.Equal(t, c.want, got, "% x", a.buf)
	}
}

// TestGenericReencoding checks that guest instructions re-encoded on host
// registers disassemble as the same operation on the mapped registers.
func TestGenericReencoding(t *testing.T) {
	var tr translator
	for _, c := range []struct {
		p    plan
		mem  bool
		want string
	}{
		{plan{opc: []byte{0x01}, reg: rCX, rm: r12}, false, "add r12d, ecx"},
		{plan{opc: []byte{0x8B}, reg: r12, rm: rAX}, false, "mov r12d, eax"},
		{plan{opc: []byte{0x88}, reg: 4, rm: 1}, false, "mov cl, ah"},
		{plan{opc: []byte{0x01}, reg: rDX}, true, "add dword ptr [r9], edx"},
		{plan{opc: []byte{0x81}, reg: 7, imm: []byte{1, 0, 0, 0}}, true, "cmp dword ptr [r9], 0x1"},
		{plan{opc: []byte{0x0F, 0xAF}, reg: r12, rm: rBP, p66: true}, false, "imul r12w, bp"},
		{plan{opc: []byte{0x0F, 0xB1}, reg: rSI, lock: true}, true, "lock cmpxchg dword ptr [r9], esi"},
	} {
		tr.a.reset()
		tr.emitGeneric(&c.p, c.mem)
		inst, err := x86asm.Decode(tr.a.buf, 64)
		require.NoError(t, err, "% x", tr.a.buf)
		require.Equal(t, c.want, x86asm.IntelSyntax(inst, 0, nil), "% x", tr.a.buf)
	}
}

func TestRepCostLog(t *testing.T) {
	require.Equal(t, cpu.RepCost, 1<<repCostLog)
}
