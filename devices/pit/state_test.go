package pit

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"bt86/clock"
)

// TestStateRandomRoundTrip drives a timer with random port accesses as
// time passes, moves its State into a new timer with SetState, and drives
// both the same way: every read, deadline and the final States must
// agree, so State holds all the guest-visible state.
func TestStateRandomRoundTrip(t *testing.T) {
	ports := []uint16{BasePort, BasePort + 1, BasePort + 2, ControlPort, PortB}
	step := func(d *Timer, clk *clock.Clock, r *rand.Rand) uint64 {
		clk.Advance(clock.Time(r.IntN(20_000)))
		if dl := d.Deadline(); dl <= clk.Now() {
			d.Tick(clk.Now())
		}
		p := ports[r.IntN(len(ports))]
		if r.IntN(2) == 0 {
			d.WritePort(p, 1, r.Uint32()&0xFF)
			return uint64(d.Deadline())
		}
		return uint64(d.ReadPort(p, 1))
	}
	ca, cb := &clock.Clock{}, &clock.Clock{}
	a := New(ca, nil)
	warm := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		step(a, ca, warm)
	}
	cb.Set(ca.Now())
	b := New(cb, nil)
	b.SetState(a.State())
	require.Equal(t, a.State(), b.State())
	ra, rb := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(3, 4))
	for i := range 3000 {
		require.Equal(t, step(a, ca, ra), step(b, cb, rb), "access %d", i)
	}
	require.Equal(t, a.State(), b.State())
	require.NoError(t, a.State().Validate())
	bad := a.State()
	bad.Ch[1].Latched = 3
	require.ErrorContains(t, bad.Validate(), "channel 1 has 3 latched")
}
