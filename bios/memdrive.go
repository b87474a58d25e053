package bios

import "io"

// MemDrive is a Drive held in memory (tests, small generated images).
type MemDrive []byte

// ReadAt reads from the image; reads past the end return io.EOF.
func (d MemDrive) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off >= int64(len(d)) {
		return 0, io.EOF
	}
	n := copy(p, d[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// WriteAt writes into the image; it never grows.
func (d MemDrive) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off >= int64(len(d)) {
		return 0, io.ErrShortWrite
	}
	n := copy(d[off:], p)
	if n < len(p) {
		return n, io.ErrShortWrite
	}
	return n, nil
}

// Size is the image size in bytes.
func (d MemDrive) Size() int64 { return int64(len(d)) }
