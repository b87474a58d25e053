package disk

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// SectorSize is the unit disks are addressed in; an image holds at least
// one sector.
const SectorSize = 512

// Image is a disk's backing store.
type Image interface {
	ReadAt(p []byte, off int64) (int, error)
	WriteAt(p []byte, off int64) (int, error)
	Size() int64
	Flush() error
	Close() error
}

// Options say how Open uses an image file.
type Options struct {
	// ReadOnly refuses guest writes.
	ReadOnly bool
	// Snapshot keeps guest writes in a copy-on-write overlay in memory;
	// the file is opened read-only and never written.
	Snapshot bool
}

// ErrReadOnly is returned by WriteAt on a read-only image.
var ErrReadOnly = errors.New("disk image is read-only")

// errClosed is returned by an image used after Close.
var errClosed = errors.New("disk image is closed")

// Open opens the raw image file at path.
func Open(path string, opt Options) (Image, error) {
	writable := !opt.ReadOnly && !opt.Snapshot
	flag := os.O_RDONLY
	if writable {
		flag = os.O_RDWR
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	switch {
	case st.IsDir():
		f.Close()
		return nil, fmt.Errorf("%s: is a directory, not a disk image", path)
	case !st.Mode().IsRegular():
		f.Close()
		return nil, fmt.Errorf("%s: not a regular file", path)
	case st.Size() == 0:
		f.Close()
		return nil, fmt.Errorf("%s: disk image is empty", path)
	case st.Size() < SectorSize:
		f.Close()
		return nil, fmt.Errorf("%s: disk image is %d bytes, less than one %d-byte sector", path, st.Size(), SectorSize)
	}
	// Reading the first sector catches files that open but cannot be
	// read.
	var probe [SectorSize]byte
	if _, err := f.ReadAt(probe[:], 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	img := &file{f: f, size: st.Size(), readOnly: !writable}
	if opt.Snapshot {
		return newOverlay(img, opt.ReadOnly), nil
	}
	return img, nil
}

// file is a raw image file.
type file struct {
	f        *os.File
	size     int64
	readOnly bool
}

func (d *file) Size() int64 { return d.size }

func (d *file) ReadAt(p []byte, off int64) (int, error) {
	if d.f == nil {
		return 0, errClosed
	}
	n, clipped := clip(len(p), off, d.size)
	if n > 0 {
		got, err := d.f.ReadAt(p[:n], off)
		if err != nil && !(err == io.EOF && got == n) {
			return got, err
		}
	}
	if clipped {
		return n, io.EOF
	}
	return n, nil
}

func (d *file) WriteAt(p []byte, off int64) (int, error) {
	if d.f == nil {
		return 0, errClosed
	}
	if d.readOnly {
		return 0, ErrReadOnly
	}
	n, clipped := clip(len(p), off, d.size)
	if n > 0 {
		if got, err := d.f.WriteAt(p[:n], off); err != nil {
			return got, err
		}
	}
	if clipped {
		return n, errBeyondEnd
	}
	return n, nil
}

func (d *file) Flush() error {
	if d.f == nil {
		return errClosed
	}
	if d.readOnly {
		return nil
	}
	return d.f.Sync()
}

func (d *file) Close() error {
	if d.f == nil {
		return nil
	}
	err := d.f.Close()
	d.f = nil
	return err
}

// errBeyondEnd is returned by a write that reaches past the image's end.
var errBeyondEnd = errors.New("write beyond the end of the disk image")

// clip returns how many of n bytes at off lie inside size, and whether
// some did not.
func clip(n int, off, size int64) (int, bool) {
	if off < 0 || off >= size {
		return 0, n > 0
	}
	if int64(n) > size-off {
		return int(size - off), true
	}
	return n, false
}

// Memory is an image held in a byte slice.
type Memory struct {
	b        []byte
	readOnly bool
}

// NewMemory returns an image over b (not copied); its size is len(b).
func NewMemory(b []byte) *Memory { return &Memory{b: b} }

// Bytes returns the image's contents (the slice given to NewMemory).
func (m *Memory) Bytes() []byte { return m.b }

func (m *Memory) Size() int64 { return int64(len(m.b)) }

func (m *Memory) ReadAt(p []byte, off int64) (int, error) {
	n, clipped := clip(len(p), off, int64(len(m.b)))
	if n > 0 {
		copy(p[:n], m.b[off:])
	}
	if clipped {
		return n, io.EOF
	}
	return n, nil
}

func (m *Memory) WriteAt(p []byte, off int64) (int, error) {
	if m.readOnly {
		return 0, ErrReadOnly
	}
	n, clipped := clip(len(p), off, int64(len(m.b)))
	if n > 0 {
		copy(m.b[off:], p[:n])
	}
	if clipped {
		return n, errBeyondEnd
	}
	return n, nil
}

func (m *Memory) Flush() error { return nil }
func (m *Memory) Close() error { return nil }
