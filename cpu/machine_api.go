package cpu

// Small exported helpers for machine-level loaders (owned by the machine
// package's authors; keep them thin wrappers over the CPU's own code).

// SetSegmentDescriptor loads segment register seg (ES..GS) with selector
// sel and the hidden descriptor cache decoded from descriptor, the raw
// 8-byte GDT/LDT entry, as a protected-mode load would (the accessed bit
// is set in the cache), but without privilege checks or memory accesses.
// Loading CS sets CPL to the selector's RPL. Loaders that enter a guest
// directly in protected mode (the Linux 32-bit boot protocol) use it; set
// CR0 first and call StateChanged after the whole state is in place.
func (c *CPU) SetSegmentDescriptor(seg int, sel uint16, descriptor uint64) {
	d := desc{lo: uint32(descriptor), hi: uint32(descriptor >> 32)}
	c.Seg[seg] = d.segment(sel)
	if seg == CS {
		c.CPL = int(sel & 3)
	}
	c.segUpdated(seg)
}
