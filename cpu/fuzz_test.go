package cpu

import (
	"testing"

	"bt86/bus"
	"bt86/mmu"
)

// FuzzInterpreter runs random instruction streams in each CPU mode. Every
// outcome must be a guest-visible one (a result, a guest exception, a
// halt, a triple-fault shutdown); the host must never panic or hang.
func FuzzInterpreter(f *testing.F) {
	for _, seed := range [][]byte{
		{0, 0x90, 0xF4},
		{1, 0x0F, 0x0B},                   // UD2 in 32-bit PM
		{2, 0xCD, 0x21, 0xCF},             // INT/IRET in 16-bit PM
		{3, 0xF3, 0xA5, 0xEB, 0xFE},       // REP MOVSW in v86
		{1, 0xF3, 0xAB, 0xFF, 0xE0},       // REP STOSD, JMP EAX
		{0, 0xEA, 0, 0, 0, 0, 0x0F, 0x01}, // far jump into the IVT
		{1, 0xD9, 0xE8, 0xDE, 0xF9},       // x87
		{1, 0x0F, 0x22, 0xD8, 0x0F, 0x20, 0xC0, 0x0D, 0, 0, 0, 0x80, 0x0F, 0x22, 0xC0}, // paging on
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		c := fuzzCPU(data[0]%4, data[1:])
		exit := c.Run(2_000)
		switch exit.Reason {
		case ExitBudget, ExitHalt, ExitShutdown:
		default:
			t.Fatalf("unexpected exit %v", exit.Reason)
		}
		if exit.Retired > 2_000 {
			t.Fatalf("retired %d instructions with a budget of 2000", exit.Retired)
		}
	})
}

// fuzzCPU builds a CPU over 1 MiB of RAM whose every byte is the code
// pattern, in mode 0 real, 1 flat 32-bit PM, 2 16-bit PM, 3 v8086.
func fuzzCPU(mode byte, code []byte) *CPU {
	ram := make([]byte, 1<<20)
	for i := 0; len(code) > 0 && i < 64<<10; i += len(code) {
		copy(ram[0x1000+i:], code)
	}
	b := bus.New()
	c := New(Config{Phys: mmu.NewFlat(ram, b), Ports: b})
	c.EIP = 0x1000
	c.Regs[ESP] = 0x8000
	switch mode {
	case 0:
		c.SetSegmentReal(CS, 0)
		c.SetSegmentReal(SS, 0)
		c.SetSegmentReal(DS, 0)
	case 1, 2:
		seg := Segment{Limit: 0xFFFFF, Attr: AttrP | AttrS | AttrRW | AttrAccessed, Valid: true}
		if mode == 1 {
			seg.Limit = 0xFFFFFFFF
			seg.Attr |= AttrDB | AttrG
		}
		for i := range c.Seg {
			c.Seg[i] = seg
		}
		c.Seg[CS].Attr |= AttrCode
		c.CR0 |= CR0PE
		// A GDT and IDT of garbage (the code pattern) exercise every
		// descriptor check.
		c.GDTR = Table{Base: 0x1000, Limit: 0xFFFF}
		c.IDTR = Table{Base: 0x1000, Limit: 0x7FF}
	case 3:
		c.CR0 |= CR0PE
		c.Flags |= FlagVM
		c.CPL = 3
		for i := range c.Seg {
			c.Seg[i] = Segment{Limit: 0xFFFF, Attr: AttrP | AttrS | AttrRW | AttrAccessed | 3<<AttrDPLShift, Valid: true}
		}
		c.Seg[CS].Attr |= AttrCode
		c.IDTR = Table{Base: 0x1000, Limit: 0x7FF}
		c.TR = Segment{Base: 0x1000, Limit: 0x67, Attr: AttrP | 11, Valid: true}
	}
	c.StateChanged()
	return c
}
