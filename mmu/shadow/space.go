package shadow

import "bt86/mmu"

// Entries is the number of entries per array (direct mapped: see Slot).
const Entries = 4096

// Slot is the index of the entry for the linear address lin: the low
// bits of its page number (direct mapped). Everything that indexes the
// arrays goes through it, and translated code computes the same
// (dbt/translate.go memAddr, checked by dbt's TestSlotMatchesShadow).
//
// Tried and measured (DESIGN.md, "Shadow TLB slots"): XORing linear
// bits 22-24 into bits 7-9 (slotMix 0x380) stops pages 4 MiB apart
// from evicting each other (a kernel's static data and a slab object
// read on every system call did), but the four more instructions in
// every translated memory access cost more than the misses it saved:
// 5-10% more CPU time on the benchmark's boot and workloads.
func Slot(lin uint32) uint32 { return (lin>>12 ^ lin>>15&slotMix) % Entries }

// slotMix selects the bits of lin>>15 (linear bits 22-24 at 7-9) that
// Slot XORs into the page number; 0: none.
const slotMix = 0

// slotSpread is the number of slots that one page-table index can map
// to (2^popcount(slotMix)): the coherence scans visit each.
const slotSpread = 1

// invalidTag never equals a page-aligned linear address.
const invalidTag = 1

// Entry is one cached translation.
type Entry struct {
	Tag    uint32 // linear page base, or invalidTag
	Addend uint32 // RAM index of the page minus the linear page base
	// Host is the host address of the page minus the linear page base
	// (mmu.Phys.HostAddr + the RAM index - Tag, modulo 2^64): translated
	// code adds the linear address to it, one addition where the RAM
	// index would take two.
	Host uint64
}

// Access kinds, the first index of Space.meta.
const (
	kRead = iota
	kWrite
	kFetch
	nKinds
)

// noPage marks an unused table slot in a meta.
const noPage = ^uint32(0)

// meta flags.
const (
	mValid    = 1 << iota // the meta holds a translation
	mFast                 // ... also entered in the public Entry array
	mGlobal               // G bit with CR4.PGE: survives CR3 loads
	mUser                 // user accesses allowed
	mWritable             // writes at the meta's privilege allowed
	mNX                   // fetches forbidden
	mDirty                // D bit set in the final entry
)

// meta is what a Space remembers about each slot beyond the fast-path
// Entry: the translation itself (so that a slot the fast path may not use,
// because the page is a device, ROM for a write, or watched, still
// answers Fill without a walk) and the paging-structure pages it was
// derived from (for coherence).
type meta struct {
	tag   uint32 // linear page base
	page  uint32 // physical page number of the mapped 4 KiB page
	pt    uint32 // page number of the page table used, or noPage
	pd    uint32 // page number of the page directory used, or noPage
	flags uint8
	shift uint8 // log2 of the page size
}

func (md *meta) valid() bool { return md.flags&mValid != 0 }

// mapping rebuilds the walk result md was made from, for lin.
func (md *meta) mapping(lin uint32) mmu.Mapping {
	mp := mmu.Mapping{
		Phys:     uint64(md.page)<<12 | uint64(lin&0xFFF),
		Writable: md.flags&mWritable != 0,
		User:     md.flags&mUser != 0,
		NX:       md.flags&mNX != 0,
		Global:   md.flags&mGlobal != 0,
		Dirty:    md.flags&mDirty != 0,
		Size:     1 << md.shift,
	}
	if md.pd != noPage {
		mp.Tables[0] = uint64(md.pd) << 12
	}
	if md.pt != noPage {
		mp.Tables[1] = uint64(md.pt) << 12
	}
	return mp
}

// Space is the software TLB of one address space.
//
// The exported arrays are the fast path; everything else is private
// bookkeeping the fast path never touches.
type Space struct {
	Read  [2][Entries]Entry // [0] supervisor, [1] user
	Write [2][Entries]Entry
	Fetch [2][Entries]Entry

	meta  [nKinds][2][Entries]meta
	id    int    // bit in MMU.watchers masks
	key   uint32 // CR3 page directory / PDPT address, or noPagingKey
	pdpte [4]uint64
	// ownPD are the page directories of the space itself (CR3's, or the
	// PDPTEs'), or noPage. They hold one permanent depPD reference for
	// as long as the space lives, so translations through them need not
	// count it.
	ownPD   [4]uint32
	inUse   bool
	lastUse uint64
	live    int // valid metas
	// deps counts the valid metas derived from each paging-structure page:
	// low 16 bits as page table, high 16 bits as page directory.
	deps map[uint32]uint32
}

// Dependency counter halves.
const (
	depPT   = 1
	depPD   = 1 << 16
	depMask = 0xFFFF
)

func newSpace(id int) *Space {
	s := &Space{id: id, deps: make(map[uint32]uint32)}
	s.reset()
	return s
}

func (s *Space) isOwnPD(pg uint32) bool {
	return pg == s.ownPD[0] || pg == s.ownPD[1] || pg == s.ownPD[2] || pg == s.ownPD[3]
}

func (s *Space) entries(k int) *[2][Entries]Entry {
	switch k {
	case kWrite:
		return &s.Write
	case kFetch:
		return &s.Fetch
	}
	return &s.Read
}

// reset empties the arrays (the caller has dropped the dependencies).
func (s *Space) reset() {
	for p := 0; p < 2; p++ {
		for i := range s.Read[p] {
			s.Read[p][i] = Entry{Tag: invalidTag}
			s.Write[p][i] = Entry{Tag: invalidTag}
			s.Fetch[p][i] = Entry{Tag: invalidTag}
		}
	}
	s.meta = [nKinds][2][Entries]meta{}
	s.live = 0
	s.ownPD = [4]uint32{noPage, noPage, noPage, noPage}
}

// Len returns the number of translations the space holds (fast or not).
func (s *Space) Len() int { return s.live }

// CR3 returns the key the space is cached under: the page-directory (or,
// with PAE, PDPT) address of its CR3.
func (s *Space) CR3() uint32 { return s.key }
