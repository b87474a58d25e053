package shadow_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bt86/mmu"
	"bt86/mmu/shadow"
)

// modes runs f for 32-bit and PAE paging.
func modes(t *testing.T, f func(t *testing.T, r *rig)) {
	for _, pae := range []bool{false, true} {
		name := "32bit"
		if pae {
			name = "PAE"
		}
		t.Run(name, func(t *testing.T) {
			r := newRig(t, true)
			r.pae = pae
			f(t, r)
		})
	}
}

func TestPagingOffIdentity(t *testing.T) {
	r := newRig(t, true)
	r.mustMap(0x12345, W|U, 0x12345, "paging off")
	idx, ok := r.hit(0x12345, W|U)
	require.True(t, ok, "RAM is entered for write with paging off")
	assert.Equal(t, uint32(0x12345), idx)
	r.p.SetA20(false)
	_, ok = r.hit(0x12345, 0)
	assert.False(t, ok, "an A20 change flushes")
	r.mustMap(0x112345, 0, 0x012345, "A20 off wraps at 1 MiB")
}

func TestFillAndDirty(t *testing.T) {
	modes(t, func(t *testing.T, r *rig) {
		root := r.newRoot()
		const lin = 0x00400123
		pte := r.setPTE(root, lin, 0x100000, RW|US)
		r.enable(root, 0, 0, 0)
		r.ram[0x100123] = 0xAB

		r.mustMap(lin, 0, 0x100123, "first read fills")
		walks := r.m.Stats.Walks
		idx, ok := r.hit(lin, 0)
		require.True(t, ok)
		assert.Equal(t, byte(0xAB), r.ram[idx], "RAM[Addend+lin]")
		assert.Equal(t, walks, r.m.Stats.Walks)
		_, ok = r.hit(lin, U)
		assert.False(t, ok, "a supervisor fill enters no user entry")
		_, ok = r.hit(lin, W)
		assert.False(t, ok, "no write entry while D is clear")
		assert.Equal(t, uint32(A), r.r32(pte)&(A|D))

		r.mustMap(lin, W, 0x100123, "first write walks")
		assert.Equal(t, uint32(A|D), r.r32(pte)&(A|D), "the write set D")
		_, ok = r.hit(lin+1, W)
		assert.True(t, ok, "now the write is entered")

		// A second page, dirty from the start: the read enters the write too.
		r.setPTE(root, lin+0x1000, 0x101000, RW|US|D)
		r.mustMap(lin+0x1000, U, 0x101123, "user read")
		_, ok = r.hit(lin+0x1000, U|W)
		assert.True(t, ok, "read of a dirty writable page enters the write")
	})
}

func TestFillRules(t *testing.T) {
	type rule struct {
		name            string
		phys            uint64
		flags           uint64
		acc             mmu.Access
		setup           func(r *rig)
		read, write, fx bool // which fast entries must exist afterwards
		fault           int  // wanted #PF code, or -1
	}
	const none = -1
	rules := []rule{
		{name: "RAM", phys: 0x100000, flags: RW | D, read: true, write: true, fault: none},
		{name: "RAM, fetch", phys: 0x100000, flags: RW | D, acc: F, read: true, fx: true, fault: none},
		{name: "RAM, not dirty", phys: 0x100000, flags: RW, read: true, fault: none},
		{name: "read-only", phys: 0x100000, flags: D | US, acc: U, read: true, fault: none},
		{name: "read-only, supervisor write, WP=0", phys: 0x100000, flags: D, acc: W, read: true, write: true, fault: none},
		{name: "ROM", phys: 0xF0000, flags: RW | D, acc: W, read: true, fault: none},
		{name: "VGA hole", phys: 0xA0000, flags: RW | D, acc: W, fault: none},
		{name: "beyond RAM", phys: 0x7000000, flags: RW | D, fault: none},
		{name: "watched code page", phys: 0x100000, flags: RW | D, acc: W,
			setup: func(r *rig) { r.p.Watch(0x100000, mmu.WatchCode) }, read: true, fault: none},
		{name: "supervisor page, user access", phys: 0x100000, flags: RW | D, acc: U, fault: 5},
		{name: "user write, read-only", phys: 0x100000, flags: US | D, acc: U | W, fault: 7},
	}
	for _, c := range rules {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, false)
			root := r.newRoot()
			const lin = 0x00800000
			r.setPTE(root, lin, c.phys, c.flags)
			r.enable(root, 0, 0, 0)
			if c.setup != nil {
				c.setup(r)
			}
			_, f := r.m.Fill(lin, c.acc)
			if c.fault != none {
				require.NotNil(t, f)
				assert.Equal(t, uint32(c.fault), f.Code)
			} else {
				require.Nil(t, f)
			}
			priv := c.acc & U
			_, read := r.hit(lin, priv)
			_, write := r.hit(lin, priv|W)
			_, fx := r.hit(lin, priv|F)
			assert.Equal(t, c.read, read, "read entry")
			assert.Equal(t, c.write, write, "write entry")
			assert.Equal(t, c.fx, fx, "fetch entry")
			_, uread := r.hit(lin, priv^U)
			assert.False(t, uread, "no entry for the other privilege")
		})
	}
}

func TestFillNX(t *testing.T) {
	r := newRig(t, true)
	r.pae = true
	root := r.newRoot()
	r.setPTE(root, 0x1000, 0x100000, RW|US|XD)
	r.setPTE(root, 0x2000, 0x101000, RW|US)
	r.enable(root, 0, 0, NXE)
	r.mustFault(0x1000, F|U, 0x15, "XD page")
	r.mustMap(0x1000, U, 0x100000, "XD page is readable")
	_, ok := r.hit(0x1000, F|U)
	assert.False(t, ok, "no fetch entry for an XD page")
	r.mustMap(0x2000, F|U, 0x101000, "fetch")
	_, ok = r.hit(0x2000, F|U)
	assert.True(t, ok)

	// Without NXE bit 63 is reserved; toggling NXE flushes.
	require.NoError(t, r.m.WriteControl(PG, PAE, 0))
	_, ok = r.hit(0x2000, F|U)
	assert.False(t, ok, "an EFER.NXE change flushes")
	r.mustFault(0x1000, U, 0xD, "XD is reserved without NXE")
}

func TestINVLPG(t *testing.T) {
	modes(t, func(t *testing.T, r *rig) {
		root := r.newRoot()
		r.setPTE(root, 0x5000, 0x100000, RW|D|G)
		r.setPTE(root, 0x6000, 0x101000, RW|D)
		r.enable(root, 0, PGE, 0)
		r.mustMap(0x5000, W, 0x100000, "global")
		r.mustMap(0x6000, W, 0x101000, "local")
		r.m.FlushPage(0x5FFF)
		_, ok := r.hit(0x5000, 0)
		assert.False(t, ok, "INVLPG drops a global page")
		_, ok = r.hit(0x5000, W)
		assert.False(t, ok)
		_, ok = r.hit(0x6000, 0)
		assert.True(t, ok, "INVLPG leaves other pages")
		assert.Equal(t, uint64(1), r.m.Stats.PageFlush)
	})
}

// TestCoherenceCurrentSpace documents what this MMU does when the guest
// changes a PTE of the current space without INVLPG: hardware may go on
// using the old translation; bt86 never does. The write to the watched
// table page drops the derived translations at once, so the very next
// access sees the new PTE (an x86 implementation is allowed to have no
// TLB at all, SDM §4.10.2.2). The same holds after CR3 loads.
func TestCoherenceCurrentSpace(t *testing.T) {
	modes(t, func(t *testing.T, r *rig) {
		a, b := r.newRoot(), r.newRoot()
		const lin = 0x00403000
		pte := r.setPTE(a, lin, 0x100000, RW|D)
		r.setPTE(b, 0x1000, 0x180000, RW)
		r.enable(a, 0, 0, 0)
		r.mustMap(lin, W, 0x100000, "before")
		require.NotZero(t, r.p.Watched(pte)&mmu.WatchPageTable, "the page table is watched")

		r.setPTE(a, lin, 0x102000, RW|D) // no INVLPG
		assert.Equal(t, uint64(1), r.m.Stats.WatchFault)
		_, ok := r.hit(lin, 0)
		assert.False(t, ok, "the derived entries went with the write")
		r.mustMap(lin, W, 0x102000, "fresh without INVLPG")

		require.NoError(t, r.m.SetCR3(b))
		r.mustMap(0x1000, 0, 0x180000, "in b")
		r.setPTE(a, lin, 0x104000, RW|D) // a's table, while b is current
		require.NoError(t, r.m.SetCR3(a))
		assert.Equal(t, uint64(1), r.m.Stats.Reused)
		r.mustMap(lin, W, 0x104000, "after switching back")
		require.NoError(t, r.m.SetCR3(a))
		assert.Equal(t, uint64(1), r.m.Stats.Reloads)
		r.mustMap(lin, W, 0x104000, "after reloading CR3")
		_ = pte
	})
}

func TestCR3SwitchReusesSpace(t *testing.T) {
	modes(t, func(t *testing.T, r *rig) {
		a, b := r.newRoot(), r.newRoot()
		r.setPTE(a, 0x1000, 0x100000, RW|D)
		r.setPTE(b, 0x1000, 0x101000, RW|D)
		r.enable(a, 0, 0, 0)
		r.mustMap(0x1000, W, 0x100000, "a")
		sa := r.m.Cur
		require.NoError(t, r.m.SetCR3(b|0x18)) // PWT/PCD do not change the space
		r.mustMap(0x1000, W, 0x101000, "b")
		walks := r.m.Stats.Walks
		require.NoError(t, r.m.SetCR3(a))
		assert.Same(t, sa, r.m.Cur)
		_, ok := r.hit(0x1000, W)
		assert.True(t, ok, "a's translations survived the switch")
		r.mustMap(0x1000, W, 0x100000, "a again")
		assert.Equal(t, walks, r.m.Stats.Walks, "no walk after the switch back")
		assert.Equal(t, uint64(1), r.m.Stats.Reused)
		assert.Equal(t, uint64(2), r.m.Stats.Spaces)
	})
}

func TestCoherenceCachedSpace(t *testing.T) {
	modes(t, func(t *testing.T, r *rig) {
		a, b := r.newRoot(), r.newRoot()
		const kern = 0x00C00000
		r.setPTE(a, 0x1000, 0x100000, RW|D)
		r.setPTE(a, 0x2000, 0x101000, RW|D)
		r.setPTE(a, kern, 0x110000, RW|D)
		r.share(b, a, kern) // a kernel page table shared by a and b
		r.setPTE(b, 0x1000, 0x120000, RW|D)
		r.enable(a, 0, 0, 0)
		r.mustMap(0x1000, W, 0x100000, "a user")
		r.mustMap(0x2000, 0, 0x101000, "a user 2")
		r.mustMap(kern, 0, 0x110000, "a kernel")
		require.NoError(t, r.m.SetCR3(b))
		r.mustMap(kern, 0, 0x110000, "b kernel")

		// b (the current space) changes a's private PTE and the shared
		// kernel PTE without INVLPG.
		r.setPTE(a, 0x1000, 0x130000, RW|D)
		r.setPTE(b, kern, 0x131000, RW|D)
		r.mustMap(kern, 0, 0x131000, "b sees its kernel write")
		require.NoError(t, r.m.SetCR3(a))
		assert.Equal(t, uint64(1), r.m.Stats.Reused)
		r.mustMap(0x1000, W, 0x130000, "a's changed PTE")
		r.mustMap(kern, 0, 0x131000, "the shared kernel PTE")
		_, ok := r.hit(0x2000, 0)
		assert.True(t, ok, "unrelated translations stay cached")
	})
}

func TestCoherencePDE(t *testing.T) {
	modes(t, func(t *testing.T, r *rig) {
		a, b := r.newRoot(), r.newRoot()
		r.setPTE(b, 0x1000, 0x180000, RW)
		for i := uint32(0); i < 3; i++ {
			r.setPTE(a, 0x00400000+i<<12, 0x100000+uint64(i)<<12, RW|D)
		}
		r.setPTE(a, 0x00805000, 0x110000, RW|D) // under another PDE, another slot
		r.enable(a, 0, 0, 0)
		for i := uint32(0); i < 3; i++ {
			r.mustMap(0x00400000+i<<12, W, 0x100000+uint64(i)<<12, "before")
		}
		r.mustMap(0x00805000, 0, 0x110000, "other PDE")
		require.NoError(t, r.m.SetCR3(b))
		// Point a's PDE at a new page table: every page under it changes.
		pt := r.alloc(4096)
		for i := uint64(0); i < 3; i++ {
			if r.pae {
				r.w64(pt+8*i, 0x140000+i<<12|P|RW)
			} else {
				r.w32(pt+4*i, uint32(0x140000+i<<12)|P|RW)
			}
		}
		if r.pae {
			r.w64(r.pdeAddr(a, 0x00400000), pt|P|RW|US)
		} else {
			r.w32(r.pdeAddr(a, 0x00400000), uint32(pt)|P|RW|US)
		}
		require.NoError(t, r.m.SetCR3(a))
		for i := uint32(0); i < 3; i++ {
			r.mustMap(0x00400000+i<<12, 0, 0x140000+uint64(i)<<12, "after the PDE write")
		}
		_, ok := r.hit(0x00805000, 0)
		assert.True(t, ok, "the other PDE's page stays cached")
	})
}

func TestWalkerADWritesKeepOtherSpaces(t *testing.T) {
	modes(t, func(t *testing.T, r *rig) {
		a, b := r.newRoot(), r.newRoot()
		const kern = 0x00C00000
		r.setPTE(a, kern, 0x110000, RW)
		r.setPTE(a, kern+0x1000, 0x111000, RW)
		r.share(b, a, kern)
		r.enable(a, 0, 0, 0)
		r.mustMap(kern, 0, 0x110000, "a")
		require.NoError(t, r.m.SetCR3(b))
		dropped := r.m.Stats.Dropped
		r.mustMap(kern+0x1000, W, 0x111000, "b sets A and D in the shared table")
		r.mustMap(kern, W, 0x110000, "b sets D on a's PTE")
		assert.Equal(t, dropped, r.m.Stats.Dropped, "A/D updates by the walker drop nothing")
		assert.Zero(t, r.m.Stats.WatchFault)
		require.NoError(t, r.m.SetCR3(a))
		_, ok := r.hit(kern, 0)
		assert.True(t, ok, "a's read entry survived b's A/D updates")
	})
}

func TestGuestClearsDirty(t *testing.T) {
	modes(t, func(t *testing.T, r *rig) {
		root := r.newRoot()
		pte := r.setPTE(root, 0x1000, 0x100000, RW)
		r.enable(root, 0, 0, 0)
		r.mustMap(0x1000, W, 0x100000, "write")
		_, ok := r.hit(0x1000, W)
		require.True(t, ok)
		r.setPTE(root, 0x1000, 0x100000, RW) // clear A and D
		_, ok = r.hit(0x1000, W)
		assert.False(t, ok, "clearing D drops the write entry")
		r.mustMap(0x1000, W, 0x100000, "write again")
		assert.Equal(t, uint32(A|D), r.r32(pte)&(A|D), "D is set again")
	})
}

func TestGlobalPages(t *testing.T) {
	for _, pge := range []bool{false, true} {
		name := "noPGE"
		var cr4 uint32
		if pge {
			name, cr4 = "PGE", PGE
		}
		t.Run(name, func(t *testing.T) {
			modes(t, func(t *testing.T, r *rig) {
				a, b := r.newRoot(), r.newRoot()
				const kern = 0x00C00000
				r.setPTE(a, kern, 0x110000, RW|D|G)
				r.setPTE(a, 0x1000, 0x100000, RW|D)
				r.setPTE(b, 0x2000, 0x101000, RW|D) // b does not map kern
				r.enable(a, 0, cr4, 0)
				r.mustMap(kern, W, 0x110000, "a kernel")
				r.mustMap(0x1000, W, 0x100000, "a user")
				require.NoError(t, r.m.SetCR3(b))
				_, local := r.hit(0x1000, 0)
				assert.False(t, local, "a CR3 load drops non-global pages")
				if !pge {
					r.mustFault(kern, 0, 0, "G is ignored without CR4.PGE")
					return
				}
				_, ok := r.hit(kern, W)
				assert.True(t, ok, "a global page survives the CR3 load")
				r.mustMap(kern, 0, 0x110000, "global in b")
				assert.NotZero(t, r.m.Stats.Globals)

				// Toggling CR4.PGE flushes global pages.
				require.NoError(t, r.m.WriteControl(PG, r.m.Control().CR4&^PGE, 0))
				require.NoError(t, r.m.WriteControl(PG, r.m.Control().CR4|PGE, 0))
				r.mustFault(kern, 0, 0, "after the PGE toggle b's own tables rule")
			})
		})
	}
}

func TestControlFlushes(t *testing.T) {
	modes(t, func(t *testing.T, r *rig) {
		root := r.newRoot()
		r.setPTE(root, 0x1000, 0x100000, D) // read-only, dirty
		r.enable(root, 0, 0, 0)
		r.mustMap(0x1000, W, 0x100000, "WP=0: supervisor writes a read-only page")
		_, ok := r.hit(0x1000, W)
		require.True(t, ok)
		cr4 := r.m.Control().CR4
		require.NoError(t, r.m.WriteControl(PG|WP, cr4, 0))
		_, ok = r.hit(0x1000, W)
		assert.False(t, ok, "setting WP drops write entries")
		_, ok = r.hit(0x1000, 0)
		assert.True(t, ok, "and keeps read entries")
		r.mustFault(0x1000, W, 3, "WP=1")

		require.NoError(t, r.m.WriteControl(PG|WP|1<<3, cr4, 0))
		_, ok = r.hit(0x1000, 0)
		assert.True(t, ok, "CR0.TS does not flush")

		require.NoError(t, r.m.WriteControl(mmu.CR0PE, cr4, 0))
		_, ok = r.hit(0x1000, 0)
		assert.False(t, ok, "clearing PG flushes")
		r.mustMap(0x1000, W, 0x1000, "identity with paging off")
		require.NoError(t, r.m.WriteControl(PG, cr4, 0))
		_, ok = r.hit(0x1000, 0)
		assert.False(t, ok, "setting PG flushes")
		r.mustMap(0x1000, 0, 0x100000, "paging again")
		if !r.pae {
			require.NoError(t, r.m.WriteControl(PG, cr4|PSE, 0))
			_, ok = r.hit(0x1000, 0)
			assert.False(t, ok, "a PSE change flushes")
		}
	})
}

func TestLRU(t *testing.T) {
	r := newRig(t, true)
	r.m = shadow.NewWithSpaces(r.p, 2)
	roots := []uint32{r.newRoot(), r.newRoot(), r.newRoot()}
	for i, root := range roots {
		r.setPTE(root, 0x1000, 0x100000+uint64(i)<<12, RW)
	}
	r.enable(roots[0], 0, 0, 0)
	for i, root := range roots {
		require.NoError(t, r.m.SetCR3(root))
		r.mustMap(0x1000, 0, 0x100000+uint64(i)<<12, "first round")
	}
	assert.Equal(t, uint64(1), r.m.Stats.Evictions, "three spaces in two slots")
	require.NoError(t, r.m.SetCR3(roots[2]))
	require.NoError(t, r.m.SetCR3(roots[1]))
	assert.Equal(t, uint64(1), r.m.Stats.Reused, "roots[1] is still cached")
	require.NoError(t, r.m.SetCR3(roots[0]))
	assert.Equal(t, uint64(1), r.m.Stats.Reused, "roots[0] was evicted")
	assert.Equal(t, uint64(2), r.m.Stats.Evictions)
	r.mustMap(0x1000, 0, 0x100000, "roots[0] again")
}

func TestLazyUnwatch(t *testing.T) {
	r := newRig(t, true)
	root := r.newRoot()
	pte := r.setPTE(root, 0x1000, 0x100000, RW)
	r.enable(root, 0, 0, 0)
	r.mustMap(0x1000, 0, 0x100000, "fill")
	require.NotZero(t, r.p.Watched(pte)&mmu.WatchPageTable)
	r.m.FlushPage(0x1000)
	assert.NotZero(t, r.p.Watched(pte)&mmu.WatchPageTable, "still watched: unwatching is lazy")
	r.w32(pte+4, 0) // a write with no dependents left
	assert.Zero(t, r.p.Watched(pte)&mmu.WatchPageTable, "unwatched on the first write")
	assert.Equal(t, uint64(1), r.m.Stats.Unwatches)
	r.mustMap(0x1000, 0, 0x100000, "refill")
	assert.NotZero(t, r.p.Watched(pte)&mmu.WatchPageTable, "watched again")
}

func TestPageTableBecomesWatched(t *testing.T) {
	// A data page the guest wrote through the fast path becomes a page
	// table: its write entries must go, or the next PTE write would miss
	// the hook.
	r := newRig(t, true)
	root := r.newRoot()
	const ptPage = 0x300000
	r.setPTE(root, 0x5000, ptPage, RW|D) // the page, mapped as data
	r.enable(root, 0, 0, 0)
	r.mustMap(0x5000, W, ptPage, "data")
	_, ok := r.hit(0x5000, W)
	require.True(t, ok)
	// Now it becomes the page table for 0x00400000-0x007FFFFF.
	r.w32(ptPage, 0x110000|P|RW)
	r.w32(r.pdeAddr(root, 0x00400000), ptPage|P|RW)
	r.mustMap(0x00400000, 0, 0x110000, "through the new table")
	_, ok = r.hit(0x5000, W)
	assert.False(t, ok, "no write entry for a page table")
	mp, f := r.m.Fill(0x5000, W)
	require.Nil(t, f)
	assert.Equal(t, uint64(ptPage), mp.Phys, "the slow path still translates without a walk")
	r.p.Write(mp.Phys, 4, 0x120000|P|RW)
	r.mustMap(0x00400000, 0, 0x120000, "PTE written through the linear mapping")
}

func TestPDPTEs(t *testing.T) {
	r := newRig(t, true)
	r.pae = true
	a, b := r.newRoot(), r.newRoot()
	r.setPTE(a, 0x1000, 0x100000, RW)
	r.setPTE(b, 0x1000, 0x101000, RW)
	r.enable(a, 0, 0, 0)
	r.mustMap(0x1000, 0, 0x100000, "a")

	bad := r.newRoot()
	r.w64(uint64(bad), r.r64(uint64(bad))|RW)
	before := r.m.Control()
	var pe *mmu.PDPTEError
	require.ErrorAs(t, r.m.SetCR3(bad), &pe, "reserved bit in a PDPTE: #GP")
	assert.Equal(t, before, r.m.Control(), "a failed load changes nothing")
	r.mustMap(0x1000, 0, 0x100000, "still a")

	// The PDPTEs are registers: rewriting a's PDPT does nothing until
	// CR3 is loaded again.
	require.NoError(t, r.m.SetCR3(b))
	r.mustMap(0x1000, 0, 0x101000, "b")
	require.NoError(t, r.m.SetCR3(a))
	r.mustMap(0x1000, 0, 0x100000, "a cached")
	r.w64(uint64(a), r.r64(uint64(b))) // a's PDPTE 0 := b's
	r.mustMap(0x1000, 0, 0x100000, "old PDPTE register still in use")
	require.NoError(t, r.m.SetCR3(a))
	r.mustMap(0x1000, 0, 0x101000, "reloaded PDPTEs")

	// Turning PAE paging on loads them too, and can fail.
	require.NoError(t, r.m.WriteControl(mmu.CR0PE, PAE, 0))
	require.NoError(t, r.m.SetCR3(bad))
	before = r.m.Control()
	require.ErrorAs(t, r.m.WriteControl(PG, PAE, 0), &pe)
	assert.Equal(t, before, r.m.Control())
}

func TestSetControlVerbatim(t *testing.T) {
	r := newRig(t, true)
	root := r.newRoot()
	r.setPTE(root, 0x1000, 0x100000, RW)
	r.m.SetControl(mmu.Control{CR0: PG, CR3: root})
	r.mustMap(0x1000, 0, 0x100000, "SetControl enables paging")
	assert.Equal(t, root, r.m.Cur.CR3())
	assert.Equal(t, 1, r.m.Cur.Len(), "a read of a clean page caches the read only")
}

func TestNoAllocs(t *testing.T) {
	r := newRig(t, true)
	root := r.newRoot()
	r.setPTE(root, 0x1000, 0x100000, RW|D)
	r.enable(root, 0, 0, 0)
	r.mustMap(0x1000, 0, 0x100000, "fill")
	var sink uint32
	allocs := testing.AllocsPerRun(100, func() {
		idx, _ := r.hit(0x1234, 0)
		sink += idx
		_, _ = r.m.Fill(0x1234, W) // answered from the space, no walk
	})
	assert.Zero(t, allocs)
	_ = sink
}

func TestTranslateAndIndexHelpers(t *testing.T) {
	r := newRig(t, true)
	root := r.newRoot()
	pte := r.setPTE(root, 0x1000, 0x100000, RW|US)
	r.enable(root, 0, 0, 0)
	mp, f := r.m.Translate(0x1234, W|U)
	require.Nil(t, f)
	assert.Equal(t, uint64(0x100234), mp.Phys)
	assert.Equal(t, uint32(A|D), r.r32(pte)&(A|D), "Translate sets A/D")
	assert.Zero(t, r.m.Cur.Len(), "Translate caches nothing")

	_, ok := r.m.ReadIndex(0x1234, 1)
	assert.False(t, ok)
	r.mustMap(0x1234, W|U, 0x100234, "fill")
	r.mustMap(0x1234, F|U, 0x100234, "fill fetch")
	for _, h := range []func(uint32, int) (uint32, bool){r.m.ReadIndex, r.m.WriteIndex, r.m.FetchIndex} {
		i, ok := h(0x1234, 1)
		assert.True(t, ok)
		assert.Equal(t, uint32(0x100234), i)
		_, ok = h(0x1234, 0)
		assert.False(t, ok, "supervisor entries are separate")
		_, ok = h(0x101234, 1)
		assert.False(t, ok, "same slot, other tag")
	}
	accesses := r.m.Stats.Misses + 100
	assert.Equal(t, uint64(100), r.m.Stats.Hits(accesses))
	assert.InDelta(t, 100/float64(accesses), r.m.Stats.HitRate(accesses), 1e-9)
	assert.Zero(t, r.m.Stats.Hits(0))
	assert.Zero(t, r.m.Stats.HitRate(0))
	assert.Contains(t, r.m.Stats.String(), "walks=")
}

func TestWideTableWrite(t *testing.T) {
	modes(t, func(t *testing.T, r *rig) {
		a, b := r.newRoot(), r.newRoot()
		pte := r.setPTE(a, 0x1000, 0x100000, RW)
		r.setPTE(a, 0x2000, 0x101000, RW)
		r.setPTE(a, 0x00400000, 0x102000, RW)
		r.setPTE(b, 0x00400000, 0x103000, RW)
		r.enable(a, 0, 0, 0)
		r.mustMap(0x1000, 0, 0x100000, "a")
		r.mustMap(0x2000, 0, 0x101000, "a")
		r.mustMap(0x00403000-0x3000, 0, 0x102000, "a, other table")
		require.NoError(t, r.m.SetCR3(b))
		// The guest clears a's first page table (say, a loader or DMA).
		require.NoError(t, r.p.WriteBytes(pte&^0xFFF, make([]byte, 4096)))
		require.NoError(t, r.m.SetCR3(a))
		r.mustFault(0x1000, 0, 0, "cleared")
		r.mustFault(0x2000, 0, 0, "cleared")
		_, ok := r.hit(0x00400000, 0)
		assert.True(t, ok, "the other table's page survives")
	})
}

func TestDMANotify(t *testing.T) {
	r := newRig(t, true)
	a, b := r.newRoot(), r.newRoot()
	pte := r.setPTE(a, 0x1000, 0x100000, RW)
	r.enable(a, 0, 0, 0)
	r.mustMap(0x1000, 0, 0x100000, "a")
	require.NoError(t, r.m.SetCR3(b))
	// A device writes the PTE straight into RAM and says so.
	r.p.NotifyWrite(pte, 4)
	r.ram[pte+1] = 0x20 // 0x100000 -> 0x102000
	require.NoError(t, r.m.SetCR3(a))
	r.mustMap(0x1000, 0, 0x102000, "the DMA'd PTE")
}

// TestOnChange checks that the hook runs after every change a cache of
// fetch translations or of pointers into Cur must see: space switches
// (with Cur already set), flushes, INVLPG, coherence and evictions.
func TestOnChange(t *testing.T) {
	modes(t, func(t *testing.T, r *rig) {
		a, b := r.newRoot(), r.newRoot()
		r.setPTE(a, 0x1000, 0x100000, RW|D)
		conflict := uint32(0x1000 + 8*shadow.Entries<<12) // same slot as 0x1000
		require.Equal(t, shadow.Slot(0x1000), shadow.Slot(conflict))
		r.setPTE(a, conflict, 0x102000, RW|D)
		r.setPTE(b, 0x1000, 0x101000, RW|D)
		r.enable(a, 0, 0, 0)
		calls := 0
		var cur *shadow.Space
		r.m.OnChange = func() { calls++; cur = r.m.Cur }
		expect := func(msg string, f func()) {
			t.Helper()
			n := calls
			f()
			assert.Greater(t, calls, n, msg)
			assert.Same(t, r.m.Cur, cur, msg+": Cur was set before the hook ran")
		}
		r.mustMap(0x1000, mmu.AccFetch, 0x100000, "fetch")
		expect("switch to a new space", func() { require.NoError(t, r.m.SetCR3(b)) })
		expect("switch back", func() { require.NoError(t, r.m.SetCR3(a)) })
		expect("INVLPG", func() { r.m.FlushPage(0x1000) })
		r.mustMap(0x1000, mmu.AccFetch, 0x100000, "fetch again")
		expect("coherence", func() { r.setPTE(a, 0x1000, 0x103000, RW|D) })
		r.mustMap(0x1000, mmu.AccFetch, 0x103000, "fetch after the PTE write")
		expect("eviction", func() { r.mustMap(conflict, mmu.AccFetch, 0x102000, "conflicting fetch") })
		expect("flush", func() { r.m.Flush() })
	})
}

// TestSlot: the pages of one 4 MiB region fill distinct slots.
func TestSlot(t *testing.T) {
	for _, base := range []uint32{0, 0x00400000, 0xC1000000, 0xFFC00000} {
		seen := map[uint32]bool{}
		for p := range uint32(shadow.Entries) {
			seen[shadow.Slot(base+p<<12)] = true
		}
		assert.Len(t, seen, shadow.Entries, "region %#x", base)
	}
}

// TestFlushWritesTo checks that watching a page drops the write entries
// to it in every space, also after the page was written through, watched
// and written through again (the per-page flag that lets FlushWritesTo
// skip pages never mapped for writing is set again by the new entry).
func TestFlushWritesTo(t *testing.T) {
	r := newRig(t, true)
	root := r.newRoot()
	r.setPTE(root, 0x1000, 0x100000, RW|US|D)
	r.setPTE(root, 0x2000, 0x101000, RW|US|D)
	r.enable(root, 0, 0, 0)
	for round := range 2 {
		r.mustMap(0x1000, W|U, 0x100000, "fill")
		r.mustMap(0x2000, W|U, 0x101000, "fill")
		_, ok := r.m.WriteIndex(0x1000, 1)
		require.True(t, ok, "round %d", round)
		r.m.FlushWritesTo(0x100)
		_, ok = r.m.WriteIndex(0x1000, 1)
		require.False(t, ok, "round %d: the write entry is dropped", round)
		_, ok = r.m.ReadIndex(0x1000, 1)
		require.True(t, ok, "reads stay")
		_, ok = r.m.WriteIndex(0x2000, 1)
		require.True(t, ok, "another page's write entry stays")
		r.m.FlushWritesTo(0x100) // nothing left: no change
		_, ok = r.m.WriteIndex(0x2000, 1)
		require.True(t, ok)
	}
}
