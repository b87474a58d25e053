package cpu

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Virtual-8086 test layout: code at 0800:0000 (linear 0x8000), stack at
// 0900:FFF0, data segments 0x1000..0x3000.
const (
	v86CS = 0x0800
	v86SS = 0x0900
	v86SP = 0xFFF0
)

// v86 puts the CPU in virtual-8086 mode with the given IOPL and runs code
// at 0800:0000 (see v86Setup).
func (r *pmRig) v86(iopl uint32, cr4 uint32, code ...byte) Exit {
	r.t.Helper()
	r.v86Setup(iopl, cr4, code...)
	return r.c.Run(1000)
}

// v86Setup prepares a v86 run: the TSS gets an interrupt redirection
// bitmap (at +0x68, every vector redirected) before its I/O bitmap (+0x88,
// every port open).
func (r *pmRig) v86Setup(iopl uint32, cr4 uint32, code ...byte) {
	r.desc(selTSS, rTSS, 0x88+0x2000, 0x8B, 0)
	r.w16(rTSS+tss32IOMap, 0x88)
	for i := 0x68; i < 0x88+0x2000; i++ {
		r.ram[rTSS+i] = 0
	}
	r.ram[rTSS+0x88+0x2000] = 0xFF
	c := r.c
	c.TR = r.seg(selTSS)
	c.CR4 = cr4
	c.SetEFlags(FlagVM | iopl<<12 | c.Flags&(FlagIF|FlagVIF|FlagVIP))
	c.CPL = 3
	for i, s := range []uint16{0x1000, v86CS, v86SS, 0x2000, 0x3000, 0x3000} {
		c.loadSegReal(i, s)
	}
	c.Regs[ESP] = v86SP
	c.StateChanged()
	copy(r.ram[v86CS<<4:], code)
	c.EIP = 0
}

// v86Word reads the v8086 stack at SP+off.
func (r *pmRig) v86Word(off uint32) uint16 {
	return r.r16(int(r.c.Seg[SS].Base + (r.c.Regs[ESP]+off)&0xFFFF))
}

func TestV86EnterByIret(t *testing.T) {
	r := newPMRig(t)
	code := []byte{}
	for _, v := range []uint32{0x6000, 0x5000, 0x4000, 0x3000, v86SS, v86SP, FlagVM | 3<<12 | 2, v86CS, 0} {
		code = append(code, 0x68, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
	}
	code = append(code, 0xCF) // iretd
	// v86 code: mov ax, [0]; int 0x30 (IOPL 3: through the IDT)
	copy(r.ram[v86CS<<4:], []byte{0xA1, 0, 0, 0xCD, 0x30})
	r.w16(0x4000<<4, 0x5A5A) // DS:0
	r.gate(rIDT+0x30*8, selCode0, rHandlers+0x30*4, 0xEE, 0)
	r.run(code...)
	c := r.c
	f := r.fault(0x30, -1, 9)
	require.Equal(t, []uint32{5, v86CS, FlagVM | 3<<12 | 2, v86SP, v86SS, 0x3000, 0x4000, 0x5000, 0x6000}, f)
	require.Equal(t, uint32(0x5A5A), c.Regs[EAX]&0xFFFF)
	require.Zero(t, c.Flags&FlagVM)
	for _, s := range []int{ES, DS, FS, GS} {
		require.False(t, c.Seg[s].Valid, "segment %d nulled", s)
	}
	require.Equal(t, uint32(rStack0-36), c.Regs[ESP])
}

func TestV86Sensitive(t *testing.T) {
	for _, tc := range []struct {
		name string
		iopl uint32
		cr4  uint32
		code []byte
		gp   bool // #GP(0) expected at offset 0
	}{
		{"cli-iopl0", 0, 0, []byte{0xFA}, true},
		{"sti-iopl0", 0, 0, []byte{0xFB}, true},
		{"pushf-iopl0", 0, 0, []byte{0x9C}, true},
		{"popf-iopl0", 0, 0, []byte{0x9D}, true},
		{"int-iopl0", 0, 0, []byte{0xCD, 0x21}, true},
		{"iret-iopl0", 0, 0, []byte{0xCF}, true},
		{"pushfd-vme", 0, CR4VME, []byte{0x66, 0x9C}, true},
		{"iretd-vme", 0, CR4VME, []byte{0x66, 0xCF}, true},
		{"cli-iopl3", 3, 0, []byte{0xFA, 0xF4}, false},
		{"cli-vme", 0, CR4VME, []byte{0xFA, 0xF4}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newPMRig(t)
			r.v86(tc.iopl, tc.cr4, tc.code...)
			f := r.fault(excGP, 0, 2)
			if tc.gp {
				require.Equal(t, []uint32{0, v86CS}, f)
			} else {
				require.Equal(t, uint32(len(tc.code)-1), f[0], "HLT faults, not the instruction")
			}
		})
	}
}

func TestVMEVirtualInterruptFlag(t *testing.T) {
	r := newPMRig(t)
	r.c.Flags |= FlagIF
	// cli; pushf; sti; pushf; hlt
	r.v86(0, CR4VME, 0xFA, 0x9C, 0xFB, 0x9C, 0xF4)
	r.fault(excGP, 0, 9)
	c := r.c
	require.Equal(t, uint32(v86SP-4), r.r32(int(c.Regs[ESP])+16))
	sp := int(v86SS<<4 + v86SP)
	afterCli, afterSti := r.r16(sp-2), r.r16(sp-4)
	require.Zero(t, afterCli&uint16(FlagIF), "PUSHF shows VIF as IF")
	require.Equal(t, uint16(FlagIOPL), afterCli&uint16(FlagIOPL), "and IOPL as 3")
	require.NotZero(t, afterSti&uint16(FlagIF))
	fl := r.r32(int(c.Regs[ESP]) + 12)
	require.NotZero(t, fl&FlagVIF)
	require.NotZero(t, fl&FlagIF, "the real IF is untouched")
	require.Zero(t, fl&FlagIOPL)

	// STI with VIP set: #GP(0).
	r = newPMRig(t)
	r.c.Flags |= FlagVIP
	r.v86(0, CR4VME, 0xFB)
	r.fault(excGP, 0, 1)

	// POPF setting TF: #GP(0); POPF with IF moves it to VIF.
	r = newPMRig(t)
	r.v86(0, CR4VME, 0x68, 0x00, 0x01, 0x9D) // push 0x100; popf
	f := r.fault(excGP, 0, 1)
	require.Equal(t, uint32(3), f[0])
	r = newPMRig(t)
	r.v86(0, CR4VME, 0x68, 0x01, 0x32, 0x9D, 0xF4) // push 0x3201; popf; hlt
	fl = r.stack(4)[3]
	require.NotZero(t, fl&FlagVIF)
	require.Zero(t, fl&FlagIF)
	require.Zero(t, fl&FlagIOPL, "IOPL unchanged")
	require.NotZero(t, fl&FlagCF)
}

func TestVMEInterruptRedirection(t *testing.T) {
	// INT 0x21 redirected to the 8086 handler at 0A00:0010 through the IVT.
	r := newPMRig(t)
	r.w16(0x21*4, 0x0010)
	r.w16(0x21*4+2, 0x0A00)
	r.ram[0xA010] = 0xF4
	r.c.Flags |= FlagIF | FlagVIF
	r.v86(0, CR4VME, 0xCD, 0x21)
	r.fault(excGP, 0, 2)
	require.Equal(t, []uint32{0x10, 0x0A00}, r.stack(3)[1:3], "HLT in the 8086 handler")
	fl := r.stack(4)[3]
	require.Zero(t, fl&FlagVIF, "VIF cleared by the redirection")
	require.NotZero(t, fl&FlagIF)
	sp := int(v86SS<<4 + v86SP)
	require.Equal(t, uint16(2), r.r16(sp-6), "IP")
	require.Equal(t, uint16(v86CS), r.r16(sp-4), "CS")
	require.Equal(t, uint16(FlagIF|FlagIOPL|2), r.r16(sp-2)&uint16(FlagIF|FlagIOPL|2), "FLAGS: VIF as IF, IOPL 3")

	// With the vector's bit set in the bitmap and IOPL < 3: #GP(0).
	r = newPMRig(t)
	r.v86Setup(0, CR4VME, 0xCD, 0x21)
	r.ram[rTSS+0x68+0x21/8] |= 1 << (0x21 & 7)
	r.c.Run(100)
	require.Equal(t, []uint32{0, v86CS}, r.fault(excGP, 0, 2))

	// ... and with IOPL 3 it goes through the IDT.
	r = newPMRig(t)
	r.gate(rIDT+0x21*8, selCode0, rHandlers+0x21*4, 0xEE, 0)
	r.v86Setup(3, CR4VME, 0xCD, 0x21)
	r.ram[rTSS+0x68+0x21/8] |= 1 << (0x21 & 7)
	r.c.Run(100)
	require.Equal(t, []uint32{2, v86CS}, r.fault(0x21, -1, 2))
}

func TestPVI(t *testing.T) {
	r := newPMRig(t)
	r.ring(3)
	r.c.CR4 = CR4PVI
	r.c.Flags |= FlagIF | FlagVIF
	r.run(0xFA, 0xCC) // cli; int3
	require.Equal(t, excBP, r.vector())
	fl := r.stack(3)[2]
	require.NotZero(t, fl&FlagIF)
	require.Zero(t, fl&FlagVIF)

	r = newPMRig(t)
	r.ring(3)
	r.run(0xFA) // no PVI: #GP(0)
	r.fault(excGP, 0, 1)
}
