// Package bios is bt86's embedded PC BIOS: a 64 KiB ROM of small stubs
// (rom.asm, assembled into rom.bin and embedded) whose services are Go
// handlers.
//
// Contract:
//
//   - ROM returns the image for F000:0000-F000:FFFF. Every service has a
//     slot in it (SlotAddr) holding `out TrapPort, al`; the machine maps
//     TrapPort and, when the OUT executes inside a slot (SlotID), calls
//     BIOS.Call synchronously with the caller's registers as a Regs value
//     and writes the changed registers back. Call's Result tells the stub
//     whether to return (Done), or to wait for an interrupt with HLT and
//     ask again (Wait), or (INT 19h) that nothing could be booted (Fail).
//   - Services: POST (IVT, BDA, EBDA, PIC, PIT, keyboard controller,
//     screen), INT 09h/16h keyboard, INT 10h text video (teletype echoed
//     to COM1 with Config.SerialConsole), INT 11h, 12h, INT 13h (CHS and
//     EDD, hard disks 0x80.. and floppies 0x00..), INT 15h (E820, E801,
//     88h, A20, 86h wait, 87h block move, C0h), INT 18h, INT 19h (boot
//     sector at 0000:7C00 with the 0x55AA check), INT 1Ah (ticks, RTC
//     time and date, PCI BIOS B1xxh through configuration mechanism #1).
//     Unknown functions of INT 13h, 15h and 1Ah return CF=1 with AH=01h
//     (INT 13h), 86h or 81h (PCI BIOS); unknown INT 10h and 16h functions
//     return the registers unchanged. With Config.SerialConsole, bytes
//     received on COM1 are typed into INT 16h's buffer.
//   - Config's zero Boot value boots the first hard disk, else the
//     first floppy; MemDrive is an in-memory Drive.
//   - All state lives in guest memory (BDA, EBDA) and the devices; a BIOS
//     value holds only its configuration. Guest pointers and lengths are
//     never trusted: memory is reached through Host, which bounds-checks,
//     and disk transfers are clipped to the drive.
//   - Handlers run in real mode (or v8086 mode, where segment:offset
//     addresses are taken as physical).
//
// The package holds no mutable package-level state.
package bios
