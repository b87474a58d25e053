package mmu_test

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bt86/bus"
	"bt86/mmu"
)

// Entry bits for building tables.
const (
	P   = 1 << 0
	RW  = 1 << 1
	US  = 1 << 2
	A   = 1 << 5
	D   = 1 << 6
	PS  = 1 << 7
	G   = 1 << 8
	XD  = uint64(1) << 63
	PG  = mmu.CR0PG | mmu.CR0PE
	WP  = mmu.CR0WP
	PSE = mmu.CR4PSE
	PAE = mmu.CR4PAE
	PGE = mmu.CR4PGE
	NXE = mmu.EFERNXE

	pdBase   = 0x1000 // page directory (32-bit) or PDPT (PAE)
	paePD    = 0x2000 // PAE page directory, PDPTE[0]
	ptBase   = 0x3000 // page table
	dataPage = 0x7000
)

type ram struct {
	b []byte
	p *mmu.Phys
}

func newRAM(size int) *ram {
	b := make([]byte, size)
	return &ram{b: b, p: mmu.NewFlat(b, bus.New())}
}

func (r *ram) put32(addr uint64, v uint32) { binary.LittleEndian.PutUint32(r.b[addr:], v) }
func (r *ram) put64(addr uint64, v uint64) { binary.LittleEndian.PutUint64(r.b[addr:], v) }
func (r *ram) get32(addr uint64) uint32    { return binary.LittleEndian.Uint32(r.b[addr:]) }
func (r *ram) get64(addr uint64) uint64    { return binary.LittleEndian.Uint64(r.b[addr:]) }

// walkCase describes one translation through a PDE (and a PTE, unless the
// PDE maps a large page).
type walkCase struct {
	name     string
	pde, pte uint64
	cr0, cr4 uint32 // added to PG (and PAE for PAE cases)
	efer     uint64
	lin      uint32
	acc      mmu.Access
	phys     uint64 // wanted physical address
	code     int    // wanted #PF error code, or -1 for success
	pdeSet   uint64 // bits the walk must set in the PDE
	pteSet   uint64 // ... in the PTE
	global   bool
	nx       bool
	writable bool
	size     uint64
}

const ok = -1

func run32(t *testing.T, c walkCase) {
	r := newRAM(64 << 10)
	pdeAddr := uint64(pdBase + (c.lin>>22)*4)
	pteAddr := uint64(ptBase + (c.lin>>12&0x3FF)*4)
	r.put32(pdeAddr, uint32(c.pde))
	r.put32(pteAddr, uint32(c.pte))
	ctl := mmu.Control{CR0: PG | c.cr0, CR3: pdBase, CR4: c.cr4, EFER: c.efer}
	check(t, r, ctl, c, func() (uint64, uint64) { return uint64(r.get32(pdeAddr)), uint64(r.get32(pteAddr)) })
}

func runPAE(t *testing.T, c walkCase) {
	r := newRAM(64 << 10)
	pdpte := [4]uint64{}
	pdpte[c.lin>>30] = paePD | P
	for i, v := range pdpte {
		r.put64(uint64(pdBase+8*i), v)
	}
	pdeAddr := uint64(paePD + (c.lin>>21&0x1FF)*8)
	pteAddr := uint64(ptBase + (c.lin>>12&0x1FF)*8)
	r.put64(pdeAddr, c.pde)
	r.put64(pteAddr, c.pte)
	loaded, err := mmu.LoadPDPTEs(r.p, pdBase)
	require.NoError(t, err)
	ctl := mmu.Control{CR0: PG | c.cr0, CR3: pdBase, CR4: PAE | c.cr4, EFER: c.efer, PDPTE: loaded}
	check(t, r, ctl, c, func() (uint64, uint64) { return r.get64(pdeAddr), r.get64(pteAddr) })
}

func check(t *testing.T, r *ram, ctl mmu.Control, c walkCase, entries func() (uint64, uint64)) {
	t.Helper()
	mp, f := mmu.Walk(r.p, ctl, c.lin, c.acc)
	pde, pte := entries()
	if c.code != ok {
		require.NotNil(t, f, "want #PF %#x", c.code)
		assert.Equal(t, uint32(c.code), f.Code, "error code")
		assert.Equal(t, c.lin, f.Addr, "CR2")
		assert.Equal(t, c.pde, pde, "a faulting walk writes no A/D bit (PDE)")
		assert.Equal(t, c.pte, pte, "a faulting walk writes no A/D bit (PTE)")
		return
	}
	require.Nil(t, f, "unexpected %v", f)
	assert.Equal(t, c.phys, mp.Phys, "physical address %#x", mp.Phys)
	assert.Equal(t, c.pde|c.pdeSet, pde, "PDE after walk")
	assert.Equal(t, c.pte|c.pteSet, pte, "PTE after walk")
	assert.Equal(t, c.global, mp.Global, "global")
	assert.Equal(t, c.nx, mp.NX, "NX")
	assert.Equal(t, c.writable, mp.Writable, "writable")
	if c.size != 0 {
		assert.Equal(t, c.size, mp.Size, "size")
	}
}

const (
	W = mmu.AccWrite
	U = mmu.AccUser
	F = mmu.AccFetch
)

func TestWalk32(t *testing.T) {
	tab := uint64(ptBase | P | RW | US)
	data := uint64(dataPage | P | RW | US)
	cases := []walkCase{
		{name: "4K read", pde: tab, pte: data, lin: 0x5123, phys: 0x7123, code: ok, pdeSet: A, pteSet: A, writable: true, size: 4096},
		{name: "4K user write sets D on the PTE only", pde: tab, pte: data, lin: 0x5123, acc: W | U, phys: 0x7123, code: ok, pdeSet: A, pteSet: A | D, writable: true},
		{name: "4K A/D already set: no write", pde: tab | A, pte: data | A | D, lin: 0x5123, acc: W, phys: 0x7123, code: ok, writable: true},
		{name: "high PDE index", pde: tab, pte: data, lin: 0xC0005FFF, phys: 0x7FFF, code: ok, pdeSet: A, pteSet: A, writable: true},
		{name: "PDE not present", pde: tab &^ P, pte: data, lin: 0x5123, code: 0},
		{name: "PDE not present, user write", pde: 0, pte: data, lin: 0x5123, acc: U | W, code: 6},
		{name: "PTE not present", pde: tab, pte: data &^ P, lin: 0x5123, acc: W, code: 2},
		{name: "user read of supervisor PDE", pde: tab &^ US, pte: data, lin: 0x5123, acc: U, code: 5},
		{name: "user read of supervisor PTE", pde: tab, pte: data &^ US, lin: 0x5123, acc: U, code: 5},
		{name: "user write of read-only PTE", pde: tab, pte: data &^ RW, lin: 0x5123, acc: U | W, code: 7},
		{name: "user write of read-only PDE", pde: tab &^ RW, pte: data, lin: 0x5123, acc: U | W, code: 7},
		{name: "user read of read-only page", pde: tab, pte: data &^ RW, lin: 0x5123, acc: U, phys: 0x7123, code: ok, pdeSet: A, pteSet: A},
		{name: "supervisor write of read-only page, WP=0", pde: tab &^ RW, pte: data &^ RW, lin: 0x5123, acc: W, phys: 0x7123, code: ok, pdeSet: A, pteSet: A | D, writable: true},
		{name: "supervisor write of read-only page, WP=1", pde: tab, pte: data &^ RW, cr0: WP, lin: 0x5123, acc: W, code: 3},
		{name: "supervisor read of read-only page, WP=1", pde: tab, pte: data &^ RW, cr0: WP, lin: 0x5123, phys: 0x7123, code: ok, pdeSet: A, pteSet: A},
		{name: "supervisor reads user page", pde: tab, pte: data, lin: 0x5123, phys: 0x7123, code: ok, pdeSet: A, pteSet: A, writable: true},
		{name: "fetch: no I/D bit without PAE", pde: tab, pte: data &^ P, lin: 0x5123, acc: F, code: 0},
		{name: "fetch ok, bit 63 meaningless", pde: tab, pte: data, lin: 0x5123, acc: F | U, phys: 0x7123, code: ok, pdeSet: A, pteSet: A, writable: true},
		{name: "global needs PGE", pde: tab, pte: data | G, lin: 0x5123, phys: 0x7123, code: ok, pdeSet: A, pteSet: A, writable: true},
		{name: "global with PGE", pde: tab, pte: data | G, cr4: PGE, lin: 0x5123, phys: 0x7123, code: ok, pdeSet: A, pteSet: A, writable: true, global: true},
		{name: "G in a PDE pointing to a table is ignored", pde: tab | G, pte: data, cr4: PGE, lin: 0x5123, phys: 0x7123, code: ok, pdeSet: A, pteSet: A, writable: true},
		{name: "PAT bit in a 4K PTE is not reserved", pde: tab, pte: data | PS, lin: 0x5123, phys: 0x7123, code: ok, pdeSet: A, pteSet: A, writable: true},
		{name: "4M page", pde: 0x00800000 | P | RW | PS, cr4: PSE, lin: 0x00123456, phys: 0x00923456, code: ok, pdeSet: A, writable: true, size: 4 << 20},
		{name: "4M page write sets D", pde: 0x00800000 | P | RW | PS, cr4: PSE, lin: 0x00123456, acc: W, phys: 0x00923456, code: ok, pdeSet: A | D, writable: true},
		{name: "4M global", pde: 0x00800000 | P | PS | G, cr4: PSE | PGE, lin: 0x00123456, phys: 0x00923456, code: ok, pdeSet: A, writable: true, global: true},
		{name: "4M user write read-only", pde: 0x00800000 | P | US | PS, cr4: PSE, lin: 0x00123456, acc: U | W, code: 7},
		{name: "4M supervisor page from user", pde: 0x00800000 | P | RW | PS, cr4: PSE, lin: 0x00123456, acc: U, code: 5},
		{name: "PS ignored without CR4.PSE", pde: tab | PS, pte: data, lin: 0x5123, phys: 0x7123, code: ok, pdeSet: A, pteSet: A, writable: true, size: 4096},
		{name: "PSE-36 high bits", pde: 0x00400000 | 0x3<<13 | P | PS, cr4: PSE, lin: 0x00012345, phys: 0x3_00412345, code: ok, pdeSet: A, writable: true},
		{name: "4M PAT bit 12 is not reserved", pde: 0x00400000 | 1<<12 | P | PS, cr4: PSE, lin: 0x00012345, phys: 0x00412345, code: ok, pdeSet: A, writable: true},
		{name: "4M reserved bit 21", pde: 0x00400000 | 1<<21 | P | PS, cr4: PSE, lin: 0x00012345, code: 9},
		{name: "4M reserved bit 17, user write", pde: 0x00400000 | 1<<17 | P | PS | US | RW, cr4: PSE, lin: 0x00012345, acc: U | W, code: 0xF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { run32(t, c) })
	}
}

func TestWalkPAE(t *testing.T) {
	tab := uint64(ptBase | P | RW | US)
	data := uint64(dataPage | P | RW | US)
	big := uint64(0x00200000 | P | RW | US | PS)
	cases := []walkCase{
		{name: "4K read", pde: tab, pte: data, lin: 0x5123, phys: 0x7123, code: ok, pdeSet: A, pteSet: A, writable: true, size: 4096},
		{name: "4K write", pde: tab, pte: data, lin: 0x5123, acc: W | U, phys: 0x7123, code: ok, pdeSet: A, pteSet: A | D, writable: true},
		{name: "PDPTE 3", pde: tab, pte: data, lin: 0xC0005123, phys: 0x7123, code: ok, pdeSet: A, pteSet: A, writable: true},
		{name: "36-bit physical address", pde: tab, pte: data | 0xF_00000000, lin: 0x5123, phys: 0xF_00007123, code: ok, pdeSet: A, pteSet: A, writable: true},
		{name: "PDE not present", pde: 0, pte: data, lin: 0x5123, acc: W, code: 2},
		{name: "PTE not present", pde: tab, pte: 0, lin: 0x5123, acc: U, code: 4},
		{name: "user write read-only PDE", pde: tab &^ RW, pte: data, lin: 0x5123, acc: U | W, code: 7},
		{name: "user read supervisor PTE", pde: tab, pte: data &^ US, lin: 0x5123, acc: U, code: 5},
		{name: "WP=1 supervisor write read-only", pde: tab, pte: data &^ RW, cr0: WP, lin: 0x5123, acc: W, code: 3},
		{name: "WP=0 supervisor write read-only", pde: tab, pte: data &^ RW, lin: 0x5123, acc: W, phys: 0x7123, code: ok, pdeSet: A, pteSet: A | D, writable: true},
		{name: "reserved bit 36 in PTE", pde: tab, pte: data | 1<<36, lin: 0x5123, code: 9},
		{name: "reserved bit 62 in PDE", pde: tab | 1<<62, pte: data, lin: 0x5123, acc: U, code: 0xD},
		{name: "reserved PDE checked before PTE presence", pde: tab | 1<<40, pte: 0, lin: 0x5123, code: 9},
		{name: "not-present PTE may hold anything", pde: tab, pte: 0xFFFFFFFF_FFFFFFFE, lin: 0x5123, code: 0},
		{name: "XD without NXE is reserved", pde: tab, pte: data | XD, lin: 0x5123, code: 9},
		{name: "XD without NXE: fetch has no I/D", pde: tab, pte: data | XD, lin: 0x5123, acc: F, code: 9},
		{name: "XD with NXE: read ok", pde: tab, pte: data | XD, efer: NXE, lin: 0x5123, phys: 0x7123, code: ok, pdeSet: A, pteSet: A, writable: true, nx: true},
		{name: "XD with NXE: fetch faults with I/D", pde: tab, pte: data | XD, efer: NXE, lin: 0x5123, acc: F, code: 0x11},
		{name: "XD in PDE covers the table", pde: tab | XD, pte: data, efer: NXE, lin: 0x5123, acc: F | U, code: 0x15},
		{name: "fetch without XD, NXE", pde: tab, pte: data, efer: NXE, lin: 0x5123, acc: F, phys: 0x7123, code: ok, pdeSet: A, pteSet: A, writable: true},
		{name: "not-present fetch with NXE has I/D", pde: tab, pte: 0, efer: NXE, lin: 0x5123, acc: F, code: 0x10},
		{name: "not-present fetch without NXE", pde: tab, pte: 0, lin: 0x5123, acc: F, code: 0},
		{name: "global", pde: tab, pte: data | G, cr4: PGE, lin: 0x5123, phys: 0x7123, code: ok, pdeSet: A, pteSet: A, writable: true, global: true},
		{name: "2M page (PS needs no CR4.PSE)", pde: big, lin: 0x00123456, phys: 0x00323456, code: ok, pdeSet: A, writable: true, size: 2 << 20},
		{name: "2M write sets D", pde: big, lin: 0x00123456, acc: W, phys: 0x00323456, code: ok, pdeSet: A | D, writable: true},
		{name: "2M 36-bit base", pde: big | 0x7_00000000, lin: 0x001FFFFF, phys: 0x7_003FFFFF, code: ok, pdeSet: A, writable: true},
		{name: "2M reserved bit 13", pde: big | 1<<13, lin: 0x00123456, code: 9},
		{name: "2M reserved bit 20", pde: big | 1<<20, lin: 0x00123456, acc: W, code: 0xB},
		{name: "2M PAT bit 12", pde: big | 1<<12, lin: 0x00123456, phys: 0x00323456, code: ok, pdeSet: A, writable: true},
		{name: "2M global", pde: big | G, cr4: PGE, lin: 0x00123456, phys: 0x00323456, code: ok, pdeSet: A, writable: true, global: true},
		{name: "2M XD fetch", pde: big | XD, efer: NXE, lin: 0x00123456, acc: F, code: 0x11},
		{name: "2M user read supervisor", pde: big &^ US, lin: 0x00123456, acc: U, code: 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { runPAE(t, c) })
	}
}

func TestWalkPDPTENotPresent(t *testing.T) {
	r := newRAM(1 << 20)
	ctl := mmu.Control{CR0: PG, CR3: pdBase, CR4: PAE, EFER: NXE}
	_, f := mmu.Walk(r.p, ctl, 0x40001000, F|U)
	require.NotNil(t, f)
	assert.Equal(t, uint32(0x14), f.Code)
	ctl.PDPTE[1] = paePD | P | RW // reserved in a PDPTE: only a hand-made Control can hold it
	_, f = mmu.Walk(r.p, ctl, 0x40001000, 0)
	require.NotNil(t, f)
	assert.Equal(t, uint32(9), f.Code)
}

func TestWalkPagingOff(t *testing.T) {
	r := newRAM(1 << 20)
	mp, f := mmu.Walk(r.p, mmu.Control{CR0: mmu.CR0PE}, 0x12345678, W|U)
	require.Nil(t, f)
	assert.Equal(t, uint64(0x12345678), mp.Phys)
	assert.True(t, mp.Writable)
	assert.True(t, mp.User)
}

func TestWalkSelfMap(t *testing.T) {
	// The PD maps itself at PDE 1023 (recursive mapping): the PTE read
	// for 0xFFFFF000 is that very PDE, and both A bits land in one entry.
	r := newRAM(1 << 20)
	r.put32(pdBase+1023*4, pdBase|P|RW)
	ctl := mmu.Control{CR0: PG, CR3: pdBase}
	mp, f := mmu.Walk(r.p, ctl, 0xFFFFFFFC, W)
	require.Nil(t, f)
	assert.Equal(t, uint64(pdBase+0xFFC), mp.Phys)
	assert.Equal(t, uint32(pdBase|P|RW|A|D), r.get32(pdBase+1023*4))
}

func TestWalkA20(t *testing.T) {
	// Table fetches are physical accesses and see A20.
	r := newRAM(4 << 20)
	r.put32(0x100000+pdBase, ptBase|P|RW)
	r.put32(pdBase, 0x5000|P|RW) // what the PDE read hits with A20 off
	r.put32(ptBase, dataPage|P|RW)
	r.put32(0x5000, 0x6000|P|RW)
	ctl := mmu.Control{CR0: PG, CR3: 0x100000 + pdBase}
	mp, f := mmu.Walk(r.p, ctl, 0x123, 0)
	require.Nil(t, f)
	assert.Equal(t, uint64(0x7123), mp.Phys)
	assert.Equal(t, [3]uint64{0x101000, 0x3000, 0}, mp.Tables)
	r.p.SetA20(false)
	mp, f = mmu.Walk(r.p, ctl, 0x123, 0)
	require.Nil(t, f)
	assert.Equal(t, uint64(0x6123), mp.Phys)
	assert.Equal(t, [3]uint64{0x1000, 0x5000, 0}, mp.Tables)
}

func TestLoadPDPTEs(t *testing.T) {
	cases := []struct {
		name    string
		entries [4]uint64
		bad     int // index of the offending entry, or -1
	}{
		{"all present", [4]uint64{0x2000 | P, 0x3000 | P | 0x18, 0xF_00004000 | P | 1<<9, 0x5000 | P}, -1},
		{"not present entries are not checked", [4]uint64{^uint64(1), 0x3000 | P, 0, 2}, -1},
		{"RW is reserved", [4]uint64{0x2000 | P, 0x3000 | P | RW, 0, 0}, 1},
		{"US is reserved", [4]uint64{0x2000 | P | US, 0, 0, 0}, 0},
		{"A is reserved", [4]uint64{0, 0, 0x2000 | P | A, 0}, 2},
		{"PS is reserved", [4]uint64{0, 0, 0, 0x2000 | P | PS}, 3},
		{"bit 36 is reserved", [4]uint64{0x10_00002000 | P, 0, 0, 0}, 0},
		{"XD is reserved", [4]uint64{0, 0x2000 | P | XD, 0, 0}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRAM(1 << 20)
			const base = 0x1FE0 // 32-byte aligned, not page aligned
			for i, v := range c.entries {
				r.put64(uint64(base+8*i), v)
			}
			pd, err := mmu.LoadPDPTEs(r.p, base|0x1F) // CR3 bits 4:0 are ignored
			if c.bad < 0 {
				require.NoError(t, err)
				assert.Equal(t, c.entries, pd)
				return
			}
			var pe *mmu.PDPTEError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, c.bad, pe.Index)
			assert.Equal(t, c.entries[c.bad], pe.Value)
			assert.Equal(t, [4]uint64{}, pd)
		})
	}
}

// FuzzWalk walks random tables in a small RAM in every mode: it must
// never panic (so never index outside RAM), and what it returns must be
// self-consistent.
func FuzzWalk(f *testing.F) {
	f.Add([]byte{0x03, 0x30, 0, 0, 0x03, 0x70}, uint32(0x5123), uint8(0), uint8(0))
	f.Add([]byte{0x83, 0, 0x80, 0, 0xFF, 0xFF, 0xFF, 0xFF}, uint32(0xFFFFFFFF), uint8(0x16), uint8(0xFF))
	f.Fuzz(func(t *testing.T, seed []byte, lin uint32, acc uint8, mode uint8) {
		const size = 64 << 10 // tables and data may point anywhere, mostly outside
		b := make([]byte, size)
		for i := range b {
			if len(seed) > 0 {
				b[i] = seed[i%len(seed)] ^ byte(i>>len(seed)%8)
			}
		}
		p := mmu.NewFlat(b, nil)
		ctl := mmu.Control{CR0: PG, CR3: uint32(mode) << 10}
		if mode&1 != 0 {
			ctl.CR0 |= WP
		}
		if mode&2 != 0 {
			ctl.CR4 |= PSE
		}
		if mode&4 != 0 {
			ctl.CR4 |= PGE
		}
		if mode&8 != 0 {
			ctl.EFER |= NXE
		}
		if mode&16 != 0 {
			p.SetA20(false)
		}
		if mode&32 != 0 {
			ctl.CR4 |= PAE
			pd, err := mmu.LoadPDPTEs(p, ctl.CR3)
			if err != nil {
				var pe *mmu.PDPTEError
				require.ErrorAs(t, err, &pe)
				return
			}
			ctl.PDPTE = pd
		}
		a := mmu.Access(acc) & (W | U | F)
		mp, fault := mmu.Walk(p, ctl, lin, a)
		if fault != nil {
			require.Equal(t, lin, fault.Addr)
			require.Equal(t, uint32(a&(W|U)), fault.Code&uint32(W|U), "access bits in the error code")
			if fault.Code&mmu.PFReserved != 0 {
				require.NotZero(t, fault.Code&mmu.PFPresent, "RSVD implies P")
			}
			return
		}
		require.Equal(t, uint64(lin)&(mp.Size-1), mp.Phys&(mp.Size-1), "offset within the page")
		if a&U != 0 {
			require.True(t, mp.User)
		}
		if a&W != 0 {
			require.True(t, mp.Writable)
			require.True(t, mp.Dirty)
		}
		if a&F != 0 {
			require.False(t, mp.NX)
		}
		require.Less(t, mp.Phys, uint64(1)<<mmu.MaxPhysAddr)
	})
}

// TestAccessRightsMatrix checks every combination of R/W, U/S and XD in
// the PDE and PTE, CR0.WP, EFER.NXE and access kind against the rules of
// SDM §4.6 stated independently: the error code, and that A/D are written
// exactly when the access succeeds.
func TestAccessRightsMatrix(t *testing.T) {
	accs := []mmu.Access{0, W, U, U | W, F, U | F}
	for _, pae := range []bool{false, true} {
		for bitsPDE := 0; bitsPDE < 8; bitsPDE++ {
			for bitsPTE := 0; bitsPTE < 8; bitsPTE++ {
				for env := 0; env < 4; env++ {
					for _, acc := range accs {
						wp, nxe := env&1 != 0, env&2 != 0
						if !pae && bitsPDE|bitsPTE >= 4 {
							continue // no XD without PAE
						}
						pde := uint64(ptBase | P)
						pte := uint64(dataPage | P)
						rw := bitsPDE&1 != 0 && bitsPTE&1 != 0
						us := bitsPDE&2 != 0 && bitsPTE&2 != 0
						xd := bitsPDE&4 != 0 || bitsPTE&4 != 0
						pde |= uint64(bitsPDE&1)*RW | uint64(bitsPDE>>1&1)*US | uint64(bitsPDE>>2)*XD
						pte |= uint64(bitsPTE&1)*RW | uint64(bitsPTE>>1&1)*US | uint64(bitsPTE>>2)*XD
						user, write, fetch := acc&U != 0, acc&W != 0, acc&F != 0
						var code int
						switch {
						case xd && !nxe:
							code = P | 8 // XD is reserved without NXE
						case user && !us:
							code = P
						case write && !rw && (user || wp):
							code = P
						case fetch && xd:
							code = P
						default:
							code = ok
						}
						if code != ok {
							code |= int(acc & (W | U))
							if fetch && pae && nxe {
								code |= 0x10
							}
						}
						c := walkCase{
							name: "matrix", pde: pde, pte: pte, lin: 0x5123, acc: acc,
							phys: 0x7123, code: code, pdeSet: A, pteSet: A,
							writable: rw || (!user && !wp), nx: xd && nxe,
						}
						if write {
							c.pteSet |= D
						}
						if wp {
							c.cr0 = WP
						}
						if nxe {
							c.efer = NXE
						}
						name := fmt.Sprintf("pae=%v/pde=%d/pte=%d/wp=%v/nxe=%v/acc=%#x", pae, bitsPDE, bitsPTE, wp, nxe, acc)
						ok := t.Run(name, func(t *testing.T) {
							if pae {
								runPAE(t, c)
							} else {
								run32(t, c)
							}
						})
						if !ok {
							return
						}
					}
				}
			}
		}
	}
}

// TestWalkPeek: a debugger's peek translates like a supervisor read but
// leaves the accessed and dirty bits of the guest tables alone.
func TestWalkPeek(t *testing.T) {
	r := newRAM(1 << 20)
	r.put32(0x1000, 0x2000|1|2) // PDE: present, writable, A clear
	r.put32(0x2000+5*4, 0x7000|1|2)
	ctl := mmu.Control{CR0: mmu.CR0PE | mmu.CR0PG, CR3: 0x1000}
	mp, f := mmu.Walk(r.p, ctl, 5<<12|0x123, mmu.AccPeek)
	require.Nil(t, f)
	assert.Equal(t, uint64(0x7123), mp.Phys)
	assert.Equal(t, uint32(0x2003), r.get32(0x1000), "PDE untouched")
	assert.Equal(t, uint32(0x7003), r.get32(0x2000+5*4), "PTE untouched")
	_, f = mmu.Walk(r.p, ctl, 6<<12, mmu.AccPeek)
	require.NotNil(t, f, "not present")
	assert.Zero(t, f.Code&uint32(mmu.AccPeek), "the peek bit never reaches an error code")
	// The same walk without the peek bit sets A.
	_, f = mmu.Walk(r.p, ctl, 5<<12, 0)
	require.Nil(t, f)
	assert.Equal(t, uint32(0x7023), r.get32(0x2000+5*4))
}
