package cpu

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// tss32 writes a 32-bit TSS at a: eip, esp, eflags, eax, and flat ring-0
// segments.
func (r *pmRig) tss32(a int, eip, esp, eflags, eax uint32) {
	for i := 0; i < 0x68; i++ {
		r.ram[a+i] = 0
	}
	r.w32(a+tss32EIP, eip)
	r.w32(a+tss32Flags, eflags)
	r.w32(a+tss32Regs, eax)
	r.w32(a+tss32Regs+4*ESP, esp)
	for i, s := range []uint16{selData0, selCode0, selData0, selData0, selData0, selData0} {
		r.w16(a+tss32Segs+4*i, s)
	}
	r.w16(a+tss32IOMap, 0x68)
}

func TestTaskJmp16(t *testing.T) {
	r := newPMRig(t)
	const tss = rData + 0x1000
	r.desc(selFree, tss, 0x2B, 0x81, 0) // available 16-bit TSS
	r.w16(tss+tss16IP, 0x8000)
	r.w16(tss+tss16Flags, 0x0002|uint16(FlagCF))
	for i := 0; i < 8; i++ {
		r.w16(tss+tss16Regs+2*i, uint16(0x1100+i))
	}
	r.w16(tss+tss16Regs+2*ESP, 0x9000)
	for i, s := range []uint16{selData0, selCode0, selData0, selData0} {
		r.w16(tss+tss16Segs+2*i, s)
	}
	r.ram[0x8000] = 0xF4
	c := r.c
	c.Regs[EAX] = 0xAAAA5555
	// jmp far selFree:0
	r.run(0xEA, 0, 0, 0, 0, selFree, 0)
	require.True(t, c.Halted)
	require.Equal(t, uint32(0x8001), c.EIP)
	require.Equal(t, uint32(0xFFFF1100), c.Regs[EAX])
	require.Equal(t, uint32(0xFFFF9000), c.Regs[ESP])
	require.True(t, c.cf())
	require.False(t, c.Seg[FS].Valid)
	require.False(t, c.Seg[GS].Valid)
	require.Equal(t, uint16(selFree), c.TR.Sel)
	require.NotZero(t, c.CR0&CR0TS)
	require.Equal(t, byte(0x83), r.ram[rGDT+selFree+5], "new TSS busy")
	require.Equal(t, byte(0x89), r.ram[rGDT+selTSS+5], "old TSS not busy after JMP")
	require.Equal(t, uint32(rCode+7), r.r32(rTSS+tss32EIP), "saved EIP")
	require.Equal(t, uint32(0xAAAA5555), r.r32(rTSS+tss32Regs), "saved EAX")
	require.Equal(t, uint16(0), r.r16(tss), "JMP writes no back link")
}

func TestTaskCallGateAndIret(t *testing.T) {
	r := newPMRig(t)
	const tss = rData + 0x2000
	r.desc(selFree, tss, 0x67, 0x89, 0)
	r.gate(rGDT+selFree+8, selFree, 0, 0x85, 0) // task gate, DPL 0
	r.tss32(tss, 0x8000, 0x9000, 0x2, 0)
	copy(r.ram[0x8000:], []byte{0xB8, 0x78, 0x56, 0x34, 0x12, 0xCF}) // mov eax, imm; iretd
	c := r.c
	c.Regs[EAX] = 0x0BADF00D
	// call far taskgate:0; int3
	r.run(0x9A, 0, 0, 0, 0, selFree+8, 0, 0xCC)
	require.Equal(t, excBP, r.vector())
	require.Equal(t, uint32(0x0BADF00D), c.Regs[EAX], "caller's EAX restored")
	require.Equal(t, uint16(selTSS), c.TR.Sel)
	require.Zero(t, c.Flags&FlagNT)
	require.Equal(t, uint16(selTSS), r.r16(tss), "back link")
	require.Equal(t, uint32(0x12345678), r.r32(tss+tss32Regs), "callee state saved")
	require.Zero(t, r.r32(tss+tss32Flags)&FlagNT, "IRET saves the callee with NT clear")
	require.Equal(t, byte(0x89), r.ram[rGDT+selFree+5], "IRET frees the nested task")
	require.Equal(t, byte(0x8B), r.ram[rGDT+selTSS+5], "caller still busy")

	// Calling a busy TSS: #GP(sel).
	r = newPMRig(t)
	r.run(0x9A, 0, 0, 0, 0, selTSS, 0)
	r.fault(excGP, selTSS, 3)
	// A TSS limit below 0x67: #TS(sel).
	r = newPMRig(t)
	r.desc(selFree, rData, 0x50, 0x89, 0)
	r.run(0xEA, 0, 0, 0, 0, selFree, 0)
	r.fault(excTS, selFree, 3)
}

func TestTaskGateException(t *testing.T) {
	r := newPMRig(t)
	const tss = rData + 0x3000
	r.desc(selFree, tss, 0x67, 0x89, 0)
	r.gate(rIDT+excGP*8, selFree, 0, 0x85, 0)
	r.tss32(tss, 0x8800, 0x9800, 0x2, 0)
	r.ram[0x8800] = 0xF4
	c := r.c
	// mov ax, selTSS; mov ds, ax -> #GP(selTSS) through the task gate
	r.run(0x66, 0xB8, selTSS, 0, 0x8E, 0xD8)
	require.True(t, c.Halted)
	require.Equal(t, uint32(0x8801), c.EIP)
	require.Equal(t, uint16(selFree), c.TR.Sel)
	require.Equal(t, uint32(0x9800-4), c.Regs[ESP])
	require.Equal(t, uint32(selTSS), r.r32(0x9800-4), "error code on the new stack")
	require.NotZero(t, c.Flags&FlagNT)
	require.Equal(t, uint16(selTSS), r.r16(tss))
	require.Equal(t, uint32(rCode+4), r.r32(rTSS+tss32EIP), "faulting EIP saved")

	// INT n through a task gate and the T bit: #DB before the first
	// instruction of the new task.
	r = newPMRig(t)
	r.desc(selFree, tss, 0x67, 0x89, 0)
	r.gate(rIDT+0x50*8, selFree, 0, 0x85, 0)
	r.tss32(tss, 0x8800, 0x9800, 0x2, 0)
	r.w16(tss+tss32Trap, 1)
	r.run(0xCD, 0x50)
	f := r.fault(excDB, -1, 3)
	require.Equal(t, uint32(0x8800), f[0])
	require.NotZero(t, r.c.DR[6]&(1<<15))
}

func TestTaskSwitchLDTAndCR3(t *testing.T) {
	r := newPMRig(t)
	const tss, ldt = rData + 0x2000, rData + 0x4000
	r.desc(selFree, tss, 0x67, 0x89, 0)
	r.desc(selFree+8, ldt, 0xF, 0x82, 0) // LDT with two entries
	r.tss32(tss, 0x8000, 0x9000, 0x2, 0)
	r.w16(tss+tss32LDT, selFree+8)
	r.w16(tss+tss32Segs+4*DS, 0x0C) // LDT entry 1
	// LDT entry 1: data, base 0x123000
	r.w32(ldt+8, 0x3000FFFF)
	r.w32(ldt+12, 0x00409312)
	r.w32(tss+tss32CR3, 0x5000)
	r.ram[0x8000] = 0xF4
	r.run(0xEA, 0, 0, 0, 0, selFree, 0)
	c := r.c
	require.True(t, c.Halted)
	require.Equal(t, uint16(selFree+8), c.LDTR.Sel)
	require.Equal(t, uint32(ldt), c.LDTR.Base)
	require.Equal(t, uint32(0x123000), c.Seg[DS].Base)
	require.Equal(t, uint32(0), c.CR3, "CR3 is not loaded with paging off")

	// A bad LDT selector faults after the commit point, in the new task:
	// its #TS handler (a task gate) sees the new task's EIP.
	r = newPMRig(t)
	const tss2 = rData + 0x3000
	r.desc(selFree, tss, 0x67, 0x89, 0)
	r.desc(selFree+8, tss2, 0x67, 0x89, 0)
	r.gate(rIDT+excTS*8, selFree+8, 0, 0x85, 0)
	r.tss32(tss, 0x8000, 0x9000, 0x2, 0)
	r.tss32(tss2, 0x8800, 0x9800, 0x2, 0)
	r.ram[0x8800] = 0xF4
	r.w16(tss+tss32LDT, selData0)
	r.run(0xEA, 0, 0, 0, 0, selFree, 0)
	c = r.c
	require.True(t, c.Halted)
	require.Equal(t, uint16(selFree+8), c.TR.Sel)
	require.Equal(t, uint32(selData0), r.r32(0x9800-4), "#TS error code")
	require.Equal(t, uint16(selFree), r.r16(tss2), "back link to the faulting task")
	require.Equal(t, uint32(0x8000), r.r32(tss+tss32EIP), "fault in the new task's context")
}
