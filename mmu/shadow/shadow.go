package shadow

import (
	"slices"

	"bt86/mmu"
)

// DefaultSpaces is the number of address spaces New keeps cached.
const DefaultSpaces = 8

// MaxSpaces bounds NewWithSpaces: a space is one bit of a uint64 mask.
const MaxSpaces = 64

// noPagingKey keys the space used with paging off; CR3 keys are 32-byte
// aligned, so it never equals one.
const noPagingKey = 1

// MMU owns the address spaces of one CPU.
type MMU struct {
	Phys  *mmu.Phys
	Cur   *Space
	Stats Counters
	// OnChange, when set, is called after Cur changed and whenever a
	// fetch translation the MMU held may have been dropped or replaced
	// (flushes, CR3 loads that switch spaces, INVLPG, coherence,
	// evictions). A caller may keep pointers into Cur's arrays, and what
	// it derived from fetch translations (the interpreter's trace links),
	// until it is called.
	OnChange func()

	ctl    mmu.Control
	spaces []*Space // index = Space.id
	max    int
	tick   uint64 // LRU clock
	// watchers maps a paging-structure page to the spaces holding
	// translations derived from it (bit i = spaces[i]).
	watchers map[uint32]uint64
	// floods counts writes to each watched page since a translation was
	// last made through it (see onWatchedWrite).
	floods      map[uint32]int
	floodWrites int
	walking     bool // our own walker is setting A/D bits
	// watchLin counts the debugger's data watches per linear page tag
	// (WatchLinear): those pages never get fast-path data entries.
	watchLin map[uint32]int
	// OnFlush, when set, is told of every flush (-d mmu).
	OnFlush func(FlushEvent)
	// writeMapped[i] is false when no space can hold a fast-path write
	// entry for RAM page i: set when one is entered, cleared when
	// FlushWritesTo has dropped them all, so watching a page that was
	// never written through the fast path skips the scan of every
	// space's write entries.
	writeMapped []bool
	hostBase    uint64 // Phys.HostAddr(), for Entry.Host
}

// New returns an MMU over p with paging off, keeping DefaultSpaces
// address spaces.
func New(p *mmu.Phys) *MMU { return NewWithSpaces(p, DefaultSpaces) }

// NewWithSpaces returns an MMU over p with paging off that keeps up to n
// address spaces (1 to MaxSpaces) cached by CR3.
func NewWithSpaces(p *mmu.Phys, n int) *MMU {
	n = min(max(n, 1), MaxSpaces)
	m := &MMU{Phys: p, max: n, watchers: make(map[uint32]uint64), floods: make(map[uint32]int), floodWrites: DefaultFloodWrites, hostBase: p.HostAddr()}
	s := newSpace(0)
	m.spaces = append(m.spaces, s)
	m.Cur = s
	m.activate(s)
	p.OnChange(func(bool) { m.Flush() })
	p.AddWatchHook(m.onWatchedWrite)
	return m
}

// spaceKey is what a space is cached under for ctl: the PDPT address with
// PAE, the page-directory address without.
func spaceKey(ctl mmu.Control) uint32 {
	switch {
	case !ctl.Paging():
		return noPagingKey
	case ctl.CR4&mmu.CR4PAE != 0:
		return ctl.CR3 & 0xFFFFFFE0
	}
	return ctl.CR3 &^ 0xFFF
}

// Control returns the paging control state in force.
func (m *MMU) Control() mmu.Control { return m.ctl }

// SetControl installs ctl verbatim (PDPTEs included: nothing is read from
// guest memory) and flushes what hardware flushes: every cached
// translation, global ones included, when paging is turned on or off or
// CR4.PSE, CR4.PAE, CR4.PGE or EFER.NXE change; the write translations
// when CR0.WP changes. A new CR3 (or new PDPTEs) is a CR3 load, as in
// SetCR3. Use it for reset and state restore; the CPU's MOV to CRn and
// WRMSR go through SetCR3 and WriteControl, which load the PDPTEs.
func (m *MMU) SetControl(ctl mmu.Control) {
	old := m.ctl
	m.ctl = ctl
	const cr4Bits = mmu.CR4PSE | mmu.CR4PAE | mmu.CR4PGE
	if old.Paging() != ctl.Paging() || (old.CR4^ctl.CR4)&cr4Bits != 0 || (old.EFER^ctl.EFER)&mmu.EFERNXE != 0 {
		m.flushAll()
		return
	}
	if !ctl.Paging() {
		return
	}
	if (old.CR0^ctl.CR0)&mmu.CR0WP != 0 {
		m.flushKind(kWrite)
	}
	m.switchTo(spaceKey(ctl), ctl.PDPTE)
}

// WriteControl is a guest write to CR0 or CR4 (MOV to CRn, LMSW, CLTS)
// or to EFER (WRMSR): the CPU passes the new values of all three. When
// the result is PAE paging and the write enabled it or changed CR0.PG,
// CD, NW or CR4.PAE, PGE, PSE, the PDPTEs are reloaded from CR3 (SDM
// §4.4.1); a reserved bit in one makes WriteControl return a
// *mmu.PDPTEError and change nothing: the CPU raises #GP(0). The CPU
// checks the architectural #GP conditions of the write itself (PG without
// PE, clearing PAE in long mode, ...) before calling.
func (m *MMU) WriteControl(cr0, cr4 uint32, efer uint64) error {
	old := m.ctl
	ctl := old
	ctl.CR0, ctl.CR4, ctl.EFER = cr0, cr4, efer
	const cr0Bits = mmu.CR0PG | mmu.CR0CD | mmu.CR0NW
	const cr4Bits = mmu.CR4PAE | mmu.CR4PGE | mmu.CR4PSE
	if ctl.PAE() && (!old.PAE() || (old.CR0^cr0)&cr0Bits != 0 || (old.CR4^cr4)&cr4Bits != 0) {
		pd, err := mmu.LoadPDPTEs(m.Phys, ctl.CR3)
		if err != nil {
			return err
		}
		ctl.PDPTE = pd
	}
	m.SetControl(ctl)
	return nil
}

// SetCR3 is a guest load of CR3 (MOV to CR3, task switch). With PAE
// paging the PDPTEs are loaded first; a reserved bit in one returns a
// *mmu.PDPTEError and changes nothing (#GP(0)). The load makes the space
// keyed by cr3 current: a cached one is reused (Stats.Reused), otherwise
// the least recently used space is recycled and starts with the global
// translations of the previous space when CR4.PGE is set. Cached spaces
// are kept exactly coherent with the guest tables (see the package
// documentation), so no translation survives a CR3 load that hardware
// would have to drop. With paging off only the value is recorded.
func (m *MMU) SetCR3(cr3 uint32) error {
	ctl := m.ctl
	if ctl.PAE() {
		pd, err := mmu.LoadPDPTEs(m.Phys, cr3)
		if err != nil {
			return err
		}
		ctl.PDPTE = pd
	}
	ctl.CR3 = cr3
	m.ctl = ctl
	if !ctl.Paging() {
		return nil
	}
	if m.OnFlush != nil {
		m.OnFlush(FlushEvent{Kind: FlushCR3, CR3: cr3})
	}
	key := spaceKey(ctl)
	if key == m.Cur.key {
		m.Stats.Reloads++
	}
	m.switchTo(key, ctl.PDPTE)
	return nil
}

// SetFloodWrites sets the write-flood threshold (tests use small ones to
// exercise the flood path).
func (m *MMU) SetFloodWrites(n int) { m.floodWrites = n }

// Flush drops every cached translation of every space, global ones
// included.
func (m *MMU) Flush() { m.flushAll() }

// FlushPage drops the translations of the page holding lin (INVLPG),
// global ones included, in every cached space.
func (m *MMU) FlushPage(lin uint32) {
	m.Stats.PageFlush++
	if m.OnFlush != nil {
		m.OnFlush(FlushEvent{Kind: FlushPage, Lin: lin, CR3: m.ctl.CR3})
	}
	tag := lin &^ 0xFFF
	slot := Slot(lin)
	for _, s := range m.spaces {
		if !s.inUse {
			continue
		}
		for k := 0; k < nKinds; k++ {
			for p := 0; p < 2; p++ {
				if md := &s.meta[k][p][slot]; md.valid() && md.tag == tag {
					m.invalidate(s, k, p, int(slot))
				}
			}
		}
	}
}

// FlushWritesTo drops the fast-path write entries of every space that
// point to the physical page physPage (a page number). Call it after
// watching a page (Phys.Watch), so that later writes to it take the slow
// path; the MMU does so itself for the page-table pages it watches. The
// translations stay cached for the slow path.
func (m *MMU) FlushWritesTo(physPage uint64) {
	if physPage < uint64(len(m.writeMapped)) {
		if !m.writeMapped[physPage] {
			return
		}
		m.writeMapped[physPage] = false
	}
	for _, s := range m.spaces {
		if !s.inUse {
			continue
		}
		for p := 0; p < 2; p++ {
			for i := range s.Write[p] {
				e := &s.Write[p][i]
				if e.Tag != invalidTag && uint64(e.Addend+e.Tag)>>12 == physPage {
					e.Tag = invalidTag
					s.meta[kWrite][p][i].flags &^= mFast
				}
			}
		}
	}
}

// Translate walks lin for acc under the current control state (setting
// A/D bits as hardware does) without caching anything.
func (m *MMU) Translate(lin uint32, acc mmu.Access) (mmu.Mapping, *mmu.Fault) {
	m.Stats.Misses++
	var mp mmu.Mapping
	if f := m.walk(lin, acc, &mp); f != nil {
		return mmu.Mapping{}, f
	}
	return mp, nil
}

// Fill is the slow path after a fast-path miss: it translates lin for acc
// and returns the mapping or the fault. A translation the current space
// already holds answers without a walk (pages the fast path may not use:
// devices, ROM writes, watched pages); otherwise the walk's result is
// cached, and entered in the fast-path arrays when the page allows it:
//
//   - only pages wholly inside the RAM slice are entered, so
//     RAM[Addend+lin] is always in bounds; ROM there for read and fetch;
//   - a write entry only for ordinary RAM that is not watched (page
//     tables, code) and whose final paging entry is already dirty, so the
//     first write to a page walks and sets D;
//   - entries are per privilege: a user entry exists only if a user walk
//     succeeded; fetch entries only if the fetch walk passed XD.
//
// A read also enters the write entry when the page is writable and
// dirty; a write or fetch also enters the read entry.
func (m *MMU) Fill(lin uint32, acc mmu.Access) (mmu.Mapping, *mmu.Fault) {
	m.Stats.Misses++
	k := kindOf(acc)
	p := privOf(acc)
	slot := int(Slot(lin))
	s := m.Cur
	if md := &s.meta[k][p][slot]; md.valid() && md.tag == lin&^0xFFF {
		m.Stats.Cached++
		if md.flags&mFast == 0 {
			m.enter(s, k, p, slot)
		}
		return md.mapping(lin), nil
	}
	var mp mmu.Mapping
	if f := m.walk(lin, acc, &mp); f != nil {
		return mmu.Mapping{}, f
	}
	m.install(s, lin, acc, &mp)
	return mp, nil
}

func kindOf(acc mmu.Access) int {
	switch {
	case acc&mmu.AccFetch != 0:
		return kFetch
	case acc&mmu.AccWrite != 0:
		return kWrite
	}
	return kRead
}

// changed calls the OnChange hook.
func (m *MMU) changed() {
	if m.OnChange != nil {
		m.OnChange()
	}
}

func privOf(acc mmu.Access) int { return int(acc>>2) & 1 }

// walk runs the reference walker, keeping its A/D writes from looking
// like guest writes to the tables.
func (m *MMU) walk(lin uint32, acc mmu.Access, mp *mmu.Mapping) *mmu.Fault {
	if m.ctl.Paging() {
		m.Stats.Walks++
	}
	m.walking = true
	f := mmu.WalkInto(m.Phys, &m.ctl, lin, acc, mp)
	m.walking = false
	mp.Phys &= m.Phys.A20Mask()
	return f
}

// install caches the successful walk mp of lin for acc in s.
func (m *MMU) install(s *Space, lin uint32, acc mmu.Access, mp *mmu.Mapping) {
	md := meta{tag: lin &^ 0xFFF, page: uint32(mp.Phys >> 12), pt: noPage, pd: noPage, flags: mValid, shift: 12}
	if m.ctl.Paging() {
		// Translations derived from tables the MMU cannot watch (device
		// space, ROM above RAM) are not cached at all.
		if _, _, ok := m.Phys.RAMPage(mp.Tables[0]); !ok {
			return
		}
		md.pd = uint32(mp.Tables[0] >> 12)
		if mp.Size == mmu.PageSize {
			if _, _, ok := m.Phys.RAMPage(mp.Tables[1]); !ok {
				return
			}
			md.pt = uint32(mp.Tables[1] >> 12)
		}
		for md.shift < 63 && uint64(1)<<md.shift < mp.Size {
			md.shift++
		}
	}
	if mp.Global {
		md.flags |= mGlobal
	}
	if mp.User {
		md.flags |= mUser
	}
	if mp.Writable {
		md.flags |= mWritable
	}
	if mp.NX {
		md.flags |= mNX
	}
	if mp.Dirty {
		md.flags |= mDirty
	}
	p := privOf(acc)
	switch k := kindOf(acc); k {
	case kRead:
		m.record(s, kRead, p, md)
		if mp.Writable && mp.Dirty {
			m.record(s, kWrite, p, md)
		}
	default:
		m.record(s, k, p, md)
		m.record(s, kRead, p, md)
	}
}

// record stores md in s's slot for kind k and privilege p, replacing what
// was there, and enters it in the fast path when allowed.
func (m *MMU) record(s *Space, k, p int, md meta) {
	slot := int(Slot(md.tag))
	old := &s.meta[k][p][slot]
	if !old.valid() {
		s.live++
		m.acquire(s, md.pt, md.pd)
	} else {
		if k == kFetch {
			// An evicted translation stops being kept coherent.
			m.changed()
		}
		if old.pt != md.pt || old.pd != md.pd {
			m.acquire(s, md.pt, md.pd)
			m.release(s, old.pt, old.pd)
		}
	}
	*old = md
	m.enter(s, k, p, slot)
}

// enter puts the slot's translation in the fast-path array if the Fill
// rules allow it, and takes it out otherwise.
func (m *MMU) enter(s *Space, k, p, slot int) {
	md := &s.meta[k][p][slot]
	e := &s.entries(k)[p][slot]
	phys := uint64(md.page) << 12
	idx, w, ok := m.Phys.RAMPage(phys)
	if ok && k == kWrite {
		ok = w && md.flags&(mDirty|mWritable) == mDirty|mWritable && m.Phys.Watched(phys) == 0
	}
	if ok && k != kFetch && len(m.watchLin) > 0 && m.watchLin[md.tag] > 0 {
		ok = false // a debugger watches data on this linear page
	}
	if !ok {
		e.Tag = invalidTag
		md.flags &^= mFast
		return
	}
	*e = Entry{Tag: md.tag, Addend: uint32(idx) - md.tag, Host: m.hostBase + uint64(idx) - uint64(md.tag)}
	md.flags |= mFast
	if k == kWrite {
		m.markWritable(uint64(idx) >> 12)
	}
	m.Stats.Fills++
}

// markWritable records that RAM page i may have fast-path write entries.
func (m *MMU) markWritable(i uint64) {
	if i >= uint64(len(m.writeMapped)) {
		n := max(uint64(len(m.Phys.RAM))>>12, i+1)
		m.writeMapped = append(m.writeMapped, make([]bool, n-uint64(len(m.writeMapped)))...)
	}
	m.writeMapped[i] = true
}

// invalidate drops the translation in one slot.
func (m *MMU) invalidate(s *Space, k, p, slot int) {
	md := &s.meta[k][p][slot]
	m.release(s, md.pt, md.pd)
	md.flags = 0
	m.changed()
	s.entries(k)[p][slot].Tag = invalidTag
	s.live--
	m.Stats.Dropped++
}

// flushKind drops every translation of kind k in every space.
func (m *MMU) flushKind(k int) {
	for _, s := range m.spaces {
		if !s.inUse {
			continue
		}
		for p := 0; p < 2; p++ {
			for i := range s.meta[k][p] {
				if s.meta[k][p][i].valid() {
					m.invalidate(s, k, p, i)
				}
			}
		}
	}
}

// flushAll drops every space and restarts the current one under the
// control state in force.
func (m *MMU) flushAll() {
	m.Stats.Flushes++
	if m.OnFlush != nil {
		m.OnFlush(FlushEvent{Kind: FlushAll, CR3: m.ctl.CR3})
	}
	m.changed()
	for _, s := range m.spaces {
		if s.inUse {
			m.dropSpace(s)
		}
	}
	m.activate(m.Cur)
	if m.ctl.Paging() {
		m.Stats.Spaces++
	}
}

// activate makes s an in-use space for the control state in force.
func (m *MMU) activate(s *Space) {
	s.inUse = true
	s.key = spaceKey(m.ctl)
	s.pdpte = m.ctl.PDPTE
	m.tick++
	s.lastUse = m.tick
	if !m.ctl.Paging() {
		return
	}
	a20 := m.Phys.A20Mask()
	if m.ctl.CR4&mmu.CR4PAE == 0 {
		s.ownPD[0] = uint32((uint64(s.key) & a20) >> 12)
	} else {
		for i, e := range s.pdpte {
			if e&1 != 0 {
				s.ownPD[i] = uint32((e & 0xFFFFFF000 & a20) >> 12)
			}
		}
	}
	for i, pg := range s.ownPD {
		if pg == noPage || slices.Contains(s.ownPD[:i], pg) {
			continue
		}
		if _, _, ok := m.Phys.RAMPage(uint64(pg) << 12); ok {
			m.addDep(s, pg, depPD)
		} else {
			s.ownPD[i] = noPage // never cached through (see install)
		}
	}
}

// dropSpace empties s and releases its dependencies.
func (m *MMU) dropSpace(s *Space) {
	m.changed()
	for pg := range s.deps {
		m.removeWatcher(s, pg)
	}
	clear(s.deps)
	s.reset()
	s.inUse = false
}

// switchTo makes the space keyed key (with PDPTEs pdpte) current: the
// current one, a cached one, or a recycled one.
func (m *MMU) switchTo(key uint32, pdpte [4]uint64) {
	m.tick++
	cur := m.Cur
	if cur.key == key {
		cur.lastUse = m.tick
		if cur.pdpte != pdpte {
			// Every translation depends on the PDPTE registers.
			m.dropSpace(cur)
			m.activate(cur)
		}
		return
	}
	// The current space changes: report it once Cur is set.
	defer m.changed()
	for _, s := range m.spaces {
		if s.inUse && s.key == key {
			m.Stats.Reused++
			m.Cur = s
			s.lastUse = m.tick
			if s.pdpte != pdpte {
				m.dropSpace(s)
				m.activate(s)
			}
			return
		}
	}
	s := m.recycle()
	m.activate(s)
	m.Stats.Spaces++
	if m.ctl.CR4&mmu.CR4PGE != 0 {
		m.copyGlobals(cur, s)
	}
	m.Cur = s
}

// recycle returns an empty space: a new one while fewer than max exist,
// else an unused one, else the least recently used (not current) one.
func (m *MMU) recycle() *Space {
	if len(m.spaces) < m.max {
		s := newSpace(len(m.spaces))
		m.spaces = append(m.spaces, s)
		return s
	}
	var lru *Space
	for _, s := range m.spaces {
		if s == m.Cur {
			continue
		}
		if !s.inUse {
			return s
		}
		if lru == nil || s.lastUse < lru.lastUse {
			lru = s
		}
	}
	if lru == nil { // max == 1: the current space is the only one
		lru = m.Cur
	}
	m.Stats.Evictions++
	m.dropSpace(lru)
	return lru
}

// copyGlobals carries the global translations of from into the empty
// space to, as a hardware TLB keeps global entries across CR3 loads.
func (m *MMU) copyGlobals(from, to *Space) {
	if from == to || !from.inUse {
		return
	}
	for k := 0; k < nKinds; k++ {
		for p := 0; p < 2; p++ {
			for i := range from.meta[k][p] {
				md := &from.meta[k][p][i]
				if md.flags&(mValid|mGlobal) != mValid|mGlobal {
					continue
				}
				to.meta[k][p][i] = *md
				to.entries(k)[p][i] = from.entries(k)[p][i]
				to.live++
				m.acquire(to, md.pt, md.pd)
				m.Stats.Globals++
			}
		}
	}
}

// ReadIndex is the fast-path lookup of a read of lin at privilege priv
// (0 supervisor, 1 user) in the current space: the RAM index of the
// byte, and whether the space had it. It inlines; on a miss call Fill.
func (m *MMU) ReadIndex(lin uint32, priv int) (uint32, bool) {
	e := &m.Cur.Read[priv&1][Slot(lin)]
	return e.Addend + lin, e.Tag == lin&^0xFFF
}

// WriteIndex is ReadIndex for a write.
func (m *MMU) WriteIndex(lin uint32, priv int) (uint32, bool) {
	e := &m.Cur.Write[priv&1][Slot(lin)]
	return e.Addend + lin, e.Tag == lin&^0xFFF
}

// FetchIndex is ReadIndex for an instruction fetch.
func (m *MMU) FetchIndex(lin uint32, priv int) (uint32, bool) {
	e := &m.Cur.Fetch[priv&1][Slot(lin)]
	return e.Addend + lin, e.Tag == lin&^0xFFF
}
