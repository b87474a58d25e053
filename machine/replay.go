package machine

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"bt86/clock"
)

// Recording file format (DESIGN.md, "Deterministic runs, record/replay
// and snapshots"):
//
//	"BT86RPLY" | version uint32 LE | header length uint32 LE | header (JSON RecordingInfo)
//	record:   kind byte | instruction count uint64 | virtual time int64 | length uint32 | data
//
// Kinds: 'S' serial bytes for COM1, 'K' one keystroke (set 1 bytes), 'E'
// the end of the recorded run (no data). Records are written as the run
// loop takes input, unbuffered, so a recording cut short by a crash keeps
// the input up to there.
const (
	recMagic = "BT86RPLY"
	// RecordingVersion is the recording format version.
	RecordingVersion = 1

	inputSerial = 'S'
	inputKey    = 'K'
	inputEnd    = 'E'

	maxRecHeader = 1 << 20
	maxRecData   = 1 << 20
)

// RecordingInfo is the header of a recording: what the run depended on
// besides its input. The machine fills in its own configuration; the
// caller adds the files and settings it booted with, which it checks
// itself on replay (for example emu refuses a kernel whose hash differs).
type RecordingInfo struct {
	MemoryMiB        int
	NsPerInstruction int
	StartCount       uint64 // instruction count when recording began
	StartTime        clock.Time
	Files            []RecordedFile    `json:",omitempty"`
	Settings         map[string]string `json:",omitempty"`
}

// RecordedFile is a file a recorded run read, by its SHA-256.
type RecordedFile struct {
	Role   string // e.g. "kernel", "initrd", "snapshot"
	Path   string
	SHA256 string // hex
}

// inputEvent is host input as the run loop took it.
type inputEvent struct {
	Kind  byte
	Count uint64     // instruction count at the loop turn that took it
	Time  clock.Time // virtual time of that turn (unique per turn)
	Data  []byte
}

// rrState is the record/replay state of the run loop.
type rrState struct {
	rec    *recorder
	play   *player
	stopAt uint64       // StopAt: end Run when the count reaches it (0: never)
	held   []inputEvent // host input received while idle, for the next turn
	err    error        // a replay divergence found while idle
	ended  bool         // replay: input used up and the guest idles for good
}

type recorder struct {
	w   io.Writer
	err error
	buf []byte
}

func (r *recorder) write(e inputEvent) {
	if r.err != nil {
		return
	}
	b := append(r.buf[:0], e.Kind)
	b = binary.LittleEndian.AppendUint64(b, e.Count)
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Time))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(e.Data)))
	b = append(b, e.Data...)
	r.buf = b
	_, r.err = r.w.Write(b)
}

// Record makes Run write the input it takes (serial bytes, keystrokes),
// each with the instruction count and virtual time of the run loop turn
// that delivered it, to w, after a header with info. It needs
// deterministic mode, where the run is a function of those inputs. Call
// FinishRecording after Run to mark where the run ended.
func (m *Machine) Record(w io.Writer, info RecordingInfo) error {
	if !m.cfg.Deterministic {
		return errors.New("recording needs deterministic mode (Config.Deterministic, emu -icount)")
	}
	if m.rr.rec != nil || m.rr.play != nil {
		return errors.New("machine is already recording or replaying")
	}
	info.MemoryMiB, info.NsPerInstruction = m.cfg.MemoryMiB, m.cfg.NsPerInstruction
	info.StartCount, info.StartTime = m.cpu.InstructionCount(), m.clk.Now()
	hdr, err := json.Marshal(info)
	if err != nil {
		return err
	}
	b := append([]byte(recMagic), 0, 0, 0, 0, 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(b[8:], RecordingVersion)
	binary.LittleEndian.PutUint32(b[12:], uint32(len(hdr)))
	if _, err := w.Write(append(b, hdr...)); err != nil {
		return err
	}
	m.rr.rec = &recorder{w: w}
	return nil
}

// FinishRecording writes the end record (the instruction count and
// virtual time where the run stopped) and stops recording. It returns
// the first write error of the recording.
func (m *Machine) FinishRecording() error {
	r := m.rr.rec
	if r == nil {
		return errors.New("machine is not recording")
	}
	r.write(inputEvent{Kind: inputEnd, Count: m.cpu.InstructionCount(), Time: m.clk.Now()})
	m.rr.rec = nil
	return r.err
}

// Recording is a recording read by ReadRecording.
type Recording struct {
	info   RecordingInfo
	events []inputEvent
	end    *inputEvent
}

// Info returns the recording's header.
func (r *Recording) Info() RecordingInfo { return r.info }

// End returns the instruction count at which the recorded run stopped,
// if the recording has its end record (a recording cut short by a crash
// has not).
func (r *Recording) End() (uint64, bool) {
	if r.end == nil {
		return 0, false
	}
	return r.end.Count, true
}

// RecordingError is a recording that cannot be read.
type RecordingError struct{ Msg string }

func (e *RecordingError) Error() string { return e.Msg }

func recErr(format string, args ...any) error {
	return &RecordingError{Msg: fmt.Sprintf(format, args...)}
}

// ReadRecording reads a recording written through Record. It reads
// untrusted bytes: errors are one line, sizes are checked, and it never
// panics.
func ReadRecording(r io.Reader) (*Recording, error) {
	var h [16]byte
	if n, err := io.ReadFull(r, h[:]); err != nil {
		if n == 0 {
			return nil, recErr("empty file: not a bt86 recording")
		}
		return nil, recErr("truncated header: not a bt86 recording")
	}
	if string(h[:8]) != recMagic {
		return nil, recErr("not a bt86 recording (bad magic)")
	}
	if v := binary.LittleEndian.Uint32(h[8:]); v != RecordingVersion {
		return nil, recErr("recording format version %d, this bt86 reads version %d", v, RecordingVersion)
	}
	n := binary.LittleEndian.Uint32(h[12:])
	if n > maxRecHeader {
		return nil, recErr("corrupt recording: header of %d bytes", n)
	}
	hdr, err := readN(r, uint64(n))
	if err != nil {
		return nil, recErr("corrupt recording: header: %v", readErr(err))
	}
	rec := &Recording{}
	dec := json.NewDecoder(bytes.NewReader(hdr))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec.info); err != nil {
		return nil, recErr("corrupt recording: header: %v", err)
	}
	if rec.info.MemoryMiB < MinMemoryMiB || rec.info.MemoryMiB > MaxMemoryMiB || rec.info.NsPerInstruction < 1 {
		return nil, recErr("corrupt recording: header settings out of range")
	}
	prev := inputEvent{Count: rec.info.StartCount, Time: rec.info.StartTime}
	for {
		var e [21]byte
		k, err := io.ReadFull(r, e[:])
		if k == 0 && err == io.EOF {
			return rec, nil // no end record: the recorded run did not finish
		}
		if err != nil {
			return nil, recErr("corrupt recording: truncated record after instruction %d", prev.Count)
		}
		ev := inputEvent{
			Kind:  e[0],
			Count: binary.LittleEndian.Uint64(e[1:]),
			Time:  clock.Time(binary.LittleEndian.Uint64(e[9:])),
		}
		size := binary.LittleEndian.Uint32(e[17:])
		switch {
		case ev.Kind != inputSerial && ev.Kind != inputKey && ev.Kind != inputEnd:
			return nil, recErr("corrupt recording: unknown record kind %#x", ev.Kind)
		case size > maxRecData || (ev.Kind == inputEnd) != (size == 0):
			return nil, recErr("corrupt recording: record of %d bytes", size)
		case ev.Count < prev.Count || ev.Time < prev.Time:
			return nil, recErr("corrupt recording: record at instruction %d goes back in time", ev.Count)
		}
		if ev.Data, err = readN(r, uint64(size)); err != nil {
			return nil, recErr("corrupt recording: truncated record at instruction %d", ev.Count)
		}
		if ev.Kind == inputEnd {
			if k, _ := r.Read(make([]byte, 1)); k != 0 {
				return nil, recErr("corrupt recording: data after the end record")
			}
			rec.end = &ev
			return rec, nil
		}
		rec.events = append(rec.events, ev)
		prev = ev
	}
}

// readN reads n bytes, growing the buffer only as data arrives.
func readN(r io.Reader, n uint64) ([]byte, error) {
	var b bytes.Buffer
	_, err := io.CopyN(&b, r, int64(n))
	return b.Bytes(), err
}

type player struct {
	events []inputEvent
	next   int
	end    *inputEvent
}

// Replay makes Run take its input from rec instead of the host (SendSerial,
// SendKeys and Config.SerialIn are ignored), each at the run loop turn
// that took it when recording, and stop where the recorded run stopped
// (ReasonStopCount). The machine must be configured as when recording
// (deterministic, the same memory size and NsPerInstruction) and be in
// the state recording began in: booted the same way (the caller checks the
// files) at the same instruction count.
func (m *Machine) Replay(rec *Recording) error {
	info := rec.info
	switch {
	case !m.cfg.Deterministic:
		return errors.New("replay needs deterministic mode (Config.Deterministic, emu -icount)")
	case m.rr.rec != nil || m.rr.play != nil:
		return errors.New("machine is already recording or replaying")
	case info.MemoryMiB != m.cfg.MemoryMiB || info.NsPerInstruction != m.cfg.NsPerInstruction:
		return fmt.Errorf("recording is of a machine with %d MiB and %d ns per instruction, this one has %d MiB and %d ns",
			info.MemoryMiB, info.NsPerInstruction, m.cfg.MemoryMiB, m.cfg.NsPerInstruction)
	case info.StartCount != m.cpu.InstructionCount() || info.StartTime != m.clk.Now():
		return fmt.Errorf("recording began at instruction %d, this machine is at instruction %d",
			info.StartCount, m.cpu.InstructionCount())
	}
	m.rr.play = &player{events: rec.events, end: rec.end}
	return nil
}

// StopAt makes Run return ReasonStopCount when the instruction count
// (since power-on) reaches n: the last CPU slice is cut to end exactly
// there. Zero cancels it. In a replay a stop at or after the recorded
// end is not needed: the replay stops there.
func (m *Machine) StopAt(n uint64) { m.rr.stopAt = n }

// InstructionCount is the number of instructions retired since power-on
// (it is kept by snapshots).
func (m *Machine) InstructionCount() uint64 { return m.cpu.InstructionCount() }

// ReplayRemaining is the number of recorded inputs a replay has not yet
// delivered.
func (m *Machine) ReplayRemaining() int {
	if p := m.rr.play; p != nil {
		return len(p.events) - p.next
	}
	return 0
}

// capBudget limits a slice so that it ends at StopAt's count.
func (m *Machine) capBudget(n int) int {
	if s := m.rr.stopAt; s != 0 {
		if c := m.cpu.InstructionCount(); c < s && s-c < uint64(n) {
			return int(s - c)
		}
	}
	return n
}

// turnCheck is run at the top of every run loop turn: it reports whether
// Run must stop (StopAt's count, the end of a replay, a divergence).
func (m *Machine) turnCheck() (Result, error, bool) {
	count, now := m.cpu.InstructionCount(), m.clk.Now()
	if m.rr.err != nil {
		return Result{}, m.rr.err, true
	}
	if p := m.rr.play; p != nil {
		if e := p.end; e != nil && now >= e.Time {
			if count != e.Count {
				return Result{}, fmt.Errorf("replay diverged: the recorded run ended at instruction %d, the replay is at %d", e.Count, count), true
			}
			if m.rr.stopAt == 0 || m.rr.stopAt >= e.Count {
				return Result{Reason: ReasonStopCount}, nil, true
			}
		}
		if m.rr.ended {
			return Result{Reason: ReasonReplayEnd}, nil, true
		}
	}
	if s := m.rr.stopAt; s != 0 && count >= s {
		return Result{Reason: ReasonStopCount}, nil, true
	}
	return Result{}, nil, false
}

// intake takes host input into the run loop's queues (from the replay
// when replaying), recording it when recording.
func (m *Machine) intake() error {
	if p := m.rr.play; p != nil {
		return p.inject(m)
	}
	for _, e := range m.rr.held {
		m.accept(e.Kind, e.Data)
	}
	m.rr.held = nil
	for len(m.pending) < 4096 {
		select {
		case b := <-m.input:
			m.accept(inputSerial, b)
			continue
		default:
		}
		break
	}
	for len(m.keyq) < 64 {
		select {
		case k := <-m.keys:
			m.accept(inputKey, k)
			continue
		default:
		}
		break
	}
	return nil
}

// accept queues one piece of host input.
func (m *Machine) accept(kind byte, b []byte) {
	if kind == inputSerial {
		m.pending = append(m.pending, b...)
	} else {
		m.keyq = append(m.keyq, b)
	}
	if r := m.rr.rec; r != nil {
		r.write(inputEvent{Kind: kind, Count: m.cpu.InstructionCount(), Time: m.clk.Now(), Data: b})
	}
}

// inject delivers the recorded input of this run loop turn.
func (p *player) inject(m *Machine) error {
	count, now := m.cpu.InstructionCount(), m.clk.Now()
	for ; p.next < len(p.events); p.next++ {
		e := p.events[p.next]
		if e.Time > now {
			return nil
		}
		if e.Time < now || e.Count != count {
			return fmt.Errorf("replay diverged: the recording has input at instruction %d, the replay is at %d without it", e.Count, count)
		}
		m.accept(e.Kind, bytes.Clone(e.Data))
	}
	return nil
}

// inputWaiting reports whether the next run loop turn, at the current
// count and time, has input to take: held or queued host input, or
// recorded input for exactly this point.
func (m *Machine) inputWaiting() bool {
	if p := m.rr.play; p != nil {
		return p.next < len(p.events) && p.events[p.next].Time == m.clk.Now()
	}
	return len(m.rr.held) > 0 || len(m.input) > 0 || len(m.keys) > 0
}

// idleForever is called when a deterministic guest idles with no device
// deadline: with nothing but input to wake it, a replay ends here unless
// the recording has input for this point (inputWaiting said no).
func (m *Machine) idleForever() {
	p := m.rr.play
	if p.next < len(p.events) {
		e := p.events[p.next]
		m.rr.err = fmt.Errorf("replay diverged: the guest waits for input at instruction %d, the recording has it at %d", m.cpu.InstructionCount(), e.Count)
		return
	}
	m.rr.ended = true
}
