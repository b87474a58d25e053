// Package pic models the two cascaded Intel 8259A programmable interrupt
// controllers of a PC/AT: the master at ports 0x20-0x21, the slave at
// 0xA0-0xA1 wired to the master's IR2, and the PIIX edge/level control
// registers (ELCR) at 0x4D0-0x4D1.
//
// Contract:
//
//   - Devices drive interrupt lines through SetIRQ (bus.IRQSink): lines 0-7
//     reach the master, 8-15 the slave. Line 2 is the cascade input, so an
//     ISA device raising IRQ2 is redirected to IRQ9 as on the AT bus.
//   - An edge-triggered input latches its IRR bit on a rising edge and the
//     bit stays set until the request is acknowledged, even if the line
//     falls first (so a device may pulse a line with SetIRQ(n, true);
//     SetIRQ(n, false)). A level-triggered input (ELCR bit or ICW1 LTIM)
//     makes IRR follow the line.
//   - The CPU polls HasInterrupt, which is a cached flag recomputed on every
//     state change, and when it takes the interrupt (IF=1, instruction
//     boundary) calls Acknowledge to run the INTA cycle and get the vector.
//     With nothing to deliver Acknowledge returns the spurious vector of
//     IR7 (master) or IR15 (slave) without setting an ISR bit, as the chip
//     does.
//   - ICW1-ICW4 and OCW1-OCW3 are implemented: vector base, single/cascade,
//     LTIM, auto-EOI and rotate on auto-EOI, special fully nested mode,
//     specific and non-specific EOI with and without rotation, set
//     priority, special mask mode, poll mode and IRR/ISR reads. 8080 call
//     vectoring and buffered mode are accepted and ignored: vectors are
//     always formed the 8086 way (base | level).
//
// All guest-visible state is in State, a plain value that can be copied
// out and in for snapshots. A Controller is not safe for concurrent use.
package pic
