package mmu

import "unsafe"

// HostAddr is the host address of RAM[0] (0 without RAM), for native
// code that reaches guest RAM through shadow-TLB entries (shadow.Entry's
// Host). RAM never moves: it is mapped outside the Go heap or held by a
// non-moving heap object that p keeps alive.
func (p *Phys) HostAddr() uint64 {
	if len(p.RAM) == 0 {
		return 0
	}
	return uint64(uintptr(unsafe.Pointer(&p.RAM[0])))
}
