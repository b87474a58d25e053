package machine

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// recordEcho runs the echo program with serial input typed by the host
// at host-timed moments, recording it. It returns the recording, the
// serial output, the final instruction count and state hash.
func recordEcho(t *testing.T, engine string, chunks []string) ([]byte, string, uint64, [32]byte) {
	var serial syncBuffer
	m, err := New(Config{MemoryMiB: 4, Serial: &serial, DebugExit: true, Deterministic: true, Engine: engine})
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.LoadProgram(prog(t, "echo")))
	var rec bytes.Buffer
	require.NoError(t, m.Record(&rec, RecordingInfo{Settings: map[string]string{"guest": "echo"}}))
	go func() {
		// Type once the program has set up its UART (its FIFO reset
		// would drop earlier input), then at host-timed moments.
		for m.Status().Instructions < 1000 {
			time.Sleep(time.Millisecond)
		}
		for _, c := range chunks {
			time.Sleep(3 * time.Millisecond)
			m.SendSerial([]byte(c))
		}
	}()
	res, err := m.Run(context.Background())
	require.NoError(t, err)
	require.Equal(t, ReasonDebugExit, res.Reason, "%s", res)
	require.NoError(t, m.FinishRecording())
	return rec.Bytes(), serial.String(), m.InstructionCount(), m.StateHash()
}

// replayEcho replays a recording of the echo program.
func replayEcho(t *testing.T, engine string, rec []byte, stopAt uint64) (Result, error, string, uint64, [32]byte) {
	var serial syncBuffer
	m, err := New(Config{MemoryMiB: 4, Serial: &serial, DebugExit: true, Deterministic: true, Engine: engine})
	require.NoError(t, err)
	defer m.Close()
	require.NoError(t, m.LoadProgram(prog(t, "echo")))
	r, err := ReadRecording(bytes.NewReader(rec))
	require.NoError(t, err)
	require.Equal(t, "echo", r.Info().Settings["guest"])
	require.NoError(t, m.Replay(r))
	m.StopAt(stopAt)
	go m.SendSerial([]byte("ignored while replaying."))
	res, err := m.Run(context.Background())
	return res, err, serial.String(), m.InstructionCount(), m.StateHash()
}

func TestRecordReplay(t *testing.T) {
	for _, engine := range Engines() {
		t.Run(engine, func(t *testing.T) {
			chunks := []string{"hel", "lo, ", "wor", "ld", "."}
			rec, serial, count, hash := recordEcho(t, engine, chunks)
			require.Equal(t, "hello, world", serial)
			r, err := ReadRecording(bytes.NewReader(rec))
			require.NoError(t, err)
			end, ok := r.End()
			require.True(t, ok)
			require.Equal(t, count, end)

			res, err, serial2, count2, hash2 := replayEcho(t, engine, rec, 0)
			require.NoError(t, err)
			require.Equal(t, ReasonDebugExit, res.Reason, "%s", res)
			require.Equal(t, serial, serial2)
			require.Equal(t, count, count2)
			require.Equal(t, hash, hash2, "final state hash")

			// A stop part way is reproducible too.
			mid := end / 2
			res, err, _, c1, h1 := replayEcho(t, engine, rec, mid)
			require.NoError(t, err)
			require.Equal(t, ReasonStopCount, res.Reason)
			require.Equal(t, mid, c1)
			_, _, _, c2, h2 := replayEcho(t, engine, rec, mid)
			require.Equal(t, c1, c2)
			require.Equal(t, h1, h2)
		})
	}
}

// TestReplayDiverges: a recording whose input is moved to an
// instruction count no run loop turn has is refused while replaying.
func TestReplayDiverges(t *testing.T) {
	rec, _, _, _ := recordEcho(t, DefaultEngine(), []string{"ab."})
	r, err := ReadRecording(bytes.NewReader(rec))
	require.NoError(t, err)
	off := len(rec) - 21 - 21 - 3 // the last input record, before the end record
	bad := bytes.Clone(rec)
	binary.LittleEndian.PutUint64(bad[off+1:], r.events[len(r.events)-1].Count+1)
	_, err, _, _, _ = replayEcho(t, DefaultEngine(), bad, 0)
	require.ErrorContains(t, err, "replay diverged")
}

// TestRecordingNeedsDeterminism: host time makes a run depend on more
// than its input.
func TestRecordingNeedsDeterminism(t *testing.T) {
	m, err := New(Config{MemoryMiB: 4, StartTime: time.Now()})
	require.NoError(t, err)
	defer m.Close()
	require.ErrorContains(t, m.Record(&bytes.Buffer{}, RecordingInfo{}), "deterministic mode")
}

func TestRecordingBadInput(t *testing.T) {
	good, _, _, _ := recordEcho(t, DefaultEngine(), []string{"x."})
	version := bytes.Clone(good)
	binary.LittleEndian.PutUint32(version[8:], 7)
	kind := bytes.Clone(good)
	kind[len(kind)-21] = 'Z'
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty file: not a bt86 recording"},
		{"not a recording", []byte("BT86SNAP\x01\x00\x00\x00garbage!"), "not a bt86 recording (bad magic)"},
		{"wrong version", version, "recording format version 7, this bt86 reads version 1"},
		{"truncated header", good[:20], "corrupt recording: header: truncated"},
		{"truncated record", good[:len(good)-5], "corrupt recording: truncated record"},
		{"unknown kind", kind, "unknown record kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadRecording(bytes.NewReader(tc.data))
			var re *RecordingError
			require.True(t, errors.As(err, &re), "%T %v", err, err)
			require.Contains(t, err.Error(), tc.want)
			require.NotContains(t, err.Error(), "\n")
		})
	}
}

// FuzzRecordingReader feeds ReadRecording arbitrary bytes: a one-line
// error or a recording whose events go forward in time, never a panic.
func FuzzRecordingReader(f *testing.F) {
	var rec bytes.Buffer
	m, err := New(Config{MemoryMiB: 2, Deterministic: true})
	require.NoError(f, err)
	require.NoError(f, m.Record(&rec, RecordingInfo{Files: []RecordedFile{{Role: "kernel", Path: "/k", SHA256: "00"}}}))
	m.accept(inputSerial, []byte("ls\n"))
	m.accept(inputKey, []byte{0x1E, 0x9E})
	require.NoError(f, m.FinishRecording())
	m.Close()
	f.Add(rec.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ReadRecording(bytes.NewReader(data))
		if err != nil {
			require.NotContains(t, err.Error(), "\n")
			return
		}
		for i := 1; i < len(r.events); i++ {
			require.GreaterOrEqual(t, r.events[i].Time, r.events[i-1].Time)
		}
	})
}
