// Package cmos models the Motorola MC146818 real-time clock and its
// 128 bytes of battery-backed RAM, as found at ports 0x70 (index; bit 7
// masks NMI) and 0x71 (data) of a PC, with its interrupt on IRQ8.
//
// Contract:
//
//   - The clock never reads the host clock. It is given a wall-clock start
//     time at construction (its civil fields in its own location are what
//     the guest sees, as PCs keep local time) and adds the virtual time of
//     a clock.Source to it. The divider chain started at construction, so
//     seconds roll over at whole seconds of virtual time from then.
//   - The time registers (0x00-0x09 and the century at 0x32) are computed
//     on read in the format selected by register B (BCD or binary, 12 or
//     24 hour); writes set the clock. While register B's SET bit is set, or
//     register A's divider is held in reset, the clock is frozen and the
//     registers hold whatever the guest writes; clearing SET restarts the
//     clock from them on the divider's current second phase. Leaving
//     divider reset starts the first update 500 ms later. The day of week
//     is always derived from the date.
//   - Register A reads UIP during the 244 us before each update. Register
//     C's flags (PF periodic, AF alarm, UF update-ended) are set whatever
//     the enable bits; IRQF and the IRQ8 line are raised when a flag is
//     set with its enable bit in register B, and reading register C clears
//     the flags and lowers the line. Register D reads VRT (0x80).
//   - The RTC is a clock.Timed: Deadline is the next instant an enabled
//     interrupt can fire (never while IRQF is already set: further flags
//     are computed lazily when register C is read), Tick delivers it.
//     Flags are coalesced across large jumps of time.
//   - Configure fills the PC/AT NVRAM layout that SeaBIOS and Linux read:
//     memory sizes, equipment, floppy and disk types, and the checksum at
//     0x2E-0x2F over 0x10-0x2D. Get and Set reach any NVRAM byte.
//
// All guest-visible state is in State, a plain value that can be copied
// out and in for snapshots. An RTC is not safe for concurrent use.
package cmos
