package ide

// Identity strings of the emulated drives.
const (
	modelName = "BT86 HARDDISK"
	firmware  = "1.0"
)

// identify fills d's buffer with the IDENTIFY DEVICE data of drive m: an
// ATA-6 fixed disk with LBA28 and LBA48, READ/WRITE MULTIPLE up to
// MaxMultiple sectors, PIO modes 0-4, a write cache, FLUSH CACHE (EXT),
// and no DMA.
func (ch *Channel) identify(d *DriveState, m *driveMedia) {
	var w [256]uint16
	total := m.sectors
	lba28 := min(total, 1<<28-1)
	chsSectors := int64(d.Heads) * int64(d.Sectors) * int64(m.cyls)
	w[0] = 0x0040 // fixed disk
	w[1] = uint16(m.cyls)
	w[3] = uint16(m.heads)
	w[6] = uint16(m.spt)
	putString(w[10:20], serial(ch.cmd, ch.s.Unit))
	putString(w[23:27], firmware)
	putString(w[27:47], modelName)
	w[47] = 0x8000 | MaxMultiple
	w[49] = 1 << 9 // LBA (no DMA)
	w[50] = 0x4000 //
	w[51] = 0x0200 // PIO timing mode 2 (obsolete word)
	w[53] = 0x0003 // words 54-58 and 64-70 valid
	w[54] = uint16(min(int64(m.cyls), 65535))
	w[55] = uint16(d.Heads)
	w[56] = uint16(d.Sectors)
	w[57] = uint16(chsSectors)
	w[58] = uint16(chsSectors >> 16)
	if d.Multiple > 0 {
		w[59] = 0x0100 | uint16(d.Multiple)
	}
	w[60] = uint16(lba28)
	w[61] = uint16(lba28 >> 16)
	w[64] = 0x0003 // PIO modes 3 and 4
	w[65], w[66], w[67], w[68] = 120, 120, 120, 120
	w[80] = 0x007E                        // ATA-1 to ATA-6
	w[82] = 1<<14 | 1<<5                  // NOP, write cache
	w[83] = 1<<14 | 1<<13 | 1<<12 | 1<<10 // FLUSH CACHE EXT, FLUSH CACHE, LBA48
	w[84] = 1 << 14
	w[85] = 1 << 14
	if d.WriteCache {
		w[85] |= 1 << 5
	}
	w[86] = w[83] &^ (1 << 14)
	w[87] = 1 << 14
	w[100] = uint16(total)
	w[101] = uint16(total >> 16)
	w[102] = uint16(total >> 32)
	w[103] = uint16(total >> 48)
	// Integrity word: signature 0xA5 and a checksum making the 512 bytes
	// sum to zero.
	w[255] = 0x00A5
	var sum uint8
	for i, v := range w {
		if i == 255 {
			sum += uint8(v)
			break
		}
		sum += uint8(v) + uint8(v>>8)
	}
	w[255] |= uint16(-sum) << 8
	for i, v := range w {
		d.Buf[2*i] = uint8(v)
		d.Buf[2*i+1] = uint8(v >> 8)
	}
}

// serial is a drive's serial number: the channel's port and the unit.
func serial(port uint16, unit int) string {
	const hex = "0123456789ABCDEF"
	return "BT86-" + string([]byte{hex[port>>8&15], hex[port>>4&15], hex[port&15]}) + "-" + string(rune('0'+unit))
}

// putString stores s in ATA string form: space padded, two characters
// per word with the first in the high byte.
func putString(w []uint16, s string) {
	b := make([]byte, 2*len(w))
	for i := range b {
		b[i] = ' '
	}
	copy(b, s)
	for i := range w {
		w[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
}
