package machine

import (
	"bytes"
	"errors"
	"fmt"

	"bt86/bios/bootparam"
	"bt86/cpu"
)

// Where LoadProgram puts a flat binary and how it is entered: the
// contract of the in-guest test programs (testsuite/guest/README.md).
const (
	ProgramBase    = 0x10000
	ProgramSegment = ProgramBase >> 4
	programLimit   = 0xA0000 // the VGA window
)

// LoadLinux prepares a direct boot of a Linux bzImage with the 32-bit
// boot protocol (bios/bootparam): the kernel's protected-mode part at
// 1 MiB, the initrd (may be nil) high in RAM, the command line and the
// zero page below 1 MiB, and the CPU at the kernel's 32-bit entry with
// flat segments, paging and interrupts off. A reset (Linux `reboot`)
// boots the same kernel again.
func (m *Machine) LoadLinux(kernel, initrd []byte, cmdline string) error {
	if m.closed {
		return ErrClosed
	}
	if m.Firmware() {
		return errFirmwareLoader
	}
	if len(kernel) == 0 {
		return errors.New("kernel image is empty")
	}
	plan, err := bootparam.Build(bootparam.Config{
		RAMSize:    uint64(len(m.ram)),
		Kernel:     kernel,
		Initrd:     initrd,
		Cmdline:    cmdline,
		TextScreen: true,
	})
	if err != nil {
		return err
	}
	m.boot = func() error { return m.enterLinux(plan) }
	return m.boot()
}

// enterLinux copies the plan's blocks into RAM and loads its entry state.
func (m *Machine) enterLinux(plan *bootparam.Plan) error {
	for _, b := range plan.Blocks {
		if err := m.phys.WriteBytes(b.Addr, b.Data); err != nil {
			return fmt.Errorf("loading %s: %w", b.Name, err)
		}
	}
	e := plan.Entry
	c := m.cpu
	c.Reset()
	c.CR0 = e.CR0 | cpu.CR0ET
	c.GDTR = cpu.Table{Base: e.GDTBase, Limit: e.GDTLimit}
	c.IDTR = cpu.Table{}
	c.SetSegmentDescriptor(cpu.CS, e.CS.Selector, e.CS.Descriptor)
	for _, s := range []int{cpu.DS, cpu.ES, cpu.SS, cpu.FS, cpu.GS} {
		c.SetSegmentDescriptor(s, e.DS.Selector, e.DS.Descriptor)
	}
	c.SetEFlags(e.EFLAGS)
	c.Regs = [9]uint32{}
	c.Regs[cpu.ESI] = e.ESI
	c.EIP = e.EIP
	c.StateChanged()
	return nil
}

// LoadProgram prepares a boot of a flat binary under the contract of the
// in-guest programs: image loaded at physical 0x10000 and entered in real
// mode at 1000:0000 with DS = ES = SS = 0x1000, interrupts off, A20 on,
// no BIOS. A reset runs it again.
func (m *Machine) LoadProgram(image []byte) error {
	if m.closed {
		return ErrClosed
	}
	if m.Firmware() {
		return errFirmwareLoader
	}
	if len(image) == 0 {
		return errors.New("program image is empty")
	}
	if ProgramBase+len(image) > programLimit {
		return fmt.Errorf("program image is %d bytes, at most %d fit below the VGA window", len(image), programLimit-ProgramBase)
	}
	img := bytes.Clone(image)
	m.boot = func() error {
		if err := m.phys.WriteBytes(ProgramBase, img); err != nil {
			return err
		}
		c := m.cpu
		c.Reset()
		for _, s := range []int{cpu.CS, cpu.DS, cpu.ES, cpu.SS} {
			c.SetSegmentReal(s, ProgramSegment)
		}
		c.EIP = 0
		c.SetEFlags(0x2)
		c.StateChanged()
		return nil
	}
	return m.boot()
}

// ErrClosed is returned by a machine used after Close.
const ErrClosed = constError("machine is closed")

// constError is an error that can be a constant.
type constError string

func (e constError) Error() string { return string(e) }
