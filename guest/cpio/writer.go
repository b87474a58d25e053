package cpio

import (
	"errors"
	"fmt"
	"io"
	"math"
)

// Writer writes a newc archive.
type Writer struct {
	w      io.Writer
	n      int64 // bytes written so far
	ino    uint32
	mtime  uint32
	names  map[string]bool
	closed bool
	err    error // sticky write error
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w, names: make(map[string]bool)}
}

// SetMTime sets the modification time given to entries whose Header.MTime
// is zero. The default is 0, for reproducible archives.
func (w *Writer) SetMTime(t uint32) { w.mtime = t }

// Dir adds a directory.
func (w *Writer) Dir(name string, perm uint32) error {
	return w.WriteEntry(Header{Name: name, Mode: TypeDir | perm&PermMask}, nil)
}

// File adds a regular file.
func (w *Writer) File(name string, perm uint32, data []byte) error {
	return w.WriteEntry(Header{Name: name, Mode: TypeReg | perm&PermMask}, data)
}

// Symlink adds a symbolic link (mode 0777) pointing at target.
func (w *Writer) Symlink(name, target string) error {
	return w.WriteEntry(Header{Name: name, Mode: TypeSymlink | 0o777, Linkname: target}, nil)
}

// CharDev adds a character device node.
func (w *Writer) CharDev(name string, perm, major, minor uint32) error {
	return w.WriteEntry(Header{Name: name, Mode: TypeChar | perm&PermMask, RDevMajor: major, RDevMinor: minor}, nil)
}

// BlockDev adds a block device node.
func (w *Writer) BlockDev(name string, perm, major, minor uint32) error {
	return w.WriteEntry(Header{Name: name, Mode: TypeBlock | perm&PermMask, RDevMajor: major, RDevMinor: minor}, nil)
}

// FIFO adds a named pipe.
func (w *Writer) FIFO(name string, perm uint32) error {
	return w.WriteEntry(Header{Name: name, Mode: TypeFIFO | perm&PermMask}, nil)
}

// WriteEntry adds one entry. The name is cleaned with CleanName; Size is
// taken from data (or from Linkname for a symlink); zero Ino, NLink and
// MTime get the Writer's defaults. Only regular files and symlinks carry
// data. Adding the same name twice is an error.
func (w *Writer) WriteEntry(h Header, data []byte) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("cpio: write to closed Writer")
	}
	name, err := CleanName(h.Name)
	if err != nil {
		return err
	}
	h.Name = name
	switch h.Type() {
	case TypeSymlink:
		if len(data) == 0 {
			data = []byte(h.Linkname)
		}
		if len(data) == 0 || len(data) > MaxLinkSize {
			return fmt.Errorf("cpio: symlink %s: target of %d bytes (want 1 to %d)", name, len(data), MaxLinkSize)
		}
	case TypeReg:
	case TypeDir, TypeChar, TypeBlock, TypeFIFO, TypeSocket:
		if len(data) != 0 {
			return fmt.Errorf("cpio: %s %s cannot have data", TypeString(h.Mode), name)
		}
	default:
		return fmt.Errorf("cpio: %s: mode %#o has no file type", name, h.Mode)
	}
	if int64(len(data)) > math.MaxUint32 {
		return fmt.Errorf("cpio: %s: %d bytes is too large for newc", name, len(data))
	}
	if w.names[name] {
		return fmt.Errorf("cpio: duplicate entry %s", name)
	}
	w.names[name] = true
	if h.Ino == 0 {
		w.ino++
		h.Ino = w.ino
	}
	if h.NLink == 0 {
		h.NLink = 1
		if h.Type() == TypeDir {
			h.NLink = 2
		}
	}
	if h.MTime == 0 {
		h.MTime = w.mtime
	}
	h.Size = int64(len(data))
	return w.emit(&h, data)
}

// emit writes a header, name, data and padding.
func (w *Writer) emit(h *Header, data []byte) error {
	buf := make([]byte, 0, HeaderSize+len(h.Name)+4)
	buf = append(buf, Magic...)
	for _, v := range []uint32{
		h.Ino, h.Mode, h.UID, h.GID, h.NLink, h.MTime, uint32(h.Size),
		h.DevMajor, h.DevMinor, h.RDevMajor, h.RDevMinor,
		uint32(len(h.Name) + 1), 0, // namesize, check
	} {
		buf = fmt.Appendf(buf, "%08X", v)
	}
	buf = append(buf, h.Name...)
	buf = append(buf, 0)
	for pad4(int64(len(buf))) != 0 {
		buf = append(buf, 0)
	}
	if err := w.write(buf); err != nil {
		return err
	}
	if err := w.write(data); err != nil {
		return err
	}
	return w.write(make([]byte, pad4(w.n)))
}

func (w *Writer) write(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	n, err := w.w.Write(b)
	w.n += int64(n)
	if err == nil && n != len(b) {
		err = io.ErrShortWrite
	}
	if err != nil {
		w.err = fmt.Errorf("cpio: %w", err)
	}
	return w.err
}

// Close writes the trailer entry. It does not close the underlying writer.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return nil
	}
	w.closed = true
	return w.emit(&Header{Name: TrailerName, NLink: 1}, nil)
}
