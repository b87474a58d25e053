package cpu

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestInOut(t *testing.T) {
	r := newPMRig(t)
	c := r.c
	c.Regs[EAX], c.Regs[EDX] = 0x11223344, 0x3F8
	// out 0x80, al; out dx, eax; o16 out dx, ax; in al, 0x60; in eax, dx; int3
	r.run(0xE6, 0x80, 0xEF, 0x66, 0xEF, 0xE4, 0x60, 0xED, 0xCC)
	require.Equal(t, excBP, r.vector())
	require.Equal(t, []portWrite{{0x80, 1, 0x44}, {0x3F8, 4, 0x11223344}, {0x3F8, 2, 0x3344}}, r.ports.writes)
	require.Equal(t, uint32(0x89ABCDEF), c.Regs[EAX])
}

func TestIOPermissionBitmap(t *testing.T) {
	for _, tc := range []struct {
		name string
		iopl uint32
		deny []uint16 // ports whose bitmap bit is set
		code []byte   // with DX = 0x3F8
		gp   bool
	}{
		{"iopl3-ring3", 3, []uint16{0x3F8}, []byte{0xEE}, false},
		{"allowed", 0, []uint16{0x3F9}, []byte{0xEE}, false},
		{"denied", 0, []uint16{0x3F8}, []byte{0xEE}, true},
		{"word-straddles-denied", 0, []uint16{0x3F9}, []byte{0x66, 0xEF}, true},
		{"dword-last-byte", 0, []uint16{0x3FB}, []byte{0xED}, true},
		{"dword-after", 0, []uint16{0x3FC}, []byte{0xED}, false},
		{"imm-port", 0, []uint16{0x80}, []byte{0xE4, 0x80}, true},
		{"ins", 0, []uint16{0x3F8}, []byte{0x6C}, true},
		{"outs", 0, []uint16{0x3F8}, []byte{0x6E}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newPMRig(t)
			for _, p := range tc.deny {
				r.ram[rTSS+0x68+int(p>>3)] |= 1 << (p & 7)
			}
			r.ring(3)
			r.c.Flags |= tc.iopl << 12
			r.c.Regs[EDX] = 0x3F8
			r.c.Regs[EDI], r.c.Regs[ESI] = rData, rData
			r.run(append(tc.code, 0xCC)...)
			if tc.gp {
				r.fault(excGP, 0, 1)
				require.Empty(t, r.ports.writes)
			} else {
				require.Equal(t, excBP, r.vector())
			}
		})
	}

	// Beyond the TSS limit, or a 16-bit TSS: #GP(0).
	r := newPMRig(t)
	r.c.TR.Limit = 0x68 + 0x3F8/8
	r.ring(3)
	r.c.Regs[EDX] = 0x3F8
	r.run(0xEE)
	r.fault(excGP, 0, 1)
	r = newPMRig(t)
	r.desc(selFree, rData+0x100, 0x2B, 0x83, 0) // busy 16-bit TSS
	r.w16(rData+0x100+2, 0x9000)                // SP0
	r.w16(rData+0x100+4, selData0)              // SS0
	r.c.TR = r.seg(selFree)
	r.ring(3)
	r.run(0xE6, 0x80)
	r.fault(excGP, 0, 1)

	// v8086 mode checks the bitmap whatever IOPL says.
	r = newPMRig(t)
	r.v86Setup(3, 0, 0xE6, 0x80)
	r.ram[rTSS+0x88+0x80/8] |= 1
	r.c.Run(10)
	r.fault(excGP, 0, 1)
}

func TestRepOutsInterruptible(t *testing.T) {
	r := newPMRig(t)
	c := r.c
	const n = 3000
	for i := 0; i < n; i++ {
		r.ram[rData+i] = byte(i)
	}
	c.Regs[ESI], c.Regs[ECX], c.Regs[EDX] = rData, n, 0xE9
	copy(r.ram[rCode:], []byte{0xF3, 0x6E, 0xCC}) // rep outsb; int3
	c.EIP = rCode
	// Each iteration uses a unit of budget: a Run of 1,000 ends after
	// the first 1,024-iteration execution, with the REP to restart.
	first := c.Run(1000)
	require.Equal(t, ExitBudget, first.Reason)
	require.Equal(t, uint32(n-1024), c.Regs[ECX])
	require.Equal(t, uint32(rCode), c.EIP)
	ex := c.Run(10000)
	ex.Retired += first.Retired
	require.Equal(t, excBP, r.vector())
	require.Len(t, r.ports.writes, n)
	for i, w := range r.ports.writes {
		require.Equal(t, portWrite{0xE9, 1, uint32(byte(i))}, w)
	}
	require.Equal(t, uint32(0), c.Regs[ECX])
	require.Equal(t, uint32(rData+n), c.Regs[ESI])
	require.Equal(t, 3+2, ex.Retired, "three restarts of REP OUTSB, INT3, HLT")
}

func TestRepInsDown(t *testing.T) {
	r := newPMRig(t)
	c := r.c
	r.ports.in = 0xBEEF
	c.Regs[EDI], c.Regs[ECX], c.Regs[EDX] = rData+8, 3, 0x1F0
	// std; rep insw (o16); cld; int3
	r.run(0xFD, 0x66, 0xF3, 0x6D, 0xFC, 0xCC)
	require.Equal(t, excBP, r.vector())
	require.Equal(t, uint32(rData+2), c.Regs[EDI])
	for _, a := range []int{rData + 4, rData + 6, rData + 8} {
		require.Equal(t, uint16(0xBEEF), r.r16(a))
	}
	require.Equal(t, uint16(0), r.r16(rData+2))

	// A faulting destination: #GP before the port is read.
	r = newPMRig(t)
	r.desc(selFree, rData, 0xF, accData, 4)
	r.c.Seg[ES] = r.seg(selFree)
	r.c.StateChanged()
	r.c.Regs[EDI], r.c.Regs[EDX] = 0x10, 0x1F0
	r.run(0x6C)
	r.fault(excGP, 0, 1)
}
