package pci

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bt86/bus"
)

// The interfaces the machine wires this device through.
var (
	_ bus.PortHandler = (*Host)(nil)
	_ Device          = (*Function)(nil)
	_ Device          = (*I440FX)(nil)
	_ Device          = (*PIIX3)(nil)
	_ Device          = (*PIIX3IDE)(nil)
)

type sink struct {
	level [16]bool
	calls int
}

func (s *sink) SetIRQ(line int, high bool) {
	s.level[line] = high
	s.calls++
}

type board struct {
	host   *Host
	nb     *I440FX
	isa    *PIIX3
	ide    *PIIX3IDE
	bus    *bus.Bus
	irq    *sink
	pams   [][NumPAM]uint8
	bm     []Mapping
	resets []bool
}

func newBoard(t *testing.T) *board {
	b := &board{bus: bus.New(), irq: &sink{}}
	b.host = New(func(hard bool) { b.resets = append(b.resets, hard) })
	b.nb = NewI440FX(func(p [NumPAM]uint8) { b.pams = append(b.pams, p) })
	b.isa = NewPIIX3(b.irq)
	b.ide = NewPIIX3IDE(func(base uint16, on bool) { b.bm = append(b.bm, Mapping{Base: uint64(base), Enabled: on}) })
	require.NoError(t, b.host.Register(HostBridgeSlot, 0, b.nb))
	require.NoError(t, b.host.Register(PIIX3Slot, PIIX3ISAFn, b.isa))
	require.NoError(t, b.host.Register(PIIX3Slot, PIIX3IDEFn, b.ide))
	require.NoError(t, b.host.Attach(b.bus))
	return b
}

func addr(busN, slot, fn, off int) uint32 {
	return AddressEnable | uint32(busN)<<16 | uint32(slot)<<11 | uint32(fn)<<8 | uint32(off)
}

func (b *board) read(slot, fn, off int, size uint8) uint32 {
	b.bus.Out(AddressPort, 4, addr(0, slot, fn, off&^3))
	return b.bus.In(DataPort+uint16(off&3), size)
}

func (b *board) write(slot, fn, off int, size uint8, v uint32) {
	b.bus.Out(AddressPort, 4, addr(0, slot, fn, off&^3))
	b.bus.Out(DataPort+uint16(off&3), size, v)
}

// Linux's pci_check_type1 and pci_check_type2.
func TestMechanismProbes(t *testing.T) {
	b := newBoard(t)
	b.bus.Out(0xCFB, 1, 0x01)
	saved := b.bus.In(AddressPort, 4)
	b.bus.Out(AddressPort, 4, 0x80000000)
	assert.Equal(t, uint32(0x80000000), b.bus.In(AddressPort, 4))
	b.bus.Out(AddressPort, 4, saved)
	b.bus.Out(0xCFB, 1, 0x00)
	b.bus.Out(0xCF8, 1, 0x00)
	b.bus.Out(0xCFA, 1, 0x00)
	assert.NotZero(t, b.bus.In(0xCF8, 1)|b.bus.In(0xCFA, 1), "not type 2")
	b.bus.Out(AddressPort, 4, 0xFFFFFFFF)
	assert.Equal(t, uint32(0x80FFFFFC), b.bus.In(AddressPort, 4))
}

func TestEnumeration(t *testing.T) {
	tests := []struct {
		name      string
		busN      int
		slot, fn  int
		id, class uint32
		header    uint8
	}{
		{"i440FX", 0, 0, 0, 0x12378086, 0x06000002, 0x00},
		{"PIIX3 ISA", 0, 1, 0, 0x70008086, 0x06010000, 0x80},
		{"PIIX3 IDE", 0, 1, 1, 0x70108086, 0x01018000, 0x00},
		{"empty slot", 0, 2, 0, 0xFFFFFFFF, 0xFFFFFFFF, 0xFF},
		{"empty function", 0, 0, 1, 0xFFFFFFFF, 0xFFFFFFFF, 0xFF},
		{"other bus", 1, 0, 0, 0xFFFFFFFF, 0xFFFFFFFF, 0xFF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBoard(t)
			b.bus.Out(AddressPort, 4, addr(tt.busN, tt.slot, tt.fn, 0))
			assert.Equal(t, tt.id, b.bus.In(DataPort, 4))
			b.bus.Out(AddressPort, 4, addr(tt.busN, tt.slot, tt.fn, 8))
			assert.Equal(t, tt.class, b.bus.In(DataPort, 4))
			b.bus.Out(AddressPort, 4, addr(tt.busN, tt.slot, tt.fn, 0xC))
			assert.Equal(t, uint32(tt.header), b.bus.In(DataPort+2, 1))
		})
	}
}

func TestDisabledAddressReadsOnes(t *testing.T) {
	b := newBoard(t)
	b.bus.Out(AddressPort, 4, 0x00000000)
	assert.Equal(t, uint32(0xFFFFFFFF), b.bus.In(DataPort, 4))
	b.bus.Out(DataPort, 4, 0) // dropped
	assert.Equal(t, uint32(0x12378086), b.read(0, 0, 0, 4))
	assert.Equal(t, uint32(0xFFFF), b.bus.In(0xCFA, 2), "word access to 0xCFA is not config")
}

func TestSubDwordAccess(t *testing.T) {
	b := newBoard(t)
	tests := []struct {
		off  int
		size uint8
		want uint32
	}{
		{0, 2, 0x8086}, {2, 2, 0x1237}, {1, 1, 0x80}, {3, 1, 0x12}, {1, 2, 0x3780},
		{0xB, 1, 0x06}, {0xA, 2, 0x0600},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, b.read(0, 0, tt.off, tt.size), "off %#x size %d", tt.off, tt.size)
	}
	// A dword at 0xCFF with register 0xFC hangs off the end of config space.
	b.nb.Set8(0xFF, 0x5A)
	b.bus.Out(AddressPort, 4, addr(0, 0, 0, 0xFC))
	assert.Equal(t, uint32(0xFFFFFF5A), b.bus.In(DataPort+3, 4))
}

func TestReadOnlyAndWritableRegisters(t *testing.T) {
	b := newBoard(t)
	b.write(1, 1, RegVendor, 4, 0)
	assert.Equal(t, uint32(0x70108086), b.read(1, 1, RegVendor, 4))
	b.write(1, 1, RegRevision, 4, 0)
	assert.Equal(t, uint32(0x01018000), b.read(1, 1, RegRevision, 4))
	b.write(1, 1, RegLatency, 1, 0x40)
	assert.Equal(t, uint32(0x40), b.read(1, 1, RegLatency, 1))
	b.write(1, 1, RegInterruptLine, 1, 0x0E)
	assert.Equal(t, uint32(0x0E), b.read(1, 1, RegInterruptLine, 1))
	b.write(1, 1, RegCommand, 2, 0xFFFF)
	assert.Equal(t, uint32(CmdIO|CmdMaster), b.read(1, 1, RegCommand, 2))
	// Status error bits are write-1-to-clear.
	b.ide.Set16(RegStatus, 0x2280)
	b.write(1, 1, RegStatus, 2, 0x0080)
	assert.Equal(t, uint32(0x2280), b.read(1, 1, RegStatus, 2))
	b.write(1, 1, RegStatus, 2, 0x2000)
	assert.Equal(t, uint32(0x0280), b.read(1, 1, RegStatus, 2))
}

func TestBARSizingAndMapping(t *testing.T) {
	b := newBoard(t)
	off := RegBAR0 + 4*BusMasterBAR
	assert.Equal(t, uint32(0x1), b.read(1, 1, off, 4))
	b.write(1, 1, off, 4, 0xFFFFFFFF)
	assert.Equal(t, uint32(0xFFFFFFF1), b.read(1, 1, off, 4), "all ones above the size, as SeaBIOS's sizing expects")
	assert.Empty(t, b.bm, "I/O decoding disabled: nothing mapped while sizing")
	b.write(1, 1, off, 4, 0xC000)
	assert.Equal(t, uint32(0xC001), b.read(1, 1, off, 4))
	b.write(1, 1, RegCommand, 2, CmdIO|CmdMaster)
	require.Len(t, b.bm, 1)
	assert.Equal(t, Mapping{Base: 0xC000, Enabled: true}, b.bm[0])
	base, on := b.ide.BusMaster()
	assert.Equal(t, uint16(0xC000), base)
	assert.True(t, on)
	b.write(1, 1, off, 4, 0xC040)
	b.write(1, 1, RegCommand, 2, 0)
	assert.Equal(t, []Mapping{{Base: 0xC000, Enabled: true}, {Base: 0xC040, Enabled: true}, {Base: 0xC040}}, b.bm)
	// Other BARs are not implemented.
	b.write(1, 1, RegBAR0, 4, 0xFFFFFFFF)
	assert.Equal(t, uint32(0), b.read(1, 1, RegBAR0, 4))
}

func TestMemoryBAR(t *testing.T) {
	f := NewFunction(Header{Vendor: 0x1AF4, Device: 0x1000, Class: 0x020000, InterruptPin: 1})
	f.SetBAR(1, BAR{Size: 0x1000, Prefetchable: true})
	f.SetBAR(0, BAR{Size: 0x100, IO: true})
	f.Commit()
	var maps []Mapping
	f.OnMap = func(bar int, m Mapping) { maps = append(maps, m) }
	f.WriteConfig(RegBAR0+4, 4, 0xFFFFFFFF)
	assert.Equal(t, uint32(0xFFFFF008), f.ReadConfig(RegBAR0+4, 4))
	f.WriteConfig(RegBAR0, 4, 0xFFFFFFFF)
	assert.Equal(t, uint32(0xFFFFFF01), f.ReadConfig(RegBAR0, 4))
	f.WriteConfig(RegBAR0+4, 4, 0xFEB00000)
	f.WriteConfig(RegCommand, 2, CmdMemory)
	assert.Equal(t, []Mapping{{Base: 0xFEB00000, Size: 0x1000, Enabled: true}}, maps)
	assert.Equal(t, Mapping{Base: 0xFFFFFF00, Size: 0x100, IO: true}, f.Mapping(0), "beyond 64 KiB: does not decode")
	assert.Equal(t, uint32(1), f.ReadConfig(RegInterruptPin, 1))
	st := f.State()
	f.Reset()
	assert.Equal(t, uint32(0x08), f.ReadConfig(RegBAR0+4, 4))
	assert.Len(t, maps, 2)
	f.SetState(st)
	assert.Len(t, maps, 3)
}

func TestPAM(t *testing.T) {
	b := newBoard(t)
	b.write(0, 0, RegPAM0, 1, 0x33) // low nibble reserved
	require.Len(t, b.pams, 1)
	assert.Equal(t, uint8(0x30), b.pams[0][0])
	b.write(0, 0, 0x58, 4, 0x00211000) // DRAMT=0, PAM0=0x10, PAM1=0x21, PAM2=0
	require.Len(t, b.pams, 2)
	assert.Equal(t, [NumPAM]uint8{0x10, 0x21}, b.pams[1])
	b.write(0, 0, 0x50, 4, 0x11223344) // not a PAM register
	assert.Len(t, b.pams, 2)
	regions := DecodePAM(b.nb.PAM())
	require.Len(t, regions, 13)
	assert.Equal(t, PAMRegion{Base: 0xF0000, Size: 0x10000, Read: true}, regions[0])
	assert.Equal(t, PAMRegion{Base: 0xC0000, Size: 0x4000, Read: true}, regions[1])
	assert.Equal(t, PAMRegion{Base: 0xC4000, Size: 0x4000, Write: true}, regions[2])
	assert.Equal(t, PAMRegion{Base: 0xEC000, Size: 0x4000}, regions[12])
	assert.Equal(t, uint32(0x02), b.read(0, 0, RegSMRAM, 1))
	b.host.Reset()
	assert.Equal(t, [NumPAM]uint8{}, b.pams[2], "reset reports PAM cleared")
	assert.Equal(t, uint32(0), b.read(0, 0, 0x50, 4))
}

func TestPIRQRouting(t *testing.T) {
	b := newBoard(t)
	for n := 0; n < NumPIRQ; n++ {
		assert.Equal(t, uint32(0x80), b.read(1, 0, RegPIRQA+n, 1))
		_, ok := b.isa.PIRQ(n)
		assert.False(t, ok)
	}
	b.isa.SetINTx(2, 0, true) // slot 2 INTA -> PIRQB, not routed yet
	assert.Zero(t, b.irq.calls)
	b.write(1, 0, RegPIRQA+1, 1, 0x0B)
	assert.True(t, b.irq.level[11])
	b.write(1, 0, RegPIRQA, 1, 0x0B)
	b.isa.SetINTx(1, 0, true) // slot 1 INTA -> PIRQA, shares IRQ 11
	b.isa.SetINTx(2, 0, false)
	assert.True(t, b.irq.level[11], "still held by the other device")
	b.isa.SetINTx(1, 0, false)
	assert.False(t, b.irq.level[11])
	b.isa.SetINTx(3, 1, true) // slot 3 INTB -> PIRQD
	b.write(1, 0, RegPIRQA, 4, 0x0A0A0B80)
	assert.True(t, b.irq.level[10])
	b.write(1, 0, RegPIRQA+3, 1, 0x05)
	assert.False(t, b.irq.level[10])
	assert.True(t, b.irq.level[5])
	b.write(1, 0, RegPIRQA+3, 1, 0x02) // IRQ 2 cannot be a PIRQ target
	assert.False(t, b.irq.level[5])
	assert.False(t, b.irq.level[2])
	assert.Equal(t, uint32(0x02), b.read(1, 0, RegPIRQA+3, 1))
	b.write(1, 0, RegPIRQA+3, 1, 0xFF)
	assert.Equal(t, uint32(0x8F), b.read(1, 0, RegPIRQA+3, 1), "bits 4-6 reserved")
	st, rs := b.isa.State(), b.isa.RoutingState()
	b2 := newBoard(t)
	b2.isa.SetState(st)
	b2.isa.SetRoutingState(rs)
	assert.Equal(t, b.isa.RoutingState(), b2.isa.RoutingState())
	assert.Equal(t, b.read(1, 0, RegPIRQA, 4), b2.read(1, 0, RegPIRQA, 4))
}

func TestSwizzle(t *testing.T) {
	assert.Equal(t, 0, SwizzlePIRQ(1, 0))
	assert.Equal(t, 1, SwizzlePIRQ(2, 0))
	assert.Equal(t, 3, SwizzlePIRQ(1, 3))
	assert.Equal(t, 0, SwizzlePIRQ(3, 2))
}

func TestIDEChannels(t *testing.T) {
	b := newBoard(t)
	assert.True(t, b.ide.ChannelEnabled(0))
	assert.True(t, b.ide.ChannelEnabled(1))
	b.write(1, 1, RegIDETimSecondary, 2, 0)
	assert.False(t, b.ide.ChannelEnabled(1))
	assert.Equal(t, uint32(0x00008000), b.read(1, 1, RegIDETimPrimary, 4))
}

func TestResetControl(t *testing.T) {
	b := newBoard(t)
	b.bus.Out(ResetControlPort, 1, 0x02)
	assert.Empty(t, b.resets)
	assert.Equal(t, uint32(0x02), b.bus.In(ResetControlPort, 1))
	b.bus.Out(ResetControlPort, 1, 0x06)
	assert.Equal(t, []bool{true}, b.resets)
	b.bus.Out(ResetControlPort, 1, 0x06)
	assert.Len(t, b.resets, 1, "no new transition")
	b.bus.Out(ResetControlPort, 1, 0x00)
	b.bus.Out(ResetControlPort, 1, 0x04)
	assert.Equal(t, []bool{true, false}, b.resets)
	b.host.Reset()
	assert.Equal(t, HostState{}, b.host.State())
}

func TestRegister(t *testing.T) {
	h := New(nil)
	f := NewFunction(Header{Vendor: 1})
	require.NoError(t, h.Register(31, 7, f))
	assert.Error(t, h.Register(31, 7, f))
	assert.Error(t, h.Register(32, 0, f))
	assert.Error(t, h.Register(0, 8, f))
	assert.Same(t, f, h.Device(31, 7))
	assert.Nil(t, h.Device(0, 0))
	h.WriteConfig(0, 31, 7, RegInterruptLine, 1, 9)
	assert.Equal(t, uint32(9), h.ReadConfig(0, 31, 7, RegInterruptLine, 1))
	h.WriteConfig(0, 30, 0, 0, 4, 0) // absent: dropped
	h.WriteConfig(0, 31, 7, 0xFE, 4, 0xFFFFFFFF)
	h.SetState(HostState{Address: addr(0, 31, 7, 0)})
	assert.Equal(t, uint32(0x0001), h.ReadPort(DataPort, 2))
}
