//go:build linux && amd64

package dbt

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"bt86/bus"
	"bt86/cpu"
	"bt86/mmu"
	"bt86/mmu/shadow"
)

// TestSlotMatchesShadow runs a loop over eight pages in distinct
// shadow.Slot slots: translated code must probe the same slots, so
// after the first miss of each page nothing steps.
func TestSlotMatchesShadow(t *testing.T) {
	const base = 0x100000
	var prog []byte
	prog = append(prog, 0xB9, 100, 0, 0, 0) // mov ecx, 100
	loop := len(prog)
	slots := map[uint32]bool{}
	for k := range uint32(8) {
		addr := base + k<<22 + k<<12 + 0x40
		slots[shadow.Slot(addr)] = true
		prog = append(prog, 0x8B, 0x05) // mov eax, [addr]
		prog = binary.LittleEndian.AppendUint32(prog, addr)
	}
	require.Len(t, slots, 8)
	prog = append(prog, 0x49, 0x75, byte(loop-(len(prog)+2)), 0xF4) // dec ecx; jnz loop; hlt

	ram := make([]byte, 32<<20)
	c := cpu.New(cpu.Config{Phys: mmu.NewPhys(ram, bus.New()), Ports: bus.New()})
	c.CR0 |= cpu.CR0PE
	c.SetSegmentDescriptor(cpu.CS, 0x08, flatDesc(true))
	for _, s := range []int{cpu.DS, cpu.ES, cpu.SS, cpu.FS, cpu.GS} {
		c.SetSegmentDescriptor(s, 0x10, flatDesc(false))
	}
	copy(ram[0x10000:], prog)
	c.EIP = 0x10000
	c.Regs[cpu.ESP] = 0x9000
	c.StateChanged()
	e, err := New(c)
	require.NoError(t, err)
	defer e.Close()
	x := runEngine(t, c, e)
	require.Equal(t, cpu.ExitHalt, x.Reason)
	require.Zero(t, c.Regs[cpu.ECX])
	require.LessOrEqual(t, e.Stats.Steps, uint64(8), "stats: %v", e.Stats)
}

// TestEntryLayout: the probes read shadow.Entry as 16 bytes with the tag
// at 0, the RAM addend at 4 and the host addend at 8.
func TestEntryLayout(t *testing.T) {
	require.Equal(t, 1<<entryShift, entrySize)
	require.Equal(t, []int{0, 4, 8}, []int{offEntryTag, offEntryAddend, offEntryHost})
}
