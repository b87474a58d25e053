package bios

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Drive is a disk image: a bt86/disk Image satisfies it.
type Drive interface {
	ReadAt(p []byte, off int64) (int, error)
	WriteAt(p []byte, off int64) (int, error)
	Size() int64
}

// Limits of the drive configuration.
const (
	MaxHardDisks = 4
	MaxFloppies  = 2
)

// Boot selects the device INT 19h boots from.
type Boot int

const (
	// BootAuto (the zero value) boots the first hard disk if there is
	// one, else the first floppy.
	BootAuto Boot = iota
	// BootHardDisk boots drive 0x80, BootFloppy drive 0x00.
	BootHardDisk
	BootFloppy
)

// Config describes the machine to the BIOS.
type Config struct {
	// RAMSize is the RAM size in bytes (at least 1 MiB), RAM being
	// contiguous from 0 (the memory map of machine/README.md).
	RAMSize uint64
	// HardDisks are BIOS drives 0x80, 0x81, ...; Floppies 0x00, 0x01.
	HardDisks []Drive
	Floppies  []Drive
	// Boot is the boot device (zero: BootAuto).
	Boot Boot
	// SerialConsole echoes INT 10h text output to COM1 (the BIOS side
	// of a -nographic console).
	SerialConsole bool
}

// Host is the machine as the BIOS sees it.
type Host interface {
	// ReadPhys copies guest physical memory at addr into b (device
	// space through the bus, nothing as all ones).
	ReadPhys(addr uint64, b []byte)
	// WritePhys copies b to guest physical memory at addr; writes to
	// ROM and to nothing are dropped, device space goes to the bus.
	WritePhys(addr uint64, b []byte)
	// In and Out access I/O ports.
	In(port uint16, size uint8) uint32
	Out(port uint16, size uint8, v uint32)
	// Now is the machine's virtual time in nanoseconds.
	Now() int64
}

// Regs are the caller's registers as a service sees them. Flags is the
// FLAGS image in the IRET frame: what the caller gets back.
type Regs struct {
	EAX, EBX, ECX, EDX, ESI, EDI, EBP uint32
	DS, ES                            uint16
	Flags                             uint16
}

// FLAGS bits services return.
const (
	FlagCF = 0x0001
	FlagZF = 0x0040
	FlagIF = 0x0200
)

// AH returns AH.
func (r *Regs) AH() uint8 { return uint8(r.EAX >> 8) }

// AL returns AL.
func (r *Regs) AL() uint8 { return uint8(r.EAX) }

// AX returns AX.
func (r *Regs) AX() uint16 { return uint16(r.EAX) }

// BX returns BX.
func (r *Regs) BX() uint16 { return uint16(r.EBX) }

// BH returns BH.
func (r *Regs) BH() uint8 { return uint8(r.EBX >> 8) }

// BL returns BL.
func (r *Regs) BL() uint8 { return uint8(r.EBX) }

// CX returns CX.
func (r *Regs) CX() uint16 { return uint16(r.ECX) }

// CH returns CH.
func (r *Regs) CH() uint8 { return uint8(r.ECX >> 8) }

// CL returns CL.
func (r *Regs) CL() uint8 { return uint8(r.ECX) }

// DX returns DX.
func (r *Regs) DX() uint16 { return uint16(r.EDX) }

// DH returns DH.
func (r *Regs) DH() uint8 { return uint8(r.EDX >> 8) }

// DL returns DL.
func (r *Regs) DL() uint8 { return uint8(r.EDX) }

// SI returns SI.
func (r *Regs) SI() uint16 { return uint16(r.ESI) }

// DI returns DI.
func (r *Regs) DI() uint16 { return uint16(r.EDI) }

// BP returns BP.
func (r *Regs) BP() uint16 { return uint16(r.EBP) }

func set8h(r *uint32, v uint8)  { *r = *r&^0xFF00 | uint32(v)<<8 }
func set8l(r *uint32, v uint8)  { *r = *r&^0xFF | uint32(v) }
func set16(r *uint32, v uint16) { *r = *r&^0xFFFF | uint32(v) }

// SetAH sets AH.
func (r *Regs) SetAH(v uint8) { set8h(&r.EAX, v) }

// SetAL sets AL.
func (r *Regs) SetAL(v uint8) { set8l(&r.EAX, v) }

// SetAX sets AX.
func (r *Regs) SetAX(v uint16) { set16(&r.EAX, v) }

// SetBH sets BH.
func (r *Regs) SetBH(v uint8) { set8h(&r.EBX, v) }

// SetBL sets BL.
func (r *Regs) SetBL(v uint8) { set8l(&r.EBX, v) }

// SetBX sets BX.
func (r *Regs) SetBX(v uint16) { set16(&r.EBX, v) }

// SetCH sets CH.
func (r *Regs) SetCH(v uint8) { set8h(&r.ECX, v) }

// SetCL sets CL.
func (r *Regs) SetCL(v uint8) { set8l(&r.ECX, v) }

// SetCX sets CX.
func (r *Regs) SetCX(v uint16) { set16(&r.ECX, v) }

// SetDH sets DH.
func (r *Regs) SetDH(v uint8) { set8h(&r.EDX, v) }

// SetDL sets DL.
func (r *Regs) SetDL(v uint8) { set8l(&r.EDX, v) }

// SetDX sets DX.
func (r *Regs) SetDX(v uint16) { set16(&r.EDX, v) }

// SetDI sets DI.
func (r *Regs) SetDI(v uint16) { set16(&r.EDI, v) }

// SetCF sets the returned carry flag.
func (r *Regs) SetCF(on bool) { r.setFlag(FlagCF, on) }

// SetZF sets the returned zero flag.
func (r *Regs) SetZF(on bool) { r.setFlag(FlagZF, on) }

func (r *Regs) setFlag(f uint16, on bool) {
	if on {
		r.Flags |= f
	} else {
		r.Flags &^= f
	}
}

// CF reports the returned carry flag.
func (r *Regs) CF() bool { return r.Flags&FlagCF != 0 }

// ok returns success: CF=0, AH=0.
func (r *Regs) ok() {
	r.SetAH(0)
	r.SetCF(false)
}

// fail returns an error: CF=1, AH=code.
func (r *Regs) fail(code uint8) {
	r.SetAH(code)
	r.SetCF(true)
}

// unsupported is the answer to an unknown function: CF=1, AH=86h.
func (r *Regs) unsupported() { r.fail(0x86) }

// Result tells the ROM stub what to do after a service.
type Result int

const (
	// Done: return to the caller.
	Done Result = iota
	// Wait: halt until an interrupt, then call the service again.
	Wait
	// Fail: INT 19h found nothing to boot.
	Fail
)

// BIOS is one machine's BIOS: its configuration and host. It keeps no
// other state: everything a service remembers is in guest memory.
type BIOS struct {
	cfg  Config
	host Host
}

// New checks cfg and returns the BIOS of one machine.
func New(cfg Config, host Host) (*BIOS, error) {
	if host == nil {
		return nil, errors.New("bios: no host")
	}
	if cfg.RAMSize < 1<<20 {
		return nil, fmt.Errorf("bios: RAM size %d bytes: at least 1 MiB needed", cfg.RAMSize)
	}
	if len(cfg.HardDisks) > MaxHardDisks {
		return nil, fmt.Errorf("bios: %d hard disks: at most %d", len(cfg.HardDisks), MaxHardDisks)
	}
	if len(cfg.Floppies) > MaxFloppies {
		return nil, fmt.Errorf("bios: %d floppies: at most %d", len(cfg.Floppies), MaxFloppies)
	}
	for i, d := range append(append([]Drive(nil), cfg.HardDisks...), cfg.Floppies...) {
		if d == nil {
			return nil, fmt.Errorf("bios: drive %d is nil", i)
		}
	}
	for i, d := range cfg.Floppies {
		if _, ok := floppyGeometry(d.Size()); !ok {
			return nil, fmt.Errorf("bios: floppy %d: %d bytes is no floppy format (160 KB to 2.88 MB)", i, d.Size())
		}
	}
	switch {
	case cfg.Boot == BootAuto:
	case cfg.Boot == BootHardDisk && len(cfg.HardDisks) > 0:
	case cfg.Boot == BootFloppy && len(cfg.Floppies) > 0:
	case cfg.Boot == BootHardDisk:
		return nil, errors.New("bios: boot from the hard disk, but there is none")
	case cfg.Boot == BootFloppy:
		return nil, errors.New("bios: boot from the floppy, but there is none")
	default:
		return nil, fmt.Errorf("bios: unknown boot device %d", cfg.Boot)
	}
	return &BIOS{cfg: cfg, host: host}, nil
}

// Call runs service id (an interrupt vector or IDPost) on the caller's
// registers.
func (b *BIOS) Call(id int, r *Regs) Result {
	switch id {
	case IDPost:
		b.post()
	case 0x09:
		b.int09()
	case 0x10:
		b.int10(r)
	case 0x11:
		r.SetAX(b.read16(bdaEquipment))
	case 0x12:
		r.SetAX(b.read16(bdaMemKiB))
	case 0x13:
		b.int13(r)
	case 0x14, 0x17:
		// No serial or printer services: status "timeout".
		r.SetAH(0x80)
	case 0x15:
		return b.int15(r)
	case 0x16:
		return b.int16(r)
	case 0x18:
		b.print("bt86 BIOS: no bootable device\r\n")
	case 0x19:
		return b.int19(r)
	case 0x1A:
		b.int1a(r)
	}
	return Done
}

// Guest memory helpers (physical addresses).

func (b *BIOS) read(addr uint32, n int) []byte {
	buf := make([]byte, n)
	b.host.ReadPhys(uint64(addr), buf)
	return buf
}

func (b *BIOS) read8(addr uint32) uint8 { return b.read(addr, 1)[0] }

func (b *BIOS) read16(addr uint32) uint16 { return binary.LittleEndian.Uint16(b.read(addr, 2)) }

func (b *BIOS) read32(addr uint32) uint32 { return binary.LittleEndian.Uint32(b.read(addr, 4)) }

func (b *BIOS) write(addr uint32, p []byte) { b.host.WritePhys(uint64(addr), p) }

func (b *BIOS) write8(addr uint32, v uint8) { b.write(addr, []byte{v}) }

func (b *BIOS) write16(addr uint32, v uint16) {
	b.write(addr, binary.LittleEndian.AppendUint16(nil, v))
}

func (b *BIOS) write32(addr uint32, v uint32) {
	b.write(addr, binary.LittleEndian.AppendUint32(nil, v))
}

// linear returns the physical address of seg:off (real mode).
func linear(seg, off uint16) uint32 { return uint32(seg)<<4 + uint32(off) }
