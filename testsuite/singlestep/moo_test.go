package singlestep

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSample(t *testing.T) {
	f, err := ReadFile(filepath.Join("testdata", "sample.MOO.gz"))
	require.NoError(t, err)

	assert.Equal(t, Header{Major: 1, Minor: 0, TestCount: 3, CPU: "C286"}, f.Header)
	require.NotNil(t, f.Meta)
	assert.Equal(t, Meta{Major: 1, Minor: 0, CPUType: 6, Opcode: 0, Mnemonic: "add",
		TestCount: 1000, Seed: 0xdeadbeef, Mode: 0}, *f.Meta)
	require.Len(t, f.Tests, 3)

	t0 := &f.Tests[0]
	assert.Equal(t, uint32(0), t0.Index)
	assert.Equal(t, "add [bx+0Eh],bl", t0.Name)
	assert.Equal(t, []byte{0x00, 0x5f, 0x0e, 0xf4}, t0.Bytes)
	assert.Equal(t, Regs16{AX: 0x02cb, BX: 0x6823, CX: 0xc18c, DX: 0xfab5, CS: 0xffff, SS: 0xa0d7,
		DS: 0xffff, ES: 0xabdc, SP: 0x9b59, BP: 0xffff, SI: 0x89be, DI: 0x8749, IP: 0x94b8, Flags: 0x1893},
		regsFromArray(&t0.Init.Regs))
	assert.Equal(t, uint16(0x3fff), t0.Init.RegMask)
	assert.Len(t, t0.Init.RAM, 11)
	assert.Equal(t, RAMByte{0x1094a8, 0x00}, t0.Init.RAM[0])
	assert.Equal(t, RAMByte{0x106821, 0xde}, t0.Init.RAM[10])
	assert.Equal(t, uint16(1<<RegIP|1<<RegFlags), t0.Final.RegMask)
	assert.Equal(t, uint16(0x94bc), t0.Final.Regs[RegIP])
	assert.Equal(t, uint16(0x0013), t0.Final.Regs[RegFlags])
	assert.True(t, t0.Final.Has(RegFlags))
	assert.False(t, t0.Final.Has(RegAX))
	assert.Equal(t, []RAMByte{{0x106821, 0x01}}, t0.Final.RAM)
	assert.Nil(t, t0.Exception)
	assert.Equal(t, "626be5084b331080eb08256c12a62d24afdf2a03", t0.HashString())
	assert.Nil(t, t0.Cycles, "cycles are dropped by default")

	t2 := &f.Tests[2] // 01.MOO.gz #55: add [si],ax at SI=FFFF raises interrupt 13
	assert.Equal(t, uint32(55), t2.Index)
	assert.Equal(t, "add [si],ax", t2.Name)
	require.NotNil(t, t2.Exception)
	assert.Equal(t, Exception{Vector: 13, FlagsAddr: 0x90050}, *t2.Exception)
	assert.Equal(t, []RAMByte{{0x90050, 0x82}, {0x90051, 0x0c}, {0x9004e, 0x31}, {0x9004f, 0x02},
		{0x9004c, 0x08}, {0x9004d, 0x56}}, t2.Final.RAM)
}

func TestParseKeepsCycles(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "sample.MOO.gz"))
	require.NoError(t, err)
	f, err := ParseOptions{Cycles: true}.Parse(data)
	require.NoError(t, err)
	for _, tc := range f.Tests {
		assert.NotEmpty(t, tc.Cycles)
		assert.Zero(t, len(tc.Cycles)%15)
	}
}

func TestParseRawAndGzipAgree(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "sample.MOO.gz"))
	require.NoError(t, err)
	zr, err := gzip.NewReader(bytes.NewReader(data))
	require.NoError(t, err)
	var raw bytes.Buffer
	_, err = raw.ReadFrom(zr)
	require.NoError(t, err)

	fromGzip, err := Parse(data)
	require.NoError(t, err)
	fromRaw, err := Parse(raw.Bytes())
	require.NoError(t, err)
	assert.Equal(t, fromGzip, fromRaw)
}

func TestParseRoundTrip(t *testing.T) {
	f, err := ReadFile(filepath.Join("testdata", "sample.MOO.gz"))
	require.NoError(t, err)
	again, err := Parse(encodeMOO(f))
	require.NoError(t, err)
	assert.Equal(t, f, again)
}

// synthetic returns a valid one-test file for the corruption table.
func synthetic() *File {
	r := Regs16{CS: 0x1000, IP: 0x10, Flags: 0x0002}
	return &File{
		Header: Header{Major: 1, CPU: "C286"},
		Tests: []Test{{
			Index: 7, Name: "nop", Bytes: []byte{0x90, 0xf4},
			Init:  fullState(r, codeAt(r, 0x90, 0xf4)...),
			Final: partialState(map[Reg]uint16{RegIP: 0x12}),
		}},
	}
}

// mutate returns a copy of data with b written at off.
func mutate(data []byte, off int, b ...byte) []byte {
	out := append([]byte(nil), data...)
	copy(out[off:], b)
	return out
}

func TestParseErrors(t *testing.T) {
	good := encodeMOO(synthetic())
	_, err := Parse(good)
	require.NoError(t, err)
	// Layout of good: "MOO " hdr (8+12) | "TEST" hdr (8) | index (4) | GMET (8+10) | NAME ...
	const testAt = 20
	const gmetAt = testAt + 12
	const nameAt = gmetAt + 18

	le32 := func(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
	withTest := func(mod func(tc *Test)) []byte {
		f := synthetic()
		mod(&f.Tests[0])
		return encodeMOO(f)
	}
	rawTest := func(sub ...[]byte) []byte {
		p := le32(0)
		for _, s := range sub {
			p = append(p, s...)
		}
		hdr := append([]byte{1, 0, 0, 0}, le32(1)...)
		return appendChunk(appendChunk(nil, "MOO ", append(hdr, "C286"...)), "TEST", p)
	}
	state := encodeState(&State{RegMask: 1, Regs: [NumRegs]uint16{1}})

	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty input"},
		{"short chunk header", []byte("MOO "), "truncated chunk header"},
		{"not MOO", appendChunk(nil, "XXXX", nil), `does not start with a "MOO " chunk`},
		{"header too short", appendChunk(nil, "MOO ", []byte{1, 0}), "header is 2 bytes"},
		{"chunk length past end", mutate(good, 4, 0xff, 0xff, 0, 0), "exceeds"},
		{"test count mismatch", mutate(good, 12, 2), "header announces 2 tests, file holds 1"},
		{"duplicate header", append(append([]byte(nil), good...), good[:testAt]...), "duplicate header"},
		{"sub-chunk length past test", mutate(good, gmetAt+4, 0xff), "exceeds"},
		{"name length field wrong", mutate(good, nameAt+8, 9), "length field 9"},
		{"test without FINA", rawTest(appendChunk(nil, "INIT", state)), "lacks INIT or FINA"},
		{"test too short", appendChunk(appendChunk(nil, "MOO ", append([]byte{1, 0, 0, 0, 1, 0, 0, 0}, "C286"...)), "TEST", []byte{1}), "want at least 4"},
		{"regs mask above FLAGS", rawTest(appendChunk(nil, "INIT", appendChunk(nil, "REGS", []byte{0, 0x40}))), "bits above FLAGS"},
		{"regs payload short", rawTest(appendChunk(nil, "INIT", appendChunk(nil, "REGS", []byte{3, 0, 1, 0}))), "needs 6 bytes"},
		{"ram count too big", rawTest(appendChunk(nil, "INIT", appendChunk(nil, "RAM ", le32(1<<30)))), "entries need"},
		{"duplicate REGS", rawTest(appendChunk(nil, "INIT", append(append([]byte(nil), state...), state...))), "duplicate chunk"},
		{"duplicate INIT", rawTest(appendChunk(nil, "INIT", state), appendChunk(nil, "INIT", state)), "duplicate chunk"},
		{"excp wrong size", rawTest(appendChunk(nil, "EXCP", []byte{1, 2})), "want 5"},
		{"hash wrong size", rawTest(appendChunk(nil, "HASH", []byte{1, 2})), "want 20"},
		{"cycles not whole records", rawTest(appendChunk(nil, "CYCL", append(le32(1), 1, 2))), "records need"},
		{"meta too short", mutate(encodeMOO(&File{Header: Header{CPU: "C286"}, Meta: &Meta{}}), 20+4, 3), "want at least 28"},
		{"bad gzip", []byte{0x1f, 0x8b, 0, 0}, "gzip"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse(tc.data)
			require.Error(t, err)
			assert.Nil(t, f)
			assert.Contains(t, err.Error(), tc.want)
		})
	}

	t.Run("unknown chunks are skipped", func(t *testing.T) {
		data := append(append([]byte(nil), good...), appendChunk(nil, "ZZZZ", []byte{1, 2, 3})...)
		f, err := Parse(data)
		require.NoError(t, err)
		assert.Len(t, f.Tests, 1)
		// An unknown sub-chunk inside a test and inside a state, too.
		data = rawTest(appendChunk(nil, "INIT", append(appendChunk(nil, "QUEU", []byte{9}), state...)),
			appendChunk(nil, "FINA", state), appendChunk(nil, "ZZZZ", nil))
		f, err = Parse(data)
		require.NoError(t, err)
		assert.Equal(t, uint16(1), f.Tests[0].Init.Regs[RegAX])
	})
	t.Run("errors are ParseErrors", func(t *testing.T) {
		_, err := Parse(withTest(func(tc *Test) {}))
		require.NoError(t, err)
		_, err = Parse(mutate(good, nameAt+8, 9))
		var pe *ParseError
		require.True(t, errors.As(err, &pe))
		assert.Equal(t, 0, pe.Test)
		assert.Equal(t, "NAME", pe.Tag)
	})
}

func TestRegNames(t *testing.T) {
	for r, want := range []string{"AX", "BX", "CX", "DX", "CS", "SS", "DS", "ES", "SP", "BP", "SI", "DI", "IP", "FLAGS"} {
		assert.Equal(t, want, Reg(r).String())
	}
	assert.Equal(t, "Reg(14)", Reg(14).String())
	var r Regs16
	for i := Reg(0); i < NumRegs; i++ {
		r.Set(i, uint16(i)+1)
	}
	assert.Equal(t, Regs16{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}, r)
}

func TestStem(t *testing.T) {
	for in, want := range map[string]string{
		"00.MOO.gz": "00", "80.1.MOO.gz": "80.1", "/x/y/FF.6.MOO.gz": "FF.6", "C0.MOO": "C0", "0F01.4.moo.gz": "0F01.4",
	} {
		assert.Equal(t, want, Stem(in), in)
	}
}
