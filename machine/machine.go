package machine

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"bt86/bus"
	"bt86/clock"
	"bt86/cpu"
	"bt86/dbt"
	"bt86/devices/cmos"
	"bt86/devices/debugport"
	"bt86/devices/kbc"
	"bt86/devices/pci"
	"bt86/devices/pic"
	"bt86/devices/pit"
	"bt86/devices/sysctl"
	"bt86/devices/uart"
	"bt86/devices/vga"
	"bt86/mmu"
)

// Physical memory map (see README.md).
const (
	// BIOSBase..BIOSEnd is the system BIOS area of the first MiB, ROM
	// shadowed in RAM (the PAM registers of the i440FX can make it RAM).
	BIOSBase = 0xE0000
	BIOSEnd  = 0x100000
	// BIOSAlias is where the 128 KiB BIOS area also appears, just below
	// 4 GiB, so the reset vector 0xFFFFFFF0 reaches it.
	BIOSAlias = 0x1_0000_0000 - (BIOSEnd - BIOSBase)
	// PCIHoleBase is the start of the reserved PCI/APIC hole; RAM never
	// reaches it.
	PCIHoleBase = 0xC000_0000
)

// comPort returns the I/O base and ISA interrupt line of COM(i+1).
func comPort(i int) (base uint16, irq int) {
	switch i {
	case 0:
		return 0x3F8, 4
	case 1:
		return 0x2F8, 3
	case 2:
		return 0x3E8, 4
	}
	return 0x2E8, 3
}

// Machine is one PC: RAM, a CPU, the bus and the devices of an i440FX
// board. Machines share nothing; several can run in one process.
type Machine struct {
	cfg  Config
	ram  []byte
	phys *mmu.Phys
	bus  *bus.Bus
	cpu  *cpu.CPU
	exec cpu.Executor // the engine running cpu (Config.Engine)
	dbt  *dbt.Engine  // the translator, when it is the engine
	// perfMap is the perf JIT symbol map the translator writes
	// (BT86_PERFMAP), or nil.
	perfMap *os.File
	clk     clock.Clock
	irq     irqMux

	pic    *pic.Controller
	pit    *pit.Timer
	rtc    *cmos.RTC
	com    [4]*uart.Port
	kbc    *kbc.Controller
	port92 *sysctl.PortA
	pci    *pci.Host
	vga    *vga.Adapter
	debug  *debugport.Ports
	timed  []clock.Timed
	disk   disks // ATA controller (disk.go)

	// boot re-establishes the boot state after a reset (the loader acts
	// as the firmware: there is no BIOS).
	boot func() error

	input   chan []byte // serial input, drained by the run loop only
	pending []byte      // input COM1 has not accepted yet
	keys    chan []byte // keyboard input (set 1 sequences), likewise
	keyq    [][]byte    // keys the i8042 has not accepted yet
	// keyStall counts run loop turns in which the i8042 took no key.
	keyStall int

	resetReq   bool
	exitStatus int // from the debug exit port, or -1
	resets     int
	run        runState
	running    atomic.Bool // Run is active (guards Close)
	closed     bool
	// sliceHook, if set, sees every CPU slice's exit (tests, profiling).
	sliceHook func(cpu.Exit)
	// dbg is the state of a ServeGDB session (debug.go); trace the -d
	// tracer (trace.go).
	dbg   *debugState
	trace *tracer

	calls callQueue // Do
	rr    rrState   // record, replay, StopAt
}

// New builds a PC with the devices of an i440FX/PIIX3 board attached.
func New(cfg Config) (*Machine, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	size := cfg.MemoryMiB << 20
	ram, err := allocRAM(size)
	if err != nil {
		return nil, err
	}
	m := &Machine{cfg: cfg, ram: ram, bus: bus.New(), input: make(chan []byte, 64), keys: make(chan []byte, 256), exitStatus: -1}
	if err := m.wire(); err != nil {
		_ = freeRAM(ram)
		return nil, err
	}
	if cfg.SerialIn != nil {
		go readInput(cfg.SerialIn, m.input)
	}
	return m, nil
}

// wire creates the physical address space, the CPU and the devices.
func (m *Machine) wire() error {
	m.phys = mmu.NewPhys(m.ram, m.bus)
	// The BIOS area: all ones except a reset vector that halts (there
	// is no BIOS: Machine's loaders put the CPU where firmware would).
	m.writeBIOSStub()
	if err := m.mapFirmware(); err != nil { // before the alias: the firmware's pristine copy wins
		return err
	}
	if err := m.phys.MapHighROM(BIOSAlias, m.ram[BIOSBase:BIOSEnd]); err != nil {
		return err
	}

	m.pic = pic.New()
	m.irq.sink = m.pic
	m.cpu = cpu.New(cpu.Config{Phys: m.phys, Ports: m.bus, PIC: m.pic})
	exec, err := m.newExecutor()
	if err != nil {
		return err
	}
	m.exec = exec

	// The TSC counts virtual nanoseconds (1 GHz), read from the same
	// clock as the timers so that Linux's calibration against the PIT
	// finds them consistent, in both time modes.
	m.cpu.TimeSource = func() uint64 { return uint64(sliceClock{m}.Now()) }
	m.pit = pit.New(sliceClock{m}, m.irq.source())
	m.rtc = cmos.New(m.cfg.StartTime, sliceClock{m}, m.irq.source())
	m.rtc.Configure(cmos.Config{LowMem: uint64(len(m.ram)), FPU: true, PS2Mouse: true})
	for i := range m.com {
		var out io.Writer
		if i == 0 {
			out = m.cfg.Serial
		}
		base, line := comPort(i)
		m.com[i] = uart.New(base, line, m.irq.source(), out)
	}
	m.kbc = kbc.New(m.irq.source(), kbc.Callbacks{SetA20: m.a20Changed, Reset: m.requestReset})
	m.port92 = sysctl.New(sysctl.Callbacks{SetA20: m.a20Changed, Reset: m.requestReset})
	m.pci = pci.New(func(hard bool) { m.requestReset() })
	m.vga = vga.New()
	opt := debugport.Options{Console: m.cfg.Debugcon}
	if m.cfg.DebugExit {
		opt.Exit = m.debugExit
	}
	m.debug = debugport.New(opt)

	piix := pci.NewPIIX3(m.irq.source())
	for _, f := range []struct {
		slot, fn int
		d        pci.Device
	}{
		{pci.HostBridgeSlot, 0, pci.NewI440FX(m.pamChanged)},
		{pci.PIIX3Slot, pci.PIIX3ISAFn, piix},
		{pci.PIIX3Slot, pci.PIIX3IDEFn, m.newIDEFunction()},
	} {
		if err := m.pci.Register(f.slot, f.fn, f.d); err != nil {
			return err
		}
	}

	type attacher interface{ Attach(*bus.Bus) error }
	devs := []attacher{m.pic, m.pit, m.rtc, m.kbc, m.port92, m.pci, m.vga, m.debug}
	for _, c := range m.com {
		devs = append(devs, c)
	}
	for _, d := range devs {
		if err := d.Attach(m.bus); err != nil {
			return fmt.Errorf("machine: %w", err)
		}
	}
	if err := m.wireDisks(); err != nil {
		return fmt.Errorf("machine: %w", err)
	}
	m.timed = []clock.Timed{m.pit, m.rtc}
	m.a20Changed(true)
	if m.Firmware() {
		return m.bootFirmware()
	}
	return nil
}

// writeBIOSStub fills the BIOS area with 0xFF and puts `cli; hlt; jmp
// $-2` at the reset vector F000:FFF0, so a guest that jumps there halts
// with interrupts off instead of running off into garbage.
func (m *Machine) writeBIOSStub() {
	area := m.ram[BIOSBase:BIOSEnd]
	for i := range area {
		area[i] = 0xFF
	}
	copy(area[len(area)-16:], []byte{0xFA, 0xF4, 0xEB, 0xFD})
	m.phys.NotifyWrite(BIOSBase, len(area))
}

// a20Changed recomputes the A20 gate: the OR of the keyboard
// controller's output port and port 0x92 (as on a PIIX).
func (m *Machine) a20Changed(bool) {
	if m.kbc == nil || m.port92 == nil {
		return
	}
	m.phys.SetA20(m.kbc.A20() || m.port92.A20())
}

// requestReset is the devices' reset line: the reset happens after the
// current instruction.
func (m *Machine) requestReset() {
	m.resetReq = true
	m.cpu.Stop()
}

func (m *Machine) debugExit(status int) {
	m.exitStatus = status
	m.cpu.Stop()
}

// pamChanged applies the i440FX shadow RAM attributes to the BIOS and
// option ROM areas: writable windows become RAM, the others read-only.
func (m *Machine) pamChanged(pam [pci.NumPAM]uint8) {
	for _, r := range pci.DecodePAM(pam) {
		k := mmu.KindROM
		if r.Write {
			k = mmu.KindRAM
		}
		m.phys.SetLowKind(uint64(r.Base), uint64(r.Base+r.Size), k)
	}
}

// Close releases the machine's RAM. The machine must not be used after.
// Closing a machine while Run is active is refused: stop it first (cancel
// Run's context and wait for Run to return).
func (m *Machine) Close() error {
	if m.running.Load() {
		return errors.New("machine: Close while Run is active")
	}
	if m.closed {
		return nil
	}
	m.closed = true
	if m.perfMap != nil {
		_ = m.perfMap.Close()
	}
	if m.dbt != nil {
		if err := m.dbt.Close(); err != nil {
			_ = freeRAM(m.ram)
			return err
		}
	}
	return freeRAM(m.ram)
}

// CPU returns the vCPU (for debuggers, statistics and tests).
func (m *Machine) CPU() *cpu.CPU { return m.cpu }

// Phys returns the physical address space.
func (m *Machine) Phys() *mmu.Phys { return m.phys }

// Bus returns the I/O and MMIO bus.
func (m *Machine) Bus() *bus.Bus { return m.bus }

// VGA returns the VGA adapter (its text screen: VGA().Text()).
func (m *Machine) VGA() *vga.Adapter { return m.vga }

// Keyboard returns the i8042 (to type on the PS/2 keyboard).
func (m *Machine) Keyboard() *kbc.Controller { return m.kbc }

// Now returns the current virtual time.
func (m *Machine) Now() clock.Time { return m.clk.Now() }

// MemorySize returns the RAM size in bytes.
func (m *Machine) MemorySize() int { return len(m.ram) }

// SendSerial queues b as input to COM1; the run loop feeds it to the
// UART as its receive FIFO has room. It is safe to call from any
// goroutine; it blocks while the queue is full.
func (m *Machine) SendSerial(b []byte) {
	if len(b) > 0 {
		m.input <- append([]byte(nil), b...)
	}
}

// SendKeys queues one keystroke for the PS/2 keyboard as scan code set 1
// bytes (make and break codes, for example 0x1E 0x9E for "a"). It is safe
// to call from any goroutine; the run loop hands keystrokes to the i8042
// as its queue has room. Keystrokes are dropped while the guest has the
// keyboard disabled.
func (m *Machine) SendKeys(set1 []byte) {
	if len(set1) > 0 {
		m.keys <- append([]byte(nil), set1...)
	}
}

// readInput copies r into ch until r fails.
func readInput(r io.Reader, ch chan<- []byte) {
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			ch <- append([]byte(nil), buf[:n]...)
		}
		if err != nil {
			return
		}
	}
}

// reset performs a system reset: RAM is cleared, the CPU and every device
// go to their power-on state (the RTC keeps its time and NVRAM), and the
// boot loader runs again.
func (m *Machine) reset() error {
	m.resets++
	m.resetReq = false
	zeroRAM(m.ram)
	m.phys.NotifyWrite(0, len(m.ram))
	m.writeBIOSStub()
	m.cpu.Reset()
	m.irq.reset()
	m.pic.Reset()
	m.pit.Reset()
	m.rtc.Reset()
	for _, c := range m.com {
		c.Reset()
	}
	m.kbc.Reset()
	m.port92.Reset()
	m.pci.Reset()
	m.resetDisks()
	m.pamChanged([pci.NumPAM]uint8{})
	m.vga.Reset()
	screen := m.vga.State()
	clear(screen.Mem[:])
	m.vga.SetState(screen)
	m.a20Changed(true)
	if m.boot == nil {
		return errors.New("machine reset with nothing to boot")
	}
	return m.boot()
}
