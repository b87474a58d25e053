package cpu

import "bt86/decoder"

// String instructions. REP forms run at most repChunk iterations per
// execution; if the count is not exhausted the instruction restarts
// (c.next = c.EIP), so long copies stay interruptible and bounded.
const repChunk = 4096

// RepCost is the number of REP iterations that use one unit of a Run
// budget (besides the instruction itself).
const RepCost = repCost

const repCost = 64

// strSize returns the element size (1, 2 or 4) of a string opcode.
func strSize(in *decoder.Inst) uint32 {
	if in.Opcode&1 == 0 {
		return 1
	}
	if in.Flags&decoder.FlagOp32 != 0 {
		return 4
	}
	return 2
}

func (c *CPU) strDelta(n uint32) uint32 {
	if c.Flags&FlagDF != 0 {
		return -n
	}
	return n
}

// index registers by address size.
func (c *CPU) idx(in *decoder.Inst, r int) uint32 {
	if in.Flags&decoder.FlagAddr32 != 0 {
		return c.Regs[r]
	}
	return c.Regs[r] & 0xFFFF
}

func (c *CPU) setIdx(in *decoder.Inst, r int, v uint32) {
	if in.Flags&decoder.FlagAddr32 != 0 {
		c.Regs[r] = v
	} else {
		c.setR16(r, uint16(v))
	}
}

func (c *CPU) loadStr(seg uint8, off, n uint32) uint32 {
	switch n {
	case 1:
		return uint32(c.read8(seg, off))
	case 2:
		return uint32(c.read16(seg, off))
	}
	return c.read32(seg, off)
}

func (c *CPU) storeStr(seg uint8, off, n, v uint32) {
	switch n {
	case 1:
		c.write8(seg, off, uint8(v))
	case 2:
		c.write16(seg, off, uint16(v))
	default:
		c.write32(seg, off, v)
	}
}

func sizeIdx(n uint32) uint8 {
	switch n {
	case 1:
		return 0
	case 2:
		return 1
	}
	return 2
}

// repRun runs body for a REP-prefixed or plain string instruction. body
// returns false to stop (REPE/REPNE condition).
func (c *CPU) repRun(in *decoder.Inst, cond bool, body func()) {
	if in.Flags&(decoder.FlagRep|decoder.FlagRepne) == 0 {
		body()
		return
	}
	// One execution runs the iterations down to the next multiple of
	// repChunk of the counter (at most repChunk), then restarts the
	// instruction; iterations use budget (not retired instructions, so
	// deterministic time is unchanged): one unit each time the counter
	// passes a multiple of repCost, so a slice's work stays bounded
	// however large ECX is. Both rules depend only on the counter, so
	// they add up the same however an execution is split: the
	// translator, which may do part of a chunk natively and leave the
	// rest to this code (a TLB miss), charges and ends chunks exactly as
	// the interpreter does. A charge ends the trace, so the run loop sees
	// the budget it used.
	c0 := c.counter(in)
	if c0 == 0 {
		return
	}
	n := (c0-1)%repChunk + 1
	defer func() {
		if u := int(c0/repCost) - int(c.counter(in)/repCost); u > 0 {
			c.repCharge += u
			c.events |= evEndTrace
		}
	}()
	for i := uint32(0); i < n; i++ {
		body()
		c.setCounter(in, c.counter(in)-1)
		if cond {
			z := c.zf()
			if (in.Flags&decoder.FlagRep != 0 && !z) || (in.Flags&decoder.FlagRepne != 0 && z) {
				return
			}
		}
	}
	if c.counter(in) != 0 {
		c.next = c.EIP // not finished: restart after servicing events
		c.events |= evEndTrace
	}
}

func (c *CPU) movs(in *decoder.Inst) {
	n := strSize(in)
	d := c.strDelta(n)
	c.repRun(in, false, func() {
		si, di := c.idx(in, ESI), c.idx(in, EDI)
		v := c.loadStr(in.Seg, si, n)
		c.storeStr(ES, di, n, v)
		c.setIdx(in, ESI, si+d)
		c.setIdx(in, EDI, di+d)
	})
}

func (c *CPU) stos(in *decoder.Inst) {
	n := strSize(in)
	d := c.strDelta(n)
	c.repRun(in, false, func() {
		di := c.idx(in, EDI)
		c.storeStr(ES, di, n, c.Regs[EAX])
		c.setIdx(in, EDI, di+d)
	})
}

func (c *CPU) lods(in *decoder.Inst) {
	n := strSize(in)
	d := c.strDelta(n)
	c.repRun(in, false, func() {
		si := c.idx(in, ESI)
		v := c.loadStr(in.Seg, si, n)
		switch n {
		case 1:
			c.setR8(EAX, uint8(v))
		case 2:
			c.setR16(EAX, uint16(v))
		default:
			c.Regs[EAX] = v
		}
		c.setIdx(in, ESI, si+d)
	})
}

func (c *CPU) cmps(in *decoder.Inst) {
	n := strSize(in)
	d := c.strDelta(n)
	c.repRun(in, true, func() {
		si, di := c.idx(in, ESI), c.idx(in, EDI)
		a := c.loadStr(in.Seg, si, n)
		b := c.loadStr(ES, di, n)
		c.alu(aluCMP, a, b, sizeIdx(n))
		c.setIdx(in, ESI, si+d)
		c.setIdx(in, EDI, di+d)
	})
}

func (c *CPU) scas(in *decoder.Inst) {
	n := strSize(in)
	d := c.strDelta(n)
	c.repRun(in, true, func() {
		di := c.idx(in, EDI)
		b := c.loadStr(ES, di, n)
		c.alu(aluCMP, c.Regs[EAX]&sizeMask(sizeIdx(n)), b, sizeIdx(n))
		c.setIdx(in, EDI, di+d)
	})
}

func regString(t *[decoder.NumOps]opInfo) {
	def(t, 0xA4, (*CPU).movs)
	def(t, 0xA5, (*CPU).movs)
	def(t, 0xA6, (*CPU).cmps)
	def(t, 0xA7, (*CPU).cmps)
	def(t, 0xAA, (*CPU).stos)
	def(t, 0xAB, (*CPU).stos)
	def(t, 0xAC, (*CPU).lods)
	def(t, 0xAD, (*CPU).lods)
	def(t, 0xAE, (*CPU).scas)
	def(t, 0xAF, (*CPU).scas)
}
