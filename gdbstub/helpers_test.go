package gdbstub

import (
	"encoding/binary"
	"testing"

	"bt86/bus"
	"bt86/cpu"
	"bt86/mmu"
)

// Flat 4 GiB descriptors: code (execute/read) and data (read/write).
const (
	flatCode = 0x00CF9A000000FFFF
	flatData = 0x00CF92000000FFFF
)

// newFlatCPU returns a CPU in 32-bit protected mode with flat segments
// over 1 MiB of RAM, code at 0x1000 and the stack at 0x8000.
func newFlatCPU(t testing.TB, code []byte) (*cpu.CPU, []byte) {
	t.Helper()
	ram := make([]byte, 1<<20)
	b := bus.New()
	c := cpu.New(cpu.Config{Phys: mmu.NewFlat(ram, b), Ports: b})
	copy(ram[0x1000:], code)
	c.CR0 |= cpu.CR0PE
	c.SetSegmentDescriptor(cpu.CS, 0x08, flatCode)
	for _, s := range []int{cpu.DS, cpu.ES, cpu.SS, cpu.FS, cpu.GS} {
		c.SetSegmentDescriptor(s, 0x10, flatData)
	}
	c.EIP = 0x1000
	c.Regs[cpu.EDX] = 0 // not the reset signature
	c.Regs[cpu.ESP] = 0x8000
	c.StateChanged()
	return c, ram
}

func put32(ram []byte, addr int, v uint32) { binary.LittleEndian.PutUint32(ram[addr:], v) }

// gdbProgram is the end-to-end test's guest (addresses in comments).
var gdbProgram = []byte{
	0xB8, 0x01, 0x00, 0x00, 0x00, // 1000 mov eax, 1
	0xBB, 0x02, 0x00, 0x00, 0x00, // 1005 mov ebx, 2
	0xB9, 0x03, 0x00, 0x00, 0x00, // 100a mov ecx, 3
	0x90,       // 100f nop
	0x40,       // 1010 inc eax
	0x43,       // 1011 inc ebx
	0x41,       // 1012 inc ecx
	0x01, 0xD8, // 1013 add eax, ebx
	0xC7, 0x05, 0x00, 0x20, 0x00, 0x00, 0x44, 0x33, 0x22, 0x11, // 1015 mov dword [0x2000], 0x11223344
	0xC7, 0x05, 0x00, 0x30, 0x00, 0x00, 0x2A, 0x00, 0x00, 0x00, // 101f mov dword [0x3000], 42
	0xF4, // 1029 hlt
}
