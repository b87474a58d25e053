package cpu

import "bt86/decoder"

// CPUID (SDM vol. 2 CPUID): leaves 0-2 of a P6 and the extended leaves
// 0x80000000-0x80000004 (NX flag, brand string).

// Feature bits of CPUID 1 EDX that model.go does not name.
const (
	featMCE = 1 << 7
	featSSE = 1 << 25
)

// CPUID 0x80000001 EDX bits.
const (
	// ExtFeatNX is the execute-disable bit (PAE paging with EFER.NXE).
	ExtFeatNX = 1 << 20
)

// Leaf limits.
const (
	cpuidMaxBasic = 2
	cpuidMaxExt   = 0x80000004
)

// cpuidLeaf returns EAX, EBX, ECX, EDX of leaf.
func (c *CPU) cpuidLeaf(leaf uint32) (a, b, cx, d uint32) {
	if leaf > cpuidMaxExt || (leaf > cpuidMaxBasic && leaf < 0x80000000) {
		// Intel returns the highest basic leaf for out-of-range inputs.
		leaf = cpuidMaxBasic
	}
	switch leaf {
	case 0:
		v := c.vendor()
		return cpuidMaxBasic, le32s(v[0:4]), le32s(v[8:12]), le32s(v[4:8])
	case 1:
		return c.model.Signature, 0, 0, c.model.Features
	case 2:
		// One iteration; descriptors of a Pentium II: 32-entry 4 KiB
		// I-TLB, 2-entry 4 MiB I-TLB, 64-entry 4 KiB D-TLB, 8-entry 4 MiB
		// D-TLB, 16 KiB L1 I and D caches, 512 KiB L2.
		return 0x03020101, 0, 0, 0x0C040843
	case 0x80000000:
		return cpuidMaxExt, 0, 0, 0
	case 0x80000001:
		return 0, 0, 0, c.model.ExtFeatures
	}
	// 0x80000002-0x80000004: the brand string, 16 bytes per leaf.
	var s [48]byte
	copy(s[:47], c.model.Brand)
	o := (leaf - 0x80000002) * 16
	return le32s(s[o:]), le32s(s[o+4:]), le32s(s[o+8:]), le32s(s[o+12:])
}

func (c *CPU) vendor() [12]byte {
	var v [12]byte
	copy(v[:], c.model.Vendor)
	return v
}

func le32s(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func (c *CPU) cpuid(in *decoder.Inst) {
	c.Regs[EAX], c.Regs[EBX], c.Regs[ECX], c.Regs[EDX] = c.cpuidLeaf(c.Regs[EAX])
}

func regCPUID(t *[decoder.NumOps]opInfo) {
	def(t, decoder.TwoByte|0xA2, (*CPU).cpuid)
	def(t, decoder.TwoByte|0x32, (*CPU).rdmsr)
	defBranch(t, decoder.TwoByte|0x30, (*CPU).wrmsr)
}
