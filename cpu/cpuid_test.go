package cpu

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCPUID(t *testing.T) {
	r := newPMRig(t)
	c := r.c
	regs := func(leaf uint32) [4]uint32 {
		a, b, cx, d := c.cpuidLeaf(leaf)
		return [4]uint32{a, b, cx, d}
	}
	v := regs(0)
	require.Equal(t, uint32(2), v[0])
	require.Equal(t, "GenuineIntel", string(leString(v[1])+leString(v[3])+leString(v[2])))
	v = regs(1)
	require.Equal(t, uint32(0x665), v[0])
	require.Equal(t, c.model.Features, v[3])
	require.NotZero(t, v[3]&FeatVME)
	require.Equal(t, regs(2), regs(3), "out-of-range leaves return the highest basic leaf")
	require.Equal(t, regs(2), regs(0x80000005))
	require.Equal(t, uint32(0x80000004), regs(0x80000000)[0])
	require.Equal(t, uint32(ExtFeatNX), regs(0x80000001)[3])
	var brand string
	for l := uint32(0x80000002); l <= 0x80000004; l++ {
		for _, x := range regs(l) {
			brand += leString(x)
		}
	}
	require.Equal(t, "bt86 virtual P6", trimNUL(brand))

	// Through the instruction, at CPL 3 too.
	r.ring(3)
	c.Regs[EAX] = 0
	r.run(0x0F, 0xA2, 0xCC)
	require.Equal(t, excBP, r.vector())
	require.Equal(t, uint32(0x756E6547), c.Regs[EBX]) // "Genu"
}

func leString(v uint32) string {
	return string([]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)})
}

func trimNUL(s string) string {
	for len(s) > 0 && s[len(s)-1] == 0 {
		s = s[:len(s)-1]
	}
	return s
}

func TestMSRs(t *testing.T) {
	r := newPMRig(t)
	c := r.c
	for _, tc := range []struct {
		msr  uint32
		v    uint64
		ok   bool
		read uint64 // expected read-back when ok
	}{
		{msrSysenterCS, 0x12340008, true, 0x0008},
		{msrSysenterESP, 0xFFFF_0000_1000, true, 0x1000},
		{msrSysenterEIP, 0xC0001000, true, 0xC0001000},
		{msrPAT, 0x0007040600070406, true, 0x0007040600070406},
		{msrPAT, 0x0007040600070402, false, 0},
		{msrMTRRDefType, 0xC06, true, 0xC06},
		{msrMTRRDefType, 0x1006, false, 0},
		{msrMTRRVar + 0, 0xA0000006, true, 0xA0000006},
		{msrMTRRVar + 1, 0xFFFFF0800, true, 0xFFFFF0800},
		{msrMTRRVar + 1, 0xFFFFF0400, false, 0},
		{msrMTRRFix64K, 0x0606060606060606, true, 0x0606060606060606},
		{msrMTRRFix4K + 7, 0x0000000000000002, false, 0},
		{msrMTRRCap, 0, false, 0},
		{msrMiscEnable, 1, true, 1},
		{msrMCGStatus, 0, true, 0},
		{msrMCGStatus, 1, false, 0},
		{msrEvtSel0, 0x430079, true, 0x430079},
		{msrPerfCtr1, 0x80000000, true, 0xFF80000000},
		{msrAPICBase, 0xFEE00800, true, 0xFEE00900},
		{msrEFER, eferNXE, true, eferNXE},
		{msrEFER, 1 << 8, false, 0},
		{0x1234, 0, false, 0},
		{msrBIOSSignID, 0, true, 0},
	} {
		ok := c.writeMSR(tc.msr, tc.v)
		require.Equal(t, tc.ok, ok, "WRMSR %#x, %#x", tc.msr, tc.v)
		if ok {
			got, rok := c.readMSR(tc.msr)
			require.True(t, rok)
			require.Equal(t, tc.read, got, "RDMSR %#x", tc.msr)
		}
	}
	for _, m := range []uint32{msrPlatformID, msrMTRRCap, msrMCGCap, msrTSC, msrMTRRFix16K + 1} {
		_, ok := c.readMSR(m)
		require.True(t, ok, "%#x", m)
	}

	// Through the instructions: WRMSR then RDMSR of SYSENTER_EIP; an
	// unknown MSR and CPL 3 raise #GP(0).
	r = newPMRig(t)
	c = r.c
	c.Regs[ECX], c.Regs[EAX], c.Regs[EDX] = msrSysenterEIP, 0xCAFE, 0
	r.run(0x0F, 0x30, 0x31, 0xC0, 0x0F, 0x32, 0xCC) // wrmsr; xor eax, eax; rdmsr; int3
	require.Equal(t, excBP, r.vector())
	require.Equal(t, uint32(0xCAFE), c.Regs[EAX])
	r = newPMRig(t)
	r.c.Regs[ECX] = 0x1234
	r.run(0x0F, 0x32)
	r.fault(excGP, 0, 1)
	r = newPMRig(t)
	r.ring(3)
	r.c.Regs[ECX] = msrTSC
	r.run(0x0F, 0x32)
	r.fault(excGP, 0, 1)
}

func TestRDTSC(t *testing.T) {
	r := newPMRig(t)
	c := r.c
	require.True(t, c.writeMSR(msrTSC, 1000))
	// rdtsc; mov ebx, eax; rdtsc; int3
	r.run(0x0F, 0x31, 0x89, 0xC3, 0x0F, 0x31, 0xCC)
	require.Equal(t, excBP, r.vector())
	require.GreaterOrEqual(t, c.Regs[EBX], uint32(1000))
	require.Greater(t, c.Regs[EAX], c.Regs[EBX], "strictly increasing")

	r = newPMRig(t)
	r.c.CR4 = CR4TSD
	r.ring(3)
	r.run(0x0F, 0x31)
	r.fault(excGP, 0, 1)
}

func TestSysenterSysexit(t *testing.T) {
	r := newPMRig(t)
	c := r.c
	c.MSR.SysenterCS = selCode0
	c.MSR.SysenterESP = 0x7000
	c.MSR.SysenterEIP = rCode + 0x80
	// at ring 3: mov ecx, esp; mov edx, rCode+0x10; sysenter
	// ring 0 at +0x80: hlt; sysexit
	// back at ring 3, +0x10: int3
	copy(r.ram[rCode+0x80:], []byte{0xF4, 0x0F, 0x35})
	r.ram[rCode+0x10] = 0xCC
	r.ring(3)
	c.Flags |= FlagIF
	r.run(0x89, 0xE1, 0xBA, 0x10, 0, 1, 0, 0x0F, 0x34)
	require.True(t, c.Halted)
	require.Equal(t, 0, c.CPL)
	require.Equal(t, uint16(selCode0), c.Seg[CS].Sel)
	require.Equal(t, uint16(selCode0+8), c.Seg[SS].Sel)
	require.Equal(t, uint32(0x7000), c.Regs[ESP])
	require.Zero(t, c.Flags&FlagIF)
	c.Halted = false
	c.Run(10)
	require.Equal(t, excBP, r.vector())
	f := r.fault(excBP, -1, 5)
	require.Equal(t, uint32(rCode+0x11), f[0])
	require.Equal(t, uint32(selCode0+16|3), f[1])
	require.Equal(t, uint32(rStack3), f[3])
	require.Equal(t, uint32(selCode0+24|3), f[4])

	// SYSENTER_CS = 0: #GP(0); SYSEXIT at CPL 3: #GP(0).
	r = newPMRig(t)
	r.run(0x0F, 0x34)
	r.fault(excGP, 0, 1)
	r = newPMRig(t)
	r.c.MSR.SysenterCS = selCode0
	r.ring(3)
	r.run(0x0F, 0x35)
	r.fault(excGP, 0, 1)
}
