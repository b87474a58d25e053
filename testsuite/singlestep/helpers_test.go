package singlestep

import (
	"encoding/binary"
	"errors"
	"os"
	"testing"
)

// --- a test-only MOO encoder: the inverse of Parse, for round trips ---

func appendChunk(dst []byte, tag string, payload []byte) []byte {
	dst = append(dst, tag...)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(payload)))
	return append(dst, payload...)
}

func lenPrefixed(b []byte) []byte {
	out := binary.LittleEndian.AppendUint32(nil, uint32(len(b)))
	return append(out, b...)
}

func encodeState(s *State) []byte {
	regs := binary.LittleEndian.AppendUint16(nil, s.RegMask)
	for r := Reg(0); r < NumRegs; r++ {
		if s.Has(r) {
			regs = binary.LittleEndian.AppendUint16(regs, s.Regs[r])
		}
	}
	ram := binary.LittleEndian.AppendUint32(nil, uint32(len(s.RAM)))
	for _, b := range s.RAM {
		ram = binary.LittleEndian.AppendUint32(ram, b.Addr)
		ram = append(ram, b.Value)
	}
	return appendChunk(appendChunk(nil, "REGS", regs), "RAM ", ram)
}

// encodeMOO serialises f (uncompressed). Header.TestCount is taken from
// len(f.Tests) so the result always parses.
func encodeMOO(f *File) []byte {
	hdr := []byte{f.Header.Major, f.Header.Minor, 0, 0}
	hdr = binary.LittleEndian.AppendUint32(hdr, uint32(len(f.Tests)))
	cpu := []byte(f.Header.CPU + "    ")[:4]
	out := appendChunk(nil, "MOO ", append(hdr, cpu...))
	if m := f.Meta; m != nil {
		p := []byte{m.Major, m.Minor, m.CPUType}
		p = binary.LittleEndian.AppendUint32(p, m.Opcode)
		p = append(p, []byte(m.Mnemonic + "        ")[:8]...)
		p = binary.LittleEndian.AppendUint32(p, m.TestCount)
		p = binary.LittleEndian.AppendUint64(p, m.Seed)
		p = append(p, m.Mode, 0, 0, 0)
		out = appendChunk(out, "META", p)
	}
	for i := range f.Tests {
		t := &f.Tests[i]
		p := binary.LittleEndian.AppendUint32(nil, t.Index)
		p = appendChunk(p, "GMET", make([]byte, 10)) // ignored by the parser
		if t.Name != "" {
			p = appendChunk(p, "NAME", lenPrefixed([]byte(t.Name)))
		}
		if len(t.Bytes) > 0 {
			p = appendChunk(p, "BYTS", lenPrefixed(t.Bytes))
		}
		p = appendChunk(p, "INIT", encodeState(&t.Init))
		p = appendChunk(p, "FINA", encodeState(&t.Final))
		if len(t.Cycles) > 0 {
			c := binary.LittleEndian.AppendUint32(nil, uint32(len(t.Cycles)/15))
			p = appendChunk(p, "CYCL", append(c, t.Cycles...))
		}
		if e := t.Exception; e != nil {
			p = appendChunk(p, "EXCP", binary.LittleEndian.AppendUint32([]byte{e.Vector}, e.FlagsAddr))
		}
		if t.HasHash {
			p = appendChunk(p, "HASH", t.Hash[:])
		}
		out = appendChunk(out, "TEST", p)
	}
	return out
}

// --- building tests by hand ---

// fullState returns a State with all 14 registers and the given RAM.
func fullState(r Regs16, ram ...RAMByte) State {
	s := State{RegMask: 1<<NumRegs - 1, RAM: ram}
	for i := Reg(0); i < NumRegs; i++ {
		s.Regs[i] = r.Get(i)
	}
	return s
}

// partialState returns a State holding only the given registers.
func partialState(regs map[Reg]uint16, ram ...RAMByte) State {
	s := State{RAM: ram}
	for r, v := range regs {
		s.RegMask |= 1 << r
		s.Regs[r] = v
	}
	return s
}

// codeAt returns RAM bytes placing code at CS:IP of r.
func codeAt(r Regs16, code ...byte) []RAMByte {
	base := uint32(r.CS)<<4 + uint32(r.IP)
	ram := make([]RAMByte, len(code))
	for i, b := range code {
		ram[i] = RAMByte{base + uint32(i), b}
	}
	return ram
}

// --- fake targets ---

// fakeCPU is a Target with map-backed RAM whose "execution" is a behaviour
// function. It records what the runner did to it.
type fakeCPU struct {
	ram       map[uint32]byte
	regs      Regs16
	behave    func(c *fakeCPU) error
	resets    []Regs16 // registers passed to each Reset
	dirtySeen []int    // non-zero RAM bytes present at each RunUntilHalt
}

func newFake(behave func(c *fakeCPU) error) *fakeCPU {
	return &fakeCPU{ram: map[uint32]byte{}, behave: behave}
}

func (c *fakeCPU) Reset(r Regs16) { c.regs = r; c.resets = append(c.resets, r) }
func (c *fakeCPU) Regs() Regs16   { return c.regs }
func (c *fakeCPU) WriteRAM(addr uint32, v byte) {
	addr &= 16<<20 - 1
	if v == 0 {
		delete(c.ram, addr)
		return
	}
	c.ram[addr] = v
}
func (c *fakeCPU) ReadRAM(addr uint32) byte { return c.ram[addr&(16<<20-1)] }
func (c *fakeCPU) RunUntilHalt(max int) error {
	c.dirtySeen = append(c.dirtySeen, len(c.ram))
	if c.behave == nil {
		return nil
	}
	return c.behave(c)
}

// oracle knows the expected outcome of a set of tests and applies it: a
// perfect CPU for those tests. It finds the running test from the
// registers and the code bytes at CS:IP.
type oracle struct {
	byKey map[oracleKey]*Test
}

type oracleKey struct {
	regs Regs16
	code [16]byte
}

func newOracle(tests ...*Test) *oracle {
	o := &oracle{byKey: make(map[oracleKey]*Test, len(tests))}
	for _, t := range tests {
		k := oracleKey{regs: initialRegs(t)}
		base := uint32(k.regs.CS)<<4 + uint32(k.regs.IP)
		for _, b := range t.Init.RAM {
			if d := b.Addr - base; b.Addr >= base && d < uint32(len(k.code)) {
				k.code[d] = b.Value
			}
		}
		o.byKey[k] = t
	}
	return o
}

// apply makes c's state the expected final state of its current test.
func (o *oracle) apply(c *fakeCPU) (*Test, error) {
	k := oracleKey{regs: c.regs}
	base := uint32(c.regs.CS)<<4 + uint32(c.regs.IP)
	for i := range k.code {
		k.code[i] = c.ReadRAM(base + uint32(i))
	}
	t, ok := o.byKey[k]
	if !ok {
		return nil, errors.New("oracle: unknown test")
	}
	for i := Reg(0); i < NumRegs; i++ {
		if t.Final.Has(i) {
			c.regs.Set(i, t.Final.Regs[i])
		}
	}
	for _, b := range t.Final.RAM {
		c.WriteRAM(b.Addr, b.Value)
	}
	return t, nil
}

// behave returns a fakeCPU behaviour: the oracle, then mutate (may be nil).
func (o *oracle) behave(mutate func(c *fakeCPU, t *Test) error) func(c *fakeCPU) error {
	return func(c *fakeCPU) error {
		t, err := o.apply(c)
		if err != nil || mutate == nil {
			return err
		}
		return mutate(c, t)
	}
}

// dataDir returns the real vectors' folder or skips the test.
func dataDir(t testing.TB) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := FindDataDir(wd)
	var missing *MissingDataError
	if errors.As(err, &missing) {
		t.Skipf("skipping: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
