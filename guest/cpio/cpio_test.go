package cpio

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sample writes a small archive with one entry of every kind.
func sample(t testing.TB) []byte {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	require.NoError(t, w.Dir("/bin", 0o755))
	require.NoError(t, w.File("bin/hello", 0o755, []byte("#!/bin/sh\necho hi\n")))
	require.NoError(t, w.Symlink("bin/sh", "busybox"))
	require.NoError(t, w.Dir("dev", 0o755))
	require.NoError(t, w.CharDev("dev/console", 0o600, 5, 1))
	require.NoError(t, w.BlockDev("dev/sda", 0o660, 8, 0))
	require.NoError(t, w.FIFO("dev/fifo", 0o644))
	require.NoError(t, w.File("empty", 0o644, nil))
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func TestGoldenHeader(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.SetMTime(0x5F5E100)
	require.NoError(t, w.File("a", 0o644, []byte("xyz")))
	require.NoError(t, w.Close())
	want := "070701" +
		"00000001" + "000081A4" + "00000000" + "00000000" + "00000001" + "05F5E100" +
		"00000003" + "00000000" + "00000000" + "00000000" + "00000000" + "00000002" + "00000000" +
		"a\x00" + // 110 + 2 = 112, already aligned
		"xyz\x00" + // data padded to 4
		"070701" +
		"00000000" + "00000000" + "00000000" + "00000000" + "00000001" + "00000000" +
		"00000000" + "00000000" + "00000000" + "00000000" + "00000000" + "0000000B" + "00000000" +
		"TRAILER!!!\x00" + "\x00\x00\x00" // 110 + 11 = 121, padded to 124
	assert.Equal(t, want, buf.String())
	assert.Zero(t, buf.Len()%4)
}

func TestRoundTrip(t *testing.T) {
	data := sample(t)
	assert.Zero(t, len(data)%4, "archive length is a multiple of 4")
	entries, err := ReadAll(bytes.NewReader(data))
	require.NoError(t, err)

	tests := []struct {
		name     string
		mode     uint32
		nlink    uint32
		data     string
		link     string
		rdev     [2]uint32
		typeName string
	}{
		{"bin", TypeDir | 0o755, 2, "", "", [2]uint32{}, "directory"},
		{"bin/hello", TypeReg | 0o755, 1, "#!/bin/sh\necho hi\n", "", [2]uint32{}, "file"},
		{"bin/sh", TypeSymlink | 0o777, 1, "", "busybox", [2]uint32{}, "symlink"},
		{"dev", TypeDir | 0o755, 2, "", "", [2]uint32{}, "directory"},
		{"dev/console", TypeChar | 0o600, 1, "", "", [2]uint32{5, 1}, "char device"},
		{"dev/sda", TypeBlock | 0o660, 1, "", "", [2]uint32{8, 0}, "block device"},
		{"dev/fifo", TypeFIFO | 0o644, 1, "", "", [2]uint32{}, "fifo"},
		{"empty", TypeReg | 0o644, 1, "", "", [2]uint32{}, "file"},
	}
	require.Len(t, entries, len(tests))
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := entries[i]
			assert.Equal(t, tc.name, e.Name)
			assert.Equal(t, tc.mode, e.Mode)
			assert.Equal(t, tc.mode&PermMask, e.Perm())
			assert.Equal(t, tc.nlink, e.NLink)
			assert.Equal(t, uint32(i+1), e.Ino, "inodes count from 1")
			assert.Zero(t, e.UID)
			assert.Zero(t, e.GID)
			assert.Zero(t, e.MTime)
			assert.Equal(t, tc.data, string(e.Data))
			assert.Equal(t, tc.link, e.Linkname)
			assert.Equal(t, tc.rdev, [2]uint32{e.RDevMajor, e.RDevMinor})
			assert.Equal(t, tc.typeName, TypeString(e.Type()))
		})
	}
}

func TestReproducible(t *testing.T) {
	assert.Equal(t, sample(t), sample(t))
}

func TestWriteEntryGeneral(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	require.NoError(t, w.WriteEntry(Header{Name: "x", Mode: TypeReg | 0o4755, UID: 1000, GID: 100, MTime: 42, Ino: 77, NLink: 3}, []byte("abc")))
	require.NoError(t, w.Close())
	entries, err := ReadAll(&buf)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	e := entries[0]
	assert.Equal(t, uint32(0o4755), e.Perm())
	assert.Equal(t, uint32(1000), e.UID)
	assert.Equal(t, uint32(100), e.GID)
	assert.Equal(t, uint32(42), e.MTime)
	assert.Equal(t, uint32(77), e.Ino)
	assert.Equal(t, uint32(3), e.NLink)
	assert.Equal(t, int64(3), e.Size)
}

func TestWriterErrors(t *testing.T) {
	tests := []struct {
		name    string
		write   func(w *Writer) error
		wantErr string
	}{
		{"empty name", func(w *Writer) error { return w.Dir("", 0o755) }, "names the root"},
		{"root", func(w *Writer) error { return w.Dir("/", 0o755) }, "names the root"},
		{"dotdot", func(w *Writer) error { return w.File("a/../../etc/passwd", 0o644, nil) }, `contains ".."`},
		{"NUL", func(w *Writer) error { return w.File("a\x00b", 0o644, nil) }, "NUL"},
		{"trailer name", func(w *Writer) error { return w.File("TRAILER!!!", 0o644, nil) }, "reserved"},
		{"long name", func(w *Writer) error { return w.File(strings.Repeat("a", 4096), 0o644, nil) }, "longer than 4095"},
		{"duplicate", func(w *Writer) error {
			_ = w.Dir("d", 0o755)
			return w.Dir("/d/", 0o755)
		}, "duplicate entry d"},
		{"empty symlink", func(w *Writer) error { return w.Symlink("l", "") }, "target of 0 bytes"},
		{"dir with data", func(w *Writer) error {
			return w.WriteEntry(Header{Name: "d", Mode: TypeDir | 0o755}, []byte("x"))
		}, "directory d cannot have data"},
		{"no type", func(w *Writer) error { return w.WriteEntry(Header{Name: "d", Mode: 0o755}, nil) }, "has no file type"},
		{"after close", func(w *Writer) error {
			_ = w.Close()
			return w.Dir("d", 0o755)
		}, "closed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.write(NewWriter(io.Discard))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"/bin/sh": "bin/sh", "./init": "init", "a//b/": "a/b", "a/./b": "a/b", "init": "init",
	} {
		got, err := CleanName(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
}

type failWriter struct{ after int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.after <= 0 {
		return 0, errors.New("disk full")
	}
	f.after--
	return len(p), nil
}

func TestWriteErrorIsSticky(t *testing.T) {
	w := NewWriter(&failWriter{after: 1})
	err := w.File("a", 0o644, []byte("data"))
	require.ErrorContains(t, err, "disk full")
	assert.ErrorContains(t, w.Dir("b", 0o755), "disk full")
	assert.ErrorContains(t, w.Close(), "disk full")
}

func TestReaderErrors(t *testing.T) {
	good := sample(t)
	corrupt := func(off int, s string) []byte {
		b := append([]byte(nil), good...)
		copy(b[off:], s)
		return b
	}
	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{"empty", nil, "truncated at offset 0"},
		{"bad magic", corrupt(0, "070707"), `bad magic "070707"`},
		{"crc format", corrupt(0, "070702"), "bad magic"},
		{"bad hex", corrupt(6, "0000000G"), `field 0: bad hex digit 'G'`},
		{"name size zero", corrupt(6+11*8, "00000000"), "name size 0 out of range"},
		{"name size huge", corrupt(6+11*8, "FFFFFFFF"), "name size 4294967295 out of range"},
		{"name not terminated", corrupt(6+11*8, "00000003"), "not NUL-terminated"},
		{"truncated header", good[:50], "truncated at offset 50"},
		{"truncated data", good[:130], "truncated"},
		{"no trailer", good[:len(good)-124], "truncated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadAll(bytes.NewReader(tc.data))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
			if strings.Contains(tc.wantErr, "truncated") {
				assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
			}
		})
	}
}

func TestReaderStreaming(t *testing.T) {
	r := NewReader(bytes.NewReader(sample(t)))
	// Skip entries without reading their data.
	var names []string
	for {
		h, err := r.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		names = append(names, h.Name)
	}
	assert.Equal(t, []string{"bin", "bin/hello", "bin/sh", "dev", "dev/console", "dev/sda", "dev/fifo", "empty"}, names)
	_, err := r.Next()
	assert.Equal(t, io.EOF, err, "EOF is sticky")
}

// TestGNUCpioReadsOurArchive checks interoperability when GNU cpio is
// installed (apt-get install cpio); it is skipped otherwise.
func TestGNUCpioReadsOurArchive(t *testing.T) {
	bin, err := exec.LookPath("cpio")
	if err != nil {
		t.Skip("cpio not installed")
	}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	require.NoError(t, w.Dir("bin", 0o755))
	require.NoError(t, w.File("bin/hello", 0o755, []byte("hello\n")))
	require.NoError(t, w.Symlink("bin/sh", "hello"))
	require.NoError(t, w.Close())
	dir := t.TempDir()
	cmd := exec.Command(bin, "-i", "-d", "--quiet")
	cmd.Dir = dir
	cmd.Stdin = &buf
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	got, err := os.ReadFile(filepath.Join(dir, "bin/hello"))
	require.NoError(t, err)
	assert.Equal(t, "hello\n", string(got))
	link, err := os.Readlink(filepath.Join(dir, "bin/sh"))
	require.NoError(t, err)
	assert.Equal(t, "hello", link)
}

func FuzzReader(f *testing.F) {
	f.Add(sample(f))
	var small bytes.Buffer
	w := NewWriter(&small)
	_ = w.Symlink("l", "t")
	_ = w.Close()
	f.Add(small.Bytes())
	f.Add([]byte(Magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := ReadAll(bytes.NewReader(data))
		if err != nil {
			return
		}
		// Whatever parses must survive a rewrite and read back the same.
		var buf bytes.Buffer
		w := NewWriter(&buf)
		for _, e := range entries {
			h := e.Header
			if _, err := CleanName(h.Name); err != nil {
				return
			}
			if err := w.WriteEntry(h, e.Data); err != nil {
				return
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		again, err := ReadAll(&buf)
		if err != nil {
			t.Fatalf("rewritten archive does not read: %v", err)
		}
		if len(again) != len(entries) {
			t.Fatalf("%d entries, rewrite has %d", len(entries), len(again))
		}
		for i := range again {
			if !bytes.Equal(again[i].Data, entries[i].Data) || again[i].Mode != entries[i].Mode || again[i].Linkname != entries[i].Linkname {
				t.Fatalf("entry %d changed in a rewrite", i)
			}
		}
	})
}
