package shadow_test

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"bt86/bus"
	"bt86/mmu"
	"bt86/mmu/shadow"
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

	W = mmu.AccWrite
	U = mmu.AccUser
	F = mmu.AccFetch
)

// rig is a guest with 4 MiB of RAM, a shadow MMU and a page-table
// builder whose table pages are handed out from 0x200000 up.
type rig struct {
	t    testing.TB
	ram  []byte
	p    *mmu.Phys
	m    *shadow.MMU
	next uint64
	pae  bool
}

func newRig(t testing.TB, flat bool) *rig {
	ram := make([]byte, 4<<20)
	var p *mmu.Phys
	if flat {
		p = mmu.NewFlat(ram, bus.New())
	} else {
		p = mmu.NewPhys(ram, bus.New())
	}
	return &rig{t: t, ram: ram, p: p, m: shadow.New(p), next: 0x200000}
}

func (r *rig) alloc(n uint64) uint64 {
	a := r.next
	r.next += n
	return a
}

// guest writes go through Phys, as the CPU's slow path does.
func (r *rig) w32(addr uint64, v uint32) { r.p.Write(addr, 4, uint64(v)) }
func (r *rig) w64(addr uint64, v uint64) { r.p.Write(addr, 8, v) }
func (r *rig) r32(addr uint64) uint32    { return binary.LittleEndian.Uint32(r.ram[addr:]) }
func (r *rig) r64(addr uint64) uint64    { return binary.LittleEndian.Uint64(r.ram[addr:]) }

// newRoot returns a fresh CR3 value: a page directory, or with PAE a PDPT
// whose four entries point to fresh page directories.
func (r *rig) newRoot() uint32 {
	root := r.alloc(4096)
	if r.pae {
		for i := uint64(0); i < 4; i++ {
			r.w64(root+8*i, r.alloc(4096)|P)
		}
	}
	return uint32(root)
}

// pdeAddr returns the address of the PDE for lin under root.
func (r *rig) pdeAddr(root uint32, lin uint32) uint64 {
	if r.pae {
		pd := r.r64(uint64(root)+8*uint64(lin>>30)) &^ 0xFFF
		return pd + 8*uint64(lin>>21&0x1FF)
	}
	return uint64(root) + 4*uint64(lin>>22)
}

// pteAddr returns the address of the PTE for lin, creating the page table
// (user, writable) when the PDE is empty.
func (r *rig) pteAddr(root uint32, lin uint32) uint64 {
	pde := r.pdeAddr(root, lin)
	if r.pae {
		if r.r64(pde)&P == 0 {
			r.w64(pde, r.alloc(4096)|P|RW|US)
		}
		return r.r64(pde)&0xFFFFFF000 + 8*uint64(lin>>12&0x1FF)
	}
	if r.r32(pde)&P == 0 {
		r.w32(pde, uint32(r.alloc(4096))|P|RW|US)
	}
	return uint64(r.r32(pde)&^0xFFF) + 4*uint64(lin>>12&0x3FF)
}

// setPTE maps lin to phys with flags (P added) and returns the PTE address.
func (r *rig) setPTE(root uint32, lin uint32, phys uint64, flags uint64) uint64 {
	a := r.pteAddr(root, lin)
	if r.pae {
		r.w64(a, phys|flags|P)
	} else {
		r.w32(a, uint32(phys|flags|P))
	}
	return a
}

// share makes the PDE for lin under dst equal to the one under src (a
// page table shared by two address spaces, as kernels do).
func (r *rig) share(dst, src uint32, lin uint32) {
	r.pteAddr(src, lin)
	if r.pae {
		r.w64(r.pdeAddr(dst, lin), r.r64(r.pdeAddr(src, lin)))
	} else {
		r.w32(r.pdeAddr(dst, lin), r.r32(r.pdeAddr(src, lin)))
	}
}

// enable turns paging on with root as CR3.
func (r *rig) enable(root uint32, cr0, cr4 uint32, efer uint64) {
	if r.pae {
		cr4 |= PAE
	}
	require.NoError(r.t, r.m.SetCR3(root))
	require.NoError(r.t, r.m.WriteControl(PG|cr0, cr4, efer))
}

func privOf(acc mmu.Access) int { return int(acc>>2) & 1 }

// entry is the fast-path entry the CPU would look at for lin and acc.
func (r *rig) entry(lin uint32, acc mmu.Access) *shadow.Entry {
	s := r.m.Cur
	slot := shadow.Slot(lin)
	switch {
	case acc&F != 0:
		return &s.Fetch[privOf(acc)][slot]
	case acc&W != 0:
		return &s.Write[privOf(acc)][slot]
	}
	return &s.Read[privOf(acc)][slot]
}

// hit runs the fast path: it returns the RAM index of lin, if cached.
func (r *rig) hit(lin uint32, acc mmu.Access) (uint32, bool) {
	e := r.entry(lin, acc)
	if e.Tag == lin&^0xFFF {
		return e.Addend + lin, true
	}
	return 0, false
}

// access is what the CPU does: the fast path, else Fill. It returns the
// physical address (RAM index on a hit) and the fault, if any.
func (r *rig) access(lin uint32, acc mmu.Access) (uint64, *mmu.Fault) {
	if idx, ok := r.hit(lin, acc); ok {
		return uint64(idx), nil
	}
	mp, f := r.m.Fill(lin, acc)
	return mp.Phys, f
}

// mustMap asserts that lin translates to phys for acc.
func (r *rig) mustMap(lin uint32, acc mmu.Access, phys uint64, msg string) {
	r.t.Helper()
	got, f := r.access(lin, acc)
	require.Nil(r.t, f, "%s: unexpected %v", msg, f)
	require.Equal(r.t, phys, got, "%s: lin %#x", msg, lin)
}

// mustFault asserts that lin faults with code for acc.
func (r *rig) mustFault(lin uint32, acc mmu.Access, code uint32, msg string) {
	r.t.Helper()
	_, f := r.access(lin, acc)
	require.NotNil(r.t, f, "%s: want #PF", msg)
	require.Equal(r.t, code, f.Code, "%s: error code", msg)
}
