package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestEmuChild is emu itself when run by a test as a separate process
// (BT86_EMU_CHILD holds the arguments as JSON); it exits with emu's code.
func TestEmuChild(t *testing.T) {
	argv := os.Getenv("BT86_EMU_CHILD")
	if argv == "" {
		t.Skip("runs only as a child process of another test")
	}
	var args []string
	if err := json.Unmarshal([]byte(argv), &args); err != nil {
		os.Exit(99)
	}
	os.Exit(run(args, hostIO{in: strings.NewReader(""), out: os.Stdout, err: os.Stderr}))
}

// emuProcess starts emu with args in a child process, its stdout piped.
func startEmuPipe(t *testing.T, args ...string) (*exec.Cmd, *bufio.Reader) {
	argv, err := json.Marshal(args)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^TestEmuChild$")
	cmd.Env = append(os.Environ(), "BT86_EMU_CHILD="+string(argv))
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	return cmd, bufio.NewReader(out)
}

// sectors reads the image's first 17 sectors as 32-bit words, and fails
// if a sector is not one value repeated (a torn write).
func sectors(t *testing.T, path string) []uint32 {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var v []uint32
	for s := 0; s < 17; s++ {
		sec := b[s*512 : (s+1)*512]
		first := binary.LittleEndian.Uint32(sec)
		for i := 0; i < 512; i += 4 {
			require.Equal(t, first, binary.LittleEndian.Uint32(sec[i:]), "sector %d is torn", s)
		}
		v = append(v, first)
	}
	return v
}

// TestKillDuringWrites kills emu (SIGKILL) while its guest
// (testdata/atawrite.bin as firmware) writes and flushes the disk in a
// loop, and checks the image: no torn sector, and every write up to the
// last flushed one is there.
func TestKillDuringWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("runs emu in a child process")
	}
	path := filepath.Join(t.TempDir(), "disk.img")
	require.NoError(t, os.WriteFile(path, make([]byte, 1<<20), 0o644))
	cmd, out := startEmuPipe(t, "-nographic", "-m", "4", "-bios", filepath.Join("testdata", "atawrite.bin"), "-hda", path)
	// Wait for 8 progress dots (512 rounds), then kill.
	for dots := 0; dots < 8; {
		c, err := out.ReadByte()
		require.NoError(t, err, "emu ended early")
		require.NotEqual(t, byte('E'), c, "the guest saw an ATA error")
		if c == '.' {
			dots++
		}
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	err := cmd.Wait()
	require.Error(t, err)
	require.Contains(t, err.Error(), "killed")

	v := sectors(t, path)
	last := v[0] // the last round whose data write and flush completed
	require.GreaterOrEqual(t, last, uint32(512))
	for n := last; n > last-16; n-- {
		got := v[1+n%16]
		require.GreaterOrEqual(t, got, n, "round %d's write is missing", n)
		require.Equal(t, n%16, got%16, "sector %d holds round %d", 1+n%16, got)
		require.LessOrEqual(t, got, last+1, "at most one round past the record")
	}
}

// TestSnapshotLeavesImage runs the same writer under -snapshot and
// checks that the image file's checksum did not change.
func TestSnapshotLeavesImage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs emu in a child process")
	}
	path := filepath.Join(t.TempDir(), "disk.img")
	orig := bytes.Repeat([]byte{0x5A}, 1<<20)
	require.NoError(t, os.WriteFile(path, orig, 0o644))
	cmd, out := startEmuPipe(t, "-nographic", "-m", "4", "-snapshot", "-bios", filepath.Join("testdata", "atawrite.bin"), path)
	for dots := 0; dots < 4; {
		c, err := out.ReadByte()
		require.NoError(t, err, "emu ended early")
		if c == '.' {
			dots++
		}
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("emu did not stop on SIGTERM")
	}
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, sha256.Sum256(orig), sha256.Sum256(after), "-snapshot wrote the image")
}
