package cpu

import (
	"math/bits"
	"math/rand/v2"
	"testing"
)

// refFlags computes the result and arithmetic flags of ALU operation op
// (aluADD...; -1 for INC, -2 for DEC) at size sz eagerly, the way the SDM
// defines them, for checking the lazy evaluation.
func refFlags(op int, sz uint8, a, b uint32, cin bool) (res, f uint32) {
	n := uint(8) << sz
	m := uint64(sizeMask(sz))
	sb := uint64(1) << (n - 1)
	A, B := uint64(a)&m, uint64(b)&m
	var ci uint64
	if cin {
		ci = 1
	}
	var r uint64
	cf, of, logic := false, false, false
	switch op {
	case aluADD, aluADC, -1:
		if op == aluADD {
			ci = 0
		}
		if op == -1 {
			B, ci = 1, 0
		}
		r = A + B + ci
		cf = r>>n != 0
		of = (A^r)&(B^r)&sb != 0
	case aluSUB, aluCMP, aluSBB, -2:
		if op != aluSBB {
			ci = 0
		}
		if op == -2 {
			B = 1
		}
		r = A - B - ci
		cf = A < B+ci
		of = (A^B)&(A^r)&sb != 0
	case aluAND:
		r, logic = A&B, true
	case aluOR:
		r, logic = A|B, true
	case aluXOR:
		r, logic = A^B, true
	}
	if op < 0 {
		cf = cin // INC and DEC keep CF
	}
	r &= m
	if cf {
		f |= FlagCF
	}
	if of {
		f |= FlagOF
	}
	if r == 0 {
		f |= FlagZF
	}
	if r&sb != 0 {
		f |= FlagSF
	}
	if bits.OnesCount8(uint8(r))&1 == 0 {
		f |= FlagPF
	}
	if !logic && (A^B^r)&0x10 != 0 {
		f |= FlagAF
	}
	return uint32(r), f
}

// refCond evaluates condition code cc from eager flags f.
func refCond(cc uint8, f uint32) bool {
	set := func(m uint32) bool { return f&m != 0 }
	var r bool
	switch cc >> 1 {
	case 0:
		r = set(FlagOF)
	case 1:
		r = set(FlagCF)
	case 2:
		r = set(FlagZF)
	case 3:
		r = set(FlagCF) || set(FlagZF)
	case 4:
		r = set(FlagSF)
	case 5:
		r = set(FlagPF)
	case 6:
		r = set(FlagSF) != set(FlagOF)
	case 7:
		r = set(FlagZF) || set(FlagSF) != set(FlagOF)
	}
	return r != (cc&1 != 0)
}

// TestLazyFlags checks every ALU operation, INC and DEC at every size
// against the eager definitions, through EFlags and every condition code.
func TestLazyFlags(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	edges := []uint32{0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF}
	pick := func() uint32 {
		if rng.IntN(3) == 0 {
			return edges[rng.IntN(len(edges))]
		}
		return rng.Uint32()
	}
	var c CPU
	for range 20000 {
		for op := -2; op < 8; op++ {
			for sz := uint8(0); sz < 3; sz++ {
				a, b, cin := pick(), pick(), rng.IntN(2) == 0
				wantRes, want := refFlags(op, sz, a, b, cin)
				m := sizeMask(sz)
				c.SetEFlags(rng.Uint32() &^ FlagCF)
				if cin {
					c.SetEFlags(c.Flags | FlagCF)
				}
				var res uint32
				switch op {
				case -1, -2:
					res = c.incdec(a&m, op == -2, sz)
				default:
					res = c.alu(op, a&m, b&m, sz)
				}
				if res&m != wantRes {
					t.Fatalf("op %d size %d a=%#x b=%#x cin=%v: result %#x, want %#x", op, sz, a&m, b&m, cin, res&m, wantRes)
				}
				if got := c.EFlags() & arithFlags; got != want {
					t.Fatalf("op %d size %d a=%#x b=%#x cin=%v: flags %#x, want %#x", op, sz, a&m, b&m, cin, got, want)
				}
				for cc := uint8(0); cc < 16; cc++ {
					if c.cond(cc) != refCond(cc, want) {
						t.Fatalf("op %d size %d a=%#x b=%#x: cond %#x = %v, want %v", op, sz, a&m, b&m, cc, c.cond(cc), refCond(cc, want))
					}
				}
			}
		}
	}
}
