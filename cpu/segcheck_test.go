package cpu

import (
	"math/rand/v2"
	"testing"
)

// TestSegCheck compares the folded limit comparison of segCheck with
// lo <= off && off+n-1 <= hi.
func TestSegCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	edges := []uint32{0, 1, 2, 3, 0xFFFC, 0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFC, 0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFF}
	pick := func() uint32 {
		if rng.IntN(2) == 0 {
			return edges[rng.IntN(len(edges))]
		}
		return rng.Uint32()
	}
	for range 200000 {
		lo, hi, off := pick(), pick(), pick()
		if rng.IntN(4) == 0 {
			off = lo + uint32(rng.IntN(8)) - 4
		}
		if rng.IntN(4) == 0 {
			off = hi + uint32(rng.IntN(8)) - 4
		}
		k := segCheck{rlo: lo, rspan: segSpan(lo, hi), wlo: lo, wspan: segSpan(lo, hi)}
		for _, n := range []uint32{1, 2, 4} {
			want := lo <= off && uint64(off)+uint64(n-1) <= uint64(hi)
			if k.readOK(off, n) != want || k.writeOK(off, n) != want {
				t.Fatalf("lo %#x hi %#x off %#x n %d: got %v, want %v", lo, hi, off, n, k.readOK(off, n), want)
			}
		}
	}
}
