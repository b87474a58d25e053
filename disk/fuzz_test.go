package disk

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// FuzzImage runs random reads and writes against a file image, a
// snapshot overlay over the same file and a byte-slice model, and checks
// that all three agree, that the file holds the model after the writes,
// and that the snapshot never wrote the file.
func FuzzImage(f *testing.F) {
	f.Add(uint16(3000), []byte{0, 0, 10, 0, 1, 0xFF, 3, 2, 0x20})
	f.Add(uint16(512), []byte{1, 0xF0, 0x01, 0x40, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, size uint16, ops []byte) {
		n := int(size)%(16*1024) + SectorSize
		dir := t.TempDir()
		orig := make([]byte, n)
		for i := range orig {
			orig[i] = byte(i * 13)
		}
		pf, ps := filepath.Join(dir, "f.img"), filepath.Join(dir, "s.img")
		if err := os.WriteFile(pf, orig, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(ps, orig, 0o644); err != nil {
			t.Fatal(err)
		}
		fimg, err := Open(pf, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer fimg.Close()
		simg, err := Open(ps, Options{Snapshot: true})
		if err != nil {
			t.Fatal(err)
		}
		defer simg.Close()
		model := bytes.Clone(orig)
		for len(ops) >= 5 {
			write := ops[0]&1 != 0
			off := int64(binary.LittleEndian.Uint16(ops[1:])) % int64(n+600)
			length := int(binary.LittleEndian.Uint16(ops[3:])) % 2048
			ops = ops[5:]
			want, _ := clip(length, off, int64(n))
			if write {
				data := bytes.Repeat([]byte{byte(off) ^ byte(length)}, length)
				for _, img := range []Image{fimg, simg} {
					got, err := img.WriteAt(data, off)
					if got != want || (err == nil) != (want == length) {
						t.Fatalf("WriteAt(%d, %d) = %d, %v; want %d", length, off, got, err, want)
					}
				}
				if want > 0 {
					copy(model[off:], data[:want])
				}
				continue
			}
			for _, img := range []Image{fimg, simg} {
				buf := make([]byte, length)
				got, err := img.ReadAt(buf, off)
				if got != want || (err == nil) != (want == length) {
					t.Fatalf("ReadAt(%d, %d) = %d, %v; want %d", length, off, got, err, want)
				}
				if want > 0 && !bytes.Equal(buf[:want], model[off:off+int64(want)]) {
					t.Fatalf("ReadAt(%d, %d): wrong data", length, off)
				}
			}
		}
		if err := fimg.Flush(); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(pf); !bytes.Equal(got, model) {
			t.Fatal("file image does not hold the writes")
		}
		if got, _ := os.ReadFile(ps); !bytes.Equal(got, orig) {
			t.Fatal("snapshot wrote its image file")
		}
	})
}
