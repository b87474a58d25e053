// Package ide models the ATA (IDE) controller of a PC on its legacy
// ports: the primary channel at 0x1F0-0x1F7 and 0x3F6 on IRQ 14, the
// secondary at 0x170-0x177 and 0x376 on IRQ 15, each with a master and a
// slave drive, and the PIIX's bus master register block (registers only:
// the drives report no DMA modes, so guests use PIO).
//
// Contract:
//
//   - A drive is a Disk (ReadAt, WriteAt, Size, Flush: disk.Image
//     satisfies it) of Size/512 sectors. Commands: IDENTIFY DEVICE, READ
//     and WRITE SECTORS / MULTIPLE in CHS, LBA28 and LBA48 (EXT) forms,
//     READ VERIFY, FLUSH CACHE (EXT) (calls Disk.Flush), SET MULTIPLE
//     MODE, SET FEATURES, INITIALIZE DEVICE PARAMETERS, READ NATIVE MAX
//     ADDRESS (EXT), EXECUTE DEVICE DIAGNOSTIC, and the power, seek and
//     recalibrate commands, which complete at once. Other commands abort
//     (ERR with ABRT).
//   - SetCDROM makes a drive an ATAPI CD-ROM (2048-byte sectors, read
//     only, medium always present): IDENTIFY PACKET DEVICE, DEVICE RESET,
//     and PACKET (PIO) with TEST UNIT READY, REQUEST SENSE, INQUIRY,
//     START STOP UNIT, PREVENT ALLOW, READ CAPACITY, READ(10), READ(12)
//     and READ TOC format 0; others end in CHECK CONDITION (ILLEGAL
//     REQUEST) with sense data. Data blocks honour the byte count limit,
//     the interrupt reason is in the sector count register, and IDENTIFY
//     DEVICE aborts leaving the ATAPI signature (0x14, 0xEB).
//   - Transfers complete instantly: BSY is never seen. A PIO read fills
//     the buffer and sets DRQ with an interrupt per block; a PIO write
//     asks for a block with DRQ and writes it to the Disk as soon as its
//     last word arrives, so guest writes reach the Disk in order, one
//     WriteAt per block. Addresses beyond the disk end the command with
//     IDNF, Disk errors with UNC (reads) or ABRT (writes).
//   - Interrupts: a channel's INTRQ is raised at command completion and
//     per data block, cleared by reading the status register or issuing
//     a command, and masked (line low) while nIEN is set in the device
//     control register. The data port takes 2- and 4-byte accesses.
//   - Registers: writes go to both drives of a channel, as on a cable;
//     with HOB set in device control the LBA48 registers read their
//     previous values. A selected drive that is absent reads status and
//     error 0 (QEMU's behaviour, which Linux and SeaBIOS expect); after a
//     reset an absent drive's signature is 0xFFFF.
//
// All guest-visible state lives in ChannelState values (State, SetState).
// Nothing here is safe for concurrent use.
package ide
