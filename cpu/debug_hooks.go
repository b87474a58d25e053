package cpu

// Debugging and tracing hooks (owned by the debugger and tracer authors).
// Every hook is a field that is nil unless a debugger or a -d category
// asks for it, and each is consulted only off the hot path, so tracing
// compiled in but switched off costs nothing measurable:
//
//   - Trace: before every instruction; the interpreter runs a separate
//     hooked loop while it is set (a translator falls back to the
//     interpreter).
//   - OnInterrupt: as each interrupt or exception is delivered.
//   - OnBlock: when a block of guest code is decoded (interpreter traces
//     are decoded once and cached, so a block is reported again only
//     after its cache entry was dropped: self-modifying code, eviction).
//   - DataWatch: after each data access that takes the slow path. The
//     fast path never calls it; a debugger that watches data makes the
//     watched linear pages take the slow path (shadow.MMU.WatchLinear),
//     so the hook sees every access to them, and only accesses that
//     completed (a faulting access is not reported).

// Block describes one decoded block of guest code.
type Block struct {
	CS     uint16   // code segment selector
	Base   uint32   // CS base: linear address = Base + EIP
	Phys   uint64   // physical address of the first instruction
	Code32 bool     // 32-bit code segment
	EIPs   []uint32 // offset of each instruction, in execution order
	Lens   []uint8  // length of each instruction
}

// reportBlock calls OnBlock for trace t decoded at linear address lin.
func (c *CPU) reportBlock(t *trace, lin uint32) {
	b := &Block{CS: c.Seg[CS].Sel, Base: lin - t.eip, Phys: t.phys, Code32: t.code32}
	b.EIPs = make([]uint32, len(t.ops))
	b.Lens = make([]uint8, len(t.ops))
	for i := range t.ops {
		b.EIPs[i] = t.ops[i].eip
		b.Lens[i] = t.ops[i].in.Len
	}
	c.OnBlock(c, b)
}
