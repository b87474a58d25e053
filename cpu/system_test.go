package cpu

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"bt86/mmu"
)

func TestDescriptorTableRegisters(t *testing.T) {
	r := newPMRig(t)
	// lgdt with a 16-bit operand keeps 24 bits of base.
	r.w16(rData, 0xFF)
	r.w32(rData+2, 0xAB000000|rGDT)
	// o16 lgdt [rData]; sgdt [rData+8]; o16 sgdt [rData+16]; int3
	r.run(0x66, 0x0F, 0x01, 0x15, 0, 0, 4, 0,
		0x0F, 0x01, 0x05, 8, 0, 4, 0,
		0x66, 0x0F, 0x01, 0x05, 16, 0, 4, 0, 0xCC)
	require.Equal(t, excBP, r.vector())
	require.Equal(t, Table{Base: rGDT, Limit: 0xFF}, r.c.GDTR)
	require.Equal(t, uint16(0xFF), r.r16(rData+8))
	require.Equal(t, uint32(rGDT), r.r32(rData+10))
	require.Equal(t, uint16(0xFF), r.r16(rData+16))
	require.Equal(t, uint32(rGDT), r.r32(rData+18))

	// Privileged at CPL 3.
	r = newPMRig(t)
	r.ring(3)
	r.run(0x0F, 0x01, 0x15, 0, 0, 4, 0)
	r.fault(excGP, 0, 1)
}

func TestSGDT16ZeroesTopByte(t *testing.T) {
	r := newPMRig(t)
	r.w32(rData+2, 0xFFFFFFFF)
	r.c.IDTR.Base = 0xAB002000 // SIDT only reads it
	// o16 sidt [rData]; then sidt [rData] (one instruction each)
	copy(r.ram[rCode:], []byte{0x66, 0x0F, 0x01, 0x0D, 0, 0, 4, 0})
	r.c.EIP = rCode
	r.c.Run(1)
	require.Equal(t, uint32(0x00002000), r.r32(rData+2))
	r.c.IDTR.Base = 0x12345678
	copy(r.ram[rCode+0x100:], []byte{0x0F, 0x01, 0x0D, 0, 0, 4, 0}) // (a new trace)
	r.c.EIP = rCode + 0x100
	r.c.Run(1)
	require.Equal(t, uint32(0x12345678), r.r32(rData+2))
}

func TestMSWAndCR0(t *testing.T) {
	r := newPMRig(t)
	c := r.c
	c.CR0 |= CR0TS | CR0MP
	// smsw eax; xor ebx, ebx; lmsw bx; smsw cx (o16); int3
	r.run(0x0F, 0x01, 0xE0, 0x31, 0xDB, 0x0F, 0x01, 0xF3, 0x66, 0x0F, 0x01, 0xE1, 0xCC)
	require.Equal(t, excBP, r.vector())
	require.Equal(t, uint32(CR0ET|CR0CD|CR0NW|CR0PE|CR0TS|CR0MP), c.Regs[EAX], "SMSW r32 stores CR0")
	require.Equal(t, uint32(CR0ET|CR0CD|CR0NW|CR0PE), c.CR0, "LMSW cannot clear PE")
	require.Equal(t, uint32(CR0PE|CR0ET), c.Regs[ECX]&0xFFFF)

	for _, tc := range []struct {
		name string
		eax  uint32
		code []byte
		vec  int
	}{
		{"pg-without-pe", CR0PG, []byte{0x0F, 0x22, 0xC0}, excGP},
		{"nw-without-cd", CR0PE | CR0NW, []byte{0x0F, 0x22, 0xC0}, excGP},
		{"cr4-reserved", 1 << 11, []byte{0x0F, 0x22, 0xE0}, excGP},
		{"cr4-pce-ok", CR4PCE, []byte{0x0F, 0x22, 0xE0, 0xCC}, excBP},
		{"cr1", 0, []byte{0x0F, 0x20, 0xC8}, excUD},
		{"cr5-write", 0, []byte{0x0F, 0x22, 0xE8}, excUD},
		{"cr2-roundtrip", 0x1234, []byte{0x0F, 0x22, 0xD0, 0x0F, 0x20, 0xD3, 0xCC}, excBP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newPMRig(t)
			r.c.Regs[EAX] = tc.eax
			r.run(tc.code...)
			require.Equal(t, tc.vec, r.vector())
		})
	}

	// CPL 3 and v8086 mode may not touch control registers.
	r = newPMRig(t)
	r.ring(3)
	r.run(0x0F, 0x20, 0xC0)
	r.fault(excGP, 0, 1)
	r = newPMRig(t)
	r.v86(3, 0, 0x0F, 0x06) // clts
	r.fault(excGP, 0, 1)
}

func TestPagingControlReachesMMU(t *testing.T) {
	r := newPMRig(t)
	const pd = 0x100000
	// Identity-map the first 4 MiB with one PSE page.
	r.w32(pd, 0x83|0x04)
	c := r.c
	c.Regs[EAX] = pd
	c.Regs[EBX] = CR4PSE
	// mov cr3, eax; mov cr4, ebx; mov eax, cr0; or eax, 0x80000000; mov cr0, eax; int3
	r.run(0x0F, 0x22, 0xD8, 0x0F, 0x22, 0xE3, 0x0F, 0x20, 0xC0, 0x0D, 0, 0, 0, 0x80, 0x0F, 0x22, 0xC0, 0xCC)
	require.Equal(t, excBP, r.vector())
	ctl := c.MMU.Control()
	require.True(t, ctl.Paging())
	require.Equal(t, uint32(pd), ctl.CR3)
	require.Equal(t, uint32(CR4PSE), ctl.CR4&CR4PSE)
	require.NotZero(t, r.ram[pd]&0x20, "the walk set the PDE accessed bit")

	// EFER.NXE through WRMSR.
	c.Halted = false
	c.Regs[ECX], c.Regs[EAX], c.Regs[EDX] = msrEFER, eferNXE, 0
	copy(r.ram[rCode+0x40:], []byte{0x0F, 0x30, 0xCC})
	c.EIP = rCode + 0x40
	c.Run(10)
	require.Equal(t, excBP, r.vector())
	require.Equal(t, uint64(mmu.EFERNXE), c.MMU.Control().EFER)
}

func TestDebugRegisters(t *testing.T) {
	r := newPMRig(t)
	c := r.c
	// mov eax, dr4 (alias of DR6); mov dr5, ebx (DR7); int3
	c.Regs[EBX] = 0x00000003
	r.run(0x0F, 0x21, 0xE0, 0x0F, 0x23, 0xEB, 0xCC)
	require.Equal(t, excBP, r.vector())
	require.Equal(t, uint32(0xFFFF0FF0), c.Regs[EAX])
	require.Equal(t, uint32(0x403), c.DR[7])

	r = newPMRig(t)
	r.c.CR4 = CR4DE
	r.run(0x0F, 0x21, 0xE0)
	r.fault(excUD, -1, 1)

	r = newPMRig(t)
	r.c.DR[7] = 0x400 | dr7GD
	r.run(0x0F, 0x21, 0xC0)
	f := r.fault(excDB, -1, 1)
	require.Equal(t, uint32(rCode), f[0], "#DB for GD is a fault")
	require.NotZero(t, r.c.DR[6]&dr6BD)
	require.Zero(t, r.c.DR[7]&dr7GD)
}

func TestLARLSLVerify(t *testing.T) {
	for _, tc := range []struct {
		name     string
		access   uint8
		sel      uint16
		cpl      int
		lar, lsl bool
		verr     bool
		verw     bool
	}{
		{"data", accData, selFree, 0, true, true, true, true},
		{"code-ro", 0x9B &^ 2, selFree, 0, true, true, false, false},
		{"int-gate", 0x8E, selFree, 0, false, false, false, false},
		{"task-gate", 0x85, selFree, 0, true, false, false, false},
		{"call-gate16", 0x84, selFree, 0, true, false, false, false},
		{"ldt", 0x82, selFree, 0, true, true, false, false},
		{"tss16-busy", 0x83, selFree, 0, true, true, false, false},
		{"type-0", 0x80, selFree, 0, false, false, false, false},
		{"data-dpl0-cpl3", accData, selFree | 3, 3, false, false, false, false},
		{"conforming-cpl3", 0x9F, selFree | 3, 3, true, true, true, false},
		{"not-present", 0x13, selFree, 0, true, true, true, true},
		{"null", accData, 0, 0, false, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			zf := func(ins ...byte) bool {
				r := newPMRig(t)
				r.desc(selFree, 0x1000, 0x1234, tc.access, 0)
				r.ring(tc.cpl)
				r.c.Regs[ECX] = uint32(tc.sel)
				r.c.Regs[EAX] = 0xDEADBEEF
				r.run(append(ins, 0xCC)...)
				require.Equal(t, excBP, r.vector())
				return r.c.zf()
			}
			require.Equal(t, tc.lar, zf(0x0F, 0x02, 0xC1), "LAR")
			require.Equal(t, tc.lsl, zf(0x0F, 0x03, 0xC1), "LSL")
			require.Equal(t, tc.verr, zf(0x0F, 0x00, 0xE1), "VERR")
			require.Equal(t, tc.verw, zf(0x0F, 0x00, 0xE9), "VERW")
		})
	}
	r := newPMRig(t)
	r.desc(selFree, 0x1000, 0x1234, accData, 0xC)
	r.c.Regs[ECX] = selFree
	r.run(0x0F, 0x02, 0xC1, 0x0F, 0x03, 0xD9, 0xCC) // lar eax, ecx; lsl ebx, ecx
	require.Equal(t, uint32(0x00C09300), r.c.Regs[EAX])
	require.Equal(t, uint32(0x1234FFF), r.c.Regs[EBX])

	// Not in real mode.
	require.True(t, realModeUD(t, 0x0F, 0x02, 0xC1))
}

// realModeUD runs code in real mode and reports whether it raised #UD.
func realModeUD(t *testing.T, code ...byte) bool {
	c := newTestCPU(t, code)
	binary.LittleEndian.PutUint32(c.ram[excUD*4:], 0x500) // 0000:0500
	c.ram[0x500] = 0xF4
	c.Run(10)
	return c.Halted && c.EIP == 0x501 && c.Seg[CS].Sel == 0
}

func TestARPL(t *testing.T) {
	r := newPMRig(t)
	c := r.c
	c.Regs[EAX], c.Regs[EBX] = 0x10, 0x03
	r.run(0x63, 0xD8, 0xCC) // arpl ax, bx
	require.Equal(t, uint32(0x13), c.Regs[EAX])
	require.True(t, c.zf())
	r = newPMRig(t)
	r.c.Regs[EAX], r.c.Regs[EBX] = 0x13, 0x01
	r.run(0x63, 0xD8, 0xCC)
	require.Equal(t, uint32(0x13), r.c.Regs[EAX])
	require.False(t, r.c.zf())
}

func TestLLDTAndLTR(t *testing.T) {
	r := newPMRig(t)
	r.desc(selFree, 0x5000, 0x17, 0x82, 0)
	r.desc(selFree+8, 0x6000, 0x67, 0x89, 0)
	r.c.Regs[EAX], r.c.Regs[EBX] = selFree, selFree+8
	// lldt ax; ltr bx; sldt ecx; str edx; int3
	r.run(0x0F, 0x00, 0xD0, 0x0F, 0x00, 0xDB, 0x0F, 0x00, 0xC1, 0x0F, 0x00, 0xCA, 0xCC)
	require.Equal(t, excBP, r.vector())
	c := r.c
	require.Equal(t, uint32(0x5000), c.LDTR.Base)
	require.Equal(t, uint32(selFree), c.Regs[ECX])
	require.Equal(t, uint32(selFree+8), c.Regs[EDX])
	require.Equal(t, byte(0x8B), r.ram[rGDT+selFree+8+5])
	require.Equal(t, uint32(0x6000), c.TR.Base)

	for _, tc := range []struct {
		name string
		code []byte
		sel  uint32
		vec  int
		err  int64
	}{
		{"ltr-busy", []byte{0x0F, 0x00, 0xD8}, selTSS, excGP, selTSS},
		{"ltr-null", []byte{0x0F, 0x00, 0xD8}, 0, excGP, 0},
		{"ltr-ldt-type", []byte{0x0F, 0x00, 0xD8}, selFree, excGP, selFree},
		{"lldt-tss-type", []byte{0x0F, 0x00, 0xD0}, selTSS, excGP, selTSS},
		{"lldt-ti", []byte{0x0F, 0x00, 0xD0}, 0x0C, excGP, 0x0C},
		{"lldt-np", []byte{0x0F, 0x00, 0xD0}, selFree + 16, excNP, selFree + 16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newPMRig(t)
			r.desc(selFree, 0x5000, 0x17, 0x82, 0)
			r.desc(selFree+16, 0x5000, 0x17, 0x02, 0)
			r.c.Regs[EAX] = tc.sel
			r.run(tc.code...)
			r.fault(tc.vec, tc.err, 1)
		})
	}
	require.True(t, realModeUD(t, 0x0F, 0x00, 0xC8), "STR in real mode")
	require.True(t, realModeUD(t, 0x63, 0xD8), "ARPL in real mode")
	require.False(t, realModeUD(t, 0x0F, 0x01, 0xE0, 0xF4), "SMSW works in real mode")
}
