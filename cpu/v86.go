package cpu

import "bt86/decoder"

// Virtual-8086 mode (SDM vol. 3 ch. 20): the IOPL-sensitive instructions
// (CLI, STI, PUSHF, POPF, INT n, IRET) and the virtual-mode extensions
// (CR4.VME: VIF/VIP and the interrupt redirection bitmap). Segment loads
// are loadSegReal's; CLI/STI are in system.go, I/O in io.go.

// vmeActive reports whether the VME rules apply to an IOPL-sensitive
// instruction: v8086 mode with IOPL < 3 and CR4.VME.
func (c *CPU) vmeActive() bool {
	return c.CR4&CR4VME != 0 && c.iopl() < 3
}

// intV86 is INT n in virtual-8086 mode.
func (c *CPU) intV86(vec uint8) {
	if c.CR4&CR4VME == 0 || !c.redirected(vec) {
		if c.iopl() < 3 {
			c.gp(0)
		}
		c.softInt(vec, intSoftware)
		return
	}
	// Redirect to the 8086 handler through the IVT at linear address 0.
	ip := c.readLin16(uint32(vec)*4, c.priv)
	cs := c.readLin16(uint32(vec)*4+2, c.priv)
	flags := c.EFlags()
	if c.iopl() < 3 {
		flags = c.virtualFlags(flags)
	}
	c.checkStack(6)
	c.push16(uint16(flags))
	c.push16(c.Seg[CS].Sel)
	c.push16(uint16(c.next))
	c.Flags &^= FlagTF | FlagRF
	if c.iopl() < 3 {
		c.Flags &^= FlagVIF
	} else {
		c.Flags &^= FlagIF
	}
	c.loadSegReal(CS, cs)
	c.next = uint32(ip)
	c.events |= evEndTrace
}

// virtualFlags is the FLAGS image the VME rules show v8086 code: IF
// replaced by VIF and IOPL reading 3.
func (c *CPU) virtualFlags(f uint32) uint32 {
	f = f&^FlagIF | FlagIOPL
	if c.Flags&FlagVIF != 0 {
		f |= FlagIF
	}
	return f
}

// redirected reports whether INT vec is redirected to the v8086 handler:
// its bit in the interrupt redirection bitmap (the 32 bytes below the I/O
// permission bitmap of the 32-bit TSS) is clear.
func (c *CPU) redirected(vec uint8) bool {
	t := c.TR.Attr & 0xF
	if t&^tssBusy != sysTSS32 || c.TR.Limit < 0x67 {
		c.gp(0)
	}
	off := uint32(c.sysRead16(c.TR.Base+tss32IOMap)) - 32 + uint32(vec>>3)
	if off > c.TR.Limit {
		c.gp(0)
	}
	return c.sysRead8(c.TR.Base+off)&(1<<(vec&7)) == 0
}

// iretV86 is IRET in virtual-8086 mode.
func (c *CPU) iretV86(op32 bool) {
	size := uint32(2)
	if op32 {
		size = 4
	}
	eip := c.stackRead(0, op32)
	cs := uint16(c.stackRead(size, op32))
	fl := c.stackRead(2*size, op32)
	if c.iopl() == 3 {
		if eip > 0xFFFF {
			c.gp(0)
		}
		mask := arithFlags | FlagTF | FlagIF | FlagDF | FlagNT
		if op32 {
			mask |= FlagRF | FlagAC | FlagID
		} else {
			mask &= 0xFFFF
		}
		c.setSP(c.sp() + 3*size)
		c.loadSegReal(CS, cs)
		c.SetEFlags(c.EFlags()&^mask | fl&mask)
		c.next = eip
		return
	}
	if c.CR4&CR4VME == 0 || op32 {
		c.gp(0)
	}
	if fl&FlagTF != 0 || (fl&FlagIF != 0 && c.Flags&FlagVIP != 0) {
		c.gp(0)
	}
	c.setSP(c.sp() + 6)
	c.loadSegReal(CS, cs)
	c.setVirtualFlags(fl)
	c.next = eip
}

// setVirtualFlags loads a 16-bit FLAGS image under the VME rules: IF goes
// to VIF, IOPL and IF are kept.
func (c *CPU) setVirtualFlags(fl uint32) {
	mask := (arithFlags | FlagTF | FlagDF | FlagNT) & 0xFFFF
	f := c.EFlags()&^(mask|FlagVIF) | fl&mask
	if fl&FlagIF != 0 {
		f |= FlagVIF
	}
	c.SetEFlags(f)
}

// pushfV86 is PUSHF in virtual-8086 mode with IOPL < 3.
func (c *CPU) pushfV86(in *decoder.Inst) {
	if !c.vmeActive() || in.Op32() {
		c.gp(0)
	}
	c.push16(uint16(c.virtualFlags(c.EFlags())))
}

// popfV86 is POPF in virtual-8086 mode with IOPL < 3.
func (c *CPU) popfV86(in *decoder.Inst) {
	if !c.vmeActive() || in.Op32() {
		c.gp(0)
	}
	fl := c.stackRead(0, false)
	if fl&FlagTF != 0 || (fl&FlagIF != 0 && c.Flags&FlagVIP != 0) {
		c.gp(0)
	}
	c.setSP(c.sp() + 2)
	c.setVirtualFlags(fl)
	c.events |= evEndTrace
}
