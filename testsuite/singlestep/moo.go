package singlestep

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math/bits"
	"os"
	"path/filepath"
	"strings"
)

// maxDecompressed bounds the size of one decompressed MOO file (a full
// 10,000-test SingleStepTests file is a few MiB), so a corrupt or hostile
// gzip stream cannot exhaust memory.
const maxDecompressed = 1 << 30

// Reg names one of the 14 registers of a MOO REGS chunk, in bitmask order.
type Reg uint8

// The registers in MOO bitmask order (bit 0 = AX ... bit 13 = FLAGS).
const (
	RegAX Reg = iota
	RegBX
	RegCX
	RegDX
	RegCS
	RegSS
	RegDS
	RegES
	RegSP
	RegBP
	RegSI
	RegDI
	RegIP
	RegFlags
	NumRegs = 14
)

// String returns the register's name in capitals ("AX", "FLAGS").
func (r Reg) String() string {
	switch r {
	case RegAX:
		return "AX"
	case RegBX:
		return "BX"
	case RegCX:
		return "CX"
	case RegDX:
		return "DX"
	case RegCS:
		return "CS"
	case RegSS:
		return "SS"
	case RegDS:
		return "DS"
	case RegES:
		return "ES"
	case RegSP:
		return "SP"
	case RegBP:
		return "BP"
	case RegSI:
		return "SI"
	case RegDI:
		return "DI"
	case RegIP:
		return "IP"
	case RegFlags:
		return "FLAGS"
	}
	return fmt.Sprintf("Reg(%d)", uint8(r))
}

// File is one parsed MOO file: the tests for one opcode (or one opcode and
// ModRM reg field).
type File struct {
	Header Header
	Meta   *Meta // nil when the file has no META chunk
	Tests  []Test
}

// Header is the "MOO " chunk.
type Header struct {
	Major, Minor uint8
	TestCount    uint32
	CPU          string // 4 characters, "C286"
}

// Meta is the META chunk.
type Meta struct {
	Major, Minor uint8
	CPUType      uint8
	Opcode       uint32
	Mnemonic     string // trailing spaces removed
	TestCount    uint32
	Seed         uint64
	Mode         uint8 // 0 = real mode
}

// Test is one TEST chunk.
type Test struct {
	Index uint32
	Name  string // disassembly, e.g. "add [bx+0Eh],bl"
	Bytes []byte // instruction bytes as generated (the HLT that follows included)
	Init  State
	Final State
	// Exception is non-nil when the instruction raised an exception or
	// interrupt (EXCP chunk).
	Exception *Exception
	Hash      [20]byte
	HasHash   bool
	// Cycles holds the raw CYCL records (15 bytes each) when parsed with
	// ParseOptions.Cycles; nil otherwise.
	Cycles []byte
}

// HashString returns the test's SHA-1 as lower-case hex, the form the
// revocation list uses ("" when the test has no HASH chunk).
func (t *Test) HashString() string {
	if !t.HasHash {
		return ""
	}
	return hex.EncodeToString(t.Hash[:])
}

// State is an INIT or FINA chunk.
type State struct {
	// RegMask has bit i set when register Reg(i) is present in Regs.
	RegMask uint16
	Regs    [NumRegs]uint16
	RAM     []RAMByte
}

// Has reports whether the state gives register r.
func (s *State) Has(r Reg) bool { return s.RegMask>>r&1 != 0 }

// RAMByte is one entry of a RAM chunk.
type RAMByte struct {
	Addr  uint32 // physical address
	Value byte
}

// Exception is the EXCP chunk.
type Exception struct {
	Vector uint8
	// FlagsAddr is the physical address of the FLAGS word the exception
	// pushed (its low byte; the high byte is at FlagsAddr+1).
	FlagsAddr uint32
}

// ParseError describes corrupt MOO input.
type ParseError struct {
	Offset int    // byte offset in the decompressed stream
	Tag    string // chunk being parsed, "" at the top level
	Test   int    // index of the TEST chunk in the file, -1 outside tests
	Msg    string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "moo: offset %#x", e.Offset)
	if e.Test >= 0 {
		fmt.Fprintf(&b, ": test #%d", e.Test)
	}
	if e.Tag != "" {
		fmt.Fprintf(&b, ": %q", e.Tag)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// ParseOptions tunes Parse.
type ParseOptions struct {
	// Cycles keeps each test's raw CYCL records (about half of the data;
	// off by default).
	Cycles bool
}

// ReadFile reads and parses one MOO file (gzip-compressed or raw).
func ReadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return f, nil
}

// Parse parses a MOO file, gzip-compressed or raw.
func Parse(data []byte) (*File, error) { return ParseOptions{}.Parse(data) }

// Parse parses a MOO file, gzip-compressed or raw, with these options.
func (o ParseOptions) Parse(data []byte) (*File, error) {
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		raw, err := gunzip(data)
		if err != nil {
			return nil, err
		}
		data = raw
	}
	p := parser{buf: data, opt: o, test: -1}
	return p.file()
}

func gunzip(data []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("moo: gzip: %w", err)
	}
	defer zr.Close()
	// The gzip trailer's ISIZE is the uncompressed size mod 2^32 (of the
	// last member only): a good capacity hint, never trusted beyond that.
	hint := 0
	if len(data) >= 4 {
		hint = int(binary.LittleEndian.Uint32(data[len(data)-4:]))
	}
	if hint <= 0 || hint > 64<<20 {
		hint = 4 * len(data)
	}
	var out bytes.Buffer
	out.Grow(hint + bytes.MinRead)
	n, err := out.ReadFrom(io.LimitReader(zr, maxDecompressed+1))
	if err != nil {
		return nil, fmt.Errorf("moo: gzip: %w", err)
	}
	if n > maxDecompressed {
		return nil, fmt.Errorf("moo: gzip: decompressed size exceeds %d bytes", maxDecompressed)
	}
	return out.Bytes(), nil
}

// parser walks a decompressed MOO stream. Every read is bounds-checked.
type parser struct {
	buf  []byte
	opt  ParseOptions
	test int // index of the TEST chunk being parsed, -1 outside
	// arenas: tests of one file share backing arrays (fewer allocations).
	ramArena  []RAMByte
	byteArena []byte
}

func (p *parser) errf(off int, tag, format string, args ...any) error {
	return &ParseError{Offset: off, Tag: tag, Test: p.test, Msg: fmt.Sprintf(format, args...)}
}

// chunk reads a chunk header at off within [off, end) and returns its tag,
// payload bounds and the offset of the next chunk.
func (p *parser) chunk(off, end int) (tag string, start, stop int, err error) {
	if end-off < 8 {
		return "", 0, 0, p.errf(off, "", "truncated chunk header (%d bytes left)", end-off)
	}
	tag = string(p.buf[off : off+4])
	n := uint64(binary.LittleEndian.Uint32(p.buf[off+4:]))
	start = off + 8
	if n > uint64(end-start) {
		return tag, 0, 0, p.errf(off, tag, "length %d exceeds the %d bytes left", n, end-start)
	}
	return tag, start, start + int(n), nil
}

func (p *parser) file() (*File, error) {
	f := &File{}
	off, end := 0, len(p.buf)
	if end == 0 {
		return nil, p.errf(0, "", "empty input")
	}
	sawHeader := false
	for off < end {
		tag, start, stop, err := p.chunk(off, end)
		if err != nil {
			return nil, err
		}
		payload := p.buf[start:stop]
		if !sawHeader && tag != "MOO " {
			return nil, p.errf(off, tag, "file does not start with a \"MOO \" chunk")
		}
		switch tag {
		case "MOO ":
			if sawHeader {
				return nil, p.errf(off, tag, "duplicate header")
			}
			sawHeader = true
			if len(payload) < 12 {
				return nil, p.errf(off, tag, "header is %d bytes, want 12", len(payload))
			}
			f.Header = Header{
				Major:     payload[0],
				Minor:     payload[1],
				TestCount: binary.LittleEndian.Uint32(payload[4:]),
				CPU:       string(payload[8:12]),
			}
			// Reserve the arenas from the announced count, bounded by what
			// the remaining input could possibly hold.
			if c := uint64(f.Header.TestCount); c > 0 && c <= uint64(end-stop)/8 {
				f.Tests = make([]Test, 0, c)
				p.ramArena = make([]RAMByte, 0, c*20)
				p.byteArena = make([]byte, 0, c*8)
			}
		case "META":
			if f.Meta != nil {
				return nil, p.errf(off, tag, "duplicate META")
			}
			if len(payload) < 28 {
				return nil, p.errf(off, tag, "META is %d bytes, want at least 28", len(payload))
			}
			f.Meta = &Meta{
				Major:     payload[0],
				Minor:     payload[1],
				CPUType:   payload[2],
				Opcode:    binary.LittleEndian.Uint32(payload[3:]),
				Mnemonic:  strings.TrimRight(string(payload[7:15]), " \x00"),
				TestCount: binary.LittleEndian.Uint32(payload[15:]),
				Seed:      binary.LittleEndian.Uint64(payload[19:]),
				Mode:      payload[27],
			}
		case "TEST":
			p.test = len(f.Tests)
			t, err := p.testChunk(start, stop)
			if err != nil {
				return nil, err
			}
			p.test = -1
			f.Tests = append(f.Tests, t)
		default:
			// Unknown chunk: skipped by length.
		}
		off = stop
	}
	if uint64(len(f.Tests)) != uint64(f.Header.TestCount) {
		return nil, p.errf(end, "", "header announces %d tests, file holds %d", f.Header.TestCount, len(f.Tests))
	}
	return f, nil
}

func (p *parser) testChunk(start, stop int) (Test, error) {
	var t Test
	if stop-start < 4 {
		return t, p.errf(start, "TEST", "payload is %d bytes, want at least 4", stop-start)
	}
	t.Index = binary.LittleEndian.Uint32(p.buf[start:])
	var seenInit, seenFinal, seenName, seenBytes, seenExcp, seenCycles bool
	dup := func(seen *bool, off int, tag string) error {
		if *seen {
			return p.errf(off, tag, "duplicate chunk")
		}
		*seen = true
		return nil
	}
	for off := start + 4; off < stop; {
		tag, s, e, err := p.chunk(off, stop)
		if err != nil {
			return t, err
		}
		payload := p.buf[s:e]
		switch tag {
		case "NAME":
			if err := dup(&seenName, off, tag); err != nil {
				return t, err
			}
			b, err := p.lengthPrefixed(off, tag, payload)
			if err != nil {
				return t, err
			}
			t.Name = string(b)
		case "BYTS":
			if err := dup(&seenBytes, off, tag); err != nil {
				return t, err
			}
			b, err := p.lengthPrefixed(off, tag, payload)
			if err != nil {
				return t, err
			}
			if len(b) > 0 {
				n := len(p.byteArena)
				p.byteArena = append(p.byteArena, b...)
				t.Bytes = p.byteArena[n:len(p.byteArena):len(p.byteArena)]
			}
		case "INIT":
			if err := dup(&seenInit, off, tag); err != nil {
				return t, err
			}
			if t.Init, err = p.state(s, e, tag); err != nil {
				return t, err
			}
		case "FINA":
			if err := dup(&seenFinal, off, tag); err != nil {
				return t, err
			}
			if t.Final, err = p.state(s, e, tag); err != nil {
				return t, err
			}
		case "EXCP":
			if err := dup(&seenExcp, off, tag); err != nil {
				return t, err
			}
			if len(payload) != 5 {
				return t, p.errf(off, tag, "payload is %d bytes, want 5", len(payload))
			}
			t.Exception = &Exception{Vector: payload[0], FlagsAddr: binary.LittleEndian.Uint32(payload[1:])}
		case "HASH":
			if err := dup(&t.HasHash, off, tag); err != nil {
				return t, err
			}
			if len(payload) != 20 {
				return t, p.errf(off, tag, "payload is %d bytes, want 20", len(payload))
			}
			copy(t.Hash[:], payload)
		case "CYCL":
			if err := dup(&seenCycles, off, tag); err != nil {
				return t, err
			}
			if len(payload) < 4 {
				return t, p.errf(off, tag, "payload is %d bytes, want at least 4", len(payload))
			}
			n := uint64(binary.LittleEndian.Uint32(payload))
			if n*15 != uint64(len(payload)-4) {
				return t, p.errf(off, tag, "%d records need %d bytes, payload holds %d", n, n*15, len(payload)-4)
			}
			if p.opt.Cycles && n > 0 {
				t.Cycles = append([]byte(nil), payload[4:]...)
			}
		default:
			// GMET (generator metadata) and unknown chunks: skipped.
		}
		off = e
	}
	if !seenInit || !seenFinal {
		return t, p.errf(start, "TEST", "test %d lacks INIT or FINA", t.Index)
	}
	return t, nil
}

// lengthPrefixed decodes a u32 length followed by exactly that many bytes.
func (p *parser) lengthPrefixed(off int, tag string, payload []byte) ([]byte, error) {
	if len(payload) < 4 {
		return nil, p.errf(off, tag, "payload is %d bytes, want at least 4", len(payload))
	}
	n := uint64(binary.LittleEndian.Uint32(payload))
	if n != uint64(len(payload)-4) {
		return nil, p.errf(off, tag, "length field %d, payload holds %d", n, len(payload)-4)
	}
	return payload[4:], nil
}

func (p *parser) state(start, stop int, parent string) (State, error) {
	var st State
	var seenRegs, seenRAM bool
	for off := start; off < stop; {
		tag, s, e, err := p.chunk(off, stop)
		if err != nil {
			return st, err
		}
		payload := p.buf[s:e]
		switch tag {
		case "REGS":
			if seenRegs {
				return st, p.errf(off, parent+"/"+tag, "duplicate chunk")
			}
			seenRegs = true
			if len(payload) < 2 {
				return st, p.errf(off, parent+"/"+tag, "payload is %d bytes, want at least 2", len(payload))
			}
			mask := binary.LittleEndian.Uint16(payload)
			if mask>>NumRegs != 0 {
				return st, p.errf(off, parent+"/"+tag, "register mask %#04x has bits above FLAGS", mask)
			}
			if want := 2 + 2*bits.OnesCount16(mask); len(payload) != want {
				return st, p.errf(off, parent+"/"+tag, "mask %#04x needs %d bytes, payload holds %d", mask, want, len(payload))
			}
			st.RegMask = mask
			k := 2
			for r := Reg(0); r < NumRegs; r++ {
				if mask>>r&1 != 0 {
					st.Regs[r] = binary.LittleEndian.Uint16(payload[k:])
					k += 2
				}
			}
		case "RAM ":
			if seenRAM {
				return st, p.errf(off, parent+"/"+tag, "duplicate chunk")
			}
			seenRAM = true
			if len(payload) < 4 {
				return st, p.errf(off, parent+"/"+tag, "payload is %d bytes, want at least 4", len(payload))
			}
			n := uint64(binary.LittleEndian.Uint32(payload))
			if n*5 != uint64(len(payload)-4) {
				return st, p.errf(off, parent+"/"+tag, "%d entries need %d bytes, payload holds %d", n, n*5, len(payload)-4)
			}
			if n == 0 {
				break
			}
			first := len(p.ramArena)
			for i := 4; i < len(payload); i += 5 {
				p.ramArena = append(p.ramArena, RAMByte{
					Addr:  binary.LittleEndian.Uint32(payload[i:]),
					Value: payload[i+4],
				})
			}
			st.RAM = p.ramArena[first:len(p.ramArena):len(p.ramArena)]
		default:
			// Unknown (e.g. a prefetch queue chunk of other CPUs): skipped.
		}
		off = e
	}
	return st, nil
}
