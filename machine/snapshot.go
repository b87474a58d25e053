package machine

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"bt86/clock"
	"bt86/cpu"
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

// Snapshot file format (DESIGN.md, "Deterministic runs, record/replay
// and snapshots"):
//
//	"BT86SNAP" | version uint32 LE | gzip stream of sections
//	section:  tag [4]byte | length uint64 LE | payload
//
// The sections come in this order: "MACH" (JSON machineImage), "CPU "
// (JSON cpu.State), "DEVS" (JSON deviceImage), "RAM " (the non-zero
// pages: page number uint32 LE + 4096 bytes each, ascending), then,
// reserved for the disk layer, "DISK" (the disk overlay; no build writes
// it yet and this one refuses it), and "END " (empty).
const (
	snapMagic = "BT86SNAP"
	// SnapshotVersion is the snapshot format version this build writes
	// and reads. It changes whenever a section or a State type it holds
	// changes incompatibly.
	SnapshotVersion = 1

	tagMachine = "MACH"
	tagCPU     = "CPU "
	tagDevices = "DEVS"
	tagRAM     = "RAM "
	tagDisk    = "DISK" // reserved: the disk overlay (bt86/disk)
	tagEnd     = "END "

	// maxJSONSection bounds the JSON sections (the VGA memory, the
	// largest, takes under 1 MiB).
	maxJSONSection = 16 << 20
	ramRecord      = 4 + mmu.PageSize
)

// machineImage is the machine's own state in a snapshot: the run loop's
// guest-visible bookkeeping and the configuration a restore checks.
type machineImage struct {
	MemoryMiB        int
	Deterministic    bool
	NsPerInstruction int
	Clock            clock.Time
	Instructions     uint64 // retired since power-on
	IRQLevels        [16]uint64
	SerialPending    []byte   // input COM1 has not accepted yet
	KeyQueue         [][]byte // keystrokes the i8042 has not accepted yet
	KeyStall         int
	Resets           int
}

// deviceImage is every device's State.
type deviceImage struct {
	PIC    pic.State
	PIT    pit.State
	RTC    cmos.State
	COM    [4]uart.State
	KBC    kbc.State
	Port92 sysctl.State
	PCI    pci.BusState
	VGA    vga.State
	Debug  debugport.State
}

// Snapshot is a whole machine's state read by ReadSnapshot and checked
// for consistency; RestoreSnapshot puts it into a Machine.
type Snapshot struct {
	mach  machineImage
	cpu   cpu.State
	dev   deviceImage
	pages []uint32 // the non-zero RAM pages, ascending
	data  []byte   // their contents, mmu.PageSize bytes each
}

// MemoryMiB is the RAM size of the machine the snapshot was taken of.
func (s *Snapshot) MemoryMiB() int { return s.mach.MemoryMiB }

// Instructions is the instruction count (since power-on) at which the
// snapshot was taken.
func (s *Snapshot) Instructions() uint64 { return s.mach.Instructions }

// Deterministic reports whether the machine ran in deterministic mode,
// and its NsPerInstruction.
func (s *Snapshot) Deterministic() (bool, int) { return s.mach.Deterministic, s.mach.NsPerInstruction }

// image captures the machine's state. The caller holds the machine
// (not inside a CPU slice).
func (m *Machine) image() (machineImage, cpu.State, deviceImage) {
	mi := machineImage{
		MemoryMiB:        m.cfg.MemoryMiB,
		Deterministic:    m.cfg.Deterministic,
		NsPerInstruction: m.cfg.NsPerInstruction,
		Clock:            m.clk.Now(),
		Instructions:     m.cpu.InstructionCount(),
		IRQLevels:        m.irq.levels,
		SerialPending:    m.pending,
		KeyQueue:         m.keyq,
		KeyStall:         m.keyStall,
		Resets:           m.resets,
	}
	d := deviceImage{
		PIC:    m.pic.State(),
		PIT:    m.pit.State(),
		RTC:    m.rtc.State(),
		KBC:    m.kbc.State(),
		Port92: m.port92.State(),
		PCI:    m.pci.BusState(),
		VGA:    m.vga.State(),
		Debug:  m.debug.State(),
	}
	for i, c := range m.com {
		d.COM[i] = c.State()
	}
	return mi, m.cpu.State, d
}

// SaveSnapshot writes the whole machine (CPU, RAM, devices, the run
// loop's pending input) to w. While Run is active it is taken between two
// CPU slices (see Do); a snapshot never changes the run, so a
// deterministic run continues exactly as it would have.
func (m *Machine) SaveSnapshot(w io.Writer) error {
	if m.closed {
		return ErrClosed
	}
	var err error
	m.Do(func() { err = m.writeSnapshot(w) })
	return err
}

func (m *Machine) writeSnapshot(w io.Writer) error {
	mi, cs, dev := m.image()
	bw := bufio.NewWriterSize(w, 1<<16)
	var hdr [12]byte
	copy(hdr[:], snapMagic)
	binary.LittleEndian.PutUint32(hdr[8:], SnapshotVersion)
	if _, err := bw.Write(hdr[:]); err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	if err != nil {
		return err
	}
	for _, s := range []struct {
		tag string
		v   any
	}{{tagMachine, mi}, {tagCPU, cs}, {tagDevices, dev}} {
		b, err := json.Marshal(s.v)
		if err != nil {
			return err
		}
		if err := writeSection(zw, s.tag, b); err != nil {
			return err
		}
	}
	pages := nonZeroPages(m.ram)
	if err := writeSectionHeader(zw, tagRAM, uint64(len(pages))*ramRecord); err != nil {
		return err
	}
	var num [4]byte
	for _, p := range pages {
		binary.LittleEndian.PutUint32(num[:], p)
		if _, err := zw.Write(num[:]); err != nil {
			return err
		}
		if _, err := zw.Write(m.ram[int(p)*mmu.PageSize:][:mmu.PageSize]); err != nil {
			return err
		}
	}
	if err := writeSection(zw, tagEnd, nil); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

func writeSectionHeader(w io.Writer, tag string, n uint64) error {
	var h [12]byte
	copy(h[:], tag)
	binary.LittleEndian.PutUint64(h[4:], n)
	_, err := w.Write(h[:])
	return err
}

func writeSection(w io.Writer, tag string, b []byte) error {
	if err := writeSectionHeader(w, tag, uint64(len(b))); err != nil {
		return err
	}
	_, err := w.Write(b)
	return err
}

// nonZeroPages lists the RAM pages that hold a non-zero byte.
func nonZeroPages(ram []byte) []uint32 {
	var out []uint32
	for p := 0; p*mmu.PageSize < len(ram); p++ {
		pg := ram[p*mmu.PageSize:][:mmu.PageSize]
		for i := 0; i < len(pg); i += 8 {
			if binary.LittleEndian.Uint64(pg[i:]) != 0 {
				out = append(out, uint32(p))
				break
			}
		}
	}
	return out
}

// SnapshotError is a snapshot that cannot be read: not a snapshot, a
// format version this build does not read, truncated or corrupt.
type SnapshotError struct{ Msg string }

func (e *SnapshotError) Error() string { return e.Msg }

func snapErr(format string, args ...any) error {
	return &SnapshotError{Msg: fmt.Sprintf(format, args...)}
}

// ReadSnapshot reads and checks a snapshot written by SaveSnapshot. It
// reads untrusted bytes: a file that is not a snapshot, of another format
// version, truncated or corrupt gives a *SnapshotError with a one-line
// message, never a panic, and sizes are checked before use (the RAM
// section must hold whole pages of a RAM of the recorded size).
func ReadSnapshot(r io.Reader) (*Snapshot, error) {
	var hdr [12]byte
	if n, err := io.ReadFull(r, hdr[:]); err != nil {
		if n == 0 {
			return nil, snapErr("empty file: not a bt86 snapshot")
		}
		return nil, snapErr("truncated header: not a bt86 snapshot")
	}
	if string(hdr[:8]) != snapMagic {
		return nil, snapErr("not a bt86 snapshot (bad magic)")
	}
	if v := binary.LittleEndian.Uint32(hdr[8:]); v != SnapshotVersion {
		return nil, snapErr("snapshot format version %d, this bt86 reads version %d", v, SnapshotVersion)
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, snapErr("corrupt snapshot: %v", readErr(err))
	}
	zr.Multistream(false)
	s := &Snapshot{}
	for i, want := range []string{tagMachine, tagCPU, tagDevices, tagRAM, tagEnd} {
		tag, n, err := readSectionHeader(zr)
		if err != nil {
			return nil, snapErr("corrupt snapshot: section %d: %v", i, readErr(err))
		}
		if tag == tagDisk {
			return nil, snapErr("snapshot holds a disk overlay, which this build cannot restore (disks are not connected yet)")
		}
		if tag != want {
			return nil, snapErr("corrupt snapshot: section %q where %q belongs", printable(tag), want)
		}
		if err := s.readSection(zr, tag, n); err != nil {
			return nil, err
		}
	}
	// The end of the gzip stream checks its CRC and length.
	if n, err := zr.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		if err == nil || err == io.EOF {
			return nil, snapErr("corrupt snapshot: data after the end section")
		}
		return nil, snapErr("corrupt snapshot: %v", readErr(err))
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return s, nil
}

// readErr turns the errors of reading a cut-off file into words.
func readErr(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errors.New("truncated")
	}
	return err
}

func printable(tag string) string {
	return string(bytes.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7E {
			return '?'
		}
		return r
	}, []byte(tag)))
}

func readSectionHeader(r io.Reader) (string, uint64, error) {
	var h [12]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return "", 0, err
	}
	return string(h[:4]), binary.LittleEndian.Uint64(h[4:]), nil
}

// readPayload reads n bytes, growing the buffer only as data arrives (a
// corrupt length cannot make it allocate more than the file holds).
func readPayload(r io.Reader, tag string, n, limit uint64) ([]byte, error) {
	if n > limit {
		return nil, snapErr("corrupt snapshot: section %q is %d bytes, at most %d are possible", tag, n, limit)
	}
	var b bytes.Buffer
	if _, err := io.CopyN(&b, r, int64(n)); err != nil {
		return nil, snapErr("corrupt snapshot: section %q: %v", tag, readErr(err))
	}
	return b.Bytes(), nil
}

func (s *Snapshot) readSection(r io.Reader, tag string, n uint64) error {
	switch tag {
	case tagEnd:
		if n != 0 {
			return snapErr("corrupt snapshot: end section is not empty")
		}
		return nil
	case tagRAM:
		if s.mach.MemoryMiB < MinMemoryMiB || s.mach.MemoryMiB > MaxMemoryMiB {
			return snapErr("corrupt snapshot: memory size %d MiB out of range", s.mach.MemoryMiB)
		}
		npages := uint64(s.mach.MemoryMiB) << 20 / mmu.PageSize
		if n%ramRecord != 0 {
			return snapErr("corrupt snapshot: RAM section of %d bytes is not whole pages", n)
		}
		b, err := readPayload(r, tag, n, npages*ramRecord)
		if err != nil {
			return err
		}
		count := len(b) / ramRecord
		s.pages = make([]uint32, count)
		s.data = make([]byte, count*mmu.PageSize)
		for i := range count {
			rec := b[i*ramRecord:][:ramRecord]
			p := binary.LittleEndian.Uint32(rec)
			if uint64(p) >= npages || (i > 0 && p <= s.pages[i-1]) {
				return snapErr("corrupt snapshot: RAM page %d out of order or beyond %d MiB", p, s.mach.MemoryMiB)
			}
			s.pages[i] = p
			copy(s.data[i*mmu.PageSize:], rec[4:])
		}
		return nil
	}
	b, err := readPayload(r, tag, n, maxJSONSection)
	if err != nil {
		return err
	}
	var v any
	switch tag {
	case tagMachine:
		v = &s.mach
	case tagCPU:
		v = &s.cpu
	case tagDevices:
		v = &s.dev
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return snapErr("corrupt snapshot: section %q: %v", tag, err)
	}
	if dec.More() {
		return snapErr("corrupt snapshot: section %q: data after its value", tag)
	}
	return nil
}

// check validates what a restore would put into devices that index
// their own arrays with state values.
func (s *Snapshot) check() error {
	m := &s.mach
	if m.NsPerInstruction < 0 || m.Instructions > 1<<62 || m.Clock < 0 || m.KeyStall < 0 || m.Resets < 0 {
		return snapErr("corrupt snapshot: machine section out of range")
	}
	if len(m.KeyQueue) > 1<<16 {
		return snapErr("corrupt snapshot: %d queued keystrokes", len(m.KeyQueue))
	}
	for _, k := range m.KeyQueue {
		if len(k) == 0 || len(k) > 16 {
			return snapErr("corrupt snapshot: a queued keystroke of %d bytes", len(k))
		}
	}
	if c := &s.cpu; c.CPL < 0 || c.CPL > 3 {
		return snapErr("corrupt snapshot: CPL %d", c.CPL)
	}
	d := &s.dev
	checks := []error{d.PIC.Validate(), d.PIT.Validate(), d.RTC.Validate(), d.KBC.Validate(), d.VGA.Validate()}
	for _, c := range d.COM {
		checks = append(checks, c.Validate())
	}
	if err := errors.Join(checks...); err != nil {
		return snapErr("corrupt snapshot: %v", firstLine(err))
	}
	return nil
}

func firstLine(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return msg
}

// RestoreSnapshot puts the machine into the state s holds; Run then
// continues from there. The machine must not be running, and its RAM size
// must be the snapshot's: RAM is allocated by New and the memory size is
// guest-visible (CMOS, the e820 map the kernel read), so a restore cannot
// change it (emu -loadvm reads the size from the snapshot before it builds
// the machine). Host-only caches (predecoded traces, the shadow TLB) are
// dropped and rebuild themselves. A guest reset after a restore runs the
// loader given before it (LoadLinux, LoadProgram); with none it is an
// error.
func (m *Machine) RestoreSnapshot(s *Snapshot) error {
	if m.closed {
		return ErrClosed
	}
	if m.running.Load() {
		return errors.New("machine: RestoreSnapshot while Run is active")
	}
	if s.mach.MemoryMiB != m.cfg.MemoryMiB {
		return fmt.Errorf("snapshot is of a machine with %d MiB of RAM, this one has %d MiB", s.mach.MemoryMiB, m.cfg.MemoryMiB)
	}
	if err := m.pci.SetBusState(s.dev.PCI); err != nil {
		return fmt.Errorf("snapshot does not fit this machine: %w", err)
	}

	zeroRAM(m.ram)
	for i, p := range s.pages {
		copy(m.ram[int(p)*mmu.PageSize:][:mmu.PageSize], s.data[i*mmu.PageSize:][:mmu.PageSize])
	}
	m.phys.NotifyWrite(0, len(m.ram)) // drops predecoded code and page table watches

	mi := s.mach
	m.clk = clock.Clock{}
	m.clk.Set(mi.Clock)
	m.irq.levels = mi.IRQLevels
	m.pending = bytes.Clone(mi.SerialPending)
	m.keyq = nil
	for _, k := range mi.KeyQueue {
		m.keyq = append(m.keyq, bytes.Clone(k))
	}
	m.keyStall, m.resets = mi.KeyStall, mi.Resets
	m.resetReq, m.exitStatus = false, -1

	d := s.dev
	m.pic.SetState(d.PIC)
	m.pit.SetState(d.PIT)
	m.rtc.SetState(d.RTC)
	for i, c := range m.com {
		c.SetState(d.COM[i])
	}
	m.kbc.SetState(d.KBC)
	m.port92.SetState(d.Port92)
	m.vga.SetState(d.VGA)
	m.debug.SetState(d.Debug)
	if hb, ok := m.pci.Function(pci.HostBridgeSlot, 0).(*pci.I440FX); ok {
		m.pamChanged(hb.PAM())
	}
	m.a20Changed(true)

	m.cpu.State = s.cpu
	m.cpu.Stats = cpu.Stats{Retired: mi.Instructions}
	m.cpu.StateChanged()
	// An engine with code caches of its own beyond the CPU's (the
	// translator) drops them too; NotifyWrite above already told every
	// watcher of code pages.
	if f, ok := m.exec.(interface{ FlushCodeCache() }); ok {
		f.FlushCodeCache()
	}
	if m.boot == nil {
		m.boot = func() error {
			return errors.New("the guest reset after a snapshot restore, and there is no loader to boot it again")
		}
	}
	return nil
}

// StateHash is the SHA-256 of the guest-visible machine state: the
// instruction count and virtual time, the CPU state, every device's state,
// the run loop's pending input and RAM. Two deterministic runs that agree
// on it are in the same state (host-only caches and counters are not
// part of it, and neither is the engine). While Run is active it is taken
// between two CPU slices (see Do).
func (m *Machine) StateHash() [32]byte {
	var sum [32]byte
	m.Do(func() {
		mi, cs, dev := m.image()
		h := sha256.New()
		enc := json.NewEncoder(h)
		for _, v := range []any{mi, cs, dev} {
			_ = enc.Encode(v) // plain values: encoding cannot fail
		}
		h.Write(m.ram)
		h.Sum(sum[:0])
	})
	return sum
}
