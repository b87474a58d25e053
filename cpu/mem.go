package cpu

import (
	"encoding/binary"

	"bt86/decoder"
	"bt86/mmu"
	"bt86/mmu/shadow"
)

// Guest memory access. Every access goes segment check -> linear address
// -> shadow TLB fast path (tag compare, RAM index) -> slow path (walk,
// fill, devices). A fault panics with the exception (see excpt.go).

func (c *CPU) segFault(seg uint8) {
	s := &c.Seg[seg]
	if seg == SS {
		if !s.Valid || s.Attr&AttrP == 0 {
			c.raise(excSS, 0, true)
		}
		c.raise(excSS, 0, true)
	}
	c.raise(excGP, 0, true)
}

// linR returns the linear address of a read of n bytes at seg:off.
func (c *CPU) linR(seg uint8, off uint32, n uint32) uint32 {
	if !c.segc[seg].readOK(off, n) {
		c.segFault(seg)
	}
	return c.Seg[seg].Base + off
}

// linW returns the linear address of a write of n bytes at seg:off.
func (c *CPU) linW(seg uint8, off uint32, n uint32) uint32 {
	if !c.segc[seg].writeOK(off, n) {
		c.segFault(seg)
	}
	return c.Seg[seg].Base + off
}

// The fast paths fold three checks into one condition: the segment
// limits, the shadow-TLB tag and, for multi-byte accesses, that the
// access stays in its page. The tag is compared with the page of the
// access's last byte while the slot is chosen by its first byte: a page
// and the next one never share a slot, so a match means both bytes are in
// the entry's page. Everything else goes through the non-inlined slow
// paths, which redo the checks, fault, or reach devices.

// readIndex returns the RAM index of a read of n bytes at seg:off and
// whether the fast path may make it there. It inlines.
func (c *CPU) readIndex(seg uint8, off, n uint32) (uint32, bool) {
	k := &c.segc[seg&7]
	lin := k.base + off
	e := &c.tlbR[shadow.Slot(lin)]
	if !k.readOK(off, n) || e.Tag != (lin+n-1)&^0xFFF {
		return 0, false
	}
	return e.Addend + lin, true
}

// writeIndex is readIndex for a write.
func (c *CPU) writeIndex(seg uint8, off, n uint32) (uint32, bool) {
	k := &c.segc[seg&7]
	lin := k.base + off
	e := &c.tlbW[shadow.Slot(lin)]
	if !k.writeOK(off, n) || e.Tag != (lin+n-1)&^0xFFF {
		return 0, false
	}
	return e.Addend + lin, true
}

func (c *CPU) read8(seg uint8, off uint32) uint8 {
	if i, ok := c.readIndex(seg, off, 1); ok {
		return c.ram[i]
	}
	return c.readLin8(c.linR(seg, off, 1), c.priv)
}

func (c *CPU) read16(seg uint8, off uint32) uint16 {
	if i, ok := c.readIndex(seg, off, 2); ok {
		return binary.LittleEndian.Uint16(c.ram[i:])
	}
	return c.readLin16(c.linR(seg, off, 2), c.priv)
}

func (c *CPU) read32(seg uint8, off uint32) uint32 {
	if i, ok := c.readIndex(seg, off, 4); ok {
		return binary.LittleEndian.Uint32(c.ram[i:])
	}
	return c.readLin32(c.linR(seg, off, 4), c.priv)
}

func (c *CPU) write8(seg uint8, off uint32, v uint8) {
	if i, ok := c.writeIndex(seg, off, 1); ok {
		c.ram[i] = v
		return
	}
	c.writeLin8(c.linW(seg, off, 1), v, c.priv)
}

func (c *CPU) write16(seg uint8, off uint32, v uint16) {
	if i, ok := c.writeIndex(seg, off, 2); ok {
		binary.LittleEndian.PutUint16(c.ram[i:], v)
		return
	}
	c.writeLin16(c.linW(seg, off, 2), v, c.priv)
}

func (c *CPU) write32(seg uint8, off uint32, v uint32) {
	if i, ok := c.writeIndex(seg, off, 4); ok {
		binary.LittleEndian.PutUint32(c.ram[i:], v)
		return
	}
	c.writeLin32(c.linW(seg, off, 4), v, c.priv)
}

// readM32 and writeM32 access the dword memory operand of in (one call
// where read32(in.Seg, c.ea(in)) would make two).
func (c *CPU) readM32(in *decoder.Inst) uint32 {
	off := c.ea(in)
	if i, ok := c.readIndex(in.Seg, off, 4); ok {
		return binary.LittleEndian.Uint32(c.ram[i:])
	}
	return c.readLin32(c.linR(in.Seg, off, 4), c.priv)
}

func (c *CPU) writeM32(in *decoder.Inst, v uint32) {
	off := c.ea(in)
	if i, ok := c.writeIndex(in.Seg, off, 4); ok {
		binary.LittleEndian.PutUint32(c.ram[i:], v)
		return
	}
	c.writeLin32(c.linW(in.Seg, off, 4), v, c.priv)
}

// readLin8 and friends access linear memory at privilege index priv (1
// for user accesses, 0 for supervisor and implicit system accesses).
func (c *CPU) readLin8(lin uint32, priv int) uint8 {
	e := &c.MMU.Cur.Read[priv][shadow.Slot(lin)]
	if e.Tag == lin&^0xFFF {
		return c.ram[e.Addend+lin]
	}
	return uint8(c.readSlow(lin, 1, priv))
}

func (c *CPU) readLin16(lin uint32, priv int) uint16 {
	e := &c.MMU.Cur.Read[priv][shadow.Slot(lin)]
	if e.Tag == (lin+1)&^0xFFF {
		i := e.Addend + lin
		return binary.LittleEndian.Uint16(c.ram[i:])
	}
	return uint16(c.readSlow(lin, 2, priv))
}

func (c *CPU) readLin32(lin uint32, priv int) uint32 {
	e := &c.MMU.Cur.Read[priv][shadow.Slot(lin)]
	if e.Tag == (lin+3)&^0xFFF {
		i := e.Addend + lin
		return binary.LittleEndian.Uint32(c.ram[i:])
	}
	return uint32(c.readSlow(lin, 4, priv))
}

func (c *CPU) writeLin8(lin uint32, v uint8, priv int) {
	e := &c.MMU.Cur.Write[priv][shadow.Slot(lin)]
	if e.Tag == lin&^0xFFF {
		c.ram[e.Addend+lin] = v
		return
	}
	c.writeSlow(lin, 1, uint64(v), priv)
}

func (c *CPU) writeLin16(lin uint32, v uint16, priv int) {
	e := &c.MMU.Cur.Write[priv][shadow.Slot(lin)]
	if e.Tag == (lin+1)&^0xFFF {
		i := e.Addend + lin
		binary.LittleEndian.PutUint16(c.ram[i:], v)
		return
	}
	c.writeSlow(lin, 2, uint64(v), priv)
}

func (c *CPU) writeLin32(lin uint32, v uint32, priv int) {
	e := &c.MMU.Cur.Write[priv][shadow.Slot(lin)]
	if e.Tag == (lin+3)&^0xFFF {
		i := e.Addend + lin
		binary.LittleEndian.PutUint32(c.ram[i:], v)
		return
	}
	c.writeSlow(lin, 4, uint64(v), priv)
}

func accessFor(priv int, write bool) mmu.Access {
	var a mmu.Access
	if priv != 0 {
		a |= mmu.AccUser
	}
	if write {
		a |= mmu.AccWrite
	}
	return a
}

// translate returns the physical address of lin for acc, raising #PF.
func (c *CPU) translate(lin uint32, acc mmu.Access) uint64 {
	mp, f := c.MMU.Fill(lin, acc)
	if f != nil {
		c.pageFault(f)
	}
	return mp.Phys
}

func (c *CPU) pageFault(f *mmu.Fault) {
	c.CR2 = f.Addr
	c.raise(excPF, f.Code, true)
}

// readSlow and writeSlow are the slow paths: they translate (raising
// #PF), reach devices, and report the completed access to DataWatch.
func (c *CPU) readSlow(lin uint32, n int, priv int) uint64 {
	v := c.readPhysLin(lin, n, priv)
	if c.DataWatch != nil {
		c.DataWatch(c, lin, n, false)
	}
	return v
}

func (c *CPU) writeSlow(lin uint32, n int, v uint64, priv int) {
	c.writePhysLin(lin, n, v, priv)
	if c.DataWatch != nil {
		c.DataWatch(c, lin, n, true)
	}
}

func (c *CPU) readPhysLin(lin uint32, n int, priv int) uint64 {
	acc := accessFor(priv, false)
	if int(lin&0xFFF)+n <= mmu.PageSize {
		return c.phys.Read(c.translate(lin, acc), n)
	}
	// Page-crossing: translate both pages before reading.
	first := mmu.PageSize - int(lin&0xFFF)
	p1 := c.translate(lin, acc)
	p2 := c.translate(lin+uint32(first), acc)
	var v uint64
	for i := 0; i < n; i++ {
		var b uint64
		if i < first {
			b = c.phys.Read(p1+uint64(i), 1)
		} else {
			b = c.phys.Read(p2+uint64(i-first), 1)
		}
		v |= b << (8 * i)
	}
	return v
}

func (c *CPU) writePhysLin(lin uint32, n int, v uint64, priv int) {
	acc := accessFor(priv, true)
	if int(lin&0xFFF)+n <= mmu.PageSize {
		c.phys.Write(c.translate(lin, acc), n, v)
		return
	}
	first := mmu.PageSize - int(lin&0xFFF)
	p1 := c.translate(lin, acc)
	p2 := c.translate(lin+uint32(first), acc)
	for i := 0; i < n; i++ {
		if i < first {
			c.phys.Write(p1+uint64(i), 1, v>>(8*i)&0xFF)
		} else {
			c.phys.Write(p2+uint64(i-first), 1, v>>(8*i)&0xFF)
		}
	}
}

// checkWrite probes that a write of n bytes at lin would not fault
// (used before multi-part stores so a fault leaves memory untouched).
func (c *CPU) checkWrite(lin uint32, n int, priv int) {
	acc := accessFor(priv, true)
	c.translate(lin, acc)
	if int(lin&0xFFF)+n > mmu.PageSize {
		c.translate((lin|0xFFF)+1, acc)
	}
}

// Supervisor (implicit) accesses to system structures: descriptor
// tables, TSS, IDT. They ignore CPL.
func (c *CPU) sysRead16(lin uint32) uint16 { return c.readLin16(lin, 0) }
func (c *CPU) sysRead32(lin uint32) uint32 { return c.readLin32(lin, 0) }
func (c *CPU) sysRead8(lin uint32) uint8   { return c.readLin8(lin, 0) }
func (c *CPU) sysWrite8(lin uint32, v uint8) {
	c.writeLin8(lin, v, 0)
}
func (c *CPU) sysWrite16(lin uint32, v uint16) { c.writeLin16(lin, v, 0) }
func (c *CPU) sysWrite32(lin uint32, v uint32) { c.writeLin32(lin, v, 0) }

// ReadLinear reads guest-linear memory for debuggers without raising
// guest exceptions; ok is false if any byte is unmapped.
func (c *CPU) ReadLinear(lin uint32, b []byte) bool {
	for i := range b {
		mp, f := c.MMU.Translate(lin+uint32(i), 0)
		if f != nil {
			return false
		}
		b[i] = byte(c.phys.Read(mp.Phys, 1))
	}
	return true
}
