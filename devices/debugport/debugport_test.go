package debugport

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bt86/bus"
)

// The interfaces the machine wires this device through.
var (
	_ bus.PortHandler = (*Ports)(nil)
)

func TestPorts(t *testing.T) {
	var out bytes.Buffer
	var posts []uint8
	var exits []int
	p := New(Options{
		Console: &out,
		OnPOST:  func(c uint8) { posts = append(posts, c) },
		Exit:    func(s int) { exits = append(exits, s) },
	})
	b := bus.New()
	require.NoError(t, p.Attach(b))

	tests := []struct {
		name  string
		port  uint16
		size  uint8
		value uint32
	}{
		{"console byte", ConsolePort, 1, 'o'},
		{"console word uses the low byte", ConsolePort, 2, 0x416B},
		{"POST code", POSTPort, 1, 0x55},
		{"I/O delay", POSTPort, 1, 0x00},
		{"exit", ExitPort, 4, 0x10},
	}
	for _, tt := range tests {
		b.Out(tt.port, tt.size, tt.value)
	}
	assert.Equal(t, "ok", out.String())
	assert.Equal(t, []uint8{0x55, 0x00}, posts)
	assert.Equal(t, uint8(0x00), p.POST())
	assert.Equal(t, []int{0x21}, exits)
	assert.Equal(t, uint32(0xE9), b.In(ConsolePort, 1))
	b.Out(POSTPort, 1, 0xAB)
	assert.Equal(t, uint32(0xAB), b.In(POSTPort, 1))
	assert.Equal(t, State{POST: 0xAB}, p.State())
}

func TestMinimal(t *testing.T) {
	p := New(Options{})
	b := bus.New()
	require.NoError(t, p.Attach(b))
	b.Out(ConsolePort, 1, 'x') // discarded
	b.Out(POSTPort, 1, 0x12)
	assert.Equal(t, uint32(0xFF), b.In(ExitPort, 1), "exit port not mapped")
	q := New(Options{ExitPortAt: 0x501, Exit: func(int) {}})
	q.SetState(p.State())
	assert.Equal(t, uint8(0x12), q.POST())
	require.NoError(t, q.Attach(bus.New()))
}

func BenchmarkIODelay(b *testing.B) {
	p := New(Options{})
	for i := 0; i < b.N; i++ {
		p.WritePort(POSTPort, 1, uint32(i))
	}
}
