package pci

import "bt86/bus"

// Identities of the 440FX board's functions.
const (
	VendorIntel    = 0x8086
	DeviceI440FX   = 0x1237
	DevicePIIX3    = 0x7000
	DevicePIIX3IDE = 0x7010
)

// Standard locations of the board's functions.
const (
	HostBridgeSlot = 0 // 00:00.0
	PIIX3Slot      = 1 // 00:01.0 ISA bridge, 00:01.1 IDE
	PIIX3ISAFn     = 0
	PIIX3IDEFn     = 1
)

// i440FX registers.
const (
	RegPAM0   = 0x59 // PAM0-PAM6 at 0x59-0x5F
	RegSMRAM  = 0x72
	NumPAM    = 7
	pamBIOS   = 0xF0000 // PAM0 high nibble
	pamC0000  = 0xC0000
	pamWindow = 0x4000
)

// PAM attribute bits of one nibble.
const (
	PAMRead  = 1 // reads go to DRAM
	PAMWrite = 2 // writes go to DRAM
)

// PAMRegion is one of the 13 shadow RAM windows and its attributes.
type PAMRegion struct {
	Base, Size  uint32
	Read, Write bool // reads/writes reach DRAM (else ROM / PCI)
}

// DecodePAM turns PAM register values into the 13 shadow windows: PAM0's
// high nibble covers 0xF0000-0xFFFFF, PAM1-PAM6 two 16 KiB windows each
// from 0xC0000 (low nibble first).
func DecodePAM(pam [NumPAM]uint8) []PAMRegion {
	attr := func(n uint8) (bool, bool) { return n&PAMRead != 0, n&PAMWrite != 0 }
	r, w := attr(pam[0] >> 4)
	out := []PAMRegion{{Base: pamBIOS, Size: 0x10000, Read: r, Write: w}}
	for i := 1; i < NumPAM; i++ {
		for half := 0; half < 2; half++ {
			n := pam[i] >> (4 * half)
			r, w := attr(n)
			base := uint32(pamC0000 + ((i-1)*2+half)*pamWindow)
			out = append(out, PAMRegion{Base: base, Size: pamWindow, Read: r, Write: w})
		}
	}
	return out
}

// I440FX is the host bridge function 00:00.0.
type I440FX struct {
	Function
	onPAM func(pam [NumPAM]uint8)
}

// NewI440FX returns the host bridge. onPAM, which may be nil, is called
// with all PAM registers whenever the guest changes one of them.
func NewI440FX(onPAM func(pam [NumPAM]uint8)) *I440FX {
	b := &I440FX{onPAM: onPAM}
	b.Init(Header{
		Vendor: VendorIntel, Device: DeviceI440FX, Class: 0x060000, Revision: 0x02,
		Command: CmdMemory | CmdMaster, Status: 0x0280,
		CommandWriteMask: CmdMemory | CmdMaster | CmdParity | CmdSERR,
	})
	// The chipset registers from 0x50 up are read/write.
	for off := 0x50; off < 0x100; off++ {
		b.SetWriteMask(uint8(off), 1, 0xFF)
	}
	b.SetWriteMask(RegPAM0, 1, 0xF0) // PAM0's low nibble is reserved
	for off := uint8(0x60); off <= 0x67; off++ {
		b.Set8(off, 0x01) // DRAM row boundaries
	}
	b.Set8(RegSMRAM, 0x02)
	b.Commit()
	return b
}

// WriteConfig implements Device, reporting PAM changes.
func (b *I440FX) WriteConfig(off uint8, size uint8, v uint32) {
	old := b.PAM()
	b.Function.WriteConfig(off, size, v)
	b.pamChanged(old)
}

// Reset restores the power-on config space, reporting PAM changes.
func (b *I440FX) Reset() {
	old := b.PAM()
	b.Function.Reset()
	b.pamChanged(old)
}

// SetState replaces the config space, reporting PAM changes.
func (b *I440FX) SetState(s FunctionState) {
	old := b.PAM()
	b.Function.SetState(s)
	b.pamChanged(old)
}

func (b *I440FX) pamChanged(old [NumPAM]uint8) {
	if p := b.PAM(); p != old && b.onPAM != nil {
		b.onPAM(p)
	}
}

// PAM returns the PAM registers.
func (b *I440FX) PAM() [NumPAM]uint8 {
	var p [NumPAM]uint8
	copy(p[:], b.s.Config[RegPAM0:RegPAM0+NumPAM])
	return p
}

// PIIX3 registers.
const (
	RegPIRQA      = 0x60 // PIRQA-D route control at 0x60-0x63
	PIRQDisable   = 0x80
	PIRQIRQMask   = 0x0F
	NumPIRQ       = 4
	maxPCISlots   = 32
	intxPerSlot   = 4
	validPIRQIRQs = 0xDEF8 // IRQ 3-7, 9-12, 14, 15
)

// PIIX3State is the interrupt routing state of the ISA bridge, beside its
// config space.
type PIIX3State struct {
	INTx   [maxPCISlots]uint8 // asserted INTA-D pins per slot (bit 0 = INTA)
	IRQOut uint16             // ISA IRQ lines driven high
}

// PIIX3 is the PCI-to-ISA bridge function 00:01.0. It routes PCI INTx
// lines to ISA IRQs through its PIRQ route registers.
type PIIX3 struct {
	Function
	rs  PIIX3State
	irq bus.IRQSink
}

// NewPIIX3 returns the ISA bridge with its reset register values; irq
// receives routed PCI interrupts and may be nil.
func NewPIIX3(irq bus.IRQSink) *PIIX3 {
	p := &PIIX3{irq: irq}
	p.Init(Header{
		Vendor: VendorIntel, Device: DevicePIIX3, Class: 0x060100,
		HeaderType: HeaderMultiFunction,
		Command:    CmdIO | CmdMemory | CmdMaster, Status: 0x0200,
		CommandWriteMask: CmdMaster | CmdSERR,
	})
	for off := 0x4C; off < 0x100; off++ {
		p.SetWriteMask(uint8(off), 1, 0xFF)
	}
	p.SetWriteMask(RegPIRQA, 4, 0x8F8F8F8F)
	defaults := []struct{ off, v uint8 }{
		{0x4C, 0x4D}, {0x4E, 0x03}, {0x60, 0x80}, {0x61, 0x80}, {0x62, 0x80}, {0x63, 0x80},
		{0x69, 0x02}, {0x70, 0x80}, {0x76, 0x0C}, {0x77, 0x0C}, {0x78, 0x02}, {0xA0, 0x08}, {0xA8, 0x0F},
	}
	for _, d := range defaults {
		p.Set8(d.off, d.v)
	}
	p.Commit()
	return p
}

// WriteConfig implements Device, rerouting interrupts when a PIRQ route
// register changes.
func (p *PIIX3) WriteConfig(off uint8, size uint8, v uint32) {
	p.Function.WriteConfig(off, size, v)
	if int(off)+int(size) > RegPIRQA && off < RegPIRQA+NumPIRQ {
		p.route()
	}
}

// Reset restores the power-on config space and reroutes interrupts.
func (p *PIIX3) Reset() {
	p.Function.Reset()
	p.route()
}

// SwizzlePIRQ returns the PIRQ (0-3 for A-D) that pin (0-3 for INTA-D) of
// a device in slot is wired to on the 440FX board.
func SwizzlePIRQ(slot, pin int) int { return (slot + pin - 1) & 3 }

// PIRQ returns the ISA IRQ PIRQ n (0-3) is routed to, if enabled.
func (p *PIIX3) PIRQ(n int) (int, bool) {
	r := p.s.Config[RegPIRQA+n]
	irq := int(r & PIRQIRQMask)
	if r&PIRQDisable != 0 || validPIRQIRQs&(1<<irq) == 0 {
		return 0, false
	}
	return irq, true
}

// SetINTx sets the level of interrupt pin (0-3 for INTA-D) of the device
// in slot, and drives the ISA IRQ its PIRQ is routed to.
func (p *PIIX3) SetINTx(slot, pin int, high bool) {
	m := uint8(1) << (pin & 3)
	if high {
		p.rs.INTx[slot&31] |= m
	} else {
		p.rs.INTx[slot&31] &^= m
	}
	p.route()
}

// route recomputes the ISA IRQ levels.
func (p *PIIX3) route() {
	var pirq [NumPIRQ]bool
	for slot, pins := range p.rs.INTx {
		for pin := 0; pin < intxPerSlot; pin++ {
			if pins&(1<<pin) != 0 {
				pirq[SwizzlePIRQ(slot, pin)] = true
			}
		}
	}
	var out uint16
	for n, level := range pirq {
		if irq, ok := p.PIRQ(n); ok && level {
			out |= 1 << irq
		}
	}
	changed := out ^ p.rs.IRQOut
	p.rs.IRQOut = out
	if p.irq == nil {
		return
	}
	for irq := 0; irq < 16; irq++ {
		if changed&(1<<irq) != 0 {
			p.irq.SetIRQ(irq, out&(1<<irq) != 0)
		}
	}
}

// RoutingState returns the interrupt routing state.
func (p *PIIX3) RoutingState() PIIX3State { return p.rs }

// SetRoutingState replaces the interrupt routing state; it does not
// drive the IRQ lines.
func (p *PIIX3) SetRoutingState(s PIIX3State) { p.rs = s }

// PIIX3 IDE registers.
const (
	RegIDETimPrimary   = 0x40 // IDETIM, bit 15 = decode enable
	RegIDETimSecondary = 0x42
	RegSIDETim         = 0x44
	BusMasterBAR       = 4
	BusMasterSize      = 16
)

// PIIX3IDE is the IDE function 00:01.1 in legacy mode (ports 0x1F0/0x170,
// IRQ 14/15) with its bus master registers behind BAR4.
type PIIX3IDE struct {
	Function
}

// NewPIIX3IDE returns the IDE function. onBusMaster, which may be nil, is
// called when the bus master window moves or is enabled or disabled.
// Both channels' decode enable bits are set at power-on (a BIOS would set
// them), so a guest finds the legacy channels without BIOS help.
func NewPIIX3IDE(onBusMaster func(base uint16, enabled bool)) *PIIX3IDE {
	d := &PIIX3IDE{}
	d.Init(Header{
		Vendor: VendorIntel, Device: DevicePIIX3IDE, Class: 0x010180,
		Status: 0x0280, CommandWriteMask: CmdIO | CmdMaster,
	})
	d.SetBAR(BusMasterBAR, BAR{Size: BusMasterSize, IO: true})
	d.SetWriteMask(RegIDETimPrimary, 4, 0xF3FFF3FF)
	d.SetWriteMask(RegSIDETim, 1, 0xFF)
	d.Set16(RegIDETimPrimary, 0x8000)
	d.Set16(RegIDETimSecondary, 0x8000)
	d.Commit()
	if onBusMaster != nil {
		d.OnMap = func(bar int, m Mapping) {
			if bar == BusMasterBAR {
				onBusMaster(uint16(m.Base), m.Enabled)
			}
		}
	}
	return d
}

// BusMaster returns the bus master I/O base and whether it decodes.
func (d *PIIX3IDE) BusMaster() (uint16, bool) {
	m := d.Mapping(BusMasterBAR)
	return uint16(m.Base), m.Enabled
}

// ChannelEnabled reports the IDETIM decode enable bit of channel 0
// (primary) or 1 (secondary).
func (d *PIIX3IDE) ChannelEnabled(ch int) bool {
	return d.Reg16(uint8(RegIDETimPrimary+2*ch))&0x8000 != 0
}
