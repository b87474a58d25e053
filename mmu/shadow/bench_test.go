package shadow_test

import (
	"testing"

	"bt86/mmu"
	"bt86/mmu/shadow"
)

// readByte and writeByte are the CPU's fast path as a function, with the
// slow path out of line. (With the call to the slow path they exceed Go's
// inlining budget; inlined into a larger function, MMU.ReadIndex is the
// form that fits: see the "inline" sub-benchmarks.)
func readByte(m *shadow.MMU, ram []byte, lin uint32, priv int) byte {
	if e := &m.Cur.Read[priv&1][shadow.Slot(lin)]; e.Tag == lin&^0xFFF {
		return ram[e.Addend+lin]
	}
	return readSlow(m, lin, priv)
}

//go:noinline
func readSlow(m *shadow.MMU, lin uint32, priv int) byte {
	mp, f := m.Fill(lin, mmu.Access(priv<<2))
	if f != nil {
		panic(f)
	}
	return byte(m.Phys.Read(mp.Phys, 1))
}

func writeByte(m *shadow.MMU, ram []byte, lin uint32, priv int, v byte) {
	if e := &m.Cur.Write[priv&1][shadow.Slot(lin)]; e.Tag == lin&^0xFFF {
		ram[e.Addend+lin] = v
		return
	}
	writeSlow(m, lin, priv, v)
}

//go:noinline
func writeSlow(m *shadow.MMU, lin uint32, priv int, v byte) {
	mp, f := m.Fill(lin, mmu.Access(priv<<2)|mmu.AccWrite)
	if f != nil {
		panic(f)
	}
	m.Phys.Write(mp.Phys, 1, uint64(v))
}

const (
	benchPages  = 16
	benchBase   = 0x00400000
	benchStride = 0x0FD3 // walks the pages at varying offsets
	benchLoop   = 4096   // accesses per benchmark op
)

// benchRig maps benchPages user pages (dirty, writable) at benchBase,
// with 32-bit or PAE paging, and warms the fast path.
func benchRig(b *testing.B, pae bool) *rig {
	r := newRig(b, true)
	r.pae = pae
	root := r.newRoot()
	for i := uint32(0); i < benchPages; i++ {
		r.setPTE(root, benchBase+i<<12, 0x100000+uint64(i)<<12, RW|US|D)
	}
	r.enable(root, 0, 0, 0)
	for i := uint32(0); i < benchPages; i++ {
		writeByte(r.m, r.ram, benchBase+i<<12, 1, 0)
	}
	return r
}

func benchLins() []uint32 {
	lins := make([]uint32, benchLoop)
	off := uint32(0)
	for i := range lins {
		lins[i] = benchBase + off
		off = (off + benchStride) % (benchPages << 12)
	}
	return lins
}

func reportPerAccess(b *testing.B, perOp int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(perOp), "ns/access")
}

func BenchmarkFastPathRead(b *testing.B) {
	for _, pae := range []bool{false, true} {
		b.Run(modeName(pae), func(b *testing.B) {
			r := benchRig(b, pae)
			lins := benchLins()
			misses := r.m.Stats.Misses
			b.ReportAllocs()
			var sum byte
			for b.Loop() {
				for _, lin := range lins {
					if i, ok := r.m.ReadIndex(lin, 1); ok {
						sum += r.ram[i]
					} else {
						sum += readSlow(r.m, lin, 1)
					}
				}
			}
			reportPerAccess(b, len(lins))
			if r.m.Stats.Misses != misses {
				b.Fatalf("%d misses in the loop", r.m.Stats.Misses-misses)
			}
			_ = sum
		})
	}
}

// BenchmarkFastPathCall is the read fast path behind a function call.
func BenchmarkFastPathCall(b *testing.B) {
	r := benchRig(b, false)
	lins := benchLins()
	b.ReportAllocs()
	var sum byte
	for b.Loop() {
		for _, lin := range lins {
			sum += readByte(r.m, r.ram, lin, 1)
		}
	}
	reportPerAccess(b, len(lins))
	_ = sum
}

func BenchmarkFastPathWrite(b *testing.B) {
	for _, pae := range []bool{false, true} {
		b.Run(modeName(pae), func(b *testing.B) {
			r := benchRig(b, pae)
			lins := benchLins()
			misses := r.m.Stats.Misses
			b.ReportAllocs()
			for b.Loop() {
				for i, lin := range lins {
					if j, ok := r.m.WriteIndex(lin, 1); ok {
						r.ram[j] = byte(i)
					} else {
						writeSlow(r.m, lin, 1, byte(i))
					}
				}
			}
			reportPerAccess(b, len(lins))
			if r.m.Stats.Misses != misses {
				b.Fatalf("%d misses in the loop", r.m.Stats.Misses-misses)
			}
		})
	}
}

// BenchmarkMissWalkFill measures the miss path: two pages Entries pages
// apart share a slot, so every access evicts the other and walks.
func BenchmarkMissWalkFill(b *testing.B) {
	for _, pae := range []bool{false, true} {
		b.Run(modeName(pae), func(b *testing.B) {
			r := newRig(b, true)
			r.pae = pae
			root := r.newRoot()
			r.setPTE(root, benchBase, 0x100000, RW|US|D)
			r.setPTE(root, benchBase+shadow.Entries<<12, 0x101000, RW|US|D)
			r.enable(root, 0, 0, 0)
			b.ReportAllocs()
			walks := r.m.Stats.Walks
			n := 0
			for b.Loop() {
				readByte(r.m, r.ram, benchBase, 1)
				readByte(r.m, r.ram, benchBase+shadow.Entries<<12, 1)
				n += 2
			}
			reportPerAccess(b, 2)
			if got := r.m.Stats.Walks - walks; got != uint64(n) {
				b.Fatalf("%d walks for %d accesses", got, n)
			}
		})
	}
}

// BenchmarkMissCached measures a slow-path write that needs no walk: the
// page is a watched page table, so it has no fast write entry, but its
// translation is cached.
func BenchmarkMissCached(b *testing.B) {
	r := newRig(b, true)
	root := r.newRoot()
	r.setPTE(root, benchBase, 0x100000, RW|US|D)
	pte := r.pteAddr(root, benchBase)
	r.setPTE(root, 0x1000, pte&^0xFFF, RW|D) // the page table, mapped as data
	r.enable(root, 0, 0, 0)
	readByte(r.m, r.ram, benchBase, 0) // watches the page table
	b.ReportAllocs()
	walks := r.m.Stats.Walks
	for b.Loop() {
		writeByte(r.m, r.ram, 0x1800, 0, 0) // an unused PTE slot
	}
	if r.m.Stats.Walks != walks+1 {
		b.Fatalf("%d walks", r.m.Stats.Walks-walks)
	}
	reportPerAccess(b, 1)
}

// BenchmarkCR3Switch measures a context switch between two cached
// address spaces, each touching its pages after the switch.
func BenchmarkCR3Switch(b *testing.B) {
	r := newRig(b, true)
	a, c := r.newRoot(), r.newRoot()
	for i := uint32(0); i < benchPages; i++ {
		r.setPTE(a, benchBase+i<<12, 0x100000+uint64(i)<<12, RW|US|D)
		r.setPTE(c, benchBase+i<<12, 0x180000+uint64(i)<<12, RW|US|D)
	}
	r.enable(a, 0, 0, 0)
	b.ReportAllocs()
	walks := r.m.Stats.Walks
	for b.Loop() {
		for _, root := range []uint32{a, c} {
			if err := r.m.SetCR3(root); err != nil {
				b.Fatal(err)
			}
			for i := uint32(0); i < benchPages; i++ {
				readByte(r.m, r.ram, benchBase+i<<12, 1)
			}
		}
	}
	b.ReportMetric(float64(r.m.Stats.Walks-walks)/float64(b.N), "walks/op")
}

// BenchmarkPTEWrite measures a guest write to a PTE of a page table
// that cached translations depend on (the watch hook and the drop).
func BenchmarkPTEWrite(b *testing.B) {
	r := newRig(b, true)
	root := r.newRoot()
	pte := r.setPTE(root, benchBase, 0x100000, RW|US|D)
	r.enable(root, 0, 0, 0)
	b.ReportAllocs()
	for b.Loop() {
		readByte(r.m, r.ram, benchBase, 1) // fill
		r.p.Write(pte, 4, 0x100000|P|RW|US|D|A)
	}
}

func modeName(pae bool) string {
	if pae {
		return "PAE"
	}
	return "32bit"
}
