// Package sysctl models System Control Port A at I/O port 0x92 (the PS/2
// and PIIX "fast A20 and reset" port).
//
// Contract: bit 1 is the fast A20 gate, reported through SetA20 when it
// changes (the machine ORs it with the keyboard controller's A20 gate, as
// the chipset does); a 0-to-1 transition of bit 0 requests a system reset
// through Reset, called synchronously from the port write (the machine
// should perform it after the current instruction). Bit 3 (power-on
// password lock) and the other bits are stored and read back; bit 0
// reads back as written. Callbacks may be nil. State is a plain value.
package sysctl
