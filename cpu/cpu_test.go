package cpu

import (
	"testing"

	"github.com/stretchr/testify/require"

	"bt86/bus"
	"bt86/mmu"
)

// newTestCPU returns a CPU over 1 MiB of flat RAM in real mode with code
// loaded at 0000:1000.
func newTestCPU(t testing.TB, code []byte) *CPU {
	t.Helper()
	ram := make([]byte, 1<<20)
	b := bus.New()
	p := mmu.NewFlat(ram, b)
	c := New(Config{Phys: p, Ports: b})
	copy(ram[0x1000:], code)
	c.loadSegReal(CS, 0)
	c.EIP = 0x1000
	c.loadSegReal(SS, 0)
	c.Regs[ESP] = 0x8000
	return c
}

func TestRealModeLoop(t *testing.T) {
	// mov cx, 10; xor ax, ax; l: add ax, cx; loop l; hlt
	c := newTestCPU(t, []byte{0xB9, 10, 0, 0x31, 0xC0, 0x01, 0xC8, 0xE2, 0xFC, 0xF4})
	exit := c.Run(1000)
	require.Equal(t, ExitHalt, exit.Reason)
	require.Equal(t, uint32(55), c.Regs[EAX])
	require.Equal(t, uint32(0x100A), c.EIP)
	require.Equal(t, 23, exit.Retired) // 2 + 10 x (add, loop) + hlt
}
