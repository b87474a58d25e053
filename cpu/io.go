package cpu

import "bt86/decoder"

// Port I/O: IN, OUT, INS, OUTS (with REP), with the protected-mode I/O
// privilege check (CPL > IOPL, and always in v8086 mode) through the I/O
// permission bitmap of the TSS (SDM vol. 1 §19.5).

// maxRepIO bounds the iterations of one REP INS/OUTS execution; a longer
// one restarts itself so that interrupts are taken in between.
const maxRepIO = 1024

// ioSize is the access size of an I/O instruction: even opcodes are byte
// forms.
func ioSize(in *decoder.Inst) uint8 {
	if in.Opcode&1 == 0 {
		return 1
	}
	if in.Op32() {
		return 4
	}
	return 2
}

// checkIO raises #GP(0) when the current privilege may not access size
// ports from port.
func (c *CPU) checkIO(port uint16, size uint8) {
	if !c.protected() || (!c.v86() && c.CPL <= c.iopl()) {
		return
	}
	t := int(c.TR.Attr & 0xF)
	if !c.TR.Valid || t&^tssBusy != sysTSS32 || c.TR.Limit < 0x67 {
		c.gp(0)
	}
	off := uint32(c.sysRead16(c.TR.Base+tss32IOMap)) + uint32(port>>3)
	if off+1 > c.TR.Limit {
		c.gp(0)
	}
	bits := uint32(c.sysRead16(c.TR.Base + off))
	if bits>>(port&7)&(1<<size-1) != 0 {
		c.gp(0)
	}
}

// port returns the port of IN/OUT: the immediate, or DX for EC-EF.
func (c *CPU) ioPort(in *decoder.Inst) uint16 {
	if in.Opcode&8 != 0 {
		return uint16(c.Regs[EDX])
	}
	return uint16(in.Imm & 0xFF)
}

func (c *CPU) setAcc(size uint8, v uint32) {
	switch size {
	case 1:
		c.setR8(EAX, uint8(v))
	case 2:
		c.setR16(EAX, uint16(v))
	default:
		c.Regs[EAX] = v
	}
}

func (c *CPU) inAcc(in *decoder.Inst) {
	p, size := c.ioPort(in), ioSize(in)
	c.checkIO(p, size)
	c.setAcc(size, c.ports.In(p, size))
}

func (c *CPU) outAcc(in *decoder.Inst) {
	p, size := c.ioPort(in), ioSize(in)
	c.checkIO(p, size)
	c.ports.Out(p, size, c.Regs[EAX]&sizeMask(size>>1))
	c.events |= evEndTrace // the device may have raised an interrupt
}

// stringStep returns the signed increment of (E)SI/(E)DI.
func (c *CPU) stringStep(size uint8) uint32 {
	if c.Flags&FlagDF != 0 {
		return -uint32(size)
	}
	return uint32(size)
}

// repCount returns how many iterations to run now (0: none) for a string
// instruction, REP or not.
func (c *CPU) repCount(in *decoder.Inst) uint32 {
	if in.Flags&(decoder.FlagRep|decoder.FlagRepne) == 0 {
		return 1
	}
	return min(c.counter(in), maxRepIO)
}

// repDone finishes n iterations of a REP string instruction: if the count
// is not exhausted, the instruction runs again (after any interrupt).
func (c *CPU) repDone(in *decoder.Inst) {
	if in.Flags&(decoder.FlagRep|decoder.FlagRepne) != 0 && c.counter(in) != 0 {
		c.next = c.EIP
		c.events |= evEndTrace
	}
}

// chargeRepIO charges the iterations a REP INS/OUTS ran (the counter
// went from before to its current value) against the Run budget, one
// unit each besides the instruction itself: each is a device access, so
// a port-I/O storm ends a slice as soon as its budget is used (it cost
// one unit per 1,024 iterations before, and a fuzzed REP OUTS with a
// huge count took 20 s for a 100,000-instruction budget).
func (c *CPU) chargeRepIO(in *decoder.Inst, before uint32) {
	if in.Flags&(decoder.FlagRep|decoder.FlagRepne) == 0 {
		return
	}
	if n := int(before - c.counter(in)); n > 0 {
		c.repCharge += n
		c.events |= evEndTrace
	}
}

func (c *CPU) ins(in *decoder.Inst) {
	p, size := uint16(c.Regs[EDX]), ioSize(in)
	c.checkIO(p, size)
	rep := in.Flags&(decoder.FlagRep|decoder.FlagRepne) != 0
	am := addrMask(in)
	step := c.stringStep(size)
	defer c.chargeRepIO(in, c.counter(in))
	for n := c.repCount(in); n > 0; n-- {
		di := c.Regs[EDI] & am
		lin := c.linW(ES, di, uint32(size))
		c.probeWrite(lin, uint32(size), c.priv)
		v := c.ports.In(p, size)
		switch size {
		case 1:
			c.writeLin8(lin, uint8(v), c.priv)
		case 2:
			c.writeLin16(lin, uint16(v), c.priv)
		default:
			c.writeLin32(lin, v, c.priv)
		}
		c.Regs[EDI] = c.Regs[EDI]&^am | (di+step)&am
		if rep {
			c.setCounter(in, c.counter(in)-1)
		}
		if c.stopReq {
			break
		}
	}
	c.repDone(in)
}

func (c *CPU) outs(in *decoder.Inst) {
	p, size := uint16(c.Regs[EDX]), ioSize(in)
	c.checkIO(p, size)
	rep := in.Flags&(decoder.FlagRep|decoder.FlagRepne) != 0
	am := addrMask(in)
	step := c.stringStep(size)
	defer c.chargeRepIO(in, c.counter(in))
	for n := c.repCount(in); n > 0; n-- {
		si := c.Regs[ESI] & am
		var v uint32
		switch size {
		case 1:
			v = uint32(c.read8(in.Seg, si))
		case 2:
			v = uint32(c.read16(in.Seg, si))
		default:
			v = c.read32(in.Seg, si)
		}
		c.ports.Out(p, size, v)
		c.Regs[ESI] = c.Regs[ESI]&^am | (si+step)&am
		if rep {
			c.setCounter(in, c.counter(in)-1)
		}
		if c.stopReq {
			break
		}
	}
	c.events |= evEndTrace
	c.repDone(in)
}

func regIO(t *[decoder.NumOps]opInfo) {
	def(t, 0xE4, (*CPU).inAcc)
	def(t, 0xE5, (*CPU).inAcc)
	def(t, 0xEC, (*CPU).inAcc)
	def(t, 0xED, (*CPU).inAcc)
	def(t, 0xE6, (*CPU).outAcc)
	def(t, 0xE7, (*CPU).outAcc)
	def(t, 0xEE, (*CPU).outAcc)
	def(t, 0xEF, (*CPU).outAcc)
	def(t, 0x6C, (*CPU).ins)
	def(t, 0x6D, (*CPU).ins)
	def(t, 0x6E, (*CPU).outs)
	def(t, 0x6F, (*CPU).outs)
}
