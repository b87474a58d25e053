// Package bootparam implements the loader side of the Linux x86 boot
// protocol (Documentation/arch/x86/boot.rst and zero-page.rst) for the
// 32-bit entry point.
//
// Contract:
//
//   - Parse checks that a file is a bzImage (0xAA55 at 0x1FE, "HdrS" at
//     0x202, protocol >= 2.02, LOADED_HIGH) and splits it into the setup
//     header, the real-mode setup code and the protected-mode payload. It
//     never panics on any input; errors say "not a bzImage: ...",
//     "truncated ..." or "protocol X.YY too old".
//   - BootParams is the 4 KiB zero page. NewBootParams copies the setup
//     header into it at 0x1F1 and marks the loader as undefined (0xFF);
//     setters fill in the command line, initrd, e820 table and screen.
//   - Build lays everything out for a machine with a given amount of RAM and
//     returns a Plan: byte blocks to copy into guest physical memory and the
//     register/segment state to enter the kernel with. It touches no guest
//     memory itself, so the machine package decides how RAM is reached.
//
// The 32-bit entry state (boot.rst, "32-bit boot protocol"): protected mode,
// paging off, interrupts off, a GDT holding flat 4 GiB descriptors at the
// selectors __BOOT_CS (0x10, execute/read) and __BOOT_DS (0x18, read/write),
// CS = __BOOT_CS, DS = ES = SS = __BOOT_DS, ESI = address of boot_params,
// EBP = EDI = EBX = 0, EIP = code32_start.
//
// The package holds no mutable package-level state and is safe for
// concurrent use on distinct values.
package bootparam
