package cpu

// SetSegmentReal loads segment register seg with a real-mode selector
// (base = sel*16, limit 0xFFFF) for harnesses that set up state directly.
func (c *CPU) SetSegmentReal(seg int, sel uint16) {
	s := &c.Seg[seg]
	*s = Segment{Sel: sel, Base: uint32(sel) << 4, Limit: 0xFFFF, Attr: AttrP | AttrS | AttrRW | AttrAccessed, Valid: true}
	if seg == CS {
		s.Attr |= AttrCode
	}
	c.segUpdated(seg)
}
