package cpio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Reader reads a newc archive.
type Reader struct {
	r         io.Reader
	off       int64 // bytes consumed
	remaining int64 // unread data of the current entry
	pad       int64 // padding after the current entry's data
	done      bool
	err       error // sticky
}

// NewReader returns a Reader that reads from r.
func NewReader(r io.Reader) *Reader { return &Reader{r: r} }

// Next skips what is left of the current entry and returns the next
// header. It returns io.EOF after the trailer entry, and
// io.ErrUnexpectedEOF (wrapped) when the input ends before the trailer.
func (r *Reader) Next() (*Header, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.done {
		return nil, io.EOF
	}
	if err := r.skip(r.remaining + r.pad); err != nil {
		return nil, r.fail(err)
	}
	r.remaining, r.pad = 0, 0

	start := r.off
	var raw [HeaderSize]byte
	if err := r.readFull(raw[:]); err != nil {
		return nil, r.fail(err)
	}
	if string(raw[:6]) != Magic {
		return nil, r.fail(fmt.Errorf("cpio: bad magic %q at offset %d (want %q, newc)", raw[:6], start, Magic))
	}
	var f [13]uint32
	for i := range f {
		v, err := parseHex(raw[6+8*i : 14+8*i])
		if err != nil {
			return nil, r.fail(fmt.Errorf("cpio: header at offset %d, field %d: %w", start, i, err))
		}
		f[i] = v
	}
	h := &Header{
		Ino: f[0], Mode: f[1], UID: f[2], GID: f[3], NLink: f[4], MTime: f[5],
		Size:     int64(f[6]),
		DevMajor: f[7], DevMinor: f[8], RDevMajor: f[9], RDevMinor: f[10],
	}
	nameSize := int64(f[11])
	if nameSize < 2 || nameSize > MaxNameSize {
		return nil, r.fail(fmt.Errorf("cpio: header at offset %d: name size %d out of range [2, %d]", start, nameSize, MaxNameSize))
	}
	name := make([]byte, nameSize+pad4(HeaderSize+nameSize))
	if err := r.readFull(name); err != nil {
		return nil, r.fail(err)
	}
	name = name[:nameSize]
	if name[nameSize-1] != 0 || bytes.IndexByte(name[:nameSize-1], 0) >= 0 {
		return nil, r.fail(fmt.Errorf("cpio: header at offset %d: name is not NUL-terminated", start))
	}
	h.Name = string(name[:nameSize-1])
	if h.Name == TrailerName {
		r.done = true
		return nil, io.EOF
	}
	r.remaining, r.pad = h.Size, pad4(h.Size)
	if h.Type() == TypeSymlink {
		if h.Size < 1 || h.Size > MaxLinkSize {
			return nil, r.fail(fmt.Errorf("cpio: symlink %s: target of %d bytes (want 1 to %d)", h.Name, h.Size, MaxLinkSize))
		}
		target := make([]byte, h.Size)
		if err := r.readFull(target); err != nil {
			return nil, r.fail(err)
		}
		r.remaining = 0
		h.Linkname = string(target)
	}
	return h, nil
}

// Read reads the current entry's data. It returns io.EOF at the end of the
// entry; a symlink's data is in Header.Linkname instead.
func (r *Reader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.remaining == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.remaining {
		p = p[:r.remaining]
	}
	n, err := r.r.Read(p)
	r.off += int64(n)
	r.remaining -= int64(n)
	if err == io.EOF {
		if r.remaining > 0 {
			return n, r.fail(r.truncated())
		}
		err = nil
	}
	if err != nil {
		return n, r.fail(err)
	}
	return n, nil
}

func (r *Reader) readFull(b []byte) error {
	n, err := io.ReadFull(r.r, b)
	r.off += int64(n)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return r.truncated()
	}
	return err
}

func (r *Reader) skip(n int64) error {
	if n == 0 {
		return nil
	}
	m, err := io.CopyN(io.Discard, r.r, n)
	r.off += m
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return r.truncated()
	}
	return err
}

func (r *Reader) fail(err error) error {
	r.err = err
	return err
}

func (r *Reader) truncated() error {
	return fmt.Errorf("cpio: archive truncated at offset %d: %w", r.off, io.ErrUnexpectedEOF)
}

// parseHex decodes 8 hexadecimal digits.
func parseHex(b []byte) (uint32, error) {
	var v uint32
	for _, c := range b {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, fmt.Errorf("bad hex digit %q", c)
		}
		v = v<<4 | uint32(d)
	}
	return v, nil
}

// Entry is a header with its data, as ReadAll returns it.
type Entry struct {
	Header
	Data []byte
}

// ReadAll reads a whole archive up to its trailer.
func ReadAll(r io.Reader) ([]Entry, error) {
	cr := NewReader(r)
	var out []Entry
	for {
		h, err := cr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		data, err := io.ReadAll(cr)
		if err != nil {
			return out, err
		}
		out = append(out, Entry{Header: *h, Data: data})
	}
}
