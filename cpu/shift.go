package cpu

import "bt86/decoder"

// shift performs group-2 operation op on v (size sz) by count (already
// masked to 5 bits), setting flags, and returns the result.
func (c *CPU) shift(op int, v, count uint32, sz uint8) uint32 {
	if count == 0 {
		return v
	}
	bitsN := uint32(8) << sz
	m := sizeMask(sz)
	sb := signBit(sz)
	v &= m
	if op >= 4 {
		return c.shiftLinear(op, v, count, sz)
	}
	f := c.EFlags()
	cf := f&FlagCF != 0
	var r uint32
	var newCF, newOF bool
	switch op {
	case 0: // ROL
		k := count % bitsN
		r = (v<<k | v>>((bitsN-k)%bitsN)) & m
		newCF = r&1 != 0
		newOF = (r&sb != 0) != newCF
		return c.rotFlags(f, r, newCF, newOF)
	case 1: // ROR
		k := count % bitsN
		r = (v>>k | v<<((bitsN-k)%bitsN)) & m
		newCF = r&sb != 0
		newOF = (r&sb != 0) != (r&(sb>>1) != 0)
		return c.rotFlags(f, r, newCF, newOF)
	case 2: // RCL
		k := count % (bitsN + 1)
		if bitsN == 32 {
			k = count
		}
		r = v
		for i := uint32(0); i < k; i++ {
			out := r&sb != 0
			r = (r << 1) & m
			if cf {
				r |= 1
			}
			cf = out
		}
		if k == 0 {
			return v
		}
		newOF = (r&sb != 0) != cf
		return c.rotFlags(f, r, cf, newOF)
	case 3: // RCR
		k := count % (bitsN + 1)
		if bitsN == 32 {
			k = count
		}
		if k == 0 {
			return v
		}
		newOF = (v&sb != 0) != cf
		r = v
		for i := uint32(0); i < k; i++ {
			out := r&1 != 0
			r >>= 1
			if cf {
				r |= sb
			}
			cf = out
		}
		return c.rotFlags(f, r, cf, newOF)
	}
	return r
}

// shiftLinear is SHL/SAL/SHR/SAR: every arithmetic flag is replaced (AF
// is undefined; bt86 clears it), so the old flags are not needed.
func (c *CPU) shiftLinear(op int, v, count uint32, sz uint8) uint32 {
	bitsN := uint32(8) << sz
	m := sizeMask(sz)
	sb := signBit(sz)
	var r uint32
	var nf uint32
	switch op {
	case 4, 6: // SHL/SAL
		if count <= bitsN && (uint64(v)<<count)&(uint64(sb)<<1) != 0 {
			nf |= FlagCF
		}
		r = uint32(uint64(v)<<count) & m
		if (r&sb != 0) != (nf&FlagCF != 0) {
			nf |= FlagOF
		}
	case 5: // SHR
		if count <= bitsN && (uint64(v)>>(count-1))&1 != 0 {
			nf |= FlagCF
		}
		r = uint32(uint64(v) >> count)
		// OF: the old MSB for a count of 1, and for larger counts (left
		// undefined by the SDM) MSB ^ MSB-1 of the result, that is 0, as
		// P6 and the 286 compute it.
		if (r^r<<1)&sb != 0 {
			nf |= FlagOF
		}
	default: // SAR
		sv := int64(int32(v<<(32-bitsN))) >> (32 - bitsN)
		if count > bitsN {
			count = bitsN
		}
		if (sv>>(count-1))&1 != 0 {
			nf |= FlagCF
		}
		r = uint32(sv>>count) & m
	}
	var of uint32
	if nf&FlagOF != 0 {
		of = sb
	}
	c.setLazy(lzResult, sz, nf&FlagCF != 0, r, 0, of)
	return r
}

func (c *CPU) rotFlags(f, r uint32, cf, of bool) uint32 {
	nf := f &^ (FlagCF | FlagOF)
	if cf {
		nf |= FlagCF
	}
	if of {
		nf |= FlagOF
	}
	c.setArith(nf)
	return r
}

func (c *CPU) shiftCount(in *decoder.Inst) uint32 {
	switch in.Opcode {
	case 0xD0, 0xD1:
		return 1
	case 0xD2, 0xD3:
		return c.Regs[ECX] & 31
	}
	return in.Imm & 31
}

func (c *CPU) grp2Eb(in *decoder.Inst) {
	v := uint32(c.readEb(in))
	n := c.shiftCount(in)
	if n == 0 {
		return
	}
	c.writeEb(in, uint8(c.shift(in.Reg(), v, n, 0)))
}

func (c *CPU) grp2Ev(in *decoder.Inst) {
	v := c.readEv(in)
	n := c.shiftCount(in)
	if n == 0 {
		return
	}
	c.writeEv(in, c.shift(in.Reg(), v, n, osz(in)))
}

// SHLD/SHRD.
func (c *CPU) shld(in *decoder.Inst) { c.doubleShift(in, true) }
func (c *CPU) shrd(in *decoder.Inst) { c.doubleShift(in, false) }

func (c *CPU) doubleShift(in *decoder.Inst, left bool) {
	var n uint32
	if in.Opcode == 0xA4 || in.Opcode == 0xAC {
		n = in.Imm & 31
	} else {
		n = c.Regs[ECX] & 31
	}
	dst := c.readEv(in)
	if n == 0 {
		return
	}
	src := c.readGv(in)
	sz := osz(in)
	bitsN := uint32(8) << sz
	sb := signBit(sz)
	var r uint32
	var cf bool
	if sz == 2 {
		if left {
			r = dst<<n | src>>(32-n)
			cf = dst>>(32-n)&1 != 0
		} else {
			r = dst>>n | src<<(32-n)
			cf = dst>>(n-1)&1 != 0
		}
	} else {
		// 16-bit: the operand is conceptually dst:src:dst (P6 behaviour
		// for counts above 16).
		if left {
			w := uint64(dst)<<32 | uint64(src)<<16 | uint64(dst)
			r = uint32(w>>(32-n)) & 0xFFFF
			cf = (w>>(48-n))&1 != 0
		} else {
			w := uint64(dst)<<32 | uint64(src)<<16 | uint64(dst)
			w = uint64(dst) | uint64(src)<<16 | uint64(dst)<<32
			r = uint32(w>>n) & 0xFFFF
			cf = (w>>(n-1))&1 != 0
		}
		_ = bitsN
	}
	f := szp(r, sz)
	if cf {
		f |= FlagCF
	}
	if (r^dst)&sb != 0 {
		f |= FlagOF
	}
	c.setArith(f)
	c.writeEv(in, r)
}

func regShift(t *[decoder.NumOps]opInfo) {
	for r := 0; r < 8; r++ {
		for _, g := range []int{decoder.Grp2EbIb, decoder.Grp2Eb1, decoder.Grp2EbCL} {
			def(t, decoder.GroupKey(g, r), (*CPU).grp2Eb)
		}
		for _, g := range []int{decoder.Grp2EvIb, decoder.Grp2Ev1, decoder.Grp2EvCL} {
			def(t, decoder.GroupKey(g, r), (*CPU).grp2Ev)
		}
	}
	def(t, decoder.TwoByte|0xA4, (*CPU).shld)
	def(t, decoder.TwoByte|0xA5, (*CPU).shld)
	def(t, decoder.TwoByte|0xAC, (*CPU).shrd)
	def(t, decoder.TwoByte|0xAD, (*CPU).shrd)
}
