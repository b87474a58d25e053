package machine

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"bt86/guest/demo"
)

// snapshotOf returns a snapshot of m.
func snapshotOf(t *testing.T, m *Machine) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, m.SaveSnapshot(&b))
	return b.Bytes()
}

// TestSnapshotContinues stops the demo guest part way (StopAt), takes a
// snapshot, and runs it to the end twice: in the same machine and, after
// a restore, in a new one. Both ends must agree on the state hash, the
// instruction count and the serial output.
func TestSnapshotContinues(t *testing.T) {
	for _, engine := range Engines() {
		t.Run(engine, func(t *testing.T) {
			var serial syncBuffer
			m, err := New(Config{MemoryMiB: 32, Serial: &serial, Deterministic: true, Engine: engine})
			require.NoError(t, err)
			defer m.Close()
			require.NoError(t, m.LoadProgram(demo.Image()))
			const stop = 3_000_000
			m.StopAt(stop)
			res, err := m.Run(context.Background())
			require.NoError(t, err)
			require.Equal(t, ReasonStopCount, res.Reason, "%s", res)
			require.Equal(t, uint64(stop), m.InstructionCount())
			snap := snapshotOf(t, m)
			atSnap, before := m.StateHash(), serial.String()

			m.StopAt(0)
			res, err = m.Run(context.Background())
			require.NoError(t, err)
			require.Equal(t, ReasonPowerOff, res.Reason, "%s", res)
			want, wantCount := m.StateHash(), m.InstructionCount()
			require.Contains(t, serial.String(), "demo: done")

			var serial2 syncBuffer
			m2, err := New(Config{MemoryMiB: 32, Serial: &serial2, Deterministic: true, Engine: engine})
			require.NoError(t, err)
			defer m2.Close()
			s, err := ReadSnapshot(bytes.NewReader(snap))
			require.NoError(t, err)
			require.Equal(t, 32, s.MemoryMiB())
			require.Equal(t, uint64(stop), s.Instructions())
			require.NoError(t, m2.RestoreSnapshot(s))
			require.Equal(t, atSnap, m2.StateHash(), "restored state")
			require.Equal(t, snap, snapshotOf(t, m2), "a restored machine saves the same snapshot")
			res, err = m2.Run(context.Background())
			require.NoError(t, err)
			require.Equal(t, ReasonPowerOff, res.Reason, "%s", res)
			require.Equal(t, wantCount, m2.InstructionCount())
			require.Equal(t, want, m2.StateHash(), "final state after the restore")
			require.Equal(t, serial.String()[len(before):], serial2.String())
			t.Logf("snapshot of 32 MiB: %d bytes", len(snap))
		})
	}
}

// TestSaveWhileRunning saves snapshots through Do while a deterministic
// guest runs and waits for input: the run is unchanged by them.
func TestSaveWhileRunning(t *testing.T) {
	m, err := New(Config{MemoryMiB: 4, Deterministic: true})
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.LoadProgram(prog(t, "echo")))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan Result)
	var runErr error
	go func() {
		var res Result
		res, runErr = m.Run(ctx)
		done <- res
	}()
	var snaps [][]byte
	for range 3 {
		time.Sleep(10 * time.Millisecond)
		snaps = append(snaps, snapshotOf(t, m))
		st := m.Status()
		require.True(t, st.Running)
		require.Positive(t, st.Instructions)
	}
	cancel()
	require.Equal(t, ReasonCanceled, (<-done).Reason)
	require.NoError(t, runErr)
	for _, b := range snaps {
		s, err := ReadSnapshot(bytes.NewReader(b))
		require.NoError(t, err)
		require.Positive(t, s.Instructions())
	}
}

// goodSnapshot is a small valid snapshot (2 MiB, the echo program).
func goodSnapshot(t testing.TB) []byte {
	m, err := New(Config{MemoryMiB: 2, Deterministic: true})
	require.NoError(t, err)
	defer m.Close()
	b, err := os.ReadFile(filepath.Join("testdata", "progs", "echo.bin"))
	require.NoError(t, err)
	require.NoError(t, m.LoadProgram(b))
	m.StopAt(1000)
	_, err = m.Run(context.Background())
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, m.SaveSnapshot(&out))
	return out.Bytes()
}

func TestSnapshotBadInput(t *testing.T) {
	good := goodSnapshot(t)
	_, err := ReadSnapshot(bytes.NewReader(good))
	require.NoError(t, err)
	version := bytes.Clone(good)
	binary.LittleEndian.PutUint32(version[8:], 99)
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x55
	crc := bytes.Clone(good)
	crc[len(crc)-6] ^= 1 // the gzip trailer's CRC-32

	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty file: not a bt86 snapshot"},
		{"short header", []byte("BT86"), "truncated header"},
		{"not a snapshot", []byte("#!/bin/sh\necho hello\n"), "not a bt86 snapshot (bad magic)"},
		{"wrong version", version, "snapshot format version 99, this bt86 reads version 1"},
		{"header only", good[:12], "corrupt snapshot"},
		{"truncated", good[:len(good)/2], "truncated"},
		{"truncated trailer", good[:len(good)-3], "truncated"},
		{"corrupt", flipped, "corrupt snapshot"},
		{"bad checksum", crc, "corrupt snapshot"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadSnapshot(bytes.NewReader(tc.data))
			require.Error(t, err)
			var se *SnapshotError
			require.True(t, errors.As(err, &se), "%T %v", err, err)
			require.Contains(t, err.Error(), tc.want)
			require.NotContains(t, err.Error(), "\n")
		})
	}

	t.Run("memory size", func(t *testing.T) {
		s, err := ReadSnapshot(bytes.NewReader(good))
		require.NoError(t, err)
		m, err := New(Config{MemoryMiB: 4, Deterministic: true})
		require.NoError(t, err)
		defer m.Close()
		require.EqualError(t, m.RestoreSnapshot(s), "snapshot is of a machine with 2 MiB of RAM, this one has 4 MiB")
	})
}

// TestSnapshotSeedCorpus keeps testdata/fuzz/FuzzSnapshotReader in step
// with the format: its first seed must be a valid snapshot of this
// version (go test -run SeedCorpus -update rewrites the seeds).
func TestSnapshotSeedCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzSnapshotReader")
	good := goodSnapshot(t)
	seeds := map[string][]byte{
		"valid":     good,
		"truncated": good[:len(good)/2],
		"header":    good[:12],
		"empty":     {},
	}
	if *update {
		require.NoError(t, os.MkdirAll(dir, 0o755))
		for name, b := range seeds {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), corpusFile(b), 0o644))
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "valid"))
	require.NoError(t, err)
	require.Equal(t, string(corpusFile(good)), string(b), "seed corpus is stale: rerun with -update")
}

// corpusFile encodes b as a Go fuzzing corpus file.
func corpusFile(b []byte) []byte {
	var sb strings.Builder
	sb.WriteString("go test fuzz v1\n[]byte(")
	sb.WriteString(quoteBytes(b))
	sb.WriteString(")\n")
	return []byte(sb.String())
}

func quoteBytes(b []byte) string {
	const hex = "0123456789abcdef"
	var sb strings.Builder
	sb.WriteByte('"')
	for _, c := range b {
		sb.WriteString(`\x`)
		sb.WriteByte(hex[c>>4])
		sb.WriteByte(hex[c&15])
	}
	sb.WriteByte('"')
	return sb.String()
}

// FuzzSnapshotReader feeds ReadSnapshot arbitrary bytes: it must return
// a one-line error or a snapshot that restores, hashes and saves again
// to the same state, and never panic.
func FuzzSnapshotReader(f *testing.F) {
	good := goodSnapshot(f)
	f.Add(good)
	m, err := New(Config{MemoryMiB: 2, Deterministic: true})
	require.NoError(f, err)
	f.Cleanup(func() { m.Close() })
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ReadSnapshot(bytes.NewReader(data))
		if err != nil {
			require.NotContains(t, err.Error(), "\n")
			return
		}
		if s.MemoryMiB() != 2 {
			return
		}
		if err := m.RestoreSnapshot(s); err != nil {
			return
		}
		h := m.StateHash()
		var b bytes.Buffer
		require.NoError(t, m.SaveSnapshot(&b))
		s2, err := ReadSnapshot(&b)
		require.NoError(t, err)
		require.NoError(t, m.RestoreSnapshot(s2))
		require.Equal(t, h, m.StateHash())
	})
}

// TestSnapshotHostTime restores a snapshot taken in host time mode: the
// restored guest answers input, and its clock starts from the snapshot's.
func TestSnapshotHostTime(t *testing.T) {
	m, err := New(Config{MemoryMiB: 4, DebugExit: true, StartTime: time.Now()})
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.LoadProgram(prog(t, "echo")))
	m.StopAt(5000)
	res, err := m.Run(context.Background())
	require.NoError(t, err)
	require.Equal(t, ReasonStopCount, res.Reason)
	snap := snapshotOf(t, m)

	var serial syncBuffer
	m2, err := New(Config{MemoryMiB: 4, DebugExit: true, StartTime: time.Now(), Serial: &serial})
	require.NoError(t, err)
	defer m2.Close()
	s, err := ReadSnapshot(bytes.NewReader(snap))
	require.NoError(t, err)
	det, _ := s.Deterministic()
	require.False(t, det)
	require.NoError(t, m2.RestoreSnapshot(s))
	require.Equal(t, m.Now(), m2.Now())
	m2.SendSerial([]byte("restored."))
	res, err = m2.Run(context.Background())
	require.NoError(t, err)
	require.Equal(t, ReasonDebugExit, res.Reason, "%s", res)
	require.Equal(t, "restored", serial.String())
	require.Greater(t, m2.InstructionCount(), uint64(5000))
}
