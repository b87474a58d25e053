// Command emu runs a PC guest on bt86, with QEMU-style flags:
//
//	emu                                   boot the built-in demo guest
//	emu -kernel vmlinuz -initrd initrd.img -append "console=ttyS0" -nographic
//
// Flags: -kernel, -initrd, -append, -m MiB, -serial stdio|none|file:PATH,
// -nographic, -icount[=shift=N] (deterministic virtual time), -no-reboot,
// -d LIST (accepted, ignored for now), -stats. With COM1 on a terminal's
// stdio the terminal is in raw mode (Ctrl-A x quits, Ctrl-A Ctrl-A sends
// Ctrl-A); without -nographic on a terminal the VGA text screen is drawn
// instead and COM1 defaults to none.
//
// Exit status: 0 when the guest powers off (halts with interrupts
// disabled), resets with -no-reboot or the user quits; 1 on a triple
// fault; 2 for bad flags or input (one line on stderr); 3 for an
// internal error (set BT86_TRACEBACK=1 for the Go stack); the guest's
// status for the isa-debug-exit port; 128+N when stopped by signal N.
// A status line on stderr says how the guest stopped, with the
// instruction count, the time and the speed in MIPS.
package main
