package ide

import "bt86/bus"

// Transfer kinds.
const (
	opNone uint8 = iota
	opRead
	opWrite
)

// Task file register offsets from the command block base.
const (
	regData    = 0
	regFeature = 1 // error on read
	regCount   = 2
	regLBALow  = 3
	regLBAMid  = 4
	regLBAHigh = 5
	regDevice  = 6
	regCommand = 7 // status on read
)

// Channel is one ATA channel: two drive positions sharing a cable.
type Channel struct {
	s      ChannelState
	drives [2]driveMedia
	cmd    uint16
	ctl    uint16
	line   int
	irq    bus.IRQSink
	bm     *BusMasterState
	level  bool // the line as last driven
}

// driveMedia is the host side of a drive: its disk and size.
type driveMedia struct {
	disk    Disk
	sectors int64
	// Default CHS geometry reported by IDENTIFY.
	cyls, heads, spt int
	cd               bool // an ATAPI CD-ROM drive (sectors are 2048 bytes)
}

// geometry derives the sector count and default CHS geometry.
func (d *driveMedia) geometry() {
	d.sectors, d.cyls, d.heads, d.spt, d.cd = 0, 0, 0, 0, false
	if d.disk == nil {
		return
	}
	d.sectors = d.disk.Size() / SectorSize
	d.heads, d.spt = 16, 63
	d.cyls = int(min(max(d.sectors/(16*63), 1), 16383))
}

// present reports whether drive unit exists.
func (ch *Channel) present(unit int) bool { return ch.drives[unit].disk != nil }

// cur returns the selected drive's state.
func (ch *Channel) cur() *DriveState { return &ch.s.Drives[ch.s.Unit] }

// ReadPort implements bus.PortHandler.
func (ch *Channel) ReadPort(port uint16, size uint8) uint32 {
	if port == ch.ctl {
		return uint32(ch.status(false))
	}
	reg := port - ch.cmd
	if reg == regData {
		return ch.readData(size)
	}
	d := ch.cur()
	hob := 0
	if ch.s.DevCtl&CtlHOB != 0 {
		hob = 1
	}
	absent := !ch.present(ch.s.Unit)
	noDrives := absent && !ch.present(ch.s.Unit^1)
	if noDrives && reg != regDevice {
		return 0
	}
	switch reg {
	case regFeature:
		if absent {
			return 0
		}
		return uint32(d.Error)
	case regCount:
		return uint32(d.Count[hob])
	case regLBALow:
		return uint32(d.LBALow[hob])
	case regLBAMid:
		return uint32(d.LBAMid[hob])
	case regLBAHigh:
		return uint32(d.LBAHigh[hob])
	case regDevice:
		return uint32(d.Device)
	}
	return uint32(ch.status(true))
}

// status reads the status register; a read of the primary status (not
// the alternate) clears INTRQ.
func (ch *Channel) status(clearIRQ bool) uint8 {
	if !ch.present(ch.s.Unit) {
		return 0
	}
	if clearIRQ {
		ch.s.INTRQ = false
		ch.updateIRQ()
	}
	return ch.cur().Status
}

// WritePort implements bus.PortHandler.
func (ch *Channel) WritePort(port uint16, size uint8, v uint32) {
	if port == ch.ctl {
		ch.writeControl(uint8(v))
		return
	}
	reg := port - ch.cmd
	if reg == regData {
		ch.writeData(size, v)
		return
	}
	b := uint8(v)
	if reg != regCommand {
		ch.s.DevCtl &^= CtlHOB
	}
	for i := range ch.s.Drives {
		d := &ch.s.Drives[i]
		switch reg {
		case regFeature:
			d.Feature = [2]uint8{b, d.Feature[0]}
		case regCount:
			d.Count = [2]uint8{b, d.Count[0]}
		case regLBALow:
			d.LBALow = [2]uint8{b, d.LBALow[0]}
		case regLBAMid:
			d.LBAMid = [2]uint8{b, d.LBAMid[0]}
		case regLBAHigh:
			d.LBAHigh = [2]uint8{b, d.LBAHigh[0]}
		case regDevice:
			d.Device = b | 0xA0
		}
	}
	switch reg {
	case regDevice:
		ch.s.Unit = int(b>>4) & 1
	case regCommand:
		ch.command(b)
	}
}

// writeControl handles the device control register: nIEN and software
// reset (on the falling edge of SRST).
func (ch *Channel) writeControl(v uint8) {
	old := ch.s.DevCtl
	ch.s.DevCtl = v
	if v&CtlSRST != 0 {
		for i := range ch.s.Drives {
			if ch.present(i) {
				ch.s.Drives[i].Status = StatusBSY
			}
		}
		ch.s.INTRQ = false
	} else if old&CtlSRST != 0 {
		ch.softReset()
	}
	ch.updateIRQ()
}

// softReset puts both drives in their reset state with their signature.
func (ch *Channel) softReset() {
	ch.s.Unit = 0
	for i := range ch.s.Drives {
		ch.resetDrive(i)
	}
}

// resetDrive sets drive i's registers after a reset or diagnostic: the
// ATA signature (count 1, LBA 1, 0, 0), status DRDY|DSC, diagnostic code 1.
func (ch *Channel) resetDrive(i int) {
	d := &ch.s.Drives[i]
	dr := &ch.drives[i]
	*d = DriveState{}
	d.Count[0], d.LBALow[0] = 1, 1
	d.Device = 0xA0
	d.Error = 1
	d.Heads, d.Sectors = dr.heads, dr.spt
	d.WriteCache = true
	if dr.disk == nil {
		d.LBAMid[0], d.LBAHigh[0] = 0xFF, 0xFF
		d.Error = 0
		return
	}
	d.Status = StatusDRDY | StatusDSC
	if dr.cd {
		d.LBAMid[0], d.LBAHigh[0] = 0x14, 0xEB
	}
}

// raise signals INTRQ.
func (ch *Channel) raise() {
	ch.s.INTRQ = true
	ch.bm.Status |= bmStatusIRQ
	ch.updateIRQ()
}

func (ch *Channel) setIRQ(high bool) {
	if ch.level != high && ch.irq != nil {
		ch.irq.SetIRQ(ch.line, high)
	}
	ch.level = high
}

// updateIRQ drives the line: INTRQ unless nIEN masks it.
func (ch *Channel) updateIRQ() {
	ch.setIRQ(ch.s.INTRQ && ch.s.DevCtl&CtlNIEN == 0)
}

// readData reads the data port: the next word (or dword) of a PIO read.
func (ch *Channel) readData(size uint8) uint32 {
	d := ch.cur()
	if (d.Op != opRead && d.Op != opATAPIIn) || !ch.present(ch.s.Unit) {
		return 0xFFFFFFFF
	}
	n := 2
	if size == 4 {
		n = 4
	}
	var v uint32
	for i := 0; i < n && d.Pos < d.End; i++ {
		v |= uint32(d.Buf[d.Pos]) << (8 * i)
		d.Pos++
	}
	if d.Pos >= d.End {
		if d.Op == opATAPIIn {
			ch.atapiBlockDone(d)
		} else {
			ch.blockDone()
		}
	}
	return v
}

// writeData takes the next word (or dword) of a PIO write.
func (ch *Channel) writeData(size uint8, v uint32) {
	d := ch.cur()
	if (d.Op != opWrite && d.Op != opPacket) || !ch.present(ch.s.Unit) {
		return
	}
	n := 2
	if size == 4 {
		n = 4
	}
	for i := 0; i < n && d.Pos < d.End; i++ {
		d.Buf[d.Pos] = uint8(v >> (8 * i))
		d.Pos++
	}
	if d.Pos >= d.End {
		if d.Op == opPacket {
			ch.packet(d)
		} else {
			ch.blockDone()
		}
	}
}
