// Package pci models PCI configuration mechanism #1 (CONFIG_ADDRESS at
// 0xCF8, CONFIG_DATA at 0xCFC-0xCFF) on bus 0 of an Intel 440FX/PIIX3
// board, with the three functions of that board: the i440FX host bridge
// (00:00.0, 8086:1237), the PIIX3 PCI-to-ISA bridge (00:01.0, 8086:7000,
// multi-function) and the PIIX3 IDE controller (00:01.1, 8086:7010,
// legacy mode with a bus-master I/O BAR4).
//
// Contract:
//
//   - Device is the interface every PCI function implements: config space
//     reads and writes by value at any byte offset and size 1, 2 or 4.
//     Function is a reusable implementation backed by 256 bytes of config
//     space with per-bit write masks, write-1-to-clear status bits and
//     BAR sizing; new functions (virtio, ...) embed it and add behaviour
//     through its hooks. Mapping decodes a BAR with the command register's
//     enables; OnMap is called whenever a decoded mapping changes, so the
//     owner can move its ports or MMIO region.
//   - The host decodes only dword accesses to 0xCF8 as CONFIG_ADDRESS (so
//     byte probes at 0xCF8-0xCFB fall through, as Linux's type 1 and
//     type 2 checks expect). 0xCF9 byte accesses reach the PIIX3 reset
//     control register: a 0-to-1 transition of bit 2 calls the reset
//     callback (hard when bit 1 is set). Data accesses may use any size
//     and offset within the dword. Nonexistent functions, other buses and
//     accesses with the enable bit clear read all ones.
//   - The i440FX stores its PAM registers (0x59-0x5F) and reports changes
//     through a callback; DecodePAM turns them into shadow RAM attributes.
//     The PIIX3 routes PCI interrupts: SetINTx takes a device's INTx level
//     and drives the ISA IRQ selected by the PIRQ route registers
//     (0x60-0x63), ORing shared lines.
//
// All guest-visible state lives in plain values (Function.State,
// Host.State, PIIX3.State) that can be copied out and in for snapshots.
// Nothing here is safe for concurrent use.
package pci
