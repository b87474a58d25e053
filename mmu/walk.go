package mmu

import "fmt"

// Access describes a memory access; its bits are those of the #PF error
// code so that a fault's code is the access plus the present bit.
type Access uint8

// Access bits.
const (
	AccWrite Access = 1 << 1 // W/R
	AccUser  Access = 1 << 2 // U/S: the access is made at CPL 3
	AccFetch Access = 1 << 4 // I/D: instruction fetch
	// AccPeek marks a debugger's look-up: the walk checks and translates
	// as usual but writes no accessed or dirty bit. It is never part of a
	// #PF error code.
	AccPeek Access = 1 << 7
)

// Page-fault error code bits (Intel SDM vol. 3 §4.7). PFWrite, PFUser and
// PFFetch equal the Access bits.
const (
	PFPresent  = 1 << 0 // 0: not present; 1: protection or reserved-bit violation
	PFWrite    = 1 << 1
	PFUser     = 1 << 2
	PFReserved = 1 << 3 // a reserved bit was set in a paging-structure entry
	PFFetch    = 1 << 4 // instruction fetch; reported only with PAE and EFER.NXE
)

// MaxPhysAddr is the physical-address width the walker implements (M in
// the SDM): 36 bits, as on the P6 family with PAE and PSE-36. The CPU
// should report CPUID PAE and PSE-36 accordingly.
const MaxPhysAddr = 36

// Control is the paging-related control state of a CPU.
type Control struct {
	CR0, CR3, CR4 uint32
	EFER          uint64
	// PDPTE are the four PAE page-directory-pointer registers. Hardware
	// loads them from the table at CR3 when CR3 is written, or paging
	// control bits change, while PAE paging is in force (LoadPDPTEs); the
	// walker uses these copies, never the table in memory.
	PDPTE [4]uint64
}

// Control register bits the walker uses.
const (
	CR0PE   = 1 << 0
	CR0WP   = 1 << 16
	CR0NW   = 1 << 29
	CR0CD   = 1 << 30
	CR0PG   = 1 << 31
	CR4PSE  = 1 << 4
	CR4PAE  = 1 << 5
	CR4PGE  = 1 << 7
	EFERNXE = 1 << 11
)

// Paging reports whether paging is enabled.
func (c Control) Paging() bool { return c.CR0&CR0PG != 0 && c.CR0&CR0PE != 0 }

// PAE reports whether PAE paging is in force.
func (c Control) PAE() bool { return c.Paging() && c.CR4&CR4PAE != 0 }

// NX reports whether the execute-disable bit is honoured (PAE paging with
// EFER.NXE); only then do #PF error codes carry the I/D bit.
func (c Control) NX() bool { return c.PAE() && c.EFER&EFERNXE != 0 }

// Fault is a page fault: the linear address for CR2 and the error code.
type Fault struct {
	Addr uint32
	Code uint32
}

func (f *Fault) Error() string {
	return fmt.Sprintf("#PF at %#08x, error code %#x", f.Addr, f.Code)
}

// Mapping is the result of a successful walk.
type Mapping struct {
	Phys     uint64 // physical address of the accessed byte
	Writable bool   // a write at the walk's privilege would succeed
	User     bool   // user accesses allowed
	NX       bool   // instruction fetches forbidden (only with PAE and EFER.NXE)
	Global   bool   // the G bit of the final entry, with CR4.PGE
	Size     uint64 // page size: 4 KiB, 2 MiB or 4 MiB
	// Tables are the physical addresses of the paging-structure pages the
	// walk read, for coherence tracking: Tables[0] the page directory,
	// Tables[1] the page table (4 KiB pages only). Unused slots are 0;
	// Size tells which are used. The PAE PDPT is not listed: its entries
	// live in Control.PDPTE. Tables[2] is reserved for 4-level paging.
	Tables [3]uint64
	Dirty  bool // the dirty bit is set after the walk (writes need no A/D update)
}

// Paging-structure entry bits.
const (
	pteP   = 1 << 0
	pteRW  = 1 << 1
	pteUS  = 1 << 2
	pteA   = 1 << 5
	pteD   = 1 << 6
	ptePS  = 1 << 7
	pteG   = 1 << 8
	pteXD  = 1 << 63
	size4K = 4 << 10
	size2M = 2 << 20
	size4M = 4 << 20
)

// Walk translates lin for acc under ctl, as the SDM (vol. 3 ch. 4) says:
// present and reserved bits are checked level by level, then the access
// rights of the whole translation (U/S, R/W with CR0.WP, XD with
// EFER.NXE). Only when the access is allowed are the accessed bits of
// every entry used and, for a write, the dirty bit of the final entry set
// in the guest tables; a faulting walk writes nothing. (The SDM leaves
// the A bits of a faulting walk partly model-specific; this is Bochs'
// choice and kvm-unit-tests accepts it.) With paging off lin is the
// physical address.
func Walk(p *Phys, ctl Control, lin uint32, acc Access) (Mapping, *Fault) {
	var m Mapping
	if f := WalkInto(p, &ctl, lin, acc, &m); f != nil {
		return Mapping{}, f
	}
	return m, nil
}

// WalkInto is Walk for hot callers: it reads *ctl and writes the mapping
// to *m instead of copying them by value; *m is meaningful only when the
// result is nil.
func WalkInto(p *Phys, ctl *Control, lin uint32, acc Access, m *Mapping) *Fault {
	*m = Mapping{}
	if !ctl.Paging() {
		*m = Mapping{Phys: uint64(lin), Writable: true, User: true, Dirty: true, Size: PageSize}
		return nil
	}
	if ctl.CR4&CR4PAE != 0 {
		return walkPAE(p, ctl, lin, acc, m)
	}
	return walk32(p, ctl, lin, acc, m)
}

// pageFault builds the #PF for acc with the given P and RSVD bits.
func pageFault(ctl *Control, lin uint32, acc Access, bits uint32) *Fault {
	code := bits | uint32(acc&(AccWrite|AccUser))
	if acc&AccFetch != 0 && ctl.NX() {
		code |= PFFetch
	}
	return &Fault{Addr: lin, Code: code}
}

// allowed applies the access rights of a translation (SDM §4.6, no SMEP
// or SMAP): user accesses need U/S at every level, user writes R/W at
// every level, supervisor writes R/W only with CR0.WP, and fetches need
// XD clear when XD is honoured.
func allowed(ctl *Control, acc Access, rw, us, nx bool) bool {
	if acc&AccUser != 0 {
		if !us || (acc&AccWrite != 0 && !rw) {
			return false
		}
	} else if acc&AccWrite != 0 && !rw && ctl.CR0&CR0WP != 0 {
		return false
	}
	return acc&AccFetch == 0 || !nx
}

// writable tells whether a write at acc's privilege would pass.
func writable(ctl *Control, acc Access, rw bool) bool {
	return rw || (acc&AccUser == 0 && ctl.CR0&CR0WP == 0)
}

// setBits ORs bits into the low dword of the entry at addr (old is its
// value as read) when they are not all set yet, unless acc is a peek.
func setBits(p *Phys, acc Access, addr uint64, old, bits uint32) {
	if old&bits != bits && acc&AccPeek == 0 {
		p.Write(addr, 4, uint64(old|bits))
	}
}

// adBits is what a successful access sets in the final entry.
func adBits(acc Access) uint32 {
	if acc&AccWrite != 0 {
		return pteA | pteD
	}
	return pteA
}
