package cmos

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"bt86/clock"
)

// TestStateRandomRoundTrip drives an RTC with random port accesses as
// time passes, moves its State into a new RTC with SetState, and drives
// both the same way: every read, deadline and the final States must
// agree, so State holds all the guest-visible state.
func TestStateRandomRoundTrip(t *testing.T) {
	ports := []uint16{IndexPort, DataPort}
	step := func(d *RTC, clk *clock.Clock, r *rand.Rand) uint64 {
		clk.Advance(clock.Time(r.IntN(int(20 * clock.Millisecond))))
		if dl := d.Deadline(); dl <= clk.Now() {
			d.Tick(clk.Now())
		}
		p := ports[r.IntN(len(ports))]
		if r.IntN(2) == 0 {
			v := r.Uint32() & 0xFF
			if p == IndexPort {
				v &= 0x0F // mostly the clock and control registers
			}
			d.WritePort(p, 1, v)
			return uint64(d.Deadline())
		}
		return uint64(d.ReadPort(p, 1))
	}
	start := time.Date(2024, 2, 28, 23, 59, 0, 0, time.UTC)
	ca, cb := &clock.Clock{}, &clock.Clock{}
	a := New(start, ca, nil)
	warm := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		step(a, ca, warm)
	}
	cb.Set(ca.Now())
	b := New(time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC), cb, nil)
	b.SetState(a.State())
	require.Equal(t, a.State(), b.State())
	ra, rb := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(3, 4))
	for i := range 3000 {
		require.Equal(t, step(a, ca, ra), step(b, cb, rb), "access %d", i)
	}
	require.Equal(t, a.State(), b.State())
	require.NoError(t, a.State().Validate())
	bad := a.State()
	bad.Index = 0x80
	require.ErrorContains(t, bad.Validate(), "index register")
}
