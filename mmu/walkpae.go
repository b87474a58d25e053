package mmu

import "fmt"

// PAE paging (SDM §4.4): CR3[31:5] points to a 32-byte page-directory-
// pointer table of four 8-byte PDPTEs, which hardware copies into
// registers (Control.PDPTE) when CR3 is loaded; each PDPTE points to a
// page directory of 512 PDEs mapping 2 MiB each, either directly (PS) or
// through a page table of 512 PTEs. Bit 63 is execute-disable when
// EFER.NXE is set and reserved otherwise; bits 62:MaxPhysAddr are
// reserved in every entry, bits 20:13 in a 2 MiB PDE.

const (
	paeAddr       = 0x0000000FFFFFF000         // bits 35:12
	paeReserved   = 0x7FFFFFF000000000         // bits 62:36
	pde2MReserved = 0x00000000001FE000         // bits 20:13
	pde2MBase     = 0x0000000FFFE00000         // bits 35:21
	pdpteReserved = 0xFFFFFFF000000000 | 0x1E6 // bits 63:36, 8:5, 2:1
	pdptMask      = 0xFFFFFFE0                 // CR3 bits 31:5
)

// PDPTEError is a present PDPTE with a reserved bit set: the instruction
// that would load it (MOV to CR3, CR0 or CR4) raises #GP(0) instead and
// changes nothing.
type PDPTEError struct {
	Index int    // 0-3
	Value uint64 // the offending entry
}

func (e *PDPTEError) Error() string {
	return fmt.Sprintf("mmu: PDPTE %d = %#016x has reserved bits set (#GP)", e.Index, e.Value)
}

// LoadPDPTEs reads the four PDPTEs of the table at cr3 (bits 31:5) as
// hardware does when PAE paging is in force and CR3 is written, or when
// a write to CR0/CR4 enables or reconfigures PAE paging (SDM §4.4.1). A
// present entry with reserved bits set makes the load fail with a
// *PDPTEError (#GP(0)); non-present entries are taken as they are.
func LoadPDPTEs(p *Phys, cr3 uint32) ([4]uint64, error) {
	var pd [4]uint64
	base := uint64(cr3 & pdptMask)
	for i := range pd {
		v := p.Read(base+uint64(i)*8, 8)
		if v&pteP != 0 && v&pdpteReserved != 0 {
			return [4]uint64{}, &PDPTEError{Index: i, Value: v}
		}
		pd[i] = v
	}
	return pd, nil
}

// paeRsvd is the reserved-bit mask of PAE PDEs and PTEs under ctl.
func paeRsvd(ctl *Control) uint64 {
	if ctl.EFER&EFERNXE != 0 {
		return paeReserved
	}
	return paeReserved | pteXD
}

func walkPAE(p *Phys, ctl *Control, lin uint32, acc Access, m *Mapping) *Fault {
	pdpte := ctl.PDPTE[lin>>30]
	if pdpte&pteP == 0 {
		return pageFault(ctl, lin, acc, 0)
	}
	if pdpte&pdpteReserved != 0 {
		// Cannot happen with PDPTEs from LoadPDPTEs; a Control built by
		// hand gets the nearest architectural answer.
		return pageFault(ctl, lin, acc, PFPresent|PFReserved)
	}
	rsvd := paeRsvd(ctl)
	a20 := p.A20Mask()
	pdeAddr := (pdpte&paeAddr | uint64(lin>>21&0x1FF)*8) & a20
	pde := p.Read(pdeAddr, 8)
	if pde&pteP == 0 {
		return pageFault(ctl, lin, acc, 0)
	}
	if pde&rsvd != 0 || (pde&ptePS != 0 && pde&pde2MReserved != 0) {
		return pageFault(ctl, lin, acc, PFPresent|PFReserved)
	}
	m.Tables[0] = pdeAddr &^ 0xFFF
	if pde&ptePS != 0 {
		rw, us, nx := pde&pteRW != 0, pde&pteUS != 0, pde&pteXD != 0
		if !allowed(ctl, acc, rw, us, nx) {
			return pageFault(ctl, lin, acc, PFPresent)
		}
		setBits(p, acc, pdeAddr, uint32(pde), adBits(acc))
		m.Phys = pde&pde2MBase | uint64(lin&(size2M-1))
		m.Size = size2M
		m.Writable, m.User, m.NX = writable(ctl, acc, rw), us, nx
		m.Global = pde&pteG != 0 && ctl.CR4&CR4PGE != 0
		m.Dirty = (uint32(pde)|adBits(acc))&pteD != 0
		return nil
	}
	pteAddr := (pde&paeAddr | uint64(lin>>12&0x1FF)*8) & a20
	pte := p.Read(pteAddr, 8)
	if pte&pteP == 0 {
		return pageFault(ctl, lin, acc, 0)
	}
	if pte&rsvd != 0 {
		return pageFault(ctl, lin, acc, PFPresent|PFReserved)
	}
	m.Tables[1] = pteAddr &^ 0xFFF
	rw, us, nx := pde&pte&pteRW != 0, pde&pte&pteUS != 0, (pde|pte)&pteXD != 0
	if !allowed(ctl, acc, rw, us, nx) {
		return pageFault(ctl, lin, acc, PFPresent)
	}
	setBits(p, acc, pdeAddr, uint32(pde), pteA)
	setBits(p, acc, pteAddr, uint32(pte), adBits(acc))
	m.Phys = pte&paeAddr | uint64(lin&0xFFF)
	m.Size = size4K
	m.Writable, m.User, m.NX = writable(ctl, acc, rw), us, nx
	m.Global = pte&pteG != 0 && ctl.CR4&CR4PGE != 0
	m.Dirty = (uint32(pte)|adBits(acc))&pteD != 0
	return nil
}
