package mmu

// 32-bit paging (SDM §4.3): a page directory of 1024 4-byte PDEs at
// CR3[31:12], each mapping 4 MiB either through a page table of 1024 PTEs
// or, with CR4.PSE and PS set, directly as a 4 MiB page. PSE-36 supplies
// physical bits 35:32 from PDE bits 16:13; with MaxPhysAddr 36, PDE bits
// 21:17 of a 4 MiB page are reserved. No other bits are reserved in
// 32-bit paging, and there is no execute-disable.

const (
	pde4MReserved = 0x003E0000 // bits 21:(M-19)
	pde4MBase     = 0xFFC00000
	pde4MHigh     = 0x0001E000 // bits 16:13 = physical 35:32
)

func walk32(p *Phys, ctl *Control, lin uint32, acc Access, m *Mapping) *Fault {
	a20 := p.A20Mask()
	pdeAddr := (uint64(ctl.CR3&^0xFFF) | uint64(lin>>22)*4) & a20
	pde := uint32(p.Read(pdeAddr, 4))
	if pde&pteP == 0 {
		return pageFault(ctl, lin, acc, 0)
	}
	m.Tables[0] = pdeAddr &^ 0xFFF
	if pde&ptePS != 0 && ctl.CR4&CR4PSE != 0 {
		if pde&pde4MReserved != 0 {
			return pageFault(ctl, lin, acc, PFPresent|PFReserved)
		}
		rw, us := pde&pteRW != 0, pde&pteUS != 0
		if !allowed(ctl, acc, rw, us, false) {
			return pageFault(ctl, lin, acc, PFPresent)
		}
		setBits(p, acc, pdeAddr, pde, adBits(acc))
		m.Phys = uint64(pde&pde4MBase) | uint64(pde&pde4MHigh)<<19 | uint64(lin&(size4M-1))
		m.Size = size4M
		m.Writable, m.User = writable(ctl, acc, rw), us
		m.Global = pde&pteG != 0 && ctl.CR4&CR4PGE != 0
		m.Dirty = (pde|adBits(acc))&pteD != 0
		return nil
	}
	pteAddr := (uint64(pde&^0xFFF) | uint64(lin>>12&0x3FF)*4) & a20
	pte := uint32(p.Read(pteAddr, 4))
	if pte&pteP == 0 {
		return pageFault(ctl, lin, acc, 0)
	}
	m.Tables[1] = pteAddr &^ 0xFFF
	rw, us := pde&pte&pteRW != 0, pde&pte&pteUS != 0
	if !allowed(ctl, acc, rw, us, false) {
		return pageFault(ctl, lin, acc, PFPresent)
	}
	setBits(p, acc, pdeAddr, pde, pteA)
	setBits(p, acc, pteAddr, pte, adBits(acc))
	m.Phys = uint64(pte&^0xFFF) | uint64(lin&0xFFF)
	m.Size = size4K
	m.Writable, m.User = writable(ctl, acc, rw), us
	m.Global = pte&pteG != 0 && ctl.CR4&CR4PGE != 0
	m.Dirty = (pte|adBits(acc))&pteD != 0
	return nil
}
