// Package kbc models the Intel 8042 keyboard controller of a PC/AT (data
// port 0x60, status/command port 0x64) with a PS/2 keyboard on its first
// port (IRQ1) and a minimal PS/2 mouse on its auxiliary port (IRQ12).
//
// Contract:
//
//   - The controller works instantly: the input buffer is never full
//     (status IBF reads 0) and a reply is in the output buffer as soon as
//     the command that produced it was written. Bytes from the controller,
//     the keyboard and the mouse wait in small queues and enter the
//     one-byte output buffer in that order of priority, each time the
//     guest reads port 0x60. IRQ1 and IRQ12 follow OBF and the command
//     byte's interrupt enables; reading a byte and refilling the buffer
//     drops and raises the line, so an edge-triggered PIC sees every byte.
//   - Controller commands: 0x20-0x3F / 0x60-0x7F read and write controller
//     RAM (byte 0 is the command byte), 0xA4 (no password), 0xA7/0xA8/0xA9
//     auxiliary port disable, enable and test, 0xAA self test (0x55),
//     0xAB keyboard port test, 0xAD/0xAE keyboard port disable/enable,
//     0xC0 input port, 0xD0/0xD1 output port (bit 0 reset, bit 1 A20),
//     0xD2/0xD3 write the keyboard/auxiliary output buffer, 0xD4 write to
//     the mouse, 0xDD/0xDF A20 off/on, 0xE0 test inputs, 0xF0-0xFF pulse
//     output port (bit 0 pulses reset). Unknown commands are ignored.
//   - The A20 and Reset callbacks are called synchronously from the port
//     write that causes them. SetA20 reports this controller's A20 gate
//     only; the machine combines it with port 0x92's (they are ORed on a
//     PIIX). Reset asks for a system reset; the machine should perform it
//     after the current instruction. The output port starts with A20
//     enabled, as QEMU's does: the machine reads A20 to initialise.
//   - The keyboard answers 0xED LEDs, 0xEE echo, 0xF0 scan code set,
//     0xF2 identify (0xAB 0x83), 0xF3 typematic, 0xF4/0xF5/0xF6
//     enable/disable/defaults, 0xF7-0xFD (acknowledged), 0xFE resend and
//     0xFF reset (0xFA 0xAA). With the command byte's translate bit set
//     (the default), the controller converts the keyboard's set 2 bytes
//     to set 1, as the real 8042 does, including its replies.
//   - The mouse answers the standard PS/2 commands (reset, identify as a
//     plain mouse, enable/disable reporting, sample rate, resolution,
//     scaling, status request, stream/remote/wrap modes), enough for
//     Linux's i8042 and psmouse probes.
//   - Host input: SendScancodes queues bytes as a set 2 keyboard sends
//     them, SendSet1 queues set 1 bytes (converted to what the keyboard
//     would send in its current scan code set; set 3 is treated as set 2),
//     and MouseMove queues a movement packet. They accept a whole sequence
//     or nothing, and drop input while the device has scanning/reporting
//     disabled.
//
// All guest-visible state is in State, a plain value that can be copied
// out and in for snapshots. A Controller is not safe for concurrent use.
package kbc
