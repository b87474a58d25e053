package sysctl

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bt86/bus"
)

// The interfaces the machine wires this device through.
var (
	_ bus.PortHandler = (*PortA)(nil)
)

func TestPortA(t *testing.T) {
	tests := []struct {
		name   string
		writes []uint8
		a20    []bool
		resets int
		read   uint8
	}{
		{"power on", nil, nil, 0, 0x00},
		{"fast A20 on", []uint8{0x02}, []bool{true}, 0, 0x02},
		{"fast A20 on and off", []uint8{0x02, 0x02, 0x00}, []bool{true, false}, 0, 0x00},
		{"reset on rising bit 0", []uint8{0x01}, nil, 1, 0x01},
		{"bit 0 held is one reset", []uint8{0x01, 0x03}, []bool{true}, 1, 0x03},
		{"reset again after clearing", []uint8{0x01, 0x00, 0x01}, nil, 2, 0x01},
		{"lock bit stored", []uint8{0x08}, nil, 0, 0x08},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a20 []bool
			resets := 0
			p := New(Callbacks{
				SetA20: func(on bool) { a20 = append(a20, on) },
				Reset:  func() { resets++ },
			})
			b := bus.New()
			require.NoError(t, p.Attach(b))
			for _, w := range tt.writes {
				b.Out(Port, 1, uint32(w))
			}
			assert.Equal(t, tt.a20, a20)
			assert.Equal(t, tt.resets, resets)
			assert.Equal(t, uint32(tt.read), b.In(Port, 1))
			assert.Equal(t, tt.read&BitA20 != 0, p.A20())
		})
	}
}

func TestNilCallbacksAndState(t *testing.T) {
	p := New(Callbacks{})
	p.WritePort(Port, 1, 0x03)
	assert.Equal(t, State{Value: 0x03}, p.State())
	assert.Equal(t, uint32(0xFF03), p.ReadPort(Port, 2))
	q := New(Callbacks{})
	q.SetState(p.State())
	assert.True(t, q.A20())
	q.Reset()
	assert.False(t, q.A20())
}
