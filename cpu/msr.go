package cpu

import "bt86/decoder"

// Model-specific registers (SDM vol. 4): RDMSR and WRMSR. Unknown MSRs,
// writes to read-only ones and reserved bits raise #GP(0).

// MSR numbers.
const (
	msrTSC         = 0x10
	msrPlatformID  = 0x17
	msrAPICBase    = 0x1B
	msrBIOSSignID  = 0x8B
	msrPerfCtr0    = 0xC1
	msrPerfCtr1    = 0xC2
	msrMTRRCap     = 0xFE
	msrSysenterCS  = 0x174
	msrSysenterESP = 0x175
	msrSysenterEIP = 0x176
	msrMCGCap      = 0x179
	msrMCGStatus   = 0x17A
	msrEvtSel0     = 0x186
	msrEvtSel1     = 0x187
	msrMiscEnable  = 0x1A0
	msrMTRRVar     = 0x200 // 0x200-0x20F: base/mask pairs
	msrMTRRFix64K  = 0x250
	msrMTRRFix16K  = 0x258 // and 0x259
	msrMTRRFix4K   = 0x268 // 0x268-0x26F
	msrPAT         = 0x277
	msrMTRRDefType = 0x2FF
	msrEFER        = 0xC0000080

	eferNXE = 1 << 11
)

// mtrrFixedIndex maps a fixed-range MTRR to its slot in MSRs.MTRRFixed.
func mtrrFixedIndex(n uint32) (int, bool) {
	switch {
	case n == msrMTRRFix64K:
		return 0, true
	case n == msrMTRRFix16K || n == msrMTRRFix16K+1:
		return int(n-msrMTRRFix16K) + 1, true
	case n >= msrMTRRFix4K && n < msrMTRRFix4K+8:
		return int(n-msrMTRRFix4K) + 3, true
	}
	return 0, false
}

// validMemType reports a memory type MTRRs and the PAT accept (UC, WC,
// WT, WP, WB; PAT also UC-).
func validMemType(t uint64, pat bool) bool {
	switch t {
	case 0, 1, 4, 5, 6:
		return true
	case 7:
		return pat
	}
	return false
}

// readMSR returns MSR n; ok is false for an MSR bt86 does not have.
func (c *CPU) readMSR(n uint32) (v uint64, ok bool) {
	m := &c.MSR
	if i, fixed := mtrrFixedIndex(n); fixed {
		return m.MTRRFixed[i], true
	}
	switch {
	case n >= msrMTRRVar && n < msrMTRRVar+16:
		return m.MTRRVar[n-msrMTRRVar], true
	}
	switch n {
	case msrTSC:
		return c.readTSC(), true
	case msrPlatformID, msrBIOSSignID:
		return 0, true
	case msrAPICBase:
		return m.APICBase, true
	case msrPerfCtr0, msrPerfCtr1:
		return m.Perf[n-msrPerfCtr0], true
	case msrEvtSel0, msrEvtSel1:
		return m.Perf[2+n-msrEvtSel0], true
	case msrMTRRCap:
		return m.MTRRCap, true
	case msrSysenterCS:
		return uint64(m.SysenterCS), true
	case msrSysenterESP:
		return uint64(m.SysenterESP), true
	case msrSysenterEIP:
		return uint64(m.SysenterEIP), true
	case msrMCGCap:
		return m.MCGCap, true
	case msrMCGStatus:
		return m.MCGStatus, true
	case msrMiscEnable:
		return m.MiscEnable, true
	case msrPAT:
		return m.PAT, true
	case msrMTRRDefType:
		return m.MTRRDefType, true
	case msrEFER:
		if c.model.ExtFeatures&ExtFeatNX != 0 {
			return c.EFER, true
		}
	}
	return 0, false
}

// writeMSR sets MSR n; ok is false for an unknown or read-only MSR or a
// value with reserved bits set.
func (c *CPU) writeMSR(n uint32, v uint64) bool {
	m := &c.MSR
	if i, fixed := mtrrFixedIndex(n); fixed {
		for b := 0; b < 64; b += 8 {
			if !validMemType(v>>b&0xFF, false) {
				return false
			}
		}
		m.MTRRFixed[i] = v
		return true
	}
	if n >= msrMTRRVar && n < msrMTRRVar+16 {
		i := n - msrMTRRVar
		const physMask = 1<<36 - 1
		if i&1 == 0 { // base: type in bits 7:0, address in 35:12
			if v&^(physMask&^0xFFF|0xFF) != 0 || !validMemType(v&0xFF, false) {
				return false
			}
		} else if v&^(physMask&^0xFFF|1<<11) != 0 { // mask: valid bit 11
			return false
		}
		m.MTRRVar[i] = v
		return true
	}
	switch n {
	case msrTSC:
		c.writeTSC(v)
	case msrBIOSSignID:
		// Writing starts a microcode-signature read; nothing to keep.
	case msrAPICBase:
		const apicMask = (1<<36 - 1) &^ 0xFFF
		if v&^(apicMask|1<<11|1<<8) != 0 {
			return false
		}
		m.APICBase = v&^(1<<8) | m.APICBase&(1<<8) // BSP is read-only
	case msrPerfCtr0, msrPerfCtr1:
		// Counters are 40 bits wide; writes sign-extend bit 31.
		m.Perf[n-msrPerfCtr0] = uint64(int64(int32(v))) & (1<<40 - 1)
	case msrEvtSel0, msrEvtSel1:
		if v>>32 != 0 {
			return false
		}
		m.Perf[2+n-msrEvtSel0] = v
	case msrSysenterCS:
		m.SysenterCS = uint32(v) & 0xFFFF
	case msrSysenterESP:
		m.SysenterESP = uint32(v)
	case msrSysenterEIP:
		m.SysenterEIP = uint32(v)
	case msrMCGStatus:
		if v != 0 {
			return false
		}
		m.MCGStatus = v
	case msrMiscEnable:
		m.MiscEnable = v
	case msrPAT:
		for b := 0; b < 64; b += 8 {
			if !validMemType(v>>b&0xFF, true) {
				return false
			}
		}
		m.PAT = v
	case msrMTRRDefType:
		if v&^0xCFF != 0 || !validMemType(v&0xFF, false) {
			return false
		}
		m.MTRRDefType = v
	case msrEFER:
		if c.model.ExtFeatures&ExtFeatNX == 0 || v&^eferNXE != 0 {
			return false
		}
		if err := c.MMU.WriteControl(c.CR0, c.CR4, v); err != nil {
			return false
		}
		c.EFER = v
		c.events |= evEndTrace
	default:
		return false
	}
	return true
}

func (c *CPU) rdmsr(in *decoder.Inst) {
	c.cpl0()
	v, ok := c.readMSR(c.Regs[ECX])
	if !ok {
		c.gp(0)
	}
	c.Regs[EAX], c.Regs[EDX] = uint32(v), uint32(v>>32)
}

func (c *CPU) wrmsr(in *decoder.Inst) {
	c.cpl0()
	if !c.writeMSR(c.Regs[ECX], uint64(c.Regs[EDX])<<32|uint64(c.Regs[EAX])) {
		c.gp(0)
	}
}
