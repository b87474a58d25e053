package machine

import (
	"fmt"
	"io"
	"time"

	"bt86/clock"
	"bt86/disk"
)

// Memory size limits. Below 2 MiB nothing useful fits (the first MiB is
// mostly the PC's holes); RAM must end below the PCI hole at 3 GiB.
const (
	MinMemoryMiB     = 2
	MaxMemoryMiB     = 3072
	DefaultMemoryMiB = 128
)

// DefaultNsPerInstruction is the virtual time one retired instruction
// takes in deterministic mode: 1 ns, a 1000 MIPS virtual CPU (QEMU's
// -icount shift=0). The TSC runs at 1 GHz in both modes.
const DefaultNsPerInstruction = 1

// DeterministicStart returns the wall-clock time the RTC shows at
// power-on in deterministic mode when Config.StartTime is zero:
// 2000-01-01 00:00:00 UTC.
func DeterministicStart() time.Time { return time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC) }

// Config describes one PC.
type Config struct {
	// MemoryMiB is the RAM size in MiB (MinMemoryMiB..MaxMemoryMiB);
	// zero means DefaultMemoryMiB.
	MemoryMiB int

	// Serial receives COM1's output (nil discards it).
	Serial io.Writer
	// SerialIn, if set, is read by a goroutine and fed to COM1 from the
	// run loop. SendSerial feeds COM1 too.
	SerialIn io.Reader
	// Debugcon receives the bytes written to port 0xE9 (nil discards).
	Debugcon io.Writer
	// DebugExit maps QEMU's isa-debug-exit device at port 0xF4: a guest
	// write of v ends Run with ReasonDebugExit and ExitStatus v<<1|1.
	DebugExit bool

	// Display, if set, receives an ANSI redraw of the VGA text screen
	// whenever it changed, at most every DisplayInterval of host time
	// (zero: 40 ms).
	Display         io.Writer
	DisplayInterval time.Duration

	// StartTime is the wall-clock time the RTC shows at power-on. Zero
	// means DeterministicStart() in deterministic mode; otherwise the
	// caller must sample the host clock (devices never read it), and a
	// zero value is an error.
	StartTime time.Time

	// Deterministic makes virtual time a function of retired
	// instructions (NsPerInstruction each, plus the jumps to the next
	// timer deadline while the CPU halts), so every run of the same
	// guest with the same input is identical. Otherwise virtual time
	// follows the host's monotonic clock.
	Deterministic bool
	// NsPerInstruction is the virtual time of one instruction in
	// deterministic mode; zero means DefaultNsPerInstruction.
	NsPerInstruction int

	// Engine selects the execution engine: EngineInterp (the reference
	// interpreter) or EngineDBT (the binary translator, amd64 hosts).
	// Empty means DefaultEngine().
	Engine string

	// Disks are the ATA drives by position: PrimaryMaster,
	// PrimarySlave, SecondaryMaster, SecondarySlave (nil: absent). The
	// caller opens and closes them (disk.Open).
	Disks [4]disk.Image
	// CDROM, if set, is the medium (an ISO image) of an ATAPI CD-ROM
	// drive at the secondary master position (QEMU's -cdrom), which
	// Disks[SecondaryMaster] must then leave empty.
	CDROM disk.Image
	// BIOSImage, if set, is a firmware ROM (SeaBIOS's bios.bin): it is
	// mapped below 4 GiB and its last 128 KiB below 1 MiB, and the CPU
	// starts at the reset vector F000:FFF0 at power-on and on every
	// reset, instead of a direct loader (see firmware.go).
	BIOSImage []byte
	// VGABIOS, if set with BIOSImage, is a VGA option ROM (SeaVGABIOS's
	// vgabios-isavga.bin) that the firmware finds as fw_cfg file
	// "vgaroms/vgabios.bin" and runs, giving INT 10h and a text screen.
	VGABIOS []byte

	// NoReboot makes a guest reset request (keyboard controller, port
	// 0x92, port 0xCF9) end Run with ReasonReset instead of rebooting.
	NoReboot bool
}

// withDefaults validates c and fills in the defaults.
func (c Config) withDefaults() (Config, error) {
	if c.MemoryMiB == 0 {
		c.MemoryMiB = DefaultMemoryMiB
	}
	if c.MemoryMiB < MinMemoryMiB || c.MemoryMiB > MaxMemoryMiB {
		return c, fmt.Errorf("memory size %d MiB out of range: use %d to %d MiB", c.MemoryMiB, MinMemoryMiB, MaxMemoryMiB)
	}
	if c.NsPerInstruction < 0 {
		return c, fmt.Errorf("NsPerInstruction %d must not be negative", c.NsPerInstruction)
	}
	if c.NsPerInstruction == 0 {
		c.NsPerInstruction = DefaultNsPerInstruction
	}
	if c.StartTime.IsZero() {
		if !c.Deterministic {
			return c, fmt.Errorf("StartTime is required outside deterministic mode (sample time.Now() once in the caller)")
		}
		c.StartTime = DeterministicStart()
	}
	if c.Engine == "" {
		c.Engine = DefaultEngine()
	}
	if !engineAvailable(c.Engine) {
		return c, fmt.Errorf("engine %q is not available here: use one of %v", c.Engine, Engines())
	}
	if c.DisplayInterval <= 0 {
		c.DisplayInterval = 40 * time.Millisecond
	}
	return c, nil
}

// sliceTime is the longest stretch of guest time one CPU slice runs for:
// devices see time advance only between slices.
const sliceTime = clock.Millisecond
