package decoder

import (
	"errors"
	"testing"
)

// FuzzDecode checks the decoder's contract on arbitrary bytes, in both
// modes:
//   - it never panics, and the only error is ErrTruncated, only with
//     fewer than MaxLen bytes;
//   - on success Len is 1..MaxLen and Op is below NumOps;
//   - decoding is deterministic and reads nothing past Len: the same bytes
//     again, and the bytes cut to Len, decode to the same Inst;
//   - every shorter cut is ErrTruncated;
//   - where x86asm decodes too, the two agree (length, memory operand,
//     immediates, validity) unless refExceptions explains the difference.
//
// Seeds: testdata/fuzz/FuzzDecode plus every golden encoding.
func FuzzDecode(f *testing.F) {
	for _, tc := range goldenCases {
		f.Add(unhex(f, tc.hex))
	}
	d := New()
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, code32 := range []bool{false, true} {
			checkDecode(t, d, b, code32)
		}
	})
}

func checkDecode(t *testing.T, d *Decoder, b []byte, code32 bool) {
	in, err := d.Decode(b, code32)
	if err != nil {
		if !errors.Is(err, ErrTruncated) {
			t.Fatalf("code32=%v % x: unexpected error %v", code32, b, err)
		}
		if len(b) >= MaxLen {
			t.Fatalf("code32=%v % x: ErrTruncated with %d bytes", code32, b, len(b))
		}
		return
	}
	if in.Len < 1 || in.Len > MaxLen || int(in.Len) > len(b) && in.Op != OpTooLong {
		t.Fatalf("code32=%v % x: Len %d", code32, b, in.Len)
	}
	if in.Op >= NumOps {
		t.Fatalf("code32=%v % x: Op %#x out of range", code32, b, in.Op)
	}
	again, err := d.Decode(b, code32)
	if err != nil || again != in {
		t.Fatalf("code32=%v % x: not deterministic: %s then %s (%v)", code32, b, fmtInst(&in), fmtInst(&again), err)
	}
	n := min(int(in.Len), len(b))
	cut, err := d.Decode(b[:n:n], code32)
	if err != nil || cut != in {
		t.Fatalf("code32=%v % x: cut to %d bytes: %s vs %s (%v)", code32, b, n, fmtInst(&in), fmtInst(&cut), err)
	}
	for k := 0; k < n; k++ {
		if _, err := d.Decode(b[:k:k], code32); !errors.Is(err, ErrTruncated) {
			t.Fatalf("code32=%v % x: %d of %d bytes: got %v, want ErrTruncated", code32, b, k, n, err)
		}
	}
	// Against x86asm, on at least MaxLen bytes (it reports a truncated
	// instruction as a one-byte prefix). Padding after Len changes nothing
	// for us.
	buf := make([]byte, max(len(b), MaxLen))
	copy(buf, b)
	mode := 16
	if code32 {
		mode = 32
	}
	p := newProbe(d, buf, mode)
	if k, why := p.compare(); k != diffNone && classify(p, k) == nil {
		t.Fatalf("disagreement with x86asm (%v %s): %s", k, why, p)
	}
}
