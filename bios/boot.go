package bios

import "fmt"

// bootSector is where INT 19h loads the boot sector.
const bootSector = 0x7C00

// BootDrive returns the BIOS drive INT 19h boots from (Config.Boot), or
// -1 if there is no drive.
func (b *BIOS) BootDrive() int {
	switch {
	case b.cfg.Boot == BootHardDisk:
		return 0x80
	case b.cfg.Boot == BootFloppy:
		return 0x00
	case len(b.cfg.HardDisks) > 0:
		return 0x80
	case len(b.cfg.Floppies) > 0:
		return 0x00
	}
	return -1
}

// int19 loads the first sector of the boot drive at 0000:7C00 and checks
// its 0x55AA signature; DL gets the drive for the boot sector.
func (b *BIOS) int19(r *Regs) Result {
	dl := b.BootDrive()
	if dl < 0 {
		b.print("bt86 BIOS: no disk configured\r\n")
		return Fail
	}
	d, _, _, _ := b.drive(uint8(dl))
	sec := make([]byte, SectorSize)
	if n, err := d.ReadAt(sec, 0); n < SectorSize {
		b.print(fmt.Sprintf("bt86 BIOS: drive %#02x: cannot read the boot sector (%v)\r\n", dl, err))
		return Fail
	}
	if sec[510] != 0x55 || sec[511] != 0xAA {
		b.print(fmt.Sprintf("bt86 BIOS: drive %#02x: not bootable (no 55AA signature)\r\n", dl))
		return Fail
	}
	b.write(bootSector, sec)
	b.print(fmt.Sprintf("Booting from drive %#02x...\r\n", dl))
	r.EDX = uint32(dl)
	return Done
}
