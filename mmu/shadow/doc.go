// Package shadow keeps the composed guest-linear to host mappings (a
// software TLB, "shadow page tables") that every guest memory access
// consults first.
//
// # Fast path
//
// A Space holds, per access kind (Read, Write, Fetch) and privilege
// ([0] supervisor, [1] user), a direct-mapped array of Entries Entry
// values. The fast path, written inline by the CPU and later by translated
// code, is a tag compare plus an addend:
//
//	e := &m.Cur.Read[priv][Slot(lin)]
//	if e.Tag == lin&^0xFFF { b = RAM[e.Addend+lin] } else { mp, f := m.Fill(lin, acc) ... }
//
// (uint32 arithmetic; ReadIndex, WriteIndex and FetchIndex are the same,
// small enough to inline). An entry exists only for a page wholly inside
// the RAM slice, so the index is always in bounds. A write entry exists
// only for ordinary RAM that is not watched (page tables, code) and whose
// final paging entry is already dirty, so the first write walks and sets
// D; a user entry only if a user access passed the walk; a fetch entry
// only if the fetch passed XD. Everything else takes the slow path: Fill,
// which answers from the space's cached translations when it can (devices,
// ROM writes, watched pages: no walk) and walks otherwise.
//
// # Address spaces
//
// The MMU keeps up to DefaultSpaces spaces keyed by CR3 (the page
// directory address, or with PAE the PDPT address), least recently used
// first out. SetCR3 implements MOV to CR3: it loads the PDPTEs under PAE
// (#GP on reserved bits, as a returned error) and switches to the cached
// space for the new CR3, or recycles one; a new space inherits the global
// translations of the previous one when CR4.PGE is set, as a hardware TLB
// keeps global entries across CR3 loads. WriteControl implements writes
// to CR0, CR4 and EFER (PDPTE reload when PAE paging is entered or
// reconfigured); any change of paging on/off, CR4.PSE, PAE, PGE or
// EFER.NXE drops everything, a CR0.WP change drops the write
// translations, other bits (TS, MP, ...) drop nothing. FlushPage is
// INVLPG (in every space, global pages included). SetControl installs a
// Control verbatim, for reset and state restore.
//
// # Coherence
//
// Every translation remembers the page directory and page table it was
// derived from. Those pages are watched (mmu.WatchPageTable), and a
// guest write to one drops, in every space, exactly the translations that
// used the entries written (the PTE's slot, or everything under the PDE).
// The result is stronger than hardware requires: cached spaces are never
// stale, and neither is the current one, so a PTE change is visible at
// the next access even without INVLPG (the SDM lets an implementation
// have no TLB at all, and software must not rely on stale entries). The
// only translations that can disagree with the current tables are global
// ones carried across a CR3 load, exactly as on hardware; INVLPG and CR4
// writes remove them. The walker's own A/D updates are not treated as
// guest writes (setting A or D never invalidates a translation). PAE
// PDPTEs are registers: a space is reused only if the reloaded PDPTEs
// match the ones it was built with.
//
// Pages stop being watched lazily: when no cached translation depends on
// a page any longer, its watch bit is removed at the next guest write to
// it, so pages that remain page tables are not unwatched and rewatched
// as translations come and go. Pages entering the watched set lose their
// fast-path write entries in every space (FlushWritesTo, which the owner
// of WatchCode must call too after watching a code page).
//
// # Change hook
//
// OnChange, when set, runs after the current space changed and whenever a
// fetch translation may have been dropped or replaced (flushes, space
// switches, INVLPG, coherence, evictions). The CPU keeps pointers into
// Cur's arrays and links between its predecoded traces, and revalidates
// them when it runs.
//
// # Counters
//
// Stats counts the slow path (misses, walks, fills, cached answers),
// flushes, coherence work and space reuse. Fast-path hits cannot be
// counted without slowing the inline path; Counters.Hits derives them
// from the number of translated accesses the CPU reports.
package shadow
