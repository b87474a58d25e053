package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"bt86/guest/demo"
	"bt86/machine"
)

// Snapshots, record and replay: -loadvm, -record, -replay, -replay-stop.

// prepareReplay reads the -replay recording and takes the boot settings
// from it: the files (unless -kernel, -initrd or -loadvm give another
// path for one), the kernel command line, the RAM size and -icount.
func prepareReplay(o *options) (*machine.Recording, error) {
	if o.replayStop != 0 && o.replay == "" {
		return nil, errors.New("-replay-stop needs -replay")
	}
	if o.replay == "" {
		return nil, nil
	}
	if o.record != "" {
		return nil, errors.New("-record and -replay exclude each other")
	}
	for _, f := range []string{"m", "append", "icount", "no-reboot"} {
		if o.set[f] {
			return nil, fmt.Errorf("-%s cannot be given with -replay: it comes from the recording", f)
		}
	}
	f, err := os.Open(o.replay)
	if err != nil {
		return nil, fmt.Errorf("-replay %s: %v", o.replay, pathErr(err))
	}
	defer f.Close()
	rec, err := machine.ReadRecording(f)
	if err != nil {
		return nil, fmt.Errorf("-replay %s: %v", o.replay, err)
	}
	info := rec.Info()
	for _, file := range info.Files {
		p := map[string]*string{"kernel": &o.kernel, "initrd": &o.initrd, "snapshot": &o.loadvm}[file.Role]
		if p != nil && *p == "" {
			*p = file.Path
		}
	}
	o.cmdline = info.Settings["append"]
	o.noReboot = info.Settings["no-reboot"] == "true"
	o.memMiB = info.MemoryMiB
	shift := 0
	for ns := info.NsPerInstruction; ns > 1; ns >>= 1 {
		shift++
	}
	if 1<<shift != info.NsPerInstruction {
		return nil, fmt.Errorf("-replay %s: %d ns per instruction is not a power of two", o.replay, info.NsPerInstruction)
	}
	o.icount = icountFlag{on: true, shift: shift}
	return rec, nil
}

// bootInputs reads the -loadvm snapshot and lists the files the run
// boots from with their hashes (for a recording), refusing a replay whose
// files differ from the recording's.
func bootInputs(o *options, replay *machine.Recording, kernel, initrd []byte) (*machine.Snapshot, []machine.RecordedFile, error) {
	var files []machine.RecordedFile
	if kernel != nil {
		files = append(files, fileHash("kernel", o.kernel, kernel))
		if initrd != nil {
			files = append(files, fileHash("initrd", o.initrd, initrd))
		}
	}
	var snap *machine.Snapshot
	if o.loadvm != "" {
		s, f, err := readSnapshot(o.loadvm)
		if err != nil {
			return nil, nil, err
		}
		snap = s
		files = append(files, f)
	}
	if kernel == nil && snap == nil {
		files = append(files, fileHash("demo", "(built-in demo guest)", demo.Image()))
	}
	if replay != nil {
		if err := checkReplayFiles(o, replay, files); err != nil {
			return nil, nil, err
		}
	}
	return snap, files, nil
}

// startRecordReplay starts -record or -replay on m; the function it
// returns ends a recording after Run.
func startRecordReplay(o *options, m *machine.Machine, replay *machine.Recording, files []machine.RecordedFile) (func() error, error) {
	if o.record != "" {
		f, err := os.Create(o.record)
		if err != nil {
			return nil, fmt.Errorf("-record: %w", err)
		}
		if err := m.Record(f, machine.RecordingInfo{Files: files, Settings: recordingSettings(o)}); err != nil {
			f.Close()
			return nil, fmt.Errorf("-record %s: %w", o.record, err)
		}
		return func() error {
			err := m.FinishRecording()
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			return err
		}, nil
	}
	if replay != nil {
		if err := m.Replay(replay); err != nil {
			return nil, fmt.Errorf("-replay %s: %w", o.replay, err)
		}
		if end, ok := replay.End(); ok && o.replayStop > end {
			return nil, fmt.Errorf("-replay-stop %d: the recorded run ended at instruction %d", o.replayStop, end)
		}
		if o.replayStop != 0 && o.replayStop < m.InstructionCount() {
			return nil, fmt.Errorf("-replay-stop %d: the replay starts at instruction %d", o.replayStop, m.InstructionCount())
		}
		m.StopAt(o.replayStop)
	}
	return func() error { return nil }, nil
}

// checkReplayFiles refuses a replay whose files differ from the
// recording's.
func checkReplayFiles(o *options, rec *machine.Recording, files []machine.RecordedFile) error {
	got := map[string]machine.RecordedFile{}
	for _, f := range files {
		got[f.Role] = f
	}
	want := map[string]bool{}
	for _, f := range rec.Info().Files {
		want[f.Role] = true
		g, ok := got[f.Role]
		if !ok {
			return fmt.Errorf("-replay %s: the recorded run booted from %s %s, this one does not", o.replay, f.Role, f.Path)
		}
		if g.SHA256 != f.SHA256 {
			return fmt.Errorf("-replay %s: %s %s differs from the recorded run's (SHA-256 %.12s..., recorded %.12s...)", o.replay, f.Role, g.Path, g.SHA256, f.SHA256)
		}
	}
	for _, g := range files {
		if !want[g.Role] {
			return fmt.Errorf("-replay %s: the recorded run did not boot from a %s (%s)", o.replay, g.Role, g.Path)
		}
	}
	return nil
}

// fileHash describes a boot file for a recording.
func fileHash(role, path string, data []byte) machine.RecordedFile {
	sum := sha256.Sum256(data)
	if abs, err := filepath.Abs(path); err == nil && role != "demo" {
		path = abs
	}
	return machine.RecordedFile{Role: role, Path: path, SHA256: hex.EncodeToString(sum[:])}
}

// readSnapshot reads the -loadvm file, with its hash for a recording.
func readSnapshot(path string) (*machine.Snapshot, machine.RecordedFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, machine.RecordedFile{}, fmt.Errorf("-loadvm %s: %v", path, pathErr(err))
	}
	defer f.Close()
	h := sha256.New()
	s, err := machine.ReadSnapshot(io.TeeReader(f, h))
	if err != nil {
		return nil, machine.RecordedFile{}, fmt.Errorf("-loadvm %s: %v", path, err)
	}
	if _, err := io.Copy(h, f); err != nil {
		return nil, machine.RecordedFile{}, fmt.Errorf("-loadvm %s: %v", path, err)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return s, machine.RecordedFile{Role: "snapshot", Path: path, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// applySnapshotConfig takes the RAM size and, unless -icount is given,
// the time mode from the snapshot: the RAM size is guest-visible and
// fixed when the machine is built, so a different -m is an error.
func applySnapshotConfig(o *options, s *machine.Snapshot, cfg *machine.Config) error {
	if o.set["m"] && o.memMiB != s.MemoryMiB() {
		return fmt.Errorf("-loadvm %s: the snapshot has %d MiB of RAM, -m asks for %d (leave -m out)", o.loadvm, s.MemoryMiB(), o.memMiB)
	}
	cfg.MemoryMiB = s.MemoryMiB()
	if !o.icount.on {
		if det, ns := s.Deterministic(); det {
			cfg.Deterministic, cfg.NsPerInstruction = true, ns
		}
	}
	return nil
}

// recordingSettings are the boot settings a recording keeps for replay.
func recordingSettings(o *options) map[string]string {
	return map[string]string{
		"append":    o.cmdline,
		"no-reboot": strconv.FormatBool(o.noReboot),
	}
}

// saveSnapshotFile writes a snapshot of m to path (through a temporary
// file, so a failed save leaves no half-written snapshot).
func saveSnapshotFile(m *machine.Machine, path string) (int64, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".bt86-snapshot-*")
	if err != nil {
		return 0, pathErr(err)
	}
	defer os.Remove(tmp.Name())
	var cw countWriter
	err = m.SaveSnapshot(io.MultiWriter(tmp, &cw))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	return cw.n, err
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// pathErr drops the path an *os.PathError repeats.
func pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// hashLine is the final state line that -record, -replay and -stats
// print.
func hashLine(m *machine.Machine) string {
	h := m.StateHash()
	return fmt.Sprintf("bt86: state hash %s at instruction %d", hex.EncodeToString(h[:]), m.InstructionCount())
}
