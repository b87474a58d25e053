package machine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"bt86/disk"
)

// rom returns a firmware image of n bytes, all 0xF4 (HLT) except code at
// the end: `mov al, tag; out 0xE9, al; cli; hlt` at F000:FFF0.
func rom(n int, tag byte) []byte {
	b := bytes.Repeat([]byte{0xF4}, n)
	copy(b[n-16:], []byte{0xB0, tag, 0xE6, 0xE9, 0xFA, 0xF4})
	return b
}

func TestCheckFirmware(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
		want string
	}{
		{"empty", 0, "firmware image is empty"},
		{"odd size", 100000, "want a multiple of 64 KiB"},
		{"too large", 16 << 20, "at most 8 MiB"},
		{"64 KiB", 64 << 10, ""},
		{"128 KiB", 128 << 10, ""},
		{"256 KiB", 256 << 10, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := make([]byte, tc.size)
			err := CheckFirmware(img)
			m, newErr := New(Config{Deterministic: true, BIOSImage: img, MemoryMiB: 4})
			if newErr == nil {
				require.NoError(t, m.Close())
			}
			if tc.want == "" {
				require.NoError(t, err)
				require.NoError(t, newErr)
				return
			}
			require.ErrorContains(t, err, tc.want)
			require.ErrorContains(t, newErr, tc.want)
		})
	}
}

// TestFirmwareLayout checks QEMU's pc.bios layout: the image ends at
// 4 GiB, its last 128 KiB (at most) end at 1 MiB, and the CPU starts at
// the reset vector.
func TestFirmwareLayout(t *testing.T) {
	for _, size := range []int{64 << 10, 128 << 10, 256 << 10} {
		img := rom(size, 'R')
		for i := 0; i < size; i += 4096 {
			img[i] = byte(i >> 12) // a page tag
		}
		var con bytes.Buffer
		m, err := New(Config{Deterministic: true, BIOSImage: img, MemoryMiB: 16, Debugcon: &con})
		require.NoError(t, err)
		low := min(size, 128<<10)
		for i := 0; i < size; i += 4096 {
			require.Equal(t, uint64(img[i]), m.Phys().Read(1<<32-uint64(size)+uint64(i), 1), "high copy, offset %#x", i)
			if i >= size-low {
				require.Equal(t, uint64(img[i]), m.Phys().Read(uint64(0x100000-size+i), 1), "low copy, offset %#x", i)
			}
		}
		if size == 256<<10 {
			require.Zero(t, m.Phys().Read(0xC0000, 1), "only 128 KiB appear below 1 MiB")
		}
		require.ErrorIs(t, m.LoadLinux([]byte{1}, nil, ""), errFirmwareLoader)
		require.ErrorIs(t, m.LoadProgram([]byte{1}), errFirmwareLoader)
		res, err := m.Run(context.Background())
		require.NoError(t, err)
		require.Equal(t, ReasonPowerOff, res.Reason)
		require.Equal(t, "R", con.String())
		require.NoError(t, m.Close())
	}
}

// atacount runs testdata/atacount.bin as firmware on img until it powers
// off and returns what it printed on port 0xE9.
func atacount(t *testing.T, img disk.Image, engine string) string {
	bios, err := os.ReadFile(filepath.Join("testdata", "atacount.bin"))
	require.NoError(t, err)
	var con bytes.Buffer
	m, err := New(Config{Deterministic: true, BIOSImage: bios, MemoryMiB: 4, Debugcon: &con, Engine: engine,
		Disks: [4]disk.Image{PrimaryMaster: img}})
	require.NoError(t, err)
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := m.Run(ctx)
	require.NoError(t, err)
	require.Equal(t, ReasonPowerOff, res.Reason, "printed %q", con.String())
	require.Equal(t, 1, res.Resets, "one guest reboot per run")
	return con.String()
}

// TestDiskWritesPersist: a guest's disk write survives a guest reboot
// and a restart of the emulator (a new machine on the same file), and a
// snapshot run leaves the file unchanged.
func TestDiskWritesPersist(t *testing.T) {
	for _, engine := range Engines() {
		t.Run(engine, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "disk.img")
			require.NoError(t, os.WriteFile(path, make([]byte, 64*512), 0o644))
			run := func(opt disk.Options) string {
				img, err := disk.Open(path, opt)
				require.NoError(t, err)
				defer func() { require.NoError(t, img.Close()) }()
				return atacount(t, img, engine)
			}
			require.Equal(t, "12", run(disk.Options{}), "the second boot reads the first boot's write")
			require.Equal(t, "34", run(disk.Options{}), "a new machine reads the last one's writes")
			before, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, "56", run(disk.Options{Snapshot: true}), "the snapshot sees its own writes")
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, sha256.Sum256(before), sha256.Sum256(after), "-snapshot wrote the image")
			require.Equal(t, "56", run(disk.Options{}), "the snapshot's writes are gone")
		})
	}
}
