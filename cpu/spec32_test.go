package cpu

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"bt86/decoder"
)

// runHandler runs fn for in on c from state st and RAM ram, and returns
// the resulting state (flags folded), RAM, next EIP and guest exception.
func runHandler(c *CPU, st State, ram []byte, fn handler, in *decoder.Inst) (State, []byte, uint32, *exception) {
	c.State = st
	copy(c.ram, ram)
	c.StateChanged()
	c.next = c.EIP + uint32(in.Len)
	x := c.catch(func() { fn(c, in) })
	c.materialize()
	c.Lazy = LazyFlags{} // only the flags it stood for matter
	return c.State, bytes.Clone(c.ram), c.next, x
}

// TestSpecialisedHandlers decodes random instructions and, for every one
// a picker specialises, runs the variant and the generic handler from
// the same random state and compares everything they change.
func TestSpecialisedHandlers(t *testing.T) {
	c := newFlat32RAM(t, nil, 64<<10)
	rng := rand.New(rand.NewPCG(3, 4))
	ram := make([]byte, len(c.ram))
	for i := range ram {
		ram[i] = byte(rng.Uint32())
	}
	seen := map[uint16]int{}
	var buf [decoder.MaxLen]byte
	for n := 0; n < 100000; n++ {
		for i := range buf {
			buf[i] = byte(rng.Uint32())
		}
		// Favour the specialised opcodes and the prefixes that change
		// the operand and address sizes.
		k := 0
		switch rng.IntN(4) {
		case 0:
			buf[k] = 0x66
			k++
		case 1:
			buf[k] = 0x67
			k++
		}
		if rng.IntN(4) == 0 {
			buf[k] = 0x0F
			k++
		}
		code32 := rng.IntN(4) != 0
		in, err := c.dec.Decode(buf[:], code32)
		if err != nil {
			continue
		}
		info := &c.ops[in.Op]
		if info.pick == nil {
			continue
		}
		fn := info.pick(&in)
		if fn == nil {
			continue
		}
		seen[in.Op]++
		var st State
		st = c.State
		for r := 0; r < 8; r++ {
			st.Regs[r] = rng.Uint32()
			if rng.IntN(2) == 0 {
				st.Regs[r] &= 0xFFFF // in RAM: the fast paths
			}
		}
		st.Regs[ESP] = 0x1000 + rng.Uint32()%(len32(ram)-0x2000)
		st.EIP = 0x1000
		st.SetEFlags(rng.Uint32()&(arithFlags|FlagDF) | FlagIF)
		if !code32 {
			st.Seg[CS].Attr &^= AttrDB
		}
		if rng.IntN(4) == 0 {
			// Limits that some operands and targets exceed: the
			// variants must fault where the generic handlers do.
			for _, seg := range []int{CS, SS, DS, ES} {
				st.Seg[seg].Limit = rng.Uint32() % 0x20000
			}
			st.Seg[CS].Limit |= 0x1100
		}
		ws, wram, wnext, wx := runHandler(c, st, ram, info.fn, &in)
		gs, gram, gnext, gx := runHandler(c, st, ram, fn, &in)
		if gs != ws || gnext != wnext || !bytes.Equal(gram, wram) || (gx == nil) != (wx == nil) || (gx != nil && *gx != *wx) {
			t.Fatalf("% x (code32 %v, op %#x): specialised handler differs from the generic one:\n got  %v flags %#x next %#x exc %v\n want %v flags %#x next %#x exc %v",
				buf[:in.Len], code32, in.Op, gs.Regs, gs.Flags, gnext, gx, ws.Regs, ws.Flags, wnext, wx)
		}
	}
	covered := 0
	for k := range c.ops {
		if c.ops[k].pick != nil && seen[uint16(k)] > 0 {
			covered++
		}
	}
	t.Logf("%d specialised keys exercised", covered)
	for k := range c.ops {
		if c.ops[k].pick != nil && seen[uint16(k)] == 0 {
			t.Errorf("key %#x has a picker but no instruction exercised it", k)
		}
	}
}

func len32(b []byte) uint32 { return uint32(len(b)) }
