// Package debugport models the debugging ports a PC emulator offers its
// guest: the Bochs/QEMU debug console at port 0xE9 (bytes written appear
// on a host io.Writer; reads return 0xE9 so a guest can detect it), the
// POST code port 0x80 (the last byte written is kept; writes are also
// the classic I/O delay and cost only a store), and optionally a QEMU
// style isa-debug-exit port (a write of v asks the machine to stop with
// exit status v<<1|1).
//
// Contract: everything is synchronous and allocation-free on the hot
// path; writes wider than a byte use the low byte. State is a plain value.
package debugport
