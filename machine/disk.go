package machine

import (
	"errors"

	"bt86/devices/cmos"
	"bt86/devices/ide"
	"bt86/devices/pci"
)

// Drive positions in Config.Disks.
const (
	PrimaryMaster = iota
	PrimarySlave
	SecondaryMaster
	SecondarySlave
)

// disks is the machine's ATA controller and its bus master window.
type disks struct {
	ide      *ide.Controller
	bmBase   uint16
	bmMapped bool
}

// wireDisks creates the ATA controller on the legacy ports (IRQ 14/15)
// with Config.Disks, and records the hard disks' geometry in CMOS.
func (m *Machine) wireDisks() error {
	m.disk.ide = ide.New(m.irq.source())
	var geo [2]cmos.Disk
	for i, d := range m.cfg.Disks {
		if d == nil {
			continue
		}
		if err := m.disk.ide.SetDisk(i/2, i%2, d); err != nil {
			return err
		}
		if i < 2 {
			sectors := d.Size() / ide.SectorSize
			geo[i] = cmos.Disk{Cylinders: int(min(max(sectors/(16*63), 1), 16383)), Heads: 16, Sectors: 63}
		}
	}
	if cd := m.cfg.CDROM; cd != nil {
		if m.cfg.Disks[SecondaryMaster] != nil {
			return errors.New("the CD-ROM drive is the secondary master: Disks[SecondaryMaster] must be empty")
		}
		if err := m.disk.ide.SetCDROM(1, 0, cd); err != nil {
			return err
		}
	}
	m.rtc.Configure(cmos.Config{LowMem: uint64(len(m.ram)), FPU: true, PS2Mouse: true, Disks: geo})
	return m.disk.ide.Attach(m.bus)
}

// busMasterMoved follows the IDE function's BAR4.
func (m *Machine) busMasterMoved(base uint16, enabled bool) {
	if m.disk.bmMapped {
		m.bus.UnmapPorts(m.disk.bmBase, m.disk.bmBase+ide.BusMasterPorts-1)
		m.disk.bmMapped = false
	}
	if !enabled || m.disk.ide == nil {
		return
	}
	if err := m.bus.MapPorts("ide-busmaster", base, base+ide.BusMasterPorts-1, m.disk.ide.BusMaster()); err == nil {
		m.disk.bmBase, m.disk.bmMapped = base, true
	}
}

// newIDEFunction returns the PIIX3 IDE PCI function wired to the bus
// master window.
func (m *Machine) newIDEFunction() pci.Device { return pci.NewPIIX3IDE(m.busMasterMoved) }

// resetDisks resets the ATA controller (the disks keep their contents).
func (m *Machine) resetDisks() {
	m.disk.ide.Reset()
}

// FlushDisks flushes every disk (the guest's writes reach stable
// storage); emu calls it before exiting.
func (m *Machine) FlushDisks() error { return m.disk.ide.Flush() }
