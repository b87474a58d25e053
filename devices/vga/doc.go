// Package vga models the text-mode side of an IBM VGA: the 128 KiB
// legacy memory window at physical 0xA0000-0xBFFFF (an MMIOHandler), the
// registers at ports 0x3C0-0x3DF (attribute controller with its index/data
// flip-flop, miscellaneous output, sequencer, DAC, graphics controller,
// CRTC at 0x3D4/0x3D5, input status 1 at 0x3DA) and a renderer that turns
// the text screen into lines of UTF-8 for a terminal.
//
// Contract:
//
//   - The memory window is plain, byte-addressed RAM (no planes, no
//     odd/even or write modes): text mode needs nothing more, and graphics
//     modes are not rendered. The text screen is read from the window the
//     graphics controller's memory map select names (0xB8000 for colour
//     text, the power-on state), starting at the CRTC start address, with
//     the geometry the CRTC describes (columns from the horizontal display
//     end, rows from the vertical display end and character height, row
//     pitch from the offset register); absurd values fall back to 80x25.
//   - Registers power on with the standard mode 3 values, so a guest that
//     never programs the VGA (no video BIOS) still gets an 80x25 colour
//     text screen. CRTC registers 0-7 honour the protect bit of register
//     0x11. Input status 1 (0x3DA) toggles its retrace and display-enable
//     bits on every read (no time base is needed for polling loops to
//     end), and resets the attribute flip-flop.
//   - Dirty reports whether anything visible (text memory in the displayed
//     window, a register) changed since the last Render or RenderANSI, so
//     the machine redraws only on change. Text does not clear it.
//   - Characters are code page 437, translated to UTF-8; NUL renders as a
//     space.
//
// All guest-visible state is in State, a plain value that can be copied
// out and in for snapshots. An Adapter is not safe for concurrent use.
package vga
