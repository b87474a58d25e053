// Package fwcfg models QEMU's firmware configuration device (fw_cfg), the
// channel through which QEMU hands SeaBIOS files such as option ROMs, on
// its traditional I/O interface: a 16-bit selector register at port 0x510
// and a byte-wide data register at 0x511.
//
// Contract:
//
//   - Writing a key to the selector rewinds the data register to the
//     start of that entry; each data read returns the entry's next byte,
//     and 0 past its end or for an absent key (as QEMU does). A 2- or
//     4-byte data read returns that many next bytes, little endian.
//     Writes to the data register are ignored (QEMU deprecated them).
//   - Fixed entries: 0x0000 the signature "QEMU", 0x0001 the interface ID
//     (1: traditional I/O only, no DMA interface), 0x0019 the file
//     directory (big-endian count, then size, select and a 56-byte name
//     per file, sorted by name). SetEntry adds numbered entries (RAM
//     size, CPU count, ...); AddFile adds named files, numbered from 0x20.
//
// The device holds no guest-visible state but the selector and offset
// (State, SetState). It is not safe for concurrent use.
package fwcfg
