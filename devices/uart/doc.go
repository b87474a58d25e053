// Package uart models a National Semiconductor 16550A UART as wired on a
// PC serial port: eight registers at a base port (COM1 0x3F8, COM2 0x2F8,
// COM3 0x3E8, COM4 0x2E8) and an ISA interrupt line gated by the modem
// control register's OUT2 bit.
//
// Contract:
//
//   - Transmission is instantaneous: a byte written to THR is written to
//     the host io.Writer at once (no goroutine, no buffering), and the
//     transmitter is empty again right away, so LSR always shows THRE and
//     TEMT. The THRE interrupt behaves like the chip's: it is raised when
//     the transmitter becomes empty (after every THR write) and when
//     IER.ETBEI goes from 0 to 1 with THR empty, and it is cleared by a
//     read of IIR that reports it or by the next THR write. Linux's 8250
//     driver probes exactly this (UART_BUG_THRE, UART_BUG_TXEN).
//   - Host input arrives through Receive, which the machine calls from its
//     run loop: it accepts as many bytes as fit in the receive FIFO (16
//     bytes, or 1 with FIFOs disabled) and returns that count; the host
//     keeps the rest for later. Because input arrives in host-sized
//     batches, the character timeout interrupt (IIR 0x0C) is reported as
//     soon as the FIFO holds data below its trigger level, as if four
//     character times had already passed.
//   - Interrupt priorities follow the datasheet: receiver line status,
//     received data / character timeout, THR empty, modem status. IIR
//     bits 7-6 read 11 when FIFOs are enabled.
//   - Loopback mode (MCR bit 4) feeds THR into the receiver and the MCR
//     outputs into the MSR inputs (RTS->CTS, DTR->DSR, OUT1->RI,
//     OUT2->DCD), and disconnects the host: nothing is written and Receive
//     accepts nothing. Outside loopback the MSR inputs are the host lines
//     set by SetModemStatus (CTS, DSR and DCD asserted by default).
//   - Bus accesses wider than a byte are split into byte accesses of
//     consecutive registers.
//
// All guest-visible state is in State, a plain value that can be copied
// out and in for snapshots. A Port is not safe for concurrent use.
package uart
