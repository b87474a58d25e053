// Package pit models the Intel 8254 programmable interval timer of a PC
// (ports 0x40-0x43, input clock 1.193182 MHz) together with the part of
// System Control Port B (0x61) that belongs to it: the channel 2 gate and
// speaker enable, the refresh toggle and the channel 2 output.
//
// Contract:
//
//   - The timer never reads the host clock. Counter values and outputs
//     are computed from the virtual time of a clock.Source: the counter
//     ticks are clock.TicksAt(now, Freq), so two runs with the same
//     virtual times read the same counts.
//   - Channel 0's output drives IRQ0 through a bus.IRQSink. The timer is a
//     clock.Timed: Deadline is the virtual time of the next rising edge of
//     OUT0 and Tick delivers it. Edges are coalesced: however far time
//     jumps between two Ticks, at most one edge is delivered (as a
//     low-to-high transition of the line, which an edge-triggered PIC
//     latches). Between Ticks the IRQ0 line keeps the level of the last
//     edge delivered; its falling edges are not scheduled.
//   - All six modes are implemented, with the read-back and counter latch
//     commands, LSB/MSB/LSB-then-MSB access and BCD counting. Modes 0, 2
//     and 3 follow the datasheet exactly except that the one-clock load
//     cycle after a count is written is not modelled: counting starts at
//     the tick of the write. A new count written to a running mode 2
//     counter takes effect at the end of the current period, and in mode 3
//     at the end of the current half period. Counts of 1 in modes 2 and 3
//     (illegal on the chip) act as 2.
//   - Channels 0 and 1 have their gates tied high; channel 2's gate is bit 0
//     of port 0x61. Port 0x61 reads bit 4 as a refresh request toggling
//     every 15 us of virtual time and bit 5 as OUT2; bits 6-7 (NMI
//     sources) read as zero.
//
// All guest-visible state lives in State, a plain value that can be
// copied out and in for snapshots. A Timer is not safe for concurrent use.
package pit
