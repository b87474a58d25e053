package shadow

import (
	"math/bits"

	"bt86/mmu"
)

// Coherence. Every cached translation (meta) names the page directory and
// page table it was derived from. Per space, deps counts those references
// per paging-structure page (a space's own page directories hold one
// permanent reference instead); per MMU, watchers says which spaces
// reference a page. A page gains the mmu.WatchPageTable bit when it first
// gets a dependent (and loses its fast-path write entries everywhere);
// a guest write to it then reaches onWatchedWrite before it lands, which
// drops, in every dependent space, exactly the translations that used the
// entries written: for a page-table role the ones in the slot of the
// written PTE index, for a page-directory role those under the written
// PDE. When a page has no dependents left its watch bit is removed
// lazily, on the next guest write to it, so that a page that goes on
// being a page table is not unwatched and rewatched as translations come
// and go.

func (m *MMU) acquire(s *Space, pt, pd uint32) {
	if pt != noPage {
		m.addDep(s, pt, depPT)
	}
	if pd != noPage && !s.isOwnPD(pd) {
		m.addDep(s, pd, depPD)
	}
}

func (m *MMU) release(s *Space, pt, pd uint32) {
	if pt != noPage {
		m.subDep(s, pt, depPT)
	}
	if pd != noPage && !s.isOwnPD(pd) {
		m.subDep(s, pd, depPD)
	}
}

// addDep counts one more translation of s derived from pg. A page keeps
// its deps entry and its watchers bit when the count drops to zero (no
// map churn as translations come and go); onWatchedWrite and dropSpace
// clear them.
func (m *MMU) addDep(s *Space, pg, unit uint32) {
	c := s.deps[pg]
	s.deps[pg] = c + unit
	if c == 0 {
		m.addWatcher(s, pg)
	}
	if len(m.floods) > 0 {
		delete(m.floods, pg) // in use as a table again
	}
}

func (m *MMU) subDep(s *Space, pg, unit uint32) {
	s.deps[pg] -= unit
}

func (m *MMU) addWatcher(s *Space, pg uint32) {
	bit := uint64(1) << s.id
	mask, ok := m.watchers[pg]
	if mask&bit != 0 {
		return
	}
	if !ok {
		addr := uint64(pg) << 12
		if m.Phys.Watched(addr)&mmu.WatchPageTable == 0 {
			m.Phys.Watch(addr, mmu.WatchPageTable)
			m.Stats.Watches++
			m.FlushWritesTo(uint64(pg))
		}
	}
	m.watchers[pg] = mask | bit
}

func (m *MMU) removeWatcher(s *Space, pg uint32) {
	mask := m.watchers[pg] &^ (1 << s.id)
	if mask == 0 {
		delete(m.watchers, pg)
		return
	}
	m.watchers[pg] = mask
}

// onWatchedWrite is the Phys watch hook: a write of size bytes at addr is
// about to land on the watched page.
func (m *MMU) onWatchedWrite(page uint64, addr uint64, size int, kinds uint8) {
	if kinds&mmu.WatchPageTable == 0 || m.walking {
		// Not ours, or our walker setting A/D bits: setting them never
		// makes a cached translation wrong (SDM §4.10.4.3).
		return
	}
	m.Stats.WatchFault++
	pg := uint32(page)
	mask := m.watchers[pg]
	for rest := mask; rest != 0; rest &= rest - 1 {
		if s := m.spaces[bits.TrailingZeros64(rest)]; s.deps[pg] == 0 {
			// No translation of s uses pg any more: forget it now.
			delete(s.deps, pg)
			m.removeWatcher(s, pg)
			mask &^= 1 << s.id
		}
	}
	if mask == 0 {
		m.Phys.Unwatch(page, mmu.WatchPageTable)
		m.Stats.Unwatches++
		return
	}
	if m.floods[pg]++; m.floods[pg] > m.floodWrites {
		// A write flood (a page table being cleared or copied, a freed
		// page directory reused as data): stop tracking the page entry
		// by entry, which scans whole spaces for a directory, and drop
		// at once everything derived from it. Another space's own page
		// directory takes its whole space with it (the space is cached,
		// not current: rebuilt if the guest switches back); the current
		// space's own directories stay precisely tracked.
		delete(m.floods, pg)
		m.Stats.Floods++
		for rest := mask; rest != 0; rest &= rest - 1 {
			s := m.spaces[bits.TrailingZeros64(rest)]
			switch {
			case s == m.Cur && s.isOwnPD(pg):
				continue
			case s.isOwnPD(pg):
				m.dropSpace(s)
				s.inUse = false
			default:
				m.dropDerived(s, pg, 0, wideWrite+1<<20)
				delete(s.deps, pg)
				m.removeWatcher(s, pg)
			}
			mask &^= 1 << s.id
		}
		if mask == 0 {
			m.Phys.Unwatch(page, mmu.WatchPageTable)
			m.Stats.Unwatches++
			return
		}
	}
	base := page << 12
	lo, hi := max(addr, base), min(addr+uint64(size), base+mmu.PageSize)
	if hi <= lo {
		return
	}
	shift := uint(2)
	if m.ctl.CR4&mmu.CR4PAE != 0 {
		shift = 3
	}
	first, last := int((lo-base)>>shift), int((hi-1-base)>>shift)
	for mask != 0 {
		i := bits.TrailingZeros64(mask)
		mask &= mask - 1
		m.dropDerived(m.spaces[i], pg, first, last)
	}
}

// wideWrite is the number of entries past which a write to a table page
// drops everything derived from it rather than entry by entry.
const wideWrite = 16

// DefaultFloodWrites is the number of writes to a watched page, with no
// new translation through it in between, after which the MMU stops
// tracking it entry by entry (see onWatchedWrite; MMU.SetFloodWrites).
const DefaultFloodWrites = 64

// dropDerived drops the translations of s that used entries first..last
// of the paging-structure page pg.
func (m *MMU) dropDerived(s *Space, pg uint32, first, last int) {
	c := s.deps[pg]
	if c == 0 {
		return
	}
	ptMask, pdShift, pdMask := 0x3FF, 22, 0x3FF
	if m.ctl.CR4&mmu.CR4PAE != 0 {
		ptMask, pdShift, pdMask = 0x1FF, 21, 0x1FF
	}
	wide := last-first >= wideWrite
	if c&depMask != 0 && !wide {
		// As a page table: PTE index k translates linear pages whose
		// page numbers equal k modulo the table size, which live in
		// the slots congruent to k modulo the table size (one slot when
		// the table is at least as large as the TLB), each with Slot's
		// mixed bits in any of their slotSpread values.
		for k := first; k <= last; k++ {
			for base := k % Entries; base < Entries; base += ptMask + 1 {
				for x := range slotSpread {
					m.dropSlot(s, pg, base^x<<7&slotMix, k, ptMask)
				}
			}
		}
	}
	if c>>16 == 0 && !wide {
		return
	}
	m.dropDirectory(s, pg, first, last, wide, pdShift, pdMask)
}

// dropSlot invalidates the entries in slot of s that PTE index k of the
// page table pg translated.
func (m *MMU) dropSlot(s *Space, pg uint32, slot, k, ptMask int) {
	for kind := 0; kind < nKinds; kind++ {
		for p := 0; p < 2; p++ {
			md := &s.meta[kind][p][slot]
			if md.valid() && md.pt == pg && int(md.tag>>12)&ptMask == k {
				m.invalidate(s, kind, p, slot)
			}
		}
	}
}

// dropDirectory drops the translations of s that used entries
// first..last of pg as a page directory (or, for a wide write, any
// entry of pg).
func (m *MMU) dropDirectory(s *Space, pg uint32, first, last int, wide bool, pdShift, pdMask int) {
	// A few directory entries: only the slots their pages can occupy
	// (the pages of one entry fill a run of slots, whatever the linear
	// bits above the directory index).
	pages := 1 << (pdShift - 12) // 4 KiB pages one directory entry maps
	if !wide && slotSpread == 1 && (last-first+1)*pages < Entries {
		for idx := first; idx <= last; idx++ {
			base := idx * pages & (Entries - 1)
			for i := base; i < base+pages; i++ {
				for kind := 0; kind < nKinds; kind++ {
					for p := 0; p < 2; p++ {
						md := &s.meta[kind][p][i]
						if md.valid() && md.pd == pg && int(md.tag>>pdShift)&pdMask == idx {
							m.invalidate(s, kind, p, i)
						}
					}
				}
			}
		}
		return
	}
	// As a page directory (or a wide write): scan the space.
	for kind := 0; kind < nKinds; kind++ {
		for p := 0; p < 2; p++ {
			for i := range s.meta[kind][p] {
				md := &s.meta[kind][p][i]
				if !md.valid() {
					continue
				}
				if wide {
					if md.pt == pg || md.pd == pg {
						m.invalidate(s, kind, p, i)
					}
					continue
				}
				if idx := int(md.tag>>pdShift) & pdMask; md.pd == pg && idx >= first && idx <= last {
					m.invalidate(s, kind, p, i)
				}
			}
		}
	}
}
