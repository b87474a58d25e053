package shadow_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"bt86/bus"
	"bt86/mmu"
	"bt86/mmu/shadow"
)

// TestExactness drives the shadow MMU with random guest activity (page
// table edits without INVLPG, stores through the translations, CR3
// switches among cached spaces, INVLPG, WP/NXE/PSE changes, PDPT edits)
// and checks after every access that it behaves exactly like a TLB-less
// CPU: same physical address or same #PF as the reference walker on a
// copy of RAM, and the same RAM afterwards, so A/D bits the reference
// would set are already set whenever the shadow answers from its cache.
// (Global pages are left out: with CR4.PGE they legitimately outlive CR3
// loads.)
func TestExactness(t *testing.T) {
	for _, pae := range []bool{false, true} {
		for seed := uint64(1); seed <= 6; seed++ {
			t.Run(fmt.Sprintf("pae=%v/seed=%d", pae, seed), func(t *testing.T) {
				exactRun(t, pae, seed, 2500, shadow.DefaultFloodWrites)
			})
			// A tiny flood threshold sends most page-table writes
			// through the flood path (whole-page drops, other spaces'
			// own directories dropping their space).
			t.Run(fmt.Sprintf("pae=%v/seed=%d/floods", pae, seed), func(t *testing.T) {
				exactRun(t, pae, seed, 2500, 1)
			})
		}
	}
}

const (
	exRAM    = 0x50000 // everything the guest uses, and little else: copied per check
	exRoots  = 0x10000 // 4 roots, a page each
	exTables = 0x20000 // 8 table pages (PAE: PDs and PTs)
	exData   = 0x40000 // 16 data pages
)

// exLins are the linear pages the guest uses: shared slots and own ones.
func exLins() []uint32 {
	return []uint32{
		0x00000000, 0x00001000, 0x00002000, 0x00100000, 0x00101000, // PT indices 0,1,2,256,257
		0x00400000, 0x00401000, 0x00500000, 0x00600000, 0x40001000, 0xC0000000, 0xC0100000, 0xFFFFF000,
		0x00003000, 0x00004000, 0x00005000, 0x00406000, 0x00407000, 0xC0008000, 0xC0009000, 0x8000A000, // own slots
	}
}

type exact struct {
	t      *testing.T
	rng    *rand.Rand
	pae    bool
	ram    []byte
	p      *mmu.Phys
	m      *shadow.MMU
	ref    []byte
	refP   *mmu.Phys
	lins   []uint32
	hits   int
	faults int
	checks int
}

func (x *exact) tablePage() uint64 { return exTables + uint64(x.rng.IntN(8))<<12 }

// target is a physical page a paging entry may point to: data, a table,
// a root, or nothing at all.
func (x *exact) target() uint64 {
	switch x.rng.IntN(10) {
	case 0:
		return x.tablePage()
	case 1:
		return exRoots + uint64(x.rng.IntN(4))<<12
	case 2:
		return 0x3F0000 // beyond RAM
	}
	return exData + uint64(x.rng.IntN(16))<<12
}

func (x *exact) flags(leaf bool) uint64 {
	f := uint64(x.rng.IntN(0x80)) | P // P RW US PWT PCD A D
	if x.rng.IntN(4) != 0 {
		f |= RW | US // mostly permissive, so that translations live
	} else if x.rng.IntN(3) == 0 {
		f &^= P
	}
	if !leaf {
		f &^= D
	}
	if x.pae && x.rng.IntN(10) == 0 {
		f |= XD
	}
	if x.pae && x.rng.IntN(40) == 0 {
		f |= 1 << 40 // reserved
	}
	return f
}

func (x *exact) put(addr uint64, v uint64) {
	if x.pae {
		x.p.Write(addr, 8, v)
	} else {
		x.p.Write(addr, 4, v&0xFFFFFFFF)
	}
}

func (x *exact) entrySize() uint64 {
	if x.pae {
		return 8
	}
	return 4
}

func (x *exact) lin() uint32 {
	return x.lins[x.rng.IntN(len(x.lins))] | uint32(x.rng.IntN(0x1000))
}

// pteAddr picks a PTE slot some linear address of exLins would use.
func (x *exact) pteAddr() uint64 {
	l := x.lin()
	idx := uint64(l>>12) & 0x3FF
	if x.pae {
		idx &= 0x1FF
	}
	return x.tablePage() + idx*x.entrySize()
}

// pdeAddr picks a PDE slot.
func (x *exact) pdeAddr() uint64 {
	l := x.lin()
	if x.pae {
		return x.tablePage() + uint64(l>>21&0x1FF)*8
	}
	return exRoots + uint64(x.rng.IntN(4))<<12 + uint64(l>>22)*4
}

func (x *exact) pde() uint64 {
	if x.rng.IntN(6) == 0 { // large page at 0
		return x.flags(true) | PS
	}
	return x.tablePage() | x.flags(false)
}

func (x *exact) setCR3() {
	cr3 := uint32(exRoots + x.rng.IntN(4)<<12)
	if err := x.m.SetCR3(cr3); err != nil {
		var pe *mmu.PDPTEError
		require.ErrorAs(x.t, err, &pe)
		_, rerr := mmu.LoadPDPTEs(x.p, cr3)
		require.Error(x.t, rerr)
	}
}

func exactRun(t *testing.T, pae bool, seed uint64, ops, flood int) {
	x := &exact{t: t, rng: rand.New(rand.NewPCG(seed, 99)), pae: pae, ram: make([]byte, exRAM), ref: make([]byte, exRAM), lins: exLins()}
	x.p = mmu.NewFlat(x.ram, bus.New())
	x.refP = mmu.NewFlat(x.ref, bus.New())
	x.m = shadow.NewWithSpaces(x.p, 3) // fewer slots than roots: evictions too
	x.m.SetFloodWrites(flood)
	// Initial tables: every root gets entries for every exLins page.
	for r := uint64(0); r < 4; r++ {
		root := exRoots + r<<12
		if pae {
			for i := uint64(0); i < 4; i++ {
				x.put(root+8*i, x.tablePage()|P)
			}
		}
	}
	for i := 0; i < 800; i++ {
		x.put(x.pteAddr(), x.target()|x.flags(true))
		if i%4 == 0 {
			x.put(x.pdeAddr(), x.pde())
		}
	}
	var cr4 uint32
	if pae {
		cr4 = PAE
	} else {
		cr4 = PSE
	}
	require.NoError(t, x.m.SetCR3(exRoots))
	for x.m.WriteControl(PG, cr4, NXE) != nil {
		x.put(exRoots+8*uint64(x.rng.IntN(4)), x.tablePage()|P)
	}
	calm := seed%2 == 0 // mostly accesses: long-lived translations
	for op := 0; op < ops; op++ {
		n := x.rng.IntN(100)
		if calm && n >= 50 && x.rng.IntN(4) != 0 {
			n = 0
		}
		switch {
		case n < 50:
			acc := mmu.Access(x.rng.IntN(8)) & (W | U)
			if x.rng.IntN(4) == 0 {
				acc = acc&U | F
			}
			x.check(op, x.lin(), acc)
		case n < 65:
			x.put(x.pteAddr(), x.target()|x.flags(true))
		case n < 70:
			x.put(x.pdeAddr(), x.pde())
		case n < 80:
			x.store(op)
		case n < 90:
			x.setCR3()
		case n < 94:
			x.m.FlushPage(x.lin())
		case n < 96:
			ctl := x.m.Control()
			switch x.rng.IntN(3) {
			case 0:
				ctl.CR0 ^= WP
			case 1:
				ctl.EFER ^= NXE
			case 2:
				if !pae {
					ctl.CR4 ^= PSE
				}
			}
			require.NoError(t, x.m.WriteControl(ctl.CR0, ctl.CR4, ctl.EFER))
		default:
			if pae { // edit a PDPT: seen at the next CR3 load only
				x.p.Write(exRoots+uint64(x.rng.IntN(4))<<12+8*uint64(x.rng.IntN(4)), 8, x.tablePage()|P)
			} else {
				x.p.Write(exData, 4, uint64(x.rng.Uint32())) // a plain data write
			}
		}
	}
	t.Logf("%d checks, %d faults, %d fast-path hits; %v", x.checks, x.faults, x.hits, x.m.Stats)
	if flood == 1 && ops >= 1000 {
		require.NotZero(t, x.m.Stats.Floods, "the flood path ran")
	}
}

// check translates lin for acc through the shadow MMU (fast path, else
// Fill) and through the reference walker on a copy of RAM.
func (x *exact) check(op int, lin uint32, acc mmu.Access) {
	t := x.t
	x.checks++
	copy(x.ref, x.ram)
	x.refP.SetA20(x.p.A20())
	want, wantF := mmu.Walk(x.refP, x.m.Control(), lin, acc)

	e := entryFor(x.m.Cur, lin, acc)
	var got uint64
	var gotF *mmu.Fault
	hit := e.Tag == lin&^0xFFF
	if hit {
		x.hits++
		got = uint64(e.Addend + lin)
		// Native code's view of the same entry: host address of lin.
		require.Equal(t, x.p.HostAddr()+got, e.Host+uint64(lin), "Entry.Host of lin %#x", lin)
	} else {
		mp, f := x.m.Fill(lin, acc)
		got, gotF = mp.Phys, f
	}
	where := fmt.Sprintf("op %d: lin %#x acc %#x hit=%v ctl=%+v", op, lin, acc, hit, x.m.Control())
	if wantF != nil {
		x.faults++
		require.NotNil(t, gotF, "%s: want %v, got phys %#x", where, wantF, got)
		require.Equal(t, *wantF, *gotF, where)
	} else {
		require.Nil(t, gotF, "%s: want phys %#x", where, want.Phys)
		require.Equal(t, want.Phys, got, where)
	}
	if !bytes.Equal(x.ref, x.ram) {
		for i := range x.ref {
			if x.ref[i] != x.ram[i] {
				t.Fatalf("%s: RAM differs at %#x: ref %#x, shadow %#x", where, i, x.ref[i], x.ram[i])
			}
		}
	}
}

// store writes through a translation as the CPU would: straight into RAM
// on a fast-path hit, through Phys otherwise.
func (x *exact) store(op int) {
	lin := x.lin() &^ 7
	acc := W | mmu.Access(x.rng.IntN(2))*U
	v := x.rng.Uint64()
	if x.rng.IntN(2) == 0 { // mostly harmless values: keep tables alive
		v = x.target() | x.flags(true)
	}
	e := entryFor(x.m.Cur, lin, acc)
	if e.Tag == lin&^0xFFF {
		binary.LittleEndian.PutUint64(x.ram[e.Addend+lin:], v)
		return
	}
	mp, f := x.m.Fill(lin, acc)
	if f == nil {
		x.p.Write(mp.Phys, 8, v)
	}
	_ = op
}

func entryFor(s *shadow.Space, lin uint32, acc mmu.Access) *shadow.Entry {
	slot := shadow.Slot(lin)
	p := int(acc>>2) & 1
	switch {
	case acc&F != 0:
		return &s.Fetch[p][slot]
	case acc&W != 0:
		return &s.Write[p][slot]
	}
	return &s.Read[p][slot]
}

// FuzzExactness runs short random guests from fuzzed seeds.
func FuzzExactness(f *testing.F) {
	f.Add(uint64(1), false, uint8(0))
	f.Add(uint64(2), true, uint8(1))
	f.Fuzz(func(t *testing.T, seed uint64, pae bool, flood uint8) {
		exactRun(t, pae, seed, 400, 1+int(flood)%shadow.DefaultFloodWrites)
	})
}
