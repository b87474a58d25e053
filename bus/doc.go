// Package bus connects the CPU to devices by value: a flat table of 65,536
// I/O ports, a sorted list of memory-mapped I/O regions, and interrupt lines.
//
// Contract: devices register a PortHandler for a port range or an
// MMIOHandler for a physical range; every access is synchronous and carries
// its data by value (no pointers into device state escape). Reads of an
// unmapped port or MMIO address return all ones, writes to them are
// dropped, exactly as on an ISA/PCI bus with nothing decoding the cycle.
// RAM never goes through the bus: the MMU reaches RAM directly and only
// device regions reach an MMIOHandler.
//
// A Bus is not safe for concurrent use; machine serialises access (a
// per-device lock can later be added here, in one place, for SMP guests).
package bus
