package main

import (
	"fmt"

	"bt86/bios"
	"bt86/machine"
)

// loadEmbeddedBIOS boots m through the embedded BIOS (no -kernel, no
// external -bios image) from the hard disk images hard, BIOS drives
// 0x80, 0x81, ... (bt86/disk images satisfy bios.Drive). serialConsole
// echoes the BIOS's INT 10h text to COM1: set it when COM1 is the
// console (-nographic or no terminal), so boot messages and the boot
// loader's menu are seen there.
func loadEmbeddedBIOS(m *machine.Machine, hard []bios.Drive, serialConsole bool) error {
	cfg := bios.Config{HardDisks: hard, SerialConsole: serialConsole}
	if err := m.LoadBIOS(cfg); err != nil {
		return fmt.Errorf("embedded BIOS: %w", err)
	}
	return nil
}
