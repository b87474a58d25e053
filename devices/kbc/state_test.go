package kbc

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStateRoundTrip drives a device with random port accesses, moves
// its State into a new device with SetState, and drives both the same
// way: every read and the final States must agree, so State holds all
// the guest-visible state.
func TestStateRandomRoundTrip(t *testing.T) {
	ports := []uint16{DataPort, StatusPort}

	step := func(d *Controller, r *rand.Rand) uint32 {
		if r.IntN(8) == 0 {
			d.SendSet1([]byte{byte(r.IntN(0x59)) + 1})
		}
		p := ports[r.IntN(len(ports))]
		if r.IntN(2) == 0 {
			d.WritePort(p, 1, r.Uint32()&0xFF)
			return 0
		}
		return d.ReadPort(p, 1)
	}
	a := New(nil, Callbacks{})
	warm := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		step(a, warm)
	}
	b := New(nil, Callbacks{})
	b.SetState(a.State())
	require.Equal(t, a.State(), b.State())
	ra, rb := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(3, 4))
	for i := range 3000 {
		require.Equal(t, step(a, ra), step(b, rb), "access %d", i)
	}
	require.Equal(t, a.State(), b.State())

	require.NoError(t, a.State().Validate())
	bad := a.State()
	bad.Mouse.Queue.Head = QueueSize
	require.ErrorContains(t, bad.Validate(), "mouse queue")
	bad = a.State()
	bad.CtrlLen = 5
	require.ErrorContains(t, bad.Validate(), "controller replies")
}
