// Package machine wires bt86's parts into a PC: RAM (mapped outside the
// Go heap), the physical memory map, the bus with the devices of an
// i440FX/PIIX3 board, one vCPU, the run loop with virtual time, and the
// loaders that take the place of firmware (a Linux bzImage with the
// 32-bit boot protocol, or a flat real-mode program), or a real firmware
// ROM (Config.BIOSImage: SeaBIOS) started at the reset vector, with IDE
// disks and a CD-ROM (Config.Disks, Config.CDROM).
//
// Contract:
//
//   - New(cfg) builds an independent machine: no package-level state, so
//     several machines run side by side in one process (each Run on its
//     own goroutine). A Machine itself is not safe for concurrent use,
//     except SendSerial, SendKeys and Do (with what goes through Do:
//     SaveSnapshot, StateHash, Status), which any goroutine may call.
//   - Run owns the machine until it returns. It alternates CPU slices
//     with device work: virtual time advances between slices only; each
//     slice runs until the earliest device deadline, at most 1 ms of guest
//     time. In deterministic mode virtual time is retired instructions
//     times Config.NsPerInstruction (default 1 ns), plus jumps to the next
//     deadline while the CPU halts, so runs are reproducible; otherwise it
//     follows the host's monotonic clock and a halted CPU sleeps. The TSC
//     counts virtual nanoseconds (1 GHz).
//   - Devices never read the host clock; the RTC starts at
//     Config.StartTime (the caller samples time.Now() once; deterministic
//     mode defaults to 2000-01-01 00:00:00 UTC).
//   - A reset request (i8042 pulse, port 0x92 bit 0, port 0xCF9) is
//     carried out after the current instruction: RAM is cleared, the CPU
//     and devices reset, and the loader (or the firmware) runs again, or
//     Run returns ReasonReset with Config.NoReboot. A CPU halted with
//     interrupts disabled ends Run with ReasonPowerOff; a triple fault with
//     ReasonTripleFault and the fault chain. Emulator panics come back as
//     *InternalError, never as a crash.
//
// README.md documents the physical memory map and the I/O ports.
package machine
