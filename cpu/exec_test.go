package cpu

import (
	"testing"

	"github.com/stretchr/testify/require"

	"bt86/bus"
	"bt86/mmu"
)

// newReal returns a CPU in real mode with CS=0x1000, SS=0x2000, SP=0x100
// and IP=0x200 over 1 MiB of RAM.
func newReal(t *testing.T) (*CPU, *mmu.Phys) {
	t.Helper()
	b := bus.New()
	p := mmu.NewFlat(make([]byte, 1<<20), b)
	c := New(Config{Phys: p, Ports: b})
	c.SetSegmentReal(CS, 0x1000)
	c.SetSegmentReal(SS, 0x2000)
	c.Regs[ESP] = 0x100
	c.EIP = 0x200
	c.StateChanged()
	return c, p
}

func poke(p *mmu.Phys, addr uint64, code ...byte) {
	for i, b := range code {
		p.Write(addr+uint64(i), 1, uint64(b))
	}
}

// TestTraceFollowsDirectJumps checks traces that go on at the target of
// a direct JMP or CALL: backward and forward targets, the return address,
// and a rewrite of the target's code between two runs.
func TestTraceFollowsDirectJumps(t *testing.T) {
	c, p := newReal(t)
	const cs = 0x10000
	poke(p, cs+0x200, 0xEB, 0x80)       // jmp short 0x182
	poke(p, cs+0x182, 0x40)             // inc ax
	poke(p, cs+0x183, 0xE8, 0x10, 0x00) // call 0x196
	poke(p, cs+0x196, 0xF4)             // hlt
	exit := c.Run(100)
	require.Equal(t, ExitHalt, exit.Reason)
	require.Equal(t, 4, exit.Retired) // jmp, inc, call, hlt
	require.Equal(t, uint32(1), c.Regs[EAX])
	require.Equal(t, uint32(0x197), c.EIP)
	require.Equal(t, uint16(0x186), uint16(p.Read(0x20000+0xFE, 2)), "CALL pushed the address after it")

	// The guest rewrites the JMP's target: the next run sees it.
	c.Halted = false
	c.Regs[EAX] = 0
	c.Regs[ESP] = 0x100
	c.EIP = 0x200
	poke(p, cs+0x190, 0xC6, 0x06, 0x82, 0x01, 0x48) // mov byte [0x182], 0x48 (dec ax)
	poke(p, cs+0x195, 0xF4)                         // hlt
	c.EIP = 0x190
	c.SetSegmentReal(DS, 0x1000)
	require.Equal(t, ExitHalt, c.Run(100).Reason)
	c.Halted = false
	c.EIP = 0x200
	exit = c.Run(100)
	require.Equal(t, ExitHalt, exit.Reason)
	require.Equal(t, uint32(0xFFFF), c.Regs[EAX]&0xFFFF, "the rewritten target ran")
}
