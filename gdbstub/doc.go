// Package gdbstub lets gdb debug a bt86 guest at the instruction level,
// over the GDB Remote Serial Protocol, as it debugs `qemu -s -S`:
//
//	gdb -ex 'set architecture i386' -ex 'target remote 127.0.0.1:1234'
//
// # Contract
//
// The stub talks to a Target (one vCPU and its memory). The machine
// implements Target for both execution engines; CPUTarget implements it
// over a bare *cpu.CPU (tests, tools). Serve accepts one debugger at a
// time and drives the target: while a debugger is attached the guest
// runs only inside Target.Continue and Target.Step; while none is, Serve
// keeps it running (after a detach, or from the start with
// Server.Running) or stopped (until the first debugger, like -S).
//
//   - Addresses are guest-linear (segment base included, before paging),
//     like QEMU's. Memory packets (m, M, X) go through the guest page
//     tables without side effects: no accessed/dirty bits, no guest
//     exceptions, no device access. An unmapped address answers E14.
//   - Breakpoints (Z0 and Z1 alike) are never written into guest memory:
//     the run loop compares the address of the next instruction with the
//     set, so they work in ROM, survive self-modifying code and never
//     show in memory reads. The stop is before the instruction executes,
//     including the first instruction of an interrupt handler; resuming
//     executes the instruction at the current EIP first. No instruction
//     is skipped or executed twice.
//   - Watchpoints (Z2 write, Z3 read, Z4 access) stop after the accessing
//     instruction, like x86 debug registers; the stop reply names the
//     data address. A Target that cannot watch a kind returns
//     ErrUnsupported and gdb is told so (empty reply). CPUTarget watches
//     all three kinds through the CPU's slow-path data hook (the watched
//     pages leave the shadow TLB's fast path while watched).
//   - Single steps (s, vCont;s) hold external interrupts off, as QEMU's
//     gdbstub does by default; Continue takes them.
//   - Ctrl-C (0x03) during Continue closes the stop channel: the guest
//     stops at an instruction boundary with SIGINT. A triple fault stops
//     with SIGSEGV, a power-off ends with W (exit status).
//   - Detach (D) and a dropped connection remove the session's
//     breakpoints and resume the guest; kill (k) makes Serve return
//     ErrKilled so the emulator can exit, as QEMU does.
//
// # Protocol
//
// Packets ($...#xx) with checksums and +/- acks until QStartNoAckMode;
// binary data escaped with '}' (X packets in, qXfer replies out); no
// run-length encoding is sent. qSupported advertises PacketSize,
// qXfer:features:read+ (target.xml: gdb's i386 core feature — eax..edi,
// eip, eflags, cs..gs, st0-st7 as i387_ext, fctrl..fop — and a system
// feature with cr0, cr2, cr3, cr4), QStartNoAckMode+, swbreak+, hwbreak+
// and vContSupported+. Also: ?, g/G, p/P, m/M/X, c/s/C/S, vCont (c, C, s,
// S, t), Z0-Z4/z0-z4, k, vKill, D, H, T, qC, qfThreadInfo/qsThreadInfo
// (one thread), qAttached, qSymbol and qRcmd (monitor commands: info
// registers, info tlb, info blocks, x/NFU, xp/NFU, system_reset, help,
// and what the Target adds, such as the machine's info stats;
// output as O packets, then OK). Anything else gets the empty reply.
//
// Listen binds the loopback address unless a host is given, and says
// plainly when the port is in use. The package keeps no package-level
// mutable state: two Servers can debug two machines in one process.
package gdbstub
