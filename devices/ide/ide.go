package ide

import (
	"fmt"

	"bt86/bus"
)

// SectorSize is the ATA sector size.
const SectorSize = 512

// Disk is a drive's medium (disk.Image satisfies it).
type Disk interface {
	ReadAt(p []byte, off int64) (int, error)
	WriteAt(p []byte, off int64) (int, error)
	Size() int64
	Flush() error
}

// Legacy port bases and interrupt lines of the two channels.
const (
	PrimaryCmd     = 0x1F0
	PrimaryCtl     = 0x3F6
	PrimaryIRQ     = 14
	SecondaryCmd   = 0x170
	SecondaryCtl   = 0x376
	SecondaryIRQ   = 15
	BusMasterPorts = 16 // size of the bus master register block
)

// Status register bits.
const (
	StatusERR  = 0x01
	StatusDRQ  = 0x08
	StatusDSC  = 0x10
	StatusDF   = 0x20
	StatusDRDY = 0x40
	StatusBSY  = 0x80
)

// Error register bits.
const (
	ErrABRT = 0x04
	ErrIDNF = 0x10
	ErrUNC  = 0x40
)

// Device control register bits.
const (
	CtlNIEN = 0x02
	CtlSRST = 0x04
	CtlHOB  = 0x80
)

// Device register bits.
const (
	DevLBA   = 0x40
	DevSlave = 0x10
)

// MaxMultiple is the largest READ/WRITE MULTIPLE block, in sectors.
const MaxMultiple = 16

// Controller is the two legacy channels and the bus master registers.
type Controller struct {
	ch [2]Channel
	bm busMaster
}

// New returns a controller with no drives. irq receives IRQ 14 and 15.
func New(irq bus.IRQSink) *Controller {
	c := &Controller{}
	c.ch[0] = Channel{cmd: PrimaryCmd, ctl: PrimaryCtl, line: PrimaryIRQ, irq: irq, bm: &c.bm.s[0]}
	c.ch[1] = Channel{cmd: SecondaryCmd, ctl: SecondaryCtl, line: SecondaryIRQ, irq: irq, bm: &c.bm.s[1]}
	c.bm.c = c
	c.Reset()
	return c
}

// SetDisk attaches d (nil detaches) as drive unit (0 master, 1 slave) of
// channel ch (0 primary, 1 secondary).
func (c *Controller) SetDisk(ch, unit int, d Disk) error {
	if ch < 0 || ch > 1 || unit < 0 || unit > 1 {
		return fmt.Errorf("ide: no drive %d on channel %d", unit, ch)
	}
	if d != nil && d.Size() < SectorSize {
		return fmt.Errorf("ide: disk of %d bytes is smaller than a sector", d.Size())
	}
	dr := &c.ch[ch].drives[unit]
	dr.disk = d
	dr.geometry()
	c.ch[ch].resetDrive(unit)
	return nil
}

// Channel returns channel i (0 primary, 1 secondary).
func (c *Controller) Channel(i int) *Channel { return &c.ch[i&1] }

// Attach maps both channels' command and control ports on b.
func (c *Controller) Attach(b *bus.Bus) error {
	for i := range c.ch {
		ch := &c.ch[i]
		if err := b.MapPorts(fmt.Sprintf("ide%d", i), ch.cmd, ch.cmd+7, ch); err != nil {
			return err
		}
		if err := b.MapPorts(fmt.Sprintf("ide%d-ctl", i), ch.ctl, ch.ctl, ch); err != nil {
			return err
		}
	}
	return nil
}

// BusMaster returns the handler of the 16-port bus master block, to be
// mapped where the PCI function's BAR4 points.
func (c *Controller) BusMaster() bus.PortHandler { return &c.bm }

// Reset is a hardware reset of both channels.
func (c *Controller) Reset() {
	for i := range c.ch {
		c.ch[i].s.DevCtl = 0
		c.ch[i].setIRQ(false)
		c.ch[i].softReset()
	}
	c.bm.s = [2]BusMasterState{}
}

// Flush flushes every drive's disk (at power-off).
func (c *Controller) Flush() error {
	var first error
	for i := range c.ch {
		for _, d := range c.ch[i].drives {
			if d.disk != nil {
				if err := d.disk.Flush(); err != nil && first == nil {
					first = err
				}
			}
		}
	}
	return first
}

// ChannelState is the guest-visible state of one channel.
type ChannelState struct {
	DevCtl uint8
	Unit   int  // the selected drive
	INTRQ  bool // interrupt pending (before nIEN)
	Drives [2]DriveState
}

// DriveState is one drive's registers and transfer.
type DriveState struct {
	// Task file: current values and the previous ones (HOB).
	Feature, Count, LBALow, LBAMid, LBAHigh [2]uint8
	Device                                  uint8
	Status, Error                           uint8
	Multiple                                int // sectors per READ/WRITE MULTIPLE block; 0 disabled
	Heads, Sectors                          int // current CHS translation
	WriteCache                              bool

	Op        uint8 // opNone, opRead, opWrite
	LBA       int64 // next sector to transfer
	Remaining int64 // sectors left, the current block included
	Block     int   // sectors per DRQ block of the command
	Pos, End  int   // data buffer position and end, in bytes
	Buf       [MaxMultiple * SectorSize]byte

	// ATAPI: the byte count limit of the current packet command,
	// whether its data come from Buf (a reply) or the medium (LBA and
	// Remaining are then byte offsets), and the sense data (key, ASC,
	// ASCQ) REQUEST SENSE reports.
	ByteLimit   int
	XferFromBuf bool
	Sense       [3]uint8
}

// State returns a copy of channel i's state.
func (c *Controller) State(i int) ChannelState { return c.ch[i&1].s }

// SetState replaces channel i's state and drives its interrupt line.
func (c *Controller) SetState(i int, s ChannelState) {
	ch := &c.ch[i&1]
	ch.s = s
	ch.updateIRQ()
}
