package uart

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
	ports := []uint16{COM1Base, COM1Base + 1, COM1Base + 2, COM1Base + 3, COM1Base + 4, COM1Base + 5, COM1Base + 6, COM1Base + 7}

	step := func(d *Port, r *rand.Rand) uint32 {
		if r.IntN(8) == 0 {
			d.Receive([]byte{byte(r.Uint32())})
		}
		p := ports[r.IntN(len(ports))]
		if r.IntN(2) == 0 {
			d.WritePort(p, 1, r.Uint32()&0xFF)
			return 0
		}
		return d.ReadPort(p, 1)
	}
	a := New(COM1Base, COM1IRQ, nil, nil)
	warm := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		step(a, warm)
	}
	b := New(COM1Base, COM1IRQ, nil, nil)
	b.SetState(a.State())
	require.Equal(t, a.State(), b.State())
	ra, rb := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(3, 4))
	for i := range 3000 {
		require.Equal(t, step(a, ra), step(b, rb), "access %d", i)
	}
	require.Equal(t, a.State(), b.State())

	require.NoError(t, a.State().Validate())
	bad := a.State()
	bad.RXHead = FIFOSize
	require.ErrorContains(t, bad.Validate(), "receive FIFO")
}
