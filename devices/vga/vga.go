package vga

import (
	"bytes"

	"bt86/bus"
)

// Memory window and ports.
const (
	MemBase   = 0xA0000
	MemSize   = 0x20000
	TextBase  = 0xB8000
	PortFirst = 0x3C0
	PortLast  = 0x3DF
)

// Register counts.
const (
	numSeq  = 5
	numGC   = 9
	numCRTC = 0x19
	numAttr = 0x15
)

// CRTC registers used by the renderer.
const (
	CRTCHDisplayEnd = 0x01
	CRTCOverflow    = 0x07
	CRTCMaxScan     = 0x09
	CRTCCursorStart = 0x0A
	CRTCCursorEnd   = 0x0B
	CRTCStartHi     = 0x0C
	CRTCStartLo     = 0x0D
	CRTCCursorHi    = 0x0E
	CRTCCursorLo    = 0x0F
	CRTCVRetraceEnd = 0x11
	CRTCVDisplayEnd = 0x12
	CRTCOffset      = 0x13
)

// Standard mode 3 (80x25 colour text) register values, as constant
// strings so that no table is mutable.
const (
	mode3Seq  = "\x03\x00\x03\x00\x02"
	mode3GC   = "\x00\x00\x00\x00\x00\x10\x0e\x00\xff"
	mode3CRTC = "\x5f\x4f\x50\x82\x55\x81\xbf\x1f\x00\x4f\x0d\x0e\x00\x00\x00\x00" +
		"\x9c\x8e\x8f\x28\x1f\x96\xb9\xa3\xff"
	mode3Attr = "\x00\x01\x02\x03\x04\x05\x14\x07\x38\x39\x3a\x3b\x3c\x3d\x3e\x3f" +
		"\x0c\x00\x0f\x08\x00"
)

// State is the guest-visible state of the adapter.
type State struct {
	Mem       [MemSize]uint8
	Misc      uint8
	Enable    uint8 // port 0x3C3
	Feature   uint8
	SeqIndex  uint8
	Seq       [8]uint8
	GCIndex   uint8
	GC        [16]uint8
	CRTCIndex uint8
	CRTC      [32]uint8
	AttrIndex uint8 // including the palette address source bit
	AttrFlip  bool  // next 0x3C0 write is data
	Attr      [32]uint8
	DACMask   uint8
	DACRead   uint8 // read index
	DACWrite  uint8 // write index
	DACComp   uint8 // component of the current entry, 0-2
	DACReadMo bool  // last index written was the read index
	DAC       [256][3]uint8
	Status    uint32 // input status 1 reads, for the retrace toggle
}

// Adapter is a VGA in text mode.
type Adapter struct {
	s        State
	gen      uint64 // bumped on visible changes
	rendered uint64 // gen at the last render
	buf      bytes.Buffer
}

// New returns an adapter in mode 3 with zeroed memory.
func New() *Adapter {
	a := &Adapter{}
	a.Reset()
	return a
}

// Reset programs the registers with the mode 3 values; memory is kept.
func (a *Adapter) Reset() {
	mem := a.s.Mem
	a.s = State{Mem: mem, Misc: 0x67, Enable: 0x01, DACMask: 0xFF}
	copy(a.s.Seq[:], mode3Seq)
	copy(a.s.GC[:], mode3GC)
	copy(a.s.CRTC[:], mode3CRTC)
	copy(a.s.Attr[:], mode3Attr)
	a.s.AttrIndex = 0x20
	a.gen++
}

// State returns a copy of the guest-visible state.
func (a *Adapter) State() State { return a.s }

// SetState replaces the guest-visible state.
func (a *Adapter) SetState(s State) {
	a.s = s
	a.gen++
}

// Attach maps the memory window and ports 0x3C0-0x3DF on b.
func (a *Adapter) Attach(b *bus.Bus) error {
	if err := b.MapMMIO("vga-mem", MemBase, MemSize, a); err != nil {
		return err
	}
	return b.MapPorts("vga", PortFirst, PortLast, a)
}

// Dirty reports whether the screen changed since the last render.
func (a *Adapter) Dirty() bool { return a.gen != a.rendered }

// MarkClean clears Dirty without rendering.
func (a *Adapter) MarkClean() { a.rendered = a.gen }

// --- memory ---

// ReadMMIO implements bus.MMIOHandler.
func (a *Adapter) ReadMMIO(off uint64, size uint8) uint64 {
	var v uint64
	for i := uint64(0); i < uint64(size); i++ {
		b := uint64(0xFF)
		if off+i < MemSize {
			b = uint64(a.s.Mem[off+i])
		}
		v |= b << (8 * i)
	}
	return v
}

// WriteMMIO implements bus.MMIOHandler.
func (a *Adapter) WriteMMIO(off uint64, size uint8, v uint64) {
	lo, hi := a.window()
	for i := uint64(0); i < uint64(size); i++ {
		o := off + i
		if o >= MemSize {
			return
		}
		b := uint8(v >> (8 * i))
		if a.s.Mem[o] != b {
			a.s.Mem[o] = b
			if o >= lo && o < hi {
				a.gen++
			}
		}
	}
}

// window returns the offsets of the memory the text screen is read from.
func (a *Adapter) window() (lo, hi uint64) {
	switch a.s.GC[6] >> 2 & 3 {
	case 0:
		return 0, 0x20000
	case 1:
		return 0, 0x10000
	case 2:
		return 0x10000, 0x18000
	}
	return 0x18000, 0x20000
}

// --- ports ---

// ReadPort implements bus.PortHandler.
func (a *Adapter) ReadPort(port uint16, size uint8) uint32 {
	var v uint32
	for i := uint8(0); i < size; i++ {
		v |= uint32(a.readByte(port+uint16(i))) << (8 * i)
	}
	return v
}

// WritePort implements bus.PortHandler. Word writes to an index port
// write the index and then the data register, as on the hardware.
func (a *Adapter) WritePort(port uint16, size uint8, v uint32) {
	for i := uint8(0); i < size; i++ {
		a.writeByte(port+uint16(i), uint8(v>>(8*i)))
	}
}

func (a *Adapter) readByte(port uint16) uint8 {
	s := &a.s
	switch port {
	case 0x3C0:
		return s.AttrIndex
	case 0x3C1:
		return s.Attr[s.AttrIndex&0x1F]
	case 0x3C2: // input status 0
		return 0x00
	case 0x3C3:
		return s.Enable
	case 0x3C4:
		return s.SeqIndex
	case 0x3C5:
		return s.Seq[s.SeqIndex&7]
	case 0x3C6:
		return s.DACMask
	case 0x3C7:
		if s.DACReadMo {
			return 0x03
		}
		return 0x00
	case 0x3C8:
		return s.DACWrite
	case 0x3C9:
		v := s.DAC[s.DACRead][s.DACComp]
		if s.DACComp++; s.DACComp == 3 {
			s.DACComp = 0
			s.DACRead++
		}
		return v
	case 0x3CA:
		return s.Feature
	case 0x3CC:
		return s.Misc
	case 0x3CE:
		return s.GCIndex
	case 0x3CF:
		return s.GC[s.GCIndex&0xF]
	case 0x3D4:
		return s.CRTCIndex
	case 0x3D5:
		return s.CRTC[s.CRTCIndex&0x1F]
	case 0x3DA:
		s.AttrFlip = false
		n := s.Status
		s.Status++
		if n&1 != 0 {
			return 0x09 // vertical retrace, display disabled
		}
		return 0x00
	}
	return 0xFF
}

func (a *Adapter) writeByte(port uint16, v uint8) {
	s := &a.s
	switch port {
	case 0x3C0:
		if !s.AttrFlip {
			s.AttrIndex = v & 0x3F
		} else if i := s.AttrIndex & 0x1F; i < numAttr {
			s.Attr[i] = v
		}
		s.AttrFlip = !s.AttrFlip
	case 0x3C2:
		s.Misc = v
	case 0x3C3:
		s.Enable = v
	case 0x3C4:
		s.SeqIndex = v
	case 0x3C5:
		if i := s.SeqIndex & 7; i < numSeq {
			s.Seq[i] = v
		}
	case 0x3C6:
		s.DACMask = v
	case 0x3C7:
		s.DACRead, s.DACComp, s.DACReadMo = v, 0, true
	case 0x3C8:
		s.DACWrite, s.DACComp, s.DACReadMo = v, 0, false
	case 0x3C9:
		s.DAC[s.DACWrite][s.DACComp] = v & 0x3F
		if s.DACComp++; s.DACComp == 3 {
			s.DACComp = 0
			s.DACWrite++
		}
	case 0x3CE:
		s.GCIndex = v
	case 0x3CF:
		if i := s.GCIndex & 0xF; i < numGC {
			s.GC[i] = v
		}
	case 0x3D4:
		s.CRTCIndex = v
	case 0x3D5:
		i := s.CRTCIndex & 0x1F
		switch {
		case i >= numCRTC:
			return
		case i < 8 && s.CRTC[CRTCVRetraceEnd]&0x80 != 0:
			if i != CRTCOverflow {
				return
			}
			// Only the line compare bit 8 stays writable.
			v = s.CRTC[i]&^0x10 | v&0x10
		}
		s.CRTC[i] = v
	case 0x3DA:
		s.Feature = v
	default:
		return
	}
	a.gen++
}
