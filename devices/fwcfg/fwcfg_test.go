package fwcfg

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"bt86/bus"
)

func read(b *bus.Bus, key uint16, n int) []byte {
	b.Out(SelectorPort, 2, uint32(key))
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(b.In(DataPort, 1))
	}
	return out
}

func TestDevice(t *testing.T) {
	d := New()
	b := bus.New()
	require.NoError(t, d.Attach(b))
	require.NoError(t, d.AddFile("vgaroms/vgabios.bin", []byte{0x55, 0xAA, 1}))
	require.NoError(t, d.AddFile("etc/a", []byte("xy")))
	require.NoError(t, d.SetEntry(KeyNbCPUs, []byte{1, 0}))

	require.Equal(t, []byte("QEMU\x00"), read(b, KeySignature, 5), "zero past the end")
	require.Equal(t, []byte{1, 0, 0, 0}, read(b, KeyID, 4))
	require.Equal(t, []byte{1, 0}, read(b, KeyNbCPUs, 2))
	require.Equal(t, []byte{0, 0}, read(b, 0x1234, 2), "absent key")

	dir := read(b, KeyFileDir, 4+2*64)
	require.Equal(t, uint32(2), binary.BigEndian.Uint32(dir))
	type entry struct {
		size uint32
		key  uint16
		name string
	}
	var got []entry
	for i := 0; i < 2; i++ {
		e := dir[4+64*i:]
		name := string(e[8:64])
		for j, c := range name {
			if c == 0 {
				name = name[:j]
				break
			}
		}
		got = append(got, entry{binary.BigEndian.Uint32(e), binary.BigEndian.Uint16(e[4:]), name})
	}
	require.Equal(t, []entry{{2, 0x21, "etc/a"}, {3, 0x20, "vgaroms/vgabios.bin"}}, got, "sorted by name")
	require.Equal(t, []byte{0x55, 0xAA, 1}, read(b, 0x20, 3))

	// Wide reads, selector read-back, reselect rewinds.
	b.Out(SelectorPort, 2, KeySignature)
	require.Equal(t, uint32(0x554D4551), b.In(DataPort, 4))
	require.Equal(t, uint32(KeySignature), b.In(SelectorPort, 2))
	b.Out(SelectorPort, 2, KeySignature)
	require.Equal(t, uint32('Q'), b.In(DataPort, 1))

	for _, tc := range []struct {
		name string
		err  error
	}{
		{"dup", d.AddFile("etc/a", nil)},
		{"empty name", d.AddFile("", nil)},
		{"long name", d.AddFile(string(make([]byte, 56)), nil)},
		{"fixed key", d.SetEntry(KeyFileDir, nil)},
		{"file key", d.SetEntry(0x20, nil)},
	} {
		require.Error(t, tc.err, tc.name)
	}
}

// FuzzPorts: random port traffic never panics.
func FuzzPorts(f *testing.F) {
	f.Add([]byte{1, 0x19, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		d := New()
		if err := d.AddFile("f", []byte{1, 2, 3}); err != nil {
			t.Fatal(err)
		}
		b := bus.New()
		if err := d.Attach(b); err != nil {
			t.Fatal(err)
		}
		for len(data) >= 2 {
			op, v := data[0], data[1]
			data = data[2:]
			port := uint16(SelectorPort) + uint16(op&1)
			size := uint8(1) << (op >> 1 & 3 % 3)
			if op&0x80 != 0 {
				b.Out(port, size, uint32(v)|uint32(op&0x70)<<4)
			} else {
				b.In(port, size)
			}
		}
	})
}
