package pci

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// stateBoard returns a host with the functions of bt86's i440FX board.
func stateBoard(t *testing.T, pam *[NumPAM]uint8) *Host {
	h := New(nil)
	require.NoError(t, h.Register(HostBridgeSlot, 0, NewI440FX(func(p [NumPAM]uint8) { *pam = p })))
	require.NoError(t, h.Register(PIIX3Slot, PIIX3ISAFn, NewPIIX3(nil)))
	require.NoError(t, h.Register(PIIX3Slot, PIIX3IDEFn, NewPIIX3IDE(nil)))
	return h
}

// TestBusStateRoundTrip: random config space accesses, then BusState into
// a new bus (reporting the PAM registers), then the same accesses on both.
func TestBusStateRoundTrip(t *testing.T) {
	step := func(h *Host, r *rand.Rand) uint32 {
		fn := []uint32{0, PIIX3Slot<<11 | PIIX3ISAFn<<8, PIIX3Slot<<11 | PIIX3IDEFn<<8}[r.IntN(3)]
		h.WritePort(AddressPort, 4, AddressEnable|fn|uint32(r.IntN(64))<<2)
		if r.IntN(8) == 0 {
			if p, ok := h.Function(PIIX3Slot, PIIX3ISAFn).(*PIIX3); ok {
				p.SetINTx(r.IntN(32), r.IntN(4), r.IntN(2) == 0)
			}
		}
		if r.IntN(2) == 0 {
			h.WritePort(DataPort, 4, r.Uint32())
			return 0
		}
		return h.ReadPort(DataPort, 4)
	}
	var pamA, pamB [NumPAM]uint8
	a := stateBoard(t, &pamA)
	warm := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		step(a, warm)
	}
	b := stateBoard(t, &pamB)
	require.NoError(t, b.SetBusState(a.BusState()))
	require.Equal(t, a.BusState(), b.BusState())
	require.Equal(t, pamA, pamB, "PAM change reported")
	ra, rb := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(3, 4))
	for i := range 3000 {
		require.Equal(t, step(a, ra), step(b, rb), "access %d", i)
	}
	require.Equal(t, a.BusState(), b.BusState())
}

func TestBusStateMismatch(t *testing.T) {
	var pam [NumPAM]uint8
	good := stateBoard(t, &pam).BusState()
	for _, tc := range []struct {
		name string
		edit func(s *BusState)
		want string
	}{
		{"missing function", func(s *BusState) { s.Functions = s.Functions[:2] }, "no image for 00:01.1"},
		{"extra function", func(s *BusState) { s.Functions = append(s.Functions, FunctionImage{Slot: 5}) }, "which this machine does not have"},
		{"bad address", func(s *BusState) { s.Functions[0].Slot = 40 }, "bad address 40.0"},
		{"twice", func(s *BusState) { s.Functions[1] = s.Functions[0] }, "two images for 00:00.0"},
		{"other device", func(s *BusState) { s.Functions[0].Config[2] ^= 1 }, "the image is of"},
		{"routing missing", func(s *BusState) { s.Functions[1].Routing = nil }, "interrupt routing state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := good
			s.Functions = append([]FunctionImage(nil), good.Functions...)
			tc.edit(&s)
			h := stateBoard(t, &pam)
			before := h.BusState()
			require.ErrorContains(t, h.SetBusState(s), tc.want)
			require.Equal(t, before, h.BusState(), "nothing changes")
		})
	}
}
