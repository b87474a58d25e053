package disk

import (
	"bytes"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeImage makes an image file of n bytes with a recognisable pattern.
func writeImage(t testing.TB, n int) (string, []byte) {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>9)
	}
	p := filepath.Join(t.TempDir(), "disk.img")
	require.NoError(t, os.WriteFile(p, b, 0o644))
	return p, b
}

func TestOpenRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.img")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	short := filepath.Join(dir, "short.img")
	require.NoError(t, os.WriteFile(short, make([]byte, 100), 0o644))
	noread := filepath.Join(dir, "noread.img")
	require.NoError(t, os.WriteFile(noread, make([]byte, 512), 0o200))
	for _, tc := range []struct {
		name, path, want string
		skipRoot         bool
	}{
		{"missing", filepath.Join(dir, "nope.img"), "no such file or directory", false},
		{"empty", empty, "disk image is empty", false},
		{"short", short, "less than one 512-byte sector", false},
		{"directory", dir, "is a directory", false},
		{"device", "/dev/null", "not a regular file", false},
		{"unreadable", noread, "permission denied", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skipRoot && os.Geteuid() == 0 {
				t.Skip("root reads any file")
			}
			for _, opt := range []Options{{}, {Snapshot: true}, {ReadOnly: true}} {
				img, err := Open(tc.path, opt)
				require.Error(t, err)
				require.Nil(t, img)
				require.Contains(t, err.Error(), tc.want)
				require.Contains(t, err.Error(), tc.path)
			}
		})
	}
}

func TestFileWritesPersist(t *testing.T) {
	p, want := writeImage(t, 64*1024)
	img, err := Open(p, Options{})
	require.NoError(t, err)
	require.EqualValues(t, len(want), img.Size())
	data := bytes.Repeat([]byte("bt86"), 300)
	n, err := img.WriteAt(data, 1000)
	require.NoError(t, err)
	require.Equal(t, len(data), n)
	copy(want[1000:], data)
	// A write is in the file as soon as WriteAt returns, before Flush.
	got, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.NoError(t, img.Flush())
	buf := make([]byte, 4096)
	_, err = img.ReadAt(buf, 512)
	require.NoError(t, err)
	require.Equal(t, want[512:512+4096], buf)
	require.NoError(t, img.Close())

	img, err = Open(p, Options{})
	require.NoError(t, err)
	defer img.Close()
	_, err = img.ReadAt(buf[:len(data)], 1000)
	require.NoError(t, err)
	require.Equal(t, data, buf[:len(data)])
}

func TestBounds(t *testing.T) {
	p, want := writeImage(t, 4096)
	for _, opt := range []Options{{}, {Snapshot: true}} {
		img, err := Open(p, opt)
		require.NoError(t, err)
		buf := make([]byte, 1024)
		n, err := img.ReadAt(buf, 3584)
		require.Equal(t, io.EOF, err)
		require.Equal(t, 512, n)
		require.Equal(t, want[3584:], buf[:512])
		n, err = img.ReadAt(buf, -1)
		require.Error(t, err)
		require.Zero(t, n)
		n, err = img.WriteAt(buf, 3584)
		require.Error(t, err)
		require.Equal(t, 512, n)
		_, err = img.WriteAt(buf, 5000)
		require.Error(t, err)
		require.NoError(t, img.Close())
	}
}

func TestReadOnly(t *testing.T) {
	p, _ := writeImage(t, 4096)
	for _, opt := range []Options{{ReadOnly: true}, {ReadOnly: true, Snapshot: true}} {
		img, err := Open(p, opt)
		require.NoError(t, err)
		_, err = img.WriteAt([]byte{1}, 0)
		require.ErrorIs(t, err, ErrReadOnly)
		require.NoError(t, img.Flush())
		require.NoError(t, img.Close())
	}
}

// TestSnapshotNeverWrites checks the file's checksum after writes through
// a snapshot overlay, which must see its own writes.
func TestSnapshotNeverWrites(t *testing.T) {
	p, orig := writeImage(t, 100*512+300) // a short last block
	sum := sha256.Sum256(orig)
	img, err := Open(p, Options{Snapshot: true})
	require.NoError(t, err)
	model := bytes.Clone(orig)
	for _, w := range []struct {
		off int64
		n   int
	}{{0, 512}, {700, 10}, {1020, 2000}, {int64(len(orig)) - 200, 200}, {int64(len(orig)) - 300, 50}} {
		data := bytes.Repeat([]byte{byte(w.off)}, w.n)
		_, err := img.WriteAt(data, w.off)
		require.NoError(t, err)
		copy(model[w.off:], data)
	}
	require.NoError(t, img.Flush())
	got := make([]byte, len(orig))
	_, err = img.ReadAt(got, 0)
	require.NoError(t, err)
	require.Equal(t, model, got)
	require.NoError(t, img.Close())
	after, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Equal(t, sum, sha256.Sum256(after), "a snapshot wrote the image file")
}

func TestMemory(t *testing.T) {
	b := make([]byte, 1024)
	m := NewMemory(b)
	_, err := m.WriteAt([]byte{1, 2, 3}, 510)
	require.NoError(t, err)
	require.Equal(t, []byte{1, 2, 3}, b[510:513])
	s := NewSnapshot(m)
	_, err = s.WriteAt([]byte{9}, 511)
	require.NoError(t, err)
	require.Equal(t, byte(2), b[511])
	got := make([]byte, 3)
	_, err = s.ReadAt(got, 510)
	require.NoError(t, err)
	require.Equal(t, []byte{1, 9, 3}, got)
}
