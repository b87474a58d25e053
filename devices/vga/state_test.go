package vga

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStateRoundTrip drives a device with random port accesses, moves
// its State into a new device with SetState, and drives both the same
// way: every read and the final States must agree, so State holds all
// the guest-visible state.
func TestStateRoundTrip(t *testing.T) {
	ports := []uint16{PortFirst, PortFirst + 1, 0x3C4, 0x3C5, 0x3C7, 0x3C8, 0x3C9, 0x3CE, 0x3CF, 0x3D4, 0x3D5, 0x3DA}

	step := func(d *Adapter, r *rand.Rand) uint32 {
		if r.IntN(8) == 0 {
			d.WriteMMIO(uint64(r.IntN(MemSize)), 1, uint64(r.Uint32()&0xFF))
		}
		p := ports[r.IntN(len(ports))]
		if r.IntN(2) == 0 {
			d.WritePort(p, 1, r.Uint32()&0xFF)
			return 0
		}
		return d.ReadPort(p, 1)
	}
	a := New()
	warm := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		step(a, warm)
	}
	b := New()
	b.SetState(a.State())
	require.Equal(t, a.State(), b.State())
	ra, rb := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(3, 4))
	for i := range 3000 {
		require.Equal(t, step(a, ra), step(b, rb), "access %d", i)
	}
	require.Equal(t, a.State(), b.State())

	require.NoError(t, a.State().Validate())
	bad := a.State()
	bad.DACComp = 3
	require.ErrorContains(t, bad.Validate(), "DAC component")
}
