package machine

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"bt86/devices/fwcfg"
)

// Firmware image limits: a multiple of 64 KiB, at most 8 MiB (QEMU's
// pc.bios rules; SeaBIOS's bios.bin is 128 KiB, bios-256k.bin 256 KiB).
const (
	firmwareUnit = 64 << 10
	firmwareMax  = 8 << 20
	// isaBIOSMax is how much of the firmware image's end also appears
	// in the first MiB (ending at 1 MiB): at most 128 KiB, 0xE0000-0xFFFFF.
	isaBIOSMax = 128 << 10
)

// debugconFirmwarePort is SeaBIOS's debug console port (QEMU's
// `-debugcon` with `iobase=0x402`): reads give 0xE9, which is how the
// firmware detects it, and writes go to Config.Debugcon.
const debugconFirmwarePort = 0x402

// CheckFirmware validates a firmware ROM image for Config.BIOSImage.
func CheckFirmware(img []byte) error {
	switch {
	case len(img) == 0:
		return errors.New("firmware image is empty")
	case len(img)%firmwareUnit != 0:
		return fmt.Errorf("firmware image is %d bytes: want a multiple of 64 KiB (a BIOS ROM such as SeaBIOS's bios.bin)", len(img))
	case len(img) > firmwareMax:
		return fmt.Errorf("firmware image is %d bytes: at most %d MiB", len(img), firmwareMax>>20)
	}
	return nil
}

// mapFirmware maps Config.BIOSImage, if set, as QEMU maps pc.bios: the
// whole image read-only just below 4 GiB, where the reset vector
// 0xFFFFFFF0 finds it, and its last 128 KiB (all of a 64 KiB image) in the
// first MiB, below 1 MiB, as RAM-backed ROM the i440FX PAM registers can
// turn into shadow RAM. The high copy stays pristine, so the firmware
// can copy itself from there into shadow RAM as on QEMU.
func (m *Machine) mapFirmware() error {
	img := m.cfg.BIOSImage
	if img == nil {
		if m.cfg.VGABIOS != nil {
			return errors.New("a VGA BIOS (Config.VGABIOS) needs firmware (Config.BIOSImage) to run it")
		}
		return nil
	}
	if err := CheckFirmware(img); err != nil {
		return err
	}
	img = bytes.Clone(img)
	m.cfg.BIOSImage = img
	if err := m.phys.MapHighROM(1<<32-uint64(len(img)), img); err != nil {
		return err
	}
	m.boot = m.bootFirmware
	if err := m.bus.MapPorts("debugcon-0x402", debugconFirmwarePort, debugconFirmwarePort, firmwareDebugcon{m}); err != nil {
		return err
	}
	if m.cfg.VGABIOS != nil {
		return m.wireFwCfg()
	}
	return nil
}

// wireFwCfg maps QEMU's fw_cfg device with the VGA BIOS as
// "vgaroms/vgabios.bin", and the entries SeaBIOS reads once fw_cfg is
// present, with QEMU's values for one CPU: CPU counts, the RAM size, the
// IRQ0 override flag and no boot menu.
func (m *Machine) wireFwCfg() error {
	rom := m.cfg.VGABIOS
	if len(rom) < 512 || rom[0] != 0x55 || rom[1] != 0xAA {
		return errors.New("VGA BIOS image is not an option ROM (no 0x55 0xAA signature)")
	}
	d := fwcfg.New()
	le16 := func(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
	for _, e := range []struct {
		key  uint16
		data []byte
	}{
		{fwcfg.KeyNbCPUs, le16(1)},
		{fwcfg.KeyMaxCPUs, le16(1)},
		{fwcfg.KeyRAMSize, binary.LittleEndian.AppendUint64(nil, uint64(len(m.ram)))},
		{fwcfg.KeyIRQ0Override, []byte{1}},
		{fwcfg.KeyBootMenu, le16(0)},
	} {
		if err := d.SetEntry(e.key, e.data); err != nil {
			return err
		}
	}
	if err := d.AddFile("vgaroms/vgabios.bin", rom); err != nil {
		return err
	}
	return d.Attach(m.bus)
}

// bootFirmware is the power-on (and reset) path with firmware: the low
// copy of the image restored, the CPU at the reset vector F000:FFF0.
func (m *Machine) bootFirmware() error {
	img := m.cfg.BIOSImage
	low := img[len(img)-min(len(img), isaBIOSMax):]
	base := BIOSEnd - len(low)
	copy(m.ram[base:BIOSEnd], low)
	m.phys.NotifyWrite(uint64(base), len(low))
	m.cpu.Reset()
	return nil
}

// Firmware reports whether the machine runs a firmware image
// (Config.BIOSImage) rather than a direct loader.
func (m *Machine) Firmware() bool { return m.cfg.BIOSImage != nil }

// errFirmwareLoader is returned by the direct loaders on a machine with
// firmware.
var errFirmwareLoader = errors.New("the machine boots its firmware (Config.BIOSImage): direct loaders are not available")

// firmwareDebugcon is the port 0x402 debug console.
type firmwareDebugcon struct{ m *Machine }

func (d firmwareDebugcon) ReadPort(port uint16, size uint8) uint32 { return 0xE9 }

func (d firmwareDebugcon) WritePort(port uint16, size uint8, v uint32) {
	if w := d.m.cfg.Debugcon; w != nil {
		_, _ = w.Write([]byte{byte(v)})
	}
}
