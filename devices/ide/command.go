package ide

// ATA command opcodes.
const (
	CmdNOP                = 0x00
	CmdDeviceReset        = 0x08
	CmdRecalibrate        = 0x10
	CmdReadSectors        = 0x20
	CmdReadSectorsNoRetry = 0x21
	CmdReadSectorsExt     = 0x24
	CmdReadNativeMaxExt   = 0x27
	CmdReadMultipleExt    = 0x29
	CmdWriteSectors       = 0x30
	CmdWriteSectorsNR     = 0x31
	CmdWriteSectorsExt    = 0x34
	CmdWriteMultipleExt   = 0x39
	CmdVerify             = 0x40
	CmdVerifyNoRetry      = 0x41
	CmdVerifyExt          = 0x42
	CmdSeek               = 0x70
	CmdDiagnostic         = 0x90
	CmdInitParams         = 0x91
	CmdPacket             = 0xA0
	CmdIdentifyPacket     = 0xA1
	CmdReadMultiple       = 0xC4
	CmdWriteMultiple      = 0xC5
	CmdSetMultiple        = 0xC6
	CmdCheckPower         = 0xE5
	CmdFlushCache         = 0xE7
	CmdFlushCacheExt      = 0xEA
	CmdIdentify           = 0xEC
	CmdSetFeatures        = 0xEF
	CmdReadNativeMax      = 0xF8
)

// command runs an ATA command on the selected drive.
func (ch *Channel) command(cmd uint8) {
	if cmd == CmdDiagnostic { // addressed to both drives
		ch.softReset()
		ch.raise()
		return
	}
	unit := ch.s.Unit
	if !ch.present(unit) {
		return // an absent drive ignores commands
	}
	d := ch.cur()
	ch.s.INTRQ = false
	ch.updateIRQ()
	d.Op = opNone
	d.Error = 0
	d.Status = StatusDRDY | StatusDSC
	if ch.drives[unit].cd {
		ch.atapiCommand(d, cmd)
		return
	}

	switch cmd {
	case CmdIdentify:
		ch.identify(d, &ch.drives[unit])
		d.Op, d.Pos, d.End, d.Remaining, d.Block = opRead, 0, SectorSize, 1, 1
		d.LBA = -1 // nothing to read from the disk after this block
		d.Status |= StatusDRQ
		ch.raise()
	case CmdReadSectors, CmdReadSectorsNoRetry, CmdReadSectorsExt:
		ch.startTransfer(d, opRead, cmd == CmdReadSectorsExt, 1)
	case CmdReadMultiple, CmdReadMultipleExt:
		ch.startMultiple(d, opRead, cmd == CmdReadMultipleExt)
	case CmdWriteSectors, CmdWriteSectorsNR, CmdWriteSectorsExt:
		ch.startTransfer(d, opWrite, cmd == CmdWriteSectorsExt, 1)
	case CmdWriteMultiple, CmdWriteMultipleExt:
		ch.startMultiple(d, opWrite, cmd == CmdWriteMultipleExt)
	case CmdVerify, CmdVerifyNoRetry, CmdVerifyExt:
		if lba, n, ok := ch.address(d, cmd == CmdVerifyExt); !ok || lba+n > ch.drives[unit].sectors {
			ch.fail(d, ErrIDNF)
			return
		}
		ch.raise()
	case CmdFlushCache, CmdFlushCacheExt:
		if err := ch.drives[unit].disk.Flush(); err != nil {
			ch.fail(d, ErrABRT)
			return
		}
		ch.raise()
	case CmdSetMultiple:
		n := int(d.Count[0])
		if n > MaxMultiple || n&(n-1) != 0 {
			ch.fail(d, ErrABRT)
			return
		}
		d.Multiple = n
		ch.raise()
	case CmdSetFeatures:
		switch d.Feature[0] {
		case 0x02:
			d.WriteCache = true
		case 0x82:
			d.WriteCache = false
		case 0x03: // transfer mode: PIO modes only (no DMA here)
			if mode := d.Count[0]; mode>>3 > 1 {
				ch.fail(d, ErrABRT)
				return
			}
		case 0x55, 0xAA, 0x66, 0xCC: // read look-ahead, reverting to defaults
		default:
			ch.fail(d, ErrABRT)
			return
		}
		ch.raise()
	case CmdInitParams:
		heads, spt := int(d.Device&0x0F)+1, int(d.Count[0])
		if spt == 0 {
			ch.fail(d, ErrABRT)
			return
		}
		d.Heads, d.Sectors = heads, spt
		ch.raise()
	case CmdReadNativeMax, CmdReadNativeMaxExt:
		last := ch.drives[unit].sectors - 1
		if cmd == CmdReadNativeMax {
			last = min(last, 1<<28-1)
			d.Device = d.Device&0xF0 | uint8(last>>24)&0x0F
		} else {
			d.LBALow[1], d.LBAMid[1], d.LBAHigh[1] = uint8(last>>24), uint8(last>>32), uint8(last>>40)
		}
		d.LBALow[0], d.LBAMid[0], d.LBAHigh[0] = uint8(last), uint8(last>>8), uint8(last>>16)
		ch.raise()
	case CmdCheckPower:
		d.Count[0] = 0xFF // active or idle
		ch.raise()
	case 0xE0, 0xE1, 0xE2, 0xE3, 0x94, 0x95, 0x96, 0x97: // standby/idle
		ch.raise()
	default:
		switch {
		case cmd&0xF0 == CmdRecalibrate, cmd&0xF0 == CmdSeek:
			ch.raise()
		default: // NOP, DEVICE RESET, PACKET, IDENTIFY PACKET, DMA, ...
			ch.fail(d, ErrABRT)
		}
	}
}

// fail ends the command with ERR and the given error bits.
func (ch *Channel) fail(d *DriveState, e uint8) {
	d.Op = opNone
	d.Error = e
	d.Status = StatusDRDY | StatusDSC | StatusERR
	ch.raise()
}

// address decodes the task file: the first sector (CHS, LBA28 or
// LBA48) and the sector count. ok is false for an invalid CHS address.
func (ch *Channel) address(d *DriveState, ext bool) (lba, count int64, ok bool) {
	if ext {
		lba = int64(d.LBAHigh[1])<<40 | int64(d.LBAMid[1])<<32 | int64(d.LBALow[1])<<24 |
			int64(d.LBAHigh[0])<<16 | int64(d.LBAMid[0])<<8 | int64(d.LBALow[0])
		count = int64(d.Count[1])<<8 | int64(d.Count[0])
		if count == 0 {
			count = 65536
		}
		return lba, count, true
	}
	count = int64(d.Count[0])
	if count == 0 {
		count = 256
	}
	if d.Device&DevLBA != 0 {
		lba = int64(d.Device&0x0F)<<24 | int64(d.LBAHigh[0])<<16 | int64(d.LBAMid[0])<<8 | int64(d.LBALow[0])
		return lba, count, true
	}
	cyl := int64(d.LBAHigh[0])<<8 | int64(d.LBAMid[0])
	head, sector := int64(d.Device&0x0F), int64(d.LBALow[0])
	if sector == 0 || sector > int64(d.Sectors) || head >= int64(d.Heads) {
		return 0, 0, false
	}
	return (cyl*int64(d.Heads)+head)*int64(d.Sectors) + sector - 1, count, true
}

// startMultiple starts READ/WRITE MULTIPLE, which need SET MULTIPLE MODE.
func (ch *Channel) startMultiple(d *DriveState, op uint8, ext bool) {
	if d.Multiple == 0 {
		ch.fail(d, ErrABRT)
		return
	}
	ch.startTransfer(d, op, ext, d.Multiple)
}

// startTransfer checks the address and starts a PIO transfer of blocks
// of block sectors.
func (ch *Channel) startTransfer(d *DriveState, op uint8, ext bool, block int) {
	lba, n, ok := ch.address(d, ext)
	if !ok || lba+n > ch.drives[ch.s.Unit].sectors {
		ch.fail(d, ErrIDNF)
		return
	}
	d.Op, d.LBA, d.Remaining, d.Block = op, lba, n, block
	if op == opRead {
		ch.readBlock(d)
		return
	}
	// A write asks for its first block without an interrupt.
	d.Pos, d.End = 0, int(min(int64(block), n))*SectorSize
	d.Status = StatusDRDY | StatusDSC | StatusDRQ
}

// readBlock reads the next block of a PIO read into the buffer and
// signals DRQ.
func (ch *Channel) readBlock(d *DriveState) {
	n := int(min(int64(d.Block), d.Remaining))
	buf := d.Buf[:n*SectorSize]
	if got, err := ch.drives[ch.s.Unit].disk.ReadAt(buf, d.LBA*SectorSize); err != nil || got != len(buf) {
		ch.setAddress(d, d.LBA)
		ch.fail(d, ErrUNC)
		return
	}
	d.Pos, d.End = 0, len(buf)
	d.Status = StatusDRDY | StatusDSC | StatusDRQ
	ch.raise()
}

// blockDone runs when the guest has moved a whole block through the data
// port.
func (ch *Channel) blockDone() {
	d := ch.cur()
	n := int64(d.End / SectorSize)
	if d.Op == opWrite {
		buf := d.Buf[:d.End]
		if got, err := ch.drives[ch.s.Unit].disk.WriteAt(buf, d.LBA*SectorSize); err != nil || got != len(buf) {
			ch.setAddress(d, d.LBA)
			ch.fail(d, ErrABRT)
			return
		}
	}
	d.Remaining -= n
	if d.LBA >= 0 {
		d.LBA += n
	}
	if d.Remaining <= 0 {
		if d.LBA > 0 {
			ch.setAddress(d, d.LBA-1)
		}
		op := d.Op
		d.Op, d.Pos, d.End = opNone, 0, 0
		d.Status = StatusDRDY | StatusDSC
		if op == opWrite {
			ch.raise() // a read's last interrupt came with its DRQ
		}
		return
	}
	if d.Op == opRead {
		ch.readBlock(d)
		return
	}
	d.Pos, d.End = 0, int(min(int64(d.Block), d.Remaining))*SectorSize
	d.Status = StatusDRDY | StatusDSC | StatusDRQ
	ch.raise()
}

// setAddress writes lba into the task file (LBA forms), as a drive
// reports the last sector transferred or the failing one.
func (ch *Channel) setAddress(d *DriveState, lba int64) {
	if d.Device&DevLBA == 0 {
		return
	}
	d.LBALow[0], d.LBAMid[0], d.LBAHigh[0] = uint8(lba), uint8(lba>>8), uint8(lba>>16)
	d.LBALow[1], d.LBAMid[1], d.LBAHigh[1] = uint8(lba>>24), uint8(lba>>32), uint8(lba>>40)
	d.Device = d.Device&0xF0 | uint8(lba>>24)&0x0F
}
