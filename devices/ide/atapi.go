package ide

import (
	"encoding/binary"
	"fmt"
)

// CDSectorSize is the sector size of a CD-ROM medium.
const CDSectorSize = 2048

// ATAPI transfer kinds (DriveState.Op).
const (
	opPacket  uint8 = iota + 8 // receiving the 12-byte command packet
	opATAPIIn                  // data to the host, in DRQ blocks
)

// Interrupt reason bits (the sector count register of an ATAPI device).
const (
	reasonCoD = 0x01 // command packet / status phase
	reasonIO  = 0x02 // to the host
)

// SCSI sense keys and additional sense codes.
const (
	senseNone           = 0x00
	senseNotReady       = 0x02
	senseIllegalRequest = 0x05
	ascInvalidCommand   = 0x20
	ascLBAOutOfRange    = 0x21
	ascInvalidField     = 0x24
)

// SCSI commands of the MMC set a boot loader needs.
const (
	scsiTestUnitReady   = 0x00
	scsiRequestSense    = 0x03
	scsiInquiry         = 0x12
	scsiStartStopUnit   = 0x1B
	scsiPreventAllow    = 0x1E
	scsiReadCapacity    = 0x25
	scsiRead10          = 0x28
	scsiReadTOC         = 0x43
	scsiRead12          = 0xA8
	scsiModeSense10     = 0x5A
	scsiReadDiscInfo    = 0x51
	scsiGetEventStatus  = 0x4A
	scsiMechanismStatus = 0xBD
)

// SetCDROM attaches an ATAPI CD-ROM drive holding medium (an ISO image of
// 2048-byte sectors, read only) as drive unit of channel ch.
func (c *Controller) SetCDROM(ch, unit int, medium Disk) error {
	if medium != nil && medium.Size() < CDSectorSize {
		return fmt.Errorf("ide: CD image of %d bytes is smaller than a %d-byte sector", medium.Size(), CDSectorSize)
	}
	if err := c.SetDisk(ch, unit, medium); err != nil {
		return err
	}
	dr := &c.ch[ch].drives[unit]
	dr.cd = true
	if medium != nil {
		dr.sectors = medium.Size() / CDSectorSize
	}
	c.ch[ch].resetDrive(unit)
	return nil
}

// atapiCommand runs an ATA command addressed to a CD-ROM drive.
func (ch *Channel) atapiCommand(d *DriveState, cmd uint8) {
	switch cmd {
	case CmdPacket:
		if d.Feature[0]&1 != 0 { // DMA: not here
			ch.fail(d, ErrABRT)
			return
		}
		d.Op, d.Pos, d.End = opPacket, 0, 12
		d.Count[0] = reasonCoD
		d.Status = StatusDRDY | StatusDSC | StatusDRQ
	case CmdIdentifyPacket:
		ch.identifyPacket(d)
		d.Op, d.Pos, d.End, d.Remaining, d.Block = opRead, 0, SectorSize, 1, 1
		d.LBA = -1
		d.Status |= StatusDRQ
		ch.raise()
	case CmdDeviceReset:
		ch.resetDrive(ch.s.Unit)
	case CmdSetFeatures, CmdCheckPower, 0xE0, 0xE1, 0xE2, 0xE3, 0x94, 0x95, 0x96, 0x97:
		if cmd == CmdCheckPower {
			d.Count[0] = 0xFF
		}
		ch.raise()
	default:
		// IDENTIFY DEVICE and the disk commands abort, leaving the
		// ATAPI signature for the host to see.
		d.LBAMid[0], d.LBAHigh[0] = 0x14, 0xEB
		d.Count[0], d.LBALow[0] = 1, 1
		ch.fail(d, ErrABRT)
	}
}

// identifyPacket fills d's buffer with IDENTIFY PACKET DEVICE data: a
// removable CD-ROM with 12-byte packets, PIO only.
func (ch *Channel) identifyPacket(d *DriveState) {
	var w [256]uint16
	w[0] = 0x8000 | 5<<8 | 0x80 | 2<<5 // ATAPI, CD-ROM, removable, DRQ within 50 us
	putString(w[10:20], serial(ch.cmd, ch.s.Unit))
	putString(w[23:27], firmware)
	putString(w[27:47], "BT86 CD-ROM")
	w[49] = 1 << 9 // LBA (no DMA)
	w[53] = 0x0003
	w[64] = 0x0003
	w[65], w[66], w[67], w[68] = 120, 120, 120, 120
	w[80] = 0x007E
	for i, v := range w {
		d.Buf[2*i] = uint8(v)
		d.Buf[2*i+1] = uint8(v >> 8)
	}
}

// packet runs the SCSI command in the packet the host just sent.
func (ch *Channel) packet(d *DriveState) {
	var cdb [12]byte
	copy(cdb[:], d.Buf[:12])
	m := &ch.drives[ch.s.Unit]
	limit := int(d.LBAHigh[0])<<8 | int(d.LBAMid[0])
	if limit == 0 || limit == 0xFFFF {
		limit = 0xFFFE
	}
	d.ByteLimit = max(limit&^1, 2)
	switch cdb[0] {
	case scsiTestUnitReady, scsiStartStopUnit, scsiPreventAllow:
		ch.atapiDone(d)
	case scsiRequestSense:
		var b [18]byte
		b[0], b[2], b[7], b[12], b[13] = 0x70, d.Sense[0], 10, d.Sense[1], d.Sense[2]
		d.Sense = [3]uint8{}
		ch.atapiReply(d, b[:], int(cdb[4]))
	case scsiInquiry:
		var b [36]byte
		b[0], b[1], b[2], b[3], b[4] = 0x05, 0x80, 0x00, 0x21, 31 // CD-ROM, removable, response format 1
		copy(b[8:], "BT86    ")
		copy(b[16:], "CD-ROM          ")
		copy(b[32:], firmware+" ")
		ch.atapiReply(d, b[:], int(cdb[4]))
	case scsiReadCapacity:
		var b [8]byte
		binary.BigEndian.PutUint32(b[0:], uint32(m.sectors-1))
		binary.BigEndian.PutUint32(b[4:], CDSectorSize)
		ch.atapiReply(d, b[:], len(b))
	case scsiRead10, scsiRead12:
		lba := int64(binary.BigEndian.Uint32(cdb[2:]))
		n := int64(binary.BigEndian.Uint16(cdb[7:]))
		if cdb[0] == scsiRead12 {
			n = int64(binary.BigEndian.Uint32(cdb[6:]))
		}
		if lba+n > m.sectors {
			ch.checkCondition(d, senseIllegalRequest, ascLBAOutOfRange)
			return
		}
		if n == 0 {
			ch.atapiDone(d)
			return
		}
		d.LBA, d.Remaining, d.XferFromBuf = lba*CDSectorSize, n*CDSectorSize, false
		ch.atapiBlock(d)
	case scsiReadTOC:
		ch.readTOC(d, cdb, m.sectors)
	default:
		ch.checkCondition(d, senseIllegalRequest, ascInvalidCommand)
	}
}

// readTOC answers READ TOC format 0 (LBA form): one data track and the
// lead-out.
func (ch *Channel) readTOC(d *DriveState, cdb [12]byte, sectors int64) {
	if format := cdb[9] >> 6; format != 0 || cdb[2]&0x0F != 0 || cdb[1]&0x02 != 0 {
		ch.checkCondition(d, senseIllegalRequest, ascInvalidField)
		return
	}
	var b [20]byte
	binary.BigEndian.PutUint16(b[0:], 18)
	b[2], b[3] = 1, 1
	b[5], b[6] = 0x14, 1 // data track 1 at LBA 0
	b[13], b[14] = 0x16, 0xAA
	binary.BigEndian.PutUint32(b[16:], uint32(sectors))
	ch.atapiReply(d, b[:], int(binary.BigEndian.Uint16(cdb[7:])))
}

// atapiReply sends a command's reply (at most alloc bytes).
func (ch *Channel) atapiReply(d *DriveState, b []byte, alloc int) {
	n := min(len(b), alloc)
	if n == 0 {
		ch.atapiDone(d)
		return
	}
	copy(d.Buf[:], b[:n])
	d.LBA, d.Remaining, d.XferFromBuf = 0, int64(n), true
	ch.atapiBlock(d)
}

// atapiBlock offers the next DRQ block of data to the host.
func (ch *Channel) atapiBlock(d *DriveState) {
	n := int(min(d.Remaining, int64(d.ByteLimit), int64(len(d.Buf))))
	if !d.XferFromBuf {
		if n >= CDSectorSize {
			n -= n % CDSectorSize
		}
		if got, err := ch.drives[ch.s.Unit].disk.ReadAt(d.Buf[:n], d.LBA); err != nil || got != n {
			ch.checkCondition(d, 0x03, 0x11) // medium error, unrecovered read error
			return
		}
	}
	d.Op, d.Pos, d.End = opATAPIIn, 0, n
	d.LBAMid[0], d.LBAHigh[0] = uint8(n), uint8(n>>8)
	d.Count[0] = reasonIO
	d.Status = StatusDRDY | StatusDSC | StatusDRQ
	ch.raise()
}

// atapiBlockDone runs when the host has read a whole block.
func (ch *Channel) atapiBlockDone(d *DriveState) {
	n := int64(d.End)
	d.Remaining -= n
	d.LBA += n
	if d.Remaining <= 0 {
		ch.atapiDone(d)
		return
	}
	if d.XferFromBuf {
		copy(d.Buf[:], d.Buf[n:])
	}
	ch.atapiBlock(d)
}

// atapiDone ends a packet command successfully: the status phase.
func (ch *Channel) atapiDone(d *DriveState) {
	d.Op, d.Pos, d.End = opNone, 0, 0
	d.Count[0] = reasonIO | reasonCoD
	d.Status = StatusDRDY | StatusDSC
	ch.raise()
}

// checkCondition ends a packet command with CHECK CONDITION.
func (ch *Channel) checkCondition(d *DriveState, key, asc uint8) {
	d.Sense = [3]uint8{key, asc, 0}
	d.Op, d.Pos, d.End = opNone, 0, 0
	d.Count[0] = reasonIO | reasonCoD
	d.Error = key<<4 | ErrABRT
	d.Status = StatusDRDY | StatusDSC | StatusERR
	ch.raise()
}
