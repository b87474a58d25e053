package machine

import (
	"bt86/bios"
	"bt86/cpu"
)

// LoadBIOS boots the machine through the embedded BIOS (package bios)
// from power-on: its ROM at 0xF0000 (and below 4 GiB), the CPU at the
// reset vector F000:FFF0; POST sets up the PC and INT 19h boots from
// cfg's drives. cfg.RAMSize is set from the machine. A guest reset runs
// POST again. The BIOS services run in Go when a ROM stub writes
// bios.TrapPort (see DESIGN.md, "Embedded BIOS").
func (m *Machine) LoadBIOS(cfg bios.Config) error {
	if m.closed {
		return ErrClosed
	}
	cfg.RAMSize = uint64(len(m.ram))
	b, err := bios.New(cfg, biosHost{m})
	if err != nil {
		return err
	}
	m.bus.UnmapPorts(bios.TrapPort, bios.TrapPort)
	if err := m.bus.MapPorts("bios", bios.TrapPort, bios.TrapPort, &biosTrap{m: m, b: b}); err != nil {
		return err
	}
	rom := bios.ROM()
	m.boot = func() error {
		if err := m.phys.WriteBytes(bios.ROMBase, rom); err != nil {
			return err
		}
		m.cpu.Reset()
		return nil
	}
	return m.boot()
}

// biosTrap runs a BIOS service when a ROM slot writes the trap port.
type biosTrap struct {
	m *Machine
	b *bios.BIOS
}

func (t *biosTrap) ReadPort(port uint16, size uint8) uint32 {
	return ^uint32(0) >> (32 - 8*uint32(size))
}

// WritePort is called while the slot's OUT executes: EIP is the OUT's
// address. Writes from anywhere but a slot in real or v8086 mode are
// ignored.
func (t *biosTrap) WritePort(port uint16, size uint8, v uint32) {
	c := t.m.cpu
	if c.CR0&cpu.CR0PE != 0 && c.Flags&cpu.FlagVM == 0 {
		return
	}
	id := bios.SlotID(c.Seg[cpu.CS].Base + c.EIP)
	if id < 0 {
		return
	}
	r := bios.Regs{
		EAX: c.Regs[cpu.EAX], EBX: c.Regs[cpu.EBX], ECX: c.Regs[cpu.ECX], EDX: c.Regs[cpu.EDX],
		ESI: c.Regs[cpu.ESI], EDI: c.Regs[cpu.EDI], EBP: c.Regs[cpu.EBP],
		DS: c.Seg[cpu.DS].Sel, ES: c.Seg[cpu.ES].Sel,
	}
	// The FLAGS image of the IRET frame: IP, CS, FLAGS at SS:SP.
	frame := uint64(c.Seg[cpu.SS].Base + uint32(uint16(c.Regs[cpu.ESP])+4))
	if bios.HasFrame(id) {
		r.Flags = uint16(t.m.phys.Read(frame, 2))
	}
	in := r
	res := t.b.Call(id, &r)
	c.Regs[cpu.EAX], c.Regs[cpu.EBX], c.Regs[cpu.ECX], c.Regs[cpu.EDX] = r.EAX, r.EBX, r.ECX, r.EDX
	c.Regs[cpu.ESI], c.Regs[cpu.EDI], c.Regs[cpu.EBP] = r.ESI, r.EDI, r.EBP
	if r.DS != in.DS {
		c.SetSegmentReal(cpu.DS, r.DS)
	}
	if r.ES != in.ES {
		c.SetSegmentReal(cpu.ES, r.ES)
	}
	if bios.HasFrame(id) && r.Flags != in.Flags {
		t.m.phys.Write(frame, 2, uint64(r.Flags))
	}
	// The stub reads the result in ZF: set means wait (or, for INT 19h,
	// nothing to boot).
	f := c.EFlags() &^ cpu.FlagZF
	if res != bios.Done {
		f |= cpu.FlagZF
	}
	c.SetEFlags(f)
}

// biosHost is the machine as the BIOS reaches it.
type biosHost struct{ m *Machine }

func (h biosHost) ReadPhys(addr uint64, b []byte) { h.m.phys.ReadBytes(addr, b) }

// WritePhys writes RAM page by page (telling the code and page-table
// watchers), drops writes to ROM and sends device space to the bus.
func (h biosHost) WritePhys(addr uint64, b []byte) {
	p := h.m.phys
	for len(b) > 0 {
		host, writable := p.Lookup(addr)
		if host == nil {
			p.Write(addr, 1, uint64(b[0]))
			addr, b = addr+1, b[1:]
			continue
		}
		n := min(len(host), len(b))
		if writable {
			p.NotifyWrite(addr, n)
			copy(host, b[:n])
		}
		addr, b = addr+uint64(n), b[n:]
	}
}

func (h biosHost) In(port uint16, size uint8) uint32     { return h.m.bus.In(port, size) }
func (h biosHost) Out(port uint16, size uint8, v uint32) { h.m.bus.Out(port, size, v) }
func (h biosHost) Now() int64                            { return int64(sliceClock{h.m}.Now()) }
