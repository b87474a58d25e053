package pci

// Device is one PCI function as the host bridge reaches it. off is a byte
// offset in the 256-byte config space and size is 1, 2 or 4; off+size
// never exceeds 256. Values are little endian.
type Device interface {
	ReadConfig(off uint8, size uint8) uint32
	WriteConfig(off uint8, size uint8, v uint32)
}

// Standard config space offsets.
const (
	RegVendor        = 0x00
	RegDevice        = 0x02
	RegCommand       = 0x04
	RegStatus        = 0x06
	RegRevision      = 0x08
	RegClass         = 0x09 // prog-if, subclass, class (3 bytes)
	RegCacheLine     = 0x0C
	RegLatency       = 0x0D
	RegHeaderType    = 0x0E
	RegBAR0          = 0x10
	RegSubsysVendor  = 0x2C
	RegSubsys        = 0x2E
	RegROM           = 0x30
	RegInterruptLine = 0x3C
	RegInterruptPin  = 0x3D
)

// Command register bits.
const (
	CmdIO          = 0x0001
	CmdMemory      = 0x0002
	CmdMaster      = 0x0004
	CmdParity      = 0x0040
	CmdSERR        = 0x0100
	CmdIntxDisable = 0x0400
)

// HeaderMultiFunction marks function 0 of a multi-function device.
const HeaderMultiFunction = 0x80

// Header is the identity of a function.
type Header struct {
	Vendor, Device   uint16
	Class            uint32 // class << 16 | subclass << 8 | prog-if
	Revision         uint8
	HeaderType       uint8
	SubsysVendor     uint16
	Subsys           uint16
	InterruptPin     uint8 // 0 none, 1-4 INTA-INTD
	Command, Status  uint16
	CommandWriteMask uint16 // command bits software may change
}

// BAR describes a base address register. The zero value is an
// unimplemented BAR.
type BAR struct {
	Size         uint32 // power of two: >= 4 for I/O, >= 16 for memory
	IO           bool
	Prefetchable bool
}

// Mapping is a BAR decoded with the command register.
type Mapping struct {
	Base    uint64
	Size    uint32
	IO      bool
	Enabled bool // decoding: enable bit set and a usable address
}

// FunctionState is the guest-visible state of a Function.
type FunctionState struct {
	Config [256]uint8
}

// Function is a config space with write masks: a building block for PCI
// functions.
type Function struct {
	s       FunctionState
	power   [256]uint8 // power-on contents
	wmask   [256]uint8
	w1c     [256]uint8
	bars    [6]BAR
	mapping [6]Mapping // last effective mappings, to report changes

	// OnWrite, if set, runs after every config write with the written
	// range.
	OnWrite func(off, size uint8, v uint32)
	// OnMap, if set, runs when a BAR's decoded mapping changes.
	OnMap func(bar int, m Mapping)
}

// NewFunction returns a function with the given identity and the standard
// writable registers: command (per CommandWriteMask, or I/O, memory,
// master, parity, SERR and INTx disable), write-1-to-clear status error
// bits, cache line size, latency timer and interrupt line.
func NewFunction(h Header) *Function {
	f := &Function{}
	f.Init(h)
	return f
}

// Init sets up f like NewFunction, for functions that embed Function.
func (f *Function) Init(h Header) {
	*f = Function{}
	f.Set16(RegVendor, h.Vendor)
	f.Set16(RegDevice, h.Device)
	f.Set16(RegCommand, h.Command)
	f.Set16(RegStatus, h.Status)
	f.Set8(RegRevision, h.Revision)
	f.Set8(RegClass, uint8(h.Class))
	f.Set8(RegClass+1, uint8(h.Class>>8))
	f.Set8(RegClass+2, uint8(h.Class>>16))
	f.Set8(RegHeaderType, h.HeaderType)
	f.Set16(RegSubsysVendor, h.SubsysVendor)
	f.Set16(RegSubsys, h.Subsys)
	f.Set8(RegInterruptPin, h.InterruptPin)
	cmd := h.CommandWriteMask
	if cmd == 0 {
		cmd = CmdIO | CmdMemory | CmdMaster | CmdParity | CmdSERR | CmdIntxDisable
	}
	f.SetWriteMask(RegCommand, 2, uint32(cmd))
	f.w1c[RegStatus+1] = 0xF9 // parity, signalled/received aborts, SERR
	f.w1c[RegStatus] = 0x00
	f.SetWriteMask(RegCacheLine, 1, 0xFF)
	f.SetWriteMask(RegLatency, 1, 0xFF)
	f.SetWriteMask(RegInterruptLine, 1, 0xFF)
	f.Commit()
}

// SetBAR declares BAR i (0-5).
func (f *Function) SetBAR(i int, b BAR) {
	f.bars[i] = b
	off := uint8(RegBAR0 + 4*i)
	var flags uint32
	var mask uint32
	if b.IO {
		flags = 1
		// All 32 bits are writable, as QEMU has them: firmware that
		// sizes a BAR with ~(read & ~3) + 1 (SeaBIOS) needs the upper
		// half to read back ones. Only bases below 64 KiB decode.
		mask = ^(b.Size - 1) &^ 3
	} else {
		if b.Prefetchable {
			flags = 8
		}
		mask = ^(b.Size - 1) &^ 0xF
	}
	if b.Size == 0 {
		flags, mask = 0, 0
	}
	f.Set32(off, flags)
	f.SetWriteMask(off, 4, mask)
}

// SetWriteMask makes the bits of mask in the size-byte register at off
// writable by software.
func (f *Function) SetWriteMask(off, size uint8, mask uint32) {
	for i := uint8(0); i < size; i++ {
		f.wmask[off+i] = uint8(mask >> (8 * i))
	}
}

// SetW1C makes the bits of mask in the register at off write-1-to-clear.
func (f *Function) SetW1C(off, size uint8, mask uint32) {
	for i := uint8(0); i < size; i++ {
		f.w1c[off+i] = uint8(mask >> (8 * i))
	}
}

// Set8 stores a byte of config space without masks or hooks.
func (f *Function) Set8(off, v uint8) { f.s.Config[off] = v }

// Set16 stores a word of config space without masks or hooks.
func (f *Function) Set16(off uint8, v uint16) {
	f.s.Config[off] = uint8(v)
	f.s.Config[off+1] = uint8(v >> 8)
}

// Set32 stores a dword of config space without masks or hooks.
func (f *Function) Set32(off uint8, v uint32) {
	for i := uint8(0); i < 4; i++ {
		f.s.Config[off+i] = uint8(v >> (8 * i))
	}
}

// Reg8 returns a config byte.
func (f *Function) Reg8(off uint8) uint8 { return f.s.Config[off] }

// Reg16 returns a config word.
func (f *Function) Reg16(off uint8) uint16 {
	return uint16(f.s.Config[off]) | uint16(f.s.Config[off+1])<<8
}

// Reg32 returns a config dword.
func (f *Function) Reg32(off uint8) uint32 {
	return uint32(f.Reg16(off)) | uint32(f.Reg16(off+2))<<16
}

// Commit records the current config space as the power-on contents that
// Reset restores. Constructors call it once set up.
func (f *Function) Commit() {
	f.power = f.s.Config
	f.refreshMappings(false)
}

// Reset restores the power-on config space.
func (f *Function) Reset() {
	f.s.Config = f.power
	f.refreshMappings(true)
}

// State returns a copy of the config space.
func (f *Function) State() FunctionState { return f.s }

// SetState replaces the config space and reports changed mappings.
func (f *Function) SetState(s FunctionState) {
	f.s = s
	f.refreshMappings(true)
}

// ReadConfig implements Device.
func (f *Function) ReadConfig(off uint8, size uint8) uint32 {
	var v uint32
	for i := uint8(0); i < size && int(off)+int(i) < 256; i++ {
		v |= uint32(f.s.Config[off+i]) << (8 * i)
	}
	return v
}

// WriteConfig implements Device.
func (f *Function) WriteConfig(off uint8, size uint8, v uint32) {
	for i := uint8(0); i < size && int(off)+int(i) < 256; i++ {
		o := off + i
		b := uint8(v >> (8 * i))
		c := f.s.Config[o]
		c = c&^f.wmask[o] | b&f.wmask[o]
		c &^= b & f.w1c[o]
		f.s.Config[o] = c
	}
	if f.OnWrite != nil {
		f.OnWrite(off, size, v)
	}
	f.refreshMappings(true)
}

// Mapping decodes BAR i with the command register.
func (f *Function) Mapping(i int) Mapping {
	b := f.bars[i]
	if b.Size == 0 {
		return Mapping{}
	}
	v := f.Reg32(uint8(RegBAR0 + 4*i))
	cmd := f.Reg16(RegCommand)
	m := Mapping{Size: b.Size, IO: b.IO}
	if b.IO {
		m.Base = uint64(v &^ 3)
		m.Enabled = cmd&CmdIO != 0 && m.Base != 0 && m.Base+uint64(b.Size) <= 0x10000
	} else {
		m.Base = uint64(v &^ 0xF)
		m.Enabled = cmd&CmdMemory != 0 && m.Base != 0 && m.Base+uint64(b.Size) <= 1<<32
	}
	return m
}

// refreshMappings reports BARs whose effective mapping changed: moving a
// BAR that does not decode (while it is sized, say) reports nothing.
func (f *Function) refreshMappings(notify bool) {
	for i := range f.bars {
		m := f.Mapping(i)
		eff := m
		if !eff.Enabled {
			eff.Base = 0
		}
		if eff == f.mapping[i] {
			continue
		}
		f.mapping[i] = eff
		if notify && f.OnMap != nil {
			f.OnMap(i, m)
		}
	}
}
