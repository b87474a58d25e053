package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"bt86/bios"
	"bt86/machine"
)

// TestEmbeddedBIOS boots a boot sector that prints through INT 10h and
// halts; with the serial console its text reaches COM1.
func TestEmbeddedBIOS(t *testing.T) {
	// mov si, msg; lodsb; test al, al; jz halt; mov ah, 0Eh; int 10h;
	// jmp loop; halt: cli; hlt
	code := []byte{0xBE, 0x14, 0x7C, 0xAC, 0x84, 0xC0, 0x74, 0x06, 0xB4, 0x0E, 0xCD, 0x10, 0xEB, 0xF5, 0xFA, 0xF4}
	disk := make(bios.MemDrive, 1<<20)
	copy(disk, code)
	copy(disk[0x14:], "booted\r\n\x00")
	disk[510], disk[511] = 0x55, 0xAA
	for _, tc := range []struct {
		name    string
		drives  []bios.Drive
		console bool
		serial  string
		err     string
	}{
		{"serial console", []bios.Drive{disk}, true, "bt86 BIOS\r\nBooting from drive 0x80...\r\nbooted\r\n", ""},
		{"screen only", []bios.Drive{disk}, false, "", ""},
		{"too many disks", []bios.Drive{disk, disk, disk, disk, disk}, false, "", "embedded BIOS: bios: 5 hard disks: at most 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var serial bytes.Buffer
			m, err := machine.New(machine.Config{MemoryMiB: 4, Serial: &serial, Deterministic: true})
			require.NoError(t, err)
			defer m.Close()
			err = loadEmbeddedBIOS(m, tc.drives, tc.console)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			res, err := m.Run(context.Background())
			require.NoError(t, err)
			require.Equal(t, machine.ReasonPowerOff, res.Reason)
			require.Equal(t, tc.serial, serial.String())
			require.Contains(t, m.VGA().Text()[2], "booted")
		})
	}
}
