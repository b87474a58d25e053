package debugport

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
	ports := []uint16{POSTPort, ConsolePort}

	step := func(d *Ports, r *rand.Rand) uint32 {

		p := ports[r.IntN(len(ports))]
		if r.IntN(2) == 0 {
			d.WritePort(p, 1, r.Uint32()&0xFF)
			return 0
		}
		return d.ReadPort(p, 1)
	}
	a := New(Options{})
	warm := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		step(a, warm)
	}
	b := New(Options{})
	b.SetState(a.State())
	require.Equal(t, a.State(), b.State())
	ra, rb := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(3, 4))
	for i := range 3000 {
		require.Equal(t, step(a, ra), step(b, rb), "access %d", i)
	}
	require.Equal(t, a.State(), b.State())

}
