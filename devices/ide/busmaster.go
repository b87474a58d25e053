package ide

// Bus master status bits.
const (
	bmStatusActive = 0x01
	bmStatusError  = 0x02
	bmStatusIRQ    = 0x04
	bmStatusDMA0   = 0x20 // drive 0 DMA capable (software-set)
	bmStatusDMA1   = 0x40
)

// BusMasterState is one channel's bus master registers. The drives do
// no DMA, so the block is registers only: command, status (interrupt and
// error bits are write-1-to-clear) and the PRD table address.
type BusMasterState struct {
	Command uint8
	Status  uint8
	PRD     uint32
}

// busMaster serves the 16-port block: channel 0 at +0, channel 1 at +8.
type busMaster struct {
	c *Controller
	s [2]BusMasterState
}

// ReadPort implements bus.PortHandler; port is taken modulo 16.
func (b *busMaster) ReadPort(port uint16, size uint8) uint32 {
	var v uint32
	for i := uint16(0); i < uint16(size); i++ {
		v |= uint32(b.readByte((port+i)&15)) << (8 * i)
	}
	return v
}

func (b *busMaster) readByte(off uint16) uint8 {
	s := &b.s[off>>3]
	switch off & 7 {
	case 0:
		return s.Command
	case 2:
		return s.Status
	case 4, 5, 6, 7:
		return uint8(s.PRD >> (8 * (off & 3)))
	}
	return 0
}

// WritePort implements bus.PortHandler.
func (b *busMaster) WritePort(port uint16, size uint8, v uint32) {
	for i := uint16(0); i < uint16(size); i++ {
		b.writeByte((port+i)&15, uint8(v>>(8*i)))
	}
}

func (b *busMaster) writeByte(off uint16, v uint8) {
	s := &b.s[off>>3]
	switch off & 7 {
	case 0:
		s.Command = v & 0x09 // start/stop, read/write; no transfer starts
	case 2:
		s.Status = s.Status&^(v&(bmStatusError|bmStatusIRQ)) | s.Status&bmStatusActive
		s.Status = s.Status&^(bmStatusDMA0|bmStatusDMA1) | v&(bmStatusDMA0|bmStatusDMA1)
	case 4, 5, 6, 7:
		sh := 8 * (off & 3)
		s.PRD = (s.PRD&^(0xFF<<sh) | uint32(v)<<sh) &^ 3
	}
}
