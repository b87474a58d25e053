// Package demo holds bt86's built-in demo guest: a small bare-metal
// program (demo.asm, assembled into the committed demo.bin so that
// building bt86 never needs nasm) that `emu` boots when it is given
// nothing else to boot.
//
// Contract: Image returns a flat binary for machine.LoadProgram (loaded
// at physical 0x10000, entered in real mode at 1000:0000). The program
// switches to protected mode, turns paging on, prints a banner, CPUID,
// RTC and memory facts on COM1 (115200 8N1, polled) and on the VGA text
// screen, runs a xorshift32 benchmark for 50 ms of PIT time, and stops
// with cli; hlt (the machine reports a power-off). It uses no interrupts.
package demo
